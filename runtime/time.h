// time.h — the runtime's timers: per-P 4-ary heaps run by the scheduler.
// Port of Go 1.19 src/runtime/time.go (declarations; see time.cpp). The
// program's side (time::Sleep, After, Now, Timer) is in time_public.h.
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/runtime2.h"

namespace gort::runtime {

// time.go: timer. (Go: package time knows its layout as runtimeTimer; gort's
// time_public.h reaches it only through the functions below.)
struct timer {
  // If this timer is on a heap, which P's heap it is on.
  p* pp;

  // Timer wakes up at when, and then at when+period, ... (period > 0 only)
  // each time calling f(arg, seq) on the scheduler's stack (g0), so f must
  // be a well-behaved function and not block.
  //
  // when must be positive on an active timer.
  int64_t when;
  int64_t period;
  void (*f)(void* arg, uintptr_t seq);  // gort: Go's f func(any, uintptr)
  void* arg;                            // gort: Go's arg any
  uintptr_t seq;

  // What to set the when field to in timerModifiedXX status.
  int64_t nextwhen;

  // The status field holds one of the values below.
  std::atomic<uint32_t> status;

  // gort: calls of f still running for a periodic timer (runOneTimer puts
  // it back to timerWaiting before calling f). Go's GC keeps a stopped
  // Ticker alive while its f runs; here ~Ticker waits for this to be 0.
  std::atomic<uint32_t> periodicRunning;
};

// Values for the timer status field (time.go). The transitions each
// operation may make are listed above them in time.cpp.
enum : uint32_t {
  // Timer has no status set yet.
  timerNoStatus = 0,
  // Waiting for timer to fire. The timer is in some P's heap.
  timerWaiting,
  // Running the timer function. A timer will only have this status briefly.
  timerRunning,
  // The timer is deleted and should be removed. It should not be run, but
  // it is still in some P's heap.
  timerDeleted,
  // The timer is being removed. The timer will only have this status
  // briefly.
  timerRemoving,
  // The timer has been stopped. It is not in any P's heap.
  timerRemoved,
  // The timer is being modified. The timer will only have this status
  // briefly.
  timerModifying,
  // The timer has been modified to an earlier time. The new when value is
  // in the nextwhen field. The timer is in some P's heap, possibly in the
  // wrong place.
  timerModifiedEarlier,
  // The timer has been modified to the same or a later time. The new when
  // value is in the nextwhen field. The timer is in some P's heap,
  // possibly in the wrong place.
  timerModifiedLater,
  // The timer has been modified and is being moved. The timer will only
  // have this status briefly.
  timerMoving,
};

// time.go: maxWhen. The maximum value for timer's when field.
constexpr int64_t maxWhen = INT64_MAX;

// time.go: timeSleep (time.Sleep). Puts the current goroutine to sleep for
// at least ns nanoseconds. Must run on a goroutine.
void timeSleep(int64_t ns);
// time.go: resetForSleep. gopark's unlock function for timeSleep.
bool resetForSleep(g* gp, void* ut);
// time.go: startTimer / stopTimer / resetTimer / modTimer (package time's
// entry points).
void startTimer(timer* t);
bool stopTimer(timer* t);
bool resetTimer(timer* t, int64_t when);
void modTimer(timer* t, int64_t when, int64_t period, void (*f)(void*, uintptr_t), void* arg, uintptr_t seq);
// time.go: goroutineReady. Ready the goroutine arg.
void goroutineReady(void* arg, uintptr_t seq);

// time.go: addtimer. Adds a newly created timer to the current P.
void addtimer(timer* t);
// time.go: doaddtimer. The caller must have locked the timers for pp.
void doaddtimer(p* pp, timer* t);
// time.go: deltimer. Reports whether the timer was removed before it was
// run.
bool deltimer(timer* t);
// time.go: dodeltimer / dodeltimer0. The caller must have locked the
// timers for pp.
int dodeltimer(p* pp, int i);
void dodeltimer0(p* pp);
// time.go: modtimer. Reports whether the timer was modified before it
// was run.
bool modtimer(timer* t, int64_t when, int64_t period, void (*f)(void*, uintptr_t), void* arg, uintptr_t seq);
// time.go: resettimer. Reports whether the timer was modified before it
// was run.
bool resettimer(timer* t, int64_t when);
// time.go: cleantimers. The caller must have locked the timers for pp.
void cleantimers(p* pp);
// time.go: moveTimers. Moves timers (taken from a destroyed P) to pp.
// The world is stopped; the caller has locked the timers for pp.
void moveTimers(p* pp, const std::vector<timer*>& timers);
// time.go: adjusttimers. The caller must have locked the timers for pp.
void adjusttimers(p* pp, int64_t now);
// time.go: nobarrierWakeTime. When the netpoller should wake up for pp's
// timers; 0 if there are none.
int64_t nobarrierWakeTime(p* pp);
// time.go: runtimer. Returns 0 if it ran a timer, -1 if there are no more
// timers, or the time when the first timer should run. The caller must
// have locked the timers for pp; they are unlocked while f runs.
int64_t runtimer(p* pp, int64_t now);
// time.go: runOneTimer.
void runOneTimer(p* pp, timer* t, int64_t now);
// time.go: clearDeletedTimers. The caller must have locked the timers for pp.
void clearDeletedTimers(p* pp);
// time.go: verifyTimerHeap.
void verifyTimerHeap(p* pp);
// time.go: updateTimer0When. The caller must have locked the timers for pp.
void updateTimer0When(p* pp);
// time.go: updateTimerModifiedEarliest. The timers for pp need not be
// locked.
void updateTimerModifiedEarliest(p* pp, int64_t nextwhen);
// time.go: timeSleepUntil. When the next timer should fire; maxWhen if
// there are no timers. Called by sysmon and checkdead.
int64_t timeSleepUntil();
// time.go: siftupTimer / siftdownTimer. The heap is 4-ary.
int siftupTimer(std::vector<timer*>& t, int i);
void siftdownTimer(std::vector<timer*>& t, int i);
// time.go: badTimer. Never returns.
[[noreturn]] void badTimer();

// proc.go: checkTimers / checkTimersNoP / wakeNetPoller / updateTimerPMask
// live in proc.cpp beside their callers, as in Go.
struct checkTimersResult {
  int64_t now;        // the passed time, or the current time if 0 was passed
  int64_t pollUntil;  // when the next timer should run; 0 if none
  bool ran;           // whether any timer ran
};
checkTimersResult checkTimers(p* pp, int64_t now);
void wakeNetPoller(int64_t when);

}  // namespace gort::runtime
