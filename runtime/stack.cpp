// stack.cpp — goroutine stacks: fixed-size, lazily mapped, guarded.
//
// Port of the allocation half of Go 1.19 src/runtime/stack.go: stackinit,
// the global pool (stackpoolalloc, stackpoolfree), the per-P cache
// (stackcacherefill, stackcacherelease, stackcache_clear), stackalloc and
// stackfree, in stack.go's order; gort-only helpers follow under the banner
// at the end. Go's stacks start at 2 KiB and are copied when they grow;
// C++ frames hold raw pointers into the stack, so gort stacks never move.
// Every stack is instead a large virtual range (256 KiB by default) mapped
// with MAP_NORESERVE: only the pages a goroutine touches cost memory.
//
// Stack memory. Address space comes in 1 GiB arenas (reserved PROT_NONE,
// Go: sysReserve), carved into spans (Go: an mspan in state mSpanManual).
// A span is a power of two bytes long and aligned to its length, so the
// span of a stack is its address rounded down, as Go's spanOfUnchecked
// finds it. It holds one size of stack:
//
//   span base                                              base + spanBytes
//   | header | guard | stack 0 | guard | stack 1 | ... | guard | stack k-1 |
//
// The header page (stackSpan) lists the free stacks; it is written only
// under stackpool.mu, and never through a free stack's memory, because a
// free stack in the pool has given its pages back (MADV_DONTNEED) and
// writing a link into it would take a page again. Spans are never unmapped
// (Go returns a wholly free span to the heap; gort's spans cost only
// address space once their pages are released).
//
// Guards. The page below each stack faults on overflow: a MADV_GUARD_INSTALL
// marker where the kernel has them (Linux ≥ 6.13; no extra mapping, so a
// span stays one mapping however many stacks it holds), else an
// mprotect(PROT_NONE) page while a budget of vm.max_map_count lasts (each
// splits the span's mapping), else nothing. A stack left without a guard
// gets a canary in its lowest word, checked at every switch onto its
// goroutine (stackcheck). Guarded stacks get none: the guard catches the
// overflow, and writing the canary would take the stack's lowest page.
//
// One million parked goroutines: 1M stacks × (256 KiB + a 4 KiB guard) is
// 254 GiB of address space, 0.2% of amd64's and arm64's 47 bits; 126 stacks
// per 32 MiB span and 32 spans per arena make that 249 arenas, each one
// mapping (adjacent arenas may merge), far below vm.max_map_count's 65530.
// A parked goroutine with shallow frames touches one page, at the top of
// its stack: no canary at the bottom of a guarded stack, and the per-P
// cache links free stacks through a word of their top page (stackLink),
// the page the next goroutine's frames take anyway.

#include "runtime/stack.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "runtime/lock_futex.h"
#include "runtime/proc.h"
#include "runtime/runtime1.h"
#include "runtime/stubs.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define GORT_VALGRIND 1
#endif

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102  // Linux 6.13
#endif
#ifndef MADV_GUARD_REMOVE
#define MADV_GUARD_REMOVE 103  // Linux 6.13
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif
#ifndef SYS_process_madvise
#define SYS_process_madvise 440  // Linux 5.10, the same number on amd64 and arm64
#endif

