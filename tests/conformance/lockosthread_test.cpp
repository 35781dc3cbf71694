// lockosthread_test.cpp — ports of Go 1.19's LockOSThread tests
// (proc_test.go) that run tests/testprog scenarios.
#include <catch2/catch.hpp>

#include <cstdio>

#include "testprog_run.h"

TEST_CASE("TestLockOSThreadExit: a locked goroutine that exits takes its thread with it",
          "[conformance][proc]") {
  auto r = testprog::run("LockOSThreadMain", {"GOMAXPROCS=1"});
  INFO(r.output);
  REQUIRE(r.output == "OK\n");
  REQUIRE(r.exitStatus == 0);

  r = testprog::run("LockOSThreadAlt");
  INFO(r.output);
  REQUIRE(r.output == "OK\n");
  REQUIRE(r.exitStatus == 0);
}

// proc_test.go: TestLockOSThreadTemplateThreadRace (run 5 times: Go's
// hangs in about 2% of runs when the race is present)
TEST_CASE("TestLockOSThreadTemplateThreadRace: stop-the-world racing two LockOSThreads does not hang",
          "[conformance][proc]") {
  for (int i = 0; i < 5; i++) {
    auto r = testprog::run("LockOSThreadTemplateThreadRace", {}, 120);
    INFO(r.output);
    REQUIRE(r.output == "OK\n");
    REQUIRE(r.exitStatus == 0);
  }
}

// proc.go: newm / templateThread (gort-only test): Go asks its template
// thread to create Ms for a locked thread, so that a thread locked to
// change its kernel state (here: CPU affinity) doesn't pass it on.
TEST_CASE("a new M asked for by a locked thread does not inherit that thread's CPU affinity", "[proc]") {
  auto r = testprog::run("LockedThreadNewmAffinity", {"GOMAXPROCS=2"});
  INFO(r.output);
  REQUIRE(r.exitStatus == 0);
  if (r.output.rfind("SKIP", 0) == 0) {
    WARN(r.output);
    return;
  }
  int got = 0, all = 0;
  REQUIRE(sscanf(r.output.c_str(), "new M: %d CPUs, process: %d", &got, &all) == 2);
  REQUIRE(all >= 2);
  REQUIRE(got == all);
}

// proc_test.go: TestLockOSThreadAvoidsStatePropagation (testprog:
// LockOSThreadAvoidsStatePropagation, with GOMAXPROCS=1).
TEST_CASE("TestLockOSThreadAvoidsStatePropagation: a dead locked thread's OS state reaches no later thread",
          "[conformance][proc]") {
  auto r = testprog::run("LockOSThreadAvoidsStatePropagation", {"GOMAXPROCS=1"});
  if (r.output == "unshare not permitted\n") {
    WARN("skipped: unshare syscall not permitted on this system");
    return;
  }
  REQUIRE(r.output == "OK\n");
}
