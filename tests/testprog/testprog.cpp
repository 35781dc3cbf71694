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

// Go: testprog's main goroutine panics with "test" (TestMainGoroutineID).
TESTPROG_SCENARIO(MainPanic) {
  throw std::runtime_error("test");
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
