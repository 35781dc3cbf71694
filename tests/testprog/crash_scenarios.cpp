// crash_scenarios.cpp — testprog scenarios for the ports of Go 1.19's
// runtime/crash_test.go and crash_unix_test.go (Go's testdata/testprog
// deadlock.go, signal.go, testprognet/net.go and crash_unix_test.go's
// testPanicSystemstackInternal; lockosthread.go's
// LockOSThreadAvoidsStatePropagation). Go's panics are C++ exceptions here and
// its deferred calls are destructors (docs/differences.md).
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include "runtime/go.h"
#include "runtime/lock_futex.h"
#include "runtime/net.h"
#include "runtime/stubs.h"
#include "testprog/testprog.h"

using namespace gort;
namespace runtime = gort::runtime;

namespace {

// gort-only: Go's println, which writes straight to stderr: unbuffered,
// so it stays in order with the runtime's own messages.
void println(const char* s) {
  std::string line = std::string(s) + "\n";
  ssize_t n = ::write(2, line.data(), line.size());
  (void)n;
}

// gort-only: Go's `defer func() { ... }()`: runs f when the scope is left,
// also by Goexit's or a panic's unwinding. noexcept(false) so that f may
// throw (Go: a deferred call that panics).
template <class F>
struct deferred {
  F f;
  explicit deferred(F fn) : f(std::move(fn)) {}
  ~deferred() noexcept(false) { f(); }
};

// deadlock.go: ThreadExhaustion. Each goroutine locks a thread of its own
// and blocks, so every one needs a new M: the eleventh M is one too many.
TESTPROG_SCENARIO(ThreadExhaustion) {
  runtime::SetMaxThreads(10);
  chan<int> c;
  for (int i = 0; i < 100; i++) {
    go([c] {
      runtime::LockOSThread();
      c.send(0);
      select();  // select {}
    });
    c.recv();
  }
  return 0;
}

// deadlock.go: RecursivePanic. A recovered panic re-panics wrapped; the
// outer recover prints it; then a new panic kills the program. gort: Go's
// deferred recover-and-repanic is a catch that rethrows; Go's 8 KiB
// argument (it made the panic grow the stack) is kept.
TESTPROG_SCENARIO(RecursivePanic) {
  try {
    char x[8192] = {};
    [](const char* x) {
      try {
        (void)x;
        throw std::runtime_error("bad");
      } catch (const std::runtime_error& err) {
        throw std::runtime_error(std::string("wrap: ") + err.what());
      }
    }(x);
  } catch (const std::runtime_error& r) {
    printf("%s\n", r.what());
    fflush(stdout);
  }
  throw std::runtime_error("again");
}

// deadlock.go: RecursivePanic2. The first recover and the second panic in
// separate deferred calls, in Go's order. gort: the deferred recover is a
// catch; the deferred call after it runs once the catch is done.
TESTPROG_SCENARIO(RecursivePanic2) {
  try {
    char x[8192] = {};
    [](const char* x) {
      (void)x;
      try {
        throw std::runtime_error("first panic");
      } catch (const std::runtime_error& r) {
        printf("%s\n", r.what());
      }
      throw std::runtime_error("second panic");
    }(x);
  } catch (const std::runtime_error& r) {
    printf("%s\n", r.what());
    fflush(stdout);
  }
  throw std::runtime_error("third panic");
}

// deadlock.go: RecursivePanic3. The first panic is not recovered, so it
// ends the program whatever its deferred calls do. gort: an uncaught
// exception ends the program at the throw, before any destructor runs.
TESTPROG_SCENARIO(RecursivePanic3) {
  deferred d([] {
    try {
      throw std::runtime_error("second panic");
    } catch (...) {
    }
  });
  throw std::runtime_error("first panic");
}

// deadlock.go: three. Recovers in one handler while another is still to
// run: the second handler's recover sees the panic started by the first.
__attribute__((noinline)) void three() {
  deferred d1([] {});
  try {
    try {
      throw std::runtime_error("first panic");
    } catch (const std::runtime_error& r) {
      printf("%s\n", r.what());
      throw std::runtime_error("second panic");
    }
  } catch (const std::runtime_error& r) {
    printf("%s\n", r.what());
  }
}

// deadlock.go: two
__attribute__((noinline)) void two() {
  deferred d([] {});
  three();
}

// deadlock.go: one
__attribute__((noinline)) void one() { two(); }

// deadlock.go: RecursivePanic5. Recovering with destructors still to run
// further up, then a new panic.
TESTPROG_SCENARIO(RecursivePanic5) {
  one();
  fflush(stdout);
  throw std::runtime_error("third panic");
}

// deadlock.go: NoHelperGoroutines. gort: no SetFinalizer (no collector);
// a pending timer, as Go's AfterFunc, must not show up as a goroutine.
TESTPROG_SCENARIO(NoHelperGoroutines) {
  time::Timer t = time::AfterFunc(std::chrono::hours(1), [] {});
  throw std::runtime_error("oops");
}

// deadlock.go: GoexitExit. gort: no runtime.SetFinalizer or runtime.GC
// (no collector); the rest is Go's: main Goexits while a goroutine sleeps,
// and once that one is done nothing is left.
TESTPROG_SCENARIO(GoexitExit) {
  println("t1");
  go([] { time::Sleep(std::chrono::milliseconds(1)); });
  println("t2");
  println("t3");
  println("t4");
  runtime::Goexit();
}

// deadlock.go: GoexitInPanic (golang.org/issue/8774). A goroutine panics
// and Goexits while handling it. gort: Go's deferred Goexit runs while the
// panic unwinds; a destructor can't throw during unwinding, so the Goexit
// is in a catch handler instead: either way the panic is dropped and the
// goroutine ends.
TESTPROG_SCENARIO(GoexitInPanic) {
  go([] {
    try {
      throw std::runtime_error("hello");
    } catch (...) {
      runtime::Goexit();
    }
  });
  runtime::Goexit();
}

// deadlock.go: errorThatGosched. Its message yields the processor.
struct errorThatGosched : std::exception {
  const char* what() const noexcept override {
    runtime::Gosched();
    return "errorThatGosched";
  }
};

// deadlock.go: GoschedInPanic (golang.org/issue/14432): printing the
// panic value may yield.
TESTPROG_SCENARIO(GoschedInPanic) { throw errorThatGosched(); }

// deadlock.go: errorThatPrint. Its message makes system calls (Go's
// fmt.Println: a write inside entersyscall/exitsyscall).
struct errorThatPrint : std::exception {
  const char* what() const noexcept override {
    for (const char* s : {"1\n", "2\n"}) {
      runtime::SyscallGuard sys;
      ssize_t n = ::write(1, s, 2);
      (void)n;
    }
    return "3";
  }
};

// deadlock.go: SyscallInPanic (golang.org/issue/14432).
TESTPROG_SCENARIO(SyscallInPanic) { throw errorThatPrint(); }

// deadlock.go: PanicAfterGoexit. A deferred call panics while Goexit
// unwinds: an uncaught panic still kills the program. gort: the exception
// leaves a destructor during unwinding, which C++ turns into
// std::terminate with that exception current: gort's terminate handler
// prints it as Go prints the panic.
TESTPROG_SCENARIO(PanicAfterGoexit) {
  deferred d([] { throw std::runtime_error("hello"); });
  runtime::Goexit();
}

// deadlock.go: RecoveredPanicAfterGoexit. A deferred call panics while
// Goexit unwinds and recovers its own panic: Goexit goes on, so main ends
// and nothing is left. gort: the deferred call's own deferred recover is a
// catch inside the destructor.
TESTPROG_SCENARIO(RecoveredPanicAfterGoexit) {
  deferred d([] {
    bool recovered = false;
    try {
      throw std::runtime_error("hello");
    } catch (const std::runtime_error&) {
      recovered = true;
    }
    if (!recovered) throw std::runtime_error("bad recover");
  });
  runtime::Goexit();
}

// testprognet/net.go: NetpollDeadlockInit and NetpollDeadlock. Go dials in
// init, so the network poller is in use before main; main must then run
// and finish, with no deadlock reported. gort: the dial is main's first
// act (there is no init).
TESTPROG_SCENARIO(NetpollDeadlock) {
  printf("dialing\n");
  auto [c, err] = net::Dial("tcp", "localhost:14356");
  if (!err)
    c.Close();
  else
    printf("error:  %s\n", err.message().c_str());
  printf("done\n");
  return 0;
}

// signal.go: SignalExitStatus. SIGTERM is not the runtime's: its default
// action must kill the process. Go sleeps a second in case the signal
// went to another thread ("we'll never really sleep this long").
TESTPROG_SCENARIO(SignalExitStatus) {
  kill(getpid(), SIGTERM);
  time::Sleep(std::chrono::seconds(1));
  return 0;
}

// export_test.go: deadlock. A runtime lock nobody ever releases.
runtime::mutex deadlock;

// export_test.go: blockOnSystemStackInternal. Prints "x" and blocks for
// ever on the system stack.
__attribute__((noinline)) void blockOnSystemStackInternal(void*) {
  println("x");
  runtime::lock(&deadlock);
  runtime::lock(&deadlock);
  __asm__ volatile("" ::: "memory");  // no tail call: keep this frame
}

// export_test.go: BlockOnSystemStack
__attribute__((noinline)) void BlockOnSystemStack() {
  runtime::systemstack(blockOnSystemStackInternal, nullptr);
  __asm__ volatile("" ::: "memory");
}

// crash_unix_test.go: testPanicSystemstackInternal. Blocks on the system
// stack, below a recognizable user frame.
__attribute__((noinline)) void testPanicSystemstackInternal() {
  BlockOnSystemStack();
  exit(1);  // Should be unreachable.
}

// crash_unix_test.go: the init for testPanicSystemstackInternal. Two Ms
// block on their system stacks, each under a user goroutine, for a
// SIGQUIT with GOTRACEBACK=crash to find. gort: no GC to finish first.
TESTPROG_SCENARIO(PanicSystemstack) {
  runtime::GOMAXPROCS(2);
  go(testPanicSystemstackInternal);
  testPanicSystemstackInternal();
  throw std::runtime_error("unreachable");
}

// --- crash.go, panicrace.go ---------------------------------------------------

// The messages below throw on purpose: a what() is noexcept, so the throw
// calls std::terminate from inside the runtime's terminate handler, which
// is what these scenarios test.
#pragma GCC diagnostic ignored "-Wterminate"

// crash.go: exampleError. Its message panics (golang.org/issue/52257).
struct exampleError : std::exception {
  const char* what() const noexcept override { throw std::runtime_error("important error message"); }
};

// crash.go: ErrorPanic
TESTPROG_SCENARIO(ErrorPanic) { throw exampleError(); }

// crash.go: examplePanicError. Its message panics with an exampleError.
struct examplePanicError : std::exception {
  const char* what() const noexcept override { throw exampleError(); }
};

// crash.go: DoubleErrorPanic
TESTPROG_SCENARIO(DoubleErrorPanic) { throw examplePanicError(); }

// crash.go: exampleCircleStartError. Its message panics with an
// exampleCircleEndError, whose message panics with this type again.
struct exampleCircleStartError : std::exception {
  const char* what() const noexcept override;
};

// crash.go: exampleCircleEndError
struct exampleCircleEndError : std::exception {
  const char* what() const noexcept override { throw exampleCircleStartError(); }
};

const char* exampleCircleStartError::what() const noexcept { throw exampleCircleEndError(); }

// crash.go: CircularPanic
TESTPROG_SCENARIO(CircularPanic) { throw exampleCircleStartError(); }

// crash.go: StringPanic. gort: Go's string value is a std::runtime_error.
TESTPROG_SCENARIO(StringPanic) { throw std::runtime_error("important string message"); }

// deadlock.go: panicError. Its message panics.
struct panicError : std::exception {
  const char* what() const noexcept override { throw std::runtime_error("double error"); }
};

// deadlock.go: PanicLoop
TESTPROG_SCENARIO(PanicLoop) { throw panicError(); }

// panicrace.go: PanicRace. A goroutine panics; its deferred call would
// let main go on. gort: an uncaught exception ends the program at the
// throw, before destructors run, so main stays in Wait.
TESTPROG_SCENARIO(PanicRace) {
  sync::WaitGroup wg;
  wg.Add(1);
  go([&wg] {
    deferred d([&wg] {
      wg.Done();
      runtime::Gosched();
    });
    throw std::runtime_error("crash");
  });
  wg.Wait();
  return 0;
}

// --- lockosthread.go --------------------------------------------------------

// lockosthread.go: LockOSThreadAvoidsStatePropagation. A goroutine locks
// a thread, unshares its file-system state and changes directory there,
// then exits locked: that thread must die, and no thread made later may
// be cloned from it (it would inherit the directory). Needs GOMAXPROCS=1.
TESTPROG_SCENARIO(LockOSThreadAvoidsStatePropagation) {
  runtime::LockOSThread();  // Go does this in the scenario's init
  if (runtime::GOMAXPROCS(-1) != 1) {
    println("requires GOMAXPROCS=1");
    return 1;
  }
  if (chdir("/") != 0) {
    printf("failed to chdir: %s\n", strerror(errno));
    return 1;
  }
  char buf[4096];
  if (getcwd(buf, sizeof buf) == nullptr) {
    printf("failed to get cwd: %s\n", strerror(errno));
    return 1;
  }
  std::string cwd = buf;
  if (cwd != "/") {
    printf("unexpected cwd %s  wanted /\n", cwd.c_str());
    return 1;
  }

  chan<bool> ready(1);
  go([ready] {
    // This goroutine must be running on a new thread.
    runtime::LockOSThread();
    // Unshare details about the FS, like the CWD, with the rest of the
    // process on this thread.
    if (unshare(CLONE_FS) != 0) {
      if (errno == EPERM) {
        printf("unshare not permitted\n");
        exit(0);
      }
      printf("failed to unshare fs: %s\n", strerror(errno));
      exit(1);
    }
    // Chdir to somewhere else on this thread.
    if (chdir("/tmp") != 0) {
      printf("failed to chdir: %s\n", strerror(errno));
      exit(1);
    }
    // The state on this thread is now considered "tainted", but it should
    // no longer be observable in any other context.
    ready.send(true);
    // Exit with the thread locked.
  });
  ready.recv();

  // Spawn yet another goroutine and lock it. Since GOMAXPROCS=1, if for
  // some reason state from the (hopefully dead) locked thread above
  // propagated into a newly created thread (via clone), or that thread is
  // actually being re-used, then we should get scheduled on such a thread
  // with high likelihood.
  chan<bool> done;
  go([done, cwd] {
    runtime::LockOSThread();
    // Get the CWD and check if this is the same as the main thread's CWD.
    // Every thread should share the same CWD.
    char wd[4096];
    if (getcwd(wd, sizeof wd) == nullptr) {
      printf("failed to get cwd: %s\n", strerror(errno));
      exit(1);
    }
    if (wd != cwd) {
      printf("bad state from old thread propagated after it should have died\n");
      exit(1);
    }
    done.recv();
    runtime::UnlockOSThread();
  });
  done.send(true);
  runtime::UnlockOSThread();
  printf("OK\n");
  return 0;
}

}  // namespace

