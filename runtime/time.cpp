// time.cpp — timers: per-P 4-ary heaps, run by the scheduler.
//
// Port of Go 1.19 src/runtime/time.go, in its order, so the two can be read
// side by side. The scheduler's half (checkTimers, checkTimersNoP,
// wakeNetPoller, updateTimerPMask) is in proc.cpp, where Go has it. The
// package time half that Go keeps in src/time/sleep.go (Sleep, After,
// NewTimer, AfterFunc, Timer.Stop/Reset), tick.go (NewTicker, Tick,
// Ticker.Stop/Reset) and time.go (Now) is at the end of this file, under
// its own banner.
//
// Code outside this file has to be careful in using a timer value.
//
// The pp, status, and nextwhen fields may only be used by code in this
// file.
//
// Code that creates a new timer value can set the when, period, f, arg, and
// seq fields. A new timer value may be passed to addtimer (called by
// startTimer). After doing that no fields may be touched.
//
// An active timer (one that has been passed to addtimer) may be passed to
// deltimer (stopTimer), after which it is no longer an active timer. It is
// an inactive timer. In an inactive timer the period, f, arg, and seq
// fields may be modified, but not the when field. (gort: Go lets the GC
// collect a dropped inactive timer; here its owner must keep it alive
// until no heap refers to it: see Timer's destructor below.) It's not OK
// to pass an inactive timer to addtimer. Only newly allocated timer values
// may be passed to addtimer.
//
// An active timer may be passed to modtimer. No fields may be touched. It
// remains an active timer.
//
// An inactive timer may be passed to resettimer to turn into an active
// timer with an updated when field. It's OK to pass a newly allocated timer
// value to resettimer.
//
// Timer operations are addtimer, deltimer, modtimer, resettimer,
// cleantimers, adjusttimers, and runtimer.
//
// We don't permit calling addtimer/deltimer/modtimer/resettimer
// simultaneously, but adjusttimers and runtimer can be called at the same
// time as any of those.
//
// Active timers live in heaps attached to P, in the timers field. Inactive
// timers live there too temporarily, until they are removed.
//
// addtimer:
//   timerNoStatus   -> timerWaiting
//   anything else   -> panic: invalid value
// deltimer:
//   timerWaiting         -> timerModifying -> timerDeleted
//   timerModifiedEarlier -> timerModifying -> timerDeleted
//   timerModifiedLater   -> timerModifying -> timerDeleted
//   timerNoStatus        -> do nothing
//   timerDeleted         -> do nothing
//   timerRemoving        -> do nothing
//   timerRemoved         -> do nothing
//   timerRunning         -> wait until status changes
//   timerMoving          -> wait until status changes
//   timerModifying       -> wait until status changes
// modtimer:
//   timerWaiting    -> timerModifying -> timerModifiedXX
//   timerModifiedXX -> timerModifying -> timerModifiedYY
//   timerNoStatus   -> timerModifying -> timerWaiting
//   timerRemoved    -> timerModifying -> timerWaiting
//   timerDeleted    -> timerModifying -> timerModifiedXX
//   timerRunning    -> wait until status changes
//   timerMoving     -> wait until status changes
//   timerRemoving   -> wait until status changes
//   timerModifying  -> wait until status changes
// cleantimers (looks in P's timer heap):
//   timerDeleted    -> timerRemoving -> timerRemoved
//   timerModifiedXX -> timerMoving -> timerWaiting
// adjusttimers (looks in P's timer heap):
//   timerDeleted    -> timerRemoving -> timerRemoved
//   timerModifiedXX -> timerMoving -> timerWaiting
// runtimer (looks in P's timer heap):
//   timerNoStatus   -> panic: uninitialized timer
//   timerWaiting    -> timerWaiting or
//   timerWaiting    -> timerRunning -> timerNoStatus or
//   timerWaiting    -> timerRunning -> timerWaiting
//   timerModifying  -> wait until status changes
//   timerModifiedXX -> timerMoving -> timerWaiting
//   timerDeleted    -> timerRemoving -> timerRemoved
//   timerRunning    -> panic: concurrent runtimer calls
//   timerRemoved    -> panic: inconsistent timer heap
//   timerRemoving   -> panic: inconsistent timer heap
//   timerMoving     -> panic: inconsistent timer heap
#include "runtime/time.h"

#include <cstdio>
#include <ctime>
#include <memory>
#include <stdexcept>

#include "runtime/chan.h"
#include "runtime/go.h"
#include "runtime/lock_futex.h"
#include "runtime/netpoll.h"
#include "runtime/os_linux.h"
#include "runtime/preempt.h"
#include "runtime/proc.h"
#include "runtime/stubs.h"
#include "runtime/time_public.h"

