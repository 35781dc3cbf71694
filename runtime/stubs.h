// stubs.h — the assembly entry points and the accessors around them.
//
// Port of Go 1.19 src/runtime/stubs.go (the declarations of routines that
// live in asm_<arch>.s) plus getg(), which Go's compiler inlines as a read of
// R14 / R28. C++ can't pin a register, so the current g lives in a
// thread-local word (tls_g) that gogo, mcall and systemstack rewrite.
#pragma once

#include <cstdint>
#include <type_traits>

#include "runtime/fiber_annotations.h"
#include "runtime/runtime2.h"

namespace gort::runtime {

extern "C" {
// The current g of this thread. Read only through getg(): the access must
// be re-done after every call that may switch goroutines, because the
// goroutine may have resumed on another thread (TestGetgThreadSwitch).
extern __thread g* tls_g __attribute__((tls_model("initial-exec")));

// asm_<arch>.S: gogo. Restore state from gobuf; longjmp.
// Loads buf.g into TLS, buf.sp, buf.bp (and buf.lr on arm64), passes
// buf.ctxt as the first argument, and jumps to buf.pc. Never returns.
[[noreturn]] void gogo(gobuf* buf);

// asm_<arch>.S: mcall. Switch from curg to g0's stack and invoke fn(g),
// where g is the goroutine that made the call. mcall saves g's resume
// point in g.sched (pushing the callee-saved registers of the C ABI on g's
// stack first), so that a later gogo(&g.sched) returns from this call.
// fn must never return; it should gogo(&g.sched) to keep running g.
// Must not be called on g0.
void mcall(void (*fn)(g*));

// asm_<arch>.S: systemstack. Run fn(arg) on the system (g0) stack and come
// back. Called on g0 or gsignal it is a plain call.
void systemstack(void (*fn)(void*), void* arg);

// asm_<arch>.S: goexit. The return address planted under every goroutine's
// entry frame; it calls goexit1. Never called directly.
void goexit();

// asm_<arch>.S: mstart. The outermost frame of every M; calls mstart0.
[[noreturn]] void mstart();

// Called from the assembly when it finds a broken state. Never return.
[[noreturn]] void badmcall(g* gp);
[[noreturn]] void badmcall2(g* gp);
[[noreturn]] void badsystemstack();
[[noreturn]] void goexit1();
[[noreturn]] void mstart0();
}

// asm_amd64.s / asm_arm64.s: procyield. Spin cycles times with a pause
// hint (PAUSE / YIELD). gort: a loop of one inline-asm instruction
// needs no .S routine.
inline void procyield(uint32_t cycles) {
  for (uint32_t i = 0; i < cycles; i++) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }
}

// asm_amd64.s / asm_arm64.s: breakpoint. A breakpoint trap: INT3 / BRK.
// gort: inline asm, as procyield; out of line so the trap has a frame.
__attribute__((noinline)) inline void breakpoint() {
#if defined(__x86_64__)
  asm volatile("int3");
#elif defined(__aarch64__)
  asm volatile("brk #0");
#endif
}

// asm_amd64.s / asm_arm64.s: abort. Crashes the runtime where even throw
// might not work: amd64 traps (INT3, then spins), arm64 loads from address
// 0 (signal_unix.cpp's isAbortPC makes that fault a throw, not a panic).
// gort: inline asm, as procyield. Not libc's abort (::abort, SIGABRT).
[[noreturn]] __attribute__((noinline)) inline void abort() {
#if defined(__x86_64__)
  asm volatile("int3\n1:\tjmp 1b");
#elif defined(__aarch64__)
  asm volatile("mov x0, xzr\n\tldr x0, [x0]\n\tudf #0" ::: "x0", "memory");
#endif
  __builtin_unreachable();
}

// stubs.go: getg. Returns the current g of this thread: m.curg while user
// code runs, m.g0 on the scheduler stack. The volatile asm is re-executed at
// each use, so a g that migrated to another thread sees its new thread's
// word (a plain thread_local could have its address cached across a switch).
__attribute__((always_inline)) inline g* getg() {
  g* gp;
#if defined(__x86_64__)
  asm volatile(
      "movq tls_g@gottpoff(%%rip), %0\n\t"
      "movq %%fs:(%0), %0"
      : "=r"(gp));
#elif defined(__aarch64__)
  uintptr_t tp;
  asm volatile(
      "mrs %1, tpidr_el0\n\t"
      "adrp %0, :gottprel:tls_g\n\t"
      "ldr %0, [%0, #:gottprel_lo12:tls_g]\n\t"
      "ldr %0, [%1, %0]"
      : "=&r"(gp), "=&r"(tp));
#else
#error "gort: unsupported architecture"
#endif
  return gp;
}

// gort-only: install gp as this thread's current g (Go: setg).
inline void setg(g* gp) { tls_g = gp; }

// stubs.go: getcallerpc / getcallersp.
#define GORT_GETCALLERPC() (reinterpret_cast<uintptr_t>(__builtin_return_address(0)))
#define GORT_GETCALLERSP() (reinterpret_cast<uintptr_t>(__builtin_dwarf_cfa()))
// gort-only: the caller's frame pointer, read from this function's frame
// record (libgort is built with -fno-omit-frame-pointer).
#define GORT_GETCALLERBP() (*reinterpret_cast<uintptr_t*>(__builtin_frame_address(0)))

// stubs.go: systemstack. For any C++ callable: runs f on g0's stack.
template <class F>
inline void systemstack(F&& f) {
  using Fn = std::remove_reference_t<F>;
#if GORT_ASAN || GORT_TSAN
  // Sanitizer builds tell ASan/TSan about the stack change, out of line:
  // this template is compiled into the caller's text, where a preemption
  // signal may land, and no switch may be half-announced there.
  systemstackSanitized([](void* arg) { (*static_cast<Fn*>(arg))(); },
                       const_cast<void*>(static_cast<const void*>(&f)));
  return;
#endif
  systemstack(
      [](void* arg) { (*static_cast<Fn*>(arg))(); },
      const_cast<void*>(static_cast<const void*>(&f)));
}

}  // namespace gort::runtime
