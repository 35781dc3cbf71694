// misuse_test.cpp — runtime entry points called from outside a goroutine
// (a std::thread gort did not start, or before rt0_go) die in Go-like
// words with exit status 2 (tests/testprog/misuse_scenarios.cpp).
#include <catch2/catch.hpp>

#include <string>
#include <utility>

#include "testprog_run.h"

namespace {
// Each scenario suffix and the operation its fatal error names.
const std::pair<const char*, const char*> kMisuse[] = {
    {"ChanSend", "chan send"},       {"ChanRecv", "chan receive"},  {"ChanClose", "close of channel"},
    {"Select", "select"},            {"MutexLock", "sync.Mutex.Lock"}, {"Sleep", "time.Sleep"},
    {"Go", "go statement"},          {"WaitGroupWait", "semacquire"},
    {"AfterFunc", "time.startTimer"}, {"NewTicker", "time.startTimer"},
    {"LockOSThread", "runtime.LockOSThread"}, {"UnlockOSThread", "runtime.UnlockOSThread"},
    {"Goexit", "runtime.Goexit"},
};

void requireMisuse(const std::string& scenario, const char* op) {
  auto r = testprog::run(scenario, {}, 60);
  INFO(scenario << "\n" << r.output);
  std::string want = std::string("fatal error: ") + op +
                     " called from a thread that is not running a goroutine (not started by gort, or before rt0_go)\n";
  REQUIRE(r.output.rfind(want, 0) == 0);
  REQUIRE(r.exitStatus == 2);
}
}  // namespace

TEST_CASE("a runtime entry point called from a std::thread gort did not start is a fatal error", "[proc][misuse]") {
  for (auto [suffix, op] : kMisuse) requireMisuse(std::string("Thread") + suffix, op);
}

TEST_CASE("a runtime entry point called before rt0_go is a fatal error", "[proc][misuse]") {
  for (auto [suffix, op] : kMisuse) requireMisuse(std::string("BeforeRt0") + suffix, op);
}

TEST_CASE("a goroutine's timer stopped or reset from a std::thread gort did not start is a fatal error", "[time][misuse]") {
  requireMisuse("ThreadTimerStop", "time.stopTimer");
  requireMisuse("ThreadTimerReset", "time.resetTimer");
}
