// signal_test.cpp — start-up order, blocking C calls outside SyscallGuard
// and user signal handlers, each run as a testprog scenario
// (tests/testprog/signal_scenarios.cpp) with its output on a pipe.
#include <catch2/catch.hpp>

#include <signal.h>

#include <regex>
#include <string>

#include "export_test.h"
#include "testprog_run.h"

TEST_CASE("The README's first example prints its line at GOMAXPROCS=1 every time", "[signal][proc]") {
  // Deterministic at GOMAXPROCS=1: the new goroutine is in runnext when main
  // yields, so it runs before main comes back from the global queue (Go's
  // twin prints the line in every run).
  for (int i = 0; i < 20; i++) {
    auto r = testprog::run("HelloGosched", {"GOMAXPROCS=1"}, 30);
    INFO("run " << i << ": " << r.output);
    REQUIRE(r.output == "hello from goroutine 2\n");
    REQUIRE(r.exitStatus == 0);
  }
}

TEST_CASE("A goroutine in a blocking C call is not sent a storm of preemption signals", "[signal][preempt]") {
  // Each preemption signal that finds the sleeper in libc cuts its
  // nanosleep short (EINTR). After one is refused, preemptone backs off
  // for that time slice (40 ms, then x4 each time), so 300 ms of sleep
  // sees at most 3 (without the back-off: one per sysmon tick, dozens).
  if (!export_test::AsyncPreemptAvailable) {
    WARN("skipped: no asynchronous preemption here (off under TSan): no signal to count, and the spinner never yields");
    return;
  }
  auto r = testprog::run("NanosleepEINTR", {"GOMAXPROCS=1"}, 60);
  INFO(r.output);
  REQUIRE(r.exitStatus == 0);
  int n = -1;
  REQUIRE(sscanf(r.output.c_str(), "EINTR %d", &n) == 1);
  REQUIRE(n <= 3);
}

TEST_CASE("A program's SIGURG handler keeps preemption and stop-the-world working and gets kill's SIGURG",
          "[signal][preempt]") {
  if (!export_test::AsyncPreemptAvailable) {
    WARN("skipped: no asynchronous preemption here (off under TSan)");
    return;
  }
  auto r = testprog::run("UserSIGURGHandler", {"GOMAXPROCS=1"}, 30);
  INFO(r.output);
  REQUIRE(r.output ==
          "preempted\nstopped the world\nhandler got kill's SIGURG; sigaction reports it: 1\n");
  REQUIRE(r.exitStatus == 0);
}

// The faults a goroutine's own code raises, in Go's words (signal_unix.go:
// sighandler, sigpanic; sigtab_linux_generic.go's flags). Each ran into the
// kernel's default action before: no traceback, "Floating point exception",
// "Illegal instruction", "Aborted".

TEST_CASE("An integer division by zero in a goroutine is Go's divide panic with the signal line",
          "[signal][traceback]") {
  auto r = testprog::run("DivideByZero");
  INFO(r.output);
#if defined(__x86_64__)
  REQUIRE(r.output.rfind("panic: runtime error: integer divide by zero\n"
                         "[signal SIGFPE: floating-point exception code=0x1 addr=0x",
                         0) == 0);
  REQUIRE(std::regex_search(r.output, std::regex("\n\ngoroutine \\d+ \\[running\\]:\n[^\n]*divideBy\\(")));
  REQUIRE(r.exitStatus == 2);
#else
  // arm64's sdiv returns 0 for a zero divisor and traps nothing.
  REQUIRE(r.output == "quotient 0\n");
  REQUIRE(r.exitStatus == 0);
#endif
}

TEST_CASE("An illegal instruction in a goroutine throws SIGILL with its bytes and the goroutine's traceback",
          "[signal][traceback]") {
  auto r = testprog::run("IllegalInstruction");
  INFO(r.output);
  REQUIRE(std::regex_search(r.output, std::regex("^SIGILL: illegal instruction\nPC=0x[0-9a-f]+ m=\\d+ sigcode=\\d+\n")));
#if defined(__x86_64__)
  REQUIRE(r.output.find("\ninstruction bytes: 0xf 0xb ") != std::string::npos);  // ud2
#else
  REQUIRE(r.output.find("\ninstruction bytes: 0x0 0x0 0x0 0x0 ") != std::string::npos);  // udf #0
#endif
  REQUIRE(std::regex_search(r.output, std::regex("\n\ngoroutine \\d+ \\[running\\]:\n[^\n]*illegalInstruction\\(")));
  REQUIRE(r.output.find("panic: ") == std::string::npos);
  REQUIRE(r.exitStatus == 2);
}

