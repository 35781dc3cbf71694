// chan.h — channels: hchan, waitq and the functions of chan.go and select.go.
//
// Port of Go 1.19 src/runtime/chan.go (and the declarations select.go
// shares with it). The public side, chan<T> and select, is
// runtime/chan_public.h; it declares the compiler-facing entry points.
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>

#include "runtime/chan_public.h"
#include "runtime/runtime2.h"

namespace gort::runtime {

// gort-only: a word that is written only with the channel lock held but
// read without it by the lock-free fast paths (full, empty, the closed
// checks). Go reads such words with plain or atomic.Load loads and relies
// on word-sized accesses being atomic; C++ needs them to be atomics.
// Under the lock it reads and writes like the plain field it is in Go
// (c.qcount++ is a load and a store, not an atomic add).
template <class T>
struct lockedWord {
  std::atomic<T> v{};
  // Under the lock.
  operator T() const { return v.load(std::memory_order_relaxed); }
  lockedWord& operator=(T x) {
    v.store(x, std::memory_order_release);
    return *this;
  }
  lockedWord& operator++() { return *this = T(*this + 1); }
  lockedWord& operator--() { return *this = T(*this - 1); }
  // Without the lock (Go: atomic.Load).
  T load() const { return v.load(std::memory_order_seq_cst); }
};

// chan.go: waitq. A list of the sudogs of goroutines waiting on a
// channel, linked through sudog.next/prev. Protected by the channel lock;
// first is also read without it (full, empty).
struct waitq {
  lockedWord<sudog*> first;
  sudog* last = nullptr;

  void enqueue(sudog* sgp);
  sudog* dequeue();
  void dequeueSudoG(sudog* sgp);  // select.go
};

// chan.go: hchan
struct hchan {
  lockedWord<uintptr_t> qcount;  // total data in the queue
  uintptr_t dataqsiz;            // size of the circular queue
  void* buf;                     // points to an array of dataqsiz elements
  uint16_t elemsize;
  lockedWord<uint32_t> closed;
  const _type* elemtype;  // element type
  uintptr_t sendx;        // send index
  uintptr_t recvx;        // receive index
  waitq recvq;            // list of recv waiters
  waitq sendq;            // list of send waiters

  // lock protects all fields in hchan, as well as several fields in sudogs
  // blocked on this channel.
  //
  // Do not change another G's status while holding this lock (in
  // particular, do not ready a G), as this can deadlock with stack
  // shrinking. (gort never shrinks stacks; the rule stands, and keeps
  // goready, which may take sched.lock in wakep, outside the channel lock.)
  mutex lock;

  // gort-only: references: one per chan<T> copy, one per parked
  // goroutine's sudog on this channel (Go's garbage collector keeps a
  // channel alive through the stacks that point at it). The last
  // releasechan frees the channel and the elements still buffered.
  std::atomic<int64_t> refs;
};

// chan.go: maxAlign, hchanSize
constexpr uintptr_t maxAlign = 8;
constexpr uintptr_t hchanSize = sizeof(hchan) + (uintptr_t(-intptr_t(sizeof(hchan))) & (maxAlign - 1));

void* chanbuf(hchan* c, uintptr_t i);
bool full(hchan* c);
bool chansend(hchan* c, void* ep, bool block);
using unlockfn = void (*)(void* arg);
void send(hchan* c, sudog* sg, void* ep, unlockfn unlockf, void* unlockarg);
void sendDirect(const _type* t, sudog* sg, void* src);
void recvDirect(const _type* t, sudog* sg, void* dst);
bool empty(hchan* c);
std::pair<bool, bool> chanrecv(hchan* c, void* ep, bool block);
void recv(hchan* c, sudog* sg, void* ep, unlockfn unlockf, void* unlockarg);
bool chanparkcommit(g* gp, void* chanLock);
// gort-only: the last reference is gone (releasechan).
void freechan(hchan* c);

// mbarrier.go: typedmemmove. Move-construct the value at src into the raw
// storage dst (gort: src stays alive, moved-from).
void typedmemmove(const _type* t, void* dst, void* src);
// mbarrier.go: typedmemclr. gort: end the live value at p (Go zeroes it so
// the GC drops what it pointed to; here the destructor does that).
void typedmemclr(const _type* t, void* p);

// select.go
void sellock(scase* scases, uint16_t* lockorder, int n);
void selunlock(scase* scases, uint16_t* lockorder, int n);
bool selparkcommit(g* gp, void*);

}  // namespace gort::runtime
