// sema.cpp — semaphores and notify lists: how a goroutine sleeps on a
// sync primitive without blocking its M.
//
// Port of Go 1.19 src/runtime/sema.go, in sema.go's order.
//
// Semaphore implementation exposed to the sync package. Intended use is to
// provide a sleep and wakeup primitive that can be used in the contended
// case of other synchronization primitives. Thus it targets the same goal
// as Linux's futex, but it has much simpler semantics.
//
// That is, don't think of these as semaphores. Think of them as a way to
// implement sleep and wakeup such that every sleep is paired with a single
// wakeup, even if, due to races, the wakeup happens before the sleep.
//
// See Mullender and Cox, "Semaphores in Plan 9",
// https://swtch.com/semaphore.pdf
//
// Where a runtime mutex (lock_futex.cpp) puts the whole thread to sleep in
// the kernel, a semaphore parks only the goroutine (gopark): its M goes on
// to run other goroutines. The semaRoot lock below is a runtime mutex,
// held only for the few instructions of a treap operation.
//
// gort has no block or mutex profiler (Go's blockprofilerate and
// mutexprofilerate are always 0 here): s.releasetime and s.acquiretime stay
// 0, and the blockevent/mutexevent calls are left out.

#include "runtime/sema.h"

#include <cstdio>
#include <type_traits>

#include "runtime/lock_futex.h"
#include "runtime/os_linux.h"
#include "runtime/proc.h"
#include "runtime/stubs.h"
#include "runtime/sync.h"

