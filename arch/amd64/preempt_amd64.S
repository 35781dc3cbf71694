// preempt_amd64.S — asyncPreempt for amd64 (System V x86-64, ELF).
//
// Port of Go 1.19 src/runtime/preempt_amd64.s (generated there by
// mkpreempt.go). The signal handler (signal_amd64.cpp: pushCall) rewrote
// the interrupted context so that this routine runs next, as if the
// interrupted instruction had called it. It saves every register the
// interrupted code may have live, calls asyncPreempt2 (which yields the
// processor through mcall), restores them all and resumes at the exact
// interrupted pc with the exact interrupted sp.
//
// Differences from Go (C++ makes every register live anywhere):
// - the signal handler steps over the 128-byte red zone, so the entry
//   frame holds the interrupted pc AND sp (Go pushes only the pc);
// - the vector state is saved whole with XSAVE and the feature mask of
//   this CPU (x87, MXCSR, XMM, and the AVX / AVX-512 upper halves and
//   mask registers where enabled); FXSAVE where XSAVE is missing;
// - the return to the interrupted pc must not clobber any register, so
//   the pc goes through a thread-local slot (asyncPreemptPC) and a
//   memory-indirect jmp. The slot is local-exec TLS: gort must be linked
//   into the executable (it is a static library).
//
// This file lives in the runtime's text section like all of gort, so a
// preemption signal that lands in here is refused (isAsyncSafePoint).

#include "asm_amd64.h"

	.text

// preempt_amd64.s: asyncPreempt
// void asyncPreempt(void)
// Saves all registers, calls asyncPreempt2, restores all registers and
// returns to the interrupted pc.
// On entry (from the rewritten signal context): rsp is 16-byte aligned,
// 0(rsp) = interrupted pc, 8(rsp) = interrupted sp. The interrupted code's
// red zone lies untouched between the two.
// Clobbers: nothing.
	.globl	asyncPreempt
	.type	asyncPreempt, @function
	.p2align 4
asyncPreempt:
	.cfi_startproc
	// A signal-style frame: the "caller" is the interrupted instruction,
	// whose pc is exact (no -1 when unwinding) and whose sp is stored.
	.cfi_signal_frame
	// CFA = *(rsp+8) (the interrupted sp); rip is at rsp+0.
	.cfi_escape 0x0f, 3, 0x77, 0x08, 0x06
	.cfi_escape 0x10, 16, 2, 0x77, 0x00
	.cfi_remember_state

	// Make a frame: save rbp, anchor every rule on it.
	pushq	%rbp
	// CFA = *(rsp+16); rip at rsp+8; rbp at rsp+0.
	.cfi_escape 0x0f, 3, 0x77, 0x10, 0x06
	.cfi_escape 0x10, 16, 2, 0x77, 0x08
	.cfi_escape 0x10, 6, 2, 0x77, 0x00
	movq	%rsp, %rbp
	// CFA = *(rbp+apf_sp); rip at rbp+apf_pc; rbp at rbp+apf_rbp.
	.cfi_escape 0x0f, 3, 0x76, 0x10, 0x06
	.cfi_escape 0x10, 16, 2, 0x76, 0x08
	.cfi_escape 0x10, 6, 2, 0x76, 0x00

	// Save the flags before anything clobbers them.
	pushfq

	// Save the general registers.
	movq	%rax, apf_rax(%rbp)
	movq	%rbx, apf_rbx(%rbp)
	movq	%rcx, apf_rcx(%rbp)
	movq	%rdx, apf_rdx(%rbp)
	movq	%rsi, apf_rsi(%rbp)
	movq	%rdi, apf_rdi(%rbp)
	movq	%r8, apf_r8(%rbp)
	movq	%r9, apf_r9(%rbp)
	movq	%r10, apf_r10(%rbp)
	movq	%r11, apf_r11(%rbp)
	movq	%r12, apf_r12(%rbp)
	movq	%r13, apf_r13(%rbp)
	movq	%r14, apf_r14(%rbp)
	movq	%r15, apf_r15(%rbp)
	// (DWARF: register N saved at rbp+off.)
	.cfi_escape 0x10, 0, 2, 0x76, 0x70
	.cfi_escape 0x10, 3, 2, 0x76, 0x68
	.cfi_escape 0x10, 2, 2, 0x76, 0x60
	.cfi_escape 0x10, 1, 2, 0x76, 0x58
	.cfi_escape 0x10, 4, 2, 0x76, 0x50
	.cfi_escape 0x10, 5, 2, 0x76, 0x48
	.cfi_escape 0x10, 8, 2, 0x76, 0x40
	.cfi_escape 0x10, 9, 3, 0x76, 0xb8, 0x7f
	.cfi_escape 0x10, 10, 3, 0x76, 0xb0, 0x7f
	.cfi_escape 0x10, 11, 3, 0x76, 0xa8, 0x7f
	.cfi_escape 0x10, 12, 3, 0x76, 0xa0, 0x7f
	.cfi_escape 0x10, 13, 3, 0x76, 0x98, 0x7f
	.cfi_escape 0x10, 14, 3, 0x76, 0x90, 0x7f
	.cfi_escape 0x10, 15, 3, 0x76, 0x88, 0x7f

	// Make room for the vector state: 64-byte aligned, below the frame.
	movq	asyncPreemptXsaveSize(%rip), %rax	// rax = bytes of state
	leaq	-apf__below(%rbp), %rsp
	subq	%rax, %rsp
	andq	$-64, %rsp

	// Save the vector/FP state (XSAVE with this CPU's mask, else FXSAVE).
	// XRSTOR faults unless the 64-byte XSAVE header starts zeroed.
	cmpb	$0, asyncPreemptHasXsave(%rip)
	je	.LasyncPreempt_fxsave
	xorl	%eax, %eax
	movq	%rax, 512(%rsp)
	movq	%rax, 520(%rsp)
	movq	%rax, 528(%rsp)
	movq	%rax, 536(%rsp)
	movq	%rax, 544(%rsp)
	movq	%rax, 552(%rsp)
	movq	%rax, 560(%rsp)
	movq	%rax, 568(%rsp)
	movl	asyncPreemptXsaveMask(%rip), %eax	// edx:eax = feature mask
	movl	asyncPreemptXsaveMask+4(%rip), %edx
	xsave64	(%rsp)
	jmp	.LasyncPreempt_call
