// preempt_test_helpers.S — a loop that keeps known values in every
// register, for the asynchronous preemption tests (tests/preempt_test.cpp).
//
// uint64_t preemptRegisterLoop(int withAVX)
// Loads a distinct pattern into rax rbx rcx rdx rsi rdi rbp r8-r15,
// xmm0-xmm15 (and the upper halves of ymm0-ymm15 when withAVX), spins
// until preemptTestStop becomes nonzero, then stores every register into
// preemptTestOut for the C++ side to compare. The loop touches no
// register: preemption may land on any of its instructions.
// On entry: edi = withAVX. Returns 0. Clobbers: caller-saved registers.

	.text
	.globl	preemptRegisterLoop
	.type	preemptRegisterLoop, @function
	.p2align 4
preemptRegisterLoop:
	.cfi_startproc
	// Save the callee-saved registers the loop overwrites.
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset rbp, 0
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset rbx, 0
	pushq	%r12
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset r12, 0
	pushq	%r13
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset r13, 0
	pushq	%r14
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset r14, 0
	pushq	%r15
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset r15, 0
	movl	%edi, preemptTestWithAVX(%rip)

	// Load the vector patterns (xmm i = bytes 0x10+i, upper ymm = 0x60+i).
	movdqu	preemptTestXmm+0(%rip), %xmm0
	movdqu	preemptTestXmm+16(%rip), %xmm1
	movdqu	preemptTestXmm+32(%rip), %xmm2
	movdqu	preemptTestXmm+48(%rip), %xmm3
	movdqu	preemptTestXmm+64(%rip), %xmm4
	movdqu	preemptTestXmm+80(%rip), %xmm5
	movdqu	preemptTestXmm+96(%rip), %xmm6
	movdqu	preemptTestXmm+112(%rip), %xmm7
	movdqu	preemptTestXmm+128(%rip), %xmm8
	movdqu	preemptTestXmm+144(%rip), %xmm9
	movdqu	preemptTestXmm+160(%rip), %xmm10
	movdqu	preemptTestXmm+176(%rip), %xmm11
	movdqu	preemptTestXmm+192(%rip), %xmm12
	movdqu	preemptTestXmm+208(%rip), %xmm13
	movdqu	preemptTestXmm+224(%rip), %xmm14
	movdqu	preemptTestXmm+240(%rip), %xmm15
	cmpl	$0, preemptTestWithAVX(%rip)
	je	1f
	vinsertf128 $1, preemptTestYmmHi+0(%rip), %ymm0, %ymm0
	vinsertf128 $1, preemptTestYmmHi+16(%rip), %ymm1, %ymm1
	vinsertf128 $1, preemptTestYmmHi+32(%rip), %ymm2, %ymm2
	vinsertf128 $1, preemptTestYmmHi+48(%rip), %ymm3, %ymm3
	vinsertf128 $1, preemptTestYmmHi+64(%rip), %ymm4, %ymm4
	vinsertf128 $1, preemptTestYmmHi+80(%rip), %ymm5, %ymm5
	vinsertf128 $1, preemptTestYmmHi+96(%rip), %ymm6, %ymm6
	vinsertf128 $1, preemptTestYmmHi+112(%rip), %ymm7, %ymm7
	vinsertf128 $1, preemptTestYmmHi+128(%rip), %ymm8, %ymm8
	vinsertf128 $1, preemptTestYmmHi+144(%rip), %ymm9, %ymm9
	vinsertf128 $1, preemptTestYmmHi+160(%rip), %ymm10, %ymm10
	vinsertf128 $1, preemptTestYmmHi+176(%rip), %ymm11, %ymm11
	vinsertf128 $1, preemptTestYmmHi+192(%rip), %ymm12, %ymm12
	vinsertf128 $1, preemptTestYmmHi+208(%rip), %ymm13, %ymm13
	vinsertf128 $1, preemptTestYmmHi+224(%rip), %ymm14, %ymm14
	vinsertf128 $1, preemptTestYmmHi+240(%rip), %ymm15, %ymm15
1:
	// Load the general-register patterns.
	movabsq	$0x0101010101010101, %rax
	movabsq	$0x0202020202020202, %rbx
	movabsq	$0x0303030303030303, %rcx
	movabsq	$0x0404040404040404, %rdx
	movabsq	$0x0505050505050505, %rsi
	movabsq	$0x0606060606060606, %rdi
	movabsq	$0x0707070707070707, %rbp
	movabsq	$0x0808080808080808, %r8
	movabsq	$0x0909090909090909, %r9
	movabsq	$0x0a0a0a0a0a0a0a0a, %r10
	movabsq	$0x0b0b0b0b0b0b0b0b, %r11
	movabsq	$0x0c0c0c0c0c0c0c0c, %r12
	movabsq	$0x0d0d0d0d0d0d0d0d, %r13
	movabsq	$0x0e0e0e0e0e0e0e0e, %r14
	movabsq	$0x0f0f0f0f0f0f0f0f, %r15

	// Spin, using no register, until told to stop.
