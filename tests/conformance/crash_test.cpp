// crash_test.go — ports of Go 1.19's runtime/crash_test.go: programs that
// must die with Go's words. Each runs a tests/testprog scenario.
#include <catch2/catch.hpp>

#include <string>

#include "testprog_run.h"

TEST_CASE("TestMainGoroutineID: a panic in main names goroutine 1", "[conformance][crash]") {
  auto r = testprog::run("MainGoroutineID");
  INFO(r.output);
  REQUIRE(r.output.rfind("panic: test\n\ngoroutine 1 [running]:\n", 0) == 0);
  REQUIRE(r.exitStatus == 2);
}

TEST_CASE("TestGoNil: go of a nil function is a fatal error", "[conformance][crash]") {
  auto r = testprog::run("GoNil");
  INFO(r.output);
  REQUIRE(r.output.find("go of nil func value") != std::string::npos);
  REQUIRE(r.exitStatus == 2);
}

TEST_CASE("TestGoexitDeadlock: Goexit in main leaves no goroutines and reports it", "[conformance][crash]") {
  auto r = testprog::run("GoexitDeadlock");
  INFO(r.output);
  REQUIRE(r.output.find("fatal error: no goroutines (main called runtime.Goexit) - deadlock!") !=
          std::string::npos);
  REQUIRE(r.exitStatus == 2);
}

// crash_test.go: testDeadlock
static void testDeadlock(const char* name) {
  auto r = testprog::run(name);
  INFO(r.output);
  REQUIRE(r.output.rfind("fatal error: all goroutines are asleep - deadlock!\n", 0) == 0);
  REQUIRE(r.exitStatus == 2);
}

TEST_CASE("TestSimpleDeadlock: main blocking forever is a deadlock", "[conformance][crash]") {
  testDeadlock("SimpleDeadlock");
}

TEST_CASE("TestLockedDeadlock: a locked main blocking forever is a deadlock", "[conformance][crash]") {
  testDeadlock("LockedDeadlock");
}

TEST_CASE("TestLockedDeadlock2: main and a locked goroutine blocking forever is a deadlock",
          "[conformance][crash]") {
  testDeadlock("LockedDeadlock2");
}

TEST_CASE("TestNumGoroutine: at start only the main goroutine counts", "[conformance][proc]") {
  auto r = testprog::run("NumGoroutine");
  INFO(r.output);
  REQUIRE(r.output == "1\n");
  REQUIRE(r.exitStatus == 0);
}
