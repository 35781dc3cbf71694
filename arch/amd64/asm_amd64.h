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
#define g_m 32
#define g_sched 40
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
static_assert(sizeof(gobuf) == 56);
static_assert(std::is_standard_layout_v<gobuf>);
static_assert(std::is_standard_layout_v<struct stack>);

}  // namespace gort::runtime
#endif  // __ASSEMBLER__