namespace gort::runtime {

// time.go: verifyTimers. Set to true to add debugging checks that the
// timer heaps are valid.
constexpr bool verifyTimers = false;

// gort: Go's atomic.Cas on t.status; strong, sequentially consistent.
static inline bool casStatus(timer* t, uint32_t old, uint32_t nw) {
  return t->status.compare_exchange_strong(old, nw);
}

// time.go: timeSleep
// timeSleep puts the current goroutine to sleep for at least ns
// nanoseconds.
void timeSleep(int64_t ns) {
  checkNoG("time.Sleep");  // gort: misuse from outside a goroutine (docs/differences.md)
  if (ns <= 0) return;

  g* gp = getg();
  timer* t = gp->timer;
  if (t == nullptr) {
    t = new timer{};
    gp->timer = t;  // gort: kept for the g's life, as Go keeps it (gs are never freed)
  }
  t->f = goroutineReady;
  t->arg = gp;
  t->nextwhen = int64_t(uint64_t(nanotime()) + uint64_t(ns));  // gort: wraps as Go's int64 does
  if (t->nextwhen < 0) {  // check for overflow.
    t->nextwhen = maxWhen;
  }
  gopark(resetForSleep, t, waitReasonSleep);
}

// time.go: resetForSleep
// resetForSleep is called after the goroutine is parked for timeSleep. We
// can't call resettimer in timeSleep itself because if this is a short
// sleep and there are many goroutines then the P can wind up running the
// timer function, goroutineReady, before the goroutine has been parked.
bool resetForSleep(g*, void* ut) {
  timer* t = static_cast<timer*>(ut);
  resettimer(t, t->nextwhen);
  return true;
}

// time.go: startTimer
// startTimer adds t to the timer heap.
// gort: each of these four is a runtime entry point (see preemptPoint):
// Go's prologue check honours a pending preemption request here, and a
// goroutine that does little but call them (makes 100,000 timers, resets
// them in a loop) would otherwise keep its P, and its P's due timers,
// from everyone but another P's stealWork. Each also needs an M (acquirem),
// so a call from a thread gort did not start dies in Go's words.
void startTimer(timer* t) {
  checkNoG("time.startTimer");  // gort: misuse from outside a goroutine (docs/differences.md)
  preemptPoint();
  addtimer(t);
}

// time.go: stopTimer
// stopTimer stops a timer. It reports whether t was stopped before being
// run.
bool stopTimer(timer* t) {
  checkNoG("time.stopTimer");  // gort: misuse from outside a goroutine
  preemptPoint();
  return deltimer(t);
}

// time.go: resetTimer
// resetTimer resets an inactive timer, adding it to the heap. Reports
// whether the timer was modified before it was run.
bool resetTimer(timer* t, int64_t when) {
  checkNoG("time.resetTimer");  // gort: misuse from outside a goroutine
  preemptPoint();
  return resettimer(t, when);
}

// time.go: modTimer
// modTimer modifies an existing timer.
void modTimer(timer* t, int64_t when, int64_t period, void (*f)(void*, uintptr_t), void* arg, uintptr_t seq) {
  checkNoG("time.modTimer");  // gort: misuse from outside a goroutine
  preemptPoint();
  modtimer(t, when, period, f, arg, seq);
}

// Go runtime.

// time.go: goroutineReady
// Ready the goroutine arg.
void goroutineReady(void* arg, uintptr_t) { goready(static_cast<g*>(arg)); }

// time.go: addtimer
// addtimer adds a timer to the current P. This should only be called with
// a newly created timer. That avoids the risk of changing the when field
// of a timer in some P's heap, which could cause the heap to become
// unsorted.
void addtimer(timer* t) {
  // when must be positive. A negative value will cause runtimer to
  // overflow during its delta calculation and never expire other runtime
  // timers. Zero will cause checkTimers to fail to notice the timer.
  if (t->when <= 0) throw_("timer when must be positive");
  if (t->period < 0) throw_("timer period must be non-negative");
  if (t->status.load() != timerNoStatus) throw_("addtimer called with initialized timer");
  t->status.store(timerWaiting);

  int64_t when = t->when;

  // Disable preemption while using pp to avoid changing another P's heap.
  m* mp = acquirem();

  p* pp = getg()->m->p;
  lock(&pp->timersLock);
  cleantimers(pp);
  doaddtimer(pp, t);
  unlock(&pp->timersLock);

  wakeNetPoller(when);

  releasem(mp);
}

// time.go: doaddtimer
// doaddtimer adds t to the current P's heap. The caller must have locked
// the timers for pp.
void doaddtimer(p* pp, timer* t) {
  // Timers rely on the network poller, so make sure the poller has
  // started.
  if (netpollInited.load() == 0) netpollGenericInit();

  if (t->pp != nullptr) throw_("doaddtimer: P already set in timer");
  t->pp = pp;
  int i = int(pp->timers.size());
  pp->timers.push_back(t);
  siftupTimer(pp->timers, i);
  if (t == pp->timers[0]) pp->timer0When.store(t->when);
  pp->numTimers.fetch_add(1);
}

// time.go: deltimer
// deltimer deletes the timer t. It may be on some other P, so we can't
// actually remove it from the timers heap. We can only mark it as
// deleted. It will be removed in due course by the P whose heap it is on.
// Reports whether the timer was removed before it was run.
bool deltimer(timer* t) {
  for (;;) {
    uint32_t s = t->status.load();
    switch (s) {
      case timerWaiting:
      case timerModifiedLater: {
        // Prevent preemption while the timer is in timerModifying. This
        // could lead to a self-deadlock. See #38070.
        m* mp = acquirem();
        if (casStatus(t, s, timerModifying)) {
          // Must fetch t.pp before changing status, as cleantimers in
          // another goroutine can clear t.pp of a timerDeleted timer.
          p* tpp = t->pp;
          if (!casStatus(t, timerModifying, timerDeleted)) badTimer();
          releasem(mp);
          tpp->deletedTimers.fetch_add(1);
          // Timer was not yet run.
          return true;
        } else {
          releasem(mp);
        }
        break;
      }
      case timerModifiedEarlier: {
        // Prevent preemption while the timer is in timerModifying. This
        // could lead to a self-deadlock. See #38070.
        m* mp = acquirem();
        if (casStatus(t, s, timerModifying)) {
          // Must fetch t.pp before setting status to timerDeleted.
          p* tpp = t->pp;
          if (!casStatus(t, timerModifying, timerDeleted)) badTimer();
          releasem(mp);
          tpp->deletedTimers.fetch_add(1);
          // Timer was not yet run.
          return true;
        } else {
          releasem(mp);
        }
        break;
      }
      case timerDeleted:
      case timerRemoving:
      case timerRemoved:
        // Timer was already run.
        return false;
      case timerRunning:
      case timerMoving:
        // The timer is being run or moved, by a different P. Wait for it
        // to complete.
        osyield();
        break;
      case timerNoStatus:
        // Removing timer that was never added or has already been run.
        // Also see issue 21874.
        return false;
      case timerModifying:
        // Simultaneous calls to deltimer and modtimer. Wait for the other
        // call to complete.
        osyield();
        break;
      default:
        badTimer();
    }
  }
}

// time.go: dodeltimer
// dodeltimer removes timer i from the current P's heap. We are locked on
// the P when this is called. It returns the smallest changed index in
// pp.timers. The caller must have locked the timers for pp.
int dodeltimer(p* pp, int i) {
  if (timer* t = pp->timers[size_t(i)]; t->pp != pp)
    throw_("dodeltimer: wrong P");
  else
    t->pp = nullptr;
  int last = int(pp->timers.size()) - 1;
  if (i != last) pp->timers[size_t(i)] = pp->timers[size_t(last)];
  pp->timers.pop_back();
  int smallestChanged = i;
  if (i != last) {
    // Moving to i may have moved the last timer to a new parent, so sift
    // up to preserve the heap guarantee.
    smallestChanged = siftupTimer(pp->timers, i);
    siftdownTimer(pp->timers, i);
  }
  if (i == 0) updateTimer0When(pp);
  uint32_t n = pp->numTimers.fetch_sub(1) - 1;
  if (n == 0) {
    // If there are no timers, then clearly none are modified.
    pp->timerModifiedEarliest.store(0);
  }
  return smallestChanged;
}

// time.go: dodeltimer0
// dodeltimer0 removes timer 0 from the current P's heap. We are locked on
// the P when this is called. The caller must have locked the timers for
// pp.
void dodeltimer0(p* pp) {
  if (timer* t = pp->timers[0]; t->pp != pp)
    throw_("dodeltimer0: wrong P");
  else
    t->pp = nullptr;
  size_t last = pp->timers.size() - 1;
  if (last > 0) pp->timers[0] = pp->timers[last];
  pp->timers.pop_back();
  if (last > 0) siftdownTimer(pp->timers, 0);
  updateTimer0When(pp);
  uint32_t n = pp->numTimers.fetch_sub(1) - 1;
  if (n == 0) {
    // If there are no timers, then clearly none are modified.
    pp->timerModifiedEarliest.store(0);
  }
}

// time.go: modtimer
// modtimer modifies an existing timer. This is called by the netpoll code
// or time.Ticker.Reset or time.Timer.Reset. Reports whether the timer was
// modified before it was run.
bool modtimer(timer* t, int64_t when, int64_t period, void (*f)(void*, uintptr_t), void* arg, uintptr_t seq) {
  if (when <= 0) throw_("timer when must be positive");
  if (period < 0) throw_("timer period must be non-negative");

  uint32_t status = timerNoStatus;
  bool wasRemoved = false;
  bool pending = false;
  m* mp = nullptr;
  for (bool done = false; !done;) {
    switch (status = t->status.load()) {
      case timerWaiting:
      case timerModifiedEarlier:
      case timerModifiedLater:
        // Prevent preemption while the timer is in timerModifying. This
        // could lead to a self-deadlock. See #38070.
        mp = acquirem();
        if (casStatus(t, status, timerModifying)) {
          pending = true;  // timer not yet run
          done = true;
          break;
        }
        releasem(mp);
        break;
      case timerNoStatus:
      case timerRemoved:
        // Prevent preemption while the timer is in timerModifying. This
        // could lead to a self-deadlock. See #38070.
        mp = acquirem();

        // Timer was already run and t is no longer in a heap. Act like
        // addtimer.
        if (casStatus(t, status, timerModifying)) {
          wasRemoved = true;
          pending = false;  // timer already run or stopped
          done = true;
          break;
        }
        releasem(mp);
        break;
      case timerDeleted:
        // Prevent preemption while the timer is in timerModifying. This
        // could lead to a self-deadlock. See #38070.
        mp = acquirem();
        if (casStatus(t, status, timerModifying)) {
          t->pp->deletedTimers.fetch_sub(1);
          pending = false;  // timer already stopped
          done = true;
          break;
        }
        releasem(mp);
        break;
      case timerRunning:
      case timerRemoving:
      case timerMoving:
        // The timer is being run or moved, by a different P. Wait for it
        // to complete.
        osyield();
        break;
      case timerModifying:
        // Multiple simultaneous calls to modtimer. Wait for the other call
        // to complete.
        osyield();
        break;
      default:
        badTimer();
    }
  }

  t->period = period;
  t->f = f;
  t->arg = arg;
  t->seq = seq;

  if (wasRemoved) {
    t->when = when;
    p* pp = getg()->m->p;
    lock(&pp->timersLock);
    doaddtimer(pp, t);
    unlock(&pp->timersLock);
    if (!casStatus(t, timerModifying, timerWaiting)) badTimer();
    releasem(mp);
    wakeNetPoller(when);
  } else {
    // The timer is in some other P's heap, so we can't change the when
    // field. If we did, the other P's heap would be out of order. So we
    // put the new when value in the nextwhen field, and let the other P
    // set the when field when it is prepared to resort the heap.
    t->nextwhen = when;

    uint32_t newStatus = timerModifiedLater;
    if (when < t->when) newStatus = timerModifiedEarlier;

    p* tpp = t->pp;

    if (newStatus == timerModifiedEarlier) updateTimerModifiedEarliest(tpp, when);

    // Set the new status of the timer.
    if (!casStatus(t, timerModifying, newStatus)) badTimer();
    releasem(mp);

    // If the new status is earlier, wake up the poller.
    if (newStatus == timerModifiedEarlier) wakeNetPoller(when);
  }

  return pending;
}

// time.go: resettimer
// resettimer resets the time when a timer should fire. If used for an
// inactive timer, the timer will become active. This should be called
// instead of addtimer if the timer value has been, or may have been, used
// previously. Reports whether the timer was modified before it was run.
bool resettimer(timer* t, int64_t when) { return modtimer(t, when, t->period, t->f, t->arg, t->seq); }

// time.go: cleantimers
// cleantimers cleans up the head of the timer queue. This speeds up
// programs that create and delete timers; leaving them in the heap slows
// down addtimer. The caller must have locked the timers for pp.
void cleantimers(p* pp) {
  g* gp = getg();
  for (;;) {
    if (pp->timers.empty()) return;

    // This loop can theoretically run for a while, and because it is
    // holding timersLock it cannot be preempted. If someone is trying to
    // preempt us, just return. We can clean the timers later.
    if (gp->preemptStop) return;

    timer* t = pp->timers[0];
    if (t->pp != pp) throw_("cleantimers: bad p");
    switch (uint32_t s = t->status.load()) {
      case timerDeleted:
        if (!casStatus(t, s, timerRemoving)) continue;
        dodeltimer0(pp);
        if (!casStatus(t, timerRemoving, timerRemoved)) badTimer();
        pp->deletedTimers.fetch_sub(1);
        break;
      case timerModifiedEarlier:
      case timerModifiedLater:
        if (!casStatus(t, s, timerMoving)) continue;
        // Now we can change the when field.
        t->when = t->nextwhen;
        // Move t to the right position.
        dodeltimer0(pp);
        doaddtimer(pp, t);
        if (!casStatus(t, timerMoving, timerWaiting)) badTimer();
        break;
      default:
        // Head of timers does not need adjustment.
        return;
    }
  }
}

// time.go: moveTimers
// moveTimers moves a slice of timers to pp. The slice has been taken from
// a different P. This is currently called when the world is stopped, but
// the caller is expected to have locked the timers for pp.
void moveTimers(p* pp, const std::vector<timer*>& timers) {
  for (timer* t : timers) {
    for (bool done = false; !done;) {
      switch (uint32_t s = t->status.load()) {
        case timerWaiting:
          if (!casStatus(t, s, timerMoving)) continue;
          t->pp = nullptr;
          doaddtimer(pp, t);
          if (!casStatus(t, timerMoving, timerWaiting)) badTimer();
          done = true;
          break;
        case timerModifiedEarlier:
        case timerModifiedLater:
          if (!casStatus(t, s, timerMoving)) continue;
          t->when = t->nextwhen;
          t->pp = nullptr;
          doaddtimer(pp, t);
          if (!casStatus(t, timerMoving, timerWaiting)) badTimer();
          done = true;
          break;
        case timerDeleted:
          if (!casStatus(t, s, timerRemoved)) continue;
          t->pp = nullptr;
          // We no longer need this timer in the heap.
          done = true;
          break;
        case timerModifying:
          // Loop until the modification is complete.
          osyield();
          break;
        case timerNoStatus:
        case timerRemoved:
          // We should not see these status values in a timers heap.
          badTimer();
        case timerRunning:
        case timerRemoving:
        case timerMoving:
          // Some other P thinks it owns this timer, which should not
          // happen.
          badTimer();
        default:
          badTimer();
      }
    }
  }
}

// time.go: adjusttimers
// adjusttimers looks through the timers in the current P's heap for any
// timers that have been modified to run earlier, and puts them in the
// correct place in the heap. While looking for those timers, it also moves
// timers that have been modified to run later, and removes deleted
// timers. The caller must have locked the timers for pp.
void adjusttimers(p* pp, int64_t now) {
  // If we haven't yet reached the time of the first timerModifiedEarlier
  // timer, don't do anything. This speeds up programs that adjust a lot of
  // timers back and forth if the timers rarely expire. We'll postpone
  // looking through all the adjusted timers until one would actually
  // expire.
  int64_t first = pp->timerModifiedEarliest.load();
  if (first == 0 || first > now) {
    if (verifyTimers) verifyTimerHeap(pp);
    return;
  }

  // We are going to clear all timerModifiedEarlier timers.
  pp->timerModifiedEarliest.store(0);

  std::vector<timer*> moved;
  for (int i = 0; i < int(pp->timers.size()); i++) {
    timer* t = pp->timers[size_t(i)];
    if (t->pp != pp) throw_("adjusttimers: bad p");
    switch (uint32_t s = t->status.load()) {
      case timerDeleted:
        if (casStatus(t, s, timerRemoving)) {
          int changed = dodeltimer(pp, i);
          if (!casStatus(t, timerRemoving, timerRemoved)) badTimer();
          pp->deletedTimers.fetch_sub(1);
          // Go back to the earliest changed heap entry. "- 1" because the
          // loop will add 1.
          i = changed - 1;
        }
        break;
      case timerModifiedEarlier:
      case timerModifiedLater:
        if (casStatus(t, s, timerMoving)) {
          // Now we can change the when field.
          t->when = t->nextwhen;
          // Take t off the heap, and hold onto it. We don't add it back
          // yet because the heap manipulation could cause our loop to skip
          // some other timer.
          int changed = dodeltimer(pp, i);
          moved.push_back(t);
          // Go back to the earliest changed heap entry. "- 1" because the
          // loop will add 1.
          i = changed - 1;
        }
        break;
      case timerNoStatus:
      case timerRunning:
      case timerRemoving:
      case timerRemoved:
      case timerMoving:
        badTimer();
      case timerWaiting:
        // OK, nothing to do.
        break;
      case timerModifying:
        // Check again after modification is complete.
        osyield();
        i--;
        break;
      default:
        badTimer();
    }
  }

  if (!moved.empty()) {
    // time.go: addAdjustedTimers (inlined): add any timers we adjusted
    // back to the timer heap.
    for (timer* t : moved) {
      doaddtimer(pp, t);
      if (!casStatus(t, timerMoving, timerWaiting)) badTimer();
    }
  }

  if (verifyTimers) verifyTimerHeap(pp);
}

// time.go: nobarrierWakeTime
// nobarrierWakeTime looks at P's timers and returns the time when we
// should wake up the netpoller. It returns 0 if there are no timers. This
// function is invoked when dropping a P (Go: and must run without any
// write barriers).
int64_t nobarrierWakeTime(p* pp) {
  int64_t next = pp->timer0When.load();
  int64_t nextAdj = pp->timerModifiedEarliest.load();
  if (next == 0 || (nextAdj != 0 && nextAdj < next)) next = nextAdj;
  return next;
}

// time.go: runtimer
// runtimer examines the first timer in timers. If it is ready based on
// now, it runs the timer and removes or updates it. Returns 0 if it ran a
// timer, -1 if there are no more timers, or the time when the first timer
// should run. The caller must have locked the timers for pp. If a timer is
// run, this will temporarily unlock the timers.
// Must run on g0 (Go: //go:systemstack).
int64_t runtimer(p* pp, int64_t now) {
  for (;;) {
    timer* t = pp->timers[0];
    if (t->pp != pp) throw_("runtimer: bad p");
    switch (uint32_t s = t->status.load()) {
      case timerWaiting:
        if (t->when > now) {
          // Not ready to run.
          return t->when;
        }

        if (!casStatus(t, s, timerRunning)) continue;
        // Note that runOneTimer may temporarily unlock pp.timersLock.
        runOneTimer(pp, t, now);
        return 0;

      case timerDeleted:
        if (!casStatus(t, s, timerRemoving)) continue;
        dodeltimer0(pp);
        if (!casStatus(t, timerRemoving, timerRemoved)) badTimer();
        pp->deletedTimers.fetch_sub(1);
        if (pp->timers.empty()) return -1;
        break;

      case timerModifiedEarlier:
      case timerModifiedLater:
        if (!casStatus(t, s, timerMoving)) continue;
        t->when = t->nextwhen;
        dodeltimer0(pp);
        doaddtimer(pp, t);
        if (!casStatus(t, timerMoving, timerWaiting)) badTimer();
        break;

      case timerModifying:
        // Wait for modification to complete.
        osyield();
        break;

      case timerNoStatus:
      case timerRemoved:
        // Should not see a new or inactive timer on the heap.
        badTimer();
      case timerRunning:
      case timerRemoving:
      case timerMoving:
        // These should only be set when timers are locked, and we didn't
        // do it.
        badTimer();
      default:
        badTimer();
    }
  }
}

// time.go: runOneTimer
// runOneTimer runs a single timer. The caller must have locked the timers
// for pp. This will temporarily unlock the timers while running the timer
// function. Must run on g0 (Go: //go:systemstack).
void runOneTimer(p* pp, timer* t, int64_t now) {
  auto* f = t->f;
  void* arg = t->arg;
  uintptr_t seq = t->seq;

  bool periodic = t->period > 0;  // gort: t is not read after f runs
  if (t->period > 0) {
    // Leave in heap but adjust next time to fire.
    int64_t delta = t->when - now;
    // gort: Go's int64 arithmetic wraps; C++'s signed overflow is
    // undefined, so the wrap is computed unsigned.
    t->when = int64_t(uint64_t(t->when) + uint64_t(t->period) * uint64_t(1 + -delta / t->period));
    if (t->when < 0) {  // check for overflow.
      t->when = maxWhen;
    }
    t->periodicRunning.fetch_add(1);  // gort: before another P can stop it
    siftdownTimer(pp->timers, 0);
    if (!casStatus(t, timerRunning, timerWaiting)) badTimer();
    updateTimer0When(pp);
  } else {
    // Remove from heap.
    dodeltimer0(pp);
    if (!casStatus(t, timerRunning, timerNoStatus)) badTimer();
  }

  unlock(&pp->timersLock);

  // gort: from here on t may be freed by f itself (time::After's timer
  // is): runOneTimer must not touch t again, but for a periodic timer's
  // count, whose owner waits for it before freeing t.
  f(arg, seq);
  if (periodic) t->periodicRunning.fetch_sub(1);

  lock(&pp->timersLock);
}

// time.go: clearDeletedTimers
// clearDeletedTimers removes all deleted timers from the P's timer heap.
// This is used to avoid clogging up the heap if the program starts a lot
// of long-running timers and then stops them. For example, this can happen
// via context.WithTimeout.
//
// This is the only function that walks through the entire timer heap,
// other than moveTimers which only runs when the world is stopped.
//
// The caller must have locked the timers for pp.
void clearDeletedTimers(p* pp) {
  // We are going to clear all timerModifiedEarlier timers. Do this now in
  // case new ones show up while we are looping.
  pp->timerModifiedEarliest.store(0);

  int32_t cdel = 0;
  size_t to = 0;
  bool changedHeap = false;
  std::vector<timer*>& timers = pp->timers;
  for (size_t from = 0; from < timers.size(); from++) {
    timer* t = timers[from];
    for (bool next = false; !next;) {
      switch (uint32_t s = t->status.load()) {
        case timerWaiting:
          if (changedHeap) {
            timers[to] = t;
            siftupTimer(timers, int(to));
          }
          to++;
          next = true;
          break;
        case timerModifiedEarlier:
        case timerModifiedLater:
          if (casStatus(t, s, timerMoving)) {
            t->when = t->nextwhen;
            timers[to] = t;
            siftupTimer(timers, int(to));
            to++;
            changedHeap = true;
            if (!casStatus(t, timerMoving, timerWaiting)) badTimer();
            next = true;
          }
          break;
        case timerDeleted:
          if (casStatus(t, s, timerRemoving)) {
            t->pp = nullptr;
            cdel++;
            if (!casStatus(t, timerRemoving, timerRemoved)) badTimer();
            changedHeap = true;
            next = true;
          }
          break;
        case timerModifying:
          // Loop until modification complete.
          osyield();
          break;
        case timerNoStatus:
        case timerRemoved:
          // We should not see these status values in a timer heap.
          badTimer();
        case timerRunning:
        case timerRemoving:
        case timerMoving:
          // Some other P thinks it owns this timer, which should not
          // happen.
          badTimer();
        default:
          badTimer();
      }
    }
  }

  // gort: siftupTimer above works on timers[0:to] only while the slice is
  // still its full length; Go's slice bounds are the same, the tail holds
  // entries already moved down or removed.
  pp->deletedTimers.fetch_sub(uint32_t(cdel));
  pp->numTimers.fetch_sub(uint32_t(cdel));

  timers.resize(to);
  updateTimer0When(pp);

  if (verifyTimers) verifyTimerHeap(pp);
}

// time.go: verifyTimerHeap
// verifyTimerHeap verifies that the timer heap is in a valid state. This
// is only for debugging, and is only called if verifyTimers is true. The
// caller must have locked the timers.
void verifyTimerHeap(p* pp) {
  for (size_t i = 0; i < pp->timers.size(); i++) {
    if (i == 0) {
      // First timer has no parent.
      continue;
    }

    // The heap is 4-ary. See siftupTimer and siftdownTimer.
    size_t p = (i - 1) / 4;
    if (pp->timers[i]->when < pp->timers[p]->when) {
      fprintf(stderr, "bad timer heap at %zu: %zu: %lld, %zu: %lld\n", i, p,
              static_cast<long long>(pp->timers[p]->when), i, static_cast<long long>(pp->timers[i]->when));
      throw_("bad timer heap");
    }
  }
  if (uint32_t numTimers = pp->numTimers.load(); pp->timers.size() != numTimers) {
    fprintf(stderr, "timer heap len %zu != numTimers %u\n", pp->timers.size(), numTimers);
    throw_("bad timer heap len");
  }
}

// time.go: updateTimer0When
// updateTimer0When sets the P's timer0When field. The caller must have
// locked the timers for pp.
void updateTimer0When(p* pp) {
  if (pp->timers.empty())
    pp->timer0When.store(0);
  else
    pp->timer0When.store(pp->timers[0]->when);
}

// time.go: updateTimerModifiedEarliest
// updateTimerModifiedEarliest updates the recorded nextwhen field of the
// earlier timerModifiedEarier value. The timers for pp will not be
// locked.
void updateTimerModifiedEarliest(p* pp, int64_t nextwhen) {
  for (;;) {
    int64_t old = pp->timerModifiedEarliest.load();
    if (old != 0 && old < nextwhen) return;
    if (pp->timerModifiedEarliest.compare_exchange_strong(old, nextwhen)) return;
  }
}

// time.go: timeSleepUntil
// timeSleepUntil returns the time when the next timer should fire. Returns
// maxWhen if there are no timers. This is only called by sysmon and
// checkdead.
int64_t timeSleepUntil() {
  int64_t next = maxWhen;

  // Prevent allp slice changes. This is like retake.
  lock(&allpLock);
  for (int32_t i = 0; i < allplen; i++) {
    p* pp = allp[i];
    if (pp == nullptr) {
      // This can happen if procresize has grown allp but not yet created
      // new Ps.
      continue;
    }

    int64_t w = pp->timer0When.load();
    if (w != 0 && w < next) next = w;

    w = pp->timerModifiedEarliest.load();
    if (w != 0 && w < next) next = w;
  }
  unlock(&allpLock);

  return next;
}

// Heap maintenance algorithms. These algorithms check for slice index
// errors manually. Slice index error can happen if the program is using
// racy access to timers. We don't want to panic here, because it will
// cause the program to crash with a mysterious "panic holding locks"
// message. Instead, we panic while not holding a lock.

// time.go: siftupTimer
// siftupTimer puts the timer at position i in the right place in the heap
// by moving it up toward the top of the heap. It returns the smallest
// changed index.
int siftupTimer(std::vector<timer*>& t, int i) {
  if (size_t(i) >= t.size()) badTimer();
  int64_t when = t[size_t(i)]->when;
  if (when <= 0) badTimer();
  timer* tmp = t[size_t(i)];
  while (i > 0) {
    int p = (i - 1) / 4;  // parent
    if (when >= t[size_t(p)]->when) break;
    t[size_t(i)] = t[size_t(p)];
    i = p;
  }
  if (tmp != t[size_t(i)]) t[size_t(i)] = tmp;
  return i;
}

// time.go: siftdownTimer
// siftdownTimer puts the timer at position i in the right place in the
// heap by moving it down toward the bottom of the heap.
void siftdownTimer(std::vector<timer*>& t, int i) {
  int n = int(t.size());
  if (i >= n) badTimer();
  int64_t when = t[size_t(i)]->when;
  if (when <= 0) badTimer();
  timer* tmp = t[size_t(i)];
  for (;;) {
    int c = i * 4 + 1;  // left child
    int c3 = c + 2;     // mid child
    if (c >= n) break;
    int64_t w = t[size_t(c)]->when;
    if (c + 1 < n && t[size_t(c + 1)]->when < w) {
      w = t[size_t(c + 1)]->when;
      c++;
    }
    if (c3 < n) {
      int64_t w3 = t[size_t(c3)]->when;
      if (c3 + 1 < n && t[size_t(c3 + 1)]->when < w3) {
        w3 = t[size_t(c3 + 1)]->when;
        c3++;
      }
      if (w3 < w) {
        w = w3;
        c = c3;
      }
    }
    if (w >= when) break;
    t[size_t(i)] = t[size_t(c)];
    i = c;
  }
  if (tmp != t[size_t(i)]) t[size_t(i)] = tmp;
}

// time.go: badTimer
// badTimer is called if the timer data structures have been corrupted,
// presumably due to racy use by the program. We panic here rather than
// panicing due to invalid slice access while holding locks. See issue
// #25686.
void badTimer() { throw_("timer data corruption"); }

}  // namespace gort::runtime

