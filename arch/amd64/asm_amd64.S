// asm_amd64.S — goroutine switching for amd64 (System V x86-64, ELF).
//
// Port of the switching routines of Go 1.19 src/runtime/asm_amd64.s, in
// Go's order: mstart, gogo, mcall, systemstack (and gort's
// systemstack_switch), goexit.
//
// ABI: the callers are C++ (System V). Go's own ABI has no callee-saved
// registers, so Go's gogo/mcall save only sp, pc and bp. C++ callers expect
// rbx, rbp, r12-r15, the MXCSR control bits and the x87 control word to
// survive a call, so mcall pushes them on the goroutine's stack
// (mcallframe, asm_amd64.h) and parks the goroutine at .Lmcall_resume, which
// pops them. gobuf keeps Go's shape and gogo stays "load sp, jump to pc".
//
// Not saved anywhere, because the ABI makes them dead across a call: rax,
// rcx, rdx, rsi, rdi, r8-r11, xmm0-xmm15 (and the upper halves of ymm/zmm),
// the status flags. DF is clear at every call, as the ABI demands.
//
// The current g lives in the thread-local word tls_g (initial-exec TLS,
// reached through %fs); get_g/set_g below are the only accesses. mcall
// also keeps the thread's FP control state in tls_fpctl (asm_amd64.h).
//
// CFI: every routine has an FDE. Where a routine switches stacks, the CFA is
// re-expressed through a register that survives (systemstack: rbp) or the
// return address is marked undefined so unwinders stop (gogo, mcall after
// the switch). goexit and mstart are outermost frames (Go's TOPFRAME).

#include "asm_amd64.h"

// get_g reg, tmp: reg = this thread's current g. Smashes tmp.
.macro get_g reg, tmp
	movq	tls_g@gottpoff(%rip), \tmp
	movq	%fs:(\tmp), \reg
.endm

// fpctl_addr reg: reg = &tls_fpctl, this thread's FP control state as
// mcall last recorded it (asm_amd64.h: fpctl), as an offset from %fs:
// address its fields as %fs:fpctl_mxcsr(reg).
.macro fpctl_addr reg
	movq	tls_fpctl@gottpoff(%rip), \reg
.endm

// set_g reg, tmp: this thread's current g = reg. Smashes tmp.
.macro set_g reg, tmp
	movq	tls_g@gottpoff(%rip), \tmp
	movq	\reg, %fs:(\tmp)
.endm

	.text

// asm_amd64.s: mstart
// void mstart(void)
// The outermost frame of every M: calls mstart0, which never returns.
// On entry: rsp = the thread's stack (8 mod 16, as after a call).
// Never returns.
	.globl	mstart
	.type	mstart, @function
	.p2align 4
mstart:
	.cfi_startproc
	.cfi_undefined rip
	// Outermost frame: no caller to return to, no frame chain above.
	xorl	%ebp, %ebp
	// Align rsp to 16 for the call.
	subq	$8, %rsp
	.cfi_adjust_cfa_offset 8
	call	mstart0@PLT
	ud2
	.cfi_endproc
	.size	mstart, .-mstart

// asm_amd64.s: gogo
// void gogo(gobuf *buf)
// Restore state from gobuf; longjmp.
// On entry: rdi = buf.
// Clobbers: everything; the registers the target needs are restored by the
// code at buf.pc (.Lmcall_resume for a parked g, the entry for a new g).
// Never returns.
	.globl	gogo
	.type	gogo, @function
	.p2align 4
