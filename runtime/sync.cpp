// sync.cpp — package sync: Mutex, RWMutex, WaitGroup, Once, Cond.
//
// Port of Go 1.19 src/sync/mutex.go, rwmutex.go, waitgroup.go, once.go and
// cond.go, in that order, each in its file's order. The waiting is the
// runtime's: semaphores and notify lists (runtime/sema.cpp) park the
// goroutine, never the thread.
//
// Go's race-detector annotations (race.Acquire, race.Disable, ...) are left
// out: under TSan the atomics below carry the same happens-before edges.
// Go's sync.throw and sync.fatal are the runtime's throw and fatal
// (panic.go: sync_throw, sync_fatal).

#include "runtime/sync.h"

#include <stdexcept>

#include "runtime/os_linux.h"
#include "runtime/proc.h"
#include "runtime/sema.h"

namespace gort::sync {

namespace {
// The runtime's half, declared in sync/runtime.go and linknamed in Go.

// sync/runtime.go: runtime_Semacquire
// Semacquire waits until *s > 0 and then atomically decrements it. It is
// intended as a simple sleep primitive for use by the synchronization
// library and should not be used directly.
void runtime_Semacquire(std::atomic<uint32_t>* s) { runtime::sync_runtime_Semacquire(s); }

// sync/runtime.go: runtime_SemacquireMutex
// SemacquireMutex is like Semacquire, but for profiling contended
// Mutexes. If lifo is true, queue waiter at the head of wait queue.
void runtime_SemacquireMutex(std::atomic<uint32_t>* s, bool lifo, int skipframes) {
  runtime::sync_runtime_SemacquireMutex(s, lifo, skipframes);
}

// sync/runtime.go: runtime_Semrelease
// Semrelease atomically increments *s and notifies a waiting goroutine if
// one is blocked in Semacquire. If handoff is true, pass count directly
// to the first waiter.
void runtime_Semrelease(std::atomic<uint32_t>* s, bool handoff, int skipframes) {
  runtime::sync_runtime_Semrelease(s, handoff, skipframes);
}

// gort-only: sync's notifyList is the runtime's, seen through its
// approximation (layout checked in sema.cpp, Go's runtime_notifyListCheck).
runtime::notifyList* rt(notifyList* l) { return reinterpret_cast<runtime::notifyList*>(l); }

// sync/runtime.go: runtime_notifyListAdd (see runtime/sema.cpp)
uint32_t runtime_notifyListAdd(notifyList* l) { return runtime::notifyListAdd(rt(l)); }
// sync/runtime.go: runtime_notifyListWait
void runtime_notifyListWait(notifyList* l, uint32_t t) { runtime::notifyListWait(rt(l), t); }
// sync/runtime.go: runtime_notifyListNotifyAll
void runtime_notifyListNotifyAll(notifyList* l) { runtime::notifyListNotifyAll(rt(l)); }
// sync/runtime.go: runtime_notifyListNotifyOne
void runtime_notifyListNotifyOne(notifyList* l) { runtime::notifyListNotifyOne(rt(l)); }

// Active spinning runtime support.
// sync/runtime.go: runtime_canSpin
// runtime_canSpin reports whether spinning makes sense at the moment.
bool runtime_canSpin(int i) { return runtime::sync_runtime_canSpin(i); }
// sync/runtime.go: runtime_doSpin
// runtime_doSpin does active spinning.
void runtime_doSpin() { runtime::sync_runtime_doSpin(); }

// sync/runtime.go: runtime_nanotime
int64_t runtime_nanotime() { return runtime::sync_nanotime(); }

// gort-only: sync/atomic's AddInt32 and AddUint64 return the new value,
// where std::atomic's fetch_add returns the old one.
template <class T>
T atomicAdd(std::atomic<T>& a, T delta) {
  return a.fetch_add(delta) + delta;
}
}  // namespace

// ===========================================================================
// mutex.go
// ===========================================================================
//
// Mutex fairness.
//
// Mutex can be in 2 modes of operations: normal and starvation. In normal
// mode waiters are queued in FIFO order, but a woken up waiter does not own
// the mutex and competes with new arriving goroutines over the ownership.
// New arriving goroutines have an advantage -- they are already running on
// CPU and there can be lots of them, so a woken up waiter has good chances
// of losing. In such case it is queued at front of the wait queue. If a
// waiter fails to acquire the mutex for more than 1ms, it switches mutex to
// the starvation mode.
//
// In starvation mode ownership of the mutex is directly handed off from
// the unlocking goroutine to the waiter at the front of the queue. New
// arriving goroutines don't try to acquire the mutex even if it appears to
// be unlocked, and don't try to spin. Instead they queue themselves at the
// tail of the wait queue.
//
// If a waiter receives ownership of the mutex and sees that either (1) it
// is the last waiter in the queue, or (2) it waited for less than 1 ms, it
// switches mutex back to normal operation mode.
//
// Normal mode has considerably better performance as a goroutine can
// acquire a mutex several times in a row even if there are blocked
// waiters. Starvation mode is important to prevent pathological cases of
// tail latency.

// sync/mutex.go: (*Mutex).Lock
// Lock locks m. If the lock is already in use, the calling goroutine
// blocks until the mutex is available.
void Mutex::Lock() {
  // gort: from outside a goroutine even an uncontended Lock dies, so that
  // misuse fails every time, not only under contention.
  runtime::checkNoG("sync.Mutex.Lock");
  // Fast path: grab unlocked mutex.
  int32_t unlocked = 0;
  if (state.compare_exchange_strong(unlocked, mutexLocked)) return;
  // Slow path (outlined so that the fast path can be inlined)
  lockSlow();
}

// sync/mutex.go: (*Mutex).TryLock
// TryLock tries to lock m and reports whether it succeeded.
//
// Note that while correct uses of TryLock do exist, they are rare, and use
// of TryLock is often a sign of a deeper problem in a particular use of
// mutexes.
bool Mutex::TryLock() {
  int32_t old = state.load();
  if ((old & (mutexLocked | mutexStarving)) != 0) return false;

  // There may be a goroutine waiting for the mutex, but we are running now
  // and can try to grab the mutex before that goroutine wakes up.
  if (!state.compare_exchange_strong(old, old | mutexLocked)) return false;
  return true;
}

// sync/mutex.go: (*Mutex).lockSlow
void Mutex::lockSlow() {
  int64_t waitStartTime = 0;
  bool starving = false;
  bool awoke = false;
  int iter = 0;
  int32_t old = state.load();
  for (;;) {
    // Don't spin in starvation mode, ownership is handed off to waiters
    // so we won't be able to acquire the mutex anyway.
    if ((old & (mutexLocked | mutexStarving)) == mutexLocked && runtime_canSpin(iter)) {
      // Active spinning makes sense.
      // Try to set mutexWoken flag to inform Unlock
      // to not wake other blocked goroutines.
      if (!awoke && (old & mutexWoken) == 0 && (old >> mutexWaiterShift) != 0) {
        int32_t cur = old;
        if (state.compare_exchange_strong(cur, old | mutexWoken)) awoke = true;
      }
      runtime_doSpin();
      iter++;
      old = state.load();
      continue;
    }
    int32_t new_ = old;
    // Don't try to acquire starving mutex, new arriving goroutines must queue.
    if ((old & mutexStarving) == 0) new_ |= mutexLocked;
    if ((old & (mutexLocked | mutexStarving)) != 0) new_ += 1 << mutexWaiterShift;
    // The current goroutine switches mutex to starvation mode.
    // But if the mutex is currently unlocked, don't do the switch.
    // Unlock expects that starving mutex has waiters, which will not
    // be true in this case.
    if (starving && (old & mutexLocked) != 0) new_ |= mutexStarving;
    if (awoke) {
      // The goroutine has been woken from sleep,
      // so we need to reset the flag in either case.
      if ((new_ & mutexWoken) == 0) runtime::throw_("sync: inconsistent mutex state");
      new_ &= ~mutexWoken;
    }
    int32_t cur = old;
    if (state.compare_exchange_strong(cur, new_)) {
      if ((old & (mutexLocked | mutexStarving)) == 0) break;  // locked the mutex with CAS
      // If we were already waiting before, queue at the front of the queue.
      bool queueLifo = waitStartTime != 0;
      if (waitStartTime == 0) waitStartTime = runtime_nanotime();
      runtime_SemacquireMutex(&sema, queueLifo, 1);
      starving = starving || runtime_nanotime() - waitStartTime > starvationThresholdNs;
      old = state.load();
      if ((old & mutexStarving) != 0) {
        // If this goroutine was woken and mutex is in starvation mode,
        // ownership was handed off to us but mutex is in somewhat
        // inconsistent state: mutexLocked is not set and we are still
        // accounted as waiter. Fix that.
        if ((old & (mutexLocked | mutexWoken)) != 0 || (old >> mutexWaiterShift) == 0)
          runtime::throw_("sync: inconsistent mutex state");
        int32_t delta = int32_t(mutexLocked - (1 << mutexWaiterShift));
        if (!starving || (old >> mutexWaiterShift) == 1) {
          // Exit starvation mode.
          // Critical to do it here and consider wait time.
          // Starvation mode is so inefficient, that two goroutines
          // can go lock-step infinitely once they switch mutex
          // to starvation mode.
          delta -= mutexStarving;
        }
        atomicAdd(state, delta);
        break;
      }
      awoke = true;
      iter = 0;
    } else {
      old = state.load();
    }
  }
}

// sync/mutex.go: (*Mutex).Unlock
// Unlock unlocks m. It is a run-time error if m is not locked on entry to
// Unlock.
//
// A locked Mutex is not associated with a particular goroutine. It is
// allowed for one goroutine to lock a Mutex and then arrange for another
// goroutine to unlock it.
void Mutex::Unlock() {
  // Fast path: drop lock bit.
  int32_t new_ = atomicAdd(state, -mutexLocked);
  if (new_ != 0) {
    // Outlined slow path to allow inlining the fast path.
    unlockSlow(new_);
  }
}

// sync/mutex.go: (*Mutex).unlockSlow
void Mutex::unlockSlow(int32_t new_) {
  runtime::checkNoG("sync.Mutex.Unlock");  // gort: waking a waiter needs a goroutine
  if (((new_ + mutexLocked) & mutexLocked) == 0) runtime::fatal("sync: unlock of unlocked mutex");
  if ((new_ & mutexStarving) == 0) {
    int32_t old = new_;
    for (;;) {
      // If there are no waiters or a goroutine has already
      // been woken or grabbed the lock, no need to wake anyone.
      // In starvation mode ownership is directly handed off from unlocking
      // goroutine to the next waiter. We are not part of this chain,
      // since we did not observe mutexStarving when we unlocked the mutex above.
      // So get off the way.
      if ((old >> mutexWaiterShift) == 0 || (old & (mutexLocked | mutexWoken | mutexStarving)) != 0) return;
      // Grab the right to wake someone.
      new_ = (old - (1 << mutexWaiterShift)) | mutexWoken;
      int32_t cur = old;
      if (state.compare_exchange_strong(cur, new_)) {
        runtime_Semrelease(&sema, false, 1);
        return;
      }
      old = state.load();
    }
  } else {
    // Starving mode: handoff mutex ownership to the next waiter, and yield
    // our time slice so that the next waiter can start to run immediately.
    // Note: mutexLocked is not set, the waiter will set it after wakeup.
    // But mutex is still considered locked if mutexStarving is set,
    // so new coming goroutines won't acquire it.
    runtime_Semrelease(&sema, true, 1);
  }
}

// ===========================================================================
// rwmutex.go
// ===========================================================================

// sync/rwmutex.go: (*RWMutex).RLock
// RLock locks rw for reading.
//
// It should not be used for recursive read locking; a blocked Lock call
// excludes new readers from acquiring the lock.
void RWMutex::RLock() {
  if (atomicAdd(readerCount, 1) < 0) {
    // A writer is pending, wait for it.
    runtime_SemacquireMutex(&readerSem, false, 0);
  }
}

// sync/rwmutex.go: (*RWMutex).TryRLock
// TryRLock tries to lock rw for reading and reports whether it succeeded.
bool RWMutex::TryRLock() {
  for (;;) {
    int32_t c = readerCount.load();
    if (c < 0) return false;
    if (readerCount.compare_exchange_strong(c, c + 1)) return true;
  }
}

// sync/rwmutex.go: (*RWMutex).RUnlock
// RUnlock undoes a single RLock call; it does not affect other
// simultaneous readers. It is a run-time error if rw is not locked for
// reading on entry to RUnlock.
void RWMutex::RUnlock() {
  if (int32_t r = atomicAdd(readerCount, -1); r < 0) {
    // Outlined slow-path to allow the fast-path to be inlined
    rUnlockSlow(r);
  }
}

// sync/rwmutex.go: (*RWMutex).rUnlockSlow
void RWMutex::rUnlockSlow(int32_t r) {
  if (r + 1 == 0 || r + 1 == -rwmutexMaxReaders) runtime::fatal("sync: RUnlock of unlocked RWMutex");
  // A writer is pending.
  if (atomicAdd(readerWait, -1) == 0) {
    // The last reader unblocks the writer.
    runtime_Semrelease(&writerSem, false, 1);
  }
}

// sync/rwmutex.go: (*RWMutex).Lock
// Lock locks rw for writing. If the lock is already locked for reading or
// writing, Lock blocks until the lock is available.
void RWMutex::Lock() {
  // First, resolve competition with other writers.
  w.Lock();
  // Announce to readers there is a pending writer.
  int32_t r = atomicAdd(readerCount, -rwmutexMaxReaders) + rwmutexMaxReaders;
  // Wait for active readers.
  if (r != 0 && atomicAdd(readerWait, r) != 0) runtime_SemacquireMutex(&writerSem, false, 0);
}

// sync/rwmutex.go: (*RWMutex).TryLock
// TryLock tries to lock rw for writing and reports whether it succeeded.
bool RWMutex::TryLock() {
  if (!w.TryLock()) return false;
  int32_t zero = 0;
  if (!readerCount.compare_exchange_strong(zero, -rwmutexMaxReaders)) {
    w.Unlock();
    return false;
  }
  return true;
}

// sync/rwmutex.go: (*RWMutex).Unlock
// Unlock unlocks rw for writing. It is a run-time error if rw is not
// locked for writing on entry to Unlock.
//
// As with Mutexes, a locked RWMutex is not associated with a particular
// goroutine. One goroutine may RLock (Lock) a RWMutex and then arrange for
// another goroutine to RUnlock (Unlock) it.
void RWMutex::Unlock() {
  // Announce to readers there is no active writer.
  int32_t r = atomicAdd(readerCount, rwmutexMaxReaders);
  if (r >= rwmutexMaxReaders) runtime::fatal("sync: Unlock of unlocked RWMutex");
  // Unblock blocked readers, if any.
  for (int i = 0; i < int(r); i++) runtime_Semrelease(&readerSem, false, 0);
  // Allow other writers to proceed.
  w.Unlock();
}

// sync/rwmutex.go: (*RWMutex).RLocker
// RLocker returns a Locker interface that implements the Lock and Unlock
// methods by calling rw.RLock and rw.RUnlock (Go: type rlocker).
Locker RWMutex::RLocker() {
  return Locker(
      this, [](void* rw) { static_cast<RWMutex*>(rw)->RLock(); },
      [](void* rw) { static_cast<RWMutex*>(rw)->RUnlock(); });
}

// ===========================================================================
// waitgroup.go
// ===========================================================================

// sync/waitgroup.go: (*WaitGroup).Add
// Add adds delta, which may be negative, to the WaitGroup counter. If the
// counter becomes zero, all goroutines blocked on Wait are released. If
// the counter goes negative, Add panics.
//
// Note that calls with a positive delta that occur when the counter is
// zero must happen before a Wait. Calls with a negative delta, or calls
// with a positive delta that start when the counter is greater than zero,
// may happen at any time. Typically this means the calls to Add should
// execute before the statement creating the goroutine or other event to
// be waited for. If a WaitGroup is reused to wait for several independent
// sets of events, new Add calls must happen after all previous Wait calls
// have returned.
void WaitGroup::Add(int delta) {
  uint64_t st = atomicAdd(state, uint64_t(int64_t(delta)) << 32);
  int32_t v = int32_t(st >> 32);
  uint32_t w = uint32_t(st);
  if (v < 0) throw std::runtime_error("sync: negative WaitGroup counter");
  if (w != 0 && delta > 0 && v == int32_t(delta))
    throw std::runtime_error("sync: WaitGroup misuse: Add called concurrently with Wait");
  if (v > 0 || w == 0) return;
  // This goroutine has set counter to 0 when waiters > 0.
  // Now there can't be concurrent mutations of state:
  // - Adds must not happen concurrently with Wait,
  // - Wait does not increment waiters if it sees counter == 0.
  // Still do a cheap sanity check to detect WaitGroup misuse.
  if (state.load() != st) throw std::runtime_error("sync: WaitGroup misuse: Add called concurrently with Wait");
  // Reset waiters count to 0.
  state.store(0);
  for (; w != 0; w--) runtime_Semrelease(&sema, false, 0);
}

// sync/waitgroup.go: (*WaitGroup).Done
// Done decrements the WaitGroup counter by one.
void WaitGroup::Done() { Add(-1); }

// sync/waitgroup.go: (*WaitGroup).Wait
// Wait blocks until the WaitGroup counter is zero.
void WaitGroup::Wait() {
  for (;;) {
    uint64_t st = state.load();
    int32_t v = int32_t(st >> 32);
    if (v == 0) {
      // Counter is 0, no need to wait.
      return;
    }
    // Increment waiters count.
    if (state.compare_exchange_strong(st, st + 1)) {
      runtime_Semacquire(&sema);
      if (state.load() != 0) throw std::runtime_error("sync: WaitGroup is reused before previous Wait has returned");
      return;
    }
  }
}

// ===========================================================================
// once.go
// ===========================================================================

// (*Once).Do is the template in sync.h (its fast path inlines).

// sync/once.go: (*Once).doSlow
void Once::doSlow(void (*f)(void*), void* fp) {
  // Go's two defers, in C++: destructors run in reverse order, so done is
  // stored before m is unlocked, whether f returns or throws.
  struct unlockOnExit {
    Mutex& m;
    ~unlockOnExit() { m.Unlock(); }
  };
  struct storeDoneOnExit {
    std::atomic<uint32_t>& done;
    ~storeDoneOnExit() { done.store(1); }
  };
  m.Lock();
  unlockOnExit unlock{m};
  if (done.load(std::memory_order_relaxed) == 0) {  // m is held: no other writer
    storeDoneOnExit store{done};
    f(fp);
  }
}

// ===========================================================================
// cond.go
// ===========================================================================

// sync/cond.go: (*Cond).Wait
// Wait atomically unlocks c.L and suspends execution of the calling
// goroutine. After later resuming execution, Wait locks c.L before
// returning. Unlike in other systems, Wait cannot return unless awoken by
// Broadcast or Signal.
//
// Because c.L is not locked when Wait first resumes, the caller typically
// cannot assume that the condition is true when Wait returns. Instead, the
// caller should Wait in a loop:
//
//	c.L.Lock();
//	while (!condition()) c.Wait();
//	... make use of condition ...
//	c.L.Unlock();
//
// (Go's copyChecker is Cond's deleted copy constructor.)
void Cond::Wait() {
  uint32_t t = runtime_notifyListAdd(&notify);
  L.Unlock();
  runtime_notifyListWait(&notify, t);
  L.Lock();
}

// sync/cond.go: (*Cond).Signal
// Signal wakes one goroutine waiting on c, if there is any.
//
// Signal() does not affect goroutine scheduling priority; if other
// goroutines are attempting to lock c.L, they may be awoken before a
// "waiting" goroutine.
void Cond::Signal() { runtime_notifyListNotifyOne(&notify); }

// sync/cond.go: (*Cond).Broadcast
// Broadcast wakes all goroutines waiting on c.
void Cond::Broadcast() { runtime_notifyListNotifyAll(&notify); }

}  // namespace gort::sync