// ===========================================================================
// package time (Go: src/time/sleep.go, time.go): the program's API.
// ===========================================================================
namespace gort::time {

namespace rt = gort::runtime;

// time/sleep.go: when. when is a helper function for setting the 'when' field of
// a runtimeTimer. It returns what the time will be, in nanoseconds,
// Duration d in the future. If d is negative, it is ignored. If the
// returned value would be less than zero because of an overflow,
// MaxInt64 is returned.
static int64_t when(Duration d) {
  int64_t ns = d.count();
  if (ns <= 0) return rt::nanotime();
  int64_t t = int64_t(uint64_t(rt::nanotime()) + uint64_t(ns));  // gort: wraps as Go's int64 does
  if (t < 0) {
    // N.B. rt::nanotime() and d are always positive, so addition (including
    // overflow) will never result in t == 0.
    t = rt::maxWhen;
  }
  return t;
}

// time/time.go: Now. Now returns the current local time: the wall clock
// (CLOCK_REALTIME) with the runtime's monotonic reading (nanotime).
Time Now() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return Time(int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec, rt::nanotime());
}

// time/time.go: Since.
Duration Since(Time t) { return Now().Sub(t); }

// time.go: timeSleep (time/sleep.go's Sleep).
void Sleep(Duration d) { rt::timeSleep(d.count()); }

