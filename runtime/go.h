// go.h — gort's public API: the go statement and package runtime; package
// sync comes with it (runtime/sync.h).
//
// Go's spelling wherever Go has one (DESIGN §9). A program starts the
// runtime from its C++ main:
//
//   int gomain(int argc, char** argv) { gort::go([] { ... }); return 0; }
//   int main(int argc, char** argv) { gort::rt0_go(argc, argv, gomain); }
//
// gomain runs as goroutine 1; when it returns, the process exits with its
// status, whatever other goroutines are doing (as when Go's main returns).
#pragma once

#include <cerrno>
#include <cstddef>
#include <exception>
#include <functional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "runtime/chan_public.h"  // chan<T>, select, on_recv, on_send, on_default
#include "runtime/funcval.h"
#include "runtime/sync.h"  // package sync: Mutex, RWMutex, WaitGroup, Once, Cond
#include "runtime/time_public.h"  // package time: Sleep, After, Now, Timer

namespace gort {

// asm_amd64.s: rt0_go. The whole bootstrap: schedinit, newproc(main),
// mstart. Runs mainfn(argc, argv) on goroutine 1 and exits with its
// status. Never returns.
[[noreturn]] void rt0_go(int argc, char** argv, int (*mainfn)(int, char**));

namespace runtime {
// proc.go: newproc. The go statement's runtime half.
void newproc(funcval* fn);
// gort-only: the entry of the go statement's thunk.
void goentry_begin();

// proc.go: Gosched. Yield the processor; the goroutine goes to the back of
// the global run queue and resumes later by itself.
void Gosched();
// proc.go: Breakpoint. Executes a breakpoint trap: under a debugger it
// stops there; otherwise the program dies with a SIGTRAP traceback.
void Breakpoint();
// debug.go: GOMAXPROCS. Returns the previous setting; n < 1 changes nothing.
int GOMAXPROCS(int n);
// debug.go: NumGoroutine. The number of goroutines that currently exist.
int NumGoroutine();
// debug.go: NumCPU. The number of CPUs usable by this process.
int NumCPU();
// panic.go: Goexit. Ends the calling goroutine after running its
// destructors (Go: deferred calls). Other goroutines are not affected.
// Goexit on goroutine 1 does not exit the program: the others go on.
[[noreturn]] void Goexit();
// proc.go: LockOSThread. Wires the calling goroutine to its current OS
// thread until as many UnlockOSThread calls; a goroutine that exits while
// locked takes its thread with it.
void LockOSThread();
// proc.go: UnlockOSThread.
void UnlockOSThread();
// mprof.go: Stack. The calling goroutine's traceback in Go's format; with
// all, every goroutine's after it (the world is stopped meanwhile).
// gort: returns the text (Go fills a []byte).
std::string Stack(bool all);

// extern.go: Callers. Fills pc with the return program counters of the
// calling goroutine's stack, skipping skip frames (0: Callers itself, 1:
// its caller); returns how many it wrote, at most n. Use CallersFrames to
// turn them into functions and lines. A walk from the system stack
// continues into the goroutine that switched to it, as Go's does.
int Callers(int skip, uintptr_t* pc, int n);

// symtab.go: Frame. One function's frame, as CallersFrames reports it (an
// inlined call has a frame of its own). Function is the demangled name.
struct Frame {
  uintptr_t PC = 0;
  std::string Function;
  std::string File;
  int Line = 0;
  uintptr_t Entry = 0;  // the physical function's entry; 0 for an inlined frame
};

// symtab.go: Frames. Iterates over the frames of a Callers slice.
class Frames {
 public:
  // symtab.go: (*Frames).Next. The next frame, and whether more follow.
  std::pair<Frame, bool> Next();

