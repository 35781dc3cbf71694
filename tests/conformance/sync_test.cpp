// sync_test.cpp — ports of Go 1.19's sync tests: mutex_test.go,
// rwmutex_test.go, waitgroup_test.go, once_test.go, cond_test.go.
//
// Go's tests talk over channels. So that sync's tests rest on nothing but
// sync and the scheduler, a buffered channel that main drains becomes an
// export_test::Latch (a count main waits on; Go's non-blocking "select {
// case <-ch: Fatal; default: }" becomes a look at the count), and a
// channel used as a gate becomes a sync::WaitGroup. Where Go's goroutines call t.Error, gort's
// set a flag that main checks. C++ locals don't outlive their scope the
// way Go's escaped variables do, so each test waits for its goroutines
// before returning, and a goroutine's last touch of shared state is a
// Done that main waits for.
//
// TestCondCopy is a compile-time check here: gort's Cond has no copy
// constructor, so the copy Go's copyChecker catches at run time cannot be
// written.
#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <chrono>
#include <string>
#include <type_traits>
#include <vector>

#include "export_test.h"
#include "runtime/go.h"
#include "testprog_run.h"

using namespace gort;
namespace rt = gort::runtime;

// ===========================================================================
// mutex_test.go
// ===========================================================================

namespace {
// mutex_test.go: HammerSemaphore
void HammerSemaphore(std::atomic<uint32_t>* s, int loops, export_test::Latch* cdone) {
  for (int i = 0; i < loops; i++) {
    rt::sync_runtime_Semacquire(s);
    rt::sync_runtime_Semrelease(s, false, 0);
  }
  cdone->Done();
}

// mutex_test.go: HammerMutex
void HammerMutex(sync::Mutex* m, int loops, export_test::Latch* cdone) {
  for (int i = 0; i < loops; i++) {
    if (i % 3 == 0) {
      if (m->TryLock()) m->Unlock();
      continue;
    }
    m->Lock();
    m->Unlock();
  }
  cdone->Done();
}
}  // namespace

TEST_CASE("TestSemaphore: ten goroutines hammer one semaphore", "[conformance][sync]") {
  std::atomic<uint32_t> s{1};
  export_test::Latch c;
  for (int i = 0; i < 10; i++) go(HammerSemaphore, &s, 1000, &c);
  c.Wait(10);
  REQUIRE(s.load() == 1);
}

TEST_CASE("TestMutex: TryLock fails on a locked mutex, and ten goroutines hammer Lock/TryLock/Unlock",
          "[conformance][sync]") {
  sync::Mutex m;
  m.Lock();
  REQUIRE_FALSE(m.TryLock());  // TryLock succeeded with mutex locked
  m.Unlock();
  REQUIRE(m.TryLock());  // TryLock failed with mutex unlocked
  m.Unlock();

  export_test::Latch c;
  for (int i = 0; i < 10; i++) go(HammerMutex, &m, 1000, &c);
  c.Wait(10);
  REQUIRE(gort::sync::exportTest::state(m) == 0);
}

TEST_CASE("TestMutexMisuse: unlocking an unlocked Mutex or RWMutex is a fatal error about an unlocked lock",
          "[conformance][sync]") {
  for (const char* name : {"Mutex.Unlock", "Mutex.Unlock2", "RWMutex.Unlock", "RWMutex.Unlock2", "RWMutex.Unlock3",
                           "RWMutex.RUnlock", "RWMutex.RUnlock2", "RWMutex.RUnlock3"}) {
    auto r = testprog::run(name);
    INFO(name << ": " << r.output);
    REQUIRE(r.exitStatus == 2);
    REQUIRE(r.output.rfind("fatal error: sync: ", 0) == 0);
    REQUIRE(r.output.find("unlocked") != std::string::npos);
    REQUIRE(r.output.find("test completed") == std::string::npos);
  }
}

// ===========================================================================
// rwmutex_test.go
// ===========================================================================

