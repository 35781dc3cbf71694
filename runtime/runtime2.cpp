// runtime2.cpp — the strings behind runtime2.h's enums.
// Port of Go 1.19 src/runtime/runtime2.go: waitReasonStrings, and
// traceback.go: gStatusStrings.

#include "runtime/runtime2.h"

namespace gort::runtime {

// One g per goroutine: 312 bytes is a 320-byte malloc chunk, what a parked
// goroutine's g costs (docs/benchmarks.md, RSS per parked goroutine). A
// field that pushes it over belongs in a hole (ptype /o in gdb shows
// them) or behind a pointer. Sanitizer builds add their fiber state.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__) && defined(__LP64__)
static_assert(sizeof(g) <= 312, "g grew past a 320-byte malloc chunk");
#endif

// runtime2.go: waitReason.String
const char* waitReasonString(waitReason w) {
  static const char* const waitReasonStrings[] = {
      "",                         // waitReasonZero
      "GC assist marking",        // waitReasonGCAssistMarking
      "IO wait",                  // waitReasonIOWait
      "chan receive (nil chan)",  // waitReasonChanReceiveNilChan
      "chan send (nil chan)",     // waitReasonChanSendNilChan
      "dumping heap",             // waitReasonDumpingHeap
      "garbage collection",       // waitReasonGarbageCollection
      "garbage collection scan",  // waitReasonGarbageCollectionScan
      "panicwait",                // waitReasonPanicWait
      "select",                   // waitReasonSelect
      "select (no cases)",        // waitReasonSelectNoCases
      "GC assist wait",           // waitReasonGCAssistWait
      "GC sweep wait",            // waitReasonGCSweepWait
      "GC scavenge wait",         // waitReasonGCScavengeWait
      "chan receive",             // waitReasonChanReceive
      "chan send",                // waitReasonChanSend
      "finalizer wait",           // waitReasonFinalizerWait
      "force gc (idle)",          // waitReasonForceGCIdle
      "semacquire",               // waitReasonSemacquire
      "sleep",                    // waitReasonSleep
      "sync.Cond.Wait",           // waitReasonSyncCondWait
      "timer goroutine (idle)",   // waitReasonTimerGoroutineIdle
      "trace reader (blocked)",   // waitReasonTraceReaderBlocked
      "wait for GC cycle",        // waitReasonWaitForGCCycle
      "GC worker (idle)",         // waitReasonGCWorkerIdle
      "preempted",                // waitReasonPreempted
      "debug call",               // waitReasonDebugCall
  };
  static_assert(sizeof(waitReasonStrings) / sizeof(waitReasonStrings[0]) == waitReasonDebugCall + 1);
  if (w >= sizeof(waitReasonStrings) / sizeof(waitReasonStrings[0])) return "unknown wait reason";
  return waitReasonStrings[w];
}

// traceback.go: gStatusStrings
const char* gStatusString(uint32_t status) {
  static const char* const gStatusStrings[] = {
      "idle",     // _Gidle
      "runnable", // _Grunnable
      "running",  // _Grunning
      "syscall",  // _Gsyscall
      "waiting",  // _Gwaiting
      nullptr,    // _Gmoribund_unused
      "dead",     // _Gdead
      nullptr,    // _Genqueue_unused
      "copystack",  // _Gcopystack
      "preempted",  // _Gpreempted
  };
  status &= ~_Gscan;
  if (status < sizeof(gStatusStrings) / sizeof(gStatusStrings[0]) && gStatusStrings[status] != nullptr)
    return gStatusStrings[status];
  return "???";
}

}  // namespace gort::runtime