namespace gort::runtime {

std::atomic<uint32_t> startingStackSize{defaultStackSize};
std::atomic<uintptr_t> maxstacksize{defaultStackSize};

namespace {

// gort-only: address space is reserved in arenas of this size.
constexpr uintptr_t stackArenaBytes = uintptr_t(1) << 30;
// gort-only: a span holds at least this many stacks (unless that would make
// it larger than an arena), so a span is one mmap per 64–129 stacks, and its
// header page costs each stack 32–64 bytes of RSS.
constexpr uint32_t stackSpanMinStacks = 64;
// gort-only: the most stacks a span can hold under the rule above (< 2×64
// plus one), rounded up; bounds the header's arrays.
constexpr uint32_t stackSpanMaxStacks = 256;
// gort-only: how many distinct stack sizes the pool keeps apart (goroutine
// stacks after each SetMaxStack, g0 stacks).
constexpr int32_t stackMaxClasses = 16;
constexpr uint64_t stackSpanMagic = 0x6f67727473706e21ULL;  // "!npstrgo"

// malloc.go: physPageSize.
uintptr_t physPageSize;

// gort-only: the header in the first page of a span (Go: the mspan, kept
// outside the span in Go's heap metadata).
struct stackSpan {
  uint64_t magic;            // stackSpanMagic, checked by spanOfStack
  stackSpan* next;           // in stackpool's list for stacksize while nfree > 0
  stackSpan* prev;
  uintptr_t stacksize;       // bytes of each stack
  uintptr_t slotsize;        // guard page + stack
  uint32_t nslots;           // stacks in this span
  uint32_t nfree;            // free stacks: freeidx[0:nfree]
  stackGuardKind guard;      // how this span's guard pages fault
  bool inList;
  uint32_t testGen;          // stackpool.testGen when the span was made
  uint16_t freeidx[stackSpanMaxStacks];
  bool slotfree[stackSpanMaxStacks];  // catches a double free
  unsigned vgid[stackSpanMaxStacks];  // valgrind stack ids while allocated
};
static_assert(sizeof(stackSpan) <= 4096, "stackSpan must fit the smallest page");

// gort-only: one size class of the pool: spans of stacksize-byte stacks that
// have a free stack (Go: stackpool[order].item.span, and stackLarge).
struct stackpoolClass {
  uintptr_t stacksize;
  stackSpan* first;
};

// stack.go: stackpool. Global pool of spans that have free stacks. gort has
// one leaf lock for the classes, the arena and the guard budget (Go:
// stackpool[order].item.mu, stackLarge.lock and mheap_.lock).
struct {
  mutex mu;
  stackpoolClass classes[stackMaxClasses];
  int32_t nclasses;
  uintptr_t arenaNext;  // the unused rest of the current arena
  uintptr_t arenaEnd;
  // mprotect guards may still be made (a quarter of vm.max_map_count: two
  // mappings each, leaving half the limit to the rest of the program).
  int64_t mprotectGuardsLeft;
  // gort-only test state: the guard kind stackinit chose, the mode before
  // stackSetGuardModeForTest, a pretend-refusal of MADV_GUARD_INSTALL and a
  // budget overriding mprotectGuardsLeft (−1: none).
  stackGuardKind probed;
  stackGuardKind savedMode;
  bool refuseMadvise;
  int64_t testBudget;
  // Counts stackSetGuardModeForTest calls: while forced, only spans made
  // since the last call serve.
  uint32_t testGen;
} stackpool;

// gort-only: the guard kind new spans get; moves only down stackGuardKind's
// list (written under stackpool.mu, read anywhere).
std::atomic<stackGuardKind> guardMode{stackGuardMadvise};
// gort-only: set by stackSetGuardModeForTest: stacks come only from spans
// made since, bypassing the per-P caches.
std::atomic<bool> guardForced{false};
// gort-only: whether process_madvise(PIDFD_SELF, ...) advises this process's
// own pages (Linux ≥ 6.14), found by stackinit: then a span's guards are
// installed, and a cache refill's top pages populated, by one call each.
bool batchAdvise;
// gort-only test state: when ≥ 0, sysAdviseBatch advises at most this many
// ranges per call, as a kernel stopping at a range it refuses would.
std::atomic<int64_t> batchLimitForTest{-1};

uintptr_t alignUp(uintptr_t v, uintptr_t a) { return (v + a - 1) & ~(a - 1); }

stackpoolClass* stackpoolClassFor(uintptr_t n);
stackSpan* stackSpanAlloc(uintptr_t n);
stackSpan* spanOfStack(uintptr_t lo, uintptr_t n, uint32_t* idx);
uintptr_t stackSpanBytes(uintptr_t n);
void stackSpanListInsert(stackpoolClass* c, stackSpan* s);
void stackSpanListRemove(stackpoolClass* c, stackSpan* s);
stackGuardKind stackGuardProbe();
int64_t readMaxMapCount();
void sysUnused(uintptr_t v, uintptr_t n);
uintptr_t sysAdviseBatch(const struct iovec* iov, uintptr_t n, int advice);
bool batchAdviseProbe();
void stackcacheSync(p* pp, uintptr_t n);
uintptr_t* stackLink(uintptr_t x, uintptr_t n);
void stackAllocHooks(uintptr_t x, uintptr_t n);
void stackFreeHooks(uintptr_t x, uintptr_t n);

}  // namespace

// stack.go: stackinit
// gort: Go initializes its pool lists here; gort also learns the page size,
// the map budget and which guards this kernel gives (stackGuardProbe).
void stackinit() {
  physPageSize = uintptr_t(sysconf(_SC_PAGESIZE));
  if (physPageSize < sizeof(stackSpan) || (physPageSize & (physPageSize - 1)) != 0)
    throw_("stackinit: bad page size");
  stackpool.mprotectGuardsLeft = readMaxMapCount() / 4;
  stackpool.testBudget = -1;
  stackpool.probed = stackGuardProbe();
  guardMode.store(stackpool.probed);
  batchAdvise = batchAdviseProbe();
  // GODEBUG=madvguard=0, read now: the first span is made before
  // parsedebugvars runs (mcommoninit's gsignal stack).
  godebugEarly("madvguard", &debug.madvguard);
}

namespace {

// stack.go: stackpoolalloc
// Allocates a stack from the free pool. Must be called with stackpool.mu
// held.
uintptr_t stackpoolalloc(uintptr_t n) {
  assertLockHeld(&stackpool.mu);
  stackpoolClass* c = stackpoolClassFor(n);
  // gort: take a span guarded at least as well as guardMode asks (always
  // so, since the mode only moves down, unless a test forced the mode:
  // then only spans made since serve).
  stackGuardKind k = guardMode.load(std::memory_order_relaxed);
  bool forced = guardForced.load(std::memory_order_relaxed);
  stackSpan* s = c->first;
  while (s != nullptr && (forced ? s->testGen != stackpool.testGen : s->guard > k)) s = s->next;
  if (s == nullptr) {
    // no free stacks. Allocate another span worth.
    s = stackSpanAlloc(n);
    stackSpanListInsert(c, s);
  }
  if (s->nfree == 0) throw_("span has no free stacks");
  uint32_t i = s->freeidx[--s->nfree];
  s->slotfree[i] = false;
  if (s->nfree == 0) {
    // all stacks in s are allocated.
    stackSpanListRemove(c, s);
  }
  return uintptr_t(s) + physPageSize + uintptr_t(i) * s->slotsize + physPageSize;
}

// stack.go: stackpoolfree
// Adds stack x to the free pool. Its pages must have been given back
// already (sysUnused). Must be called with stackpool.mu held.
// gort: a span that becomes wholly free stays (Go returns it to the heap).
void stackpoolfree(uintptr_t x, uintptr_t n) {
  assertLockHeld(&stackpool.mu);
  uint32_t i;
  stackSpan* s = spanOfStack(x, n, &i);
  if (s->slotfree[i]) throw_("stackfree: stack freed twice");
  if (s->nfree == 0) {
    // s will now have a free stack
    stackSpanListInsert(stackpoolClassFor(n), s);
  }
  s->slotfree[i] = true;
  s->freeidx[s->nfree++] = uint16_t(i);
}

// stack.go: stackcacherefill
// stackcacherefill/stackcacherelease implement a global pool of stack
// segments. The pool is required to prevent unlimited growth of per-P
// caches. Executed only by the owner P.
// gort: the stacks' links are written after unlocking (each write takes a
// page, the top one, which the stack's goroutine will use); those top
// pages are first populated by one batched call where the kernel allows
// (a fault per page costs several times more on a virtualised guest:
// docs/benchmarks.md).
void stackcacherefill(p* pp) {
  auto& c = pp->stackcache;
  uintptr_t n = c.stacksize;
  // Grab some stacks from the global cache.
  // Grab half of the allowed capacity (to prevent thrashing).
  uintptr_t batch[stackCacheStacks];
  uintptr_t k = 0;
  lock(&stackpool.mu);
  for (; k < stackCacheStacks / 2; k++) batch[k] = stackpoolalloc(n);
  unlock(&stackpool.mu);
  if (batchAdvise) {
    struct iovec iov[stackCacheStacks];
    for (uintptr_t i = 0; i < k; i++) iov[i] = {reinterpret_cast<void*>(batch[i] + n - physPageSize), physPageSize};
    sysAdviseBatch(iov, k, MADV_POPULATE_WRITE);  // a hint: a page left out faults in below
  }
  uintptr_t list = 0;
  for (uintptr_t i = 0; i < k; i++) {
    *stackLink(batch[i], n) = list;
    list = batch[i];
  }
  c.list = list;
  c.size = k * n;
}

// stack.go: stackcacherelease
// Gives stacks back to the pool until the cache is half full. Executed
// only by the owner P.
// gort: pages go back before stackpool.mu is taken, so the madvise calls
// don't hold up other Ms.
void stackcacherelease(p* pp) {
  auto& c = pp->stackcache;
  uintptr_t n = c.stacksize;
  uintptr_t x = c.list;
  uintptr_t size = c.size;
  uintptr_t batch[stackCacheStacks];
  uintptr_t k = 0;
  while (size > stackCacheStacks * n / 2 && k < stackCacheStacks) {
    batch[k++] = x;
    x = *stackLink(x, n);
    size -= n;
  }
  for (uintptr_t i = 0; i < k; i++) sysUnused(batch[i], n);
  lock(&stackpool.mu);
  for (uintptr_t i = 0; i < k; i++) stackpoolfree(batch[i], n);
  unlock(&stackpool.mu);
  c.list = x;
  c.size = size;
}

}  // namespace

// stack.go: stackcache_clear
// gort: Go clears an mcache (one list per order); gort's cache lives in p.
void stackcache_clear(p* pp) {
  auto& c = pp->stackcache;
  uintptr_t n = c.stacksize;
  while (c.list != 0) {
    uintptr_t batch[stackCacheStacks];
    uintptr_t k = 0;
    uintptr_t x = c.list;
    while (x != 0 && k < stackCacheStacks) {
      batch[k++] = x;
      x = *stackLink(x, n);
    }
    for (uintptr_t i = 0; i < k; i++) sysUnused(batch[i], n);
    lock(&stackpool.mu);
    for (uintptr_t i = 0; i < k; i++) stackpoolfree(batch[i], n);
    unlock(&stackpool.mu);
    c.list = x;
  }
  c.list = 0;
  c.size = 0;
}

// stack.go: stackalloc
// stackalloc allocates an n byte stack: n a power of 2 and at least a page,
// below it a guard page, or, where its span has none, the canary at its
// lowest word.
// Must run on g0: it uses per-P resources (Go: so that it never tries to
// grow the stack it runs on). May run without a P.
struct stack stackalloc(uint32_t n) {
  g* thisg = getg();
  if (thisg != thisg->m->g0) throw_("stackalloc not on scheduler stack");
  if ((n & (n - 1)) != 0) throw_("stack size not a power of 2");
  if (n < physPageSize) throw_("stackalloc: stack smaller than a page");

