// lock_futex.h — the runtime's mutex and note, on Linux futexes.
// Port of Go 1.19 src/runtime/lock_futex.go (declarations; see lock_futex.cpp).
#pragma once

#include <cstdint>

#include "runtime/runtime2.h"

namespace gort::runtime {

// lock_futex.go: active_spin, active_spin_cnt. How long lock spins before
// it sleeps, shared with sync::Mutex's spinning (proc.go:
// sync_runtime_canSpin, sync_runtime_doSpin).
constexpr int active_spin = 4;
constexpr int active_spin_cnt = 30;

// lock_futex.go: lock. Acquire l; spins briefly, then sleeps in the kernel.
void lock(mutex* l);
// lock_futex.go: unlock.
void unlock(mutex* l);
// panic.go: throw (declared in proc.h too; assertLockHeld below needs it)
[[noreturn]] void throw_(const char* s);

// lockrank_off.go: assertLockHeld
// Go's is empty unless lock ranking is compiled in. gort's checks that l
// is locked by someone, which catches a forgotten lock() all the same;
// inline, so that on the scheduler's paths the check costs a load of a
// line the caller holds anyway and a branch never taken.
inline void assertLockHeld(mutex* l) {
  if (__builtin_expect(l->key.load(std::memory_order_relaxed) == 0, 0))  // 0: lock_futex.cpp's mutex_unlocked
    throw_("assertLockHeld: lock not held");
}

// lock_futex.go: noteclear / notewakeup / notesleep / notetsleep / notetsleepg.
void noteclear(note* n);
void notewakeup(note* n);
// Must run on g0.
void notesleep(note* n);
// Must run on g0. Returns true if woken, false on timeout. ns < 0: forever.
bool notetsleep(note* n, int64_t ns);

}  // namespace gort::runtime
