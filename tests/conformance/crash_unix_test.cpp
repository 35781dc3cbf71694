// crash_unix_test.go — ports of Go 1.19's runtime/crash_unix_test.go:
// SIGQUIT dumps. Each runs a tests/testprog scenario.
#include <catch2/catch.hpp>

#include <csignal>
#include <string>

#include "testprog_run.h"

namespace {
// TSan defers an asynchronous signal to the thread's next interceptor call,
// which a spinning goroutine never makes: SIGQUIT would wait for ever.
#if defined(__SANITIZE_THREAD__)
constexpr bool asyncSignalsDelivered = false;
#else
constexpr bool asyncSignalsDelivered = true;
#endif

int count(const std::string& s, const std::string& sub) {
  int n = 0;
  for (size_t i = s.find(sub); i != std::string::npos; i = s.find(sub, i + 1)) n++;
  return n;
}
}  // namespace

// crash_unix_test.go: TestCrashDumpsAllThreads. Four goroutines spin on
// their own Ms; SIGQUIT with GOTRACEBACK=crash makes every M dump its own
// goroutine, so each spinning one appears exactly once (the others are
// "running on other thread" in the first M's dump).
TEST_CASE("TestCrashDumpsAllThreads: SIGQUIT with GOTRACEBACK=crash dumps each running goroutine once",
          "[conformance][crash]") {
  if (!asyncSignalsDelivered) {
    WARN("skipped: TSan holds SIGQUIT back from a spinning goroutine");
    return;
  }
  auto r = testprog::runAndSignal("CrashDumpsAllThreads",
                                  {"GOTRACEBACK=crash", "GOMAXPROCS=5", "GODEBUG=asyncpreemptoff=1"}, "ready", SIGQUIT);
  INFO(r.output);
  REQUIRE(r.output.find("SIGQUIT: quit\nPC=0x") != std::string::npos);
  REQUIRE(count(r.output, "crashDumpsAllThreadsLoop(") == 4);
  REQUIRE(r.exitStatus != 0);
}

// gort-only: without crash, SIGQUIT dumps every goroutine once and exits 2.
TEST_CASE("SIGQUIT dumps every goroutine and exits 2", "[conformance][crash]") {
  if (!asyncSignalsDelivered) {
    WARN("skipped: TSan holds SIGQUIT back from a spinning goroutine");
    return;
  }
  auto r = testprog::runAndSignal("CrashDumpsAllThreads", {"GOMAXPROCS=5", "GODEBUG=asyncpreemptoff=1"}, "ready",
                                  SIGQUIT);
  INFO(r.output);
  REQUIRE(r.output.find("SIGQUIT: quit\nPC=0x") != std::string::npos);
  // Every spinning goroutine has a header; at most the signalled M's own
  // shows its frames.
  REQUIRE(count(r.output, " [running]:\n") >= 4);
  REQUIRE(count(r.output, "crashDumpsAllThreadsLoop(") <= 1);
  REQUIRE(r.output.find("goroutine 1 [select (no cases)]:\n") != std::string::npos);
  REQUIRE(r.exitStatus == 2);
}
