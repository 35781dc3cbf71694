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

// libstdc++'s per-thread exception state (libsupc++/unwind-cxx.h:
// __cxa_eh_globals), which every switch hands over.
struct fiberEhGlobals {
  void* caughtExceptions;
  unsigned int uncaughtExceptions;
};
// gort-only: asks the C++ runtime for mp's thread's exception state once
// and keeps it in mp->ehGlobals. Must run on mp's thread.
fiberEhGlobals* fiberEhGlobalsInit(m* mp);
// gort-only: the exception state of mp's thread, cached in mp.
inline fiberEhGlobals* fiberEh(m* mp) {
  auto* eh = static_cast<fiberEhGlobals*>(mp->ehGlobals);
  if (__builtin_expect(eh == nullptr, 0)) eh = fiberEhGlobalsInit(mp);
  return eh;
}

#if GORT_ASAN || GORT_TSAN
// gort-only: about to switch from `from` (running on this thread) to `to`.
// dying: from's frames are abandoned for good (goexit), so ASan may drop
// its fake stack.
void fiberLeave(g* from, g* to, bool dying = false);
// gort-only: now running on gp's stack (gp->m is this thread's M).
void fiberArrive(g* gp);
#else
// gort: without a sanitizer only the C++ exception state moves, so the
// hooks are inline: two loads and two stores each (the m is the running
// g's, read after the switch, never cached across it).
// gort-only: about to switch from `from` (running on this thread) to `to`:
// save this thread's C++ exception state into from.
inline void fiberLeave(g* from, g*, bool = false) {
  fiberEhGlobals* eh = fiberEh(from->m);
  from->ehCaughtExceptions = eh->caughtExceptions;
  from->ehUncaughtExceptions = eh->uncaughtExceptions;
}
// gort-only: now running on gp's stack (gp->m is this thread's M): give
// this thread gp's C++ exception state.
inline void fiberArrive(g* gp) {
  fiberEhGlobals* eh = fiberEh(gp->m);
  eh->caughtExceptions = gp->ehCaughtExceptions;
  eh->uncaughtExceptions = gp->ehUncaughtExceptions;
}
#endif
// gort-only: the M's thread is about to exit (mexit).
void fiberThreadExit(m* mp);
// gort-only: systemstack(fn, arg) with the sanitizer annotations around
// the stack change (a plain call on g0 or gsignal).
void systemstackSanitized(void (*fn)(void*), void* arg);
// gort-only: the sanitizer half only, for systemstack.
void fiberLeaveStackOnly(g* from, g* to);
void fiberArriveStackOnly(g* gp);

}  // namespace gort::runtime
