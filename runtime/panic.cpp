// panic.cpp — fatal errors: throw, fatal, and a panic nobody recovered.
//
// Port of the fatal half of Go 1.19 src/runtime/panic.go. Go's panics are
// C++ exceptions here: recover is catch. What remains for the runtime is
// the end of the road: print Go's words and the goroutine tracebacks
// (traceback.cpp), then exit with status 2 (or abort, GOTRACEBACK=crash).
//
// An exception that nothing catches finds no handler on its goroutine's
// stack (goexit's CFI ends it), so the C++ runtime calls std::terminate
// right at the throw, before unwinding anything: gort's terminate handler
// (gopanicTerminate) is Go's fatalpanic, and the traceback it prints starts
// at the frame that threw, as Go's starts at the panic.

#include <cxxabi.h>
#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <typeinfo>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "runtime/lock_futex.h"
#include "runtime/os_linux.h"
#include "runtime/panic.h"
#include "runtime/proc.h"
#include "runtime/runtime1.h"
#include "runtime/stubs.h"
#include "runtime/traceback.h"
#include "runtime/trace.h"

namespace gort::runtime {

// panic.go: panicking. Non-zero while an M is printing a fatal error
// (runtime.main waits for it); paniclk serializes them.
std::atomic<uint32_t> panicking{0};

namespace {
mutex paniclk;

// panic.go: didothers. tracebackothers has run (once is enough).
bool didothers;
}  // namespace

// signal_unix.go: crash, dieFromSignal
// Dies of SIGABRT, so the process leaves a core file (GOTRACEBACK=crash).
[[noreturn]] void crash() {
  if (trace.enabled) traceShutdown();  // gort: keep the trace up to the crash
  fflush(nullptr);
  // The kernel's action, not the interposed signal's: gort owns SIGABRT,
  // and its handler would catch this one as a program's abort.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  __sigaction(SIGABRT, &dfl, nullptr);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGABRT);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  raise(SIGABRT);
  _exit(2);  // not reached
}

// gort-only: Go's exit(2) after a fatal error. stdio is flushed first so
// what the program printed before comes out (Go has no buffered stdio).
[[noreturn]] void exit2() {
  // gort: keep the trace up to the crash, unless the crash holds the C
  // allocator's lock: the trace's writer frees its chunks, so waiting for it
  // would hang the exit (the file then ends where the writer stopped).
  if (trace.enabled && tracebackAllocatorLocked())
    fprintf(stderr, "runtime: execution trace left unfinished: the C allocator's lock is held\n");
  else if (trace.enabled)
    traceShutdown();
  fflush(nullptr);
  _exit(2);
}

// panic.go: startpanic_m
bool startpanic_m() {
  // Prepares for an unrecoverable panic. Returns true if the caller should
  // print the traceback; false if something failed while panicking and it
  // should just exit.
  g* _g_ = getg();
  m* mp = _g_->m;
  mp->mallocing++;
  // If we're dying because of a bad lock count, set it to a good lock
  // count so we don't recursively panic below.
  if (mp->locks < 0) mp->locks = 1;

  switch (mp->dying) {
    case 0:
      mp->dying = 1;
      panicking.fetch_add(1);
      lock(&paniclk);
      if (debug.schedtrace > 0 || debug.scheddetail > 0) schedtrace(true);
      // gort: Go freezes the world here (freezetheworld) so the others
      // stop running while it prints; gort lets them run: the dump is
      // racy in the same way Go's forEachGRace walk is.
      return true;
    case 1: {
      // Something failed while panicking. Just print a stack trace and
      // exit.
      mp->dying = 2;
      static const char msg[] = "panic during panic\n";
      ssize_t r = ::write(2, msg, sizeof msg - 1);
      (void)r;
      return false;
    }
    case 2: {
      // This is a genuine bug in the runtime, we couldn't even print the
      // stack trace successfully.
      mp->dying = 3;
      static const char msg[] = "stack trace unavailable\n";
      ssize_t r = ::write(2, msg, sizeof msg - 1);
      (void)r;
      _exit(4);
    }
    default:
      // Can't even print! Just exit.
      _exit(5);
  }
}

// panic.go: dopanic_m
bool dopanic_m(g* gp, ucontext_t* ctx, bool precise, int skip) {
  // Prints the tracebacks of a fatal error: gp's (from ctx), then, when
  // GOTRACEBACK asks for all or this is a throw, every goroutine's. Returns
  // whether to crash.
  int32_t level;
  bool all, docrash;
  gotraceback(&level, &all, &docrash);
  {
    tbprinter out(2);
    if (level > 0) {
      m* mp = gp->m;
      if (gp != mp->curg.load()) all = true;
      if (gp != mp->g0 && gp != mp->gsignal) {
        out.printf("\n");
        goroutineheader(out, gp);
        tracebackctx(out, gp, ctx, precise, skip);
      } else if (level >= 2 || mp->throwing >= throwTypeRuntime) {
        out.printf("\nruntime stack:\n");
        tracebackctx(out, gp, ctx, precise, skip);
      }
      if (!didothers && all) {
        didothers = true;
        tracebackothers(out, gp);
      }
    }
  }
  unlock(&paniclk);

  if (panicking.fetch_sub(1) - 1 != 0) {
    // Some other m is panicking too. Let it print what it needs to print.
    // Wait forever without chewing up cpu. It will exit when it's done.
    for (;;) pause();
  }
  return docrash;
}

// panic.go: fatalthrow
// Implements an unrecoverable runtime throw: the tracebacks from ctx
// (skipping skip frames), then crash or exit 2. Never returns.
[[noreturn]] void fatalthrow(throwType t, ucontext_t* ctx, bool precise, int skip) {
  g* gp = getg();
  gp->m->throwing = t;
  // On the system stack, as Go's: the tracebacks and the trace's last
  // flush need more room than a small goroutine stack has.
  systemstack([&] {
    if (startpanic_m() && dopanic_m(gp, ctx, precise, skip)) crash();
    exit2();
  });
  __builtin_unreachable();
}

// panic.go: fatalpanic
// Implements an unrecoverable panic: the goroutine's traceback from ctx,
// then crash or exit 2. The caller printed "panic: ...". Never returns.
[[noreturn]] void fatalpanicctx(ucontext_t* ctx, bool precise, int skip) {
  g* gp = getg();
  systemstack([&] {  // as fatalthrow's
    if (startpanic_m() && dopanic_m(gp, ctx, precise, skip)) crash();
    exit2();
  });
  __builtin_unreachable();
}

// gort-only: prints "fatal error: s" as throw and fatal do, before
// anything else (Go prints it on the system stack).
static void printFatalError(const char* s) {
  tbprinter out(2);
  out.printf("fatal error: %s\n", s);
}

// panic.go: throw
// throw triggers a fatal error that dumps a stack trace and exits. throw
// should be used for runtime-internal fatal errors where Go itself, rather
// than user code, may be at fault for the failure.
__attribute__((noinline)) void throw_(const char* s) {
  // The traceback starts here: this frame is throw_, as Go's is throw.
  unw_context_t uc;
  unw_getcontext(&uc);
  printFatalError(s);
  if (getg() == nullptr) exit2();  // not an M: nothing to trace
  fatalthrow(throwTypeRuntime, reinterpret_cast<ucontext_t*>(&uc), false, 0);
}

// panic.go: fatal
// fatal triggers a fatal error that dumps a stack trace and exits. fatal
// is equivalent to throw, but is used when user code is expected to be at
// fault for the failure, such as racing map writes.
__attribute__((noinline)) void fatal(const char* s) {
  unw_context_t uc;
  unw_getcontext(&uc);
  printFatalError(s);
  if (getg() == nullptr) exit2();
  fatalthrow(throwTypeUser, reinterpret_cast<ucontext_t*>(&uc), false, 0);
}

// mheap.go: (*mheap).grow (its failure print; mcache.go then throws "out of memory")
// gort: "in use" is what malloc holds (mallinfo2), Go's heap counters' twin.
__attribute__((noinline)) void outOfMemory(uintptr_t ask) {
  struct mallinfo2 mi = mallinfo2();
  {
    tbprinter out(2);
    out.printf("runtime: out of memory: cannot allocate %zu-byte block (%zu in use)\n", size_t(ask),
               size_t(mi.arena + mi.hblkhd));
  }
  throw_("out of memory");
}

// gort-only: Go has no twin (every Go function runs on a goroutine); the
// words follow Go's fatal errors. A thread with no g has no traceback.
__attribute__((noinline)) void badNoG(const char* op) {
  {
    tbprinter out(2);
    out.printf("fatal error: %s called from a thread that is not running a goroutine "
               "(not started by gort, or before rt0_go)\n", op);
  }
  exit2();
}

// panic.go: fatalpanic (with printpanics)
// fatalpanic implements an unrecoverable panic: it prints the panic value
// and the goroutine's traceback from the caller, then exits with status 2.
__attribute__((noinline)) void fatalpanic(const char* what) {
  unw_context_t uc;
  unw_getcontext(&uc);
  {
    tbprinter out(2);
    out.printf("panic: %s\n", what);
  }
  if (getg() == nullptr) exit2();
  fatalpanicctx(reinterpret_cast<ucontext_t*>(&uc), false, 0);
}

// gort-only: the goroutine whose panic value's what() gopanicTerminate is
// calling (Go: preprintpanics's deferred recover covers that call).
static std::atomic<g*> printingPanicValue{nullptr};

// panic.go: preprintpanics (its deferred recover)
// The panic value's message panicked: say so in Go's words, with the new
// panic's text if it is a plain std::runtime_error (Go: a string value)
// and its type otherwise. Never returns.
[[noreturn]] static void preprintpanicsFailed() {
  std::string text = "panic while printing panic value";
  const std::type_info* ti = abi::__cxa_current_exception_type();
  std::string r;
  if (std::exception_ptr e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::runtime_error& ex) {
      // gort: what() of the exact std::runtime_error can't throw.
      if (ti != nullptr && *ti == typeid(std::runtime_error)) r = ex.what();
    } catch (...) {
    }
  }
  if (r.empty()) {
    int status = 0;
    char* name = ti ? abi::__cxa_demangle(ti->name(), nullptr, nullptr, &status) : nullptr;
    r = std::string("type ") + (name ? name : ti ? ti->name() : "unknown");
    free(name);
  }
  printingPanicValue.store(nullptr);
  throw_((text + ": " + r).c_str());
}