namespace gort::runtime {

// Asynchronous semaphore for sync::Mutex.

semTable semtable;

static_assert(sizeof(semTable::entry) == cacheLinePadSize, "one semaRoot per cache line");

// gort-only: Go's cputicks reads the cycle counter; only the profiler
// (absent here) looks at the values, so the monotonic clock serves.
static int64_t cputicks() { return nanotime(); }

// sema.go: sync_runtime_Semacquire
void sync_runtime_Semacquire(std::atomic<uint32_t>* addr) { semacquire1(addr, false, semaBlockProfile, 0); }

// sema.go: sync_runtime_Semrelease
void sync_runtime_Semrelease(std::atomic<uint32_t>* addr, bool handoff, int skipframes) {
  semrelease1(addr, handoff, skipframes);
}

// sema.go: sync_runtime_SemacquireMutex
void sync_runtime_SemacquireMutex(std::atomic<uint32_t>* addr, bool lifo, int skipframes) {
  semacquire1(addr, lifo, semaBlockProfile | semaMutexProfile, skipframes);
}

// sema.go: poll_runtime_Semacquire (internal/poll.runtime_Semacquire)
void poll_runtime_Semacquire(std::atomic<uint32_t>* addr) { semacquire1(addr, false, semaBlockProfile, 0); }

// sema.go: poll_runtime_Semrelease (internal/poll.runtime_Semrelease)
void poll_runtime_Semrelease(std::atomic<uint32_t>* addr) { semrelease(addr); }

// sema.go: readyWithTime
void readyWithTime(sudog* s, int) {
  if (s->releasetime != 0) s->releasetime = cputicks();
  goready(s->g);
}

// sema.go: semacquire
// Called from the runtime.
void semacquire(std::atomic<uint32_t>* addr) { semacquire1(addr, false, 0, 0); }

// sema.go: semacquire1
void semacquire1(std::atomic<uint32_t>* addr, bool lifo, int, int) {
  checkNoG("semacquire");  // gort: sync's blocking paths, from outside a goroutine
  g* gp = getg();
  if (gp != gp->m->curg.load()) throw_("semacquire not on the G stack");

  // Easy case.
  if (cansemacquire(addr)) return;

  // Harder case:
  //	increment waiter count
  //	try cansemacquire one more time, return if succeeded
  //	enqueue itself as a waiter
  //	sleep
  //	(waiter descriptor is dequeued by signaler)
  sudog* s = acquireSudog();
  semaRoot* root = semtable.rootFor(addr);
  s->releasetime = 0;
  s->acquiretime = 0;
  s->ticket = 0;
  for (;;) {
    lock(&root->lock);
    // Add ourselves to nwait to disable "easy case" in semrelease.
    root->nwait.fetch_add(1);
    // Check cansemacquire to avoid missed wakeup.
    if (cansemacquire(addr)) {
      root->nwait.fetch_sub(1);
      unlock(&root->lock);
      break;
    }
    // Any semrelease after the cansemacquire knows we're waiting
    // (we set nwait above), so go to sleep.
    root->queue(addr, s, lifo);
    goparkunlock(&root->lock, waitReasonSemacquire);
    // s.ticket != 0: semrelease1 handed the count to us directly.
    if (s->ticket != 0 || cansemacquire(addr)) break;
  }
  releaseSudog(s);
}

// sema.go: semrelease
void semrelease(std::atomic<uint32_t>* addr) { semrelease1(addr, false, 0); }

// sema.go: semrelease1
void semrelease1(std::atomic<uint32_t>* addr, bool handoff, int skipframes) {
  checkNoG("semrelease");  // gort: sync's waking paths, from outside a goroutine
  semaRoot* root = semtable.rootFor(addr);
  addr->fetch_add(1);

  // Easy case: no waiters?
  // This check must happen after the xadd, to avoid a missed wakeup
  // (see loop in semacquire).
  if (root->nwait.load() == 0) return;

  // Harder case: search for a waiter and wake it.
  lock(&root->lock);
  if (root->nwait.load() == 0) {
    // The count is already consumed by another goroutine,
    // so no need to wake up another goroutine.
    unlock(&root->lock);
    return;
  }
  int64_t t0 = 0;
  sudog* s = root->dequeue(addr, &t0);
  if (s != nullptr) root->nwait.fetch_sub(1);
  unlock(&root->lock);
  if (s != nullptr) {  // May be slow or even yield, so unlock first
    if (s->ticket != 0) throw_("corrupted semaphore ticket");
    if (handoff && cansemacquire(addr)) s->ticket = 1;
    // gort: Go reads s.ticket again after readyWithTime; by then the
    // waiter may run on another P and release s (a benign race in Go,
    // undefined behaviour in C++), so the value we wrote is kept here.
    bool handedOff = s->ticket == 1;
    readyWithTime(s, 5 + skipframes);
    if (handedOff && getg()->m->locks == 0) {
      // Direct G handoff
      // readyWithTime has added the waiter G as runnext in the current P;
      // we now call the scheduler so that we start running the waiter G
      // immediately. Note that waiter inherits our time slice: this is
      // desirable to avoid having a highly contended semaphore hog the P
      // indefinitely. goyield is like Gosched, but it puts the current G
      // on the local runq instead of the global one. We only do this in
      // the starving regime (handoff=true), as in the non-starving case it
      // is possible for a different waiter to acquire the semaphore while
      // we are yielding/scheduling, and this would be wasteful. We wait
      // instead to enter starving regime, and then we start to do direct
      // handoffs of ticket and P. See issue 33747 for discussion.
      goyield();
    }
  }
}

// sema.go: cansemacquire
bool cansemacquire(std::atomic<uint32_t>* addr) {
  for (;;) {
    uint32_t v = addr->load();
    if (v == 0) return false;
    if (addr->compare_exchange_strong(v, v - 1)) return true;
  }
}

// sema.go: (*semaRoot).queue
// queue adds s to the blocked goroutines in semaRoot.
// root.lock must be held.
void semaRoot::queue(std::atomic<uint32_t>* addr, sudog* s, bool lifo) {
  assertLockHeld(&lock);
  s->g = getg();
  s->elem = addr;
  s->next = nullptr;
  s->prev = nullptr;

  sudog* last = nullptr;
  sudog** pt = &treap;
  for (sudog* t = *pt; t != nullptr; t = *pt) {
    if (t->elem == addr) {
      // Already have addr in list.
      if (lifo) {
        // Substitute s in t's place in treap.
        *pt = s;
        s->ticket = t->ticket;
        s->acquiretime = t->acquiretime;
        s->parent = t->parent;
        s->prev = t->prev;
        s->next = t->next;
        if (s->prev != nullptr) s->prev->parent = s;
        if (s->next != nullptr) s->next->parent = s;
        // Add t first in s's wait list.
        s->waitlink = t;
        s->waittail = t->waittail;
        if (s->waittail == nullptr) s->waittail = t;
        t->parent = nullptr;
        t->prev = nullptr;
        t->next = nullptr;
        t->waittail = nullptr;
      } else {
        // Add s to end of t's wait list.
        if (t->waittail == nullptr)
          t->waitlink = s;
        else
          t->waittail->waitlink = s;
        t->waittail = s;
        s->waitlink = nullptr;
      }
      return;
    }
    last = t;
    if (reinterpret_cast<uintptr_t>(addr) < reinterpret_cast<uintptr_t>(t->elem))
      pt = &t->prev;
    else
      pt = &t->next;
  }

  // Add s as new leaf in tree of unique addrs.
  // The balanced tree is a treap using ticket as the random heap priority.
  // That is, it is a binary tree ordered according to the elem addresses,
  // but then among the space of possible binary trees respecting those
  // addresses, it is kept balanced on average by maintaining a heap
  // ordering on the ticket: s.ticket <= both s.prev.ticket and
  // s.next.ticket.
  // https://en.wikipedia.org/wiki/Treap
  // https://faculty.washington.edu/aragon/pubs/rst89.pdf
  //
  // s.ticket compared with zero in couple of places, therefore set lowest
  // bit. It will not affect treap's quality noticeably.
  s->ticket = fastrand() | 1;
  s->parent = last;
  *pt = s;

  // Rotate up into tree according to ticket (priority).
  while (s->parent != nullptr && s->parent->ticket > s->ticket) {
    if (s->parent->prev == s) {
      rotateRight(s->parent);
    } else {
      if (s->parent->next != s) throw_("semaRoot queue");  // Go: panic
      rotateLeft(s->parent);
    }
  }
}

// sema.go: (*semaRoot).dequeue
// dequeue searches for and finds the first goroutine in semaRoot blocked
// on addr. If the sudog was being profiled, dequeue returns the time at
// which it was woken up as now. Otherwise now is 0.
// root.lock must be held.
sudog* semaRoot::dequeue(std::atomic<uint32_t>* addr, int64_t* now) {
  assertLockHeld(&lock);
  sudog** ps = &treap;
  sudog* s = *ps;
  for (; s != nullptr; s = *ps) {
    if (s->elem == addr) goto Found;
    if (reinterpret_cast<uintptr_t>(addr) < reinterpret_cast<uintptr_t>(s->elem))
      ps = &s->prev;
    else
      ps = &s->next;
  }
  *now = 0;
  return nullptr;

Found:
  *now = 0;
  if (s->acquiretime != 0) *now = cputicks();
  if (sudog* t = s->waitlink; t != nullptr) {
    // Substitute t, also waiting on addr, for s in root tree of unique addrs.
    *ps = t;
    t->ticket = s->ticket;
    t->parent = s->parent;
    t->prev = s->prev;
    if (t->prev != nullptr) t->prev->parent = t;
    t->next = s->next;
    if (t->next != nullptr) t->next->parent = t;
    if (t->waitlink != nullptr)
      t->waittail = s->waittail;
    else
      t->waittail = nullptr;
    t->acquiretime = *now;
    s->waitlink = nullptr;
    s->waittail = nullptr;
  } else {
    // Rotate s down to be leaf of tree for removal, respecting priorities.
    while (s->next != nullptr || s->prev != nullptr) {
      if (s->next == nullptr || (s->prev != nullptr && s->prev->ticket < s->next->ticket))
        rotateRight(s);
      else
        rotateLeft(s);
    }
    // Remove s, now a leaf.
    if (s->parent != nullptr) {
      if (s->parent->prev == s)
        s->parent->prev = nullptr;
      else
        s->parent->next = nullptr;
    } else {
      treap = nullptr;
    }
  }
  s->parent = nullptr;
  s->elem = nullptr;
  s->next = nullptr;
  s->prev = nullptr;
  s->ticket = 0;
  return s;
}

// sema.go: (*semaRoot).rotateLeft
// rotateLeft rotates the tree rooted at node x,
// turning (x a (y b c)) into (y (x a b) c).
void semaRoot::rotateLeft(sudog* x) {
  // p -> (x a (y b c))
  sudog* p = x->parent;
  sudog* y = x->next;
  sudog* b = y->prev;

  y->prev = x;
  x->parent = y;
  x->next = b;
  if (b != nullptr) b->parent = x;

  y->parent = p;
  if (p == nullptr) {
    treap = y;
  } else if (p->prev == x) {
    p->prev = y;
  } else {
    if (p->next != x) throw_("semaRoot rotateLeft");
    p->next = y;
  }
}

// sema.go: (*semaRoot).rotateRight
// rotateRight rotates the tree rooted at node y,
// turning (y (x a b) c) into (x a (y b c)).
void semaRoot::rotateRight(sudog* y) {
  // p -> (y (x a b) c)
  sudog* p = y->parent;
  sudog* x = y->prev;
  sudog* b = x->next;

  x->next = y;
  y->parent = x;
  y->prev = b;
  if (b != nullptr) b->parent = y;

  x->parent = p;
  if (p == nullptr) {
    treap = x;
  } else if (p->prev == y) {
    p->prev = x;
  } else {
    if (p->next != y) throw_("semaRoot rotateRight");
    p->next = x;
  }
}

// notifyList (sema.h) is a ticket-based notification list used to
// implement sync::Cond.

// sema.go: notifyListAdd
// notifyListAdd adds the caller to a notify list such that it can receive
// notifications. The caller must eventually call notifyListWait to wait
// for such a notification, passing the returned ticket number.
uint32_t notifyListAdd(notifyList* l) {
  // This may be called concurrently, for example, when called from
  // sync::Cond::Wait while holding a RWMutex in read mode.
  return l->wait.fetch_add(1);
}

// sema.go: notifyListWait
// notifyListWait waits for a notification. If one has been sent since
// notifyListAdd was called, it returns immediately. Otherwise, it blocks.
void notifyListWait(notifyList* l, uint32_t t) {
  lock(&l->lock);

  // Return right away if this ticket has already been notified.
  if (less(t, l->notify.load())) {
    unlock(&l->lock);
    return;
  }

  // Enqueue itself.
  sudog* s = acquireSudog();
  s->g = getg();
  s->ticket = t;
  s->releasetime = 0;
  if (l->tail == nullptr)
    l->head = s;
  else
    l->tail->next = s;
  l->tail = s;
  goparkunlock(&l->lock, waitReasonSyncCondWait);
  releaseSudog(s);
}

// sema.go: notifyListNotifyAll
// notifyListNotifyAll notifies all entries in the list.
void notifyListNotifyAll(notifyList* l) {
  // Fast-path: if there are no new waiters since the last notification
  // we don't need to acquire the lock.
  if (l->wait.load() == l->notify.load()) return;

  // Pull the list out into a local variable, waiters will be readied
  // outside the lock.
  lock(&l->lock);
  sudog* s = l->head;
  l->head = nullptr;
  l->tail = nullptr;

  // Update the next ticket to be notified. We can set it to the current
  // value of wait because any previous waiters are already in the list
  // or will notice that they have already been notified when trying to
  // add themselves to the list.
  l->notify.store(l->wait.load());
  unlock(&l->lock);

  // Go through the local list and ready all waiters.
  while (s != nullptr) {
    sudog* next = s->next;
    s->next = nullptr;
    readyWithTime(s, 4);
    s = next;
  }
}

// sema.go: notifyListNotifyOne
// notifyListNotifyOne notifies one entry in the list.
void notifyListNotifyOne(notifyList* l) {
  // Fast-path: if there are no new waiters since the last notification
  // we don't need to acquire the lock at all.
  if (l->wait.load() == l->notify.load()) return;

  lock(&l->lock);

  // Re-check under the lock if we need to do anything.
  uint32_t t = l->notify.load();
  if (t == l->wait.load()) {
    unlock(&l->lock);
    return;
  }

  // Update the next notify ticket number.
  l->notify.store(t + 1);

  // Try to find the g that needs to be notified.
  // If it hasn't made it to the list yet we won't find it,
  // but it won't park itself once it sees the new notify number.
  //
  // This scan looks linear but essentially always stops quickly.
  // Because g's queue separately from taking numbers,
  // there may be minor reorderings in the list, but we
  // expect the g we're looking for to be near the front.
  // The g has others in front of it on the list only to the
  // extent that it lost the race, so the iteration will not
  // be too long. This applies even when the g is missing:
  // it hasn't yet gotten to sleep and has lost the race to
  // the (few) other g's that we find on the list.
  for (sudog *p = nullptr, *s = l->head; s != nullptr; p = s, s = s->next) {
    if (s->ticket == t) {
      sudog* n = s->next;
      if (p != nullptr)
        p->next = n;
      else
        l->head = n;
      if (n == nullptr) l->tail = p;
      unlock(&l->lock);
      s->next = nullptr;
      readyWithTime(s, 4);
      return;
    }
  }
  unlock(&l->lock);
}

// sema.go: notifyListCheck
// Go checks at init that sync's copy of notifyList has the runtime's
// size; C++ can check that, and the layout, at compile time.
static_assert(sizeof(sync::notifyList) == sizeof(notifyList), "bad notifyList size");
static_assert(alignof(sync::notifyList) == alignof(notifyList), "bad notifyList alignment");
static_assert(offsetof(sync::notifyList, wait) == offsetof(notifyList, wait));
static_assert(offsetof(sync::notifyList, notify) == offsetof(notifyList, notify));
static_assert(offsetof(sync::notifyList, lock) == offsetof(notifyList, lock));
static_assert(offsetof(sync::notifyList, head) == offsetof(notifyList, head));
static_assert(offsetof(sync::notifyList, tail) == offsetof(notifyList, tail));
static_assert(std::is_standard_layout_v<sync::notifyList> && std::is_standard_layout_v<notifyList>);

// sema.go: sync_nanotime
int64_t sync_nanotime() { return nanotime(); }

}  // namespace gort::runtime
