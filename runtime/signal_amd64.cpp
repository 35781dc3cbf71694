// signal_amd64.cpp — the amd64 signal context.
// Port of Go 1.19 src/runtime/signal_amd64.go (sigpc, sigsp, pushCall).

#if defined(__x86_64__)

#include "runtime/signal_arch.h"

namespace gort::runtime {

// signal_amd64.go: (*sigctxt).sigpc
uintptr_t sigctxt_pc(ucontext_t* c) { return uintptr_t(c->uc_mcontext.gregs[REG_RIP]); }

// signal_amd64.go: (*sigctxt).sigsp
uintptr_t sigctxt_sp(ucontext_t* c) { return uintptr_t(c->uc_mcontext.gregs[REG_RSP]); }

// signal_amd64.go: (*sigctxt).pushCall
// Make it look like the interrupted code called targetPC. Go pushes the
// resume pc; C++ code may keep data in the 128-byte red zone below rsp,
// so gort steps over it, aligns to 16 and leaves both the interrupted pc
// and sp for asyncPreempt (preempt_amd64.S) to resume with.
bool pushCall(ucontext_t* c, uintptr_t targetPC) {
  uintptr_t pc = sigctxt_pc(c);
  uintptr_t sp = sigctxt_sp(c);
  uintptr_t nsp = ((sp - 128) & ~uintptr_t(15)) - 16;
  reinterpret_cast<uintptr_t*>(nsp)[0] = pc;
  reinterpret_cast<uintptr_t*>(nsp)[1] = sp;
  c->uc_mcontext.gregs[REG_RSP] = greg_t(nsp);
  c->uc_mcontext.gregs[REG_RIP] = greg_t(targetPC);
  return true;
}

}  // namespace gort::runtime

#endif  // __x86_64__
