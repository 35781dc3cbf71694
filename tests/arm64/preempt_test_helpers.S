// preempt_test_helpers.S — a loop that keeps known values in every
// register, for the asynchronous preemption tests (tests/preempt_test.cpp).
//
// uint64_t preemptRegisterLoop(int unused)
// Loads preemptTestX[n] into xn for every n but x16/x17 (the loop's own
// scratch: the flag's address and value), preemptTestV into v0-v31 (all
// 128 bits), spins until preemptTestStop becomes nonzero, then stores
// every register into preemptTestOut / preemptTestOutV for the C++ side to
// compare. The loop touches no other register: preemption may land on any
// of its instructions. Returns 0. Clobbers: caller-saved registers.

	.text
	.globl	preemptRegisterLoop
	.type	preemptRegisterLoop, %function
	.p2align 4
preemptRegisterLoop:
	.cfi_startproc
	// Save the callee-saved registers the loop overwrites: x19-x30, d8-d15.
	sub	sp, sp, #160
	.cfi_def_cfa_offset 160
	stp	x29, x30, [sp, #0]
	.cfi_offset x29, -160
	.cfi_offset x30, -152
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	.cfi_offset x19, -144
	.cfi_offset x20, -136
	.cfi_offset x21, -128
	.cfi_offset x22, -120
	.cfi_offset x23, -112
	.cfi_offset x24, -104
	.cfi_offset x25, -96
	.cfi_offset x26, -88
	.cfi_offset x27, -80
	.cfi_offset x28, -72
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]

	// Load the vector patterns.
	adrp	x16, preemptTestV
	add	x16, x16, :lo12:preemptTestV
	ld1	{v0.16b, v1.16b, v2.16b, v3.16b}, [x16], #64
	ld1	{v4.16b, v5.16b, v6.16b, v7.16b}, [x16], #64
	ld1	{v8.16b, v9.16b, v10.16b, v11.16b}, [x16], #64
	ld1	{v12.16b, v13.16b, v14.16b, v15.16b}, [x16], #64
	ld1	{v16.16b, v17.16b, v18.16b, v19.16b}, [x16], #64
	ld1	{v20.16b, v21.16b, v22.16b, v23.16b}, [x16], #64
	ld1	{v24.16b, v25.16b, v26.16b, v27.16b}, [x16], #64
	ld1	{v28.16b, v29.16b, v30.16b, v31.16b}, [x16], #64

	// Load the general-register patterns (xn = preemptTestX[n]).
	adrp	x16, preemptTestX
	add	x16, x16, :lo12:preemptTestX
	ldp	x0, x1, [x16, #0]
	ldp	x2, x3, [x16, #16]
	ldp	x4, x5, [x16, #32]
	ldp	x6, x7, [x16, #48]
	ldp	x8, x9, [x16, #64]
	ldp	x10, x11, [x16, #80]
	ldp	x12, x13, [x16, #96]
	ldp	x14, x15, [x16, #112]
	ldr	x18, [x16, #144]
	ldp	x19, x20, [x16, #152]
	ldp	x21, x22, [x16, #168]
	ldp	x23, x24, [x16, #184]
	ldp	x25, x26, [x16, #200]
	ldp	x27, x28, [x16, #216]
	ldp	x29, x30, [x16, #232]

	// Spin until told to stop, with only x16/x17.
1:	adrp	x16, preemptTestStop
	ldr	w17, [x16, :lo12:preemptTestStop]
	cbz	w17, 1b

	// Store every register for the comparison.
	adrp	x16, preemptTestOut
	add	x16, x16, :lo12:preemptTestOut
	stp	x0, x1, [x16, #0]
	stp	x2, x3, [x16, #16]
	stp	x4, x5, [x16, #32]
	stp	x6, x7, [x16, #48]
	stp	x8, x9, [x16, #64]
	stp	x10, x11, [x16, #80]
	stp	x12, x13, [x16, #96]
	stp	x14, x15, [x16, #112]
	str	x18, [x16, #144]
	stp	x19, x20, [x16, #152]
	stp	x21, x22, [x16, #168]
	stp	x23, x24, [x16, #184]
	stp	x25, x26, [x16, #200]
	stp	x27, x28, [x16, #216]
	stp	x29, x30, [x16, #232]
	adrp	x16, preemptTestOutV
	add	x16, x16, :lo12:preemptTestOutV
	st1	{v0.16b, v1.16b, v2.16b, v3.16b}, [x16], #64
	st1	{v4.16b, v5.16b, v6.16b, v7.16b}, [x16], #64
	st1	{v8.16b, v9.16b, v10.16b, v11.16b}, [x16], #64
	st1	{v12.16b, v13.16b, v14.16b, v15.16b}, [x16], #64
	st1	{v16.16b, v17.16b, v18.16b, v19.16b}, [x16], #64
	st1	{v20.16b, v21.16b, v22.16b, v23.16b}, [x16], #64
	st1	{v24.16b, v25.16b, v26.16b, v27.16b}, [x16], #64
	st1	{v28.16b, v29.16b, v30.16b, v31.16b}, [x16], #64

	// Restore the callee-saved registers and return 0.
	ldp	d14, d15, [sp, #144]
	ldp	d12, d13, [sp, #128]
	ldp	d10, d11, [sp, #112]
	ldp	d8, d9, [sp, #96]
	ldp	x27, x28, [sp, #80]
	ldp	x25, x26, [sp, #64]
	ldp	x23, x24, [sp, #48]
	ldp	x21, x22, [sp, #32]
	ldp	x19, x20, [sp, #16]
	ldp	x29, x30, [sp, #0]
	add	sp, sp, #160
	.cfi_def_cfa_offset 0
	mov	x0, #0
	ret
	.cfi_endproc
	.size	preemptRegisterLoop, .-preemptRegisterLoop

	.section .note.GNU-stack,"",%progbits