.LasyncPreempt_fxsave:
	fxsave64 (%rsp)

.LasyncPreempt_call:
	// Call asyncPreempt2 (C++: DF clear, rsp 16-aligned).
	cld
	call	asyncPreempt2@PLT

	// Restore the vector/FP state.
	cmpb	$0, asyncPreemptHasXsave(%rip)
	je	.LasyncPreempt_fxrstor
	movl	asyncPreemptXsaveMask(%rip), %eax
	movl	asyncPreemptXsaveMask+4(%rip), %edx
	xrstor64 (%rsp)
	jmp	.LasyncPreempt_restore
.LasyncPreempt_fxrstor:
	fxrstor64 (%rsp)

.LasyncPreempt_restore:
	// Put the resume pc where the final jmp can reach it without a
	// register: this thread's slot (the g may have moved to another
	// thread inside asyncPreempt2; %fs is this thread's now).
	movq	apf_pc(%rbp), %rax
	movq	%rax, %fs:asyncPreemptPC@tpoff

	// Restore the general registers.
	movq	apf_r15(%rbp), %r15
	movq	apf_r14(%rbp), %r14
	movq	apf_r13(%rbp), %r13
	movq	apf_r12(%rbp), %r12
	movq	apf_r11(%rbp), %r11
	movq	apf_r10(%rbp), %r10
	movq	apf_r9(%rbp), %r9
	movq	apf_r8(%rbp), %r8
	movq	apf_rdi(%rbp), %rdi
	movq	apf_rsi(%rbp), %rsi
	movq	apf_rdx(%rbp), %rdx
	movq	apf_rcx(%rbp), %rcx
	movq	apf_rbx(%rbp), %rbx
	movq	apf_rax(%rbp), %rax

	// Restore the flags and rbp, then the interrupted sp (no flags
	// change after popfq: mov and jmp leave them alone).
	leaq	apf_rflags(%rbp), %rsp
	popfq
	popq	%rbp
	// Every register holds its interrupted value again: back to the entry
	// rules (CFA = *(rsp+8), rip at rsp+0, nothing else saved).
	.cfi_restore_state
	movq	8(%rsp), %rsp
	// The resume pc is only in the thread-local slot now: stop unwinding.
	.cfi_def_cfa rsp, 0
	.cfi_undefined rip

	// Resume the interrupted code at its exact pc.
	jmp	*%fs:asyncPreemptPC@tpoff
	.cfi_endproc
	.size	asyncPreempt, .-asyncPreempt

	.section .note.GNU-stack, "", @progbits
