// asm_amd64.h — the layout the amd64 assembly relies on, in one place.
//
// Go generates go_asm.h with these names from its structs; gort writes them
// once here and checks each against the C++ definition with static_assert,
// so the .S never holds a numeric struct offset (STYLE rule 6).
// Included by asm_amd64.S (as assembler) and by C++.
#pragma once

// sys.PCQuantum: the size of the smallest instruction; goexit+PCQuantum is
// the fake return address planted under a new goroutine's entry.
#define PCQuantum 1
// sys.MinFrameSize: amd64 has no link register, no reserved frame slot.
#define MinFrameSize 0
// sys.StackAlign
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

// mcallframe: what mcall pushes on the goroutine's stack before it switches
// to g0, lowest address first (the layout at g.sched.sp of a parked g).
//
//   offset  size  holds
//   0       4     mxcsr (control/status bits; callee-saved control part)
//   4       2     x87 control word (callee-saved)
//   6       2     padding
//   8       8     r15
//   16      8     r14
//   24      8     r13
//   32      8     r12
//   40      8     rbx
//   48      8     rbp
//   56      8     return address into mcall's caller
//
// Everything else the System V ABI calls caller-saved (rax, rcx, rdx, rsi,
// rdi, r8-r11, xmm0-15, the flags) is dead across a call and not saved.
#define mcallframe_mxcsr 0
#define mcallframe_fpcw 4
#define mcallframe_r15 8
#define mcallframe_r14 16
#define mcallframe_r13 24
#define mcallframe_r12 32
#define mcallframe_rbx 40
#define mcallframe_rbp 48
#define mcallframe_retpc 56
#define mcallframe__size 64

// fpctl: tls_fpctl, this thread's FP control state as the switch code last
// saw or set it. mcall records the goroutine's state there as it saves it
// in the mcallframe; .Lmcall_resume compares a goroutine's saved state
// with it and writes MXCSR / the x87 control word only where they differ
// (and records what it wrote). So a switch reads the FP control registers
// once (stmxcsr/fnstcw in mcall), not twice. It holds because nothing that
// runs on g0 between an mcall and the next gogo changes the FP control
// bits (the runtime's C++ does not; a signal handler's changes are undone
// by sigreturn). A new thread's starts as all ones, which no real state
// holds (MXCSR's reserved high bits), so the first resume on a thread
// writes both.
//
//   offset  size  holds
//   0       4     mxcsr (as stmxcsr stored it, status flags included)
//   4       2     x87 control word
//   6       2     padding
#define fpctl_mxcsr 0
#define fpctl_fpcw 4
#define fpctl__size 8

// asyncpreemptframe: what asyncPreempt (preempt_amd64.S) keeps around the
// frame pointer it sets up, as offsets from rbp. Below it, 64-byte
// aligned, lies the XSAVE area (its size depends on the CPU).
//
//   rbp+16   interrupted sp (written by the signal handler, pushCall)
//   rbp+8    interrupted pc (written by the signal handler, pushCall)
//   rbp+0    interrupted rbp
//   rbp-8    rflags
//   rbp-16   rax, then rbx rcx rdx rsi rdi r8 ... r15 down to rbp-120
#define apf_sp 16
#define apf_pc 8
#define apf_rbp 0
#define apf_rflags (-8)
#define apf_rax (-16)
#define apf_rbx (-24)
#define apf_rcx (-32)
#define apf_rdx (-40)
#define apf_rsi (-48)
#define apf_rdi (-56)
#define apf_r8 (-64)
#define apf_r9 (-72)
#define apf_r10 (-80)
#define apf_r11 (-88)
#define apf_r12 (-96)
#define apf_r13 (-104)
#define apf_r14 (-112)
#define apf_r15 (-120)
#define apf__below 128  // bytes of the frame below rbp, before the XSAVE area

#ifndef __ASSEMBLER__
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "runtime/runtime2.h"

namespace gort::runtime {

// The frame mcall leaves at g.sched.sp, as a struct (STYLE rule 7): the
// traceback, the gdb unwinder and the asm tests read it through this.
struct mcallframe {
  uint32_t mxcsr;
  uint16_t fpcw;
  uint16_t pad;
  uint64_t r15, r14, r13, r12, rbx, rbp;
  uint64_t retpc;
};

// tls_fpctl's layout (see fpctl_mxcsr above).
struct fpctl {
  uint32_t mxcsr;
  uint16_t fpcw;
  uint16_t pad;
};

extern "C" {
// This thread's FP control state as mcall and .Lmcall_resume last saw it
// (sys_x86.cpp). Read and written only by asm_amd64.S.
extern __thread fpctl tls_fpctl __attribute__((tls_model("initial-exec")));
}

// The asyncPreempt frame as a struct, lowest address first; `base` is
// rbp - apf__below + 8 (the slot of r15).
struct asyncpreemptframe {
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rdi, rsi, rdx, rcx, rbx, rax;
  uint64_t rflags;
  uint64_t rbp;  // the frame pointer points here
  uint64_t pc, sp;
};

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
GORT_CHECK_OFFSET(mcallframe, mxcsr, mcallframe_mxcsr);
GORT_CHECK_OFFSET(mcallframe, fpcw, mcallframe_fpcw);
GORT_CHECK_OFFSET(mcallframe, r15, mcallframe_r15);
GORT_CHECK_OFFSET(mcallframe, r14, mcallframe_r14);
GORT_CHECK_OFFSET(mcallframe, r13, mcallframe_r13);
GORT_CHECK_OFFSET(mcallframe, r12, mcallframe_r12);
GORT_CHECK_OFFSET(mcallframe, rbx, mcallframe_rbx);
GORT_CHECK_OFFSET(mcallframe, rbp, mcallframe_rbp);
GORT_CHECK_OFFSET(mcallframe, retpc, mcallframe_retpc);
static_assert(sizeof(mcallframe) == mcallframe__size);
GORT_CHECK_OFFSET(fpctl, mxcsr, fpctl_mxcsr);
GORT_CHECK_OFFSET(fpctl, fpcw, fpctl_fpcw);
static_assert(sizeof(fpctl) == fpctl__size);
static_assert(std::is_standard_layout_v<fpctl>);
#define GORT_CHECK_APF(field) \
  static_assert(int(offsetof(asyncpreemptframe, field)) - int(offsetof(asyncpreemptframe, rbp)) == apf_##field, \
                "asyncpreemptframe." #field)
GORT_CHECK_APF(sp);
GORT_CHECK_APF(pc);
GORT_CHECK_APF(rbp);
GORT_CHECK_APF(rflags);
GORT_CHECK_APF(rax);
GORT_CHECK_APF(rbx);
GORT_CHECK_APF(rcx);
GORT_CHECK_APF(rdx);
GORT_CHECK_APF(rsi);
GORT_CHECK_APF(rdi);
GORT_CHECK_APF(r8);
GORT_CHECK_APF(r9);
GORT_CHECK_APF(r10);
GORT_CHECK_APF(r11);
GORT_CHECK_APF(r12);
GORT_CHECK_APF(r13);
GORT_CHECK_APF(r14);
GORT_CHECK_APF(r15);
static_assert(offsetof(asyncpreemptframe, rbp) + 8 == apf__below);
static_assert(sizeof(gobuf) == 56);
static_assert(std::is_standard_layout_v<gobuf>);
static_assert(std::is_standard_layout_v<struct stack>);

}  // namespace gort::runtime
#endif  // __ASSEMBLER__