  uintptr_t x;
  p* pp = thisg->m->p;
  // gort: the per-P cache holds stacks of the standard size only (Go's
  // caches hold the small orders only); others come from the pool.
  if (pp == nullptr || thisg->m->preemptoff != nullptr || guardForced.load(std::memory_order_relaxed) ||
      n != startingStackSize.load(std::memory_order_relaxed)) {
    // thisg.m.p == 0 can happen in the guts of exitsyscall or procresize.
    // Just get a stack from the global pool.
    lock(&stackpool.mu);
    x = stackpoolalloc(n);
    unlock(&stackpool.mu);
  } else {
    stackcacheSync(pp, n);
    auto& c = pp->stackcache;
    x = c.list;
    if (x == 0) {
      stackcacherefill(pp);
      x = c.list;
    }
    c.list = *stackLink(x, n);
    c.size -= n;
  }
  stackAllocHooks(x, n);
  if (stackHasCanary({x, x + n})) *reinterpret_cast<uint64_t*>(x) = stackCanary;
  return {x, x + n};
}

// stack.go: stackfree
// stackfree frees an n byte stack allocation at stk: into the current P's
// cache (keeping its pages, for cheap reuse) when there is room, else back
// to the pool with its pages given back to the OS (its guard stays).
// Must run on g0. May run without a P.
void stackfree(struct stack stk) {
  g* gp = getg();
  if (gp != gp->m->g0) throw_("stackfree not on scheduler stack");
  uintptr_t v = stk.lo;
  uintptr_t n = stk.hi - stk.lo;
  if ((n & (n - 1)) != 0) throw_("stack not a power of 2");
  if (stk.lo + n < stk.hi) throw_("bad stack size");
  stackFreeHooks(v, n);  // also checks that stk came from stackalloc

  p* pp = gp->m->p;
  if (pp == nullptr || gp->m->preemptoff != nullptr || guardForced.load(std::memory_order_relaxed) ||
      n != startingStackSize.load(std::memory_order_relaxed)) {
    sysUnused(v, n);
    lock(&stackpool.mu);
    stackpoolfree(v, n);
    unlock(&stackpool.mu);
  } else {
    stackcacheSync(pp, n);
    auto& c = pp->stackcache;
    if (c.size >= stackCacheStacks * n) stackcacherelease(pp);
    *stackLink(v, n) = c.list;
    c.list = v;
    c.size += n;
  }
}

// ===========================================================================
// gort-only: the canary, spans and arenas, guards, and the test hooks.
// ===========================================================================

// gort-only: checks gp's canary, at every switch onto gp (execute), if its
// stack has one (no guard page below it). A broken canary means gp's
// frames reached below its stack: Go's newstack reports the same overflow
// in these words.
void stackcheck(g* gp) {
  if (!gp->stackcanary || gp->stack.lo == 0) return;
  if (*reinterpret_cast<uint64_t*>(gp->stack.lo) != stackCanary) {
    fprintf(stderr, "runtime: goroutine stack exceeds %zu-byte limit\n", size_t(maxstacksize.load()));
    fprintf(stderr, "runtime: sp=%#zx stack=[%#zx, %#zx]\n", size_t(gp->sched.sp), size_t(gp->stack.lo),
            size_t(gp->stack.hi));
    throw_("stack overflow");
  }
}

// gort-only: whether stk carries the canary: its span has no guard page.
bool stackHasCanary(struct stack stk) { return stackGuardOf(stk) == stackGuardNone; }

// gort-only: the guard kind new stacks get now.
stackGuardKind stackGuardMode() { return guardMode.load(std::memory_order_relaxed); }

// gort-only: the guard kind of stk's span.
stackGuardKind stackGuardOf(struct stack stk) {
  uint32_t i;
  return spanOfStack(stk.lo, stk.hi - stk.lo, &i)->guard;
}

// gort-only: the guard kind's name, for tests and docs.
const char* stackGuardString(stackGuardKind k) {
  switch (k) {
    case stackGuardMadvise: return "madvise";
    case stackGuardMprotect: return "mprotect";
    case stackGuardNone: return "none";
  }
  return "unknown";
}

// gort-only: test hook (stack.h).
void stackSetGuardModeForTest(stackGuardKind mode, bool refuseMadvise, int64_t mprotectBudget) {
  lock(&stackpool.mu);
  if (!guardForced.load(std::memory_order_relaxed)) stackpool.savedMode = guardMode.load();
  stackpool.refuseMadvise = refuseMadvise;
  stackpool.testBudget = mprotectBudget;
  stackpool.testGen++;
  guardMode.store(mode);
  guardForced.store(true);
  unlock(&stackpool.mu);
}

// gort-only: test hook (stack.h).
void stackResetGuardModeForTest() {
  lock(&stackpool.mu);
  if (guardForced.load(std::memory_order_relaxed)) {
    stackGuardKind k = stackpool.savedMode;
    // Guards made meanwhile count against the real budget.
    if (k == stackGuardMprotect && stackpool.mprotectGuardsLeft <= 0) k = stackGuardNone;
    guardMode.store(k);
  }
  stackpool.refuseMadvise = false;
  stackpool.testBudget = -1;
  guardForced.store(false);
  unlock(&stackpool.mu);
}

// gort-only: whether stacks' guards and top pages are advised in batches.
bool stackBatchAdvise() { return batchAdvise; }

// gort-only: test hook (stack.h).
void stackSetBatchLimitForTest(int64_t limit) { batchLimitForTest.store(limit < 0 ? -1 : limit); }

// gort-only: test hook (stack.h).
uint32_t stackSpanStacks(uint32_t n) {
  return uint32_t((stackSpanBytes(n) - physPageSize) / (n + physPageSize));
}

// gort-only: whether reading the byte at v faults. write(2) from v fails
// with EFAULT if it does; the kernel checks without a signal.
bool stackAddrFaults(uintptr_t v) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw_("stackAddrFaults: pipe2 failed");
  ssize_t r = write(fds[1], reinterpret_cast<const void*>(v), 1);
  int err = errno;
  close(fds[0]);
  close(fds[1]);
  return r < 0 && err == EFAULT;
}

