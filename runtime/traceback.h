// traceback.h — goroutine tracebacks in Go 1.19's format.
// Port of Go 1.19 src/runtime/traceback.go (declarations; see
// traceback.cpp). Stacks are walked with libunwind (DWARF CFI) and named
// with libbacktrace (DWARF line tables, inlined frames); docs/traceback.md
// says why those two.
#pragma once

#include <ucontext.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "runtime/runtime2.h"

namespace gort::runtime {

// runtime2.go: _TracebackMaxFrames. A traceback stops after this many
// frames with "...additional frames elided...".
constexpr int _TracebackMaxFrames = 100;

// gort-only: throwType, Go 1.20's name for why the M is dying (m.throwing). A runtime throw
// prints runtime frames too (GOTRACEBACK=system's level).
enum throwType : int32_t {
  throwTypeNone = 0,     // not throwing
  throwTypeUser = 1,     // fatal: the program is at fault
  throwTypeRuntime = 2,  // throw: the runtime is at fault
};

// gort-only: where traceback text goes. Go's print writes to fd 2, or to
// g0.writebuf inside runtime.Stack; a tbprinter is one or the other. It
// never allocates in fd mode (signal handlers print through it).
class tbprinter {
 public:
  explicit tbprinter(int fd) : fd_(fd) {}
  explicit tbprinter(std::string* buf) : buf_(buf) {}
  ~tbprinter() { flush(); }
  tbprinter(const tbprinter&) = delete;
  tbprinter& operator=(const tbprinter&) = delete;
  // printf-style output.
  void printf(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
  void write(const char* s, size_t n);
  void flush();

 private:
  int fd_ = -1;
  std::string* buf_ = nullptr;
  char pending_[2048];
  size_t npending_ = 0;
};

// runtime1.go: gotraceback. The traceback level (0 none, 1 user frames,
// 2 runtime frames too), whether to show all goroutines, and whether to
// crash (abort) afterwards; a throwing M gets level 2 and all.
void gotraceback(int32_t* level, bool* all, bool* crash);

// gort-only: prepares the symbolizer (libbacktrace's state for this
// executable). Called from schedinit, before any traceback can run.
void tracebackinit();

// traceback.go: goroutineheader. "goroutine N [status(, M minutes)(,
// locked to thread)]:".
void goroutineheader(tbprinter& out, g* gp);

// traceback.go: traceback (for a goroutine that is not running): its frames
// from its saved state (g.sched, or g.syscall* in a system call), then
// "created by". A running goroutine on another thread prints "goroutine
// running on other thread; stack unavailable".
void tracebackg(tbprinter& out, g* gp);

// traceback.go: traceback (from a register context, as tracebacktrap): gp's
// frames starting at ctx (a signal's ucontext when precise, or one from
// unw_getcontext when not), skipping the first skip frames.
void tracebackctx(tbprinter& out, g* gp, ucontext_t* ctx, bool precise, int skip);

// gort-only: before a crash's tracebacks (sigthrow). If the signalled
// thread (ctx) stopped inside the C allocator (malloc, free, ...), which
// aborts or faults on a corrupt heap holding its lock, prints a line saying
// so and turns demangling off: the demangler allocates, and would wait on
// that lock forever.
void tracebackCheckAllocator(tbprinter& out, ucontext_t* ctx);
// gort-only: whether tracebackCheckAllocator found the crash inside the C
// allocator: from then on the dying process must not allocate or free, nor
// wait for a thread that might.
bool tracebackAllocatorLocked();

// traceback.go: tracebackothers. Every goroutine but me (and m.curg, which
// is printed first if it isn't me), each after a blank line.
void tracebackothers(tbprinter& out, g* me);

// traceback.go: printcreatedby. "created by F in goroutine N" and the go
// statement's file:line (not for goroutine 1).
void printcreatedby(tbprinter& out, g* gp);

// traceback.go: gcallers. The return pcs of gp's frames, innermost first,
// at most max. gort: called on g0 inside a systemstack that gp made (as
// newproc1's saveAncestors is); the walk crosses systemstack_switch into
// gp's stack and keeps the frames from there up.
int gcallers(g* gp, uintptr_t* pcs, int max);

// traceback.go: gcallers (gort: the tracer's walk, for trace.go's traceStackID).
// gp's return pcs from gp.sched, innermost first, without the runtime's frames
// at either end; at most max. Must run on g0, with gp stopped in mcall or
// systemstack.
int tracecallers(g* gp, uintptr_t* pcs, int max);

// gort-only: the tracer's symbolizer. f(name, file, line) for each function
// of the inline chain at return address pc, innermost first. Any thread.
void tracesymbolize(uintptr_t pc, void (*f)(void*, const char* name, const char* file, int line), void* arg);

}  // namespace gort::runtime
