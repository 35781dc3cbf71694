// testprog — scenarios that must crash or print, run by the tests as a
// child process (Go's runtime/testdata/testprog). Usage: testprog NAME.
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>

#include "runtime/go.h"

using namespace gort;

namespace {
std::map<std::string, std::function<int()>>& scenarios() {
  static std::map<std::string, std::function<int()>> m;
  return m;
}
struct registerScenario {
  registerScenario(const char* name, std::function<int()> f) { scenarios()[name] = std::move(f); }
};
#define TESTPROG_SCENARIO(name) \
  static int name();            \
  static registerScenario reg_##name(#name, name);  \
  static int name()

// crash_test.go: TestMainGoroutineID — main panics with "test".
TESTPROG_SCENARIO(MainGoroutineID) {
  throw std::runtime_error("test");
}

// crash_test.go: TestGoNil — go of a nil function.
TESTPROG_SCENARIO(GoNil) {
  go(std::function<void()>());
  runtime::Gosched();
  return 0;
}

// crash_test.go: TestGoexitDeadlock — main calls Goexit while another
// goroutine still runs; when that one ends, nothing is left.
TESTPROG_SCENARIO(GoexitDeadlock) {
  go([] {
    for (int i = 0; i < 10; i++) runtime::Gosched();
  });
  runtime::Goexit();
}

// gort-only: an uncaught exception of a non-std type in a goroutine.
TESTPROG_SCENARIO(PanicNonStd) {
  go([] { throw 42; });
  for (;;) runtime::Gosched();
}

// Run order under GOMAXPROCS=1: ten go statements, then wait. The last one
// sits in runnext and runs first (Go 1.19 prints 9 0 1 2 3 4 5 6 7 8).
TESTPROG_SCENARIO(GoOrder) {
  int done = 0;
  for (int i = 0; i < 10; i++)
    go([&done](int i) {
      printf("%d ", i);
      done++;
    }, i);
  while (done < 10) runtime::Gosched();
  printf("\n");
  return 0;
}

// Run order under GOMAXPROCS=1: three goroutines print and Gosched four
// times each; Gosched goes to the global queue's tail (Go 1.19 prints
// c0 a0 b0 c1 a1 b1 c2 a2 b2 c3 a3 b3).
TESTPROG_SCENARIO(GoschedOrder) {
  int done = 0;
  for (const char* name : {"a", "b", "c"})
    go([&done](const char* n) {
      for (int i = 0; i < 4; i++) {
        printf("%s%d ", n, i);
        runtime::Gosched();
      }
      done++;
    }, name);
  while (done < 3) runtime::Gosched();
  printf("\n");
  return 0;
}

int gomain(int argc, char** argv) {
  if (argc < 2 || scenarios().count(argv[1]) == 0) {
    fprintf(stderr, "usage: testprog SCENARIO; scenarios:");
    for (auto& [name, f] : scenarios()) fprintf(stderr, " %s", name.c_str());
    fprintf(stderr, "\n");
    return 2;
  }
  return scenarios()[argv[1]]();
}
}  // namespace

int main(int argc, char** argv) { rt0_go(argc, argv, gomain); }
