// time_public.h — package time for programs: Sleep, After, Now, Timer,
// Ticker. Included by go.h.
//
// Go's src/time/sleep.go, tick.go and time.go, reduced to what DESIGN §9
// names plus Timer (NewTimer, AfterFunc, Stop, Reset) and Ticker
// (NewTicker, Tick, Stop, Reset). The runtime half (per-P timer
// heaps, timeSleep) is runtime/time.cpp. A sleeping goroutine parks in
// "sleep"; its M goes on running other goroutines.
//
//   gort::time::Sleep(std::chrono::milliseconds(10));
//   gort::select(gort::on_recv(c, ...),
//                gort::on_recv(gort::time::After(std::chrono::seconds(1)),
//                              [](gort::time::Time, bool) { /* timed out */ }));
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include "runtime/chan_public.h"

namespace gort::time {

// time/time.go: Duration. Go's int64 nanoseconds; any std::chrono duration
// converts to it.
using Duration = std::chrono::nanoseconds;

// time/time.go: Time. An instant with nanosecond precision: the wall clock
// (Unix nanoseconds) and, as in Go, a monotonic clock reading that Sub,
// Before and After use when both times have one.
class Time {
 public:
  Time() = default;  // the zero Time
  // The wall clock, in nanoseconds since 1970-01-01 UTC.
  int64_t UnixNano() const { return wall_; }
  // t - u, from the monotonic readings when both have one.
  Duration Sub(Time u) const { return Duration(mono_ != 0 && u.mono_ != 0 ? mono_ - u.mono_ : wall_ - u.wall_); }
  bool After(Time u) const { return Sub(u).count() > 0; }
  bool Before(Time u) const { return Sub(u).count() < 0; }
  bool Equal(Time u) const { return Sub(u).count() == 0; }
  bool IsZero() const { return wall_ == 0 && mono_ == 0; }
  // t + d (both clock readings move).
  Time Add(Duration d) const { return Time(wall_ + d.count(), mono_ != 0 ? mono_ + d.count() : 0); }

 private:
  friend Time Now();
  Time(int64_t wall, int64_t mono) : wall_(wall), mono_(mono) {}
  int64_t wall_ = 0;
  int64_t mono_ = 0;  // gort: runtime nanotime() at Now, 0 if none
};

// time/time.go: Now. The current time.
Time Now();
// time/time.go: Since. Now().Sub(t).
Duration Since(Time t);

// time/sleep.go: Sleep. Pauses the current goroutine for at least d (the
// goroutine parks in "sleep"). A zero or negative d returns at once.
void Sleep(Duration d);

// time/sleep.go: After. Waits for d to elapse and then sends the current time
// on the returned channel (buffered, capacity 1).
chan<Time> After(Duration d);

// time/sleep.go: Timer. A single event: when it expires, the current time is
// sent on C (NewTimer), or f is started in its own goroutine (AfterFunc;
// C is then nil). Copies share one timer, like Go's *Timer. As Go's GC
// never collects a pending timer, destroying the last copy does not stop
// a firing that can still be seen: an AfterFunc's f still runs
// (AfterFunc(d, f) with the Timer dropped is Go's fire-and-forget), and a
// NewTimer whose C is held elsewhere (auto c = NewTimer(d).C) still
// sends; a pending NewTimer that no one can receive from is stopped.
class Timer {
 public:
  struct state;
  // The zero Timer (Go: var t Timer): its C is nil, and Stop and Reset
  // panic (throw std::runtime_error) "called on uninitialized Timer".
  Timer();
  Timer(const Timer& o);
  Timer& operator=(const Timer& o);
  ~Timer();

  // Stop prevents the Timer from firing. It returns true if the call stops
  // the timer, false if the timer has already expired or been stopped.
  // Stop does not close the channel, to prevent a read from the channel
  // succeeding incorrectly.
  bool Stop();
  // Reset changes the timer to expire after duration d. It returns true if
  // the timer had been active, false if the timer had expired or been
  // stopped. For a NewTimer timer, Reset should be invoked only on stopped
  // or expired timers with drained channels (as in Go 1.19).
  bool Reset(Duration d);

 private:
  friend Timer NewTimer(Duration d);
  friend Timer AfterFunc(Duration d, std::function<void()> f);
  explicit Timer(state* st);
  state* st_;

 public:
  chan<Time> C;  // the channel on which the time is delivered
};

// time/sleep.go: NewTimer. A Timer that sends the current time on its channel
// after at least d.
Timer NewTimer(Duration d);
// time/sleep.go: AfterFunc. Waits for d to elapse and then calls f in its own
// goroutine. The returned Timer can cancel the call with Stop.
Timer AfterFunc(Duration d, std::function<void()> f);

// time/tick.go: Ticker. Holds a channel that delivers "ticks" of a clock at
// intervals: the current time is sent on C every period, dropping ticks for
// a slow receiver (C has a buffer of one). Copies share one ticker, like
// Go's *Ticker; it is stopped when the last copy is destroyed, unless its
// C is held elsewhere (auto c = NewTicker(d).C): then, like Go's ticker
// that is never stopped, it ticks on and is never freed.
class Ticker {
 public:
  struct state;
  // The zero Ticker (Go: &Ticker{C: c}): Stop does nothing, Reset panics.
  Ticker();
  Ticker(const Ticker& o);
  Ticker& operator=(const Ticker& o);
  ~Ticker();

  // Stop turns off a ticker. After Stop, no more ticks will be sent. Stop
  // does not close the channel, to prevent a concurrent goroutine reading
  // from the channel from seeing an erroneous "tick".
  void Stop();
  // Reset stops a ticker and resets its period to d. The next tick will
  // arrive after the new period elapses. d must be greater than zero; if
  // not, Reset panics (throws std::runtime_error).
  void Reset(Duration d);

 private:
  friend Ticker NewTicker(Duration d);
  explicit Ticker(state* st);
  state* st_;

 public:
  chan<Time> C;  // the channel on which the ticks are delivered
};

// time/tick.go: NewTicker. A Ticker whose channel receives the current time
// after each period d. d must be greater than zero; if not, NewTicker
// panics (throws std::runtime_error "non-positive interval for NewTicker").
Ticker NewTicker(Duration d);
// time/tick.go: Tick. NewTicker(d).C for clients that never stop the
// ticker: as in Go, the ticker can never be freed (it "leaks"). Unlike
// NewTicker, Tick returns the nil channel if d <= 0.
chan<Time> Tick(Duration d);

}  // namespace gort::time
