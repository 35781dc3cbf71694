// semasleep_scenarios.cpp — the testprog scenario of Go 1.19's
// runtime/semasleep_test.go (Go's testdata/testprog/sleep.go: After1).
#include <signal.h>

#include <chrono>
#include <cstdio>

#include "runtime/go.h"
#include "testprog/testprog.h"

namespace {

// gort-only: the program's SIGIO handler. Go's runtime catches SIGIO itself
// (sigtable: _SigNotify, ignored unless notified); a C++ program that must
// outlive a SIGIO installs a handler, and that is what makes each signal
// interrupt whatever futex or epoll wait a thread is in.
void onSIGIO(int) {}

// sleep.go: After1. Sleeps one second on a timer channel, then says how
// long it took (the monotonic clock, from before the timer was made).
TESTPROG_SCENARIO(After1) {
  struct sigaction sa {};
  sa.sa_handler = onSIGIO;  // no SA_RESTART: every wait sees EINTR
  sigemptyset(&sa.sa_mask);
  sigaction(SIGIO, &sa, nullptr);
  printf("ready\n");
  fflush(stdout);
  auto t0 = std::chrono::steady_clock::now();
  gort::time::After(std::chrono::seconds(1)).recv();
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
  printf("slept %lld ns\n", static_cast<long long>(ns));
  return 0;
}

}  // namespace
