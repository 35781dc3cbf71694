// semasleep_test.go — port of Go 1.19's runtime/semasleep_test.go: a
// sleeping program under a storm of signals still wakes when its timer
// says, and not before.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>
#include <thread>

#include "testprog_run.h"

// semasleep_test.go: TestSpuriousWakeupsNeverHangSemasleep. Go sends SIGIO
// every 200 ms; gort sends one every millisecond, for as long as the child
// runs: a sleep that restarted its whole timeout at each wakeup would then
// never end (ctest's timeout fails the test), and one that returned early
// would say so. Go's runtime ignores SIGIO by itself; the gort program
// installs a handler (a C++ program dies of SIGIO by default).
TEST_CASE("TestSpuriousWakeupsNeverHangSemasleep: a one-second timer fires on time through a storm of signals",
          "[conformance][time][signal]") {
  int fd;
  pid_t pid = testprog::detail::spawn(testprog::detail::commandLine("After1", 0), {}, true, &fd);
  std::string out;
  std::atomic<bool> ready{false}, done{false};
  // The pesky signal, until the child is gone (it is reaped only after this
  // thread has stopped, so the pid cannot be reused meanwhile).
  std::thread storm([&] {
    struct timespec ms {0, 1000 * 1000};
    while (!done.load()) {
      if (ready.load()) kill(pid, SIGIO);
      nanosleep(&ms, nullptr);  // pacing, not synchronisation
    }
  });
  char buf[256];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, size_t(n));
    if (out.find("ready\n") != std::string::npos) ready = true;
  }
  close(fd);
  // EOF: the child closed its output (it exited); stop signalling, then reap.
  done = true;
  storm.join();
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  INFO(out);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  auto at = out.find("slept ");
  REQUIRE(at != std::string::npos);
  long long ns = std::stoll(out.substr(at + 6));
  // The program was supposed to sleep for a full (monotonic) second; it
  // should not return before that has elapsed.
  REQUIRE(ns >= 1000LL * 1000 * 1000);
}
