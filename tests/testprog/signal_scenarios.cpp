// signal_scenarios.cpp — testprog scenarios for start-up order, blocking C
// calls outside SyscallGuard, and user signal handlers (signal_test.cpp
// runs them).
#include <cstdio>

#include "runtime/go.h"
#include "testprog/testprog.h"

// The README's first example, verbatim: main starts a goroutine, yields
// once and returns. At GOMAXPROCS=1 the goroutine runs in the yield (it is
// in runnext; main is at the back of the global queue), as in Go.
TESTPROG_SCENARIO(HelloGosched) {
  gort::go([] { printf("hello from goroutine 2\n"); });
  gort::runtime::Gosched();
  return 0;
}
