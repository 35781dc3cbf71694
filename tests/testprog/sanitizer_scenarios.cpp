// sanitizer_scenarios.cpp — testprog scenarios for the sanitizer builds
// (make test-asan): what LeakSanitizer must and must not report.
#include <array>
#include <cstdio>
#include <memory>

#include "runtime/go.h"
#include "testprog/testprog.h"

using namespace gort;

namespace {

// gort-only (fiber_annotations.cpp: lsanRootLiveStacks): at exit one
// goroutine is parked for good holding a 54321-byte block that only its
// stack points to, and another has ended after dropping its only pointer
// to a 12345-byte block. Run with ASAN_OPTIONS=detect_leaks=1,
// LeakSanitizer must report the second and not the first (nor the parked
// goroutine's closure).
TESTPROG_SCENARIO(LeakOnlyWhatIsLost) {
  chan<int> ready(0);
  chan<int> never(0);
  go([ready, never] {
    auto held = std::make_unique<std::array<char, 54321>>();
    (*held)[0] = 1;
    ready.send(1);
    (void)never.recv();  // parked until exit
    printf("%d\n", (*held)[0]);
  });
  (void)ready.recv();
  chan<int> done(0);
  go([done] {
    char* volatile lost = new char[12345];
    lost[0] = 1;
    lost = nullptr;
    done.send(1);
  });
  (void)done.recv();
  printf("exiting\n");
  return 0;
}

}  // namespace