gogo:
	.cfi_startproc
	// Load buf.g and touch it, so a nil g faults here and not later.
	movq	gobuf_g(%rdi), %rdx		// rdx = gp
	movq	0(%rdx), %rcx
	// Install gp as the current g.
	set_g	%rdx, %rcx
	// Switch to gp's stack and frame pointer; from here the caller's
	// frame is unreachable, so unwinding stops.
	movq	gobuf_sp(%rdi), %rsp
	.cfi_undefined rip
	movq	gobuf_bp(%rdi), %rbp
	// Take pc and ctxt, and clear the buffer (Go: GC hygiene; gort: a
	// running g has sched.sp == 0, which tracebacks and asserts rely on).
	movq	gobuf_pc(%rdi), %rax		// rax = resume pc
	movq	$0, gobuf_sp(%rdi)
	movq	$0, gobuf_ret(%rdi)
	movq	$0, gobuf_bp(%rdi)
	movq	gobuf_ctxt(%rdi), %rdx		// rdx = ctxt
	movq	$0, gobuf_ctxt(%rdi)
	// Pass ctxt as the first argument and jump: an indirect jmp, not a
	// ret, so the return predictor is not consulted across the switch.
	movq	%rdx, %rdi
	jmp	*%rax
	.cfi_endproc
	.size	gogo, .-gogo

// asm_amd64.s: mcall
// void mcall(void (*fn)(g *))
// Switch to m->g0's stack, call fn(g). fn must never return. It should
// gogo(&g->sched) to keep running g.
// On entry: rdi = fn, 0(rsp) = return address into the caller, on g's stack.
// Clobbers: the caller-saved registers; the callee-saved ones come back
// intact when g is resumed.
	.globl	mcall
	.type	mcall, @function
	.p2align 4
mcall:
	.cfi_startproc
	// Save the callee-saved registers on g's stack (mcallframe).
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
	subq	$8, %rsp
	.cfi_adjust_cfa_offset 8
	stmxcsr	mcallframe_mxcsr(%rsp)
	fnstcw	mcallframe_fpcw(%rsp)
	// Record them as this thread's FP control state (tls_fpctl), which
	// .Lmcall_resume compares the next goroutine's against.
	fpctl_addr %rcx				// rcx = &tls_fpctl, %fs-relative
	movl	mcallframe_mxcsr(%rsp), %edx
	movl	%edx, %fs:fpctl_mxcsr(%rcx)
	movzwl	mcallframe_fpcw(%rsp), %edx
	movw	%dx, %fs:fpctl_fpcw(%rcx)
	// This is the frame a parked g unwinds through (see .Lmcall_resume).
	.cfi_remember_state

	// Save state in g->sched: resume at .Lmcall_resume with this sp.
	get_g	%rax, %rcx			// rax = g
	movq	%rsp, (g_sched+gobuf_sp)(%rax)
	leaq	.Lmcall_resume(%rip), %rcx
	movq	%rcx, (g_sched+gobuf_pc)(%rax)
	movq	%rbp, (g_sched+gobuf_bp)(%rax)

	// Switch to m->g0; mcall on g0 is a fatal misuse.
	movq	g_m(%rax), %rbx			// rbx = m
	movq	m_g0(%rbx), %rsi		// rsi = m->g0
	cmpq	%rsi, %rax
	je	.Lmcall_badmcall
	set_g	%rsi, %rcx
	// Switch to g0's stack: the top saved by mstart1, 16-byte aligned.
	// The goroutine's frame is now unreachable from rsp: stop unwinding.
	movq	(g_sched+gobuf_sp)(%rsi), %rsp
	.cfi_undefined rip
	xorl	%ebp, %ebp

	// Call fn(g).
	movq	%rdi, %rdx			// rdx = fn
	movq	%rax, %rdi			// rdi = g
	call	*%rdx

	// fn returned: fatal.
	get_g	%rdi, %rcx
	call	badmcall2@PLT
	ud2

	.cfi_restore_state
	// mcall on g0: still on the caller's stack with the full frame, so
	// the fatal traceback walks on into mcall's caller.
.Lmcall_badmcall:
	movq	%rax, %rdi
	call	badmcall@PLT
	ud2

	// One byte under the remembered frame state before the resume point:
	// unwinders look up pc-1 for a caller's frame, and a parked g's saved
	// pc (.Lmcall_resume) must find this FDE's full frame there too.
	nop
	// gogo(&g->sched) lands here with rsp = g->sched.sp, on g's stack.
