// time_test.cpp — runtime/time.cpp: the per-P timer heaps and package
// time's Sleep, After, Timer (Stop/Reset), AfterFunc.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "runtime/go.h"

#include "export_test.h"
#include "testprog_run.h"

namespace rt = gort::runtime;
namespace gtime = gort::time;
using namespace std::chrono_literals;

TEST_CASE("a P's timers fire in deadline order, whatever order they were added in", "[time]") {
  // One P: no other P may steal and run them concurrently.
  export_test::GOMAXPROCSScope procs(1);
  constexpr int N = 64;
  struct rec {
    rt::timer t{};
    int k = 0;
    std::atomic<int>* next;
    int* order;
    export_test::Latch* done;
  };
  std::atomic<int> next{0};
  std::vector<int> order(N, -1);
  export_test::Latch done;
  std::vector<std::unique_ptr<rec>> recs;
  std::vector<int> ks(N);
  for (int k = 0; k < N; k++) ks[k] = k;
  std::shuffle(ks.begin(), ks.end(), std::mt19937(42));
  int64_t base = rt::nanotime() + 2 * 1000 * 1000;
  // Unpreempted while adding: a preemption (sysmon's, once this slice has
  // run 10 ms, as under ASan on a loaded machine) schedules, and checkTimers
  // would run the due timers before earlier ones are even added.
  std::optional<rt::NoPreempt> np(std::in_place);
  for (int k : ks) {
    auto r = std::make_unique<rec>();
    r->k = k;
    r->next = &next;
    r->order = order.data();
    r->done = &done;
    r->t.when = base + int64_t(k) * 10 * 1000;  // 10us apart
    r->t.f = [](void* arg, uintptr_t) {
      auto* r = static_cast<rec*>(arg);
      r->order[r->next->fetch_add(1)] = r->k;
      r->done->Done();
    };
    r->t.arg = r.get();
    export_test::AddTimer(&r->t);
    recs.push_back(std::move(r));
  }
  np.reset();
  done.Wait(N);
  for (int i = 0; i < N; i++) {
    INFO("position " << i);
    REQUIRE(order[i] == i);
  }
  for (auto& r : recs) REQUIRE(r->t.status.load() == rt::timerNoStatus);
}

TEST_CASE("Sleep: sleepers due in one scheduler pass run in Go's order", "[time]") {
  // Go's rule: checkTimers runs due timers in deadline order; each
  // goroutineReady puts its g in runnext, pushing the previous one to the
  // tail of the run queue. So the last deadline runs first, then the rest
  // in deadline order.
  export_test::GOMAXPROCSScope procs(1);
  constexpr int N = 8;
  gort::chan<int> out(N);
  std::vector<std::atomic<rt::g*>> gs(N);
  std::vector<int64_t> when(N);
  std::atomic<bool> armed{false}, early{false};
  export_test::ExitTracker exited;
  for (int i = 0; i < N; i++) {
    gort::go([&, i] {
      exited.Track();
      gs[i] = export_test::Curg();
      gtime::Sleep(50ms + std::chrono::microseconds(i));
      if (!armed) early = true;
      when[i] = rt::getg()->timer->when;  // the deadline its timer fired for
      out.send(i);
    });
  }
  // Wait until every sleeper is parked in "sleep".
  for (;;) {
    bool all = true;
    for (auto& g : gs) all = all && export_test::ParkedOn(g.load(), rt::waitReasonSleep);
    if (all || early) break;
    rt::Gosched();
  }
  int64_t last = 0;
  {
    // Hold the only P, without being preempted, until every deadline has
    // passed: then they all fire in the one checkTimers pass that the
    // receive below starts.
    rt::NoPreempt np;
    armed = true;
    for (auto& g : gs) last = std::max(last, g.load()->timer->nextwhen);
    while (rt::nanotime() <= last) {
    }
  }
  std::vector<int> got;
  for (int i = 0; i < N; i++) got.push_back(out.recv());
  exited.Wait();
  if (early) {
    WARN("a sleeper woke before all were parked (machine too slow for 50ms); order not checked");
    return;
  }
  std::vector<int> byWhen(N);
  for (int i = 0; i < N; i++) byWhen[i] = i;
  std::sort(byWhen.begin(), byWhen.end(), [&](int a, int b) { return when[a] < when[b]; });
  std::vector<int> want;
  want.push_back(byWhen[N - 1]);
  for (int i = 0; i < N - 1; i++) want.push_back(byWhen[i]);
  REQUIRE(got == want);
}