// gort-only: the state behind a Timer handle (Go: the Timer struct, its
// runtimeTimer r inside it, collected by the GC). The runtime timer may
// still sit in a P's heap, or its function may still be running, after
// the last handle is dropped; see ~Timer.
struct Timer::state {
  rt::timer r{};
  chan<Time> c = chan<Time>::nil();
  // AfterFunc's function, shared with the goroutines each firing starts
  // (Go: every firing calls the one func value, so state it keeps carries
  // over from one firing to the next; a copy per firing would not).
  std::shared_ptr<std::function<void()>> fn;
  std::atomic<int32_t> refs{1};
  // Arming and firing counts, so that the last handle knows when no timer
  // function can still be running (see ~Timer).
  std::atomic<uint64_t> armed{0};    // times started or re-armed
  std::atomic<uint64_t> stopped{0};  // times a Stop/Reset found it pending
  std::atomic<uint64_t> fired{0};  // timer functions that have returned
  // When the pending firing is due (set at every arming): the last handle
  // re-arms a timer it must not stop for then (see ~Timer).
  std::atomic<int64_t> due{0};
};

// time/sleep.go: sendTime. Sends the current time on c, without blocking (c
// has a buffer of one; a reader that did not take the last value misses
// this one, as in Go). Runs on g0 from runtimer.
static void sendTime(void* arg, uintptr_t) {
  auto* st = static_cast<Timer::state*>(arg);
  Time now = Now();
  rt::selectnbsend(st->c.hchan_(), &now);
  st->fired.fetch_add(1);  // gort: after this, st may be freed
}