.Lmcall_resume:
	// Restore the callee-saved registers from the mcallframe.
	// gort: MXCSR and the x87 control word are written only when they
	// differ from this thread's (a goroutine that changed the rounding
	// mode ran meanwhile): ldmxcsr and fldcw serialize the FP pipeline,
	// and reading the registers again (stmxcsr/fnstcw) stalls the switch
	// as long; tls_fpctl, recorded by the mcall that left this thread for
	// g0, says what they hold (asm_amd64.h: fpctl).
	fpctl_addr %rcx				// rcx = &tls_fpctl, %fs-relative
	movl	mcallframe_mxcsr(%rsp), %eax	// eax = g's MXCSR
	cmpl	%fs:fpctl_mxcsr(%rcx), %eax
	je	.Lmcall_mxcsr_same
	ldmxcsr	mcallframe_mxcsr(%rsp)
	movl	%eax, %fs:fpctl_mxcsr(%rcx)
.Lmcall_mxcsr_same:
	movzwl	mcallframe_fpcw(%rsp), %eax	// eax = g's x87 control word
	cmpw	%fs:fpctl_fpcw(%rcx), %ax
	je	.Lmcall_fpcw_same
	fldcw	mcallframe_fpcw(%rsp)
	movw	%ax, %fs:fpctl_fpcw(%rcx)
.Lmcall_fpcw_same:
	addq	$8, %rsp
	.cfi_adjust_cfa_offset -8
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
	// Return to mcall's caller by an indirect jmp (see gogo).
	popq	%rcx
	.cfi_adjust_cfa_offset -8
	.cfi_register rip, rcx
	jmp	*%rcx
	.cfi_endproc
	.size	mcall, .-mcall

// asm_amd64.s: systemstack
// void systemstack(void (*fn)(void *), void *arg)
// Run fn(arg) on m->g0's stack and come back. On g0 or gsignal it is a
// plain (tail) call. Called from any other goroutine than m->curg it is
// fatal.
// On entry: rdi = fn, rsi = arg.
// Clobbers: the caller-saved registers (fn is a C function).
	.globl	systemstack
	.type	systemstack, @function
	.p2align 4
systemstack:
	.cfi_startproc
	get_g	%rax, %rcx			// rax = g
	movq	g_m(%rax), %rcx			// rcx = m
	// Already on a system stack (gsignal or g0)? Then just call fn.
	cmpq	m_gsignal(%rcx), %rax
	je	.Lsystemstack_noswitch
	movq	m_g0(%rcx), %rdx		// rdx = g0
	cmpq	%rdx, %rax
	je	.Lsystemstack_noswitch
	// Only m->curg may switch.
	cmpq	m_curg(%rcx), %rax
	jne	.Lsystemstack_bad

	// Make a frame on g's stack; rbp anchors the CFA across the switch
	// (fn preserves rbp), so unwinders walk from g0 back into g.
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset rbp, 0
	movq	%rsp, %rbp
	.cfi_def_cfa_register rbp
	pushq	%rbx
	.cfi_offset rbx, -24
	pushq	%r12
	.cfi_offset r12, -32
	movq	%rax, %rbx			// rbx = g, survives fn

	// Save state in g->sched (Go: gosave_systemstack_switch), so a
	// traceback of g taken meanwhile starts at .Lsystemstack_ret.
	movq	%rsp, (g_sched+gobuf_sp)(%rax)
	leaq	.Lsystemstack_ret(%rip), %rcx
	movq	%rcx, (g_sched+gobuf_pc)(%rax)
	movq	%rbp, (g_sched+gobuf_bp)(%rax)

	// Switch to g0 and its stack.
	set_g	%rdx, %rcx
	movq	(g_sched+gobuf_sp)(%rdx), %rsp

	// Call fn(arg), through systemstack_switch's frame on g0.
	movq	%rdi, %rax
	movq	%rsi, %rdi
	call	systemstack_switch
