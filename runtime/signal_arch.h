// signal_arch.h — the signal context of one architecture.
// Port of Go 1.19 src/runtime/signal_amd64.go and signal_arm64.go (the
// sigctxt accessors and pushCall); see signal_amd64.cpp / signal_arm64.cpp.
#pragma once

#include <ucontext.h>

#include <cstdint>

namespace gort::runtime {

// signal_<arch>.go: sigctxt.sigpc / sigsp
uintptr_t sigctxt_pc(ucontext_t* c);
uintptr_t sigctxt_sp(ucontext_t* c);
// signal_<arch>.go: sigctxt.pushCall
// Make it look like the interrupted code called targetPC at its pc.
// gort: false when the context can't be carried (arm64: a signal frame
// with an extra_context record); the preemption is then refused.
bool pushCall(ucontext_t* c, uintptr_t targetPC);

#if defined(__aarch64__)
// gort-only: the bytes pushCall copies below the interrupted sp on arm64
// (a whole struct rt_sigframe: siginfo, then the ucontext).
constexpr uintptr_t sigframeCopySize = (sizeof(siginfo_t) + sizeof(ucontext_t) + 15) & ~uintptr_t(15);
// gort-only (preempt_arm64.S calls it): makes the copied signal frame fit
// the thread the goroutine resumes on before rt_sigreturn loads it.
extern "C" void asyncPreemptFixFrame(ucontext_t* uc);
#endif

}  // namespace gort::runtime
