// fiber_annotations.h — what a thread keeps per stack, handed over at
// every goroutine switch.
//
// gort-only (Go's race and asan hooks play part of this role in Go). A
// goroutine switch moves a thread onto another stack behind the backs of
// the tools that track one stack per thread: ASan (its fake stacks), TSan
// (one logical thread per OS thread), and the C++ runtime itself, whose
// per-thread exception state (the stack of caught exceptions behind
// `throw;` and std::uncaught_exceptions) must follow the goroutine, or a
// goroutine parked inside a catch block would find another goroutine's
// exception when it resumes. Every switch is therefore bracketed:
// fiberLeave(from, to) just before the assembly switches, fiberArrive(gp)
// first thing on the new stack. systemstack needs only the sanitizer part:
// code on g0 runs nested inside the goroutine's, like a plain call.
#pragma once

#include "runtime/runtime2.h"

#if defined(__SANITIZE_ADDRESS__)
#define GORT_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#define GORT_TSAN 1
#endif

#if GORT_TSAN
extern "C" void* __tsan_get_current_fiber(void);
#endif

// gort-only: marks the functions that never return because they switch
// away for good: the chain from mcall's target on g0 through schedule and
// execute into gogo, and goexit1 on a dying goroutine. TSan's shadow call
// stack would keep their frames forever and grow by a few at every
// switch; uninstrumented, they leave no frames (the functions they call
// and that return are still instrumented).
#define GORT_NEVER_RETURNS __attribute__((no_sanitize_thread))

namespace gort::runtime {

// gort-only: the sanitizers' set-up (LeakSanitizer's roots at exit), from schedinit.
void fiberinit();
// gort-only: about to switch from `from` to `to`. dying: from's frames are
// abandoned for good (goexit), so ASan may drop its fake stack.
void fiberLeave(g* from, g* to, bool dying = false);
// gort-only: now running on gp's stack.
void fiberArrive(g* gp);
// gort-only: the M's thread is about to exit (mexit).
void fiberThreadExit(m* mp);
// gort-only: systemstack(fn, arg) with the sanitizer annotations around
// the stack change (a plain call on g0 or gsignal).
void systemstackSanitized(void (*fn)(void*), void* arg);
// gort-only: the sanitizer half only, for systemstack.
void fiberLeaveStackOnly(g* from, g* to);
void fiberArriveStackOnly(g* gp);

}  // namespace gort::runtime
