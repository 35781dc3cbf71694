// stack_test.go — ports of Go 1.19's runtime/stack_test.go tests of
// runtime.Stack's output.
#include <catch2/catch.hpp>

#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "runtime/go.h"
#include "runtime/stubs.h"  // systemstack
#include "testprog_run.h"

namespace rt = gort::runtime;

// stack_test.go: TestStackOutput
TEST_CASE("TestStackOutput: Stack(false) starts with a goroutine header", "[conformance][traceback]") {
  std::string s = rt::Stack(false);
  INFO(s);
  REQUIRE(s.rfind("goroutine ", 0) == 0);
}

// stack_test.go: TestStackAllOutput
TEST_CASE("TestStackAllOutput: Stack(true) starts with a goroutine header", "[conformance][traceback]") {
  std::string s = rt::Stack(true);
  INFO(s);
  REQUIRE(s.rfind("goroutine ", 0) == 0);
}

// stack_test.go: TestTracebackAncestors. With GODEBUG=tracebackancestors=N
// a goroutine's traceback ends with the stacks of the (at most N)
// goroutines that led to it, each "[originating from goroutine M]:".
TEST_CASE("TestTracebackAncestors: tracebacks show the stacks of the goroutines that created a goroutine",
          "[conformance][traceback]") {
  for (int tracebackDepth : {0, 1, 5, 50}) {
    auto r = testprog::run("TracebackAncestors", {"GODEBUG=tracebackancestors=" + std::to_string(tracebackDepth)});
    INFO("tracebackancestors=" << tracebackDepth << ":\n" << r.output);
    REQUIRE(r.exitStatus == 0);

    const int numGoroutines = 3;
    const int numFrames = 2;
    int ancestorsExpected = numGoroutines > tracebackDepth ? tracebackDepth : numGoroutines;

    std::regex goroutineRegex("goroutine [0-9]+ \\[");
    auto nGoroutines = std::distance(std::sregex_iterator(r.output.begin(), r.output.end(), goroutineRegex),
                                     std::sregex_iterator());
    REQUIRE(nGoroutines == 2);

    // Check functions in the traceback.
    for (const char* fn : {"::recurseThenCallGo(", "::TracebackAncestors(", "::printStack(", "::gomain("})
      REQUIRE(r.output.find(fn) != std::string::npos);

    // Frame lines (not "created by" lines), apart by section: a live
    // goroutine's, or an ancestor's after "[originating from goroutine".
    std::istringstream lines(r.output);
    int originating = 0, ancestorFrames = 0, liveFrames = 0;
    bool inAncestor = false;
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("[originating from goroutine ", 0) == 0) {
        originating++;
        inAncestor = true;
      } else if (line.rfind("goroutine ", 0) == 0) {
        inAncestor = false;
      } else if (line.rfind("(anonymous namespace)::recurseThenCallGo(", 0) == 0) {
        (inAncestor ? ancestorFrames : liveFrames)++;
      }
    }
    CHECK(originating == ancestorsExpected);
    CHECK(ancestorFrames == ancestorsExpected * (numFrames + 1));
    CHECK(liveFrames == 1);
  }
}

namespace {

// export_test.go: TracebackSystemstack. Nests i calls of systemstack (the
// first switches to g0, the others are plain calls on it), then fills stk
// from the innermost: the walk must come back across the switch.
__attribute__((noinline)) int TracebackSystemstack(uintptr_t* stk, int n, int i) {
  if (i == 0) return rt::Callers(2, stk, n);  // from the caller, as Go's getcallerpc/getcallersp
  int r = 0;
  rt::systemstack([&] { r = TracebackSystemstack(stk, n, i - 1); });
  asm volatile("");  // keep the frame (no sibling call)
  return r;
}

// stack_test.go: TestTracebackSystemstack (its body, a named frame to find).
__attribute__((noinline)) std::pair<int, int> tracebackSystemstackCounts(std::string* tb) {
  uintptr_t pcs[40];
  int n = TracebackSystemstack(pcs, 40, 5);
  int countIn = 0, countOut = 0;
  auto frames = rt::CallersFrames(std::vector<uintptr_t>(pcs, pcs + n));
  for (;;) {
    auto [frame, more] = frames.Next();
    *tb += "\n" + frame.Function + " " + frame.File + ":" + std::to_string(frame.Line);
    if (frame.Function.rfind("(anonymous namespace)::TracebackSystemstack(", 0) == 0) countIn++;
    if (frame.Function.rfind("(anonymous namespace)::tracebackSystemstackCounts(", 0) == 0) countOut++;
    if (!more) break;
  }
  asm volatile("");
  return {countIn, countOut};
}

}  // namespace

// stack_test.go: TestTracebackSystemstack. Profiles (here: Callers) jump
// over systemstack, including nested systemstack calls.
TEST_CASE("TestTracebackSystemstack: Callers from nested systemstacks walks back into the goroutine",
          "[conformance][traceback]") {
  std::string tb;
  auto [countIn, countOut] = tracebackSystemstackCounts(&tb);
  INFO(tb);
  REQUIRE(countIn == 5);
  REQUIRE(countOut == 1);
}
