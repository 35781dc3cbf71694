// stack_test.go — ports of Go 1.19's runtime/stack_test.go tests of
// runtime.Stack's output.
#include <catch2/catch.hpp>

#include <iterator>
#include <regex>
#include <sstream>
#include <string>

#include "runtime/go.h"
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
