// start_phase.cpp — the phase of findRunnable's 61-tick global-queue check
// when the program's main starts (tests/order_test.cpp). The Go twin is
// tests/testdata/start_phase.go.
#include <atomic>
#include <cstdio>

#include "runtime/go.h"
#include "testprog/testprog.h"

using namespace gort;

// gort-only: each round's go statement puts a goroutine in runnext and
// Gosched puts main in the global queue; the goroutine runs first, unless
// schedule's check (schedtick % 61 == 0) takes main straight back. Every
// round counts one time slice (main's, taken from the global queue), so the
// round of the first take-back is 61 minus main's starting schedtick.
TESTPROG_SCENARIO(StartPhase) {
  // Unpreempted, as the order scenarios run (testprog.cpp: goInOrder):
  // under TSan runtime::main's thread starts make main's first slice last
  // over 100 ms, and sysmon's preemption at the first go statement added
  // a slice (phase-hit 55 in every run).
  // The flags are static, not on main's stack: run at GOMAXPROCS > 1 (as
  // tools/gotrace/check_gotrace.sh runs every scenario), a goroutine another
  // P took may still set its flag after main has moved on or returned.
  runtime::NoPreempt np;
  static std::atomic<bool> ran[62];
  for (int i = 0; i < 62; i++) {
    go([i] { ran[i] = true; });
    runtime::Gosched();
    if (!ran[i]) {
      runtime::Gosched();  // let the goroutine run before main returns
      printf("phase-hit %d\n", i);
      return 0;
    }
  }
  printf("no phase-hit\n");
  return 1;
}
