// swap_amd64.S — the plain stack switch BenchmarkSwapRegs measures beside
// gort's mcall + gogo (System V x86-64, ELF).
//
// The least a switch between two C++ stacks must do: push the callee-saved
// general registers (rbx, rbp, r12-r15), trade stack pointers, pop, go on.
// Unlike gort's mcall it saves no MXCSR or x87 control word, keeps no gobuf,
// sets no current g and passes through no g0 stack. Like gogo it continues
// with an indirect jmp rather than a ret.
//
// Frame on the suspended stack, from sp upwards:
//   0 r15 | 8 r14 | 16 r13 | 24 r12 | 32 rbx | 40 rbp | 48 return pc

// void swapregs(void **save, void *load)
// Save this context's callee-saved registers and sp in *save; continue the
// context whose sp is load.
// On entry: rdi = save, rsi = load, 0(rsp) = return address.
// Clobbers: rcx and the caller-saved registers.
	.text
	.globl	swapregs
	.type	swapregs, @function
	.p2align 4
swapregs:
	.cfi_startproc
	// save the callee-saved registers
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	// trade stacks
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	// restore the other context's registers and continue it
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	popq	%rcx
	jmp	*%rcx
	.cfi_endproc
	.size	swapregs, .-swapregs

// void swapregs_fp(void **save, void *load)
// swapregs, plus what gort's mcall also keeps per goroutine: the MXCSR
// control bits and the x87 control word, in one more slot under the frame
//   0 mxcsr | 4 x87 cw | 8 r15 ... 56 return pc
// On entry: rdi = save, rsi = load, 0(rsp) = return address.
// Clobbers: rcx and the caller-saved registers.
	.globl	swapregs_fp
	.type	swapregs_fp, @function
	.p2align 4
swapregs_fp:
	.cfi_startproc
	// save the callee-saved registers and the floating-point control state
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	stmxcsr	0(%rsp)
	fnstcw	4(%rsp)
	// trade stacks
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	// restore the other context's state and continue it
	ldmxcsr	0(%rsp)
	fldcw	4(%rsp)
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	popq	%rcx
	jmp	*%rcx
	.cfi_endproc
	.size	swapregs_fp, .-swapregs_fp

	.section .note.GNU-stack,"",@progbits
