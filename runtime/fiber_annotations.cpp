// fiber_annotations.cpp — per-stack thread state handed over at switches.
//
// gort-only; see fiber_annotations.h. Without a sanitizer the switch
// hooks are inline there and only fiberEhGlobalsInit, once per M, comes
// here; with one, the hooks live here too.
//
// __cxa_get_globals stays in this file on purpose: the C++ runtime
// declares it __attribute__((const)), so inlined into a function that
// switches goroutines, the compiler could reuse the address computed
// before the switch, on a thread the goroutine has since left
// (TestGetgThreadSwitch's hazard). This file does not include <cxxabi.h>
// and declares the call without that attribute. It is also costly (a call
// through the PLT into libstdc++.so, then __tls_get_addr), and its answer
// never changes for a thread, so each M asks once and keeps it in
// m.ehGlobals; the switch path reads it through the running g's m.

#include "runtime/fiber_annotations.h"

#include "runtime/proc.h"
#include "runtime/stubs.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#if GORT_ASAN
#include <sanitizer/lsan_interface.h>
extern "C" {
void __sanitizer_start_switch_fiber(void** fake_stack_save, const void* bottom, size_t size);
void __sanitizer_finish_switch_fiber(void* fake_stack_save, const void** bottom_old, size_t* size_old);
}
#endif
#if GORT_TSAN
extern "C" {
void* __tsan_create_fiber(unsigned flags);
void __tsan_destroy_fiber(void* fiber);
void __tsan_switch_to_fiber(void* fiber, unsigned flags);
}
#endif

extern "C" gort::runtime::fiberEhGlobals* __cxa_get_globals() noexcept;

