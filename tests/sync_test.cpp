// sync_test.cpp — package sync (sync.cpp): Mutex's normal and starvation
// modes read off its state bits, RWMutex's writer preference, WaitGroup's
// misuse checks, Once under contention, Cond's wait reason. Ports of Go's
// sync tests live in conformance/sync_test.cpp.
#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "export_test.h"
#include "runtime/go.h"
#include "testprog_run.h"

using namespace gort;
namespace rt = gort::runtime;
using X = gort::sync::exportTest;

namespace {
// Gosched until pred holds (the goroutines we wait for run on our P or
// another; none of them sleeps).
template <class P>
void yieldUntil(P pred) {
  while (!pred()) rt::Gosched();
}
}  // namespace

// --- Mutex ------------------------------------------------------------------

TEST_CASE("Mutex state: Lock sets mutexLocked, a blocked Lock counts a waiter, Unlock wakes it with mutexWoken",
          "[sync]") {
  export_test::GOMAXPROCSScope procs(1);
  sync::Mutex mu;
  REQUIRE(X::state(mu) == 0);
  mu.Lock();
  REQUIRE(X::state(mu) == X::mutexLocked);
  REQUIRE_FALSE(mu.TryLock());

  std::atomic<rt::g*> waiter{nullptr};
  export_test::Latch done;
  go([&] {
    waiter = export_test::Curg();
    mu.Lock();
    mu.Unlock();
    done.Done();
  });
  yieldUntil([&] { return export_test::SemNwait(X::sema(mu)) == 1; });
  REQUIRE(X::state(mu) == (X::mutexLocked | 1 << X::mutexWaiterShift));
  REQUIRE(export_test::Status(waiter) == rt::_Gwaiting);
  REQUIRE(export_test::WaitReason(waiter) == "semacquire");  // Go 1.19's reason for sync.Mutex

  {
    export_test::AcquiremScope look;  // see the state before the waiter runs
    mu.Unlock();
    // Normal mode: the waiter is woken (no longer counted) and competes;
    // the lock is free, so a TryLock now would win it.
    REQUIRE(X::state(mu) == X::mutexWoken);
    REQUIRE(export_test::CurP()->runnext.load() == waiter.load());
  }
  done.Wait(1);
  REQUIRE(X::state(mu) == 0);
}

TEST_CASE("Mutex starvation: a waiter that has waited over 1 ms and lost to a barger switches to starvation "
          "mode and then gets the lock by direct hand-off",
          "[sync]") {
  // One P, and NoPreempt where two steps must not be split: the run order
  // below is the scheduler's, not luck's.
  export_test::GOMAXPROCSScope procs(1);
  sync::Mutex mu;
  mu.Lock();

  std::atomic<int> step{0};
  std::atomic<int32_t> stateWhenAcquired{-1};
  std::atomic<int> stepWhenAcquired{-1};
  export_test::Latch done;
  go([&] {
    mu.Lock();
    stateWhenAcquired = X::state(mu);
    stepWhenAcquired = step.load();
    mu.Unlock();
    done.Done();
  });
  yieldUntil([&] { return export_test::SemNwait(X::sema(mu)) == 1; });
  // The waiter has stamped its waitStartTime and parked. Let its wait
  // exceed starvationThresholdNs: a wait for the clock, not for another
  // goroutine (nothing else is runnable).
  int64_t parked = rt::nanotime();
  yieldUntil([&] { return rt::nanotime() - parked > X::starvationThresholdNs; });

  {
    // Unlock in normal mode wakes the waiter; we barge in before it runs
    // (no preemption may let it run in between).
    rt::NoPreempt np;
    mu.Unlock();
    REQUIRE(X::state(mu) == X::mutexWoken);
    mu.Lock();  // the barger wins: the waiter is only in runnext
    REQUIRE(X::state(mu) == (X::mutexLocked | X::mutexWoken));
  }

  // Let the waiter run: it has waited > 1 ms, finds the mutex locked, so it
  // sets mutexStarving and queues again, at the front (LIFO).
  yieldUntil([&] { return export_test::SemNwait(X::sema(mu)) == 1; });
  REQUIRE(X::state(mu) == (X::mutexLocked | X::mutexStarving | 1 << X::mutexWaiterShift));

  {
    // Starvation mode: Unlock hands ownership to the waiter directly.
    // mutexLocked is clear, yet the mutex is not free: a barger's TryLock
    // fails, and the waiter is the one that will run next.
    export_test::AcquiremScope noyield;
    mu.Unlock();
    REQUIRE(X::state(mu) == (X::mutexStarving | 1 << X::mutexWaiterShift));
    REQUIRE_FALSE(mu.TryLock());
    REQUIRE(export_test::SemNwait(X::sema(mu)) == 0);
    REQUIRE(X::sema(mu)->load() == 0);  // the semaphore's count went with the hand-off
    step = 1;
  }
  done.Wait(1);
  // The waiter owned the mutex without competing again: it was the last
  // waiter, so it left starvation mode as it took the lock.
  REQUIRE(stepWhenAcquired.load() == 1);
  REQUIRE(stateWhenAcquired.load() == X::mutexLocked);
  REQUIRE(X::state(mu) == 0);
}

