// oom_test.cpp — out of memory in the runtime's own allocations is Go's
// fatal error, not std::bad_alloc (tests/testprog/oom_scenarios.cpp).
#include <catch2/catch.hpp>

#include <regex>
#include <string>

#include "testprog_run.h"

namespace {
void requireOutOfMemory(const testprog::result& r) {
  INFO(r.output);
  // Only the first two lines (std::regex recursion on the whole traceback
  // would overflow a goroutine stack).
  // An ASan build first warns of the failed allocation ("==N==WARNING: ...").
  size_t start = 0;
  while (r.output.compare(start, 2, "==") == 0 && r.output.find('\n', start) != std::string::npos)
    start = r.output.find('\n', start) + 1;
  size_t nl = r.output.find('\n', start);
  REQUIRE(nl != std::string::npos);
  static const std::regex first("runtime: out of memory: cannot allocate [0-9]+-byte block \\([0-9]+ in use\\)");
  REQUIRE(std::regex_match(r.output.substr(start, nl - start), first));
  REQUIRE(r.output.compare(nl + 1, 27, "fatal error: out of memory\n") == 0);
  REQUIRE(r.output.find("std::bad_alloc") == std::string::npos);
  REQUIRE(r.exitStatus == 2);
}
}  // namespace

TEST_CASE("a channel buffer larger than the memory left is Go's fatal out of memory", "[malloc][oom]") {
  requireOutOfMemory(testprog::run("OomChanBuffer", {}, 120));
}

TEST_CASE("goroutine stacks beyond RLIMIT_AS end in Go's fatal out of memory", "[stack][oom]") {
  // qemu-user does not apply RLIMIT_AS to its guest (it would limit qemu);
  // TSan's shadow memory does not fit under a small RLIMIT_AS.
#if defined(__SANITIZE_THREAD__)
  WARN("skipped under TSan: its shadow mappings need more address space than the limit leaves");
  return;
#endif
  if (std::string(GORT_TESTPROG_EMULATOR).empty()) {
    requireOutOfMemory(testprog::run("OomStacks", {"GOMAXPROCS=1"}, 120));
  }
}
