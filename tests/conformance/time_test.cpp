// time_test.cpp — ports of Go 1.19's package time tests that pin the timer
// machinery: time/sleep_test.go and time/tick_test.go, in their order.
//
// Go's timing checks are kept where they are lower bounds (Sleep(d) never
// returns before d, a stopped or reset timer does not fire early: those
// are behaviours). Upper bounds ("too slow", "took too long") are timing
// thresholds and are dropped; each site says so. Where Go retries a test
// to ride out a loaded machine, so does the port. Go's runtime.GC() calls
// have nothing to call here (no GC) and are dropped where they stand.
//
// A gort Timer handle's last copy stops a pending timer no one can see
// fire (a NewTimer whose channel nobody else holds); an AfterFunc, or a
// timer whose channel is held, fires as Go's does unreferenced. Ports
// keep the handles where Go's test keeps the *Timer. Durations Go runs
// only without -short (seconds long) are scaled down; each site says by
// how much.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "export_test.h"
#include "runtime/go.h"

using namespace gort;
namespace rt = gort::runtime;
namespace gtime = gort::time;
using gtime::Duration;
using namespace std::chrono_literals;

// ===========================================================================
// sleep_test.go
// ===========================================================================

// sleep_test.go: TestSleep
TEST_CASE("TestSleep: Sleep(d) sleeps for at least d while another goroutine sleeps d/2",
          "[conformance][time]") {
  const Duration delay = 100ms;
  export_test::ExitTracker exited;
  exited.Expect(1);  // the goroutine may not have run when main wakes
  go([&] {
    exited.Track();
    gtime::Sleep(delay / 2);
    // Go: Interrupt() (a no-op but on Windows)
  });
  gtime::Time start = gtime::Now();
  gtime::Sleep(delay);
  Duration duration = gtime::Now().Sub(start);
  INFO("Sleep(" << delay.count() << "ns) slept for only " << duration.count() << "ns");
  REQUIRE(duration >= delay);
  exited.Wait();
}

// sleep_test.go: TestAfterFunc
TEST_CASE("TestAfterFunc: AfterFunc(0, f) runs f in its own goroutine, eleven times in a chain",
          "[conformance][time]") {
  int i = 10;
  chan<bool> c;
  sync::Mutex mu;
  std::vector<gtime::Timer> timers;  // gort: the handles keep the timers armed
  export_test::ExitTracker exited;
  std::function<void()> f;
  f = [&] {
    exited.Track();
    i--;
    if (i >= 0) {
      gtime::Timer t = gtime::AfterFunc(0ns, f);
      mu.Lock();
      timers.push_back(t);
      mu.Unlock();
      // Go sleeps 1s: a timer function that blocked the timers would hang
      // the chain. gort: 10ms, as the test then waits for every goroutine.
      gtime::Sleep(10ms);
    } else {
      c.send(true);
    }
  };
  mu.Lock();
  timers.push_back(gtime::AfterFunc(0ns, f));
  mu.Unlock();
  c.recv();
  REQUIRE(i == -1);
  exited.Wait();
}

// sleep_test.go: TestAfterStress
TEST_CASE("TestAfterStress: a 1ns Ticker delivers 100 ticks while another goroutine sleeps 1ns in a loop",
          "[conformance][time]") {
  std::atomic<uint32_t> stop{0};
  export_test::ExitTracker exited;
  exited.Expect(1);  // the goroutine may not have run when the ticks are in
  go([&] {
    exited.Track();
    while (stop.load() == 0) {
      // Go: runtime.GC() (no GC here). Yield so that the OS can wake up
      // the timer thread, so that it can generate channel sends for the
      // main goroutine, which will eventually set stop = 1 for us.
      gtime::Sleep(1ns);
    }
  });
  gtime::Ticker ticker = gtime::NewTicker(1ns);
  for (int i = 0; i < 100; i++) ticker.C.recv();
  ticker.Stop();
  stop.store(1);
  exited.Wait();
}

// sleep_test.go: TestAfter
TEST_CASE("TestAfter: After(d) sends a time at least d after the call, no earlier than d has passed",
          "[conformance][time]") {
  const Duration delay = 100ms;
  gtime::Time start = gtime::Now();
  gtime::Time end = gtime::After(delay).recv();
  Duration duration = gtime::Now().Sub(start);
  INFO("After(" << delay.count() << "ns) slept for only " << duration.count() << " ns");
  REQUIRE(duration >= delay);
  // "After(delay) expect >= start+delay"
  REQUIRE_FALSE(end.Before(start.Add(delay)));
}

