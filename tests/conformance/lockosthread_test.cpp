// lockosthread_test.cpp — ports of Go 1.19's LockOSThread tests
// (proc_test.go) that run tests/testprog scenarios.
#include <catch2/catch.hpp>

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