 private:
  friend Frames CallersFrames(std::vector<uintptr_t> callers);
  std::vector<uintptr_t> callers_;
  size_t next_ = 0;
  std::vector<Frame> frames_;  // the expanded frames of callers_[next_-1]
};

// symtab.go: CallersFrames. The frames of the pcs Callers returned.
Frames CallersFrames(std::vector<uintptr_t> callers);
// debug.SetMaxStack (runtime/debug; rdebug.go: setMaxStack). Sets the
// most stack a goroutine may use and returns the previous setting. gort:
// stacks can't grow, so goroutines created from now on get a stack of the
// largest power of two not above bytes (at least 16 KiB); the overflow
// message names bytes, as Go's does. Existing goroutines keep theirs.
size_t SetMaxStack(size_t bytes);
// debug.SetMaxThreads (runtime/debug; proc.go: setMaxThreads). Sets the
// most OS threads (Ms) the program may use and returns the previous
// setting (initially 10000); past it, the program dies with "fatal error:
// thread exhaustion".
int SetMaxThreads(int threads);

// gort-only: the number of goroutines stopped by a preemption signal so
// far (sysmon preempts a goroutine that ran 10ms; see docs).
uint64_t NumAsyncPreempt();
void nopreemptEnter();
void nopreemptLeave();

// gort-only: a region the scheduler must not preempt asynchronously, for
// code that must not be interrupted and moved to another thread between
// two instructions (it may still block or yield explicitly).
//
//   { gort::runtime::NoPreempt np; ...thread-affine work... }
class NoPreempt {
 public:
  NoPreempt() { nopreemptEnter(); }
  ~NoPreempt() { nopreemptLeave(); }
  NoPreempt(const NoPreempt&) = delete;
  NoPreempt& operator=(const NoPreempt&) = delete;
};

// proc.go: entersyscall / exitsyscall.
void entersyscall();
void exitsyscall();

// proc.go: lockOSThread (the runtime's own count, m.lockedInt)
void lockOSThread();
// proc.go: unlockOSThread
void unlockOSThread();
// gort-only: sets errno on the thread the goroutine runs on now; out of
// line, so errno's (const) address is computed after the call.
void setErrno(int e);

// gort-only (Go's syscall package does this around every system call):
// wrap a call that may block in the kernel, so that the goroutine's P can
// be handed to another M (by sysmon, after a tick) while this thread
// waits. Between construction and destruction the goroutine must not
// call into gort (no go, Gosched, channel operations).
//
//   { gort::runtime::SyscallGuard sys; n = ::read(fd, buf, len); }
//
// gort: the guard also holds the goroutine on its thread (lockOSThread)
// and keeps the call's errno across exitsyscall, as the interposed libc
// wrappers do: g++ computes errno's address once (glibc declares
// __errno_location const), so a goroutine that came back on another
// thread would read the old thread's errno. Go's syscall package returns
// errno as a value and has no such state.
class SyscallGuard {
 public:
  __attribute__((always_inline)) SyscallGuard() {
    lockOSThread();
    entersyscall();
  }
  __attribute__((always_inline)) ~SyscallGuard() {
    int e = errno;
    exitsyscall();
    unlockOSThread();
    setErrno(e);
  }
  SyscallGuard(const SyscallGuard&) = delete;
  SyscallGuard& operator=(const SyscallGuard&) = delete;
};
}  // namespace runtime

namespace detail {

// gort-only: the closure a go statement allocates: a funcval whose fn is
// run() below, carrying the callable and its arguments by value (Go
// evaluates them at the go statement).
template <class C>
struct goclosure final : runtime::funcval {
  C call;
  explicit goclosure(C&& c) : runtime::funcval{&run}, call(std::move(c)) {}

  // The goroutine's outermost C++ frame: it returns into goexit.
  static void run(runtime::funcval* self) {
    runtime::goentry_begin();
    auto* cl = static_cast<goclosure*>(self);
    try {
      cl->call();
    } catch (const runtime::goexitUnwind&) {
      // runtime::Goexit: destructors have run; end the goroutine.
    }
    // Any other exception finds no handler on this stack (goexit ends
    // it), so the C++ runtime calls std::terminate at the throw, with
    // the stack intact: gort's terminate handler prints Go's panic
    // message and the traceback from there (panic.cpp: fatalpanic).
    delete cl;
  }
};

// go of a nil function is a fatal error in Go ("go of nil func value").
template <class F>
bool isNilFunc(const F& f) {
  if constexpr (std::is_pointer_v<F> || std::is_member_pointer_v<F>)
    return f == nullptr;
  else
    return false;
}
template <class R, class... A>
bool isNilFunc(const std::function<R(A...)>& f) {
  return !f;
}

}  // namespace detail

// The go statement: go(f, args...) runs f(args...) in a new goroutine.
// f and args are copied or moved now, as Go evaluates them at the
// statement; f may be any callable, including a member pointer.
// Always inlined, so that newproc's caller pc (the goroutine's "created
// by" line) lies in the function holding the go statement.
template <class F, class... A>
__attribute__((always_inline)) inline void go(F&& f, A&&... args) {
  if (detail::isNilFunc(f)) {
    runtime::newproc(nullptr);  // fatal error: go of nil func value
    return;
  }
  auto call = [fn = std::forward<F>(f), tup = std::make_tuple(std::forward<A>(args)...)]() mutable {
    // std::apply moves fn and each argument into the call. (Not a
    // variadic generic lambda: libstdc++'s demangler rejects the mangled
    // names of those, and tracebacks would print them mangled.)
    std::apply(std::move(fn), std::move(tup));
  };
  runtime::newproc(new detail::goclosure<decltype(call)>(std::move(call)));
}

}  // namespace gort
