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
void pushCall(ucontext_t* c, uintptr_t targetPC);

}  // namespace gort::runtime
