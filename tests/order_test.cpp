// order_test.cpp — under GOMAXPROCS=1 gort runs goroutines in exactly the
// order Go 1.19 does. The expected lines were printed by Go 1.19.8 running
// the same programs (with a WaitGroup where gort waits with Gosched).
#include <catch2/catch.hpp>

#include <string>

#include "testprog_run.h"

TEST_CASE("ten go statements then a wait run the last one first, then the rest in order", "[order]") {
  auto r = testprog::run("GoOrder", {"GOMAXPROCS=1"});
  INFO(r.output);
  REQUIRE(r.exitStatus == 0);
  REQUIRE(r.output == "9 0 1 2 3 4 5 6 7 8 \n");
}

TEST_CASE("goroutines that print and Gosched interleave as Go's do", "[order]") {
  auto r = testprog::run("GoschedOrder", {"GOMAXPROCS=1"});
  INFO(r.output);
  REQUIRE(r.exitStatus == 0);
  REQUIRE(r.output == "c0 a0 b0 c1 a1 b1 c2 a2 b2 c3 a3 b3 \n");
}
TEST_CASE("go, channels, Mutex, Gosched and Sleep together run in Go's order", "[order]") {
  auto r = testprog::run("MixedOrder", {"GOMAXPROCS=1"});
  INFO(r.output);
  REQUIRE(r.exitStatus == 0);
  REQUIRE(r.output == "s0 s1 r0 r1 s2 r2 b0 b1 main0 x0 x1 x2 b2 m0 m1 main1 z1 \n");
}


TEST_CASE("an uncaught exception of any type ends the program like a Go panic", "[proc]") {
  auto r = testprog::run("PanicNonStd");
  INFO(r.output);
  REQUIRE(r.output.rfind("panic: 42\n\ngoroutine ", 0) == 0);
  REQUIRE(r.exitStatus == 2);
}

TEST_CASE("an uncaught exception prints its value as Go's panic prints one: numbers, floats, strings and nil",
          "[proc]") {
  // Go 1.19's printany (tests/testdata/panic_values.go prints the same
  // first lines); a class that is no std::exception prints its type.
  auto [kind, line] = GENERATE(table<const char*, const char*>({
      {"int", "panic: 42"},
      {"negative", "panic: -7"},
      {"unsigned", "panic: 18446744073709551615"},
      {"bool", "panic: true"},
      {"double", "panic: +1.500000e+000"},
      {"tiny", "panic: -1.230000e-004"},
      {"big", "panic: +6.022141e+023"},
      {"nan", "panic: NaN"},
      {"inf", "panic: -Inf"},
      {"cstring", "panic: boom"},
      {"string", "panic: boom"},
      {"nil", "panic: nil"},
      {"point", "panic: ((anonymous namespace)::PanicPoint) C++ exception"},
  }));
  auto r = testprog::run("PanicNonStd", {std::string("PANIC_VALUE=") + kind});
  INFO(kind << "\n" << r.output);
  REQUIRE(r.output.rfind(std::string(line) + "\n\ngoroutine ", 0) == 0);
  REQUIRE(r.exitStatus == 2);
}

TEST_CASE("main starts at Go's phase of the 61-tick check: the first take-back from the global queue comes in round 56",
          "[order]") {
  // Go 1.19 runs its init goroutines before main.main, leaving P0's
  // schedtick at 5 (tests/testdata/start_phase.go prints the same line).
  auto r = testprog::run("StartPhase", {"GOMAXPROCS=1"});
  INFO(r.output);
  REQUIRE(r.exitStatus == 0);
  REQUIRE(r.output == "phase-hit 56\n");
}

TEST_CASE("main starts with the M Go's init goroutines leave idle: the first hand-off of a locked main clones no thread",
          "[order]") {
  // Go 1.19's runtime.main parks for its init goroutines while locked to
  // m0, and the M that ran them is idle when main.main starts
  // (tests/testdata/init_idle_m.go prints the same line).
  auto r = testprog::run("InitIdleM", {"GOMAXPROCS=1"});
  INFO(r.output);
  REQUIRE(r.exitStatus == 0);
  REQUIRE(r.output == "LockOSThread started 1 thread(s); the first locked Gosched 0\n");
}
