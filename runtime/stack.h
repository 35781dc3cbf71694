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
// gort-only: virtual size of each M's signal stack (Go: 32 KiB): a crash
// prints its tracebacks there (libunwind, libbacktrace, demangling).
constexpr uint32_t signalStackSize = 256 << 10;
// gort-only: value kept in the lowest word of a goroutine stack that has no
// guard page below it, checked at every switch; a mismatch means the stack
// overflowed. Guarded stacks carry none: the guard catches the overflow,
// and the canary's write would cost every goroutine a second page.
constexpr uint64_t stackCanary = 0x60c0ffee5a5a60c0ULL;
// gort-only: how many stacks a P caches (Go's _StackCacheSize is 32 KiB per
// size order, 16 of its smallest 2 KiB stacks; gort's stacks are 128 times
// larger but mostly untouched, so the cache counts stacks: Go's 16).
constexpr uintptr_t stackCacheStacks = 16;

// stack.go: startingStackSize. The size of new goroutine stacks.
extern std::atomic<uint32_t> startingStackSize;
// gort-only: the number of bytes a goroutine may use on its stack (Go's
// maxstacksize, printed in the overflow message).
extern std::atomic<uintptr_t> maxstacksize;

// stack.go: stackinit. Reads the page size and vm.max_map_count and picks
// the guard kind (stackGuardMode). Runs once, from schedinit.
void stackinit();
// stack.go: stackalloc. Allocates an n-byte stack (n a power of 2, at least
// a page) with a guard page below it, or, where no guard could be made, the
// canary at its lowest word (stackHasCanary). Must run on g0. May run
// without a P.
struct stack stackalloc(uint32_t n);
// gort-only: whether stk (from stackalloc) carries the canary: its span has
// no guard page.
bool stackHasCanary(struct stack stk);
// stack.go: stackfree. Frees a stack from stackalloc: into the current P's
// cache if there is room, else back to the pool with its pages released.
// Must run on g0. May run without a P.
void stackfree(struct stack stk);
// stack.go: stackcache_clear. Returns pp's cached stacks to the global pool
// (releasing their pages). Executed by the owner P, or with the world
// stopped.
void stackcache_clear(p* pp);
// gort-only: checks gp's canary, if its stack has one (g.stackcanary); a
// broken one is a stack overflow (fatal, in Go's words).
void stackcheck(g* gp);

// gort-only: how the page below each stack is made to fault, best first.
// The kind is chosen per span of stacks when the span is mapped; the mode
// only moves down this list.
enum stackGuardKind : uint8_t {
  // madvise(MADV_GUARD_INSTALL) (Linux ≥ 6.13): a page-table marker, no
  // extra mapping, survives MADV_DONTNEED.
  stackGuardMadvise,
  // mprotect(PROT_NONE): splits the mapping, so each guard costs two of
  // vm.max_map_count's entries; used while a budget of a quarter of
  // max_map_count guards lasts.
  stackGuardMprotect,
  // none: only the canary (written only into these stacks, checked at
  // every switch) catches an overflow.
  stackGuardNone,
};
// gort-only: the guard kind new stacks get now.
stackGuardKind stackGuardMode();
// gort-only: the guard kind of stk's span.
stackGuardKind stackGuardOf(struct stack stk);
// gort-only: "madvise", "mprotect" or "none".
const char* stackGuardString(stackGuardKind k);

// gort-only, for tests: from now on stacks come only from spans made after
// this call (per-P caches are bypassed), guarded as mode says. refuseMadvise
// makes MADV_GUARD_INSTALL fail as on a kernel older than 6.13; mprotectBudget
// (if ≥ 0) is how many mprotect guards may still be made before falling back
// to none.
void stackSetGuardModeForTest(stackGuardKind mode, bool refuseMadvise, int64_t mprotectBudget);
// gort-only, for tests: undoes stackSetGuardModeForTest (the mode and the
// mprotect budget go back to what stackinit found, minus guards made since).
void stackResetGuardModeForTest();
// gort-only: whether this kernel advises a batch of this process's pages
// in one call (process_madvise on PIDFD_SELF, Linux ≥ 6.14): then a span's
// guards are installed, and the top pages of a per-P cache refill
// populated, by one call each; else page by page (guards) or by the first
// touch (top pages).
bool stackBatchAdvise();
// gort-only, for tests: limit ≥ 0 makes every batched call advise at most
// its first `limit` pages, as a kernel that stops at a page it refuses
// does (0: as if batches were not taken); −1 lifts it.
void stackSetBatchLimitForTest(int64_t limit);
// gort-only, for tests: how many n-byte stacks one span holds.
uint32_t stackSpanStacks(uint32_t n);
// gort-only, for tests: whether reading the byte at v faults, asked of the
// kernel (a write(2) from v to a pipe fails with EFAULT) instead of by
// touching it.
bool stackAddrFaults(uintptr_t v);

}  // namespace gort::runtime
