// asm_test_helpers.S — arm64 helpers for tests/asm_test.cpp (AAPCS64,
// ELF). Same routines, order and comments as the amd64 file.
//
// Contents: asmtest_callee_saved_across_gosched (loads patterns into every
// callee-saved register, yields, checks them), asmtest_entry_probe (a
// goroutine entry that records sp before any compiler prologue), and
// asmtest_getsp.
//
// Callee-saved set checked (bit i of the mismatch mask = want[i]):
//   0-10  x19-x29
//   11-18 d8-d15 (as 64-bit patterns)
//   19    FPCR rounding mode (RMode, bits 22-23; the whole FPCR must come
//         back)

// The frame of asmtest_callee_saved_across_gosched (lowest address first):
//   offset  size  holds
//   0       16    the caller's x29, x30
//   16      80    the caller's x19-x28
//   96      64    the caller's d8-d15
//   160     8     want
//   168     8     step
//   176     4     until (+4 padding)
//   184     8     gosched
//   192     8     the caller's FPCR
//   200     8     the FPCR installed here
#define F_x29 0
#define F_x19 16
#define F_x21 32
#define F_x23 48
#define F_x25 64
#define F_x27 80
#define F_d8 96
#define F_d10 112
#define F_d12 128
#define F_d14 144
#define F_want 160
#define F_step 168
#define F_until 176
#define F_gosched 184
#define F_fpcr0 192
#define F_fpcrw 200
#define F_size 208

// want[] indices of the patterns and of the rounding mode.
#define W_x19 0
#define W_d8 11
#define W_mode1 19
// FPCR.RMode: field and position.
#define FPCR_RMODE 0xc00000
#define FPCR_RMODE_SHIFT 22