TEST_CASE("Sleep: returns after at least d, and at once for d <= 0", "[time]") {
  for (auto d : {1ms, 3ms}) {
    auto t0 = gtime::Now();
    gtime::Sleep(d);
    REQUIRE(gtime::Since(t0) >= d);
  }
  // No park: the goroutine's timer is never armed.
  gtime::Sleep(0ms);
  gtime::Sleep(-5ms);
}

TEST_CASE("Sleep: many goroutines sleeping on every P all wake", "[time]") {
  constexpr int N = 2000 / export_test::TSanDivisor;
  export_test::GOMAXPROCSScope procs(4);
  gort::sync::WaitGroup wg;
  std::atomic<int> woke{0};
  export_test::ExitTracker exited;
  wg.Add(N);
  for (int i = 0; i < N; i++) {
    gort::go([&, i] {
      exited.Track();
      auto t0 = gtime::Now();
      auto d = std::chrono::microseconds((i * 7919) % 3000);
      gtime::Sleep(d);
      if (gtime::Since(t0) >= d) woke++;
      wg.Done();
    });
  }
  wg.Wait();
  exited.Wait();
  REQUIRE(woke.load() == N);
}

TEST_CASE("After: delivers the current time once, on a buffered channel", "[time]") {
  auto t0 = gtime::Now();
  gort::chan<gtime::Time> c = gtime::After(1ms);
  REQUIRE(c.cap() == 1);
  gtime::Time t = c.recv();
  REQUIRE(!t.IsZero());
  REQUIRE(t.Sub(t0) >= 1ms);
  REQUIRE(c.len() == 0);
}

TEST_CASE("After: a select times out on a channel nobody sends to", "[time]") {
  gort::chan<int> never;
  bool timedOut = false;
  gort::select(gort::on_recv(never, [](int, bool) { FAIL("received from a silent channel"); }),
               gort::on_recv(gtime::After(2ms), [&](gtime::Time, bool) { timedOut = true; }));
  REQUIRE(timedOut);
}

TEST_CASE("Timer: Stop and Reset report whether the timer was active, as Go's do", "[time]") {
  SECTION("a pending timer stops once") {
    gtime::Timer t = gtime::NewTimer(1h);
    REQUIRE(t.Stop());
    REQUIRE_FALSE(t.Stop());
    // Reset of a stopped timer: it was not active.
    REQUIRE_FALSE(t.Reset(1h));
    // Reset of a pending timer: it was.
    REQUIRE(t.Reset(1h));
    REQUIRE(t.Stop());
  }
  SECTION("a fired timer cannot be stopped, and fires again after Reset") {
    gtime::Timer t = gtime::NewTimer(1ms);
    t.C.recv();
    REQUIRE_FALSE(t.Stop());
    REQUIRE_FALSE(t.Reset(1ms));
    t.C.recv();
    REQUIRE_FALSE(t.Stop());
  }
  SECTION("Reset to earlier makes a far timer fire soon") {
    gtime::Timer t = gtime::NewTimer(1h);
    REQUIRE(t.Reset(1ms));
    gtime::Time got = t.C.recv();
    REQUIRE(!got.IsZero());
  }
  SECTION("Reset to later on another goroutine's P") {
    export_test::GOMAXPROCSScope procs(2);
    gtime::Timer t = gtime::NewTimer(2ms);
    gort::chan<bool> done;
    export_test::ExitTracker exited;
    gort::go([&] {
      exited.Track();
      t.Reset(3ms);  // modtimer: timerModifiedLater on the creating P's heap
      done.send(true);
    });
    done.recv();
    t.C.recv();
    exited.Wait();
  }
  SECTION("a stopped timer sends nothing") {
    // Stop races the 1 ms deadline (a slow run, e.g. under TSan, lets
    // another P's M run the timer first): either Stop stopped it and
    // nothing is sent even after the deadline, or it had fired already
    // and its value waits in the channel.
    gtime::Timer t = gtime::NewTimer(1ms);
    bool stopped = t.Stop();
    bool fired = false;
    gort::select(gort::on_recv(t.C, [&](gtime::Time, bool) { fired = true; }),
                 gort::on_recv(gtime::After(5ms), [](gtime::Time, bool) {}));
    REQUIRE(fired == !stopped);
  }
  SECTION("a pending timer whose channel is still held fires after its last copy goes") {
    // Go's GC never collects a pending timer: c := time.NewTimer(d).C works.
    gort::chan<gtime::Time> c = gtime::NewTimer(1ms).C;
    REQUIRE_FALSE(c.recv().IsZero());
    gort::chan<gtime::Time> c2 = gort::chan<gtime::Time>::nil();
    {
      gtime::Timer t = gtime::NewTimer(1h);
      gtime::Timer copy = t;
      c2 = std::move(copy.C);
      REQUIRE(t.Reset(1ms));
    }
    REQUIRE_FALSE(c2.recv().IsZero());
  }
}