// time/sleep.go: goFunc. Starts AfterFunc's function in its own goroutine.
static void goFunc(void* arg, uintptr_t) {
  auto* st = static_cast<Timer::state*>(arg);
  std::shared_ptr<std::function<void()>> fn = st->fn;
  if (!*fn) rt::newproc(nullptr);  // Go's go of a nil func: a fatal error
  gort::go([fn] { (*fn)(); });
  st->fired.fetch_add(1);  // gort: after this, st may be freed
}

// gort-only: the function a dropped Timer's or Ticker's runtime timer is
// re-armed with: it frees the state once no heap holds it (runOneTimer
// never touches a one-shot timer after calling f).
template <class State>
static void freeState(void* arg, uintptr_t) {
  delete static_cast<State*>(arg);
}

// gort-only: the end of ~Timer and ~Ticker, once no timer function can
// still be running: frees st now if no P's heap holds st->r; if one still
// holds it as timerDeleted, re-arms it, one-shot, to fire at once with
// freeState, and lets that P drop and free it (if the P removes it
// meanwhile, modtimer adds it to this P's heap instead).
template <class State>
static void freeWhenOffHeap(State* st) {
  uint32_t s = st->r.status.load();
  if (s == rt::timerNoStatus || s == rt::timerRemoved) {
    delete st;
    return;
  }
  rt::modtimer(&st->r, rt::nanotime() + 1, 0, freeState<State>, st, 0);
}

