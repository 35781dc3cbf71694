// asm_arm64.S — goroutine switching for arm64 (AAPCS64, ELF).
//
// Port of the switching routines of Go 1.19 src/runtime/asm_arm64.s, in
// Go's order: mstart, gogo, mcall, systemstack (and gort's
// systemstack_switch), goexit.
//
// ABI: the callers are C++ (AAPCS64). Go's own ABI has no callee-saved
// registers, so Go's gogo/mcall save only sp, pc, bp (x29) and lr. C++
// callers expect x19-x28, x29, d8-d15 and the FPCR control fields to
// survive a call, so mcall stores them with its return address (x30) on
// the goroutine's stack (mcallframe, asm_arm64.h) and parks the goroutine
// at .Lmcall_resume, which loads them back. gobuf keeps Go's shape and gogo
// stays "load sp, jump to pc".
//
// Not saved anywhere, because the ABI makes them dead across a call: x0-x18
// (x18, the platform register, is never touched), v0-v7 and v16-v31, the
// high 64 bits of v8-v15, NZCV, and FPSR (cumulative exception flags only).
//
// The current g lives in the thread-local word tls_g (initial-exec TLS,
// reached through tpidr_el0); get_g/set_g below are the only accesses. mcall
// also keeps the thread's FP control state in tls_fpctl (asm_arm64.h).
// Go keeps g in x28 and mirrors it to TLS; gort's x28 belongs to C++.
//
// CFI: every routine has an FDE. Where a routine switches stacks, the CFA is
// re-expressed through a register that survives (systemstack: x29) or the
// return address (x30) is marked undefined so unwinders stop (gogo, mcall
// after the switch). goexit and mstart are outermost frames (Go's TOPFRAME).
//
// Branches to a loaded pc use br, never ret: a ret would consult the return
// stack predictor, which is wrong after every switch (DESIGN §5). No
// BTI/PAC: these objects carry no GNU property note, so the executable is not
// marked for branch protection and br may land on any instruction.

#include "asm_arm64.h"

