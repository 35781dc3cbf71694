// trace.h — the execution tracer: GORT_TRACE=file.
//
// Port of the event-recording half of Go 1.19 src/runtime/trace.go (see
// trace.cpp). gort writes either Go 1.19's binary format, which `go tool
// trace` reads (GORT_TRACEFMT=go, the default unless the file name ends
// in .json), or Chrome trace-event JSON, which Perfetto and
// chrome://tracing open and tools/schedviz turns into one HTML page
// (GORT_TRACEFMT=json, the default for a .json file). docs/15-trace.md.
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/runtime2.h"

namespace gort::runtime {

struct traceBuf;

// trace.go: trace. The fields gort keeps. Every call site in the
// scheduler reads enabled inline, `if (trace.enabled) traceGoStart();`,
// so a program run without GORT_TRACE pays one predictable branch per
// site. enabled is written once, by traceinit during schedinit, before
// any other thread exists, and never cleared: traceShutdown sets shutdown
// instead, and the recorders check that under their buffer's lock.
struct traceState {
  bool enabled = false;
  bool gofmt = false;                 // gort-only: writing Go's binary format (else Chrome JSON)
  std::atomic<bool> shutdown{false};  // set when traceShutdown has begun; events after it are dropped
  int64_t timeStart = 0;              // nanotime when tracing was started
};
extern traceState trace;

// gort-only: starts tracing to path (GORT_TRACE, parsed by
// parsedebugvars). Called by schedinit before the first P exists.
void traceinit(const char* path);
// gort-only: stops tracing and writes everything recorded so far: the
// open slices are closed at the current time, every buffer is written,
// then the file is completed and closed. Called when main returns, on a
// fatal error and from atexit; only the first call does anything. (Go
// stops with StopTrace; gort's trace lasts the whole process.)
void traceShutdown();

// The events, named as Go names them. Each must be called only when
// trace.enabled. "This lane" is the current P's, or the current M's when
// it has no P.

// trace.go: traceGoCreate. newg was made by a go statement at pc.
void traceGoCreate(g* newg, uintptr_t pc);
// trace.go: traceGoStart. m.curg starts (or, after a system call, goes
// on) running on this M and its P.
void traceGoStart();
// trace.go: traceGoEnd. The current goroutine returned (goexit1).
void traceGoEnd();
// trace.go: traceGoSched. The current goroutine called Gosched.
void traceGoSched();
// trace.go: traceGoPreempt. The current goroutine was preempted (or
// yielded its slice to a goroutine it readied, goyield).
void traceGoPreempt();
// trace.go: traceGoPark. The current goroutine parks for reason (Go
// passes the event kind; gort the wait reason, which names it better).
void traceGoPark(waitReason reason);
// trace.go: traceGoUnpark. gp was made runnable (ready).
void traceGoUnpark(g* gp);
// trace.go: traceGoSysCall. The current goroutine enters a system call.
void traceGoSysCall();
// trace.go: traceGoSysExit. The current goroutine's system call returned.
// gort: recorded at once, on the M's lane (the M has no P at that
// moment); Go keeps the time in g.sysexitticks and records the event
// later, in execute or exitsyscallfast, once it has a P to write into.
void traceGoSysExit();
// trace.go: traceGoSysBlock. pp was taken from the goroutine blocked in a
// system call on it (retake, stopTheWorld, entersyscallblock).
void traceGoSysBlock(p* pp);
// trace.go: traceProcStart. The current M acquired its P.
void traceProcStart();
// trace.go: traceProcStop. pp stops: released by its M or taken from a
// system call.
void traceProcStop(p* pp);
// trace.go: traceGomaxprocs. procresize is setting GOMAXPROCS to procs.
void traceGomaxprocs(int32_t procs);
// gort-only: runqsteal took n goroutines from victim's run queue.
void traceGoSteal(p* victim, uint32_t n);
// gort-only: handoffp is handing pp to another M (or to the idle list).
void traceHandoffP(p* pp);

}  // namespace gort::runtime