// time/sleep.go: NewTimer. NewTimer creates a new Timer that will send the
// current time on its channel after at least duration d.
Timer NewTimer(Duration d) {
  auto* st = new Timer::state;
  st->c = chan<Time>(1);
  st->r.when = when(d);
  st->r.f = sendTime;
  st->r.arg = st;
  st->armed = 1;
  st->due = st->r.when;
  rt::startTimer(&st->r);
  return Timer(st);
}

// time/sleep.go: AfterFunc. AfterFunc waits for the duration to elapse and then
// calls f in its own goroutine. It returns a Timer that can be used to
// cancel the call using its Stop method.
Timer AfterFunc(Duration d, std::function<void()> f) {
  auto* st = new Timer::state;
  st->fn = std::make_shared<std::function<void()>>(std::move(f));
  st->r.when = when(d);
  st->r.f = goFunc;
  st->r.arg = st;
  st->armed = 1;
  st->due = st->r.when;
  rt::startTimer(&st->r);
  return Timer(st);
}

// time/sleep.go: After. After waits for the duration to elapse and then sends
// the current time on the returned channel. It is equivalent to
// NewTimer(d).C. (gort: with no Timer handle left, the timer frees itself
// when it fires.)
chan<Time> After(Duration d) {
  auto* st = new Timer::state;
  st->c = chan<Time>(1);
  st->r.when = when(d);
  st->r.f = [](void* arg, uintptr_t seq) {
    sendTime(arg, seq);
    delete static_cast<Timer::state*>(arg);
  };
  st->r.arg = st;
  chan<Time> c = st->c;
  rt::startTimer(&st->r);
  return c;
}

