// export_test.h — the runtime internals the tests reach into.
// Go's export_test.go plays this role for runtime's own tests.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "runtime/chan.h"
#include "runtime/go.h"
#include "runtime/lock_futex.h"
#include "runtime/netpoll.h"
#include "runtime/os_linux.h"
#include "runtime/preempt.h"
#include "runtime/proc.h"
#include "runtime/stack.h"
#include "runtime/sema.h"
#include "runtime/stubs.h"
#include "runtime/sync.h"
#include "runtime/time.h"

#if defined(__x86_64__)
#include "arch/amd64/asm_amd64.h"
#elif defined(__aarch64__)
#include "arch/arm64/asm_arm64.h"
#endif

namespace export_test {
namespace rt = gort::runtime;

// Iteration counts of the heavy tests are divided by this under TSan,
// whose fiber switches cost microseconds each (Go's -short plays this role).
#if defined(__SANITIZE_THREAD__)
constexpr int TSanDivisor = 10;
#else
constexpr int TSanDivisor = 1;
#endif

// Whether this is the race-detector build (Go: internal/race.Enabled,
// which Go's tests consult to skip what the race detector changes).
#if defined(__SANITIZE_THREAD__)
constexpr bool RaceEnabled = true;
#else
constexpr bool RaceEnabled = false;
#endif

// Whether this is the AddressSanitizer build (Go: internal/asan.Enabled).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool AsanEnabled = true;
#else
constexpr bool AsanEnabled = false;
#endif

// Whether preemption signals stop goroutines in this build (not under
// TSan, which defers signals to its own safe points).
#if defined(__SANITIZE_THREAD__)
constexpr bool AsyncPreemptAvailable = false;
#else
constexpr bool AsyncPreemptAvailable = gort::runtime::preemptMSupported;
#endif

// The current goroutine's id.
inline int64_t Goid() { return rt::getg()->m->curg.load()->goid; }
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

// LockOSThread's nesting counts of the current M (Go: LockOSCounts).
inline std::pair<uint32_t, uint32_t> LockOSCounts() {
  rt::m* mp = rt::getg()->m;
  return {mp->lockedExt, mp->lockedInt};
}

// The OS thread the current goroutine runs on.
inline int64_t Gettid() { return rt::gettid(); }

// A count the test goroutine can wait on without spinning: Wait parks the
// goroutine (gopark) until Done has been called n times; the last Done
// readies it (goready), as a channel receive would. Built on the
// runtime's park/ready protocol because a Gosched loop keeps its P busy
// and can starve a goroutine queued behind it.
class Latch {
 public:
  void Done() {
    rt::lock(&mu_);
    count_++;
    rt::g* w = waiter_;
    if (w != nullptr && count_ >= want_) waiter_ = nullptr;
    else w = nullptr;
    rt::unlock(&mu_);
    if (w != nullptr) rt::goready(w);
  }
  void Wait(int n) {
    rt::lock(&mu_);
    while (count_ < n) {
      want_ = n;
      waiter_ = rt::getg()->m->curg;
      rt::goparkunlock(&mu_, rt::waitReasonChanReceive);
      rt::lock(&mu_);
    }
    rt::unlock(&mu_);
  }
  int Count() {
    rt::lock(&mu_);
    int c = count_;
    rt::unlock(&mu_);
    return c;
  }

