// crash_test.go — ports of Go 1.19's runtime/crash_test.go: programs that
// must die with Go's words. Each runs a tests/testprog scenario.
#include <catch2/catch.hpp>

#include <exception>
#include <functional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/error.h"
#include "runtime/go.h"

#include "export_test.h"
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

// crash_test.go: TestThreadExhaustion (testprog: ThreadExhaustion).
TEST_CASE("TestThreadExhaustion: more Ms than SetMaxThreads allows is a fatal error in Go's words",
          "[conformance][crash]") {
  auto r = testprog::run("ThreadExhaustion");
  INFO(r.output);
  REQUIRE(r.output.rfind("runtime: program exceeds 10-thread limit\nfatal error: thread exhaustion", 0) == 0);
  REQUIRE(r.exitStatus == 2);
}

// crash_test.go: TestGoexitCrash (testprog: GoexitExit).
TEST_CASE("TestGoexitCrash: Goexit in main once the others are done reports the deadlock",
          "[conformance][crash]") {
  auto r = testprog::run("GoexitExit");
  INFO(r.output);
  REQUIRE(r.output.find("no goroutines (main called runtime.Goexit) - deadlock!") != std::string::npos);
  REQUIRE(r.exitStatus == 2);
}

// crash_test.go: TestGoexitDefer. The deferred call runs during Goexit
// and recover sees no panic there. gort: the destructor runs during
// Goexit's unwinding, and no exception the program could catch is in
// flight: std::current_exception() is empty (Go's recover() == nil) and a
// catch (const std::exception&) around Goexit sees nothing.
TEST_CASE("TestGoexitDefer: a goroutine's destructors run during Goexit and see no panic",
          "[conformance][crash]") {
  struct deferred {
    gort::chan<int> c;
    bool* sawPanic;
    ~deferred() {
      if (std::current_exception()) *sawPanic = true;
      c.send(0);
    }
  };
  gort::chan<int> c;
  bool sawPanic = false, caught = false;
  export_test::ExitTracker exited;
  gort::go([c, &sawPanic, &caught, &exited] {
    exited.Track();
    try {
      deferred d{c, &sawPanic};
      gort::runtime::Goexit();
    } catch (const std::exception&) {
      caught = true;
    }
  });
  // Note: if the destructor fails to run, we will get a deadlock here.
  c.recv();
  exited.Wait();
  REQUIRE_FALSE(sawPanic);
  REQUIRE_FALSE(caught);
}

// crash_test.go: TestGoexitInPanic (golang.org/issue/8774).
TEST_CASE("TestGoexitInPanic: a goroutine that Goexits while handling a panic just ends",
          "[conformance][crash]") {
  auto r = testprog::run("GoexitInPanic");
  INFO(r.output);
  REQUIRE(r.output.rfind("fatal error: no goroutines (main called runtime.Goexit) - deadlock!", 0) == 0);
  REQUIRE(r.exitStatus == 2);
}

// crash_test.go: TestPanicAfterGoexit.
TEST_CASE("TestPanicAfterGoexit: an uncaught panic thrown while Goexit unwinds still kills the program",
          "[conformance][crash]") {
  auto r = testprog::run("PanicAfterGoexit");
  INFO(r.output);
  REQUIRE(r.output.rfind("panic: hello", 0) == 0);
  REQUIRE(r.exitStatus == 2);
}

// crash_test.go: TestRecoveredPanicAfterGoexit.
TEST_CASE("TestRecoveredPanicAfterGoexit: a panic recovered while Goexit unwinds leaves Goexit going",
          "[conformance][crash]") {
  auto r = testprog::run("RecoveredPanicAfterGoexit");
  INFO(r.output);
  REQUIRE(r.output.rfind("fatal error: no goroutines (main called runtime.Goexit) - deadlock!", 0) == 0);
  REQUIRE(r.exitStatus == 2);
}

// crash_test.go: TestNetpollDeadlock (testprognet: NetpollDeadlock).
TEST_CASE("TestNetpollDeadlock: a program that used the network poller finishes without a deadlock report",
          "[conformance][crash]") {
  auto r = testprog::run("NetpollDeadlock");
  INFO(r.output);
  const std::string want = "done\n";
  REQUIRE(r.output.size() >= want.size());
  REQUIRE(r.output.compare(r.output.size() - want.size(), want.size(), want) == 0);
  REQUIRE(r.exitStatus == 0);
}

// crash_test.go: testPanicDeadlock (golang.org/issue/14432)
static void testPanicDeadlock(const char* name, const std::string& want) {
  auto r = testprog::run(name);
  INFO(r.output);
  REQUIRE(r.output.rfind(want, 0) == 0);
  REQUIRE(r.exitStatus == 2);
}

