// panic.cpp — fatal errors: throw, fatal, and a panic nobody recovered.
//
// Port of the fatal half of Go 1.19 src/runtime/panic.go. Go's panics are
// C++ exceptions here: recover is catch. What remains for the runtime is
// the end of the road: print Go's words and exit with status 2.
// gort: the goroutine traceback printed after the header arrives with
// traceback.cpp (tracebacks issue); until then only the header is printed.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "runtime/proc.h"
#include "runtime/runtime1.h"
#include "runtime/stubs.h"
#include "runtime/trace.h"

namespace gort::runtime {

namespace {
// gort-only: the goroutine header Go prints before a traceback.
void printCurrentGoroutineHeader() {
  g* gp = getg();
  if (gp == nullptr || gp->m == nullptr) return;
  g* curg = gp->m->curg.load();
  if (curg == nullptr) return;
  fprintf(stderr, "\ngoroutine %lld [running]:\n", static_cast<long long>(curg->goid));
}

[[noreturn]] void dieWithStatus2() {
  if (trace.enabled) traceShutdown();  // gort: keep the trace up to the crash
  fflush(stdout);
  fflush(stderr);
  if (traceback.crash) abort();
  _exit(2);
}
}  // namespace

// panic.go: throw
// throw triggers a fatal error that dumps a stack trace and exits. throw
// should be used for runtime-internal fatal errors where Go itself, rather
// than user code, may be at fault for the failure.
void throw_(const char* s) {
  fprintf(stderr, "fatal error: %s\n", s);
  printCurrentGoroutineHeader();
  dieWithStatus2();
}

// panic.go: fatal
// fatal triggers a fatal error that dumps a stack trace and exits. fatal
// is equivalent to throw, but is used when user code is expected to be at
// fault for the failure, such as racing map writes.
void fatal(const char* s) {
  fprintf(stderr, "fatal error: %s\n", s);
  printCurrentGoroutineHeader();
  dieWithStatus2();
}

// panic.go: fatalpanic (with printpanics)
// fatalpanic implements an unrecoverable panic: it prints the panic value
// and the goroutine, then exits with status 2.
void fatalpanic(const char* what) {
  fprintf(stderr, "panic: %s\n", what);
  printCurrentGoroutineHeader();
  dieWithStatus2();
}

// stubs.go / asm: badmcall
extern "C" void badmcall(g*) { throw_("runtime: mcall called on m->g0 stack"); }

// stubs.go / asm: badmcall2
extern "C" void badmcall2(g*) { throw_("runtime: mcall function returned"); }

// stubs.go: badsystemstack
// Go writes the message raw (it may be on a broken stack) and crashes.
extern "C" void badsystemstack() {
  static const char msg[] = "fatal: systemstack called from unexpected goroutine\n";
  ssize_t r = write(2, msg, sizeof msg - 1);
  (void)r;
  abort();
}

}  // namespace gort::runtime
