// sema.h — the runtime's semaphores (the sleep/wakeup under sync::Mutex,
// RWMutex, WaitGroup and stopTheWorld's worldsema) and the notify list
// under sync::Cond.
// Port of Go 1.19 src/runtime/sema.go (declarations; see sema.cpp), plus
// the two sync hooks of proc.go (sync_runtime_canSpin, sync_runtime_doSpin,
// declared in proc.h).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "runtime/runtime2.h"

namespace gort::runtime {

// sema.go: semaRoot
// A semaRoot holds a balanced tree of sudog with distinct addresses
// (s.elem). Each of those sudog may in turn point (through s.waitlink) to
// a list of other sudogs waiting on the same address. The operations on
// the inner lists of sudogs with the same address are all O(1). The
// scanning of the top-level semaRoot list is O(log n), where n is the
// number of distinct addresses with goroutines blocked on them that hash
// to the given semaRoot (golang.org/issue/17953).
struct semaRoot {
  mutex lock;
  sudog* treap = nullptr;            // root of balanced tree of unique waiters
  std::atomic<uint32_t> nwait{0};   // number of waiters; read without the lock

  // sema.go: (*semaRoot).queue. lock must be held.
  void queue(std::atomic<uint32_t>* addr, sudog* s, bool lifo);
  // sema.go: (*semaRoot).dequeue. lock must be held.
  sudog* dequeue(std::atomic<uint32_t>* addr, int64_t* now);
  // sema.go: (*semaRoot).rotateLeft / (*semaRoot).rotateRight. lock must be held.
  void rotateLeft(sudog* x);
  void rotateRight(sudog* y);
};

// sema.go: semTabSize. Prime to not correlate with any user patterns.
constexpr size_t semTabSize = 251;
// internal/cpu: CacheLinePadSize (64 on amd64 and arm64).
constexpr size_t cacheLinePadSize = 64;

// sema.go: semTable. One semaRoot per cache line, so that waiters on
// unrelated addresses do not share a line.
struct semTable {
  struct entry {
    semaRoot root;
    char pad[cacheLinePadSize - sizeof(semaRoot)];
  };
  entry t[semTabSize];

  // sema.go: (*semTable).rootFor
  semaRoot* rootFor(std::atomic<uint32_t>* addr) {
    return &t[(reinterpret_cast<uintptr_t>(addr) >> 3) % semTabSize].root;
  }
};
extern semTable semtable;

// sema.go: semaProfileFlags. gort has no block or mutex profiler, so the
// flags are carried for Go's signatures and change nothing.
enum semaProfileFlags : int {
  semaBlockProfile = 1 << 0,
  semaMutexProfile = 1 << 1,
};

// sema.go: sync_runtime_Semacquire (sync.runtime_Semacquire)
void sync_runtime_Semacquire(std::atomic<uint32_t>* addr);
// sema.go: sync_runtime_Semrelease (sync.runtime_Semrelease)
void sync_runtime_Semrelease(std::atomic<uint32_t>* addr, bool handoff, int skipframes);
// sema.go: sync_runtime_SemacquireMutex (sync.runtime_SemacquireMutex)
void sync_runtime_SemacquireMutex(std::atomic<uint32_t>* addr, bool lifo, int skipframes);

// sema.go: poll_runtime_Semacquire / poll_runtime_Semrelease
// (internal/poll's runtime_Semacquire/Semrelease: net.cpp's Close waits
// on one until the descriptor is really closed).
void poll_runtime_Semacquire(std::atomic<uint32_t>* addr);
void poll_runtime_Semrelease(std::atomic<uint32_t>* addr);

// sema.go: readyWithTime. Readies s's goroutine (runnext of this P).
void readyWithTime(sudog* s, int traceskip);
// sema.go: semacquire. Waits until *addr > 0, then decrements it.
// Called from the runtime; must run on a goroutine (not g0).
void semacquire(std::atomic<uint32_t>* addr);
// sema.go: semacquire1. lifo: queue at the head of addr's waiters.
void semacquire1(std::atomic<uint32_t>* addr, bool lifo, int profile, int skipframes);
// sema.go: semrelease. Increments *addr and wakes one waiter, if any.
void semrelease(std::atomic<uint32_t>* addr);
// sema.go: semrelease1. handoff: pass the count directly to the first
// waiter and yield this P to it (unless m.locks != 0).
void semrelease1(std::atomic<uint32_t>* addr, bool handoff, int skipframes);
// sema.go: cansemacquire. Decrements *addr if it is > 0.
bool cansemacquire(std::atomic<uint32_t>* addr);

// sema.go: notifyList
// notifyList is a ticket-based notification list used to implement
// sync::Cond. It must be kept in sync with the sync package: sync.h holds
// an approximation with the same size and layout (checked in sema.cpp,
// where Go has notifyListCheck).
struct notifyList {
  // wait is the ticket number of the next waiter. It is atomically
  // incremented outside the lock.
  std::atomic<uint32_t> wait{0};

  // notify is the ticket number of the next waiter to be notified. It can
  // be read outside the lock, but is only written to with lock held.
  //
  // Both wait & notify can wrap around, and such cases will be correctly
  // handled as long as their "unwrapped" difference is bounded by 2^31.
  std::atomic<uint32_t> notify{0};

  // List of parked waiters.
  mutex lock;
  sudog* head = nullptr;
  sudog* tail = nullptr;
};

// sema.go: less. a < b for running counts that may wrap.
inline bool less(uint32_t a, uint32_t b) { return int32_t(a - b) < 0; }

// sema.go: notifyListAdd (sync.runtime_notifyListAdd)
uint32_t notifyListAdd(notifyList* l);
// sema.go: notifyListWait (sync.runtime_notifyListWait)
void notifyListWait(notifyList* l, uint32_t t);
// sema.go: notifyListNotifyAll (sync.runtime_notifyListNotifyAll)
void notifyListNotifyAll(notifyList* l);
// sema.go: notifyListNotifyOne (sync.runtime_notifyListNotifyOne)
void notifyListNotifyOne(notifyList* l);
// sema.go: sync_nanotime (sync.runtime_nanotime)
int64_t sync_nanotime();

}  // namespace gort::runtime
