// stack_test.go — ports of Go 1.19's runtime/stack_test.go tests of
// runtime.Stack's output.
#include <catch2/catch.hpp>

#include <string>

#include "runtime/go.h"

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
