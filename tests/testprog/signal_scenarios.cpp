// signal_scenarios.cpp — testprog scenarios for start-up order, blocking C
// calls outside SyscallGuard, and user signal handlers (signal_test.cpp
// runs them).
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

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

// A goroutine sleeps 300 ms in nanosleep called through syscall(2) (no
// SyscallGuard, no gort wrapper: it holds its P) while a call-free spinner
// waits for the P. sysmon asks to preempt the sleeper; the signal finds it
// in libc, can't preempt, and cuts the sleep short with EINTR. Prints how
// many times that happened.
TESTPROG_SCENARIO(NanosleepEINTR) {
  static std::atomic<bool> stop{false};
  gort::chan<int> done(1);
  gort::go([] {
    while (!stop.load(std::memory_order_relaxed)) {
    }
  });
  gort::go([done] {
    struct timespec req {0, 300 * 1000 * 1000}, rem {};
    int eintr = 0;
    while (syscall(SYS_nanosleep, &req, &rem) != 0) {
      if (errno != EINTR) abort();
      eintr++;
      req = rem;
    }
    done.send(eintr);
  });
  int eintr = done.recv();
  stop.store(true);
  printf("EINTR %d\n", eintr);
  return 0;
}