// gort-only: a handle on st (NewTimer, AfterFunc make the first).
Timer::Timer(state* st) : st_(st), C(st->c) {}

// gort-only: the zero Timer (Go's var t Timer): no state, a nil C.
Timer::Timer() : st_(nullptr), C(chan<Time>::nil()) {}

// gort-only: copies share the timer, as copies of Go's *Timer do.
Timer::Timer(const Timer& o) : st_(o.st_), C(o.C) {
  if (st_ != nullptr) st_->refs.fetch_add(1);
}

// gort-only: see the copy constructor.
Timer& Timer::operator=(const Timer& o) {
  Timer tmp(o);
  std::swap(st_, tmp.st_);
  std::swap(C, tmp.C);
  return *this;
}

// gort-only: does anything but st itself and handle (a dying handle's C)
// hold ch, a timer's or ticker's channel? A copy of C, a goroutine parked
// on it (chanrecv and selectgo retain it) or C moved out of a handle can
// still receive what the timer sends. Only holders can make new holders,
// so a false answer stays false.
static bool chanHeldElsewhere(const chan<Time>& ch, const chan<Time>& handle) {
  int64_t own = 1 + (handle.hchan_() == ch.hchan_() ? 1 : 0);
  return ch.hchan_()->refs.load(std::memory_order_acquire) > own;
}

// gort-only: the functions of a timer whose last handle went while it was
// pending and could be observed: the firing Go's would make, then the
// state is freed (runOneTimer does not touch a one-shot timer after f).
static void sendTimeThenFree(void* arg, uintptr_t seq) {
  sendTime(arg, seq);
  delete static_cast<Timer::state*>(arg);
}
// gort-only: goFunc, then the state is freed (see sendTimeThenFree).
static void goFuncThenFree(void* arg, uintptr_t seq) {
  goFunc(arg, seq);
  delete static_cast<Timer::state*>(arg);
}

// gort-only: the last handle frees the state, but only once no P's heap
// holds the runtime timer and no timer function can still be using it.
// Go's GC never collects a pending timer, so a pending timer whose firing
// can still be seen is not stopped: an AfterFunc's function still runs,
// and a NewTimer whose channel is held elsewhere (auto c = NewTimer(d).C)
// still sends; the firing frees the state. A pending NewTimer no one can
// receive from is stopped and freed now (Go's would fire unseen).
Timer::~Timer() {
  if (st_ == nullptr || st_->refs.fetch_sub(1) != 1) return;
  state* st = st_;
  bool seen = st->fn != nullptr || chanHeldElsewhere(st->c, C);
  if (rt::deltimer(&st->r)) {
    st->stopped++;
    if (seen) {
      // Once the firings of earlier armings have returned, re-armed as it
      // was, with a function that frees st after its firing.
      while (st->fired.load() < st->armed - st->stopped) rt::osyield();
      rt::modtimer(&st->r, st->due.load(), 0, st->fn != nullptr ? goFuncThenFree : sendTimeThenFree, st,
                   st->r.seq);
      return;
    }
  }
  // Every arming ended in a Stop that found it pending or in a firing;
  // wait for the firings still running (a nonblocking send or a go).
  while (st->fired.load() < st->armed - st->stopped) rt::osyield();
  freeWhenOffHeap(st);
}

// time/sleep.go: (*Timer).Stop. Stop prevents the Timer from firing. It returns
// true if the call stops the timer, false if the timer has already expired
// or been stopped. Stop does not close the channel.
bool Timer::Stop() {
  // gort: Go tests t.r.f == nil; the zero Timer here has no state at all.
  if (st_ == nullptr) throw std::runtime_error("time: Stop called on uninitialized Timer");
  bool pending = rt::stopTimer(&st_->r);
  if (pending) st_->stopped++;
  return pending;
}

