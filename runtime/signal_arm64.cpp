// signal_arm64.cpp — the arm64 signal context.
// Port of Go 1.19 src/runtime/signal_arm64.go (sigpc, sigsp, pushCall).
// gort: asyncPreempt for arm64 is not written yet (preemptMSupported is
// false there), so pushCall has no caller on arm64 for now.

#if defined(__aarch64__)

#include "runtime/signal_arch.h"

namespace gort::runtime {

// signal_arm64.go: (*sigctxt).sigpc
uintptr_t sigctxt_pc(ucontext_t* c) { return uintptr_t(c->uc_mcontext.pc); }

// signal_arm64.go: (*sigctxt).sigsp
uintptr_t sigctxt_sp(ucontext_t* c) { return uintptr_t(c->uc_mcontext.sp); }

// signal_arm64.go: (*sigctxt).pushCall
// Make it look like the interrupted code called targetPC: push the old LR
// (keeping sp 16-aligned), LR = the interrupted pc, pc = targetPC. Linux
// on arm64 has no red zone, so nothing below sp needs stepping over.
void pushCall(ucontext_t* c, uintptr_t targetPC) {
  uintptr_t sp = sigctxt_sp(c) - 16;  // SP needs 16-byte alignment
  *reinterpret_cast<uintptr_t*>(sp) = uintptr_t(c->uc_mcontext.regs[30]);
  c->uc_mcontext.sp = sp;
  c->uc_mcontext.regs[30] = c->uc_mcontext.pc;
  c->uc_mcontext.pc = targetPC;
}

}  // namespace gort::runtime

#endif  // __aarch64__
