// stack.h — goroutine stacks: fixed-size, lazily mapped, guarded.
// Port of Go 1.19 src/runtime/stack.go (declarations; see stack.cpp).
// gort can't move C++ frames, so stacks never grow: every goroutine stack
// has the same virtual size (startingStackSize, set by SetMaxStack) and only
// the pages it touches cost memory (DESIGN §7).
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/runtime2.h"

namespace gort::runtime {

// stack.go: _StackGuard. Go's prologue check margin; gort keeps it only to
// set stackguard0 as Go does (there are no prologue checks in C++).
constexpr uintptr_t _StackGuard = 928;
// stack.go: _StackSystem (0 on Linux).
constexpr uintptr_t _StackSystem = 0;
// gort-only: default virtual size of a goroutine stack (DESIGN §7).
constexpr uint32_t defaultStackSize = 256 << 10;
// gort-only: value kept in the lowest word of every goroutine stack and
// checked at every switch; a mismatch means the stack overflowed.
constexpr uint64_t stackCanary = 0x60c0ffee5a5a60c0ULL;

// stack.go: startingStackSize. The size of new goroutine stacks.
extern std::atomic<uint32_t> startingStackSize;

// stack.go: stackinit
void stackinit();
// stack.go: stackalloc. Allocates an n-byte stack (n a multiple of the page
// size) with a guard below it and the canary at its lowest word.
// May run without a P.
struct stack stackalloc(uint32_t n);
// stack.go: stackfree. Frees a stack from stackalloc.
void stackfree(struct stack stk);
// stack.go: stackcache_clear. Returns pp's cached stacks to the global pool.
void stackcache_clear(p* pp);
// gort-only: checks gp's canary; a broken one is a stack overflow (fatal).
void stackcheck(g* gp);
// gort-only: the number of bytes a goroutine may use on its stack (Go's
// maxstacksize, printed in the overflow message).
extern std::atomic<uintptr_t> maxstacksize;

}  // namespace gort::runtime