.Lsystemstack_ret:
	// Switch back to g and its stack.
	set_g	%rbx, %rcx
	movq	(g_sched+gobuf_sp)(%rbx), %rsp
	movq	$0, (g_sched+gobuf_sp)(%rbx)
	movq	$0, (g_sched+gobuf_pc)(%rbx)
	movq	$0, (g_sched+gobuf_bp)(%rbx)
	// Restore the frame and return.
	popq	%r12
	.cfi_restore r12
	popq	%rbx
	.cfi_restore rbx
	popq	%rbp
	.cfi_def_cfa rsp, 8
	.cfi_restore rbp
	ret

.Lsystemstack_noswitch:
	// Tail call fn(arg), leaving no frame of our own.
	movq	%rdi, %rax
	movq	%rsi, %rdi
	jmp	*%rax

.Lsystemstack_bad:
	// Align rsp to 16 for the call.
	subq	$8, %rsp
	.cfi_adjust_cfa_offset 8
	call	badsystemstack@PLT
	ud2
	.cfi_endproc
	.size	systemstack, .-systemstack

// gort-only: systemstack_switch
// void systemstack_switch(void (*fn)(void *) /* rax */, void *arg /* rdi */)
// systemstack calls fn through this frame, the outermost of g0's stack
// while fn runs. Its FDE is marked a signal frame (the S augmentation):
// gdb checks that every caller's frame lies outer to its callee's, but
// not across a signal frame, since a handler may run on another stack --
// as fn does here. So gdb's bt goes on from fn into systemstack and the
// goroutine instead of stopping at "previous frame inner to this frame".
// The S also tells unwinders that the caller's pc (.Lsystemstack_ret) is
// where it resumes, not a return address to back up from: either lies
// under the same CFI row of systemstack, so both unwind alike.
// On entry: rax = fn, rdi = arg; rsp = g0's sched.sp - 8.
// Clobbers: the caller-saved registers.
	.type	systemstack_switch, @function
	.p2align 4
systemstack_switch:
	.cfi_startproc
	.cfi_signal_frame
	// Align rsp to 16 for the call, and call fn(arg).
	subq	$8, %rsp
	.cfi_adjust_cfa_offset 8
	call	*%rax
	addq	$8, %rsp
	.cfi_adjust_cfa_offset -8
	ret
	.cfi_endproc
	.size	systemstack_switch, .-systemstack_switch

// asm_amd64.s: goexit
// void goexit(void)
// The top-most function running on a goroutine: gostartcall plants
// goexit+PCQuantum as the return address of the goroutine's entry, so
// when the entry returns it executes the call below.
// Never returns; never called directly.
	.globl	goexit
	.type	goexit, @function
	.p2align 4
goexit:
	.cfi_startproc
	// Outermost frame (Go's TOPFRAME): unwinders stop here.
	.cfi_undefined rip
	// goexit+0: a 1-byte nop, so that retpc-1 still lies inside goexit.
	nop
	// goexit+PCQuantum: finish the goroutine (rsp is 16-aligned here).
	call	goexit1@PLT
	ud2
	.cfi_endproc
	.size	goexit, .-goexit

// The gdb extension, as Go's linker adds it to every Go binary: an entry in
// .debug_gdb_scripts, here kind 4 (Python text) carrying the whole of
// tools/gdb/runtime-gdb.py, so gdb runs it from the program itself however
// the program was built or gort installed, once the program's directory
// is trusted (add-auto-load-safe-path; docs/14-gdb.md). GORT_GDB_SCRIPT_TEXT,
// the script's path at build time, comes from CMake; nothing of it stays
// in the object. "MS": mergeable strings, so the entry (one NUL-terminated
// string) appears once however many objects carry it.
#ifdef GORT_GDB_SCRIPT_TEXT
	.pushsection ".debug_gdb_scripts", "MS", @progbits, 1
	// kind 4, then the script's name: the text's first line
	.byte	4
	.ascii	"gort/runtime-gdb.py\n"
	// the script itself, and the NUL that ends the entry
	.incbin	GORT_GDB_SCRIPT_TEXT
	.byte	0
	.popsection
#endif

	.section .note.GNU-stack, "", @progbits