// sleep_test.go: TestAfterTick
TEST_CASE("TestAfterTick: ten After(10ms) in a row take at least 100ms", "[conformance][time]") {
  constexpr int Count = 10;
  const Duration Delta = 10ms;  // Go's -short value (100ms otherwise)
  gtime::Time t0 = gtime::Now();
  for (int i = 0; i < Count; i++) gtime::After(Delta).recv();
  gtime::Time t1 = gtime::Now();
  Duration d = t1.Sub(t0);
  Duration target = Delta * Count;
  INFO(Count << " ticks of " << Delta.count() << "ns too fast: took " << d.count() << "ns");
  // Go allows target*9/10 for coarse clocks; each After waits at least
  // Delta here. Go's "too slow" check (> 3x) is a timing threshold: dropped.
  REQUIRE(d >= target);
}

// sleep_test.go: TestAfterStop
TEST_CASE("TestAfterStop: a stopped Timer and AfterFunc never fire, and a second Stop returns false",
          "[conformance][time]") {
  // We want to test that we stop a timer before it runs. We also want to
  // test that it didn't run after a longer timer. Since we don't want the
  // test to run for too long, we don't want to use lengthy times. That
  // makes the test inherently flaky. So only report an error if it fails
  // five times in a row.
  std::vector<std::string> errs;
  bool passed = false;
  for (int i = 0; i < 5 && !passed; i++) {
    gtime::Timer t00 = gtime::AfterFunc(100ms, [] {});  // gort: kept, so it stays armed
    gtime::Timer t0 = gtime::NewTimer(50ms);
    chan<bool> c1(1);
    gtime::Timer t1 = gtime::AfterFunc(150ms, [c1] { c1.send(true); });
    chan<gtime::Time> c2 = gtime::After(200ms);
    if (!t0.Stop()) {
      errs.push_back("failed to stop event 0");
      continue;
    }
    if (!t1.Stop()) {
      errs.push_back("failed to stop event 1");
      continue;
    }
    c2.recv();
    bool fired0 = false, fired1 = false;
    select(on_recv(t0.C, [&](gtime::Time, bool) { fired0 = true; }),
           on_recv(c1, [&](bool, bool) { fired1 = true; }), on_default([] {}));
    if (fired0) {
      errs.push_back("event 0 was not stopped");
      continue;
    }
    if (fired1) {
      errs.push_back("event 1 was not stopped");
      continue;
    }
    if (t1.Stop()) {
      errs.push_back("Stop returned true twice");
      continue;
    }
    // Test passed, so all done.
    passed = true;
  }
  for (const auto& e : errs) INFO(e);
  REQUIRE(passed);
}

namespace {
// sleep_test.go: slots
const std::vector<int> slots = {5, 3, 6, 6, 6, 1, 1, 2, 7, 9, 4, 8, 0};

// sleep_test.go: afterResult
struct afterResult {
  int slot = 0;
  gtime::Time t;
};

// sleep_test.go: testAfterQueuing. An empty string is Go's nil error.
std::string testAfterQueuing(Duration delta) {
  // make the result channel buffered because we don't want to depend on
  // channel queueing semantics that might possibly change in the future.
  chan<afterResult> result(slots.size());

  gtime::Time t0 = gtime::Now();
  for (int slot : slots) {
    chan<gtime::Time> ac = gtime::After(slot * delta);
    // sleep_test.go: await
    go([slot, result, ac] { result.send(afterResult{slot, ac.recv()}); });
  }
  std::vector<int> order;
  std::vector<gtime::Time> times;
  for (size_t k = 0; k < slots.size(); k++) {
    afterResult r = result.recv();
    order.push_back(r.slot);
    times.push_back(r.t);
  }
  for (size_t i = 1; i < order.size(); i++) {
    if (order[i] < order[i - 1]) return "After calls returned out of order";
  }
  for (size_t i = 0; i < times.size(); i++) {
    Duration dt = times[i].Sub(t0);
    Duration target = order[i] * delta;
    // Go also fails dt > target+delta*10: a timing threshold, dropped.
    if (dt < target - delta / 2)
      return "After(" + std::to_string(target.count()) + "ns) arrived at " + std::to_string(dt.count()) + "ns";
  }
  return "";
}
}  // namespace