TEST_CASE("AfterFunc: f runs though no handle is kept, as after Go's time.AfterFunc(d, f)", "[time]") {
  gort::chan<int> ran(2);
  gtime::AfterFunc(1ms, [ran] { ran.send(1); });
  REQUIRE(ran.recv() == 1);
  {
    gtime::Timer t = gtime::AfterFunc(1h, [ran] { ran.send(2); });
    REQUIRE(t.Reset(1ms));
  }
  REQUIRE(ran.recv() == 2);
}

TEST_CASE("Ticker: a ticker whose channel is still held ticks on after its last copy goes", "[time]") {
  // Go: c := time.NewTicker(d).C; an unstopped ticker is never collected.
  gort::chan<gtime::Time> c = gtime::NewTicker(1ms).C;
  gtime::Time a = c.recv();
  gtime::Time b = c.recv();
  REQUIRE(a.Before(b));
}

TEST_CASE("AfterFunc: runs f in its own goroutine, unless stopped first", "[time]") {
  gort::chan<int64_t> ran(1);
  int64_t self = export_test::Goid();
  export_test::ExitTracker exited;
  gtime::Timer t = gtime::AfterFunc(1ms, [ran, &exited] {
    exited.Track();
    ran.send(export_test::Goid());
  });
  int64_t id = ran.recv();
  exited.Wait();
  REQUIRE(id != self);
  REQUIRE_FALSE(t.Stop());

  std::atomic<bool> called{false};
  gtime::Timer t2 = gtime::AfterFunc(1h, [&called] { called = true; });
  REQUIRE(t2.Stop());
  REQUIRE_FALSE(called.load());
}

TEST_CASE("AfterFunc: every firing calls the one function, so its state carries over a Reset", "[time]") {
  // Go's goFunc runs `go f()` with the one func value each time the timer
  // fires; a closure's variables are the same variables at every firing.
  // Here the state is a by-value capture of a mutable lambda: a copy per
  // firing would count 1 and 1.
  gort::chan<int> counts(2);
  export_test::ExitTracker exited;
  gtime::Timer t = gtime::AfterFunc(1ms, [counts, &exited, n = 0]() mutable {
    exited.Track();
    counts.send(++n);
  });
  REQUIRE(counts.recv() == 1);
  REQUIRE_FALSE(t.Reset(1ms));  // it had fired: not active
  REQUIRE(counts.recv() == 2);
  exited.Wait();
}

TEST_CASE("Timer: many goroutines churn Stop and Reset on shared heaps", "[time]") {
  export_test::GOMAXPROCSScope procs(4);
  constexpr int G = 16, N = 200 / export_test::TSanDivisor;
  gort::sync::WaitGroup wg;
  std::atomic<int> fired{0};
  export_test::ExitTracker exited;
  wg.Add(G);
  for (int g = 0; g < G; g++) {
    gort::go([&, g] {
      exited.Track();
      for (int i = 0; i < N; i++) {
        gtime::Timer t = gtime::NewTimer(std::chrono::microseconds(100 + (g * 37 + i * 11) % 500));
        if ((i + g) % 3 == 0) {
          if (!t.Stop()) t.C.recv();  // drain a timer that fired first
          t.Reset(std::chrono::microseconds(50));
        }
        if ((i + g) % 3 == 1) {
          t.Stop();  // and drop it: ~Timer hands it back to its heap to free
          continue;
        }
        t.C.recv();
        fired++;
      }
      wg.Done();
    });
  }
  wg.Wait();
  exited.Wait();
  int want = 0;
  for (int g = 0; g < G; g++)
    for (int i = 0; i < N; i++) want += (i + g) % 3 != 1;
  REQUIRE(fired.load() == want);
}

