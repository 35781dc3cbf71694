// trace_scenarios.cpp — programs for the execution trace's limits
// (trace.cpp): run with GORT_TRACE by tests/trace_test.cpp and
// tools/gotrace/check_gotrace.sh.
#include <cstdio>

#include "runtime/go.h"
#include "testprog/testprog.h"

using namespace gort;

// gort-only: many events: two goroutines at GOMAXPROCS=1 each Gosched
// 100,000 times (a start and a sched event per turn). With
// GORT_TRACEMAX=64K the trace ends long before the program does; the
// program must still run to its end and the file must still parse.
TESTPROG_SCENARIO(TraceMany) {
  runtime::GOMAXPROCS(1);
  sync::WaitGroup wg;
  wg.Add(2);
  int turns[2] = {0, 0};
  for (int i = 0; i < 2; i++) {
    go([&wg, &turns, i] {
      for (int k = 0; k < 100000; k++) {
        turns[i]++;
        runtime::Gosched();
      }
      wg.Done();
    });
  }
  wg.Wait();
  printf("turns %d %d\n", turns[0], turns[1]);
  return 0;
}