namespace {

// gort-only: the pool's class for n-byte stacks, made on first use.
// stackpool.mu must be held.
stackpoolClass* stackpoolClassFor(uintptr_t n) {
  for (int32_t i = 0; i < stackpool.nclasses; i++)
    if (stackpool.classes[i].stacksize == n) return &stackpool.classes[i];
  if (stackpool.nclasses == stackMaxClasses) throw_("stackalloc: too many distinct stack sizes");
  stackpoolClass* c = &stackpool.classes[stackpool.nclasses++];
  c->stacksize = n;
  c->first = nullptr;
  return c;
}

// gort-only: spans with a guard go to the front of the list, so stacks are
// taken from them before any from a span with none.
// stackpool.mu must be held.
void stackSpanListInsert(stackpoolClass* c, stackSpan* s) {
  if (s->inList) throw_("stackSpanListInsert: span already in list");
  s->inList = true;
  if (s->guard != stackGuardNone || c->first == nullptr) {
    s->prev = nullptr;
    s->next = c->first;
    if (c->first != nullptr) c->first->prev = s;
    c->first = s;
    return;
  }
  stackSpan* t = c->first;
  while (t->next != nullptr) t = t->next;
  t->next = s;
  s->prev = t;
  s->next = nullptr;
}

// gort-only: stackpool.mu must be held.
void stackSpanListRemove(stackpoolClass* c, stackSpan* s) {
  if (!s->inList) throw_("stackSpanListRemove: span not in list");
  if (s->prev != nullptr)
    s->prev->next = s->next;
  else
    c->first = s->next;
  if (s->next != nullptr) s->next->prev = s->prev;
  s->next = s->prev = nullptr;
  s->inList = false;
}

// gort-only: the length (and alignment) of a span of n-byte stacks: the
// smallest power of two holding stackSpanMinStacks of them after the
// header page, or one arena, or one stack if that is larger still.
uintptr_t stackSpanBytes(uintptr_t n) {
  uintptr_t slot = n + physPageSize;
  uintptr_t b = physPageSize;
  while (b < physPageSize + slot) b <<= 1;
  while ((b - physPageSize) / slot < stackSpanMinStacks && b < stackArenaBytes) b <<= 1;
  return b;
}

// malloc.go: sysReserveAligned
// Reserves size bytes of address space aligned to align (a power of two),
// inaccessible until sysMap.
uintptr_t sysReserveAligned(uintptr_t size, uintptr_t align) {
  void* v = mmap(nullptr, size + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (v == MAP_FAILED) outOfMemory(size);  // mheap.grow: sysAlloc failed
  uintptr_t p = uintptr_t(v);
  uintptr_t a = alignUp(p, align);
  if (a > p) munmap(v, a - p);
  if (p + align > a) munmap(reinterpret_cast<void*>(a + size), p + align - a);
  return a;
}

// mem.go: sysMap (mem_linux.go: sysMapOS), then MADV_NOHUGEPAGE (newer Go's sysNoHugePage)
// Makes [v, v+n) of a reservation usable. gort: by mprotect, not a fixed
// mmap, so adjacent spans merge into one mapping. No huge pages: with THP
// "always" one touch would cost 2 MiB, not a page.
void sysMap(uintptr_t v, uintptr_t n) {
  if (mprotect(reinterpret_cast<void*>(v), n, PROT_READ | PROT_WRITE) != 0) {
    if (errno == ENOMEM) throw_("runtime: out of memory");
    throw_("runtime: cannot map pages in arena address space");
  }
  madvise(reinterpret_cast<void*>(v), n, MADV_NOHUGEPAGE);  // a hint; may be refused
}

// mem.go: sysUnused (mem_linux.go: sysUnusedOS)
// Gives the pages of [v, v+n) back to the OS; the next touch maps a zero
// page. A guard marker (MADV_GUARD_INSTALL) below v is kept by the kernel;
// an mprotect guard is outside the range anyway.
void sysUnused(uintptr_t v, uintptr_t n) {
  if (madvise(reinterpret_cast<void*>(v), n, MADV_DONTNEED) != 0) throw_("runtime: madvise(MADV_DONTNEED) failed");
}

// gort-only: madvise(advice) on each range of iov[0:n] (one page each) by
// one process_madvise call on this process (PIDFD_SELF_THREAD_GROUP).
uintptr_t sysAdviseBatch(const struct iovec* iov, uintptr_t n, int advice) {
  // Returns the bytes advised: the kernel works through iov in order and
  // stops at the first range it refuses, so the ranges past the returned
  // count are not advised (0 if the call failed as a whole).
  constexpr long pidfdSelfThreadGroup = -10001;  // PIDFD_SELF_THREAD_GROUP, Linux 6.14
  int64_t limit = batchLimitForTest.load(std::memory_order_relaxed);
  if (limit >= 0 && uintptr_t(limit) < n) n = uintptr_t(limit);
  if (n == 0) return 0;
  long r = syscall(SYS_process_madvise, pidfdSelfThreadGroup, iov, n, advice, 0);
  return r < 0 ? 0 : uintptr_t(r);
}

// gort-only: whether sysAdviseBatch works here: the kernel takes
bool batchAdviseProbe() {
  // PIDFD_SELF and the advice (MADV_GUARD_INSTALL and MADV_POPULATE_WRITE
  // for one's own pages: Linux ≥ 6.14), and it advised the page asked for
  // (an emulator that passes the call through without translating the
  // addresses must not be trusted: qemu-user), checked on a fresh mapping.
  if (stackpool.probed != stackGuardMadvise) return false;
  void* v = mmap(nullptr, 2 * physPageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  if (v == MAP_FAILED) throw_("runtime: out of memory: stackinit");
  struct iovec g = {v, physPageSize};
  struct iovec pop = {static_cast<char*>(v) + physPageSize, physPageSize};
  bool ok = sysAdviseBatch(&g, 1, MADV_GUARD_INSTALL) == physPageSize && stackAddrFaults(uintptr_t(v)) &&
            sysAdviseBatch(&pop, 1, MADV_POPULATE_WRITE) == physPageSize &&
            !stackAddrFaults(uintptr_t(v) + physPageSize);
  munmap(v, 2 * physPageSize);
  return ok;
}

// os_nonopenbsd.go: osStackAlloc (a no-op in Go on Linux)
// Installs the guard pages of a new span, the best way guardMode allows,
// moving guardMode down when a way fails or its budget is spent.
// stackpool.mu must be held.
void osStackAlloc(stackSpan* s) {
  uintptr_t guard0 = uintptr_t(s) + physPageSize;
  stackGuardKind k = guardMode.load(std::memory_order_relaxed);
  if (k == stackGuardMadvise && debug.madvguard == 0) {
    // GODEBUG=madvguard=0 (read after stackinit, so checked here).
    k = stackGuardMprotect;
    guardMode.store(k);
  }
  if (k == stackGuardMadvise) {
    // One call for the span's guards where the kernel takes a batch; the
    // loop below installs what it left (all of them without batchAdvise).
    uint32_t i0 = 0;
    if (batchAdvise && !stackpool.refuseMadvise) {
      struct iovec iov[stackSpanMaxStacks];
      for (uint32_t i = 0; i < s->nslots; i++)
        iov[i] = {reinterpret_cast<void*>(guard0 + uintptr_t(i) * s->slotsize), physPageSize};
      i0 = uint32_t(sysAdviseBatch(iov, s->nslots, MADV_GUARD_INSTALL) / physPageSize);
    }
    for (uint32_t i = i0; i < s->nslots; i++) {
      void* guard = reinterpret_cast<void*>(guard0 + uintptr_t(i) * s->slotsize);
      if (stackpool.refuseMadvise || madvise(guard, physPageSize, MADV_GUARD_INSTALL) != 0) {
        // Refused (EINVAL before Linux 6.13; ENOMEM): undo, fall back.
        for (uint32_t j = 0; j < i; j++)
          madvise(reinterpret_cast<void*>(guard0 + uintptr_t(j) * s->slotsize), physPageSize, MADV_GUARD_REMOVE);
        k = stackGuardMprotect;
        guardMode.store(k);
        break;
      }
    }
  }
  if (k == stackGuardMprotect) {
    bool testBudget = stackpool.testBudget >= 0;
    int64_t left = testBudget ? stackpool.testBudget : stackpool.mprotectGuardsLeft;
    uint32_t done = 0;
    if (left >= int64_t(s->nslots)) {
      for (; done < s->nslots; done++) {
        void* guard = reinterpret_cast<void*>(guard0 + uintptr_t(done) * s->slotsize);
        if (mprotect(guard, physPageSize, PROT_NONE) != 0) break;  // ENOMEM: out of mappings
      }
    }
    if (done == s->nslots) {
      if (testBudget) stackpool.testBudget -= s->nslots;
      stackpool.mprotectGuardsLeft -= s->nslots;
    } else {
      // Budget spent (or mprotect refused): no guards from now on.
      for (uint32_t j = 0; j < done; j++)
        mprotect(reinterpret_cast<void*>(guard0 + uintptr_t(j) * s->slotsize), physPageSize,
                 PROT_READ | PROT_WRITE);
      k = stackGuardNone;
      guardMode.store(k);
    }
  }
  s->guard = k;
}

// gort-only: maps a new span of n-byte stacks (Go: mheap_.allocManual, then
// osStackAlloc), from the current arena or, if full, a new one. All its
// stacks are free. stackpool.mu must be held.
stackSpan* stackSpanAlloc(uintptr_t n) {
  uintptr_t bytes = stackSpanBytes(n);
  uintptr_t base;
  if (bytes >= stackArenaBytes) {
    base = sysReserveAligned(bytes, bytes);
  } else {
    base = alignUp(stackpool.arenaNext, bytes);
    if (stackpool.arenaNext == 0 || base + bytes > stackpool.arenaEnd) {
      stackpool.arenaNext = sysReserveAligned(stackArenaBytes, stackArenaBytes);
      stackpool.arenaEnd = stackpool.arenaNext + stackArenaBytes;
      base = stackpool.arenaNext;
    }
    stackpool.arenaNext = base + bytes;
  }
  sysMap(base, bytes);

  auto* s = new (reinterpret_cast<void*>(base)) stackSpan{};
  s->magic = stackSpanMagic;
  s->stacksize = n;
  s->slotsize = n + physPageSize;
  s->nslots = uint32_t((bytes - physPageSize) / s->slotsize);
  if (s->nslots == 0 || s->nslots > stackSpanMaxStacks) throw_("stackSpanAlloc: bad span geometry");
  // Stacks are handed out from the span's low end up.
  for (uint32_t i = 0; i < s->nslots; i++) {
    s->freeidx[i] = uint16_t(s->nslots - 1 - i);
    s->slotfree[i] = true;
  }
  s->nfree = s->nslots;
  s->testGen = stackpool.testGen;
  osStackAlloc(s);
  return s;
}

// gort-only: the span holding the n-byte stack at lo, and the stack's index
// in it (Go: spanOfUnchecked). Reads only fields fixed at the span's birth,
// so it needs no lock.
stackSpan* spanOfStack(uintptr_t lo, uintptr_t n, uint32_t* idx) {
  uintptr_t bytes = stackSpanBytes(n);
  auto* s = reinterpret_cast<stackSpan*>(lo & ~(bytes - 1));
  uintptr_t first = uintptr_t(s) + 2 * physPageSize;
  if (lo < first || s->magic != stackSpanMagic || s->stacksize != n) throw_("freeing stack not in a stack span");
  uintptr_t off = lo - first;
  if (off % s->slotsize != 0 || off / s->slotsize >= s->nslots) throw_("freeing stack not in a stack span");
  *idx = uint32_t(off / s->slotsize);
  return s;
}

// gort-only: picks the best guard kind this kernel gives. MADV_GUARD_INSTALL
// counts only if the page then really faults: qemu-user accepts advice it
// does not know and ignores it.
stackGuardKind stackGuardProbe() {
  void* v = mmap(nullptr, 2 * physPageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  if (v == MAP_FAILED) throw_("runtime: out of memory: stackinit");
  stackGuardKind k = stackGuardMprotect;
  if (madvise(v, physPageSize, MADV_GUARD_INSTALL) == 0 && stackAddrFaults(uintptr_t(v)) &&
      !stackAddrFaults(uintptr_t(v) + physPageSize))
    k = stackGuardMadvise;
  munmap(v, 2 * physPageSize);
  if (k == stackGuardMprotect && stackpool.mprotectGuardsLeft <= 0) k = stackGuardNone;
  return k;
}

// gort-only: vm.max_map_count, or Linux's default if it can't be read.
int64_t readMaxMapCount() {
  int64_t n = 65530;
  int fd = open("/proc/sys/vm/max_map_count", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return n;
  char buf[32];
  ssize_t r = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (r > 0) {
    buf[r] = 0;
    char* end;
    long long v = strtoll(buf, &end, 10);
    if (end != buf && v > 0) n = v;
  }
  return n;
}

// gort-only: the per-P cache holds stacks of startingStackSize only; after
// SetMaxStack changed it, the cached stacks of the old size go back first.
// Executed only by the owner P.
void stackcacheSync(p* pp, uintptr_t n) {
  auto& c = pp->stackcache;
  if (c.stacksize == n) return;
  stackcache_clear(pp);
  c.stacksize = n;
}

// gort-only: the word of the free n-byte stack at x that links it into a
// P's cache: the lowest word of its top page, the page a goroutine's first
// frames take (the bottom page stays untouched: no canary in a guarded
// stack).
uintptr_t* stackLink(uintptr_t x, uintptr_t n) { return reinterpret_cast<uintptr_t*>(x + n - physPageSize); }

// gort-only: what stackalloc tells the sanitizers and valgrind (Go:
// racemalloc, msanmalloc, asanunpoison). A reused stack may carry ASan
// poison of a dead goroutine's frames.
void stackAllocHooks(uintptr_t x, uintptr_t n) {
#if defined(__SANITIZE_ADDRESS__)
  __asan_unpoison_memory_region(reinterpret_cast<void*>(x), n);
#endif
#if GORT_VALGRIND
  uint32_t i;
  stackSpan* s = spanOfStack(x, n, &i);
  s->vgid[i] = VALGRIND_STACK_REGISTER(x, x + n);
#endif
  (void)x;
  (void)n;
}

// gort-only: stackfree's twin of stackAllocHooks; also checks that the
// stack came from stackalloc.
void stackFreeHooks(uintptr_t x, uintptr_t n) {
  uint32_t i;
  stackSpan* s = spanOfStack(x, n, &i);
#if defined(__SANITIZE_ADDRESS__)
  __asan_unpoison_memory_region(reinterpret_cast<void*>(x), n);
#endif
#if GORT_VALGRIND
  VALGRIND_STACK_DEREGISTER(s->vgid[i]);
#endif
  (void)s;
}

}  // namespace

}  // namespace gort::runtime