TEST_CASE("TestPanicDeadlockGosched: a panic value whose message yields still prints",
          "[conformance][crash]") {
  testPanicDeadlock("GoschedInPanic", "panic: errorThatGosched\n\n");
}

TEST_CASE("TestPanicDeadlockSyscall: a panic value whose message makes system calls still prints",
          "[conformance][crash]") {
  testPanicDeadlock("SyscallInPanic", "1\n2\npanic: 3\n\n");
}

// crash_test.go: TestRecursivePanic
TEST_CASE("TestRecursivePanic: a recovered panic re-panicked and recovered again, then a last panic",
          "[conformance][crash]") {
  auto r = testprog::run("RecursivePanic");
  INFO(r.output);
  REQUIRE(r.output.rfind("wrap: bad\npanic: again\n\n", 0) == 0);
  REQUIRE(r.exitStatus == 2);
}

// crash_test.go: TestRecursivePanic2
TEST_CASE("TestRecursivePanic2: the recover and the second panic run in Go's order",
          "[conformance][crash]") {
  auto r = testprog::run("RecursivePanic2");
  INFO(r.output);
  REQUIRE(r.output.rfind("first panic\nsecond panic\npanic: third panic\n\n", 0) == 0);
  REQUIRE(r.exitStatus == 2);
}

// crash_test.go: TestRecursivePanic3
TEST_CASE("TestRecursivePanic3: an unrecovered first panic ends the program whatever its deferred calls do",
          "[conformance][crash]") {
  auto r = testprog::run("RecursivePanic3");
  INFO(r.output);
  REQUIRE(r.output.rfind("panic: first panic\n", 0) == 0);
  REQUIRE(r.exitStatus == 2);
}

// crash_test.go: TestRecursivePanic5
TEST_CASE("TestRecursivePanic5: recovering with deferred calls still to run further up",
          "[conformance][crash]") {
  auto r = testprog::run("RecursivePanic5");
  INFO(r.output);
  REQUIRE(r.output.rfind("first panic\nsecond panic\npanic: third panic\n", 0) == 0);
  REQUIRE(r.exitStatus == 2);
}

// crash_test.go: TestNoHelperGoroutines
TEST_CASE("TestNoHelperGoroutines: a panic's traceback shows only goroutine 1, no runtime helpers",
          "[conformance][crash]") {
  auto r = testprog::run("NoHelperGoroutines");
  INFO(r.output);
  std::regex header("goroutine [0-9]+ \\[");
  std::vector<std::string> matches;
  for (auto it = std::sregex_iterator(r.output.begin(), r.output.end(), header); it != std::sregex_iterator(); ++it)
    matches.push_back(it->str());
  REQUIRE(matches.size() == 1);
  REQUIRE(matches[0] == "goroutine 1 [");
}

// crash_test.go: panicValue
template <class F>
static std::exception_ptr panicValue(F fn) {
  try {
    fn();
  } catch (...) {
    return std::current_exception();
  }
  return nullptr;
}

// crash_test.go: TestRuntimePanicWithRuntimeError (golang.org/issue/14965).
// gort: only Go's channel cases; maps, slices and make(chan, -1) (a size_t
// capacity cannot be negative) are the compiler's, not the scheduler's.
TEST_CASE("TestRuntimePanicWithRuntimeError: the runtime's channel panics are runtime::Error",
          "[conformance][crash]") {
  std::vector<std::function<void()>> testCases = {
      // 1:
      [] {
        gort::chan<int> ch;
        ch.close();
        ch.close();
      },
      // 2:
      [] {
        gort::chan<int> ch;
        ch.close();
        ch.send(0);
      },
      // 5:
      [] { gort::chan<bool>::nil().close(); },
  };
  for (size_t i = 0; i < testCases.size(); i++) {
    std::exception_ptr got = panicValue(testCases[i]);
    INFO("test #" << i);
    REQUIRE(got != nullptr);
    bool isRuntimeError = false;
    try {
      std::rethrow_exception(got);
    } catch (const gort::runtime::Error&) {
      isRuntimeError = true;
    } catch (...) {
    }
    REQUIRE(isRuntimeError);
  }
}

// crash_test.go: TestPanicLoop
TEST_CASE("TestPanicLoop: a panic value whose message panics is reported, not looped on",
          "[conformance][crash]") {
  auto r = testprog::run("PanicLoop");
  INFO(r.output);
  REQUIRE(r.output.find("panic while printing panic value") != std::string::npos);
  REQUIRE(r.exitStatus == 2);
}

