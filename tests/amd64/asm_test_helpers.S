// asm_test_helpers.S — amd64 helpers for tests/asm_test.cpp (System V
// x86-64, ELF). Same routines, order and comments as the arm64 file.
//
// Contents: asmtest_callee_saved_across_gosched (loads patterns into every
// callee-saved register, yields, checks them), asmtest_entry_probe (a
// goroutine entry that records sp before any compiler prologue), and
// asmtest_getsp.
//
// Callee-saved set checked (bit i of the mismatch mask = want[i]):
//   0 rbx  1 rbp  2 r12  3 r13  4 r14  5 r15
//   6 MXCSR rounding control (bits 13-14; the other control bits must
//     come back too, the status flags 0-5 are ignored)
//   7 x87 control word rounding control (bits 10-11; the whole word must
//     come back)

// The frame of asmtest_callee_saved_across_gosched, below the six pushed
// registers (lowest address first):
//   offset  size  holds
//   0       8     want
//   8       8     step
//   16      4     until
//   24      8     gosched
//   32      4     the caller's MXCSR
//   36      4     the MXCSR installed here
//   40      2     the caller's x87 control word
//   42      2     the x87 control word installed here
//   44      4     scratch for reading MXCSR / the control word back
//   48      8     padding (rsp stays 16-byte aligned at the call)
#define F_want 0
#define F_step 8
#define F_until 16
#define F_gosched 24
#define F_mxcsr0 32
#define F_mxcsrw 36
#define F_fpcw0 40
#define F_fpcww 42
#define F_scratch 44
#define F_size 56

// want[] indices of the rounding modes.
#define W_mode1 6
#define W_mode2 7
// MXCSR.RC and x87 CW.RC: fields and positions; MXCSR bits 0-5 are the
// sticky exception flags, not control.
#define MXCSR_RC 0x6000
#define MXCSR_RC_SHIFT 13
#define MXCSR_FLAGS 0x3f
#define FPCW_RC 0x0c00
#define FPCW_RC_SHIFT 10

// check reg, bit: mask (rax) |= (reg != want[bit]) << bit. want in rdi.
// Smashes rcx.
.macro check reg, bit
	cmpq	(\bit*8)(%rdi), \reg
	setne	%cl
	movzbl	%cl, %ecx
	shlq	$\bit, %rcx
	orq	%rcx, %rax
.endm

	.text

// uint64_t asmtest_callee_saved_across_gosched(const uint64_t *want,
//     int *step, int until, void (*gosched)(void))
// Loads want[] into every callee-saved register and installs the
// rounding modes want[W_mode1], want[W_mode2]; then ++*step and calls
// gosched() until *step >= until (at least once); then returns the mask
// of registers that no longer hold what was loaded. Restores the
// caller's registers and rounding modes. Two goroutines running it with
// different want[] scribble over each other's registers at every switch.
// On entry: rdi = want, rsi = step, edx = until, rcx = gosched.
	.globl	asmtest_callee_saved_across_gosched
	.type	asmtest_callee_saved_across_gosched, @function
	.p2align 4
asmtest_callee_saved_across_gosched:
	.cfi_startproc
	// Save the caller's callee-saved registers; make the frame.
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
	subq	$F_size, %rsp
	.cfi_adjust_cfa_offset F_size
	movq	%rdi, F_want(%rsp)
	movq	%rsi, F_step(%rsp)
	movl	%edx, F_until(%rsp)
	movq	%rcx, F_gosched(%rsp)

	// Install the wanted rounding modes, keeping the caller's.
	stmxcsr	F_mxcsr0(%rsp)
	movl	F_mxcsr0(%rsp), %eax
	andl	$~MXCSR_RC, %eax
	movl	(W_mode1*8)(%rdi), %ecx
	shll	$MXCSR_RC_SHIFT, %ecx
	orl	%ecx, %eax
	movl	%eax, F_mxcsrw(%rsp)
	ldmxcsr	F_mxcsrw(%rsp)
	fnstcw	F_fpcw0(%rsp)
	movzwl	F_fpcw0(%rsp), %eax
	andl	$~FPCW_RC, %eax
	movl	(W_mode2*8)(%rdi), %ecx
	shll	$FPCW_RC_SHIFT, %ecx
	orl	%ecx, %eax
	movw	%ax, F_fpcww(%rsp)
	fldcw	F_fpcww(%rsp)

	// Load the patterns into the callee-saved registers.
	movq	0(%rdi), %rbx
	movq	8(%rdi), %rbp
	movq	16(%rdi), %r12
	movq	24(%rdi), %r13
	movq	32(%rdi), %r14
	movq	40(%rdi), %r15

	// ++*step: the patterns are live.
	movq	F_step(%rsp), %rax
	incl	(%rax)

	// Yield until *step >= until.
.Lacs_yield:
	call	*F_gosched(%rsp)
	movq	F_step(%rsp), %rax
	movl	(%rax), %eax
	cmpl	F_until(%rsp), %eax
	jl	.Lacs_yield

	// Compare every register with what was loaded.
	movq	F_want(%rsp), %rdi
	xorl	%eax, %eax			// rax = mismatch mask
	check	%rbx, 0
	check	%rbp, 1
	check	%r12, 2
	check	%r13, 3
	check	%r14, 4
	check	%r15, 5
	stmxcsr	F_scratch(%rsp)
	movl	F_scratch(%rsp), %ecx
	xorl	F_mxcsrw(%rsp), %ecx
	andl	$~MXCSR_FLAGS, %ecx
	setnz	%cl
	movzbl	%cl, %ecx
	shlq	$W_mode1, %rcx
	orq	%rcx, %rax
	fnstcw	F_scratch(%rsp)
	movzwl	F_scratch(%rsp), %ecx
	cmpw	F_fpcww(%rsp), %cx
	setne	%cl
	movzbl	%cl, %ecx
	shlq	$W_mode2, %rcx
	orq	%rcx, %rax

	// Restore the caller's rounding modes and registers; return the mask.
	ldmxcsr	F_mxcsr0(%rsp)
	fldcw	F_fpcw0(%rsp)
	addq	$F_size, %rsp
	.cfi_adjust_cfa_offset -F_size
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
	ret
	.cfi_endproc
	.size	asmtest_callee_saved_across_gosched, .-asmtest_callee_saved_across_gosched

// void asmtest_entry_probe(funcval *fv)
// A goroutine entry (funcval.fn) with no compiler prologue in front:
// records sp exactly as gogo left it in asmtest_entry_sp, then tail-calls
// asmtest_entry_body(fv), which returns into goexit.
// On entry: rdi = fv, 0(rsp) = goexit+PCQuantum.
	.globl	asmtest_entry_probe
	.type	asmtest_entry_probe, @function
	.p2align 4
asmtest_entry_probe:
	.cfi_startproc
	// Record sp at entry.
	movq	%rsp, asmtest_entry_sp(%rip)
	// Tail call asmtest_entry_body(fv).
	jmp	asmtest_entry_body@PLT
	.cfi_endproc
	.size	asmtest_entry_probe, .-asmtest_entry_probe

// uintptr_t asmtest_getsp(void)
// Returns the caller's sp (its value just before the call).
	.globl	asmtest_getsp
	.type	asmtest_getsp, @function
	.p2align 4
asmtest_getsp:
	.cfi_startproc
	// Skip the return address the call pushed.
	leaq	8(%rsp), %rax
	ret
	.cfi_endproc
	.size	asmtest_getsp, .-asmtest_getsp

	.section .note.GNU-stack, "", @progbits