// --- deadlock.go: Breakpoint; abort.go: Abort ---------------------------------

namespace {

// deadlock.go: Breakpoint
TESTPROG_SCENARIO(Breakpoint) {
  runtime::Breakpoint();
  return 0;
}

// abort.go: Abort. The runtime's abort (stubs.h, Go's go:linkname'd
// runtime.abort) cannot be recovered from: the catch must not run.
TESTPROG_SCENARIO(Abort) {
  try {
    runtime::abort();
  } catch (...) {
    throw std::runtime_error("BAD: recovered from abort");
  }
  fprintf(stderr, "BAD: after abort\n");
  return 0;
}

// gort-only: glibc finds the heap corrupt inside free and aborts while it
// holds the arena's lock (malloc_printerr: "double free or corruption
// (!prev)"), the common end of a C++ heap overrun. The dump must not wait
// for that lock: the crash must end the process, never hang it.
TESTPROG_SCENARIO(AbortInMalloc) {
  go([] {
    // A chunk too big for the tcache and the fastbins, so free takes the
    // arena's lock before its checks. Clear the PREV_INUSE bit of the
    // chunk after it (its size word), as an overrun of this one would:
    // free then finds this chunk "already free" with the lock held.
    auto* p = static_cast<char*>(malloc(0x500));
    size_t size = reinterpret_cast<size_t*>(p)[-1] & ~size_t(7);  // this chunk's size word
    auto* nextSize = reinterpret_cast<volatile size_t*>(p - 2 * sizeof(size_t) + size + sizeof(size_t));
    *nextSize = *nextSize & ~size_t(1);
    free(p);
    fprintf(stderr, "BAD: free of the corrupted chunk returned\n");
  });
  for (;;) runtime::Gosched();
}

// gort-only: a fault inside free with the arena's lock held. A chunk forged
// inside a buffer of our own claims a free chunk before it, a terabyte
// away (unmapped), which free reads to merge with.
TESTPROG_SCENARIO(FaultInMalloc) {
  go([] {
    auto* buf = static_cast<size_t*>(malloc(0x2000));
    volatile size_t* fake = buf + 32;  // the forged chunk's header: prev_size, size
    fake[0] = size_t(1) << 40;         // "the chunk before is 1 TiB long"
    // Too big for the tcache; PREV_INUSE clear; NON_MAIN_ARENA (4) as buf's
    // own chunk has it: on a thread arena's heap a main-arena chunk would
    // lie outside the main arena, and free would abort ("double free or
    // corruption (out)") before it reads the chunk before.
    fake[1] = 0x510 | (buf[-1] & 4);
    fake[0x510 / sizeof(size_t) + 1] = 0x20 | 1;  // the next chunk: small, PREV_INUSE set
    void* volatile forged = const_cast<size_t*>(fake + 2);  // (volatile: no -Wfree-nonheap-object)
    free(forged);
    fprintf(stderr, "BAD: free of the forged chunk returned\n");
  });
  for (;;) runtime::Gosched();
}

}  // namespace

