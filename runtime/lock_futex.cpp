// lock_futex.cpp — the runtime's mutex and one-shot note, on Linux futexes.
//
// Port of Go 1.19 src/runtime/lock_futex.go. A runtime mutex is not a
// sync::Mutex: it blocks the whole M (the thread), never parks a goroutine,
// and is held only for short critical sections inside the scheduler.
//
// Lock order (Go: lockrank.go). A function that holds a lock on the left
// may take the locks to its right, never the reverse:
//
//   sched.lock  ->  allglock  ->  sched.gFree.lock  ->  stackpool lock
//
//   hchan.lock  ->  sched.sudoglock
//
//   pollDesc.lock  ->  sched.lock  ->  p.timersLock  ->  netpollInitLock
//
//   pollcache.lock, allpLock (timeSleepUntil, retake) are leaves here.
//
// sched.gFree.lock is taken without sched.lock by gfget/gfput; the stack
// pool lock is a leaf. Several hchan locks are held at once only by
// select (sellock), which takes them in channel address order. Channel
// code readies a g (ready, wakep, sched.lock) only after unlocking the
// channel (chan.go's rule, kept in chan.cpp and select.cpp).
// sched.lock is held over p.timersLock by pidleput (updateTimerPMask) and
// procresize (moveTimers, the only place two timersLocks are held, with
// the world stopped). A timer function runs with no timersLock held
// (runOneTimer unlocks around it), and modtimer/addtimer unlock before
// wakeNetPoller may take sched.lock (wakep).

#include "runtime/lock_futex.h"

#include "runtime/os_linux.h"
#include "runtime/proc.h"
#include "runtime/stubs.h"

namespace gort::runtime {

namespace {
constexpr uint32_t mutex_unlocked = 0;  // assertLockHeld (lock_futex.h) relies on this value
constexpr uint32_t mutex_locked = 1;
constexpr uint32_t mutex_sleeping = 2;

constexpr int passive_spin = 1;
}  // namespace

// lock_futex.go: lock2
// Possible states are mutex_unlocked, mutex_locked and mutex_sleeping;
// mutex_sleeping means there is presumably at least one sleeping thread.
void lock(mutex* l) {
  g* gp = getg();
  if (gp->m->locks < 0) throw_("runtime·lock: lock count");
  gp->m->locks++;

  // Speculative grab for lock.
  uint32_t v = l->key.exchange(mutex_locked, std::memory_order_acquire);
  if (v == mutex_unlocked) return;

  // wait is either mutex_locked or mutex_sleeping depending on whether a
  // thread sleeps on this mutex. Once we changed the key from
  // mutex_sleeping we must set it back before returning, so the sleeper
  // still gets its wakeup call.
  uint32_t wait = v;

  // On uniprocessors, no point spinning.
  int spin = ncpu > 1 ? active_spin : 0;
  for (;;) {
    for (int i = 0; i < spin; i++) {
      while (l->key.load(std::memory_order_relaxed) == mutex_unlocked) {
        uint32_t expected = mutex_unlocked;
        if (l->key.compare_exchange_strong(expected, wait, std::memory_order_acquire)) return;
      }
      procyield(active_spin_cnt);
    }
    for (int i = 0; i < passive_spin; i++) {
      while (l->key.load(std::memory_order_relaxed) == mutex_unlocked) {
        uint32_t expected = mutex_unlocked;
        if (l->key.compare_exchange_strong(expected, wait, std::memory_order_acquire)) return;
      }
      osyield();
    }
    // Sleep.
    v = l->key.exchange(mutex_sleeping, std::memory_order_acquire);
    if (v == mutex_unlocked) return;
    wait = mutex_sleeping;
    futexsleep(&l->key, mutex_sleeping, -1);
  }
}

// lock_futex.go: unlock2
void unlock(mutex* l) {
  uint32_t v = l->key.exchange(mutex_unlocked, std::memory_order_release);
  if (v == mutex_unlocked) throw_("unlock of unlocked lock");
  if (v == mutex_sleeping) futexwakeup(&l->key, 1);

  g* gp = getg();
  gp->m->locks--;
  if (gp->m->locks < 0) throw_("runtime·unlock: lock count");
}

// lock_futex.go: noteclear
void noteclear(note* n) { n->key.store(0, std::memory_order_relaxed); }

// lock_futex.go: notewakeup
void notewakeup(note* n) {
  uint32_t old = n->key.exchange(1, std::memory_order_release);
  if (old != 0) throw_("notewakeup - double wakeup");
  futexwakeup(&n->key, 1);
}

// lock_futex.go: notesleep
// Must run on g0.
void notesleep(note* n) {
  g* gp = getg();
  if (gp != gp->m->g0) throw_("notesleep not on g0");
  while (n->key.load(std::memory_order_acquire) == 0) {
    gp->m->blocked = true;
    futexsleep(&n->key, 0, -1);
    gp->m->blocked = false;
  }
}

// lock_futex.go: notetsleep_internal + notetsleep
// Must run on g0 (or with m.locks > 0, as Go allows).
bool notetsleep(note* n, int64_t ns) {
  g* gp = getg();
  if (gp != gp->m->g0 && gp->m->preemptoff == nullptr) {
    // Go: "notetsleep not on g0" unless preemption is disabled.
    if (gp->m->locks == 0) throw_("notetsleep not on g0");
  }
  if (ns < 0) {
    while (n->key.load(std::memory_order_acquire) == 0) {
      gp->m->blocked = true;
      futexsleep(&n->key, 0, -1);
      gp->m->blocked = false;
    }
    return true;
  }
  if (n->key.load(std::memory_order_acquire) != 0) return true;
  int64_t deadline = nanotime() + ns;
  for (;;) {
    gp->m->blocked = true;
    futexsleep(&n->key, 0, ns);
    gp->m->blocked = false;
    if (n->key.load(std::memory_order_acquire) != 0) break;
    int64_t now = nanotime();
    if (now >= deadline) break;
    ns = deadline - now;
  }
  return n->key.load(std::memory_order_acquire) != 0;
}

}  // namespace gort::runtime