namespace gort::runtime {

// gort-only: see fiber_annotations.h. Not inline: the one call of
// __cxa_get_globals, once per M.
__attribute__((noinline)) fiberEhGlobals* fiberEhGlobalsInit(m* mp) {
  fiberEhGlobals* eh = __cxa_get_globals();
  mp->ehGlobals = eh;
  return eh;
}

// No TSan instrumentation here (nor in fiberLeave): the fiber changes in
// the middle, and an instrumented function would pop its own shadow frame
// off the other fiber on return.
__attribute__((noinline, no_sanitize_thread)) void fiberLeaveStackOnly([[maybe_unused]] g* from,
                                                                    [[maybe_unused]] g* to) {
#if GORT_ASAN
  __sanitizer_start_switch_fiber(&from->asanFakeStack, reinterpret_cast<const void*>(to->stack.lo),
                                 size_t(to->stack.hi - to->stack.lo));
#endif
#if GORT_TSAN
  if (to->tsanFiber == nullptr) to->tsanFiber = __tsan_create_fiber(0);
  __tsan_switch_to_fiber(to->tsanFiber, 0);
#endif
}

__attribute__((noinline)) void fiberArriveStackOnly([[maybe_unused]] g* gp) {
#if GORT_ASAN
  __sanitizer_finish_switch_fiber(gp->asanFakeStack, nullptr, nullptr);
#endif
}

#if GORT_ASAN || GORT_TSAN
// gort-only: save this thread's C++ exception state into from, then tell
// the sanitizers about the switch.
__attribute__((noinline, no_sanitize_thread)) void fiberLeave(g* from, [[maybe_unused]] g* to,
                                                           [[maybe_unused]] bool dying) {
  fiberEhGlobals* eh = fiberEh(from->m);
  from->ehCaughtExceptions = eh->caughtExceptions;
  from->ehUncaughtExceptions = eh->uncaughtExceptions;
#if GORT_ASAN
  __sanitizer_start_switch_fiber(dying ? nullptr : &from->asanFakeStack,
                                 reinterpret_cast<const void*>(to->stack.lo),
                                 size_t(to->stack.hi - to->stack.lo));
#endif
#if GORT_TSAN
  if (to->tsanFiber == nullptr) to->tsanFiber = __tsan_create_fiber(0);
  __tsan_switch_to_fiber(to->tsanFiber, 0);
#endif
}

#endif

// gort-only: the thread is about to exit (mexit): go back to its own
// TSan fiber, which pthread_exit expects to be current.
__attribute__((noinline, no_sanitize_thread)) void fiberThreadExit([[maybe_unused]] m* mp) {
#if GORT_TSAN
  __tsan_switch_to_fiber(mp->tsanThreadFiber, 0);
#endif
}

#if GORT_ASAN || GORT_TSAN
// gort-only: finish the sanitizers' switch, then give this thread gp's
// C++ exception state.
__attribute__((noinline)) void fiberArrive(g* gp) {
#if GORT_ASAN
  __sanitizer_finish_switch_fiber(gp->asanFakeStack, nullptr, nullptr);
#endif
  fiberEhGlobals* eh = fiberEh(gp->m);
  eh->caughtExceptions = gp->ehCaughtExceptions;
  eh->uncaughtExceptions = gp->ehUncaughtExceptions;
}
#endif

// gort-only: systemstack with the sanitizers told. Runs in the runtime's
// text, where no preemption signal lands. The thunk is not
// TSan-instrumented: it runs on g0's fiber but switches back before
// returning (see fiberLeave).
namespace {
struct sanitizedFrame {
  void (*fn)(void*);
  void* arg;
  g* from;
};
__attribute__((no_sanitize_thread)) void sanitizedThunk(void* a) {
  auto* fr = static_cast<sanitizedFrame*>(a);
  g* g0 = fr->from->m->g0;
  fiberArriveStackOnly(g0);
  fr->fn(fr->arg);
  fiberLeaveStackOnly(g0, fr->from);
}
}  // namespace

__attribute__((no_sanitize_thread)) void systemstackSanitized(void (*fn)(void*), void* arg) {
  g* gp = getg();
  if (gp == gp->m->g0 || gp == gp->m->gsignal) {
    systemstack(fn, arg);
    return;
  }
  sanitizedFrame fr{fn, arg, gp};
  fiberLeaveStackOnly(gp, gp->m->g0);
  systemstack(sanitizedThunk, &fr);
  fiberArriveStackOnly(gp);
}

#if GORT_ASAN
// gort-only: LeakSanitizer must scan live goroutines' stacks at exit.
static void lsanRootLiveStacks() {
  // At exit it reports every heap block that nothing points to, scanning
  // globals, registers and each thread's own stack -- not goroutine stacks,
  // which it does not know of. A goroutine
  // still alive at exit (parked forever, or running on another thread)
  // holds its closure and what it owns only from its stack, so each live
  // goroutine's stack becomes a root region just before the check runs:
  // from its saved sp up for a parked one, the whole stack for one running
  // (its sp is in another thread's registers), from here up for the
  // caller. Dead goroutines' stacks are not roots: memory leaked by a
  // goroutine that ended is still reported.
  g* me = getg();
  for (g* gp = allgs.load(std::memory_order_acquire); gp != nullptr; gp = gp->alllink) {
    uint32_t status = readgstatus(gp) & ~uint32_t(_Gscan);
    if (status == _Gidle || status == _Gdead || gp->stack.lo == 0) continue;
    uintptr_t lo = gp->stack.lo;
    uintptr_t sp = 0;
    if (gp == me || (me->m != nullptr && gp == me->m->curg.load(std::memory_order_relaxed)))
      sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
    else if (status == _Grunnable || status == _Gwaiting || status == _Gpreempted)
      sp = gp->sched.sp;
    if (sp > lo && sp < gp->stack.hi) lo = sp;
    __lsan_register_root_region(reinterpret_cast<void*>(lo), gp->stack.hi - lo);
  }
}
#endif

// gort-only: set-up for the tools fiberLeave and fiberArrive talk to.
// Called by schedinit. The leak check is an exit handler registered when
// ASan started, before this one, so lsanRootLiveStacks runs first.
void fiberinit() {
#if GORT_ASAN
  std::atexit(lsanRootLiveStacks);
#endif
}

}  // namespace gort::runtime
