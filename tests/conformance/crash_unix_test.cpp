// crash_unix_test.go — ports of Go 1.19's runtime/crash_unix_test.go:
// signals and SIGQUIT dumps. The crash tests run a tests/testprog scenario.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <regex>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "runtime/go.h"
#include "runtime/os_linux.h"
#include "runtime/runtime2.h"
#include "runtime/stubs.h"
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

// crash_unix_test.go: TestPanicSystemstack. Two Ms block on their system
// stacks (testprog: PanicSystemstack); SIGQUIT with GOTRACEBACK=crash
// must print, for each, both the system stack and the user stack under
// it. Each blocker prints "x" from the function it then blocks in, so
// once both have printed, both Ms are inside it for good: Go's 100ms
// sleep before the signal is not needed.
TEST_CASE("TestPanicSystemstack: GOTRACEBACK=crash prints the system and the user stack of other threads",
          "[conformance][crash]") {
  if (!asyncSignalsDelivered) {
    WARN("skipped: TSan holds SIGQUIT back from a blocked M");
    return;
  }
  auto r = testprog::runAndSignal("PanicSystemstack", {"GOTRACEBACK=crash"}, "x\nx", SIGQUIT);
  INFO(r.output);
  REQUIRE(r.output.rfind("x\nx\n", 0) == 0);
  // Traceback should have two testPanicSystemstackInternal's (in the two
  // goroutines' own stacks) and two blockOnSystemStackInternal's (in the
  // two Ms' system stacks). gort: a g0 traceback goes on through
  // systemstack into the goroutine's frames, which are then printed again
  // under the goroutine's header, so the count is per kind of stack.
  int user = 0, system = 0;
  std::regex header("\n(goroutine (\\d+) \\[[^\\]]*\\]:\n)");
  std::vector<std::pair<size_t, bool>> starts;  // offset, is g0
  for (auto it = std::sregex_iterator(r.output.begin(), r.output.end(), header); it != std::sregex_iterator(); ++it)
    starts.push_back({size_t(it->position(1)), (*it)[2] == "0"});
  for (size_t i = 0; i < starts.size(); i++) {
    size_t end = i + 1 < starts.size() ? starts[i + 1].first : r.output.size();
    std::string section = r.output.substr(starts[i].first, end - starts[i].first);
    if (starts[i].second)
      system += count(section, "blockOnSystemStackInternal");
    else
      user += count(section, "testPanicSystemstackInternal");
  }
  REQUIRE(user == 2);
  REQUIRE(system == 2);
}

// crash_unix_test.go: TestSignalExitStatus. A signal the runtime does not
// own keeps its default action: the program dies of SIGTERM.
TEST_CASE("TestSignalExitStatus: a program that sends itself SIGTERM dies of SIGTERM", "[conformance][crash]") {
  auto r = testprog::run("SignalExitStatus");
  INFO(r.output);
  REQUIRE(r.exitStatus == -1);
  REQUIRE(r.signal == SIGTERM);
}

namespace {
// export_unix_test.go: waitForSigusr1. gort: SIGUSR1 is not the runtime's,
// so the test installs its own handler where Go sets the testSigusr1 hook
// of the runtime's.
struct {
  int rdpipe, wrpipe;
  std::atomic<int64_t> mID;
} waitForSigusr1;

// export_unix_test.go: waitForSigusr1Callback
void waitForSigusr1Callback(int) {
  gort::runtime::g* gp = gort::runtime::getg();
  if (gp == nullptr || gp->m == nullptr)
    waitForSigusr1.mID = -1;
  else
    waitForSigusr1.mID = gp->m->id;
  char b = 0;
  ssize_t n = write(waitForSigusr1.wrpipe, &b, 1);
  (void)n;
}

// export_unix_test.go: WaitForSigusr1. Locked to its thread, calls
// ready(mp) and blocks in a system call until SIGUSR1 arrives; returns
// the M it waited on and the M the signal arrived on.
template <class F>
std::pair<int64_t, int64_t> WaitForSigusr1(int r, int w, F ready) {
  gort::runtime::LockOSThread();
  // Make sure we can receive SIGUSR1.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  waitForSigusr1.rdpipe = r;
  waitForSigusr1.wrpipe = w;
  gort::runtime::m* mp = gort::runtime::getg()->m;
  struct sigaction sa {}, old {};
  sa.sa_handler = waitForSigusr1Callback;
  sa.sa_flags = SA_ONSTACK | SA_RESTART;
  sigaction(SIGUSR1, &sa, &old);
  ready(mp);
  // Wait for the signal. We use a pipe rather than a note because write
  // is always async-signal-safe.
  char b = 1;
  {
    gort::runtime::SyscallGuard sys;
    while (read(waitForSigusr1.rdpipe, &b, 1) < 0 && errno == EINTR) {
    }
  }
  int64_t gotM = waitForSigusr1.mID;
  sigaction(SIGUSR1, &old, nullptr);
  gort::runtime::UnlockOSThread();
  if (b != 0) return {-1, -1};
  return {mp->id, gotM};
}
}  // namespace

// crash_unix_test.go: TestSignalM. signalM's signal arrives on the M it
// names. gort: no one-second timer writing "timed out" into the pipe; a
// lost signal hangs, cut off by the test's timeout.
TEST_CASE("TestSignalM: signalM delivers the signal to the thread of the M it names", "[conformance][crash]") {
  if (!asyncSignalsDelivered) {
    WARN("skipped: TSan holds signals back from a thread blocked in read");
    return;
  }
  int fds[2];
  REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
  int64_t want = 0, got = 0;
  gort::sync::WaitGroup wg;
  gort::chan<gort::runtime::m*> ready;
  wg.Add(1);
  gort::go([&] {
    std::tie(want, got) = WaitForSigusr1(fds[0], fds[1], [&](gort::runtime::m* mp) { ready.send(mp); });
    wg.Done();
  });
  gort::runtime::m* waitingM = ready.recv();
  // export_unix_test.go: SendSigusr1
  gort::runtime::signalM(waitingM, SIGUSR1);
  wg.Wait();
  close(fds[0]);
  close(fds[1]);
  INFO("signal sent to M " << want << ", but received on M " << got);
  REQUIRE(got != -1);
  REQUIRE(want == got);
}
