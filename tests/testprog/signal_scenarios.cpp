// signal_scenarios.cpp — testprog scenarios for start-up order, blocking C
// calls outside SyscallGuard, and user signal handlers (signal_test.cpp
// runs them).
#include <signal.h>
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

// The program installs its own SIGURG handler after rt0_go, then needs
// preemption and stop-the-world at GOMAXPROCS=1 while a call-free spinner
// runs: main must get the P back from the spinner (async preemption), and
// GOMAXPROCS(n) stops the world. Finally a SIGURG from kill() reaches the
// program's handler (gort's own preemption requests do not).
static std::atomic<int> userSigurg{0};
TESTPROG_SCENARIO(UserSIGURGHandler) {
  struct sigaction sa {};
  sa.sa_handler = [](int) { userSigurg.fetch_add(1); };
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGURG, &sa, nullptr) != 0) abort();
  static std::atomic<bool> stop{false};
  gort::chan<int> started;
  gort::go([started] {
    started.send(1);
    while (!stop.load(std::memory_order_relaxed)) {
    }
  });
  started.recv();
  // The spinner holds the only P; main runs again only once it has been
  // preempted.
  for (int i = 0; i < 3; i++) gort::runtime::Gosched();
  printf("preempted\n");
  gort::runtime::GOMAXPROCS(2);
  gort::runtime::GOMAXPROCS(1);
  printf("stopped the world\n");
  int before = userSigurg.load();
  kill(getpid(), SIGURG);
  while (userSigurg.load() == before) gort::runtime::Gosched();
  struct sigaction cur {};
  sigaction(SIGURG, nullptr, &cur);
  printf("handler got kill's SIGURG; sigaction reports it: %d\n", cur.sa_handler == sa.sa_handler);
  stop.store(true);
  return 0;
}
