// rdebug.cpp — the runtime half of package runtime/debug.
// Port of Go 1.19 src/runtime/rdebug.go (setMaxStack).

#include <cstddef>

#include "runtime/go.h"
#include "runtime/stack.h"

namespace gort::runtime {

// gort-only: the smallest goroutine stack SetMaxStack gives (four pages:
// the entry frame, a few calls, the canary).
constexpr size_t minMaxStack = 16 << 10;
// gort-only: the largest (startingStackSize is 32 bits; each stack is
// reserved address space, so larger ones would exhaust it quickly).
constexpr size_t maxMaxStack = size_t(1) << 30;

// rdebug.go: setMaxStack (runtime/debug.SetMaxStack)
// Sets the limit printed as "goroutine stack exceeds N-byte limit" and
// returns the previous one. gort: stacks can't grow, so the limit also
// picks the size of the stacks of goroutines created (or reused) from now
// on: the largest power of two not above it, as Go's doubling stack stops
// at the last size within the limit. Existing goroutines keep theirs.
size_t SetMaxStack(size_t in) {
  size_t out = maxstacksize.exchange(in);
  size_t size = minMaxStack;
  while (size * 2 <= in && size * 2 <= maxMaxStack) size *= 2;
  startingStackSize.store(uint32_t(size));
  return out;
}

}  // namespace gort::runtime