TEST_CASE("Mutex starvation: Unlock yields the P, so the waiter holds the mutex before Unlock returns",
          "[sync]") {
  export_test::GOMAXPROCSScope procs(1);
  sync::Mutex mu;
  mu.Lock();
  std::atomic<bool> acquired{false};
  export_test::Latch done;
  go([&] {
    mu.Lock();
    acquired = true;
    mu.Unlock();
    done.Done();
  });
  yieldUntil([&] { return export_test::SemNwait(X::sema(mu)) == 1; });
  int64_t parked = rt::nanotime();
  yieldUntil([&] { return rt::nanotime() - parked > X::starvationThresholdNs; });
  {
    rt::NoPreempt np;
    mu.Unlock();
    mu.Lock();  // barge
  }
  yieldUntil([&] { return export_test::SemNwait(X::sema(mu)) == 1; });
  REQUIRE((X::state(mu) & X::mutexStarving) != 0);

  mu.Unlock();  // hand-off + goyield: the waiter runs first on this P
  REQUIRE(acquired.load());
  done.Wait(1);
}

TEST_CASE("Mutex: unlocking an unlocked mutex is a fatal error", "[sync]") {
  auto r = testprog::run("Mutex.Unlock");
  INFO(r.output);
  REQUIRE(r.output.rfind("fatal error: sync: unlock of unlocked mutex\n", 0) == 0);
  REQUIRE(r.exitStatus == 2);
}

// --- RWMutex ----------------------------------------------------------------

TEST_CASE("RWMutex: a pending writer waits for the readers and keeps new readers out", "[sync]") {
  export_test::GOMAXPROCSScope procs(1);
  sync::RWMutex rw;
  rw.RLock();
  rw.RLock();
  REQUIRE(X::readerCount(rw) == 2);

  std::atomic<bool> writing{false};
  export_test::Latch done;
  go([&] {
    rw.Lock();
    writing = true;
    rw.Unlock();
    done.Done();
  });
  yieldUntil([&] { return export_test::SemNwait(X::writerSem(rw)) == 1; });
  // The writer announced itself (readerCount went negative) and waits for
  // the two readers to depart.
  REQUIRE(X::readerCount(rw) == 2 - X::rwmutexMaxReaders);
  REQUIRE(X::readerWait(rw) == 2);
  REQUIRE_FALSE(rw.TryRLock());  // new readers are excluded
  REQUIRE_FALSE(rw.TryLock());

  rw.RUnlock();
  REQUIRE_FALSE(writing.load());
  rw.RUnlock();  // the last reader readies the writer
  done.Wait(1);
  REQUIRE(writing.load());
  REQUIRE(X::readerCount(rw) == 0);
  REQUIRE(rw.TryRLock());
  rw.RUnlock();
}