 private:
  rt::mutex mu_;
  int count_ = 0;
  int want_ = 0;
  rt::g* waiter_ = nullptr;
};

// Asks the M running gp to preempt it, as sysmon's retake does after a
// time slice (preemptone: flags plus a signal). Best effort: false if gp
// is not running right now.
inline bool PreemptG(rt::g* gp) {
  bool ok = false;
  rt::systemstack([&] {
    rt::m* mp = gp->m;
    if (mp == nullptr || mp->curg.load() != gp) return;
    rt::p* pp = mp->p;
    if (pp != nullptr) ok = rt::preemptone(pp);
  });
  return ok;
}

// Whether gp is parked (_Gwaiting) with wait reason r. The status is read
// first: park_m stores _Gwaiting after gopark wrote waitreason, so
// waitreason is only read once gp is no longer running (a g that parks
// once, as the tests' do, doesn't write it again until woken).
inline bool ParkedOn(rt::g* gp, rt::waitReason r) {
  return gp != nullptr && rt::readgstatus(gp) == rt::_Gwaiting && gp->waitreason == r;
}

// Yields until the goroutine in gp (which it stores itself, from Curg(),
// before it blocks) is parked with wait reason r, or until stop() returns
// true (the goroutine got past the point where it should block). Returns
// whether it parked. Replaces Go tests' "time.Sleep(1ms) so it blocks".
template <class Stop>
bool WaitParked(const std::atomic<rt::g*>& gp, rt::waitReason r, Stop stop) {
  for (;;) {
    if (ParkedOn(gp.load(), r)) return true;
    if (stop()) return false;
    rt::Gosched();
  }
}

// The number of sudogs on c's receive and send wait queues. Takes c.lock.
inline std::pair<int, int> ChanWaiters(rt::hchan* c) {
  int nr = 0, ns = 0;
  rt::lock(&c->lock);
  for (rt::sudog* s = c->recvq.first; s != nullptr; s = s->next) nr++;
  for (rt::sudog* s = c->sendq.first; s != nullptr; s = s->next) ns++;
  rt::unlock(&c->lock);
  return {nr, ns};
}

// Runs f on the system stack (g0).
inline void Systemstack(const std::function<void()>& f) { rt::systemstack([&] { f(); }); }

// --- the switching assembly (asm_test.cpp) ---------------------------------

using G = rt::g;
// The frame mcall leaves at a parked g's sched.sp (asm_<arch>.h).
using Mcallframe = rt::mcallframe;

// This thread's current g (m.curg on a goroutine, m.g0 on the system stack).
inline G* Getg() { return rt::getg(); }
// The current M's scheduling goroutine.
inline G* G0() { return rt::getg()->m->g0; }

// Whether sp lies within gp's stack, [stack.lo, stack.hi).
inline bool OnStackOf(const G* gp, uintptr_t sp) { return gp->stack.lo <= sp && sp < gp->stack.hi; }

// gp's saved resume point (gobuf sp, pc, bp); all zero while gp runs.
struct Sched {
  uintptr_t sp, pc, bp;
};
inline Sched SchedOf(const G* gp) { return {gp->sched.sp, gp->sched.pc, gp->sched.bp}; }

// The callee-saved registers a g parked by mcall left on its stack.
inline const Mcallframe* ParkedFrame(const G* gp) { return reinterpret_cast<const Mcallframe*>(gp->sched.sp); }

// The return address gostartcall plants under every goroutine's entry
// (newproc1: goexit + PCQuantum): the pc of a walk's outermost frame.
inline uintptr_t GoexitRetPC() { return reinterpret_cast<uintptr_t>(&rt::goexit) + PCQuantum; }

// proc.go: newproc with a raw funcval: fv->fn(fv) is entered exactly as
// gogo leaves a new goroutine, with no go-statement thunk in front.
inline void Newproc(rt::funcval* fv) { rt::newproc(fv); }

// --- stack.cpp ---------------------------------------------------------------
// stackalloc and stackfree, called as the runtime calls them: on g0, with
// the current P (and so its stack cache).
inline rt::stack StackAlloc(uint32_t n) {
  rt::stack s{};
  rt::systemstack([&] { s = rt::stackalloc(n); });
  return s;
}
inline void StackFree(rt::stack s) {
  rt::systemstack([&] { rt::stackfree(s); });
}
// The current P's stack cache: bytes held, and the size of each stack.
inline uintptr_t StackCacheBytes() { return rt::getg()->m->p->stackcache.size; }
inline uintptr_t StackCacheStackSize() { return rt::getg()->m->p->stackcache.stacksize; }
// stackcache_clear on the current P.
inline void StackCacheClear() {
  rt::systemstack([] { rt::stackcache_clear(rt::getg()->m->p); });
}
// --- sema.cpp (Go's export_test.go: Semacquire, Semrelease1, SemNwait) ---
inline void Semacquire(std::atomic<uint32_t>* addr) { rt::semacquire(addr); }
inline void Semrelease1(std::atomic<uint32_t>* addr, bool handoff, int skipframes) {
  rt::semrelease1(addr, handoff, skipframes);
}
// The number of goroutines waiting in addr's semaRoot (any address that
// hashes to the same root counts too, as in Go).
inline uint32_t SemNwait(std::atomic<uint32_t>* addr) { return rt::semtable.rootFor(addr)->nwait.load(); }

// Disables preemption (and semrelease1's goyield) on the current M, as the
// runtime's acquirem does, for as long as the object lives.
struct AcquiremScope {
  rt::m* mp = rt::acquirem();
  ~AcquiremScope() { rt::releasem(mp); }
};

// The status and wait reason of a goroutine, read from another.
inline uint32_t Status(rt::g* gp) { return rt::readgstatus(gp); }
inline std::string WaitReason(rt::g* gp) { return rt::waitReasonString(gp->waitreason); }

// --- time.cpp, netpoll.cpp (Go's export_test.go: Netpoll, NetpollBreak) --
// A runtime timer that calls f (on g0, from the scheduler) when it fires.
inline void AddTimer(rt::timer* t) {
  rt::systemstack([&] { rt::addtimer(t); });
}
// The number of timers on pp's heap. Takes its timersLock.
inline size_t TimersOn(rt::p* pp) {
  rt::lock(&pp->timersLock);
  size_t n = pp->timers.size();
  rt::unlock(&pp->timersLock);
  return n;
}
// netpoll(delay) from a goroutine, as Go's export_test.go Netpoll does;
// whatever it readies is handed back to the scheduler.
inline void Netpoll(int64_t delay) {
  rt::gList list = rt::netpoll(delay);
  rt::systemstack([&] { rt::injectglist(&list); });
}
inline void NetpollBreak() { rt::netpollBreak(); }

// Goroutines that call Track() from inside are waited for by Wait() until
// they have exited (_Gdead), i.e. until the go statement's closure has been
// freed too: a test that returns earlier leaves it to LeakSanitizer, which
// does not scan goroutine stacks. Wait yields; what it waits for must be
// finishing, not blocked (a dead g reused by a later goroutine is waited
// for too, so track only goroutines of the test itself).
// A test whose goroutines may not have run at all by the time it waits
// (nothing the test does depends on them) says how many will Track first,
// with Expect(n) before the go statements, and Wait waits for that many.
class ExitTracker {
 public:
  void Expect(size_t n) { expected_.fetch_add(n); }
  void Track() {
    rt::lock(&mu_);
    gs_.push_back(rt::getg()->m->curg);
    rt::unlock(&mu_);
    tracked_.fetch_add(1);
  }
  void Wait() {
    while (tracked_.load() < expected_.load()) rt::Gosched();
    rt::lock(&mu_);
    std::vector<rt::g*> gs = gs_;
    rt::unlock(&mu_);
    for (rt::g* gp : gs)
      while (rt::readgstatus(gp) != rt::_Gdead) rt::Gosched();
  }

