// proc_test.cpp — goroutine creation, ids, reuse and exit (proc.cpp).
#include <catch2/catch.hpp>

#include <vector>

#include "runtime/go.h"
#include "export_test.h"

using namespace gort;

TEST_CASE("the main goroutine is goroutine 1 and new goroutines get growing ids", "[proc]") {
  REQUIRE(export_test::Goid() == 1);
  constexpr int n = 40;
  std::vector<int64_t> ids(n, 0);
  int done = 0;
  for (int i = 0; i < n; i++)
    go([&ids, &done, i] {
      ids[i] = export_test::Goid();
      done++;
    });
  while (done < n) runtime::Gosched();
  // goids are handed out in creation order (per-P batches of 16 from one
  // counter), whatever order the goroutines then run in.
  REQUIRE(ids[0] > 1);
  for (int i = 1; i < n; i++) REQUIRE(ids[i] == ids[i - 1] + 1);
}