// time/sleep.go: (*Timer).Reset. Reset changes the timer to expire after
// duration d. It returns true if the timer had been active, false if the
// timer had expired or been stopped. As in Go, for a Timer made by
// NewTimer, Reset should be invoked only on stopped or expired timers
// with drained channels.
bool Timer::Reset(Duration d) {
  if (st_ == nullptr) throw std::runtime_error("time: Reset called on uninitialized Timer");
  int64_t w = when(d);
  st_->due = w;
  bool active = rt::resetTimer(&st_->r, w);
  if (active) st_->stopped++;  // the pending firing was replaced by a new one
  st_->armed++;
  return active;
}

// ---------------------------------------------------------------------------
// time/tick.go: Ticker
// ---------------------------------------------------------------------------

// gort-only: the state behind a Ticker handle (Go: the Ticker struct with
// its runtimeTimer, collected by the GC). As with Timer::state, the runtime
// timer may still sit in a P's heap, or its f still run, after the last
// handle is dropped; see ~Ticker.
struct Ticker::state {
  rt::timer r{};
  chan<Time> c{1};  // a 1-element time buffer: ticks for a slow reader drop
  std::atomic<int32_t> refs{1};
};

// time/sleep.go: sendTime (a Ticker's). Sends the current time on the
// ticker's channel without blocking. Runs on g0 from runtimer, once per
// period; runOneTimer counts it in r.periodicRunning.
static void sendTick(void* arg, uintptr_t) {
  auto* st = static_cast<Ticker::state*>(arg);
  Time now = Now();
  rt::selectnbsend(st->c.hchan_(), &now);
}

// time/tick.go: NewTicker
Ticker NewTicker(Duration d) {
  // NewTicker returns a new Ticker containing a channel that will send the
  // current time on the channel after each tick. The period of the ticks is
  // specified by the duration argument. The ticker will adjust the time
  // interval or drop ticks to make up for slow receivers. The duration d must
  // be greater than zero; if not, NewTicker will panic.
  if (d.count() <= 0) throw std::runtime_error("non-positive interval for NewTicker");
  // Give the channel a 1-element time buffer (Ticker::state's c). If the
  // client falls behind while reading, we drop ticks on the floor until
  // the client catches up.
  auto* st = new Ticker::state;
  st->r.when = when(d);
  st->r.period = d.count();
  st->r.f = sendTick;
  st->r.arg = st;
  rt::startTimer(&st->r);
  return Ticker(st);
}

// gort-only: a handle on st (NewTicker makes the first).
Ticker::Ticker(state* st) : st_(st), C(st->c) {}

// gort-only: the zero Ticker (Go's &Ticker{}): no state, a nil C.
Ticker::Ticker() : st_(nullptr), C(chan<Time>::nil()) {}

// gort-only: copies share the ticker, as copies of Go's *Ticker do.
Ticker::Ticker(const Ticker& o) : st_(o.st_), C(o.C) {
  if (st_ != nullptr) st_->refs.fetch_add(1);
}

// gort-only: see the copy constructor.
Ticker& Ticker::operator=(const Ticker& o) {
  Ticker tmp(o);
  std::swap(st_, tmp.st_);
  std::swap(C, tmp.C);
  return *this;
}

// gort-only: the last handle stops the ticker and frees the state, once no
// sendTick is still running and no P's heap holds the runtime timer. But
// if its channel is held elsewhere (auto c = NewTicker(d).C), the ticker
// goes on ticking and is never freed, as Go's unstopped Ticker (tick.go:
// "Stop the ticker to release associated resources"); its P's heap keeps
// it reachable for a leak checker.
Ticker::~Ticker() {
  if (st_ == nullptr || st_->refs.fetch_sub(1) != 1) return;
  state* st = st_;
  if (chanHeldElsewhere(st->c, C)) return;
  rt::deltimer(&st->r);
  // deltimer waits out timerRunning, and runOneTimer counts a call before
  // it leaves timerRunning: every sendTick still to return is counted.
  while (st->r.periodicRunning.load() != 0) rt::osyield();
  freeWhenOffHeap(st);
}

// time/tick.go: (*Ticker).Stop
void Ticker::Stop() {
  // Stop turns off a ticker. After Stop, no more ticks will be sent. Stop does
  // not close the channel, to prevent a concurrent goroutine reading from the
  // channel from seeing an erroneous "tick".
  // gort: Go's stopTimer of a zero runtimeTimer does nothing; so here.
  if (st_ == nullptr) return;
  rt::stopTimer(&st_->r);
}

// time/tick.go: (*Ticker).Reset
void Ticker::Reset(Duration d) {
  // Reset stops a ticker and resets its period to the specified duration. The
  // next tick will arrive after the new period elapses. The duration d must be
  // greater than zero; if not, Reset will panic.
  if (d.count() <= 0) throw std::runtime_error("non-positive interval for Ticker.Reset");
  if (st_ == nullptr) throw std::runtime_error("time: Reset called on uninitialized Ticker");
  rt::modTimer(&st_->r, when(d), d.count(), st_->r.f, st_->r.arg, st_->r.seq);
}

// time/tick.go: Tick
chan<Time> Tick(Duration d) {
  // Tick is a convenience wrapper for NewTicker providing access to the ticking
  // channel only. Without a way to shut it down the underlying Ticker cannot be
  // recovered; it "leaks" (gort: its state is never freed, as Go's GC never
  // frees it). Unlike NewTicker, Tick will return nil if d <= 0.
  if (d.count() <= 0) return chan<Time>::nil();
  // gort: the leak Go documents. The ticker is kept on a list no one reads
  // but that keeps it reachable, so a leak checker (LeakSanitizer) does
  // not report what Go's documentation promises.
  struct tickLeak {
    Ticker t;
    tickLeak* next;
  };
  static std::atomic<tickLeak*> leaked{nullptr};
  auto* l = new tickLeak{NewTicker(d), leaked.load(std::memory_order_relaxed)};
  while (!leaked.compare_exchange_weak(l->next, l, std::memory_order_release, std::memory_order_relaxed)) {
  }
  return l->t.C;
}

}  // namespace gort::time
