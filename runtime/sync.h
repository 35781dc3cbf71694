// sync.h — package sync: Mutex, RWMutex, WaitGroup, Once, Cond.
//
// Port of Go 1.19 src/sync/{mutex,rwmutex,waitgroup,once,cond}.go
// (declarations; see sync.cpp). Included by runtime/go.h, so a program that
// includes go.h has gort::sync. It depends on nothing of the runtime's
// internals: the runtime half (semaphores, notify lists, spinning) lives in
// runtime/sema.cpp and runtime/proc.cpp, as Go's lives in package runtime.
//
// Like Go's, these primitives park the calling goroutine when they must
// wait (its M goes on running other goroutines), so they must be used from
// goroutines (any code that runs under gort::rt0_go), not from threads
// gort did not start.
//
// Go's rule "must not be copied after first use" (vet's copylocks check,
// Cond's copyChecker) is C++'s deleted copy constructor here.
//
// Panics are C++ exceptions (DESIGN §11): where Go panics with a string,
// gort throws std::runtime_error with the same text. Go's fatal errors
// (unlocking an unlocked Mutex) end the process: "fatal error: ...",
// exit status 2, and cannot be caught, as in Go.
#pragma once

#include <atomic>
#include <cstdint>
#include <type_traits>

namespace gort::sync {

// gort-only: the tests' window into the unexported state (Go's
// export_test.go); defined in tests/export_test.h.
struct exportTest;

// sync/runtime2.go: notifyList
// Approximation of notifyList in runtime/sema.h. Size and alignment must
// agree (static_asserts in runtime/sema.cpp).
struct notifyList {
  std::atomic<uint32_t> wait{0};
  std::atomic<uint32_t> notify{0};
  std::atomic<uint32_t> lock{0};  // key field of the mutex
  void* head = nullptr;
  void* tail = nullptr;
};

// sync/mutex.go: Locker
// A Locker represents an object that can be locked and unlocked. Like a Go
// interface value holding a pointer, it refers to the lock; it does not
// own it. Any T* with Lock() and Unlock() converts to a Locker.
class Locker {
 public:
  template <class T, class = std::enable_if_t<!std::is_same_v<std::remove_cv_t<T>, Locker>>>
  Locker(T* l)  // NOLINT: implicit, as a Go value converts to an interface
      : obj_(l),
        lock_([](void* o) { static_cast<T*>(o)->Lock(); }),
        unlock_([](void* o) { static_cast<T*>(o)->Unlock(); }) {}
  Locker(void* obj, void (*lock)(void*), void (*unlock)(void*)) : obj_(obj), lock_(lock), unlock_(unlock) {}

  void Lock() const { lock_(obj_); }
  void Unlock() const { unlock_(obj_); }

 private:
  void* obj_;
  void (*lock_)(void*);
  void (*unlock_)(void*);
};

// sync/mutex.go: Mutex
// A Mutex is a mutual exclusion lock. The zero value (a default-constructed
// Mutex) is an unlocked mutex.
//
// In the terminology of the Go memory model, the n'th call to Unlock
// "synchronizes before" the m'th call to Lock for any n < m. A successful
// call to TryLock is equivalent to a call to Lock. A failed call to TryLock
// does not establish any "synchronizes before" relation at all.
//
// A locked Mutex is not associated with a particular goroutine: one
// goroutine may Lock it and another Unlock it.
class Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  // Lock locks m. If the lock is already in use, the calling goroutine
  // blocks (parks, wait reason "semacquire") until the mutex is available.
  void Lock();
  // TryLock tries to lock m and reports whether it succeeded.
  bool TryLock();
  // Unlock unlocks m. Unlocking an unlocked Mutex is a fatal error
  // ("fatal error: sync: unlock of unlocked mutex", exit status 2).
  void Unlock();

 private:
  friend struct exportTest;

  // sync/mutex.go: mutexLocked, mutexWoken, mutexStarving, mutexWaiterShift, starvationThresholdNs.
  // state: bit 0 locked, bit 1 a waiter is awake (Unlock need not wake
  // another), bit 2 starvation mode, bits 3.. the number of waiters. The fairness essay is at the top of sync.cpp.
  static constexpr int32_t mutexLocked = 1 << 0;  // mutex is locked
  static constexpr int32_t mutexWoken = 1 << 1;
  static constexpr int32_t mutexStarving = 1 << 2;
  static constexpr int32_t mutexWaiterShift = 3;
  static constexpr int64_t starvationThresholdNs = 1000000;  // 1 ms

  void lockSlow();
  void unlockSlow(int32_t new_);

  std::atomic<int32_t> state{0};
  std::atomic<uint32_t> sema{0};
};

// sync/rwmutex.go: RWMutex
// A RWMutex is a reader/writer mutual exclusion lock. The lock can be held
// by an arbitrary number of readers or a single writer. The zero value is
// an unlocked mutex.
//
// If a goroutine holds a RWMutex for reading and another goroutine might
// call Lock, no goroutine should expect to be able to acquire a read lock
// until the initial read lock is released. In particular, this prohibits
// recursive read locking: a blocked Lock call excludes new readers.
class RWMutex {
 public:
  RWMutex() = default;
  RWMutex(const RWMutex&) = delete;
  RWMutex& operator=(const RWMutex&) = delete;

  // RLock locks rw for reading.
  void RLock();
  // TryRLock tries to lock rw for reading and reports whether it succeeded.
  bool TryRLock();
  // RUnlock undoes a single RLock call. A fatal error if rw is not locked
  // for reading.
  void RUnlock();
  // Lock locks rw for writing, waiting for readers and writers to leave.
  void Lock();
  // TryLock tries to lock rw for writing and reports whether it succeeded.
  bool TryLock();
  // Unlock unlocks rw for writing. A fatal error if rw is not locked for
  // writing.
  void Unlock();
  // RLocker returns a Locker whose Lock and Unlock call RLock and RUnlock.
  Locker RLocker();