namespace {
// rwmutex_test.go: parallelReader
void parallelReader(sync::RWMutex* m, sync::WaitGroup* clocked, sync::WaitGroup* cunlock, sync::WaitGroup* cdone) {
  m->RLock();
  clocked->Done();
  cunlock->Wait();
  m->RUnlock();
  cdone->Done();
}

// rwmutex_test.go: doTestParallelReaders
void doTestParallelReaders(int numReaders, int gomaxprocs) {
  rt::GOMAXPROCS(gomaxprocs);
  sync::RWMutex m;
  sync::WaitGroup clocked, cunlock, cdone;
  clocked.Add(numReaders);
  cunlock.Add(1);
  cdone.Add(numReaders);
  for (int i = 0; i < numReaders; i++) go(parallelReader, &m, &clocked, &cunlock, &cdone);
  // Wait for all parallel RLock()s to succeed.
  clocked.Wait();
  cunlock.Done();
  // Wait for the goroutines to finish.
  cdone.Wait();
}

// rwmutex_test.go: reader
void reader(sync::RWMutex* rwm, int num_iterations, std::atomic<int32_t>* activity, std::atomic<bool>* failed,
            export_test::Latch* cdone) {
  for (int i = 0; i < num_iterations; i++) {
    rwm->RLock();
    int32_t n = activity->fetch_add(1) + 1;
    if (n < 1 || n >= 10000) *failed = true;  // Go: panic(fmt.Sprintf("wlock(%d)\n", n))
    for (int k = 0; k < 100; k++) asm volatile("");  // Go: an empty loop, kept
    activity->fetch_add(-1);
    rwm->RUnlock();
  }
  cdone->Done();
}

// rwmutex_test.go: writer
void writer(sync::RWMutex* rwm, int num_iterations, std::atomic<int32_t>* activity, std::atomic<bool>* failed,
            export_test::Latch* cdone) {
  for (int i = 0; i < num_iterations; i++) {
    rwm->Lock();
    int32_t n = activity->fetch_add(10000) + 10000;
    if (n != 10000) *failed = true;
    for (int k = 0; k < 100; k++) asm volatile("");  // Go: an empty loop, kept
    activity->fetch_add(-10000);
    rwm->Unlock();
  }
  cdone->Done();
}

// rwmutex_test.go: HammerRWMutex
void HammerRWMutex(int gomaxprocs, int numReaders, int num_iterations) {
  rt::GOMAXPROCS(gomaxprocs);
  // Number of active readers + 10000 * number of active writers.
  std::atomic<int32_t> activity{0};
  std::atomic<bool> failed{false};
  sync::RWMutex rwm;
  export_test::Latch cdone;
  go(writer, &rwm, num_iterations, &activity, &failed, &cdone);
  int i;
  for (i = 0; i < numReaders / 2; i++) go(reader, &rwm, num_iterations, &activity, &failed, &cdone);
  go(writer, &rwm, num_iterations, &activity, &failed, &cdone);
  for (; i < numReaders; i++) go(reader, &rwm, num_iterations, &activity, &failed, &cdone);
  // Wait for the 2 writers and all readers to finish.
  cdone.Wait(2 + numReaders);
  INFO("GOMAXPROCS " << gomaxprocs << ", " << numReaders << " readers");
  REQUIRE_FALSE(failed.load());
}
}  // namespace

TEST_CASE("TestParallelReaders: many readers hold the read lock at once", "[conformance][sync]") {
  export_test::GOMAXPROCSScope procs(rt::GOMAXPROCS(-1));
  doTestParallelReaders(1, 4);
  doTestParallelReaders(3, 4);
  doTestParallelReaders(4, 2);
}

TEST_CASE("TestRWMutex: TryLock/TryRLock, and readers and writers exclude each other under hammering",
          "[conformance][sync]") {
  sync::RWMutex m;

  m.Lock();
  REQUIRE_FALSE(m.TryLock());   // TryLock succeeded with mutex locked
  REQUIRE_FALSE(m.TryRLock());  // TryRLock succeeded with mutex locked
  m.Unlock();

  REQUIRE(m.TryLock());  // TryLock failed with mutex unlocked
  m.Unlock();

  REQUIRE(m.TryRLock());  // TryRLock failed with mutex unlocked
  REQUIRE(m.TryRLock());  // TryRLock failed with mutex rlocked
  REQUIRE_FALSE(m.TryLock());  // TryLock succeeded with mutex rlocked
  m.RUnlock();
  m.RUnlock();

  export_test::GOMAXPROCSScope procs(rt::GOMAXPROCS(-1));
  const int n = 100 / export_test::TSanDivisor;  // Go: 1000, or 5 with -short
  HammerRWMutex(1, 1, n);
  HammerRWMutex(1, 3, n);
  HammerRWMutex(1, 10, n);
  HammerRWMutex(4, 1, n);
  HammerRWMutex(4, 3, n);
  HammerRWMutex(4, 10, n);
  HammerRWMutex(10, 1, n);
  HammerRWMutex(10, 3, n);
  HammerRWMutex(10, 10, n);
  HammerRWMutex(10, 5, n);
}

