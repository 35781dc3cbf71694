// stack.cpp — goroutine stacks: fixed-size, lazily mapped, guarded.
//
// Port of the allocation half of Go 1.19 src/runtime/stack.go. Go's stacks
// start at 2 KiB and are copied when they grow; C++ frames hold raw
// pointers into the stack, so gort stacks never move. Instead every stack
// is a large virtual range (256 KiB by default) mapped with MAP_NORESERVE:
// only the pages a goroutine touches cost memory.
//
// Below each stack sits a guard page that faults on overflow. The canary in
// the stack's lowest word is checked at every switch, catching an overflow
// that jumped over the guard.

#include "runtime/stack.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "runtime/lock_futex.h"
#include "runtime/proc.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102  // Linux 6.13
#endif

namespace gort::runtime {

std::atomic<uint32_t> startingStackSize{defaultStackSize};
std::atomic<uintptr_t> maxstacksize{defaultStackSize};

namespace {
uintptr_t pageSize;
}

// stack.go: stackinit
void stackinit() { pageSize = uintptr_t(sysconf(_SC_PAGESIZE)); }

// stack.go: stackalloc
// gort: one mapping per stack: [guard page][n bytes of stack].
struct stack stackalloc(uint32_t n) {
  if (n == 0 || (n & (n - 1)) != 0) throw_("stackalloc: stack size not a power of 2");
  size_t total = n + pageSize;
  void* v = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  if (v == MAP_FAILED) throw_("runtime: cannot allocate memory");
  uintptr_t base = uintptr_t(v);
  if (madvise(v, pageSize, MADV_GUARD_INSTALL) != 0) mprotect(v, pageSize, PROT_NONE);
  struct stack s{base + pageSize, base + pageSize + n};
  *reinterpret_cast<uint64_t*>(s.lo) = stackCanary;
  return s;
}

// stack.go: stackfree
void stackfree(struct stack stk) {
  munmap(reinterpret_cast<void*>(stk.lo - pageSize), stk.hi - stk.lo + pageSize);
}

// stack.go: stackcache_clear
void stackcache_clear(p*) {}

// gort-only: checks gp's canary; a broken one is a stack overflow.
void stackcheck(g* gp) {
  if (gp->stack.lo == 0) return;
  if (*reinterpret_cast<uint64_t*>(gp->stack.lo) != stackCanary) {
    fprintf(stderr, "runtime: goroutine stack exceeds %zu-byte limit\n", size_t(maxstacksize.load()));
    fprintf(stderr, "runtime: sp=%#zx stack=[%#zx, %#zx]\n", size_t(gp->sched.sp), size_t(gp->stack.lo),
            size_t(gp->stack.hi));
    throw_("stack overflow");
  }
}

}  // namespace gort::runtime
