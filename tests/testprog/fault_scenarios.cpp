// fault_scenarios.cpp — testprog scenarios for the faults and signals a
// goroutine's own code can raise besides a nil dereference: an integer
// division by zero (SIGFPE), an illegal instruction (SIGILL), libc's
// abort (SIGABRT) and a wild pointer (SIGSEGV above the zero page).
// signal_test.cpp runs them and checks Go's words.
#include <signal.h>
#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>

#include "runtime/go.h"
#include "testprog/testprog.h"

using gort::chan;
using gort::go;

namespace {

// Runs fn in a goroutine and waits for it: the fault happens there, not on
// main.
template <typename F>
int inGoroutine(F fn) {
  chan<int> done(0);
  go([done, fn] {
    fn();
    done.close();
  });
  (void)done.recv();
  return 0;
}

// The divisor comes through a volatile, so the compiler emits the division
// (amd64's idiv traps on zero; arm64's sdiv returns 0 and raises nothing).
__attribute__((noinline)) int divideBy(int d) {
  volatile int divisor = d;
  return 7 / divisor;
}

// An instruction the architecture defines as undefined.
__attribute__((noinline)) void illegalInstruction() {
#if defined(__x86_64__)
  asm volatile("ud2");
#elif defined(__aarch64__)
  asm volatile("udf #0");
#endif
}

__attribute__((noinline)) void abortsHere() { std::abort(); }

// Reads a mapped page that forbids reading: SEGV_ACCERR at an address far
// above the zero page.
__attribute__((noinline)) int readWild(volatile int* p) { return *p; }

}  // namespace

// Go: "panic: runtime error: integer divide by zero" (sigpanic's
// panicdivide), with the signal line. arm64 has no trap: it prints the
// quotient instead.
TESTPROG_SCENARIO(DivideByZero) {
  return inGoroutine([] { printf("quotient %d\n", divideBy(0)); });
}

// Go: "SIGILL: illegal instruction", PC=, the instruction's bytes, the
// goroutine's traceback (sigtable: _SigThrow).
TESTPROG_SCENARIO(IllegalInstruction) {
  return inGoroutine([] { illegalInstruction(); });
}

// Go: "SIGABRT: abort" and the tracebacks (sigtable: _SigNotify+_SigThrow),
// exit status 2; with GOTRACEBACK=crash the process then dies of SIGABRT.
TESTPROG_SCENARIO(AbortInGoroutine) {
  return inGoroutine([] { abortsHere(); });
}

// Go: "unexpected fault address 0x...", "fatal error: fault" (sigpanic's
// throw for a fault that is no nil dereference).
TESTPROG_SCENARIO(WildPointer) {
  void* page = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  fprintf(stderr, "page %p\n", page);
  return inGoroutine([page] { readWild(static_cast<volatile int*>(page)); });
}