 private:
  friend struct exportTest;

  // sync/rwmutex.go: rwmutexMaxReaders
  static constexpr int32_t rwmutexMaxReaders = 1 << 30;

  void rUnlockSlow(int32_t r);

  Mutex w;                               // held if there are pending writers
  std::atomic<uint32_t> writerSem{0};    // semaphore for writers to wait for completing readers
  std::atomic<uint32_t> readerSem{0};    // semaphore for readers to wait for completing writers
  std::atomic<int32_t> readerCount{0};   // number of pending readers
  std::atomic<int32_t> readerWait{0};    // number of departing readers
};

// sync/waitgroup.go: WaitGroup
// A WaitGroup waits for a collection of goroutines to finish. The main
// goroutine calls Add to set the number of goroutines to wait for. Then
// each of the goroutines runs and calls Done when finished. At the same
// time, Wait can be used to block until all goroutines have finished.
//
// In the terminology of the Go memory model, a call to Done "synchronizes
// before" the return of any Wait call that it unblocks.
class WaitGroup {
 public:
  WaitGroup() = default;
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  // Add adds delta, which may be negative, to the WaitGroup counter. If
  // the counter becomes zero, all goroutines blocked on Wait are released.
  // If the counter goes negative, Add throws std::runtime_error("sync:
  // negative WaitGroup counter").
  //
  // Calls with a positive delta that occur when the counter is zero must
  // happen before a Wait. If a WaitGroup is reused to wait for several
  // independent sets of events, new Add calls must happen after all
  // previous Wait calls have returned.
  void Add(int delta);
  // Done decrements the WaitGroup counter by one.
  void Done();
  // Wait blocks until the WaitGroup counter is zero.
  void Wait();

 private:
  friend struct exportTest;

  // High 32 bits are counter, low 32 bits are waiter count. (gort: Go
  // 1.19's state1/state2 juggling exists for 32-bit platforms, where a
  // uint64 may be only 4-aligned; std::atomic<uint64_t> is 8-aligned on
  // amd64 and arm64, so state and sema are plain fields, as in newer Go.)
  std::atomic<uint64_t> state{0};
  std::atomic<uint32_t> sema{0};
};

// sync/once.go: Once
// Once is an object that will perform exactly one action.
//
// In the terminology of the Go memory model, the return from f
// "synchronizes before" the return from any call of once.Do(f).
class Once {
 public:
  Once() = default;
  Once(const Once&) = delete;
  Once& operator=(const Once&) = delete;

  // sync/once.go: (*Once).Do
  // Do calls the function f if and only if Do is being called for the
  // first time for this instance of Once. No call to Do returns until the
  // one call to f returns, so if f causes Do to be called, it deadlocks.
  // If f throws (Go: panics), Do considers it to have returned; future
  // calls of Do return without calling f.
  template <class F>
  void Do(F&& f) {
    // Note: Here is an incorrect implementation of Do:
    //
    //	if (done.compare_exchange_strong(0, 1)) f();
    //
    // Do guarantees that when it returns, f has finished. This
    // implementation would not implement that guarantee: given two
    // simultaneous calls, the winner of the cas would call f, and the
    // second would return immediately, without waiting for the first's
    // call to f to complete. This is why the slow path falls back to a
    // mutex, and why the store to done must be delayed until after f
    // returns.
    if (done.load() == 0) {
      // Outlined slow-path to allow inlining of the fast-path.
      using Fn = std::remove_reference_t<F>;
      doSlow([](void* fp) { (*static_cast<Fn*>(fp))(); }, const_cast<void*>(static_cast<const void*>(&f)));
    }
  }

 private:
  friend struct exportTest;

  void doSlow(void (*f)(void*), void* fp);

  // done indicates whether the action has been performed. It is first in
  // the struct because it is used in the hot path.
  std::atomic<uint32_t> done{0};
  Mutex m;
};

// sync/cond.go: Cond
// Cond implements a condition variable, a rendezvous point for goroutines
// waiting for or announcing the occurrence of an event.
//
// Each Cond has an associated Locker L (often a Mutex* or RWMutex*), which
// must be held when changing the condition and when calling the Wait
// method. Go's NewCond(l) is the constructor: sync::Cond c(&mu).
//
// In the terminology of the Go memory model, Cond arranges that a call to
// Broadcast or Signal "synchronizes before" any Wait call that it
// unblocks.
class Cond {
 public:
  explicit Cond(Locker l) : L(l) {}
  Cond(const Cond&) = delete;
  Cond& operator=(const Cond&) = delete;

  // L is held while observing or changing the condition.
  Locker L;

  // Wait atomically unlocks c.L and suspends execution of the calling
  // goroutine (wait reason "sync.Cond.Wait"). After later resuming
  // execution, Wait locks c.L before returning. Unlike in other systems,
  // Wait cannot return unless awoken by Broadcast or Signal. Because c.L
  // is not locked when Wait first resumes, the caller typically cannot
  // assume that the condition is true when Wait returns; it should Wait
  // in a loop.
  void Wait();
  // Signal wakes one goroutine waiting on c, if there is any. It is
  // allowed but not required for the caller to hold c.L during the call.
  void Signal();
  // Broadcast wakes all goroutines waiting on c. It is allowed but not
  // required for the caller to hold c.L during the call.
  void Broadcast();

 private:
  friend struct exportTest;

  notifyList notify;
};

}  // namespace gort::sync
