// timer_scenarios.cpp — package time's timer calls are runtime entry
// points: a goroutine that does nothing but start, stop and reset timers
// still yields its P when sysmon asks (preemptPoint in startTimer,
// stopTimer, resetTimer, modTimer), as Go's goroutines do at the
// prologue of those calls. Run with GODEBUG=asyncpreemptoff=1, so that
// only the cooperative check can bring main back.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <vector>

#include "runtime/go.h"
#include "testprog/testprog.h"

using namespace gort;
using namespace std::chrono_literals;

namespace {
std::atomic<bool> timerLoopStarted{false};
}  // namespace

// gort-only: at GOMAXPROCS=1 a goroutine loops on Reset and Stop of one
// Timer (Timer.Reset, Timer.Stop); main must get the P back and finish.
TESTPROG_SCENARIO(TimerResetLoopYields) {
  runtime::GOMAXPROCS(1);
  go([] {
    time::Timer t = time::NewTimer(1h);
    timerLoopStarted = true;
    for (;;) {
      t.Reset(1h);
      t.Stop();
    }
  });
  while (!timerLoopStarted) runtime::Gosched();
  printf("OK\n");
  return 0;
}

// gort-only: the same for a goroutine that makes AfterFunc timers in a
// loop (the timer-churn benchmark's first phase) and a Ticker it resets.
TESTPROG_SCENARIO(AfterFuncLoopYields) {
  runtime::GOMAXPROCS(1);
  go([] {
    time::Ticker tk = time::NewTicker(1h);
    std::vector<time::Timer> ts;
    timerLoopStarted = true;
    for (;;) {
      ts.push_back(time::AfterFunc(1h, [] {}));
      tk.Reset(1h);
      if (ts.size() == 1000) ts.clear();  // each handle's destructor stops its timer
    }
  });
  while (!timerLoopStarted) runtime::Gosched();
  printf("OK\n");
  return 0;
}