// get_g reg, tmp: reg = this thread's current g. Smashes tmp.
.macro get_g reg, tmp
	mrs	\tmp, tpidr_el0
	adrp	\reg, :gottprel:tls_g
	ldr	\reg, [\reg, #:gottprel_lo12:tls_g]
	ldr	\reg, [\tmp, \reg]
.endm

// fpctl_addr reg, tmp: reg = &tls_fpctl, this thread's FP control state
// as mcall last recorded it (asm_arm64.h: fpctl). Smashes tmp.
.macro fpctl_addr reg, tmp
	mrs	\tmp, tpidr_el0
	adrp	\reg, :gottprel:tls_fpctl
	ldr	\reg, [\reg, #:gottprel_lo12:tls_fpctl]
	add	\reg, \tmp, \reg
.endm

// set_g reg, tmp, tmp2: this thread's current g = reg. Smashes tmp, tmp2
// (arm64 needs the thread pointer and the offset in two registers).
.macro set_g reg, tmp, tmp2
	mrs	\tmp, tpidr_el0
	adrp	\tmp2, :gottprel:tls_g
	ldr	\tmp2, [\tmp2, #:gottprel_lo12:tls_g]
	str	\reg, [\tmp, \tmp2]
.endm

	.text

// asm_arm64.s: mstart
// void mstart(void)
// The outermost frame of every M: calls mstart0, which never returns.
// On entry: sp = the thread's stack (16-byte aligned, as always on arm64).
// Never returns.
	.globl	mstart
	.type	mstart, %function
	.p2align 4
mstart:
	.cfi_startproc
	.cfi_undefined x30
	// Outermost frame: no caller to return to, no frame chain above.
	mov	x29, #0
	bl	mstart0
	brk	#0
	.cfi_endproc
	.size	mstart, .-mstart

// asm_arm64.s: gogo
// void gogo(gobuf *buf)
// Restore state from gobuf; longjmp.
// On entry: x0 = buf.
// Clobbers: everything; the registers the target needs are restored by the
// code at buf.pc (.Lmcall_resume for a parked g, the entry for a new g).
// Never returns.
	.globl	gogo
	.type	gogo, %function
	.p2align 4
gogo:
	.cfi_startproc
	// Load buf.g and touch it, so a nil g faults here and not later.
	ldr	x1, [x0, #gobuf_g]		// x1 = gp
	ldr	x2, [x1]
	// Install gp as the current g.
	set_g	x1, x2, x3
	// Switch to gp's stack, frame pointer and link register; from here
	// the caller's frame is unreachable, so unwinding stops.
	ldr	x2, [x0, #gobuf_sp]
	mov	sp, x2
	.cfi_undefined x30
	ldr	x29, [x0, #gobuf_bp]
	ldr	x30, [x0, #gobuf_lr]		// x30 = goexit+PCQuantum for a new g
	// Take pc and ctxt, and clear the buffer (Go: GC hygiene; gort: a
	// running g has sched.sp == 0, which tracebacks and asserts rely on).
	ldr	x9, [x0, #gobuf_pc]		// x9 = resume pc
	str	xzr, [x0, #gobuf_sp]
	str	xzr, [x0, #gobuf_ret]
	str	xzr, [x0, #gobuf_bp]
	str	xzr, [x0, #gobuf_lr]
	ldr	x2, [x0, #gobuf_ctxt]		// x2 = ctxt
	str	xzr, [x0, #gobuf_ctxt]
	// Pass ctxt as the first argument and jump: an indirect br, not a
	// ret, so the return predictor is not consulted across the switch.
	mov	x0, x2
	br	x9
	.cfi_endproc
	.size	gogo, .-gogo

// asm_arm64.s: mcall
// void mcall(void (*fn)(g *))
// Switch to m->g0's stack, call fn(g). fn must never return. It should
// gogo(&g->sched) to keep running g.
// On entry: x0 = fn, x30 = return address into the caller, sp on g's stack.
// Clobbers: the caller-saved registers; the callee-saved ones come back
// intact when g is resumed.
	.globl	mcall
	.type	mcall, %function
	.p2align 4
mcall:
	.cfi_startproc
	// Save the callee-saved registers on g's stack (mcallframe).
	sub	sp, sp, #mcallframe__size
	.cfi_adjust_cfa_offset mcallframe__size
	stp	x29, x30, [sp, #mcallframe_x29]
	.cfi_rel_offset x29, mcallframe_x29
	.cfi_rel_offset x30, mcallframe_x30
	stp	x27, x28, [sp, #mcallframe_x27]
	.cfi_rel_offset x27, mcallframe_x27
	.cfi_rel_offset x28, mcallframe_x28
	stp	x25, x26, [sp, #mcallframe_x25]
	.cfi_rel_offset x25, mcallframe_x25
	.cfi_rel_offset x26, mcallframe_x26
	stp	x23, x24, [sp, #mcallframe_x23]
	.cfi_rel_offset x23, mcallframe_x23
	.cfi_rel_offset x24, mcallframe_x24
	stp	x21, x22, [sp, #mcallframe_x21]
	.cfi_rel_offset x21, mcallframe_x21
	.cfi_rel_offset x22, mcallframe_x22
	stp	x19, x20, [sp, #mcallframe_x19]
	.cfi_rel_offset x19, mcallframe_x19
	.cfi_rel_offset x20, mcallframe_x20
	stp	d14, d15, [sp, #mcallframe_d14]
	.cfi_rel_offset d14, mcallframe_d14
	.cfi_rel_offset d15, mcallframe_d15
	stp	d12, d13, [sp, #mcallframe_d12]
	.cfi_rel_offset d12, mcallframe_d12
	.cfi_rel_offset d13, mcallframe_d13
	stp	d10, d11, [sp, #mcallframe_d10]
	.cfi_rel_offset d10, mcallframe_d10
	.cfi_rel_offset d11, mcallframe_d11
	stp	d8, d9, [sp, #mcallframe_d8]
	.cfi_rel_offset d8, mcallframe_d8
	.cfi_rel_offset d9, mcallframe_d9
	mrs	x9, fpcr
	str	x9, [sp, #mcallframe_fpcr]
	// Record it as this thread's FP control state (tls_fpctl), which
	// .Lmcall_resume compares the next goroutine's against.
	fpctl_addr x10, x11			// x10 = &tls_fpctl
	str	x9, [x10, #fpctl_fpcr]
	// This is the frame a parked g unwinds through (see .Lmcall_resume).
	.cfi_remember_state

	// Save state in g->sched: resume at .Lmcall_resume with this sp.
	get_g	x1, x9				// x1 = g
	mov	x9, sp
	str	x9, [x1, #(g_sched+gobuf_sp)]
	adr	x9, .Lmcall_resume
	str	x9, [x1, #(g_sched+gobuf_pc)]
	str	x29, [x1, #(g_sched+gobuf_bp)]
	str	xzr, [x1, #(g_sched+gobuf_lr)]

	// Switch to m->g0; mcall on g0 is a fatal misuse.
	ldr	x3, [x1, #g_m]			// x3 = m
	ldr	x2, [x3, #m_g0]			// x2 = m->g0
	cmp	x2, x1
	b.eq	.Lmcall_badmcall
	set_g	x2, x9, x10
	// Switch to g0's stack: the top saved by mstart1, 16-byte aligned.
	// The goroutine's frame is now unreachable from sp: stop unwinding.
	ldr	x9, [x2, #(g_sched+gobuf_sp)]
	mov	sp, x9
	.cfi_undefined x30
	mov	x29, #0

	// Call fn(g).
	mov	x9, x0				// x9 = fn
	mov	x0, x1				// x0 = g
	blr	x9

	// fn returned: fatal.
	get_g	x0, x9
	bl	badmcall2
	brk	#0

	.cfi_restore_state
	// mcall on g0: still on the caller's stack with the full frame, so
	// the fatal traceback walks on into mcall's caller.
.Lmcall_badmcall:
	mov	x0, x1
	bl	badmcall
	brk	#0

	// One instruction under the remembered frame state before the resume
	// point: unwinders look up pc-1 for a caller's frame, and a parked g's
	// saved pc (.Lmcall_resume) must find this FDE's full frame there too.
	nop
	// gogo(&g->sched) lands here with sp = g->sched.sp, on g's stack.
.Lmcall_resume:
	// Restore the callee-saved registers from the mcallframe.
	// gort: FPCR is written only when it differs from this thread's (a
	// goroutine that changed the rounding mode ran meanwhile): an msr fpcr
	// may synchronize the FP pipeline (glibc's aarch64 fesetenv skips an
	// unchanged write the same way); tls_fpctl, recorded by the mcall that
	// left this thread for g0, says what it holds (asm_arm64.h: fpctl).
	fpctl_addr x10, x11			// x10 = &tls_fpctl
	ldr	x9, [sp, #mcallframe_fpcr]	// x9 = g's FPCR
	ldr	x11, [x10, #fpctl_fpcr]		// x11 = the thread's
	cmp	x9, x11
	b.eq	.Lmcall_fpcr_same
	msr	fpcr, x9
	str	x9, [x10, #fpctl_fpcr]
.Lmcall_fpcr_same:
	ldp	d8, d9, [sp, #mcallframe_d8]
	.cfi_restore d8
	.cfi_restore d9
	ldp	d10, d11, [sp, #mcallframe_d10]
	.cfi_restore d10
	.cfi_restore d11
	ldp	d12, d13, [sp, #mcallframe_d12]
	.cfi_restore d12
	.cfi_restore d13
	ldp	d14, d15, [sp, #mcallframe_d14]
	.cfi_restore d14
	.cfi_restore d15
	ldp	x19, x20, [sp, #mcallframe_x19]
	.cfi_restore x19
	.cfi_restore x20
	ldp	x21, x22, [sp, #mcallframe_x21]
	.cfi_restore x21
	.cfi_restore x22
	ldp	x23, x24, [sp, #mcallframe_x23]
	.cfi_restore x23
	.cfi_restore x24
	ldp	x25, x26, [sp, #mcallframe_x25]
	.cfi_restore x25
	.cfi_restore x26
	ldp	x27, x28, [sp, #mcallframe_x27]
	.cfi_restore x27
	.cfi_restore x28
	ldp	x29, x30, [sp, #mcallframe_x29]
	.cfi_restore x29
	.cfi_restore x30
	add	sp, sp, #mcallframe__size
	.cfi_adjust_cfa_offset -mcallframe__size
	// Return to mcall's caller by an indirect br (see gogo).
	br	x30
	.cfi_endproc
	.size	mcall, .-mcall

// asm_arm64.s: systemstack
// void systemstack(void (*fn)(void *), void *arg)
// Run fn(arg) on m->g0's stack and come back. On g0 or gsignal it is a
// plain (tail) call. Called from any other goroutine than m->curg it is
// fatal.
// On entry: x0 = fn, x1 = arg.
// Clobbers: the caller-saved registers (fn is a C function).
	.globl	systemstack
	.type	systemstack, %function
	.p2align 4
systemstack:
	.cfi_startproc
	get_g	x2, x9				// x2 = g
	ldr	x3, [x2, #g_m]			// x3 = m
	// Already on a system stack (gsignal or g0)? Then just call fn.
	ldr	x9, [x3, #m_gsignal]
	cmp	x2, x9
	b.eq	.Lsystemstack_noswitch
	ldr	x4, [x3, #m_g0]			// x4 = g0
	cmp	x2, x4
	b.eq	.Lsystemstack_noswitch
	// Only m->curg may switch.
	ldr	x9, [x3, #m_curg]
	cmp	x2, x9
	b.ne	.Lsystemstack_bad

	// Make a frame on g's stack; x29 anchors the CFA across the switch
	// (fn preserves x29), so unwinders walk from g0 back into g.
	stp	x29, x30, [sp, #-16]!
	.cfi_adjust_cfa_offset 16
	.cfi_rel_offset x29, 0
	.cfi_rel_offset x30, 8
	mov	x29, sp
	.cfi_def_cfa_register x29
	stp	x19, x20, [sp, #-16]!
	.cfi_offset x19, -32
	.cfi_offset x20, -24
	mov	x19, x2				// x19 = g, survives fn

	// Save state in g->sched (Go: gosave_systemstack_switch), so a
	// traceback of g taken meanwhile starts at .Lsystemstack_ret.
	mov	x9, sp
	str	x9, [x2, #(g_sched+gobuf_sp)]
	adr	x9, .Lsystemstack_ret
	str	x9, [x2, #(g_sched+gobuf_pc)]
	str	x29, [x2, #(g_sched+gobuf_bp)]

	// Switch to g0 and its stack.
	set_g	x4, x9, x10
	ldr	x9, [x4, #(g_sched+gobuf_sp)]
	mov	sp, x9

	// Call fn(arg), through systemstack_switch's frame on g0.
	mov	x9, x0
	mov	x0, x1
	bl	systemstack_switch
.Lsystemstack_ret:
	// Switch back to g and its stack.
	set_g	x19, x9, x10
	ldr	x9, [x19, #(g_sched+gobuf_sp)]
	mov	sp, x9
	str	xzr, [x19, #(g_sched+gobuf_sp)]
	str	xzr, [x19, #(g_sched+gobuf_pc)]
	str	xzr, [x19, #(g_sched+gobuf_bp)]
	// Restore the frame and return.
	ldp	x19, x20, [sp], #16
	.cfi_restore x19
	.cfi_restore x20
	ldp	x29, x30, [sp], #16
	.cfi_def_cfa sp, 0
	.cfi_restore x29
	.cfi_restore x30
	ret

.Lsystemstack_noswitch:
	// Tail call fn(arg), leaving no frame of our own.
	mov	x9, x0
	mov	x0, x1
	br	x9

.Lsystemstack_bad:
	// Make a frame record for the call, so the unwinder finds our caller.
	stp	x29, x30, [sp, #-16]!
	.cfi_adjust_cfa_offset 16
	.cfi_rel_offset x29, 0
	.cfi_rel_offset x30, 8
	mov	x29, sp
	bl	badsystemstack
	brk	#0
	.cfi_endproc
	.size	systemstack, .-systemstack

// gort-only: systemstack_switch
// void systemstack_switch(void (*fn)(void *) /* x9 */, void *arg /* x0 */)
// systemstack calls fn through this frame, the outermost of g0's stack
// while fn runs. Its FDE is marked a signal frame (the S augmentation):
// gdb checks that every caller's frame lies outer to its callee's, but
// not across a signal frame, since a handler may run on another stack --
// as fn does here. So gdb's bt goes on from fn into systemstack and the
// goroutine instead of stopping at "previous frame inner to this frame".
// The S also tells unwinders that the caller's pc (.Lsystemstack_ret) is
// where it resumes, not a return address to back up from: either lies
// under the same CFI row of systemstack, so both unwind alike.
// On entry: x9 = fn, x0 = arg, x30 = .Lsystemstack_ret; sp = g0's sched.sp.
// Clobbers: the caller-saved registers.
	.type	systemstack_switch, %function
	.p2align 4
systemstack_switch:
	.cfi_startproc
	.cfi_signal_frame
	// Make a frame record (x30 is the return into systemstack), and call fn(arg).
	stp	x29, x30, [sp, #-16]!
	.cfi_adjust_cfa_offset 16
	.cfi_rel_offset x29, 0
	.cfi_rel_offset x30, 8
	mov	x29, sp
	blr	x9
	ldp	x29, x30, [sp], #16
	.cfi_adjust_cfa_offset -16
	.cfi_restore x29
	.cfi_restore x30
	ret
	.cfi_endproc
	.size	systemstack_switch, .-systemstack_switch

// asm_arm64.s: goexit
// void goexit(void)
// The top-most function running on a goroutine: gostartcall plants
// goexit+PCQuantum as the link register of the goroutine's entry, so
// when the entry returns it executes the call below.
// Never returns; never called directly.
	.globl	goexit
	.type	goexit, %function
	.p2align 4
goexit:
	.cfi_startproc
	// Outermost frame (Go's TOPFRAME): unwinders stop here.
	.cfi_undefined x30
	// goexit+0: a nop, so that retpc-1 still lies inside goexit.
	nop
	// goexit+PCQuantum: finish the goroutine (sp is 16-aligned here).
	bl	goexit1
	brk	#0
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
	.pushsection ".debug_gdb_scripts", "MS", %progbits, 1
	// kind 4, then the script's name: the text's first line
	.byte	4
	.ascii	"gort/runtime-gdb.py\n"
	// the script itself, and the NUL that ends the entry
	.incbin	GORT_GDB_SCRIPT_TEXT
	.byte	0
	.popsection
#endif

	.section .note.GNU-stack, "", %progbits
