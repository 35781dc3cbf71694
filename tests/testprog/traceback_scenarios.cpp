// traceback_scenarios.cpp — the testprog scenario of Go 1.19's
// runtime/stack_test.go TestTracebackAncestors (Go's
// testdata/testprog/traceback_ancestors.go).
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "runtime/go.h"
#include "runtime/sync.h"
#include "testprog/testprog.h"

using namespace gort;

namespace {

// traceback_ancestors.go: numGoroutines, numFrames
constexpr int numGoroutines = 3;
constexpr int numFrames = 2;

// traceback_ancestors.go: ignoreGoroutines. gort: guarded, as the
// goroutines that write it may run on several threads.
std::set<std::string> ignoreGoroutines;
sync::Mutex ignoreMu;

// traceback_ancestors.go: goroutineID. Parses "goroutine N [" from the
// goroutine's own stack.
std::string goroutineID() {
  std::string s = runtime::Stack(false);
  s = s.substr(std::string("goroutine ").size());
  return s.substr(0, s.find(' '));
}

// traceback_ancestors.go: printStack. Every goroutine's stack but those
// ignored (still exiting), written at once.
__attribute__((noinline)) void printStack() {
  std::string tb = runtime::Stack(true);
  // Delete any ignored goroutines, if present.
  size_t pos = 0;
  while (pos < tb.size()) {
    size_t next = tb.find("\n\n", pos);
    next = next == std::string::npos ? tb.size() : next + 2;
    if (tb.compare(pos, 10, "goroutine ") == 0) {
      std::string id = tb.substr(pos + 10);
      id = id.substr(0, id.find(' '));
      ignoreMu.Lock();
      bool ignored = ignoreGoroutines.count(id) != 0;
      ignoreMu.Unlock();
      if (ignored) {
        tb.erase(pos, next - pos);
        next = pos;
      }
    }
    pos = next;
  }
  fputs(tb.c_str(), stdout);
  fflush(stdout);
}

// traceback_ancestors.go: recurseThenCallGo. Recurses goroutines frames
// deep, then starts the next goroutine (frames-1 left), which does the
// same; the last one signals w and waits on it.
__attribute__((noinline)) void recurseThenCallGo(chan<int> w, int frames, int goroutines, bool main) {
  if (frames == 0) {
    // Signal to TracebackAncestors that we are done recursing and starting goroutines.
    w.send(0);
    w.recv();
    return;
  }
  if (goroutines == 0) {
    // Record which goroutine this is so we can ignore it in the traceback
    // if it hasn't finished exiting by the time we printStack.
    if (!main) {
      ignoreMu.Lock();
      ignoreGoroutines.insert(goroutineID());
      ignoreMu.Unlock();
    }
    // Start the next goroutine now that there are no more recursions left
    // for this current goroutine.
    go(recurseThenCallGo, w, frames - 1, numFrames, false);
    return;
  }
  recurseThenCallGo(w, frames, goroutines - 1, main);
  asm volatile("");  // no sibling call: every level keeps its frame
}

// traceback_ancestors.go: TracebackAncestors
TESTPROG_SCENARIO(TracebackAncestors) {
  chan<int> w;
  recurseThenCallGo(w, numGoroutines, numFrames, true);
  w.recv();
  printStack();
  w.close();
  return 0;
}

}  // namespace