.Lloop:
	pause
	cmpl	$0, preemptTestStop(%rip)
	je	.Lloop

	// Store every register for the C++ side to check.
	movq	%rax, preemptTestOut+0(%rip)
	movq	%rbx, preemptTestOut+8(%rip)
	movq	%rcx, preemptTestOut+16(%rip)
	movq	%rdx, preemptTestOut+24(%rip)
	movq	%rsi, preemptTestOut+32(%rip)
	movq	%rdi, preemptTestOut+40(%rip)
	movq	%rbp, preemptTestOut+48(%rip)
	movq	%r8, preemptTestOut+56(%rip)
	movq	%r9, preemptTestOut+64(%rip)
	movq	%r10, preemptTestOut+72(%rip)
	movq	%r11, preemptTestOut+80(%rip)
	movq	%r12, preemptTestOut+88(%rip)
	movq	%r13, preemptTestOut+96(%rip)
	movq	%r14, preemptTestOut+104(%rip)
	movq	%r15, preemptTestOut+112(%rip)
	movdqu	%xmm0, preemptTestOutXmm+0(%rip)
	movdqu	%xmm1, preemptTestOutXmm+16(%rip)
	movdqu	%xmm2, preemptTestOutXmm+32(%rip)
	movdqu	%xmm3, preemptTestOutXmm+48(%rip)
	movdqu	%xmm4, preemptTestOutXmm+64(%rip)
	movdqu	%xmm5, preemptTestOutXmm+80(%rip)
	movdqu	%xmm6, preemptTestOutXmm+96(%rip)
	movdqu	%xmm7, preemptTestOutXmm+112(%rip)
	movdqu	%xmm8, preemptTestOutXmm+128(%rip)
	movdqu	%xmm9, preemptTestOutXmm+144(%rip)
	movdqu	%xmm10, preemptTestOutXmm+160(%rip)
	movdqu	%xmm11, preemptTestOutXmm+176(%rip)
	movdqu	%xmm12, preemptTestOutXmm+192(%rip)
	movdqu	%xmm13, preemptTestOutXmm+208(%rip)
	movdqu	%xmm14, preemptTestOutXmm+224(%rip)
	movdqu	%xmm15, preemptTestOutXmm+240(%rip)
	cmpl	$0, preemptTestWithAVX(%rip)
	je	2f
	vextractf128 $1, %ymm0, preemptTestOutYmmHi+0(%rip)
	vextractf128 $1, %ymm1, preemptTestOutYmmHi+16(%rip)
	vextractf128 $1, %ymm2, preemptTestOutYmmHi+32(%rip)
	vextractf128 $1, %ymm3, preemptTestOutYmmHi+48(%rip)
	vextractf128 $1, %ymm4, preemptTestOutYmmHi+64(%rip)
	vextractf128 $1, %ymm5, preemptTestOutYmmHi+80(%rip)
	vextractf128 $1, %ymm6, preemptTestOutYmmHi+96(%rip)
	vextractf128 $1, %ymm7, preemptTestOutYmmHi+112(%rip)
	vextractf128 $1, %ymm8, preemptTestOutYmmHi+128(%rip)
	vextractf128 $1, %ymm9, preemptTestOutYmmHi+144(%rip)
	vextractf128 $1, %ymm10, preemptTestOutYmmHi+160(%rip)
	vextractf128 $1, %ymm11, preemptTestOutYmmHi+176(%rip)
	vextractf128 $1, %ymm12, preemptTestOutYmmHi+192(%rip)
	vextractf128 $1, %ymm13, preemptTestOutYmmHi+208(%rip)
	vextractf128 $1, %ymm14, preemptTestOutYmmHi+224(%rip)
	vextractf128 $1, %ymm15, preemptTestOutYmmHi+240(%rip)
	vzeroupper
2:
	// Restore the callee-saved registers and return 0.
	popq	%r15
	.cfi_adjust_cfa_offset -8
	.cfi_restore r15
	popq	%r14
	.cfi_adjust_cfa_offset -8
	.cfi_restore r14
	popq	%r13
	.cfi_adjust_cfa_offset -8
	.cfi_restore r13
	popq	%r12
	.cfi_adjust_cfa_offset -8
	.cfi_restore r12
	popq	%rbx
	.cfi_adjust_cfa_offset -8
	.cfi_restore rbx
	popq	%rbp
	.cfi_adjust_cfa_offset -8
	.cfi_restore rbp
	xorl	%eax, %eax
	ret
	.cfi_endproc
	.size	preemptRegisterLoop, .-preemptRegisterLoop

	.section .note.GNU-stack, "", @progbits