TEST_CASE("TestRLocker: RLocker read-locks and respects the write lock", "[conformance][sync]") {
  sync::RWMutex wl;
  sync::Locker rl = wl.RLocker();
  export_test::Latch wlocked, rlocked;
  const int n = 10;
  go([&] {
    for (int i = 0; i < n; i++) {
      rl.Lock();
      rl.Lock();
      rlocked.Done();
      wl.Lock();
      wlocked.Done();
    }
  });
  for (int i = 0; i < n; i++) {
    rlocked.Wait(i + 1);
    rl.Unlock();
    REQUIRE(wlocked.Count() == i);  // RLocker() didn't read-lock it
    rl.Unlock();
    wlocked.Wait(i + 1);
    REQUIRE(rlocked.Count() == i + 1);  // RLocker() didn't respect the write lock
    wl.Unlock();
  }
}

// ===========================================================================
// waitgroup_test.go
// ===========================================================================

namespace {
// waitgroup_test.go: testWaitGroup
void testWaitGroup(sync::WaitGroup* wg1, sync::WaitGroup* wg2) {
  const int n = 16;
  wg1->Add(n);
  wg2->Add(n);
  export_test::Latch exited;
  for (int i = 0; i != n; i++)
    go([&] {
      wg1->Done();
      wg2->Wait();
      exited.Done();
    });
  wg1->Wait();
  for (int i = 0; i != n; i++) {
    REQUIRE(exited.Count() == 0);  // WaitGroup released group too soon
    wg2->Done();
  }
  exited.Wait(n);  // Will block if barrier fails to unlock someone.
}
}  // namespace

TEST_CASE("TestWaitGroup: a WaitGroup is a reusable barrier", "[conformance][sync]") {
  sync::WaitGroup wg1, wg2;
  // Run the same test a few times to ensure barrier is in a proper state.
  for (int i = 0; i != 8; i++) testWaitGroup(&wg1, &wg2);
}

TEST_CASE("TestWaitGroupMisuse: Done below zero panics with 'sync: negative WaitGroup counter'",
          "[conformance][sync]") {
  sync::WaitGroup wg;
  wg.Add(1);
  wg.Done();
  std::string err;
  try {
    wg.Done();
  } catch (const std::runtime_error& e) {  // Go: recover()
    err = e.what();
  }
  REQUIRE(err == "sync: negative WaitGroup counter");
}

TEST_CASE("TestWaitGroupRace: Wait does not return before both Dones", "[conformance][sync]") {
  for (int i = 0; i < 1000 / export_test::TSanDivisor; i++) {
    sync::WaitGroup wg;
    std::atomic<int32_t> n{0};
    // spawn goroutine 1
    wg.Add(1);
    go([&] {
      n++;
      wg.Done();
    });
    // spawn goroutine 2
    wg.Add(1);
    go([&] {
      n++;
      wg.Done();
    });
    // Wait for goroutine 1 and 2
    wg.Wait();
    REQUIRE(n.load() == 2);  // Spurious wakeup from Wait
  }
}

TEST_CASE("TestWaitGroupAlign: a WaitGroup after a byte works", "[conformance][sync]") {
  struct X {
    char x;
    sync::WaitGroup wg;
  } x;
  x.wg.Add(1);
  go([](X* x) { x->wg.Done(); }, &x);
  x.wg.Wait();
}

// ===========================================================================
// once_test.go
// ===========================================================================

namespace {
// once_test.go: run
void run(sync::Once* once, int* o, std::atomic<bool>* failed, export_test::Latch* c) {
  once->Do([o] { ++*o; });
  if (int v = *o; v != 1) *failed = true;  // once failed inside run: v is not 1
  c->Done();
}
}  // namespace

TEST_CASE("TestOnce: ten goroutines, one increment, all see it", "[conformance][sync]") {
  int o = 0;
  sync::Once once;
  std::atomic<bool> failed{false};
  export_test::Latch c;
  const int N = 10;
  for (int i = 0; i < N; i++) go(run, &once, &o, &failed, &c);
  c.Wait(N);
  REQUIRE_FALSE(failed.load());
  REQUIRE(o == 1);  // once failed outside run
}