// print.go: printfloat. Go's print of a float: a sign, seven digits and
// a three-digit exponent (+1.500000e+000), or NaN, +Inf, -Inf.
static std::string printfloat(double v) {
  if (v != v) return "NaN";
  if (v + v == v && v > 0) return "+Inf";
  if (v + v == v && v < 0) return "-Inf";
  constexpr int n = 7;  // digits printed
  char buf[n + 7];
  buf[0] = '+';
  int e = 0;  // exp
  if (v == 0) {
    if (std::signbit(v)) buf[0] = '-';
  } else {
    if (v < 0) {
      v = -v;
      buf[0] = '-';
    }
    // normalize
    for (; v >= 10; v /= 10) e++;
    for (; v < 1; v *= 10) e--;
    // round
    double h = 5.0;
    for (int i = 0; i < n; i++) h /= 10;
    v += h;
    if (v >= 10) {
      e++;
      v /= 10;
    }
  }
  // format +d.dddd+edd
  for (int i = 0; i < n; i++) {
    int s = int(v);
    buf[i + 2] = char(s + '0');
    v -= double(s);
    v *= 10;
  }
  buf[1] = buf[2];
  buf[2] = '.';
  buf[n + 2] = 'e';
  buf[n + 3] = '+';
  if (e < 0) {
    e = -e;
    buf[n + 3] = '-';
  }
  buf[n + 4] = char(e / 100 + '0');
  buf[n + 5] = char(e / 10 % 10 + '0');
  buf[n + 6] = char(e % 10 + '0');
  return std::string(buf, sizeof buf);
}