TEST_CASE("A crash inside the C allocator (a corrupt heap) ends the process with its dump instead of hanging",
          "[signal][traceback]") {
  // glibc aborts, or faults, holding the arena's lock; the demangler (and
  // the trace's writer) would have waited on that lock forever, and the
  // 60 s timeout would then have killed the program: status 137.
  if (export_test::AsanEnabled || export_test::RaceEnabled) {
    WARN("skipped: the sanitizer's allocator replaces glibc's, whose checks these scenarios trip");
    return;
  }
  const std::string note =
      "runtime: signal inside the C allocator \\(a corrupt heap\\?\\): symbol names left mangled\n\n"
      "goroutine \\d+ \\[running\\]:\n";
  SECTION("glibc's abort in free") {
    auto r = testprog::run("AbortInMalloc", {}, 60);
    INFO(r.output);
    REQUIRE(r.output.rfind("double free or corruption (!prev)\n", 0) == 0);
    REQUIRE(std::regex_search(r.output, std::regex("\nSIGABRT: abort\nPC=0x[0-9a-f]+ m=\\d+ sigcode=\\d+\n" + note)));
    REQUIRE(r.output.find("crash_scenarios.cpp:") != std::string::npos);  // the goroutine's own frame, from DWARF
    REQUIRE(r.exitStatus == 2);
  }
  SECTION("a fault in free") {
    auto r = testprog::run("FaultInMalloc", {}, 60);
    INFO(r.output);
    REQUIRE(std::regex_search(r.output, std::regex("^unexpected fault address 0x[0-9a-f]+\nfatal error: fault\n"
                                                   "\\[signal SIGSEGV: segmentation violation [^\n]*\\]\n" + note)));
    REQUIRE(r.output.find("crash_scenarios.cpp:") != std::string::npos);
    REQUIRE(r.exitStatus == 2);
  }
  SECTION("traced: the exit does not wait for the trace's writer") {
    auto r = testprog::run("AbortInMalloc", {"GORT_TRACE=/dev/null"}, 60);
    INFO(r.output);
    REQUIRE(r.output.find("\nruntime: execution trace left unfinished: the C allocator's lock is held\n") !=
            std::string::npos);
    REQUIRE(r.exitStatus == 2);
  }
}

TEST_CASE("abort in a goroutine throws SIGABRT with the goroutine's traceback; GOTRACEBACK=crash then dies of it",
          "[signal][traceback]") {
  SECTION("the default: exit status 2") {
    auto r = testprog::run("AbortInGoroutine");
    INFO(r.output);
    // raise's si_code, SI_TKILL (-6), as Go prints it: a uint64.
    REQUIRE(std::regex_search(r.output, std::regex("^SIGABRT: abort\nPC=0x[0-9a-f]+ m=\\d+ sigcode=18446744073709551610\n\n")));
    REQUIRE(std::regex_search(r.output, std::regex("\n\ngoroutine \\d+ \\[running\\]:\n")));
    REQUIRE(r.output.find("abortsHere(", r.output.find("\n\ngoroutine ")) != std::string::npos);
    REQUIRE(r.exitStatus == 2);
  }
  SECTION("GOTRACEBACK=crash: the dump, then the kernel's SIGABRT") {
    auto r = testprog::run("AbortInGoroutine", {"GOTRACEBACK=crash"});
    INFO(r.output);
    REQUIRE(r.output.rfind("SIGABRT: abort\n", 0) == 0);
    REQUIRE(r.output.find("abortsHere(") != std::string::npos);
    REQUIRE(r.signal == SIGABRT);
  }
}

TEST_CASE("A fault at a wild address in a goroutine is Go's unexpected fault address throw", "[signal][traceback]") {
  auto r = testprog::run("WildPointer");
  INFO(r.output);
  std::smatch m;
  REQUIRE(std::regex_search(r.output, m, std::regex("^page (0x[0-9a-f]+)\n")));
  REQUIRE(r.output.find("\nunexpected fault address " + m[1].str() +
                        "\nfatal error: fault\n[signal SIGSEGV: segmentation violation code=0x2 addr=" + m[1].str() +
                        " pc=0x") != std::string::npos);
  REQUIRE(std::regex_search(r.output, std::regex("\n\ngoroutine \\d+ \\[running\\]:\n")));
  REQUIRE(r.output.find("readWild(", r.output.find("\n\ngoroutine ")) != std::string::npos);
  REQUIRE(r.output.find("panic: ") == std::string::npos);
  REQUIRE(r.exitStatus == 2);
}
