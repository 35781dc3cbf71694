// gdb_scenarios.cpp — testprog scenarios for tests/gdb (Go's
// runtime-gdb_test.go programs) and for the traceback tests whose output
// names functions (tests/traceback_test.cpp). Each gdb scenario reaches
// the state its test inspects, then calls a named function the test's gdb
// breaks on; run without gdb, it finishes and exits 0.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include <atomic>

#include "runtime/go.h"
#include "runtime/proc.h"
#include "runtime/stubs.h"
#include "runtime/sync.h"
#include "runtime/time_public.h"
#include "runtime/traceback.h"
#include "testprog/testprog.h"

using namespace gort;
namespace runtime = gort::runtime;

extern "C" {
// Written by the scenarios' functions, so their calls are not optimized away.
volatile int gort_gdb_scen_sink;
}

namespace {

// --- TestGdbBacktrace: aaa -> bbb -> ccc -> ddd -> (f =) eee ------------------
bool gdbEee();
bool (*volatile gdbF)() = gdbEee;

__attribute__((noinline)) bool gdbEee() {
  gort_gdb_scen_sink = gort_gdb_scen_sink + 1;
  return true;
}
__attribute__((noinline)) bool gdbDdd() {
  bool r = gdbF();
  asm volatile("" ::: "memory");  // not a tail call: the frame stays
  return r;
}
__attribute__((noinline)) bool gdbCcc() {
  bool r = gdbDdd();
  asm volatile("" ::: "memory");
  return r;
}
__attribute__((noinline)) bool gdbBbb() {
  bool r = gdbCcc();
  asm volatile("" ::: "memory");
  return r;
}
__attribute__((noinline)) bool gdbAaa() {
  bool r = gdbBbb();
  asm volatile("" ::: "memory");
  return r;
}

// runtime-gdb_test.go: backtraceSource, run in a goroutine (gort's main
// is one too): the test breaks in gdbEee.
TESTPROG_SCENARIO(GdbBacktrace) {
  gort::chan<bool> done;
  go([done]() mutable { done.send(gdbAaa()); });
  return done.recv() ? 0 : 1;
}

// --- TestGdbPanic: crash() panics; gdb's bt shows crash and main ----------
__attribute__((noinline)) void gdbCrash() {
  throw std::runtime_error("panic!");
}

// runtime-gdb_test.go: panicSource. panic is an exception nothing
// catches (its stack is not unwound: panic.cpp); GOTRACEBACK=crash makes
// the panic end in SIGABRT, which gdb stops on.
TESTPROG_SCENARIO(GdbPanic) {
  gdbCrash();
  return 0;
}

// --- systemstack: a breakpoint in ready, called on g0 by goready ----------
__attribute__((noinline)) void gdbSystemstackSender(gort::chan<int> c) {
  c.send(1);
  asm volatile("" ::: "memory");
}

// gort-only: a goroutine parked in a receive is readied by main's send
// (goready runs ready on the system stack); the test breaks in ready once
// gort_gdb_scen_ready is set and checks bt reaches gdbSystemstackSender.
TESTPROG_SCENARIO(GdbSystemstack) {
  gort::chan<int> c;
  gort::chan<int> done;
  static std::atomic<runtime::g*> recvg{nullptr};
  go([c, done]() mutable {
    recvg = runtime::getg();
    done.send(c.recv());
  });
  // Wait until the receiver is parked, so the send readies it.
  for (;;) {
    runtime::g* gp = recvg.load();
    if (gp != nullptr && runtime::readgstatus(gp) == runtime::_Gwaiting &&
        gp->waitreason == runtime::waitReasonChanReceive)
      break;
    runtime::Gosched();
  }
  gdbSystemstackSender(c);
  return done.recv() == 1 ? 0 : 1;
}

}  // namespace

namespace {

// --- traceback scenarios (tests/traceback_test.cpp) -----------------------

// sync/rwmutex_test.go's misuse (TestRUnlockUnlocked-like): RUnlock of an
// unlocked RWMutex is a fatal error; its traceback shows each frame once.
__attribute__((noinline)) void tracebackRUnlockMisuse(gort::sync::RWMutex* rw) {
  rw->RUnlock();
  asm volatile("" ::: "memory");
}

TESTPROG_SCENARIO(TracebackRUnlockUnlocked) {
  static gort::sync::RWMutex rw;
  tracebackRUnlockMisuse(&rw);
  return 0;
}

// A goroutine asleep in time::Sleep, inside a named function; main prints
// every goroutine's stack: the sleeper's shows time::Sleep (Go: time.Sleep)
// above the function, and the go statement's lambda by a readable name.
__attribute__((noinline)) void tracebackSleeper(std::atomic<runtime::g*>* self) {
  *self = runtime::getg();
  gort::time::Sleep(std::chrono::hours(1));
  asm volatile("" ::: "memory");
}

TESTPROG_SCENARIO(TracebackSleep) {
  static std::atomic<runtime::g*> sleeper{nullptr};
  go([] { tracebackSleeper(&sleeper); });
  for (;;) {
    runtime::g* gp = sleeper.load();
    if (gp != nullptr && runtime::readgstatus(gp) == runtime::_Gwaiting &&
        gp->waitreason == runtime::waitReasonSleep)
      break;
    runtime::Gosched();
  }
  if (getenv("TRACEBACK_SLEEP_FATAL") != nullptr) runtime::fatal("tracebacks of every goroutine");
  std::string s = runtime::Stack(true);
  fwrite(s.data(), 1, s.size(), stdout);
  return 0;
}

// The same goroutine started as go(f, args...): through goclosure's
// std::apply, which the traceback hides.
TESTPROG_SCENARIO(TracebackSleepArgs) {
  static std::atomic<runtime::g*> sleeper{nullptr};
  go(tracebackSleeper, &sleeper);
  for (;;) {
    runtime::g* gp = sleeper.load();
    if (gp != nullptr && runtime::readgstatus(gp) == runtime::_Gwaiting &&
        gp->waitreason == runtime::waitReasonSleep)
      break;
    runtime::Gosched();
  }
  runtime::fatal("tracebacks of every goroutine");
}

}  // namespace