// sleep_test.go: TestAfterQueuing
TEST_CASE("TestAfterQueuing: thirteen Afters fire in deadline order, none early", "[conformance][time]") {
  // This test flakes out on some systems, so we'll try it a few times
  // before declaring it a failure.
  constexpr int attempts = 5;
  std::string err = "!=nil";
  for (int i = 0; i < attempts && !err.empty(); i++) {
    Duration delta = (20 + i * 50) * 1ms;
    err = testAfterQueuing(delta);
    if (!err.empty()) WARN("attempt " << i << " failed: " << err);
  }
  INFO(err);
  REQUIRE(err.empty());
}

// sleep_test.go: TestTimerStopStress
TEST_CASE("TestTimerStopStress: 100 AfterFuncs stopped by their goroutines never run once Stop said so",
          "[conformance][time]") {
  // Go runs it only without -short, with 2s timers stopped after 1s and a
  // 3s wait. gort: a tenth of that. Go fails whenever a timer fires; the
  // behaviour is that a timer whose Stop returned true never fires.
  constexpr int N = 100;
  std::vector<std::atomic<bool>> stopped(N), fired(N);
  export_test::Latch ran;  // every f that ran (gort: so none outlives the test)
  sync::WaitGroup wg;
  for (int i = 0; i < N; i++) {
    wg.Add(1);
    go([&, i] {
      gtime::Timer timer = gtime::AfterFunc(200ms, [&, i] {
        fired[i] = true;
        ran.Done();
      });
      gtime::Sleep(100ms);
      if (timer.Stop()) stopped[i] = true;
      wg.Done();
    });
  }
  wg.Wait();
  int notStopped = 0;
  for (int i = 0; i < N; i++) notStopped += stopped[i] ? 0 : 1;
  ran.Wait(notStopped);
  gtime::Sleep(200ms);  // past every deadline, as Go's Sleep(3s)
  REQUIRE(ran.Count() == notStopped);
  for (int i = 0; i < N; i++) {
    INFO("timer " << i << " was not stopped");
    REQUIRE_FALSE((stopped[i] && fired[i]));
  }
}

// sleep_test.go: TestSleepZeroDeadlock
TEST_CASE("TestSleepZeroDeadlock: Sleep(0) leaves the goroutine runnable", "[conformance][time]") {
  // Sleep(0) used to hang: it set G's status to Gwaiting, then returned
  // leaving the status; the next trip into the scheduler lost the G.
  export_test::GOMAXPROCSScope procs(4);
  chan<bool> c;
  go([c] {
    for (int i = 0; i < 100; i++) rt::Gosched();  // Go: runtime.GC()
    c.send(true);
  });
  for (int i = 0; i < 100; i++) {
    gtime::Sleep(0ns);
    chan<bool> tmp(1);
    tmp.send(true);
    tmp.recv();
  }
  c.recv();
}

namespace {
// sleep_test.go: testReset. An empty string is Go's nil error.
std::string testReset(Duration d) {
  gtime::Timer t0 = gtime::NewTimer(2 * d);
  gtime::Sleep(d);
  if (!t0.Reset(3 * d)) return "resetting unfired timer returned false";
  gtime::Sleep(2 * d);
  bool fired = false;
  select(on_recv(t0.C, [&](gtime::Time, bool) { fired = true; }), on_default([] {}));
  if (fired) return "timer fired early";
  gtime::Sleep(2 * d);
  fired = false;
  select(on_recv(t0.C, [&](gtime::Time, bool) { fired = true; }), on_default([] {}));
  if (!fired) return "reset timer did not fire";

  if (t0.Reset(50ms)) return "resetting expired timer returned true";
  return "";
}
}  // namespace

// sleep_test.go: TestReset
TEST_CASE("TestReset: Reset of a pending Timer returns true and moves its deadline; of a fired one, false",
          "[conformance][time]") {
  // We try to run this test with increasingly larger multiples until one
  // works so slow, loaded hardware isn't as flaky, but without slowing
  // down fast machines unnecessarily.
  const Duration unit = 25ms;
  std::string err;
  for (int k : {1, 3, 7, 15}) {
    err = testReset(k * unit);
    if (err.empty()) break;
  }
  INFO(err);
  REQUIRE(err.empty());
}