TEST_CASE("TestOncePanic: a throwing f counts as done", "[conformance][sync]") {
  sync::Once once;
  bool threw = false;
  try {
    once.Do([] { throw std::runtime_error("failed"); });
  } catch (const std::runtime_error&) {  // Go: recover
    threw = true;
  }
  REQUIRE(threw);  // Once.Do did not panic

  bool calledTwice = false;
  once.Do([&] { calledTwice = true; });
  REQUIRE_FALSE(calledTwice);  // Once.Do called twice
}

// mutex_test.go: TestMutexFairness. One goroutine keeps taking the mutex
// and sleeping while holding it; another must still get it 10 times (Go's
// starvation mode). The 10-second bound is Go's, a guard against a hang,
// not a measurement.
TEST_CASE("TestMutexFairness: a goroutine gets a mutex another one keeps re-taking", "[conformance][sync]") {
  sync::Mutex mu;
  chan<bool> stop;
  export_test::ExitTracker exited;
  go([&mu, stop, &exited] {
    exited.Track();
    for (;;) {
      mu.Lock();
      time::Sleep(std::chrono::microseconds(100));
      mu.Unlock();
      bool stopped = false;
      select(on_recv(stop, [&] { stopped = true; }), on_default([] {}));
      if (stopped) return;
    }
  });
  chan<bool> done(1);
  go([&mu, done, &exited] {
    exited.Track();
    for (int i = 0; i < 10; i++) {
      time::Sleep(std::chrono::microseconds(100));
      mu.Lock();
      mu.Unlock();
    }
    done.send(true);
  });
  bool acquired = false;
  select(on_recv(done, [&] { acquired = true; }), on_recv(time::After(std::chrono::seconds(10)), [] {}));
  stop.close();  // Go: defer close(stop)
  exited.Wait();
  INFO("can't acquire Mutex in 10 seconds");
  REQUIRE(acquired);
}

// ===========================================================================
// cond_test.go
// ===========================================================================

// cond_test.go: TestCondCopy. Go panics with "sync.Cond is copied" when a
// copied Cond is used; gort's Cond can be neither copied nor moved, so the
// copy does not compile.
static_assert(!std::is_copy_constructible_v<sync::Cond> && !std::is_copy_assignable_v<sync::Cond> &&
                  !std::is_move_constructible_v<sync::Cond> && !std::is_move_assignable_v<sync::Cond>,
              "TestCondCopy: a sync::Cond must not be copyable");
TEST_CASE("TestCondCopy: a Cond cannot be copied (checked when this file compiles)", "[conformance][sync]") {
  // The static_assert above is the test; this case runs the Cond that the
  // Go test copies, so that its use is seen to work.
  sync::Mutex m;
  sync::Cond c(&m);
  c.Signal();
  SUCCEED("sync::Cond has no copy or move constructor or assignment");
}

TEST_CASE("TestCondSignal: each Signal wakes exactly one waiter", "[conformance][sync]") {
  sync::Mutex m;
  sync::Cond c(&m);
  int n = 2;
  export_test::Latch running, awake, exited;
  for (int i = 0; i < n; i++)
    go([&] {
      m.Lock();
      running.Done();
      c.Wait();
      awake.Done();
      m.Unlock();
      exited.Done();
    });
  running.Wait(n);  // Wait for everyone to run.
  int woke = 0;
  for (int left = n; left > 0; left--) {
    REQUIRE(awake.Count() == woke);  // goroutine not asleep
    m.Lock();
    c.Signal();
    m.Unlock();
    awake.Wait(++woke);  // Will deadlock if no goroutine wakes up
    REQUIRE(awake.Count() == woke);  // too many goroutines awake
  }
  c.Signal();
  exited.Wait(n);
}

TEST_CASE("TestCondSignalGenerations: Signal wakes the longest waiter", "[conformance][sync]") {
  sync::Mutex m;
  sync::Cond c(&m);
  const int n = 100;
  export_test::Latch running, awake, exited;
  std::vector<int> awakeOrder;  // appended under m
  for (int i = 0; i < n; i++) {
    go([&](int i) {
      m.Lock();
      running.Done();
      c.Wait();
      awakeOrder.push_back(i);
      awake.Done();
      m.Unlock();
      exited.Done();
    }, i);
    if (i > 0) {
      awake.Wait(i);
      m.Lock();
      int a = awakeOrder[i - 1];
      m.Unlock();
      INFO("wrong goroutine woke up: want " << i - 1 << ", got " << a);
      REQUIRE(a == i - 1);
    }
    running.Wait(i + 1);
    m.Lock();
    c.Signal();
    m.Unlock();
  }
  exited.Wait(n);
}

