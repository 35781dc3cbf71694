// swap_arm64.S — the plain stack switch BenchmarkSwapRegs measures beside
// gort's mcall + gogo (AAPCS64, ELF).
//
// The least a switch between two C++ stacks must do: store the callee-saved
// registers (x19-x28, fp, lr, d8-d15), trade stack pointers, load, go on.
// Unlike gort's mcall it saves no FPCR, keeps no gobuf, sets no current g and
// passes through no g0 stack.
//
// Frame on the suspended stack, from sp upwards:
//   0 x19..x28 | 80 x29 | 88 x30 (where to continue) | 96 d8..d15

// void swapregs(void **save, void *load)
// Save this context's callee-saved registers and sp in *save; continue the
// context whose sp is load.
// On entry: x0 = save, x1 = load, x30 = return address.
// Clobbers: x2 and the caller-saved registers.
	.text
	.globl	swapregs
	.type	swapregs, %function
	.p2align 4
swapregs:
	.cfi_startproc
	// save the callee-saved registers
	sub	sp, sp, #160
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	// trade stacks
	mov	x2, sp
	str	x2, [x0]
	mov	sp, x1
	// restore the other context's registers and continue it
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	add	sp, sp, #160
	ret
	.cfi_endproc
	.size	swapregs, .-swapregs

// void swapregs_fp(void **save, void *load)
// swapregs, plus what gort's mcall also keeps per goroutine: FPCR, in one
// more slot above the frame
//   0 x19..x28 | 80 x29 | 88 x30 | 96 d8..d15 | 160 fpcr | 168 pad
// On entry: x0 = save, x1 = load, x30 = return address.
// Clobbers: x2, x3 and the caller-saved registers.
	.globl	swapregs_fp
	.type	swapregs_fp, %function
	.p2align 4
swapregs_fp:
	.cfi_startproc
	// save the callee-saved registers and the floating-point control state
	sub	sp, sp, #176
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	mrs	x3, fpcr
	str	x3, [sp, #160]
	// trade stacks
	mov	x2, sp
	str	x2, [x0]
	mov	sp, x1
	// restore the other context's state and continue it
	ldr	x3, [sp, #160]
	msr	fpcr, x3
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	add	sp, sp, #176
	ret
	.cfi_endproc
	.size	swapregs_fp, .-swapregs_fp

	.section .note.GNU-stack,"",@progbits