// sleep_test.go: TestOverflowSleep
TEST_CASE("TestOverflowSleep: a sleep so long it overflows neither returns early nor stalls other timers",
          "[conformance][time]") {
  const Duration big(INT64_MAX);
  static std::atomic<bool> bigSleepReturned{false};
  // gort: this goroutine sleeps for the rest of the process, as Go's does.
  go([big] {
    gtime::Sleep(big);
    // On failure, this may return after the test has completed.
    bigSleepReturned = true;
  });

  bool bigFired = false;
  select(on_recv(gtime::After(big), [&](gtime::Time, bool) { bigFired = true; }),
         on_recv(gtime::After(25ms), [](gtime::Time, bool) {}));
  REQUIRE_FALSE(bigFired);  // "big timeout fired"

  const Duration neg(INT64_MIN);
  gtime::Sleep(neg);  // Returns immediately.
  bool negFired = false;
  select(on_recv(gtime::After(neg), [&](gtime::Time, bool) { negFired = true; }),
         on_recv(gtime::After(1s), [](gtime::Time, bool) {}));
  REQUIRE(negFired);  // "negative timeout didn't fire"
  REQUIRE_FALSE(bigSleepReturned.load());
}

// sleep_test.go: TestIssue5745
TEST_CASE("TestIssue5745: a panic while stopping a timer leaves no timer lock held, so Ticker.Stop works",
          "[conformance][time]") {
  gtime::Ticker ticker = gtime::NewTicker(1h);
  bool panicked = false;
  try {
    // Go panics with a nil *Timer's segfault; a C++ null dereference is no
    // panic, so gort's panic here is the zero Timer's.
    gtime::Timer timer;
    timer.Stop();
    FAIL("Should be unreachable.");
  } catch (const std::runtime_error&) {  // Go: the deferred recover
    panicked = true;
  }
  // would deadlock here before the fix due to lock taken before the
  // segfault.
  ticker.Stop();
  REQUIRE(panicked);  // "Expected panic, but none happened."
}

// sleep_test.go: TestOverflowPeriodRuntimeTimer (internal_test.go:
// CheckRuntimeTimerPeriodOverflow)
TEST_CASE("TestOverflowPeriodRuntimeTimer: a periodic timer whose next time overflows is parked at maxWhen",
          "[conformance][time]") {
  // We manually create a runtimeTimer with huge period, but that expires
  // immediately. The public Timer interface would require waiting for the
  // entire period before the first update.
  struct arg {
    export_test::Latch ran;
    rt::timer* r = nullptr;
    int64_t next = 0;  // r->when as its f saw it: the next time to fire
  };
  auto* a = new arg;
  // gort: both stay allocated: the stopped timer may stay in a heap (Go's
  // GC keeps it while it is there). Kept reachable from a static, so that
  // LeakSanitizer is quiet once a later test's cleantimers drops it.
  auto* r = new rt::timer{};
  static std::vector<void*> kept;
  kept.push_back(a);
  kept.push_back(r);
  r->when = rt::nanotime();
  r->period = INT64_MAX;
  r->f = [](void* p, uintptr_t) {
    auto* a = static_cast<arg*>(p);
    a->next = a->r->when;
    a->ran.Done();
  };
  r->arg = a;
  a->r = r;
  rt::startTimer(r);

  // If this test fails, we will either throw (when siftdownTimer detects
  // bad when on update), or other timers will hang (if the timer in a heap
  // is in a bad state). gort: also wait for the one run and see its next
  // time clamped.
  a->ran.Wait(1);
  gtime::After(25ms).recv();
  REQUIRE(a->next == rt::maxWhen);
  REQUIRE(a->ran.Count() == 1);
  rt::stopTimer(r);  // Go: defer stopTimer(r)
}

namespace {
// sleep_test.go: checkZeroPanicString
template <class F>
void checkZeroPanicString(F f) {
  std::string s;
  try {
    f();
  } catch (const std::runtime_error& e) {  // Go: recover
    s = e.what();
  }
  const std::string want = "called on uninitialized Timer";
  INFO("panic = " << s << "; want substring " << want);
  REQUIRE(s.find(want) != std::string::npos);
}
}  // namespace