// crash_test.go: TestPanicWhilePanicking (golang.org/issue/52257). gort:
// without Go's Stringer cases (C++ exceptions have what() only) and
// NilPanic (Go 1.19's panic(nil) has no C++ counterpart).
TEST_CASE("TestPanicWhilePanicking: a panic while printing the panic value says so",
          "[conformance][crash]") {
  struct {
    const char* Want;
    const char* Func;
  } tests[] = {
      {"panic while printing panic value: important error message", "ErrorPanic"},
      {"panic while printing panic value: type", "DoubleErrorPanic"},
      {"panic while printing panic value: type", "CircularPanic"},
      {"important string message", "StringPanic"},
  };
  for (auto& x : tests) {
    auto r = testprog::run(x.Func);
    INFO(x.Func << ":\n" << r.output);
    REQUIRE(r.output.find(x.Want) != std::string::npos);
    REQUIRE(r.exitStatus == 2);
  }
}

// crash_test.go: TestPanicRace. Go retries ten times (its deferred Done
// races the panic); in gort the deferred call never runs, so one run
// decides.
TEST_CASE("TestPanicRace: a goroutine's panic is reported with its creator while main waits",
          "[conformance][crash]") {
  auto r = testprog::run("PanicRace");
  INFO(r.output);
  for (const char* want : {"panic: crash", "PanicRace", "created by "})
    REQUIRE(r.output.find(want) != std::string::npos);
  REQUIRE(r.exitStatus == 2);
}

// crash_test.go: TestBreakpoint. Go's traceback names runtime.Breakpoint
// (an exported runtime function, so shown at the default level).
TEST_CASE("TestBreakpoint: a breakpoint trap without a debugger dies with a SIGTRAP traceback naming Breakpoint",
          "[conformance][crash]") {
  auto r = testprog::run("Breakpoint");
  INFO(r.output);
  REQUIRE(r.output.rfind("SIGTRAP: trace trap\nPC=0x", 0) == 0);
  REQUIRE(r.output.find("\ngoroutine 1 [running]:\n") != std::string::npos);
  REQUIRE(r.output.find("gort::runtime::Breakpoint(") != std::string::npos);
  REQUIRE(r.exitStatus == 2);
}

// crash_test.go: TestAbort. With GOTRACEBACK=system the runtime's abort
// shows in a signal traceback; nothing after it runs, no catch recovers
// it. amd64 traps (SIGTRAP, as Go's INT $3); arm64 faults at address 0,
// which the handler turns into a throw (Go's isAbortPC), not a panic.
TEST_CASE("TestAbort: the runtime's abort dies with a signal traceback naming it and runs nothing after",
          "[conformance][crash]") {
  auto r = testprog::run("Abort", {"GOTRACEBACK=system"});
  INFO(r.output);
  REQUIRE(r.output.find("gort::runtime::abort(") != std::string::npos);
  REQUIRE(r.output.find("BAD") == std::string::npos);
  REQUIRE(r.output.find("PC=") != std::string::npos);
#if defined(__x86_64__)
  REQUIRE(r.output.rfind("SIGTRAP: trace trap\n", 0) == 0);
#elif defined(__aarch64__)
  REQUIRE(r.output.rfind("SIGSEGV: segmentation violation\n", 0) == 0);
#endif
  REQUIRE(r.output.find("panic: ") == std::string::npos);
  REQUIRE(r.exitStatus == 2);
}

// crash_test.go: TestBadTraceback. A smashed return address: the traceback
// says so, names the frame it was found in, and hex-dumps that frame with
// the bad word marked and code addresses symbolized.
TEST_CASE("TestBadTraceback: a smashed return pc is reported with a marked hex dump of its frame",
          "[conformance][crash][traceback]") {
  auto r = testprog::run("BadTraceback");
  INFO(r.output);
  for (const char* want : {
           "unexpected return pc",
           "called from 0xbad",
           "!0x0000000000000bad",  // Smashed LR in hex dump, marked
       })
    CHECK(r.output.find(want) != std::string::npos);
  // Symbolization in hex dump. gort: Go finds main.badLR1 or badLR2 there;
  // which return addresses gort's frames leave near sp differs by arch
  // (on arm64 only the goroutine's entry and goexit), so any code word.
  CHECK(std::regex_search(r.output, std::regex("\n0x[0-9a-f]+: .*<[^>]+\\+0x[0-9a-f]+> ")));
  REQUIRE(r.exitStatus == 2);
}