 private:
  rt::mutex mu_;
  std::vector<rt::g*> gs_;
  std::atomic<size_t> expected_{0};
  std::atomic<size_t> tracked_{0};
};
inline void NetpollGenericInit() { rt::netpollGenericInit(); }
inline uint32_t NetpollWaiters() { return rt::netpollWaiters.load(); }

}  // namespace export_test

// --- sync.cpp: the unexported state of package sync -------------------------
namespace gort::sync {
struct exportTest {
  static constexpr int32_t mutexLocked = Mutex::mutexLocked;
  static constexpr int32_t mutexWoken = Mutex::mutexWoken;
  static constexpr int32_t mutexStarving = Mutex::mutexStarving;
  static constexpr int32_t mutexWaiterShift = Mutex::mutexWaiterShift;
  static constexpr int64_t starvationThresholdNs = Mutex::starvationThresholdNs;
  static constexpr int32_t rwmutexMaxReaders = RWMutex::rwmutexMaxReaders;

  static int32_t state(Mutex& m) { return m.state.load(); }
  static std::atomic<uint32_t>* sema(Mutex& m) { return &m.sema; }
  static int32_t readerCount(RWMutex& rw) { return rw.readerCount.load(); }
  static int32_t readerWait(RWMutex& rw) { return rw.readerWait.load(); }
  static std::atomic<uint32_t>* writerSem(RWMutex& rw) { return &rw.writerSem; }
  static std::atomic<uint32_t>* readerSem(RWMutex& rw) { return &rw.readerSem; }
  static uint64_t state(WaitGroup& wg) { return wg.state.load(); }
  static void setState(WaitGroup& wg, uint64_t v) { wg.state.store(v); }
  static std::atomic<uint32_t>* sema(WaitGroup& wg) { return &wg.sema; }
  static bool done(Once& o) { return o.done.load() != 0; }
  // The notify list's tickets: how many Waits began, how many were notified.
  static uint32_t notifyWait(Cond& c) { return c.notify.wait.load(); }
  static uint32_t notifyNotify(Cond& c) { return c.notify.notify.load(); }
};
}  // namespace gort::sync