// sleep_test.go: TestZeroTimerResetPanics
TEST_CASE("TestZeroTimerResetPanics: Reset of a zero Timer panics 'called on uninitialized Timer'",
          "[conformance][time]") {
  checkZeroPanicString([] {
    gtime::Timer tr;
    tr.Reset(1ns);
  });
}

// sleep_test.go: TestZeroTimerStopPanics
TEST_CASE("TestZeroTimerStopPanics: Stop of a zero Timer panics 'called on uninitialized Timer'",
          "[conformance][time]") {
  checkZeroPanicString([] {
    gtime::Timer tr;
    tr.Stop();
  });
}

// sleep_test.go: TestZeroTimer
TEST_CASE("TestZeroTimer: zero-duration timers are never missed by the scheduler", "[conformance][time]") {
  // Go runs a million rounds, only without -short. gort: ten thousand; a
  // missed timer hangs the receive (Go's "< 2s" is a timing threshold).
  for (int i = 0; i < 10000; i++) {
    gtime::Timer ti = gtime::NewTimer(0ns);
    ti.C.recv();
  }
}

// sleep_test.go: TestTimerModifiedEarlier
TEST_CASE("TestTimerModifiedEarlier: a timer rapidly moved earlier is not dropped", "[conformance][time]") {
  // Go: past := Until(Unix(0, 0)).
  const Duration past = -Duration(gtime::Now().UnixNano());
  constexpr int count = 1000;
  int fail = 0;
  for (int i = 0; i < count; i++) {
    gtime::Timer timer = gtime::NewTimer(1h);
    for (int j = 0; j < 10; j++) {
      if (!timer.Stop()) timer.C.recv();
      timer.Reset(past);
    }

    gtime::Timer deadline = gtime::NewTimer(10s);  // stopped by its destructor (Go: defer)
    // Go fails a receive after more than 8s: a timing threshold, dropped.
    select(on_recv(timer.C, [](gtime::Time, bool) {}),
           on_recv(deadline.C, [&](gtime::Time, bool) { fail++; }));  // "deadline expired"
  }
  INFO(fail << " failures");
  REQUIRE(fail == 0);
}

// sleep_test.go: TestAdjustTimers
TEST_CASE("TestAdjustTimers: timers rapidly moved earlier and later lose none of their firings",
          "[conformance][time]") {
  std::mt19937_64 rnd(uint64_t(gtime::Now().UnixNano()));

  std::vector<gtime::Timer> timers(100);
  std::vector<int> states(timers.size(), 0);
  std::vector<int> indices(timers.size());
  std::iota(indices.begin(), indices.end(), 0);
  std::shuffle(indices.begin(), indices.end(), rnd);

  while (!indices.empty()) {
    size_t ii = std::uniform_int_distribution<size_t>(0, indices.size() - 1)(rnd);
    int i = indices[ii];

    gtime::Timer& timer = timers[size_t(i)];
    int state = states[size_t(i)]++;
    INFO("timer " << i << " state " << state);

    switch (state) {
      case 0:
        timer = gtime::NewTimer(0ns);
        break;
      case 1:
        timer.C.recv();  // Timer is now idle.
        break;

      // Reset to various long durations, which we'll cancel.
      case 2:
        REQUIRE_FALSE(timer.Reset(1min));  // "shouldn't be active (1)"
        break;
      case 4:
        REQUIRE_FALSE(timer.Reset(3min));  // "shouldn't be active (3)"
        break;
      case 6:
        REQUIRE_FALSE(timer.Reset(2min));  // "shouldn't be active (2)"
        break;

      // Stop and drain a long-duration timer.
      case 3:
      case 5:
      case 7:
        if (!timer.Stop()) timer.C.recv();
        break;

      // Start a short-duration timer we expect to select without blocking.
      case 8:
        REQUIRE_FALSE(timer.Reset(0ns));  // "timer.Reset returned true"
        break;
      case 9:
        // Go fails a receive after more than 750ms: a timing threshold.
        timer.C.recv();
        break;

      // Timer is done. Swap with tail and remove.
      case 10:
        indices[ii] = indices.back();
        indices.pop_back();
        break;
    }
  }
}

// ===========================================================================
// tick_test.go
// ===========================================================================

