// export_test.h — the runtime internals the tests reach into.
// Go's export_test.go plays this role for runtime's own tests.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "runtime/go.h"
#include "runtime/lock_futex.h"
#include "runtime/proc.h"
#include "runtime/stubs.h"

namespace export_test {
namespace rt = gort::runtime;

// The current goroutine's id.
inline int64_t Goid() { return rt::getg()->m->curg->goid; }
// The current goroutine.
inline rt::g* Curg() { return rt::getg()->m->curg; }
// The P the current goroutine runs on.
inline rt::p* CurP() { return rt::getg()->m->p; }

// A P that belongs to no M, for run-queue unit tests (Go: new(p)).
inline std::unique_ptr<rt::p> NewP() { return std::make_unique<rt::p>(); }

// The global run queue's contents, head first. Takes sched.lock.
inline std::vector<rt::g*> GlobalRunq() {
  std::vector<rt::g*> out;
  rt::lock(&rt::sched.lock);
  for (rt::g* gp = rt::sched.runq.head; gp != nullptr; gp = gp->schedlink.load()) out.push_back(gp);
  rt::unlock(&rt::sched.lock);
  return out;
}

// Removes the given gs from the global run queue (test-made gs must not be
// left where the scheduler would run them). Takes sched.lock.
inline int RemoveFromGlobalRunq(const std::vector<rt::g*>& gs) {
  int removed = 0;
  rt::lock(&rt::sched.lock);
  rt::gQueue kept;
  while (rt::g* gp = rt::sched.runq.pop()) {
    bool drop = false;
    for (rt::g* x : gs) drop |= (x == gp);
    if (drop)
      removed++;
    else
      kept.pushBack(gp);
  }
  rt::sched.runq = kept;
  rt::sched.runqsize -= removed;
  rt::unlock(&rt::sched.lock);
  return removed;
}

// Puts gs at the tail of the global run queue. Takes sched.lock.
inline void GlobrunqputAll(const std::vector<rt::g*>& gs) {
  rt::lock(&rt::sched.lock);
  for (rt::g* gp : gs) rt::globrunqput(gp);
  rt::unlock(&rt::sched.lock);
}

// globrunqget under sched.lock.
inline rt::g* Globrunqget(rt::p* pp, int32_t max) {
  rt::lock(&rt::sched.lock);
  rt::g* gp = rt::globrunqget(pp, max);
  rt::unlock(&rt::sched.lock);
  return gp;
}

// Sets GOMAXPROCS for one test and restores it afterwards. Tests that
// put test-made gs on the global queue, or that pin the run order, run
// with one P so no other M can run (or steal) behind their back.
struct GOMAXPROCSScope {
  int old;
  explicit GOMAXPROCSScope(int n) : old(gort::runtime::GOMAXPROCS(n)) {}
  ~GOMAXPROCSScope() { gort::runtime::GOMAXPROCS(old); }
};

// Runs f on the system stack (g0).
inline void Systemstack(const std::function<void()>& f) { rt::systemstack([&] { f(); }); }

}  // namespace export_test
