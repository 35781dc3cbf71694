// crash_test.go — ports of Go 1.19's runtime/crash_test.go: programs that
// must die with Go's words. Each runs a tests/testprog scenario.
#include <catch2/catch.hpp>

#include <regex>
#include <sstream>
#include <string>

#include "runtime/go.h"

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

// proc_test.go: TestNumGoroutine. At start only the main goroutine counts;
// then NumGoroutine must agree with the goroutine headers of Stack(all)
// (tried up to 10 times, as Go does: goroutines may be exiting meanwhile).
// gort: headers are counted as lines, since Go 1.21's "created by ... in
// goroutine N" lines also contain "goroutine ".
TEST_CASE("TestNumGoroutine: at start only the main goroutine counts, and Stack(all) shows them all",
          "[conformance][proc]") {
  auto r = testprog::run("NumGoroutine");
  INFO(r.output);
  REQUIRE(r.output == "1\n");
  REQUIRE(r.exitStatus == 0);

  for (int i = 0;; i++) {
    gort::runtime::Gosched();
    int n = gort::runtime::NumGoroutine();
    std::string buf = gort::runtime::Stack(true);
    int nstk = 0;
    std::regex header("^goroutine \\d+ \\[[^\\]]*\\]:$");
    std::istringstream in(buf);
    for (std::string line; std::getline(in, line);)
      if (std::regex_match(line, header)) nstk++;
    if (n == nstk) break;
    INFO("NumGoroutine=" << n << ", but found " << nstk << " goroutines in stack dump: " << buf);
    REQUIRE(i < 10);
  }
}

// crash_test.go: TestStackOverflow (testprog/stack.go: StackOverflow).
TEST_CASE("TestStackOverflow: a goroutine past its stack limit dies in Go's words", "[conformance][crash]") {
  auto r = testprog::run("StackOverflow");
  INFO(r.output);
  REQUIRE(r.output.rfind("runtime: goroutine stack exceeds 1474560-byte limit\n", 0) == 0);
  for (const char* s : {"fatal error: stack overflow", "runtime: sp=", "stack=["})
    REQUIRE(r.output.find(s) != std::string::npos);
  // gort: and the overflowing goroutine's traceback (16 frames of 64 KiB
  // fill the 1 MiB stack SetMaxStack(1474560) gives).
  REQUIRE(std::regex_search(r.output, std::regex("\n\ngoroutine \\d+ \\[running\\]:\n[^\n]*stackOverflowRecurse\\(int\\)\n")));
  REQUIRE(r.exitStatus == 2);
}