// error.go: printany
// For an exception that is not a std::exception
// (the caller prints a std::exception's what(), as Go prints an error's
// Error()). The values Go's print knows print as Go prints them: nil
// (a thrown nullptr or null C string), bool, the integers (char types
// too: Go's byte and rune print as numbers), the floats, and strings (a
// C string, std::string, std::string_view). Any other type prints as
// printanycustomtype's default, its type in parentheses.
// gort: "(T) C++ exception" where Go prints the value's address; nor can
// gort tell an enum from a class, which Go prints as T(value).
static std::string printany(const std::exception_ptr& e) {
  auto integer = [](auto v) { return std::to_string(v); };
  try {
    std::rethrow_exception(e);
  } catch (std::nullptr_t) {
    return "nil";
  } catch (bool v) {
    return v ? "true" : "false";
  } catch (char v) {
    return integer(int(v));
  } catch (signed char v) {
    return integer(int(v));
  } catch (unsigned char v) {
    return integer(unsigned(v));
  } catch (wchar_t v) {
    return integer(int32_t(v));
  } catch (char8_t v) {
    return integer(unsigned(v));
  } catch (char16_t v) {
    return integer(unsigned(v));
  } catch (char32_t v) {
    return integer(uint32_t(v));
  } catch (short v) {
    return integer(v);
  } catch (unsigned short v) {
    return integer(v);
  } catch (int v) {
    return integer(v);
  } catch (unsigned v) {
    return integer(v);
  } catch (long v) {
    return integer(v);
  } catch (unsigned long v) {
    return integer(v);
  } catch (long long v) {
    return integer(v);
  } catch (unsigned long long v) {
    return integer(v);
  } catch (float v) {
    return printfloat(v);
  } catch (double v) {
    return printfloat(v);
  } catch (long double v) {
    return printfloat(double(v));
  } catch (const char* s) {
    return s != nullptr ? s : "nil";
  } catch (const std::string& s) {
    return s;
  } catch (std::string_view s) {
    return std::string(s);
  } catch (...) {
    int status = 0;
    const std::type_info* ti = abi::__cxa_current_exception_type();
    char* name = ti ? abi::__cxa_demangle(ti->name(), nullptr, nullptr, &status) : nullptr;
    std::string what = std::string("(") + (name ? name : ti ? ti->name() : "unknown") + ") C++ exception";
    free(name);
    return what;
  }
}

