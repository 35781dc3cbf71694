// testprog's scenario registry, shared by the files of tests/testprog/:
// each file adds its scenarios with TESTPROG_SCENARIO(Name) { ... } and the
// test runs `testprog Name` (Go's runtime/testdata/testprog, whose files
// register with register("Name", fn) in init).
#pragma once
#include <functional>
#include <map>
#include <string>

namespace testprog {
// gort-only: every scenario by name; testprog's main runs the one named by argv[1].
std::map<std::string, std::function<int()>>& scenarios();
struct registerScenario {
  registerScenario(const char* name, std::function<int()> f) { scenarios()[name] = std::move(f); }
};
}  // namespace testprog

#define TESTPROG_SCENARIO(name)                                  \
  static int name();                                             \
  static ::testprog::registerScenario reg_##name(#name, name);   \
  static int name()