// check reg, bit: mask (x0) |= (reg != want[bit]) << bit. want in x9.
// Smashes x10, x11.
.macro check reg, bit
	ldr	x10, [x9, #(\bit*8)]
	cmp	\reg, x10
	cset	x11, ne
	orr	x0, x0, x11, lsl #\bit
.endm

// checkd dreg, bit: the same for a d register. Smashes x10-x12.
.macro checkd dreg, bit
	fmov	x12, \dreg
	check	x12, \bit
.endm

	.text

// uint64_t asmtest_callee_saved_across_gosched(const uint64_t *want,
//     int *step, int until, void (*gosched)(void))
// Loads want[] into every callee-saved register and installs the
// rounding mode want[W_mode1]; then ++*step and calls gosched() until
// *step >= until (at least once); then returns the mask of registers that
// no longer hold what was loaded. Restores the caller's registers and
// rounding mode. Two goroutines running it with different want[] scribble
// over each other's registers at every switch.
// On entry: x0 = want, x1 = step, w2 = until, x3 = gosched.
	.globl	asmtest_callee_saved_across_gosched
	.type	asmtest_callee_saved_across_gosched, %function
	.p2align 4
asmtest_callee_saved_across_gosched:
	.cfi_startproc
	// Save the caller's callee-saved registers; make the frame.
	stp	x29, x30, [sp, #-F_size]!
	.cfi_adjust_cfa_offset F_size
	.cfi_rel_offset x29, 0
	.cfi_rel_offset x30, 8
	stp	x19, x20, [sp, #F_x19]
	.cfi_rel_offset x19, F_x19
	.cfi_rel_offset x20, F_x19+8
	stp	x21, x22, [sp, #F_x21]
	.cfi_rel_offset x21, F_x21
	.cfi_rel_offset x22, F_x21+8
	stp	x23, x24, [sp, #F_x23]
	.cfi_rel_offset x23, F_x23
	.cfi_rel_offset x24, F_x23+8
	stp	x25, x26, [sp, #F_x25]
	.cfi_rel_offset x25, F_x25
	.cfi_rel_offset x26, F_x25+8
	stp	x27, x28, [sp, #F_x27]
	.cfi_rel_offset x27, F_x27
	.cfi_rel_offset x28, F_x27+8
	stp	d8, d9, [sp, #F_d8]
	.cfi_rel_offset d8, F_d8
	.cfi_rel_offset d9, F_d8+8
	stp	d10, d11, [sp, #F_d10]
	.cfi_rel_offset d10, F_d10
	.cfi_rel_offset d11, F_d10+8
	stp	d12, d13, [sp, #F_d12]
	.cfi_rel_offset d12, F_d12
	.cfi_rel_offset d13, F_d12+8
	stp	d14, d15, [sp, #F_d14]
	.cfi_rel_offset d14, F_d14
	.cfi_rel_offset d15, F_d14+8
	str	x0, [sp, #F_want]
	str	x1, [sp, #F_step]
	str	w2, [sp, #F_until]
	str	x3, [sp, #F_gosched]

	// Install the wanted rounding mode, keeping the caller's.
	mrs	x9, fpcr
	str	x9, [sp, #F_fpcr0]
	ldr	x10, [x0, #(W_mode1*8)]
	and	x9, x9, #~FPCR_RMODE
	orr	x9, x9, x10, lsl #FPCR_RMODE_SHIFT
	str	x9, [sp, #F_fpcrw]
	msr	fpcr, x9

	// Load the patterns into the callee-saved registers.
	ldp	x19, x20, [x0, #((W_x19+0)*8)]
	ldp	x21, x22, [x0, #((W_x19+2)*8)]
	ldp	x23, x24, [x0, #((W_x19+4)*8)]
	ldp	x25, x26, [x0, #((W_x19+6)*8)]
	ldp	x27, x28, [x0, #((W_x19+8)*8)]
	ldr	x29, [x0, #((W_x19+10)*8)]
	ldp	d8, d9, [x0, #((W_d8+0)*8)]
	ldp	d10, d11, [x0, #((W_d8+2)*8)]
	ldp	d12, d13, [x0, #((W_d8+4)*8)]
	ldp	d14, d15, [x0, #((W_d8+6)*8)]

	// ++*step: the patterns are live.
	ldr	x9, [sp, #F_step]
	ldr	w10, [x9]
	add	w10, w10, #1
	str	w10, [x9]

	// Yield until *step >= until.
.Lacs_yield:
	ldr	x9, [sp, #F_gosched]
	blr	x9
	ldr	x9, [sp, #F_step]
	ldr	w9, [x9]
	ldr	w10, [sp, #F_until]
	cmp	w9, w10
	b.lt	.Lacs_yield

	// Compare every register with what was loaded.
	ldr	x9, [sp, #F_want]
	mov	x0, #0				// x0 = mismatch mask
	check	x19, 0
	check	x20, 1
	check	x21, 2
	check	x22, 3
	check	x23, 4
	check	x24, 5
	check	x25, 6
	check	x26, 7
	check	x27, 8
	check	x28, 9
	check	x29, 10
	checkd	d8, 11
	checkd	d9, 12
	checkd	d10, 13
	checkd	d11, 14
	checkd	d12, 15
	checkd	d13, 16
	checkd	d14, 17
	checkd	d15, 18
	mrs	x12, fpcr
	ldr	x10, [sp, #F_fpcrw]
	cmp	x12, x10
	cset	x11, ne
	orr	x0, x0, x11, lsl #W_mode1

	// Restore the caller's rounding mode and registers; return the mask.
	ldr	x9, [sp, #F_fpcr0]
	msr	fpcr, x9
	ldp	d14, d15, [sp, #F_d14]
	.cfi_restore d14
	.cfi_restore d15
	ldp	d12, d13, [sp, #F_d12]
	.cfi_restore d12
	.cfi_restore d13
	ldp	d10, d11, [sp, #F_d10]
	.cfi_restore d10
	.cfi_restore d11
	ldp	d8, d9, [sp, #F_d8]
	.cfi_restore d8
	.cfi_restore d9
	ldp	x27, x28, [sp, #F_x27]
	.cfi_restore x27
	.cfi_restore x28
	ldp	x25, x26, [sp, #F_x25]
	.cfi_restore x25
	.cfi_restore x26
	ldp	x23, x24, [sp, #F_x23]
	.cfi_restore x23
	.cfi_restore x24
	ldp	x21, x22, [sp, #F_x21]
	.cfi_restore x21
	.cfi_restore x22
	ldp	x19, x20, [sp, #F_x19]
	.cfi_restore x19
	.cfi_restore x20
	ldp	x29, x30, [sp], #F_size
	.cfi_adjust_cfa_offset -F_size
	.cfi_restore x29
	.cfi_restore x30
	ret
	.cfi_endproc
	.size	asmtest_callee_saved_across_gosched, .-asmtest_callee_saved_across_gosched

// void asmtest_entry_probe(funcval *fv)
// A goroutine entry (funcval.fn) with no compiler prologue in front:
// records sp exactly as gogo left it in asmtest_entry_sp, then tail-calls
// asmtest_entry_body(fv), which returns into goexit.
// On entry: x0 = fv, x30 = goexit+PCQuantum.
	.globl	asmtest_entry_probe
	.type	asmtest_entry_probe, %function
	.p2align 4
asmtest_entry_probe:
	.cfi_startproc
	// Record sp at entry.
	mov	x9, sp
	adrp	x10, asmtest_entry_sp
	str	x9, [x10, #:lo12:asmtest_entry_sp]
	// Tail call asmtest_entry_body(fv).
	b	asmtest_entry_body
	.cfi_endproc
	.size	asmtest_entry_probe, .-asmtest_entry_probe

// uintptr_t asmtest_getsp(void)
// Returns the caller's sp (its value just before the call).
	.globl	asmtest_getsp
	.type	asmtest_getsp, %function
	.p2align 4
asmtest_getsp:
	.cfi_startproc
	// A bl pushes nothing: sp is the caller's.
	mov	x0, sp
	ret
	.cfi_endproc
	.size	asmtest_getsp, .-asmtest_getsp

	.section .note.GNU-stack, "", %progbits
