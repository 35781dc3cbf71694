// preempt_arm64.S — asyncPreempt for arm64 (AAPCS64, ELF).
//
// Port of Go 1.19 src/runtime/preempt_arm64.s (generated there by
// mkpreempt.go), with one difference C++ forces: Go saves the registers
// itself and returns to the interrupted pc through R27, which Go code never
// keeps live; C++ code may keep a live value in any of x0-x30 and arm64
// cannot branch through memory. So the signal handler (signal_arm64.cpp:
// pushCall) has already copied the whole signal frame — x0-x30, sp, pc,
// the flags, and the FP/SIMD and SVE state the kernel saved — onto the
// goroutine's stack, and this routine returns with rt_sigreturn on that
// copy, which restores every register and the pc at once.
//
// This file lives in the runtime's text section like all of gort, so a
// preemption signal that lands in here is refused (isAsyncSafePoint).
#include "asm_arm64.h"

	.text

// void asyncPreempt(void)
// asm: preempt_arm64.s: asyncPreempt
// On entry (from the rewritten signal context): sp = the frame copy
// (struct rt_sigframe, 16-byte aligned); the interrupted pc and sp are in
// it at apf_pc and apf_sp; x0-x30 still hold their interrupted values
// (also saved in the copy, so they may be clobbered here).
// Never returns: rt_sigreturn resumes the interrupted code.
	.globl	asyncPreempt
	.type	asyncPreempt, %function
	.p2align 4
asyncPreempt:
	.cfi_startproc
	// A signal-style frame: the "caller" is the interrupted instruction,
	// whose pc is exact (no -1 when unwinding). The return address is
	// DWARF register 32 (pc), read from the copy; x30 is the interrupted
	// x30, which a leaf function may still need.
	.cfi_signal_frame
	.cfi_return_column 32
	// CFA = *(sp + apf_sp): the interrupted sp.
	.cfi_escape 0x0f, 4, 0x8f, (apf_sp & 0x7f) | 0x80, apf_sp >> 7, 0x06
	// xN is at sp + apf_regs + 8*N; pc at sp + apf_pc.
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	.cfi_escape 0x10, \n, 3, 0x8f, ((apf_regs + 8 * \n) & 0x7f) | 0x80, (apf_regs + 8 * \n) >> 7
	.endr
	.cfi_escape 0x10, 32, 3, 0x8f, (apf_pc & 0x7f) | 0x80, apf_pc >> 7

	// Yield the processor (preempt.cpp: asyncPreempt2 -> mcall ->
	// gopreempt_m). sp stays at the copy: the callee's frames go below it.
	bl	asyncPreempt2

	// Running again, perhaps on another thread: give the copy this
	// thread's signal mask and alternate stack (rt_sigreturn installs both).
	add	x0, sp, #apf_uc
	bl	asyncPreemptFixFrame

	// Restore everything from the copy and resume at the interrupted pc
	// with the interrupted sp: rt_sigreturn(2) reads the frame at sp.
	mov	x8, #139			// __NR_rt_sigreturn
	svc	#0
	brk	#0				// not reached
	.cfi_endproc
	.size	asyncPreempt, .-asyncPreempt

	.section .note.GNU-stack,"",%progbits