// --- badtraceback.go ----------------------------------------------------------

namespace {

// badtraceback.go: badLR2. Smashes its own return address (the word above
// the saved frame pointer: [rbp+8] on amd64, the frame record's x30 on
// arm64), then panics: the traceback meets a return pc in no function.
__attribute__((noipa, optimize("no-omit-frame-pointer"))) void badLR2(int arg) {
  auto** fp = static_cast<void**>(__builtin_frame_address(0));
  fp[1] = reinterpret_cast<void*>(uintptr_t(0xbad));
  asm volatile("" ::"r"(&arg) : "memory");
  // Print a backtrace. This should include diagnostics for the bad return
  // PC and a hex dump. gort: Go panics; a C++ throw would first run
  // libgcc's unwinder over the bad return address, which on arm64 reads
  // the instruction at it (looking for a signal trampoline) and faults.
  // runtime::Stack walks with gort's own traceback instead.
  fprintf(stderr, "panic: backtrace\n\n%s", runtime::Stack(false).c_str());
  exit(2);
}

// badtraceback.go: badLR1. Two frames, so the smashed one has a caller.
__attribute__((noipa)) void badLR1() {
  badLR2(0);
  asm volatile("");
}

// badtraceback.go: BadTraceback. badLR1 runs on its own stack.
TESTPROG_SCENARIO(BadTraceback) {
  go(badLR1);
  for (;;) runtime::Gosched();  // gort: Go's select {}; the goroutine's panic ends the program
}

}  // namespace
