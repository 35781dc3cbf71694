// asm_arm64.h — the layout the arm64 assembly relies on, in one place.
//
// Go generates go_asm.h with these names from its structs; gort writes them
// once here and checks each against the C++ definition with static_assert,
// so the .S never holds a numeric struct offset (STYLE rule 6).
// Included by asm_arm64.S (as assembler) and by C++.
#pragma once

// sys.PCQuantum: the size of the smallest instruction; goexit+PCQuantum is
// the fake return address (the LR) planted under a new goroutine's entry.
#define PCQuantum 4
// sys.MinFrameSize: the caller's LR slot Go reserves at the bottom of every
// frame (newproc1 zeroes it under a new goroutine's first frame).
#define MinFrameSize 8
// sys.StackAlign: the hardware checks sp for 16-byte alignment.
#define StackAlign 16

// struct stack
#define stack_lo 0
#define stack_hi 8
// struct g
#define g_stack 0
#define g_stackguard0 16
#define g_m 24
#define g_sched 32
// struct gobuf
#define gobuf_sp 0
#define gobuf_pc 8
#define gobuf_g 16
#define gobuf_ctxt 24
#define gobuf_ret 32
#define gobuf_lr 40
#define gobuf_bp 48
// struct m
#define m_g0 0
#define m_gsignal 16
#define m_curg 80

// mcallframe: what mcall stores on the goroutine's stack before it switches
// to g0, lowest address first (the layout at g.sched.sp of a parked g).
// AAPCS64 (Arm IHI 0055, "Procedure Call Standard for the Arm 64-bit
// Architecture", Machine Registers) makes x19-x28, x29 (FP), the low 64
// bits of v8-v15 (d8-d15) and the FPCR control fields callee-saved; x30
// (LR) is the return address into mcall's caller.
//
//   offset  size  holds
//   0       8     fpcr (rounding mode, flush-to-zero, default NaN, ...)
//   8       8     padding (sp stays 16-byte aligned)
//   16      64    d8-d15
//   80      80    x19-x28
//   160     8     x29 (frame pointer)
//   168     8     x30 (return address into mcall's caller)
//
// Everything else AAPCS64 calls caller-saved (x0-x18, v0-v7, v16-v31, the
// high 64 bits of v8-v15, NZCV, FPSR's cumulative flags) is dead across a
// call and not saved. x18 (the platform register) is left alone.
#define mcallframe_fpcr 0
#define mcallframe_d8 16
#define mcallframe_d9 24
#define mcallframe_d10 32
#define mcallframe_d11 40
#define mcallframe_d12 48
#define mcallframe_d13 56
#define mcallframe_d14 64
#define mcallframe_d15 72
#define mcallframe_x19 80
#define mcallframe_x20 88
#define mcallframe_x21 96
#define mcallframe_x22 104
#define mcallframe_x23 112
#define mcallframe_x24 120
#define mcallframe_x25 128
#define mcallframe_x26 136
#define mcallframe_x27 144
#define mcallframe_x28 152
#define mcallframe_x29 160
#define mcallframe_x30 168
#define mcallframe__size 176

// fpctl: tls_fpctl, this thread's FP control state as the switch code last
// saw or set it. mcall records the goroutine's FPCR there as it saves it
// in the mcallframe; .Lmcall_resume compares a goroutine's saved FPCR with
// it and writes FPCR only where they differ (and records what it wrote).
// So a switch reads FPCR once (mrs in mcall), not twice. It holds because
// nothing that runs on g0 between an mcall and the next gogo changes FPCR
// (the runtime's C++ does not; a signal handler's changes are undone by
// sigreturn). A new thread's starts as all ones, which no FPCR holds (its
// RES0 bits), so the first resume on a thread writes FPCR.
//
//   offset  size  holds
//   0       8     fpcr
#define fpctl_fpcr 0
#define fpctl__size 8

// The signal-frame copy asyncPreempt runs on (preempt_arm64.S, made by
// signal_arm64.cpp's pushCall): a struct rt_sigframe, i.e. a siginfo_t
// then a ucontext_t, at sp. Offsets from sp of what it holds:
#define apf_uc 128                 // the ucontext_t
#define apf_regs (128 + 176 + 8)   // uc_mcontext.regs[0..30]
#define apf_sp (128 + 176 + 256)   // uc_mcontext.sp: the interrupted sp
#define apf_pc (128 + 176 + 264)   // uc_mcontext.pc: the interrupted pc

#ifndef __ASSEMBLER__
#include <cstddef>
#include <cstdint>
#include <signal.h>
#include <ucontext.h>

#include <type_traits>

#include "runtime/runtime2.h"

