// smallstack_scenarios.cpp — tracebacks from goroutines on small stacks:
// the traceback machinery runs on the M's g0 stack (onSystemStack in
// runtime/traceback.cpp), so a goroutine of SetMaxStack(16384) can print
// its own stack and die of a panic in Go's words.
#include <cstdio>
#include <string>
#include <vector>

#include "runtime/go.h"
#include "testprog/testprog.h"

using namespace gort;

namespace {

// gort-only: the goroutine that prints and then panics.
__attribute__((noinline)) void smallStackPanics(chan<int> c) {
  std::string s = runtime::Stack(true);
  bool self = s.find("smallStackPanics") != std::string::npos;
  std::vector<uintptr_t> pcs(32);
  pcs.resize(size_t(runtime::Callers(0, pcs.data(), int(pcs.size()))));
  bool named = false;
  runtime::Frames frames = runtime::CallersFrames(pcs);
  for (;;) {
    auto [fr, more] = frames.Next();
    if (fr.Function.find("smallStackPanics") != std::string::npos) named = true;
    if (!more) break;
  }
  printf("Stack names this goroutine: %s, CallersFrames names it: %s\n", self ? "yes" : "no", named ? "yes" : "no");
  fflush(stdout);
  c.close();
  c.send(1);  // panic: send on closed channel
}

}  // namespace

// gort-only: a goroutine with a 16 KiB stack walks and symbolizes its own
// stack (Stack(true), Callers, CallersFrames), then panics.
TESTPROG_SCENARIO(SmallStackTraceback) {
  runtime::SetMaxStack(16384);
  chan<int> c(1);
  go(smallStackPanics, c);
  gort::select();  // select {}
  return 0;
}
