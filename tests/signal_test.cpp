// signal_test.cpp — start-up order, blocking C calls outside SyscallGuard
// and user signal handlers, each run as a testprog scenario
// (tests/testprog/signal_scenarios.cpp) with its output on a pipe.
#include <catch2/catch.hpp>

#include "export_test.h"
#include "testprog_run.h"

TEST_CASE("The README's first example prints its line at GOMAXPROCS=1 every time", "[signal][proc]") {
  // Deterministic at GOMAXPROCS=1: the new goroutine is in runnext when main
  // yields, so it runs before main comes back from the global queue (Go's
  // twin prints the line in every run).
  for (int i = 0; i < 20; i++) {
    auto r = testprog::run("HelloGosched", {"GOMAXPROCS=1"}, 30);
    INFO("run " << i << ": " << r.output);
    REQUIRE(r.output == "hello from goroutine 2\n");
    REQUIRE(r.exitStatus == 0);
  }
}

TEST_CASE("A goroutine in a blocking C call is not sent a storm of preemption signals", "[signal][preempt]") {
  // Each preemption signal that finds the sleeper in libc cuts its
  // nanosleep short (EINTR). After one is refused, preemptone backs off
  // for that time slice (40 ms, then x4 each time), so 300 ms of sleep
  // sees at most 3 (without the back-off: one per sysmon tick, dozens).
  if (!export_test::AsyncPreemptAvailable) {
    WARN("skipped: no asynchronous preemption here (off under TSan): no signal to count, and the spinner never yields");
    return;
  }
  auto r = testprog::run("NanosleepEINTR", {"GOMAXPROCS=1"}, 60);
  INFO(r.output);
  REQUIRE(r.exitStatus == 0);
  int n = -1;
  REQUIRE(sscanf(r.output.c_str(), "EINTR %d", &n) == 1);
  REQUIRE(n <= 3);
}

TEST_CASE("A program's SIGURG handler keeps preemption and stop-the-world working and gets kill's SIGURG",
          "[signal][preempt]") {
  if (!export_test::AsyncPreemptAvailable) {
    WARN("skipped: no asynchronous preemption here (off under TSan)");
    return;
  }
  auto r = testprog::run("UserSIGURGHandler", {"GOMAXPROCS=1"}, 30);
  INFO(r.output);
  REQUIRE(r.output ==
          "preempted\nstopped the world\nhandler got kill's SIGURG; sigaction reports it: 1\n");
  REQUIRE(r.exitStatus == 0);
}
