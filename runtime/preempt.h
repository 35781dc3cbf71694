// preempt.h — asynchronous and cooperative preemption.
// Port of Go 1.19 src/runtime/preempt.go (declarations; see preempt.cpp)
// and of signal_unix.go's preemption half (see signal_unix.cpp).
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/runtime2.h"

namespace gort::runtime {

// signal_unix.go: preemptMSupported. Whether preemptM can interrupt a
// running goroutine with a signal on this architecture (amd64 and arm64
// both have asyncPreempt).
constexpr bool preemptMSupported = true;

// preempt.go: canPreemptM. mp may be preempted: no runtime locks, no
// allocation in progress, no preemptoff reason, and a running P.
bool canPreemptM(m* mp);
// preempt.go: wantAsyncPreempt. The g or its P was asked to stop.
bool wantAsyncPreempt(g* gp);
// preempt.go: isAsyncSafePoint. Whether the goroutine interrupted at pc
// with stack pointer sp may be stopped there (see preempt.cpp).
bool isAsyncSafePoint(g* gp, uintptr_t pc, uintptr_t sp);
// preempt.go: asyncPreempt2. Called by asyncPreempt on the interrupted
// goroutine's stack: yields the processor (gopreempt_m).
extern "C" void asyncPreempt2();
// preempt_<arch>.S: asyncPreempt.
extern "C" void asyncPreempt();
// gort-only: finds the text ranges isAsyncSafePoint needs and the size of
// this CPU's vector state. Called once by schedinit.
void preemptinit();
// gort-only: the runtime's cooperative preemption point. Go's compiler
// checks g.stackguard0 in every function prologue; gort checks g.preempt
// at the runtime's own entry points (go statements, syscall exit, channel
// operations, package time's timer calls) and yields there if asked.
void preemptPoint();
// gort-only: pc lies in libgort's own code (the gort_runtime_text section).
bool inRuntimeText(uintptr_t pc);
void asyncPreemptRefused(g* gp);
bool preemptSignalDue(g* gp, p* pp);
// gort-only: the number of goroutines stopped by a preemption signal so
// far (the counter behind runtime::NumAsyncPreempt).
extern std::atomic<uint64_t> nasyncpreempt;

// signal_unix.go: preemptM. Sends a preemption request to mp.
void preemptM(m* mp);
// signal_unix.go: initsig. Installs the runtime's signal handlers.
void initsig();

}  // namespace gort::runtime