TEST_CASE("RWMutex: readers that arrive while a writer holds the lock wait, and all enter at Unlock", "[sync]") {
  export_test::GOMAXPROCSScope procs(1);
  sync::RWMutex rw;
  rw.Lock();
  constexpr int n = 3;
  std::atomic<int> reading{0};
  export_test::Latch inside, done;
  sync::WaitGroup leave;  // a gate: the readers Wait, main's Done opens it
  leave.Add(1);
  for (int i = 0; i < n; i++)
    go([&] {
      rw.RLock();
      reading++;
      inside.Done();
      leave.Wait();
      reading--;
      rw.RUnlock();
      done.Done();
    });
  yieldUntil([&] { return export_test::SemNwait(X::readerSem(rw)) == n; });
  REQUIRE(reading.load() == 0);
  rw.Unlock();
  inside.Wait(n);  // all readers hold the lock at once
  REQUIRE(reading.load() == n);
  REQUIRE_FALSE(rw.TryLock());
  leave.Done();
  done.Wait(n);
  REQUIRE(rw.TryLock());
  rw.Unlock();
}

TEST_CASE("RWMutex: RLocker locks for reading", "[sync]") {
  sync::RWMutex rw;
  sync::Locker rl = rw.RLocker();
  rl.Lock();
  rl.Lock();
  REQUIRE(X::readerCount(rw) == 2);
  REQUIRE_FALSE(rw.TryLock());
  rl.Unlock();
  rl.Unlock();
  REQUIRE(rw.TryLock());
  rw.Unlock();
}

// --- WaitGroup --------------------------------------------------------------

TEST_CASE("WaitGroup: the counter is the high word, the waiters the low word, and the last Done releases them all",
          "[sync]") {
  export_test::GOMAXPROCSScope procs(1);
  sync::WaitGroup wg;
  wg.Add(2);
  REQUIRE(X::state(wg) == uint64_t(2) << 32);
  constexpr int waiters = 3;
  export_test::Latch done;
  for (int i = 0; i < waiters; i++)
    go([&] {
      wg.Wait();
      done.Done();
    });
  yieldUntil([&] { return export_test::SemNwait(X::sema(wg)) == waiters; });
  REQUIRE(X::state(wg) == ((uint64_t(2) << 32) | waiters));
  wg.Done();
  REQUIRE(done.Count() == 0);
  wg.Done();
  REQUIRE(X::state(wg) == 0);  // the waiter count is reset before the wakeups
  done.Wait(waiters);
  wg.Wait();  // counter 0: returns at once
}

TEST_CASE("WaitGroup: a negative counter throws Go's panic text", "[sync]") {
  sync::WaitGroup wg;
  wg.Add(1);
  wg.Done();
  try {
    wg.Done();
    FAIL("Done below zero did not throw");
  } catch (const std::runtime_error& e) {
    REQUIRE(std::string(e.what()) == "sync: negative WaitGroup counter");
  }
}

TEST_CASE("WaitGroup: Add before a woken Wait has returned throws 'reused before previous Wait has returned' "
          "in the waiter",
          "[sync]") {
  export_test::GOMAXPROCSScope procs(1);
  sync::WaitGroup wg;
  wg.Add(1);
  std::string caught;
  export_test::Latch done;
  go([&] {
    try {
      wg.Wait();
    } catch (const std::runtime_error& e) {
      caught = e.what();
    }
    done.Done();
  });
  yieldUntil([&] { return export_test::SemNwait(X::sema(wg)) == 1; });
  {
    rt::NoPreempt np;
    wg.Done();  // readies the waiter (runnext); it has not returned yet
    wg.Add(1);  // misuse: reuse before the previous Wait returned
  }
  done.Wait(1);
  REQUIRE(caught == "sync: WaitGroup is reused before previous Wait has returned");
  wg.Done();
}

TEST_CASE("WaitGroup: Add from zero while a waiter is counted throws 'Add called concurrently with Wait'",
          "[sync]") {
  sync::WaitGroup wg;
  // What a Wait that raced an Add from zero leaves behind: counter 0,
  // one waiter.
  X::setState(wg, 1);
  try {
    wg.Add(1);
    FAIL("Add did not throw");
  } catch (const std::runtime_error& e) {
    REQUIRE(std::string(e.what()) == "sync: WaitGroup misuse: Add called concurrently with Wait");
  }
  X::setState(wg, 0);
}

TEST_CASE("WaitGroup: an uncaught negative counter panic ends the program like Go's", "[sync]") {
  auto r = testprog::run("WaitGroupNegative");
  INFO(r.output);
  REQUIRE(r.output.rfind("panic: sync: negative WaitGroup counter\n\ngoroutine ", 0) == 0);
  REQUIRE(r.exitStatus == 2);
}