namespace gort::runtime {

// The frame mcall leaves at g.sched.sp, as a struct (STYLE rule 7): the
// traceback, the gdb unwinder and the asm tests read it through this.
struct mcallframe {
  uint64_t fpcr;
  uint64_t pad;
  uint64_t d8, d9, d10, d11, d12, d13, d14, d15;  // bit patterns of the doubles
  uint64_t x19, x20, x21, x22, x23, x24, x25, x26, x27, x28;
  uint64_t x29;
  uint64_t x30;
};

// tls_fpctl's layout (see fpctl_fpcr above).
struct fpctl {
  uint64_t fpcr;
};

extern "C" {
// This thread's FP control state as mcall and .Lmcall_resume last saw it
// (sys_arm64.cpp). Read and written only by asm_arm64.S.
extern __thread fpctl tls_fpctl __attribute__((tls_model("initial-exec")));
}

#define GORT_CHECK_OFFSET(type, field, name) \
  static_assert(offsetof(type, field) == (name), #type "." #field " != " #name)

GORT_CHECK_OFFSET(struct stack, lo, stack_lo);
GORT_CHECK_OFFSET(struct stack, hi, stack_hi);
GORT_CHECK_OFFSET(g, stack, g_stack);
GORT_CHECK_OFFSET(g, stackguard0, g_stackguard0);
GORT_CHECK_OFFSET(g, m, g_m);
GORT_CHECK_OFFSET(g, sched, g_sched);
GORT_CHECK_OFFSET(gobuf, sp, gobuf_sp);
GORT_CHECK_OFFSET(gobuf, pc, gobuf_pc);
GORT_CHECK_OFFSET(gobuf, g, gobuf_g);
GORT_CHECK_OFFSET(gobuf, ctxt, gobuf_ctxt);
GORT_CHECK_OFFSET(gobuf, ret, gobuf_ret);
GORT_CHECK_OFFSET(gobuf, lr, gobuf_lr);
GORT_CHECK_OFFSET(gobuf, bp, gobuf_bp);
GORT_CHECK_OFFSET(m, g0, m_g0);
GORT_CHECK_OFFSET(m, gsignal, m_gsignal);
GORT_CHECK_OFFSET(m, curg, m_curg);
GORT_CHECK_OFFSET(mcallframe, fpcr, mcallframe_fpcr);
GORT_CHECK_OFFSET(mcallframe, d8, mcallframe_d8);
GORT_CHECK_OFFSET(mcallframe, d9, mcallframe_d9);
GORT_CHECK_OFFSET(mcallframe, d10, mcallframe_d10);
GORT_CHECK_OFFSET(mcallframe, d11, mcallframe_d11);
GORT_CHECK_OFFSET(mcallframe, d12, mcallframe_d12);
GORT_CHECK_OFFSET(mcallframe, d13, mcallframe_d13);
GORT_CHECK_OFFSET(mcallframe, d14, mcallframe_d14);
GORT_CHECK_OFFSET(mcallframe, d15, mcallframe_d15);
GORT_CHECK_OFFSET(mcallframe, x19, mcallframe_x19);
GORT_CHECK_OFFSET(mcallframe, x20, mcallframe_x20);
GORT_CHECK_OFFSET(mcallframe, x21, mcallframe_x21);
GORT_CHECK_OFFSET(mcallframe, x22, mcallframe_x22);
GORT_CHECK_OFFSET(mcallframe, x23, mcallframe_x23);
GORT_CHECK_OFFSET(mcallframe, x24, mcallframe_x24);
GORT_CHECK_OFFSET(mcallframe, x25, mcallframe_x25);
GORT_CHECK_OFFSET(mcallframe, x26, mcallframe_x26);
GORT_CHECK_OFFSET(mcallframe, x27, mcallframe_x27);
GORT_CHECK_OFFSET(mcallframe, x28, mcallframe_x28);
GORT_CHECK_OFFSET(mcallframe, x29, mcallframe_x29);
GORT_CHECK_OFFSET(mcallframe, x30, mcallframe_x30);
static_assert(sizeof(mcallframe) == mcallframe__size);
GORT_CHECK_OFFSET(fpctl, fpcr, fpctl_fpcr);
static_assert(sizeof(fpctl) == fpctl__size);
static_assert(std::is_standard_layout_v<fpctl>);
static_assert(mcallframe__size % StackAlign == 0, "mcall must keep sp 16-byte aligned");
static_assert(std::is_standard_layout_v<mcallframe>);
static_assert(sizeof(gobuf) == 56);
static_assert(sizeof(siginfo_t) + offsetof(ucontext_t, uc_mcontext.regs) == apf_regs);
static_assert(sizeof(siginfo_t) + offsetof(ucontext_t, uc_mcontext.sp) == apf_sp);
static_assert(sizeof(siginfo_t) + offsetof(ucontext_t, uc_mcontext.pc) == apf_pc);
static_assert(sizeof(siginfo_t) == apf_uc);
static_assert(std::is_standard_layout_v<gobuf>);
static_assert(std::is_standard_layout_v<struct stack>);

}  // namespace gort::runtime
#endif  // __ASSEMBLER__
