// proc_test.cpp — ports of Go 1.19's runtime/proc_test.go (and the
// export_test.go helpers behind them). Each TEST_CASE names the Go test.
#include <catch2/catch.hpp>

#include <vector>

#include "export_test.h"

namespace rt = gort::runtime;

// export_test.go: RunSchedLocalQueueTest
TEST_CASE("TestSchedLocalQueue: the local run queue is FIFO up to its capacity and empty after a drain",
          "[conformance][runq]") {
  auto ownedP = export_test::NewP();
  rt::p* pp = ownedP.get();
  std::vector<rt::g> gs(rt::runqSize);
  bool inheritTime = false;
  for (int i = 0; i < rt::runqSize; i++) {
    REQUIRE(rt::runqget(pp, &inheritTime) == nullptr);  // runq is not empty initially
    for (int j = 0; j < i; j++) rt::runqput(pp, &gs[i], false);
    for (int j = 0; j < i; j++) {
      INFO("iter " << i << "/" << j);
      REQUIRE(rt::runqget(pp, &inheritTime) == &gs[i]);  // bad element
    }
    REQUIRE(rt::runqget(pp, &inheritTime) == nullptr);  // runq is not empty afterwards
  }
  REQUIRE(rt::runqempty(pp));
}