// --- Once -------------------------------------------------------------------

TEST_CASE("Once under contention: f runs exactly once and every Do returns after f has completed", "[sync]") {
  export_test::GOMAXPROCSScope procs(2);
  for (int round = 0; round < 20; round++) {
    sync::Once once;
    std::atomic<int> calls{0};
    std::atomic<bool> finished{false};
    std::atomic<int> early{0};
    constexpr int n = 8;
    sync::WaitGroup wg;
    wg.Add(n);
    for (int i = 0; i < n; i++)
      go([&] {
        once.Do([&] {
          calls++;
          // Stay inside f for a while so the others pile up in doSlow.
          for (int k = 0; k < 5; k++) rt::Gosched();
          finished = true;
        });
        if (!finished.load()) early++;
        wg.Done();
      });
    wg.Wait();
    REQUIRE(calls.load() == 1);
    REQUIRE(early.load() == 0);
    REQUIRE(X::done(once));
  }
}

TEST_CASE("Once: callers blocked behind a running f park on its Mutex (semacquire)", "[sync]") {
  export_test::GOMAXPROCSScope procs(1);
  sync::Once once;
  export_test::Latch inF, release, done;
  go([&] {
    once.Do([&] {
      inF.Done();
      release.Wait(1);
    });
    done.Done();
  });
  inF.Wait(1);
  std::atomic<rt::g*> second{nullptr};
  std::atomic<bool> ranTwice{false};
  go([&] {
    second = export_test::Curg();
    once.Do([&] { ranTwice = true; });
    done.Done();
  });
  yieldUntil([&] { return second.load() != nullptr && export_test::Status(second) == rt::_Gwaiting; });
  REQUIRE(export_test::WaitReason(second) == "semacquire");
  REQUIRE_FALSE(X::done(once));
  release.Done();
  done.Wait(2);
  REQUIRE(X::done(once));
  REQUIRE_FALSE(ranTwice.load());
}

// --- Cond -------------------------------------------------------------------

TEST_CASE("Cond: Wait parks with wait reason sync.Cond.Wait and releases L, and Signal with no waiter is a no-op",
          "[sync]") {
  export_test::GOMAXPROCSScope procs(1);
  sync::Mutex mu;
  sync::Cond c(&mu);
  c.Signal();  // nobody waits: nothing happens, nothing is remembered
  c.Broadcast();
  REQUIRE(X::notifyWait(c) == 0);
  REQUIRE(X::notifyNotify(c) == 0);

  bool ready = false;
  std::atomic<rt::g*> waiter{nullptr};
  export_test::Latch done;
  go([&] {
    waiter = export_test::Curg();
    c.L.Lock();
    while (!ready) c.Wait();
    c.L.Unlock();
    done.Done();
  });
  yieldUntil([&] { return waiter.load() != nullptr && export_test::Status(waiter) == rt::_Gwaiting; });
  REQUIRE(export_test::WaitReason(waiter) == "sync.Cond.Wait");
  REQUIRE(X::notifyWait(c) == 1);
  REQUIRE(mu.TryLock());  // Wait released L
  ready = true;
  c.Signal();
  mu.Unlock();
  done.Wait(1);
  REQUIRE(X::notifyNotify(c) == 1);
}

TEST_CASE("Cond over an RWMutex's read side (RLocker)", "[sync]") {
  export_test::GOMAXPROCSScope procs(2);
  sync::RWMutex rw;
  sync::Cond c(rw.RLocker());
  std::atomic<bool> ready{false};
  constexpr int n = 4;
  sync::WaitGroup wg;
  wg.Add(n);
  for (int i = 0; i < n; i++)
    go([&] {
      c.L.Lock();
      while (!ready.load()) c.Wait();
      c.L.Unlock();
      wg.Done();
    });
  yieldUntil([&] { return X::notifyWait(c) == n; });
  rw.Lock();  // all readers are inside Wait (they released the read lock)
  ready = true;
  rw.Unlock();
  c.Broadcast();
  wg.Wait();
}