// tick_test.go: TestTicker
TEST_CASE("TestTicker: a Ticker reset to twice its period ticks no faster, and Stop ends the ticks",
          "[conformance][time]") {
  // We want to test that a ticker takes as much time as expected. Since
  // we don't want the test to run for too long, we don't want to use
  // lengthy times. This makes the test inherently flaky. Start with a
  // short time, but try again with a long one if the first test fails.
  // gort: the long one is 100ms, not Go's 1s.
  struct test {
    int count;
    Duration delta;
  };
  std::vector<std::string> errs;
  bool passed = false;
  for (test tc : {test{10, 20ms}, test{8, 100ms}}) {
    int count = tc.count;
    Duration delta = tc.delta;
    gtime::Ticker ticker = gtime::NewTicker(delta);
    gtime::Time t0 = gtime::Now();
    for (int i = 0; i < count / 2; i++) ticker.C.recv();
    ticker.Reset(delta * 2);
    for (int i = count / 2; i < count; i++) ticker.C.recv();
    ticker.Stop();
    gtime::Time t1 = gtime::Now();
    Duration dt = t1.Sub(t0);
    Duration target = 3 * delta * (count / 2);
    Duration slop = target * 3 / 10;
    // Go also fails dt > target+slop: a timing threshold, dropped.
    if (dt < target - slop) {
      errs.push_back(std::to_string(count / 2) + " ticks then " + std::to_string(count / 2) + " doubled took " +
                     std::to_string(dt.count()) + "ns, expected at least " + std::to_string((target - slop).count()));
      continue;
    }
    // Now test that the ticker stopped.
    gtime::Sleep(2 * delta);
    bool ticked = false;
    select(on_recv(ticker.C, [&](gtime::Time, bool) { ticked = true; }), on_default([] {}));
    if (ticked) {
      errs.push_back("Ticker did not shut down");
      continue;
    }
    // Test passed, so all done.
    passed = true;
    break;
  }
  for (const auto& e : errs) INFO(e);
  REQUIRE(passed);
}

// tick_test.go: TestTickerStopWithDirectInitialization
TEST_CASE("TestTickerStopWithDirectInitialization: Stop of a Ticker with only C set does nothing",
          "[conformance][time]") {
  // Issue 21874.
  chan<gtime::Time> c;
  gtime::Ticker tk;  // Go: &Ticker{C: c}
  tk.C = c;
  tk.Stop();
  REQUIRE(tk.C == c);
  REQUIRE(c.len() == 0);
}

// tick_test.go: TestTeardown
TEST_CASE("TestTeardown: three Tickers each tick once and are stopped, without deadlock", "[conformance][time]") {
  const Duration Delta = 20ms;  // Go's -short value (100ms otherwise)
  for (int i = 0; i < 3; i++) {
    gtime::Ticker ticker = gtime::NewTicker(Delta);
    ticker.C.recv();
    ticker.Stop();
  }
}

// tick_test.go: TestTick
TEST_CASE("TestTick: Tick of a negative duration is the nil channel", "[conformance][time]") {
  // Test that giving a negative duration returns nil.
  chan<gtime::Time> got = gtime::Tick(-1ns);
  REQUIRE(got == chan<gtime::Time>::nil());
  // gort: and a positive one ticks.
  chan<gtime::Time> tick = gtime::Tick(10ms);
  gtime::Time first = tick.recv();
  REQUIRE(tick.recv().After(first));
}

// tick_test.go: TestNewTickerLtZeroDuration
TEST_CASE("TestNewTickerLtZeroDuration: NewTicker of a negative duration panics", "[conformance][time]") {
  std::string what;
  try {
    gtime::NewTicker(-1ns);
  } catch (const std::runtime_error& e) {  // Go: recover
    what = e.what();
  }
  REQUIRE(what == "non-positive interval for NewTicker");  // "NewTicker(-1) should have panicked"
}

// tick_test.go: TestTickerResetLtZeroDuration
TEST_CASE("TestTickerResetLtZeroDuration: Ticker.Reset(0) panics", "[conformance][time]") {
  std::string what;
  gtime::Ticker tk = gtime::NewTicker(1s);
  try {
    tk.Reset(0ns);
  } catch (const std::runtime_error& e) {  // Go: recover
    what = e.what();
  }
  REQUIRE(what == "non-positive interval for Ticker.Reset");  // "Ticker.Reset(0) should have panicked"
}