TEST_CASE("procresize: a destroyed P's timers move to a remaining P and still fire", "[time]") {
  int old = rt::GOMAXPROCS(4);
  constexpr int N = 32;
  struct rec {
    rt::timer t{};
    export_test::Latch* done;
  };
  export_test::Latch done;
  std::vector<std::unique_ptr<rec>> recs;
  // Put timers straight onto P 3's heap, as if a goroutine running there
  // had started them (the world is not stopped, so take its timersLock).
  rt::p* p3 = rt::allp[3];
  int64_t base = rt::nanotime() + 20 * 1000 * 1000;
  rt::lock(&p3->timersLock);
  for (int i = 0; i < N; i++) {
    auto r = std::make_unique<rec>();
    r->done = &done;
    r->t.when = base + i;
    r->t.f = [](void* arg, uintptr_t) { static_cast<rec*>(arg)->done->Done(); };
    r->t.arg = r.get();
    r->t.status.store(rt::timerWaiting);
    rt::doaddtimer(p3, &r->t);
    recs.push_back(std::move(r));
  }
  rt::unlock(&p3->timersLock);
  rt::GOMAXPROCS(1);  // stopTheWorld, procresize(1): P 3 is destroyed
  REQUIRE(export_test::TimersOn(p3) == 0);
  REQUIRE(p3->numTimers.load() == 0);
  rt::p* p0 = rt::allp[0];
  for (auto& r : recs) {
    // Either still pending, now on the one P left, or already fired.
    uint32_t s = r->t.status.load();
    if (s != rt::timerNoStatus) {
      REQUIRE(s == rt::timerWaiting);
      REQUIRE(r->t.pp == p0);
    }
  }
  done.Wait(N);
  rt::GOMAXPROCS(old);
}

TEST_CASE("procresize: sleepers and churning timers survive GOMAXPROCS going up and down", "[time]") {
  int old = rt::GOMAXPROCS(4);
  constexpr int G = 8, Resizes = 40;
  std::atomic<bool> stop{false};
  std::atomic<int> rounds{0};
  export_test::ExitTracker exited;
  gort::sync::WaitGroup wg;
  wg.Add(G);
  for (int g = 0; g < G; g++) {
    gort::go([&, g] {
      exited.Track();
      for (int i = 0; !stop.load(); i++) {
        // Deleted, modified-earlier and modified-later timers on whatever
        // P this runs on, for moveTimers to find when that P is destroyed.
        gtime::Timer far = gtime::NewTimer(1h);
        gtime::Timer t = gtime::NewTimer(std::chrono::microseconds(200 + 50 * g));
        if (i % 2 == 0)
          far.Stop();
        else
          far.Reset(30min);
        t.Reset(std::chrono::microseconds(100));  // earlier
        t.C.recv();
        gtime::Sleep(std::chrono::microseconds(50 * (i % 4)));
        rounds++;
      }
      wg.Done();
    });
  }
  // Each resize stops the world and, going down, destroys Ps with timers.
  for (int k = 0; k < Resizes; k++) {
    rt::GOMAXPROCS(k % 2 == 0 ? 1 : 4);
    gtime::Sleep(std::chrono::microseconds(200));
  }
  stop = true;
  wg.Wait();
  exited.Wait();
  rt::GOMAXPROCS(old);
  REQUIRE(rounds.load() > 0);
}

TEST_CASE("checkdead: no deadlock while a timer is pending, a deadlock once none is", "[time][crash]") {
  auto r = testprog::run("SleepThenDeadlock");
  INFO(r.output);
  REQUIRE(r.output.rfind("slept\nfatal error: all goroutines are asleep - deadlock!\n", 0) == 0);
  REQUIRE(r.exitStatus == 2);
}

TEST_CASE("checkdead: a goroutine parked in a timer's future is not a deadlock", "[time][crash]") {
  auto r = testprog::run("SleepWhileOthersBlock");
  INFO(r.output);
  REQUIRE(r.output == "woke\n");
  REQUIRE(r.exitStatus == 0);
}

TEST_CASE("a goroutine that does nothing but timer calls yields its P when sysmon asks", "[time][preempt]") {
  // Signals off: only the cooperative check in the timer calls
  // (preemptPoint) can take the only P from the looping goroutine; without
  // it main never runs again and the bound kills the program.
  for (const char* scenario : {"TimerResetLoopYields", "AfterFuncLoopYields"}) {
    auto r = testprog::run(scenario, {"GODEBUG=asyncpreemptoff=1"}, 30);
    INFO(scenario << ": " << r.output);
    REQUIRE(r.output == "OK\n");
    REQUIRE(r.exitStatus == 0);
  }
}