// gort-only: the std::terminate handler, Go's gopanic for a panic nobody
// recovers. It runs at the throw with the stack intact (see the top of
// this file); its own frames and the C++ runtime's are hidden from the
// traceback as Go hides gopanic's.
[[noreturn]] static void gopanicTerminate() {
  unw_context_t uc;
  unw_getcontext(&uc);
  g* gp = getg();
  std::string what;
  if (gp != nullptr && gp->m != nullptr && printingPanicValue.load() == gp->m->curg.load()) {
    // Re-entered from the what() below: the panic value's message threw.
    preprintpanicsFailed();
  }
  if (std::exception_ptr e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      // panic.go: printpanics. A runtime::Error's what() is Go's text
      // ("send on closed channel"); any exception prints its what().
      // gort: what() may yield and resume on another M, so the marker is
      // the goroutine, not the thread.
      if (gp != nullptr && gp->m != nullptr) printingPanicValue.store(gp->m->curg.load());
      what = ex.what();
      printingPanicValue.store(nullptr);
    } catch (...) {
      what = printany(e);
    }
  } else {
    // std::terminate called directly, or by a noexcept violation without
    // an exception in flight.
    printFatalError("std::terminate called without an active exception");
    if (gp == nullptr) exit2();
    fatalthrow(throwTypeUser, reinterpret_cast<ucontext_t*>(&uc), false, 0);
  }
  {
    tbprinter out(2);
    out.printf("panic: %s\n", what.c_str());
  }
  if (gp == nullptr) exit2();  // a thread that is not an M
  fatalpanicctx(reinterpret_cast<ucontext_t*>(&uc), false, 0);
}

// gort-only: installs the terminate handler (from schedinit).
void panicinit() { std::set_terminate(gopanicTerminate); }

// proc.go: badmcall
extern "C" void badmcall(g*) { throw_("runtime: mcall called on m->g0 stack"); }

// proc.go: badmcall2
extern "C" void badmcall2(g*) { throw_("runtime: mcall function returned"); }

// stubs.go: badsystemstack
// Go writes the message raw (it may be on a broken stack); systemstack's
// asm then calls abort. gort: the call to abort is here.
extern "C" void badsystemstack() {
  static const char msg[] = "fatal: systemstack called from unexpected goroutine\n";
  ssize_t r = ::write(2, msg, sizeof msg - 1);
  (void)r;
  abort();
}

}  // namespace gort::runtime