TEST_CASE("TestCondBroadcast: Broadcast wakes every waiter exactly once", "[conformance][sync]") {
  sync::Mutex m;
  sync::Cond c(&m);
  const int n = 200 / export_test::TSanDivisor;  // Go: 200 goroutines x 200 rounds
  export_test::Latch running, awake, exited;
  std::vector<int> awakeOrder;  // appended under m
  bool exit = false;
  for (int i = 0; i < n; i++)
    go([&](int g) {
      m.Lock();
      while (!exit) {
        running.Done();
        c.Wait();
        awakeOrder.push_back(g);
        awake.Done();
      }
      m.Unlock();
      exited.Done();
    }, i);
  for (int i = 0; i < n; i++) {
    running.Wait((i + 1) * n);  // Will deadlock unless n are running.
    if (i == n - 1) {
      m.Lock();
      exit = true;
      m.Unlock();
    }
    REQUIRE(awake.Count() == i * n);  // goroutine not asleep
    m.Lock();
    c.Broadcast();
    m.Unlock();
    awake.Wait((i + 1) * n);
    std::vector<bool> seen(n);
    m.Lock();
    for (int k = i * n; k < (i + 1) * n; k++) {
      int g = awakeOrder[k];
      INFO("goroutine woke up twice: " << g);
      REQUIRE_FALSE(seen[g]);
      seen[g] = true;
    }
    m.Unlock();
  }
  exited.Wait(n);
  REQUIRE(running.Count() == n * n);  // goroutine did not exit
  c.Broadcast();
}

TEST_CASE("TestRace: Cond hand-offs between three goroutines keep the protected state consistent",
          "[conformance][sync]") {
  int x = 0;
  sync::Mutex mu;
  sync::Cond c(&mu);
  std::atomic<bool> want2{false}, want3{false};
  export_test::Latch done;
  go([&] {
    c.L.Lock();
    x = 1;
    c.Wait();
    if (x != 2) want2 = true;
    x = 3;
    c.Signal();
    c.L.Unlock();
    done.Done();
  });
  go([&] {
    c.L.Lock();
    for (;;) {
      if (x == 1) {
        x = 2;
        c.Signal();
        break;
      }
      c.L.Unlock();
      rt::Gosched();
      c.L.Lock();
    }
    c.L.Unlock();
    done.Done();
  });
  go([&] {
    c.L.Lock();
    for (;;) {
      if (x == 2) {
        c.Wait();
        if (x != 3) want3 = true;
        break;
      }
      if (x == 3) break;
      c.L.Unlock();
      rt::Gosched();
      c.L.Lock();
    }
    c.L.Unlock();
    done.Done();
  });
  done.Wait(3);
  REQUIRE_FALSE(want2.load());
  REQUIRE_FALSE(want3.load());
}

TEST_CASE("TestCondSignalStealing: a Broadcast racing a new waiter still wakes the old waiter",
          "[conformance][sync]") {
  for (int iters = 0; iters < 1000 / export_test::TSanDivisor; iters++) {
    sync::Mutex m;
    sync::Cond cond(&m);
    bool done = false;
    export_test::Latch ch;
    sync::WaitGroup others;  // gort: the racers end before the locals do

    // Start a waiter.
    go([&] {
      m.Lock();
      ch.Done();
      cond.Wait();
      m.Unlock();

      ch.Done();
    });

    ch.Wait(1);
    m.Lock();
    m.Unlock();

    // We know that the waiter is in the cond.Wait() call because we
    // synchronized with it, then acquired/released the mutex it was
    // holding when we synchronized.
    //
    // Start two goroutines that will race: one will broadcast on the cond
    // var, the other will wait on it.
    //
    // The new waiter may or may not get notified, but the first one has
    // to be notified.
    others.Add(2);
    go([&] {
      cond.Broadcast();
      others.Done();
    });

    go([&] {
      m.Lock();
      while (!done) cond.Wait();
      m.Unlock();
      others.Done();
    });

    // Check that the first waiter does get signaled. (Go gives up after
    // 2 s; here a lost wakeup hangs or ends in the deadlock report.)
    ch.Wait(2);

    // Release the second waiter in case it didn't get the broadcast.
    m.Lock();
    done = true;
    m.Unlock();
    cond.Broadcast();
    others.Wait();
  }
}
