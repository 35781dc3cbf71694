// proc.cpp — the goroutine scheduler.
//
// Port of Go 1.19 src/runtime/proc.go, in proc.go's order, so the two can be
// read side by side. Each function opens with the line naming its Go origin.
//
// The main concepts are:
// G - goroutine.
// M - worker thread, or machine.
// P - processor, a resource that is required to execute Go code (here: to
//     run goroutines). An M must have an associated P to run goroutines;
//     it can be blocked or in a syscall without one.
//
// Design doc at https://golang.org/s/go11sched.
//
// Worker thread parking/unparking.
// The scheduler must keep enough threads running to use the hardware's
// parallelism, and park the rest to save CPU. Both are hard: the state is
// spread over per-P queues on purpose (no global predicate is cheap), and
// doing it well would need knowledge of the future. Go's answer, which
// gort keeps: when work is submitted and there is an idle P and no spinning
// M, wake one more M (wakep). A spinning M is one out of local work that is
// looking for more (stealing); it either finds work and, if it was the last
// spinner, wakes a new spinner, or it gives up and parks. Submission does
// "publish work; StoreLoad barrier; check nmspinning", and an M leaving the
// spinning state does "nmspinning--; StoreLoad barrier; re-check every
// queue", so one side or the other always notices the new work (wakep,
// resetspinning and findRunnable's re-check below).

#include <pthread.h>
#include <sys/auxv.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cxxabi.h>
#include <exception>
#include <vector>

#include "runtime/fiber_annotations.h"
#include "runtime/go.h"
#include "runtime/lock_futex.h"
#include "runtime/netpoll.h"
#include "runtime/os_linux.h"
#include "runtime/panic.h"
#include "runtime/preempt.h"
#include "runtime/proc.h"
#include "runtime/runtime1.h"
#include "runtime/sema.h"
#include "runtime/stack.h"
#include "runtime/stubs.h"
#include "runtime/syscall_linux.h"
#include "runtime/time.h"
#include "runtime/traceback.h"
#include "runtime/trace.h"

#if defined(__x86_64__)
#include "arch/amd64/asm_amd64.h"
#elif defined(__aarch64__)
#include "arch/arm64/asm_arm64.h"
#endif

namespace gort::runtime {

extern "C" {
__thread g* tls_g __attribute__((tls_model("initial-exec")));
}

m m0;
g g0;
m* allm;
p** allp;
int32_t allplen;
std::atomic<int32_t> gomaxprocs{0};
int32_t ncpu;
schedt sched;
bool mainStarted;

std::atomic<g*> allgs{nullptr};
std::atomic<int64_t> allglen{0};

// allpLock protects P-less reads and size changes of allp and the masks;
// it is taken by sysmon's retake and timeSleepUntil, which run without a P.
mutex allpLock;

namespace {
// The program's main function and its arguments (rt0_go stores them).
int (*main_main)(int, char**);
int argc_;
char** argv_;

// allgs is a list in creation order, appended under allglock.
mutex allglock;
g* allgtail;

// allp's backing array: Ps beyond gomaxprocs are kept for reuse, as Go's
// slice keeps its capacity.
int32_t allpcap;

// newprocs: the GOMAXPROCS value startTheWorld applies (0: no change).
int32_t newprocs;

// gort-only: arrays that readers without a lock may still hold (allp, the
// P masks, the steal order) are never freed when replaced; they are kept
// here, reachable, instead of leaked (Go's garbage collector frees them
// once no reader is left).
void retire(void* old) {
  static auto* retired = new std::vector<void*>;  // never destroyed
  if (old != nullptr) retired->push_back(old);
}

// pMask: one bit per P (proc.go: type pMask).
// gort: the words live behind an atomic pointer that procresize replaces
// (under sched.lock) while P-less Ms read it: loads are acquire, as Go's
// snapshot of the slice header is a read of a published slice; the bits
// themselves are read seq_cst, as Go's atomic.Load (proc.go:5639).
struct pMask {
  std::atomic<std::atomic<uint32_t>*> bits{nullptr};
  int32_t n = 0;  // words; written under sched.lock
  // proc.go: pMask.read
  bool read(int32_t id) const { return (bits.load(std::memory_order_acquire)[id / 32].load() >> (id % 32)) & 1; }
  // proc.go: pMask.set
  void set(int32_t id) { bits.load(std::memory_order_acquire)[id / 32].fetch_or(1u << (id % 32)); }
  // proc.go: pMask.clear
  void clear(int32_t id) { bits.load(std::memory_order_acquire)[id / 32].fetch_and(~(1u << (id % 32))); }
  // proc.go: procresize (the masks' growth, copying the old words)
  void resize(int32_t nprocs) {
    int32_t words = (nprocs + 31) / 32;
    if (words <= n) return;
    std::atomic<uint32_t>* old = bits.load(std::memory_order_relaxed);
    auto* nb = new std::atomic<uint32_t>[words];
    for (int32_t i = 0; i < words; i++) nb[i].store(i < n ? old[i].load() : 0);
    bits.store(nb, std::memory_order_release);
    retire(old);  // readers may still hold the old array
    n = words;
  }
};
// idlepMask is a bitmask of Ps in _Pidle, one bit per P; timerpMask marks
// Ps that may have timers. Reads may be stale; writes happen under
// sched.lock (proc.go: idlepMask, timerpMask).
pMask idlepMask;
pMask timerpMask;
}  // namespace

// ===========================================================================
// The bootstrap.
// ===========================================================================

// asm_amd64.s: rt0_go (the part after the OS hands over: the C++ caller is
// already on the main thread's stack with argc/argv).
// Sets up m0 and g0, then args, osinit, schedinit, newproc(runtime.main),
// mstart. Never returns: the process exits from runtime.main.
[[noreturn]] void rt0_go(int argc, char** argv, int (*mainfn)(int, char**)) {
  // g0 runs on the OS-provided main stack; record its bounds.
  pthread_attr_t attr;
  void* addr = nullptr;
  size_t size = 0;
  pthread_getattr_np(pthread_self(), &attr);
  pthread_attr_getstack(&attr, &addr, &size);
  pthread_attr_destroy(&attr);
  g0.stack.lo = uintptr_t(addr);
  g0.stack.hi = uintptr_t(addr) + size;
  g0.stackguard0 = g0.stack.lo + _StackGuard;

  // Set the per-goroutine and per-mach "registers".
  m0.g0 = &g0;
  g0.m = &m0;
  setg(&g0);

  argc_ = argc;
  argv_ = argv;
  main_main = mainfn;
  osinit();
  schedinit();

  // Create a new goroutine to start the program.
  static funcval mainPC{[](funcval*) {
    goentry_begin();
    main();
  }};
  newproc(&mainPC);

  // Start this M.
  mstart();
}

// proc.go: main
// The main goroutine: runs the program's main function and exits the
// process with its status, as Go's runtime.main exits with 0 after
// main.main returns. Other goroutines are not waited for.
void main() {
  g* gp = getg();
  if (gp->m != &m0) throw_("runtime.main not on m0");

  // Allow newproc to start new Ms.
  mainStarted = true;

  // gort: by now Go's runtime.main has run its init goroutines
  // (forcegchelper, bgsweep, bgscavenge: main parks for them, locked to m0)
  // and main.main starts with P0's schedtick at 5 under GOMAXPROCS=1
  // (tools/difftest's phase probe); gort has none and would start at 0,
  // off Go's phase of the 61-tick global-queue check. Count Go's five
  // slices (docs/differences.md). Before sysmon starts: until then P0's
  // schedtick is 0 (main came from runnext, inheriting the slice), equal
  // to the zero sysmontick retake starts from, so a first look would see
  // a slice running since time 0 and preempt main (Go has that window
  // until its init parks).
  m* mp = acquirem();
  ownedAdd(mp->p->schedtick, 5u);
  releasem(mp);

  systemstack([] { newm(sysmon, nullptr, -1); });

  // gort: Go's runtime.main, locked to m0 during initialization, parks in
  // gcenable for its init goroutines (bgsweep, bgscavenge): stoplockedm's
  // handoffp starts a new M for them, which hands the P back to m0
  // (startlockedm) and stops. So main.main starts with that M idle, and
  // the P's first hand-off (a locked goroutine's Gosched, a blocking
  // system call) wakes it instead of cloning a thread. gort has no init
  // goroutines; it starts that M idle (docs/differences.md).
  systemstack([] { newmIdle(); });

  int status = 0;
  bool goexited = false;
  try {
    status = main_main(argc_, argv_);
  } catch (const goexitUnwind&) {
    goexited = true;
  }
  // gort: any other exception is an unrecovered panic, reported at the
  // throw by panic.cpp's terminate handler.
  if (goexited) {
    // main called runtime::Goexit: the other goroutines go on; when the
    // last one ends checkdead reports "no goroutines (main called
    // runtime.Goexit) - deadlock!". (Outside the catch block, so the
    // thread's C++ exception state is clean.)
    goexit1();
  }

  // Make racy client program work: if panicking on another goroutine at
  // the same time as main returns, let the other goroutine finish
  // printing the panic trace. Once it does, it will exit. See issues 3934
  // and 20018. (gort: no runningPanicDefers wait: C++ unwinding runs
  // before the report, so nothing is "running panic defers" here.)
  if (panicking.load() != 0) gopark(nullptr, nullptr, waitReasonPanicWait);

  if (trace.enabled) traceShutdown();  // gort: the trace lasts until exit (Go: StopTrace)
  fflush(nullptr);
  exit(status);
}

// proc.go: Gosched
// Gosched yields the processor, allowing other goroutines to run. It does
// not suspend the current goroutine, so execution resumes automatically.
void Gosched() {
  checkNoG("runtime.Gosched");  // gort: misuse from outside a goroutine
  g* gp = getg();
  fiberLeave(gp, gp->m->g0);
  mcall(gosched_m);
  fiberArrive(getg());
}

// proc.go: gopark
// Puts the current goroutine into a waiting state and calls unlockf on the
// system stack. If unlockf returns false, the goroutine is resumed.
// Note that because unlockf is called after putting the G into a waiting
// state, the G may have already been readied by the time unlockf is called
// unless there is external synchronization preventing the G from being
// readied. If unlockf returns false, it must guarantee that the G cannot be
// externally readied. Reason explains why the goroutine has been parked.
void gopark(bool (*unlockf)(g*, void*), void* lock, waitReason reason) {
  checkNoG("gopark");  // gort: any other blocking entry point, from outside a goroutine
  m* mp = acquirem();
  g* gp = mp->curg;
  uint32_t status = readgstatus(gp);
  if (status != _Grunning) throw_("gopark: bad g status");
  mp->waitlock = lock;
  mp->waitunlockf = unlockf;
  gp->waitreason = reason;
  releasem(mp);
  // can't do anything that might move the G between Ms here.
  fiberLeave(gp, mp->g0);
  mcall(park_m);
  fiberArrive(getg());
}

// proc.go: goparkunlock
// Puts the current goroutine into a waiting state and unlocks the lock.
// The goroutine can be made runnable again by calling goready(gp).
void goparkunlock(mutex* lock, waitReason reason) { gopark(parkunlock_c, lock, reason); }

// proc.go: goready
void goready(g* gp) {
  systemstack([gp] { ready(gp, true); });
}

// proc.go: acquireSudog
// Takes a sudog from this P's cache, refilling it from the central cache
// (or the heap) when empty.
sudog* acquireSudog() {
  // Delicate dance: the semaphore implementation calls acquireSudog,
  // acquireSudog calls new(sudog), new calls malloc, malloc can call the
  // garbage collector, and the garbage collector calls the semaphore
  // implementation in stopTheWorld. Break the cycle by doing acquirem/
  // releasem around new(sudog). (gort: no GC, but acquirem also keeps
  // this g on its P while it uses the P's cache.)
  m* mp = acquirem();
  p* pp = mp->p;
  auto& cache = pp->sudogcache;
  constexpr int32_t cap = int32_t(sizeof(cache.buf) / sizeof(cache.buf[0]));
  if (cache.n == 0) {
    lock(&sched.sudoglock);
    // First, try to grab a batch from central cache.
    while (cache.n < cap / 2 && sched.sudogcache != nullptr) {
      sudog* s = sched.sudogcache;
      sched.sudogcache = s->next;
      s->next = nullptr;
      cache.buf[cache.n++] = s;
    }
    unlock(&sched.sudoglock);
    // If the central cache is empty, allocate a new one.
    if (cache.n == 0) cache.buf[cache.n++] = newobject<sudog>();
  }
  sudog* s = cache.buf[--cache.n];
  cache.buf[cache.n] = nullptr;
  if (s->elem != nullptr) throw_("acquireSudog: found s.elem != nil in cache");
  releasem(mp);
  return s;
}

// proc.go: releaseSudog
// Returns s to this P's cache, moving half of a full cache to the central
// one.
void releaseSudog(sudog* s) {
  if (s->elem != nullptr) throw_("runtime: sudog with non-nil elem");
  if (s->isSelect) throw_("runtime: sudog with non-false isSelect");
  if (s->next != nullptr) throw_("runtime: sudog with non-nil next");
  if (s->prev != nullptr) throw_("runtime: sudog with non-nil prev");
  if (s->waitlink != nullptr) throw_("runtime: sudog with non-nil waitlink");
  if (s->c != nullptr) throw_("runtime: sudog with non-nil c");
  g* gp = getg();
  if (gp->param != nullptr) throw_("runtime: releaseSudog with non-nil gp.param");
  m* mp = acquirem();  // avoid rescheduling to another P
  p* pp = mp->p;
  auto& cache = pp->sudogcache;
  constexpr int32_t cap = int32_t(sizeof(cache.buf) / sizeof(cache.buf[0]));
  if (cache.n == cap) {
    // Transfer half of local cache to the central cache.
    sudog* first = nullptr;
    sudog* last = nullptr;
    while (cache.n > cap / 2) {
      sudog* p1 = cache.buf[--cache.n];
      cache.buf[cache.n] = nullptr;
      if (first == nullptr)
        first = p1;
      else
        last->next = p1;
      last = p1;
    }
    lock(&sched.sudoglock);
    last->next = sched.sudogcache;
    sched.sudogcache = first;
    unlock(&sched.sudoglock);
  }
  cache.buf[cache.n++] = s;
  releasem(mp);
}

// proc.go: allgadd
void allgadd(g* gp) {
  if (readgstatus(gp) == _Gidle) throw_("allgadd: bad status Gidle");
  lock(&allglock);
  if (allgtail == nullptr)
    allgs.store(gp, std::memory_order_release);
  else
    allgtail->alllink = gp;
  allgtail = gp;
  allglen.fetch_add(1);
  unlock(&allglock);
}

// proc.go: fastrandinit (defined below, after mcommoninit, in proc.go's order)
static void fastrandinit();

// proc.go: schedinit
// The bootstrap sequence is: osinit, schedinit, make & queue new G (main),
// call mstart. The new G calls runtime.main.
void schedinit() {
  g* gp = getg();
  sched.maxmcount = 10000;

  stackinit();
  fastrandinit();  // must run before mcommoninit
  mcommoninit(gp->m, -1);
  sigsave(&gp->m->sigmask);
  initSigmask = gp->m->sigmask;

  goenvs();
  parsedebugvars();
  if (tracefile != nullptr) traceinit(tracefile);  // gort: GORT_TRACE (Go: runtime/trace.Start)
  preemptinit();
  syscallinit();  // gort: the interposed blocking libc calls (syscall_linux.cpp)
  // gort: the symbolizer and the terminate handler (uncaught exceptions
  // are Go's unrecovered panics) are ready before any goroutine runs.
  tracebackinit();
  panicinit();
  fiberinit();  // gort: LeakSanitizer scans live goroutine stacks at exit

  lock(&sched.lock);
  sched.lastpoll.store(nanotime());
  int32_t procs = ncpu;
  int32_t n = 0;
  if (gogetenvInt("GOMAXPROCS", &n) && n > 0) procs = n;
  if (procresize(procs) != nullptr) throw_("unknown runnable goroutine during bootstrap");
  unlock(&sched.lock);
}

// proc.go: checkmcount
// Dies in Go's words when more Ms exist than sched.maxmcount allows.
// sched.lock must be held.
static void checkmcount() {
  assertLockHeld(&sched.lock);
  if (mcount() > sched.maxmcount) {
    fprintf(stderr, "runtime: program exceeds %d-thread limit\n", sched.maxmcount);
    throw_("thread exhaustion");
  }
}

// proc.go: mReserveID. Returns the next M ID. sched.lock must be held.
static int64_t mReserveID() {
  assertLockHeld(&sched.lock);
  if (sched.mnext + 1 < sched.mnext) throw_("runtime: thread ID overflow");
  int64_t id = sched.mnext;
  sched.mnext++;
  checkmcount();
  return id;
}

// alg.go: int64Hash
// Through memhash64Fallback and mix (hash64.go); gort has no hashkey, so
// its word is taken as 0.
static uint64_t int64Hash(uint64_t i, uint64_t seed) {
  constexpr uint64_t m1 = 0xa0761d6478bd642fULL, m2 = 0xe7037ed1a0b428dbULL, m5 = 0x1d8e4e27c47d124fULL;
  auto mix = [](uint64_t a, uint64_t b) {
    unsigned __int128 r = (unsigned __int128)a * b;
    return uint64_t(r >> 64) ^ uint64_t(r);
  };
  return mix(m5 ^ 8, mix(i ^ m2, i ^ seed ^ m1));
}

// proc.go: fastrandseed
static uint64_t fastrandseed;

// proc.go: fastrandinit
// Seeds every M's fastrand from the kernel's 16 random bytes (AT_RANDOM, the
// same startupRandomData Go's getRandomData reads on Linux).
static void fastrandinit() {
  const void* r = reinterpret_cast<const void*>(getauxval(AT_RANDOM));
  if (r != nullptr) memcpy(&fastrandseed, r, sizeof fastrandseed);
}

// proc.go: mcommoninit
// Pre-allocated ID may be passed as 'id', or omitted by passing -1.
void mcommoninit(m* mp, int64_t id) {
  lock(&sched.lock);
  mp->id = id >= 0 ? id : mReserveID();

  // gort: Go hashes cputicks(); gort's cputicks is nanotime (sema.cpp).
  uint32_t lo = uint32_t(int64Hash(uint64_t(mp->id), fastrandseed));
  uint32_t hi = uint32_t(int64Hash(uint64_t(nanotime()), ~fastrandseed));
  if ((lo | hi) == 0) hi = 1;
  mp->fastrand = uint64_t(hi) << 32 | uint64_t(lo);

  mpreinit(mp);

  // Add to allm so garbage collector doesn't free g->m
  // when it is just in a register or thread-local storage.
  mp->alllink = allm;

  // sigthrow's GOTRACEBACK=crash relay walks allm without the
  // lock, so publish it safely (Go: atomicstorep).
  std::atomic_ref<m*>(allm).store(mp, std::memory_order_release);
  unlock(&sched.lock);
}

// proc.go: ready
// Mark gp ready to run: it goes to this P's runnext and may wake a P.
void ready(g* gp, bool next) {
  if (trace.enabled) traceGoUnpark(gp);
  uint32_t status = readgstatus(gp);

  // Mark runnable.
  g* _g_ = getg();
  m* mp = acquirem();  // disable preemption because it can be holding p in a local var
  if ((status & ~_Gscan) != _Gwaiting) throw_("bad g->status in ready");

  // status is Gwaiting or Gscanwaiting, make Grunnable and put on runq
  casgstatus(gp, _Gwaiting, _Grunnable);
  runqput(_g_->m->p, gp, next);
  wakep();
  releasem(mp);
}

// proc.go: readgstatus
uint32_t readgstatus(g* gp) { return gp->atomicstatus.load(std::memory_order_acquire); }

// gort-only: the transitions casgstatus accepts, read off every casgstatus
// call site of Go 1.19 (reference/go-runtime.md §2.2). Go checks only for
// scan bits and old == new; gort names both ends of any other transition.
// A row per `from` status, a bit per `to` status: one load and a shift, no
// jump table (a switch here compiled to an indirect jump on every status
// change, which alternates between _Grunning and _Grunnable rows).
static bool gstatusTransitionAllowed(uint32_t from, uint32_t to) {
  constexpr auto bit = [](uint32_t s) { return static_cast<uint16_t>(1u << s); };
  static constexpr uint16_t allowedTo[] = {
      bit(_Gdead),                                                  // _Gidle: newproc1
      bit(_Grunning),                                               // _Grunnable: execute
      static_cast<uint16_t>(bit(_Grunnable) | bit(_Gwaiting) |      // _Grunning: gosched/park/
                            bit(_Gsyscall) | bit(_Gdead)),          //   syscall; goexit0
      static_cast<uint16_t>(bit(_Grunning) | bit(_Grunnable) |      // _Gsyscall: exitsyscall(0);
                            bit(_Gdead)),                           //   dropm
      static_cast<uint16_t>(bit(_Grunnable) | bit(_Grunning)),      // _Gwaiting: ready; STW helpers
      0,                                                            // _Gmoribund_unused
      static_cast<uint16_t>(bit(_Grunnable) | bit(_Gsyscall)),      // _Gdead: newproc1; needm
  };
  static_assert(_Gidle == 0 && _Grunnable == 1 && _Grunning == 2 && _Gsyscall == 3 && _Gwaiting == 4 &&
                    _Gdead == 6,
                "allowedTo is indexed by Go's status numbers");
  return from < sizeof(allowedTo) / sizeof(allowedTo[0]) && to < 16 && ((allowedTo[from] >> to) & 1) != 0;
}

// traceback.go: gStatusStrings. With Go's names of the status constants.
static const char* gStatusName(uint32_t s) {
  static const char* const names[] = {"_Gidle",  "_Grunnable", "_Grunning",    "_Gsyscall",  "_Gwaiting",
                                      "_Gmoribund_unused", "_Gdead", "_Genqueue_unused", "_Gcopystack",
                                      "_Gpreempted"};
  return s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

// proc.go: casgstatus
// If asked to move to or from a Gscanstatus this will throw. Use
// castogscanstatus and casfrom_Gscanstatus instead. casgstatus will loop if
// the g->atomicstatus is in a Gscan status until the routine that put it in
// the Gscan state is finished (gort has no GC, so it never is).
void casgstatus(g* gp, uint32_t oldval, uint32_t newval) {
  if ((oldval & _Gscan) || (newval & _Gscan) || oldval == newval ||
      !gstatusTransitionAllowed(oldval, newval)) {
    fprintf(stderr, "runtime: casgstatus: oldval=%s newval=%s (goroutine %lld)\n", gStatusName(oldval),
            gStatusName(newval), static_cast<long long>(gp->goid));
    throw_("casgstatus: bad incoming values");
  }
  uint32_t cur = oldval;
  if (!gp->atomicstatus.compare_exchange_strong(cur, newval, std::memory_order_acq_rel)) {
    if (oldval == _Gwaiting && cur == _Grunnable) throw_("casgstatus: waiting for Gwaiting but is Grunnable");
    fprintf(stderr, "runtime: casgstatus %s->%s: goroutine %lld is in %s\n", gStatusName(oldval),
            gStatusName(newval), static_cast<long long>(gp->goid), gStatusName(cur));
    throw_("casgstatus: bad status");
  }
}

// proc.go: worldsema
// Holding worldsema grants an M the right to try to stop the world.
std::atomic<uint32_t> worldsema{1};

// proc.go: stopTheWorld
// stopTheWorld stops all P's from executing goroutines, interrupting all
// goroutines at safe points, and records reason as the reason for the
// stop. On return, only the current goroutine's P is running.
// stopTheWorld must not be called from a system stack and the caller must
// not hold worldsema. The caller must call startTheWorld when other P's
// should resume execution.
void stopTheWorld(const char* reason) {
  semacquire(&worldsema);
  g* gp = getg();
  gp->m->preemptoff = reason;
  systemstack([gp] {
    // Mark the goroutine which called stopTheWorld preemptible so its
    // stack may be scanned (Go's GC needs this; gort keeps the states).
    casgstatus(gp, _Grunning, _Gwaiting);
    stopTheWorldWithSema();
    casgstatus(gp, _Gwaiting, _Grunning);
  });
}

// proc.go: startTheWorld
// startTheWorld undoes the effects of stopTheWorld.
void startTheWorld() {
  systemstack([] { startTheWorldWithSema(); });
  // worldsema must be held over startTheWorldWithSema to ensure
  // gomaxprocs cannot change while worldsema is held.
  //
  // Release worldsema with direct handoff to the next waiter, but
  // acquirem so that semrelease1 doesn't try to yield our time.
  //
  // Otherwise if e.g. ReadMemStats is being called in a loop, it might
  // stomp on other attempts to stop the world, such as for starting or
  // ending GC. The operation this blocks is so heavy-weight that we
  // should just try to be as fair as possible here.
  //
  // We don't want to just allow us to get preempted between now and
  // releasing the semaphore because then we keep everyone (including,
  // for example, GCs) waiting longer.
  m* mp = acquirem();
  mp->preemptoff = nullptr;
  semrelease1(&worldsema, true, 0);
  releasem(mp);
}

// proc.go: stopTheWorldWithSema
// The core implementation of stopTheWorld. The caller is responsible for
// acquiring worldsema and disabling preemption first, and then should
// call stopTheWorldWithSema on the system stack. Every other P ends in
// _Pgcstop: idle ones at once, ones in syscalls by a CAS, running ones
// when their M next enters the scheduler (gcstopm) or exits a syscall.
// gort: a goroutine that never calls into the runtime holds the world up
// until preemption lands (preemption issue); preemptall only sets flags.
void stopTheWorldWithSema() {
  g* _g_ = getg();

  // If we hold a lock, then we won't be able to stop another M that is
  // blocked trying to acquire the lock.
  if (_g_->m->locks > 0) throw_("stopTheWorld: holding locks");

  lock(&sched.lock);
  sched.stopwait = gomaxprocs.load();
  sched.gcwaiting.store(1);
  preemptall();
  // stop current P
  _g_->m->p->status.store(_Pgcstop);  // Pgcstop is only diagnostic.
  sched.stopwait--;
  // try to retake all P's in Psyscall status
  for (int32_t i = 0; i < allplen; i++) {
    p* pp = allp[i];
    uint32_t s = _Psyscall;
    if (pp->status.load() == _Psyscall && pp->status.compare_exchange_strong(s, _Pgcstop)) {
      if (trace.enabled) { traceGoSysBlock(pp); traceProcStop(pp); }
      pp->syscalltick++;
      sched.stopwait--;
    }
  }
  // stop idle P's
  int64_t now = nanotime();
  for (;;) {
    p* pp = pidleget(now);
    if (pp == nullptr) break;
    pp->status.store(_Pgcstop);
    sched.stopwait--;
  }
  bool wait = sched.stopwait > 0;
  unlock(&sched.lock);

  // wait for remaining P's to stop voluntarily
  if (wait) {
    for (;;) {
      // wait for 100us, then try to re-preempt in case of any races
      if (notetsleep(&sched.stopnote, 100 * 1000)) {
        noteclear(&sched.stopnote);
        break;
      }
      preemptall();
    }
  }

  // sanity checks
  const char* bad = nullptr;
  if (sched.stopwait != 0) {
    bad = "stopTheWorld: not stopped (stopwait != 0)";
  } else {
    for (int32_t i = 0; i < allplen; i++)
      if (allp[i]->status.load() != _Pgcstop) bad = "stopTheWorld: not stopped (status != _Pgcstop)";
  }
  if (bad != nullptr) throw_(bad);
}

// proc.go: startTheWorldWithSema
// Applies a pending GOMAXPROCS change (procresize), then hands every P
// with work to an M (waking idle ones, creating new ones) and wakes one
// more spinning M.
int64_t startTheWorldWithSema() {
  m* mp = acquirem();  // disable preemption because it can be holding p in a local var
  if (netpollinited()) {
    gList list = netpoll(0);  // non-blocking
    injectglist(&list);
  }

  lock(&sched.lock);
  int32_t procs = gomaxprocs.load();
  if (newprocs != 0) {
    procs = newprocs;
    newprocs = 0;
  }
  p* p1 = procresize(procs);
  sched.gcwaiting.store(0);
  if (sched.sysmonwait.load() != 0) {
    sched.sysmonwait.store(0);
    notewakeup(&sched.sysmonnote);
  }
  unlock(&sched.lock);

  while (p1 != nullptr) {
    p* pp = p1;
    p1 = p1->link;
    if (pp->m != nullptr) {
      m* nmp = pp->m;
      pp->m = nullptr;
      if (nmp->nextp != nullptr) throw_("startTheWorld: inconsistent mp->nextp");
      nmp->nextp = pp;
      notewakeup(&nmp->park);
    } else {
      // Start M to run P. Do not start another M below.
      newm(nullptr, pp, -1);
    }
  }

  // Capture start-the-world time before doing clean-up tasks.
  int64_t startTime = nanotime();

  // Wakeup an additional proc in case we have excessive runnable goroutines
  // in local queues or in the global queue. If we don't, the proc will park
  // itself. If we have lots of excessive work, resetspinning will unpark
  // additional procs as necessary.
  wakep();

  releasem(mp);
  return startTime;
}

// proc.go: mstart0
// mstart is the entry-point for new Ms (asm_<arch>.S), and mstart0 is its
// C++ half. It must not return: it hands off to mstart1, which schedules.
extern "C" [[noreturn]] GORT_NEVER_RETURNS void mstart0() {
  g* gp = getg();
  // gort: Go computes g0's bounds here when the OS gave the stack (lo ==
  // 0); gort's newm and rt0_go always set them, so lo == 0 is a bug.
  if (gp->stack.lo == 0) throw_("mstart0: g0 has no stack bounds");
  // Initialize stack guard so that we can start calling regular functions.
  gp->stackguard0 = gp->stack.lo + _StackGuard;
  mstart1();
}

// proc.go: mstart1
// Records where every mcall and systemstack starts g0's stack, then runs
// the scheduler. Must run on g0. Never returns.
// gort: Go's g0.sched.pc lets a locked goroutine's exit gogo back into
// mstart0 and return the thread to the OS; gort's goexit0 calls mexit
// directly on g0 instead (many-M scheduler), so only sp is used.
[[noreturn]] __attribute__((noinline)) GORT_NEVER_RETURNS void mstart1() {
  g* gp = getg();
  if (gp != gp->m->g0) throw_("bad runtime·mstart");

  // Set up m.g0.sched as Go does: sp is the caller's sp at the call of
  // mstart1, and every mcall and systemstack restarts g0's stack from it
  // (16-byte aligned: it is a call site's sp). pc is only recorded: in
  // Go, goexit0 jumps there to return into mstart0; in gort mstart0's
  // call to mstart1 never returns ([[noreturn]]), so nothing may jump
  // to it.
  gp->sched.g = gp;
  gp->sched.pc = GORT_GETCALLERPC();
  gp->sched.sp = GORT_GETCALLERSP();
  // gort: an extra check: the asm switches assume an aligned g0 sp.
  if (gp->sched.sp % StackAlign != 0) throw_("mstart1: misaligned g0 stack");

  minit();

  // Install signal handlers; after minit so that minit can prepare the
  // thread to be able to handle the signals.
  if (gp->m == &m0) {
    // proc.go: mstartm0
    initsig();
  }
#if GORT_TSAN
  gp->tsanFiber = gp->m->tsanThreadFiber = __tsan_get_current_fiber();
#endif

  if (gp->m->mstartfn != nullptr) gp->m->mstartfn();

  if (gp->m != &m0) {
    acquirep(gp->m->nextp);
    gp->m->nextp = nullptr;
  }
  schedule();
}

// proc.go: mPark
// Parks this M until another M hands it work through m.nextp and wakes it.
// Must run on g0.
void mPark() {
  g* gp = getg();
  notesleep(&gp->m->park);
  noteclear(&gp->m->park);
}

// proc.go: mexit
// mexit tears down and exits the current thread.
// Don't call this directly to exit the thread, since it must run at the
// top of the thread stack. (gort: goexit0 calls it on g0 for a g that
// exited while locked to its thread; the thread then leaves through
// pthread_exit, whose forced unwinding finds no more frames past the g0
// frames mcall started, and glibc then returns into its thread start.)
// Must run on g0. Never returns.
[[noreturn]] GORT_NEVER_RETURNS void mexit(bool) {
  g* _g_ = getg();
  m* mp = _g_->m;

  if (mp == &m0) {
    // This is the main thread. Just wedge it.
    //
    // On Linux, exiting the main thread puts the process into a
    // non-waitable zombie state. On Plan 9, exiting the main thread
    // unblocks wait even though other threads are still running. On
    // Solaris we can neither exitThread nor return from mstart. Other
    // bad things probably happen on other platforms.
    //
    // We could try to clean up this M more before wedging it, but that
    // requires a lot of care to ensure nothing else (like the tracer)
    // gets confused.
    handoffp(releasep());
    lock(&sched.lock);
    sched.nmfreed++;
    checkdead();
    unlock(&sched.lock);
    mPark();
    throw_("locked m0 woke up");
  }

  sigblock(true);
  unminit();

  // Free the gsignal stack.
  if (mp->gsignal != nullptr) {
    stackfree(mp->gsignal->stack);
    delete mp->gsignal;  // gort: no GC; the signal g is on no list
    mp->gsignal = nullptr;
  }

  // Remove m from allm. (gort: the m itself is never freed, so a reader
  // walking allm without the lock may still step through it.)
  lock(&sched.lock);
  bool found = false;
  for (m** pprev = &allm; *pprev != nullptr; pprev = &(*pprev)->alllink) {
    if (*pprev == mp) {
      *pprev = mp->alllink;
      found = true;
      break;
    }
  }
  if (!found) throw_("m not found in allm");
  // Delay reaping m until it's done with the stack. (gort: the m stays on
  // sched.freem for good; pthread frees the stack itself.)
  mp->freelink = sched.freem;
  sched.freem = mp;
  unlock(&sched.lock);

  // Release the P.
  handoffp(releasep());
  // After this point we must not have write barriers.

  // Invoke the deadlock detector. This must happen after handoffp because
  // it may have started a new M to take our P's work.
  lock(&sched.lock);
  sched.nmfreed++;
  checkdead();
  unlock(&sched.lock);

  fiberThreadExit(mp);
  exitThread();
}

// proc.go: allocm
// Allocate a new m unassociated with any thread. fn is recorded as the
// new m's m.mstartfn. id is optional pre-allocated m ID. Omit by passing -1.
// gort: Go borrows a P here for its allocator and frees the g0 stacks of
// exited Ms (sched.freem); C++'s new needs neither, and an exited M's
// stack is freed by pthread itself.
m* allocm(p*, void (*fn)(), int64_t id) {
  acquirem();
  m* mp = newobject<m>();
  mp->mstartfn = fn;
  mcommoninit(mp, id);
  // gort: g0 runs on the stack pthread_create allocates (Go: malg(-1)
  // where the OS allocates M stacks); mstart_pthread records its bounds.
  mp->g0 = malg(-1);
  mp->g0->m = mp;
  releasem(getg()->m);
  return mp;
}

// proc.go: newmHandoff
// newmHandoff contains a list of m structures that need new OS threads.
// This is used by newm in situations where newm itself can't safely
// start an OS thread.
struct newmHandoffT {
  mutex lock;
  // newm points to a list of M structures that need new OS threads. The
  // list is linked through m.schedlink.
  m* newm = nullptr;
  // waiting indicates that wake needs to be notified when an m is put on
  // the list.
  bool waiting = false;
  note wake;
  // haveTemplateThread indicates that the templateThread has been
  // started. This is not protected by lock. Use cas to set to 1.
  std::atomic<uint32_t> haveTemplateThread{0};
};
newmHandoffT newmHandoff;

// proc.go: newm
// Create a new m. It will start off with a call to fn, or else the
// scheduler. fn needs to be static and not a heap allocated closure.
// id is optional pre-allocated m ID. Omit by passing -1.
// May run with m.p==nil, so write barriers are not allowed.
void newm(void (*fn)(), p* pp, int64_t id) {
  acquirem();
  m* mp = allocm(pp, fn, id);
  mp->nextp = pp;
  mp->sigmask = initSigmask;
  if (g* gp = getg(); gp != nullptr && gp->m != nullptr && gp->m->lockedExt != 0) {
    // We're on a locked M. The kernel state of this thread may be strange
    // (the user may have locked it for that purpose: CPU affinity, a
    // namespace, credentials). We don't want to clone that into another
    // thread. Instead, ask a known-good thread to create the thread for
    // us. (gort: Go also does this on a thread started by C, m.incgo.)
    lock(&newmHandoff.lock);
    if (newmHandoff.haveTemplateThread.load() == 0) throw_("on a locked thread with no template thread");
    mp->schedlink = newmHandoff.newm;
    newmHandoff.newm = mp;
    if (newmHandoff.waiting) {
      newmHandoff.waiting = false;
      notewakeup(&newmHandoff.wake);
    }
    unlock(&newmHandoff.lock);
    // The M has not started yet, but the template thread does not
    // participate in STW, so it will always process queued Ms and it is
    // safe to releasem.
    releasem(getg()->m);
    return;
  }
  newm1(mp);
  releasem(getg()->m);
}

// proc.go: newm1
// gort: Go holds execLock so no exec happens while a thread is cloned;
// gort has no exec wrapper to race with.
void newm1(m* mp) { newosproc(mp); }

// proc.go: startTemplateThread
// startTemplateThread starts the template thread if it is not already
// running. The calling thread must itself be in a known-good state.
void startTemplateThread() {
  // Disable preemption to guarantee that the template thread will be
  // created before a park once haveTemplateThread is set.
  m* mp = acquirem();
  uint32_t zero = 0;
  if (!newmHandoff.haveTemplateThread.compare_exchange_strong(zero, 1)) {
    releasem(mp);
    return;
  }
  newm(templateThread, nullptr, -1);
  releasem(mp);
}

// proc.go: templateThread
void templateThread() {
  // templateThread is a thread in a known-good state that exists solely to
  // start new threads in known-good states when the calling thread may not
  // be in a good state. Many programs never need this, so templateThread is
  // started lazily when we first enter a state that might lead to running
  // on a thread in an unknown state. It runs on an M without a P, and never
  // returns.
  lock(&sched.lock);
  sched.nmsys++;
  checkdead();
  unlock(&sched.lock);

  for (;;) {
    lock(&newmHandoff.lock);
    while (newmHandoff.newm != nullptr) {
      m* newm = newmHandoff.newm;
      newmHandoff.newm = nullptr;
      unlock(&newmHandoff.lock);
      while (newm != nullptr) {
        m* next = newm->schedlink;
        newm->schedlink = nullptr;
        newm1(newm);
        newm = next;
      }
      lock(&newmHandoff.lock);
    }
    newmHandoff.waiting = true;
    noteclear(&newmHandoff.wake);
    unlock(&newmHandoff.lock);
    notesleep(&newmHandoff.wake);
  }
}

// proc.go: stopm
// Stops execution of the current m until new work is available.
// Returns with acquired P.
void stopm() {
  g* gp = getg();
  if (gp->m->locks != 0) throw_("stopm holding locks");
  if (gp->m->p != nullptr) throw_("stopm holding p");
  if (gp->m->spinning) throw_("stopm spinning");

  lock(&sched.lock);
  mput(gp->m);
  unlock(&sched.lock);
  mPark();
  acquirep(gp->m->nextp);
  gp->m->nextp = nullptr;
}

// proc.go: mspinning
// The mstartfn of an M started to spin: startm's caller incremented
// nmspinning. Set the new M's spinning.
void mspinning() { getg()->m->spinning = true; }

// proc.go: startm
// Schedules some M to run the p (creates an M if necessary). If p==nil,
// tries to get an idle P, if no idle P's does nothing.
// May run with m.p==nil, so write barriers are not allowed.
// If spinning is set, the caller has incremented nmspinning and startm will
// either decrement nmspinning or set m.spinning in the newly started M.
// Callers passing a non-nil P must call from a non-preemptible context.
void startm(p* _p_, bool spinning) {
  // Disable preemption. Every owned P must have an owner that will
  // eventually stop it in the event of a GC stop request. startm takes
  // transitory ownership of a P (either from argument or pidleget below)
  // and transfers ownership to a started M, which will be responsible for
  // performing the stop.
  m* mp = acquirem();
  lock(&sched.lock);
  if (_p_ == nullptr) {
    _p_ = pidleget(0);
    if (_p_ == nullptr) {
      unlock(&sched.lock);
      if (spinning) {
        // The caller incremented nmspinning, but there are no idle Ps,
        // so it's okay to just undo the increment and give up.
        if (int32_t(sched.nmspinning.fetch_sub(1) - 1) < 0) throw_("startm: negative nmspinning");
      }
      releasem(mp);
      return;
    }
  }
  m* nmp = mget();
  if (nmp == nullptr) {
    // No M is available, we must drop sched.lock and call newm. However,
    // we already own a P to assign to the M. Once sched.lock is released,
    // another G (e.g., in a syscall), could find no idle P while checkdead
    // finds a runnable G but no running M's because this new M hasn't
    // started yet, thus throwing in an apparent deadlock. Avoid this
    // situation by pre-allocating the ID for the new M, thus marking it as
    // 'running' before we drop sched.lock. This new M will eventually run
    // the scheduler to execute any queued G's.
    int64_t id = mReserveID();
    unlock(&sched.lock);

    void (*fn)() = nullptr;
    if (spinning) {
      // The caller incremented nmspinning, so set m.spinning in the new M.
      fn = mspinning;
    }
    newm(fn, _p_, id);
    // Ownership transfer of _p_ committed by start in newm.
    // Preemption is now safe.
    releasem(mp);
    return;
  }
  unlock(&sched.lock);
  if (nmp->spinning) throw_("startm: m is spinning");
  if (nmp->nextp != nullptr) throw_("startm: m has p");
  if (spinning && !runqempty(_p_)) throw_("startm: p has runnable gs");
  // The caller incremented nmspinning, so set m.spinning in the new M.
  nmp->spinning = spinning;
  nmp->nextp = _p_;
  notewakeup(&nmp->park);
  // Ownership transfer of _p_ committed by wakeup. Preemption is now safe.
  releasem(mp);
}

// proc.go: handoffp
// Hands off P from syscall or locked M. Always runs without a P, so write
// barriers are not allowed.
void handoffp(p* _p_) {
  // handoffp must start an M in any situation where findRunnable would
  // return a G to run on _p_.
  if (trace.enabled) traceHandoffP(_p_);  // gort-only event

  // if it has local work, start it straight away
  if (!runqempty(_p_) || sched.runqsize != 0) {
    startm(_p_, false);
    return;
  }
  // gort: Go also starts an M here for the trace reader and for GC mark
  // work; gort has neither.

  // no local work, check that there are no spinning/idle M's,
  // otherwise our help is not required
  uint32_t zero = 0;
  if (sched.nmspinning.load() + sched.npidle.load() == 0 && sched.nmspinning.compare_exchange_strong(zero, 1)) {
    startm(_p_, true);
    return;
  }
  lock(&sched.lock);
  if (sched.gcwaiting.load() != 0) {
    _p_->status.store(_Pgcstop);
    sched.stopwait--;
    if (sched.stopwait == 0) notewakeup(&sched.stopnote);
    unlock(&sched.lock);
    return;
  }
  // gort: Go runs a pending safe-point function (forEachP, used by the GC)
  // here; gort has no forEachP.
  if (sched.runqsize != 0) {
    unlock(&sched.lock);
    startm(_p_, false);
    return;
  }
  // If this is the last running P and nobody is polling network, need to
  // wakeup another M to poll network.
  if (sched.npidle.load() == uint32_t(gomaxprocs.load() - 1) && sched.lastpoll.load() != 0) {
    unlock(&sched.lock);
    startm(_p_, false);
    return;
  }

  // The scheduler lock cannot be held when calling wakeNetPoller below
  // because wakeNetPoller may call wakep which may call startm.
  int64_t when = nobarrierWakeTime(_p_);
  pidleput(_p_, 0);
  unlock(&sched.lock);

  if (when != 0) wakeNetPoller(when);
}

// proc.go: wakep
// Tries to add one more P to execute G's. Called when a G is made
// runnable (newproc, ready).
void wakep() {
  // The submission side of the "delicate dance" (see findRunnable): the
  // work the caller published must be ordered before the loads below.
  // gort: no fence here; each caller orders it with a seq_cst operation:
  // ready and newproc publish by runqput's seq_cst CAS of runnext,
  // resetspinning by its nmspinning decrement, wakeNetPoller fences
  // (startTheWorld publishes nothing a spinning M races with).
  if (sched.npidle.load() == 0) return;
  // be conservative about spinning threads
  uint32_t zero = 0;
  if (sched.nmspinning.load() != 0 || !sched.nmspinning.compare_exchange_strong(zero, 1)) return;
  startm(nullptr, true);
}

// proc.go: stoplockedm
// Stops execution of the current m that is locked to a g until the g is
// runnable again. Returns with acquired P.
void stoplockedm() {
  g* _g_ = getg();

  if (_g_->m->lockedg == nullptr || _g_->m->lockedg->lockedm != _g_->m) throw_("stoplockedm: inconsistent locking");
  if (_g_->m->p != nullptr) {
    // Schedule another M to run this p.
    p* _p_ = releasep();
    handoffp(_p_);
  }
  incidlelocked(1);
  // Wait until another thread schedules lockedg again.
  mPark();
  uint32_t status = readgstatus(_g_->m->lockedg);
  if ((status & ~_Gscan) != _Grunnable) {
    fprintf(stderr, "runtime:stoplockedm: lockedg (atomicstatus=%u) is not Grunnable or Gscanrunnable\n", status);
    throw_("stoplockedm: not runnable");
  }
  acquirep(_g_->m->nextp);
  _g_->m->nextp = nullptr;
}

// proc.go: startlockedm
// Schedules the locked m to run the locked gp. May run during STW, so
// write barriers are not allowed.
void startlockedm(g* gp) {
  g* _g_ = getg();

  m* mp = gp->lockedm;
  if (mp == _g_->m) throw_("startlockedm: locked to me");
  if (mp->nextp != nullptr) throw_("startlockedm: m has p");
  // directly handoff current P to the locked m
  incidlelocked(-1);
  p* _p_ = releasep();
  mp->nextp = _p_;
  notewakeup(&mp->park);
  stopm();
}

// proc.go: gcstopm
// Stops the current m for stopTheWorld. Returns when the world is
// restarted.
void gcstopm() {
  g* _g_ = getg();

  if (sched.gcwaiting.load() == 0) throw_("gcstopm: not waiting for gc");
  if (_g_->m->spinning) {
    _g_->m->spinning = false;
    // OK to just drop nmspinning here, startTheWorld will unpark threads
    // as necessary.
    if (int32_t(sched.nmspinning.fetch_sub(1) - 1) < 0) throw_("gcstopm: negative nmspinning");
  }
  p* _p_ = releasep();
  lock(&sched.lock);
  _p_->status.store(_Pgcstop);
  sched.stopwait--;
  if (sched.stopwait == 0) notewakeup(&sched.stopnote);
  unlock(&sched.lock);
  stopm();
}

// proc.go: execute
// Schedules gp to run on the current M. If inheritTime is true, gp
// inherits the remaining time in the current time slice. Otherwise, it
// starts a new time slice. Never returns.
// Write barriers are allowed because this is called immediately after
// acquiring a P in several places (Go's note; gort has no write barriers).
// Must run on g0.
[[noreturn]] GORT_NEVER_RETURNS static void executeImpl(g* gp, bool inheritTime) {
  g* _g_ = getg();
  // gort: an extra check (Go trusts its callers): running execute on a
  // goroutine's stack would switch away from a frame nothing resumes.
  if (_g_ != _g_->m->g0) throw_("execute: not on g0");

  // Assign gp.m before entering _Grunning so running Gs have an M.
  // gort: Go stores m.curg, gp.preempt and gp.stackguard0 plainly; they
  // are atomics only because sysmon (preemptone), tracebacks and the
  // tracer read them from other threads without a lock. No reader needs
  // them ordered with anything but the status CAS below, which is a full
  // barrier, so: curg is a release store (a plain mov on amd64, as in Go;
  // a reader that loads it sees gp's published state), and preempt and
  // stackguard0 are relaxed (a racing preemptone may set them again, as
  // in Go; a lost request is retried at the next sysmon tick).
  _g_->m->curg.store(gp, std::memory_order_release);
  gp->m = _g_->m;
  casgstatus(gp, _Grunnable, _Grunning);
  gp->waitsince = 0;
  gp->preempt.store(false, std::memory_order_relaxed);
  gp->stackguard0.store(gp->stack.lo + _StackGuard, std::memory_order_relaxed);
  if (!inheritTime) {
    p* pp = _g_->m->p;
    pp->schedtick.store(pp->schedtick.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  // gort: Go also emits GoSysExit here for a goroutine back from a system
  // call that blocked; gort recorded it when the call returned.
  if (trace.enabled) traceGoStart();

  // gort: the stack canary is checked at every switch onto a goroutine.
  stackcheck(gp);
  fiberLeave(_g_, gp);
  gogo(&gp->sched);
}
GORT_NEVER_RETURNS void execute(g* gp, bool inheritTime) { executeImpl(gp, inheritTime); }

// proc.go: findRunnable
// Finds a runnable goroutine to execute. Tries to steal from other P's,
// get g from local or global queue, poll network. tryWakeP indicates that
// the returned goroutine is not normal (GC worker, trace reader) so the
// caller should try to wake a P. Must run on g0 with a P.
runnable findRunnable() {
  g* _g_ = getg();

  // The conditions here and in handoffp must agree: if findRunnable would
  // return a G to run, handoffp must start an M.

top:
  p* _p_ = _g_->m->p;
  if (sched.gcwaiting.load() != 0) {
    gcstopm();
    goto top;
  }
  // gort: Go runs the P's safe-point function here (a GC hook).

  // now and pollUntil are saved for work stealing later, which may steal
  // timers. It's important that between now and then, nothing blocks, so
  // these numbers remain mostly relevant.
  checkTimersResult ct = checkTimers(_p_, 0);
  int64_t now = ct.now;
  int64_t pollUntil = ct.pollUntil;

  // gort: Go tries the trace reader (traceReader) and a GC mark worker
  // (gcController.findRunnableGCWorker) here; gort's trace has no reader
  // goroutine and there is no GC.

  // Check the global runnable queue once in a while to ensure fairness.
  // Otherwise two goroutines can completely occupy the local runqueue by
  // constantly respawning each other.
  if (_p_->schedtick % 61 == 0 && sched.runqsize > 0) {
    lock(&sched.lock);
    g* gp = globrunqget(_p_, 1);
    unlock(&sched.lock);
    if (gp != nullptr) return {gp, false, false};
  }

  // gort: Go wakes the finalizer goroutine here (wakefing); no GC, no
  // finalizers.

  // local runq
  {
    bool inheritTime = false;
    if (g* gp = runqget(_p_, &inheritTime)) return {gp, inheritTime, false};
  }

  // global runq
  if (sched.runqsize != 0) {
    lock(&sched.lock);
    g* gp = globrunqget(_p_, 0);
    unlock(&sched.lock);
    if (gp != nullptr) return {gp, false, false};
  }

  // Poll network.
  // This netpoll is only an optimization before we resort to stealing. We
  // can safely skip it if there are no waiters or a thread is blocked in
  // netpoll already. If there is any kind of logical race with that
  // blocked thread (e.g. it has already returned from netpoll, but does not
  // set lastpoll yet), this thread will do blocking netpoll below anyway.
  if (netpollinited() && netpollWaiters.load() > 0 && sched.lastpoll.load() != 0) {
    gList list = netpoll(0);  // non-blocking
    if (!list.empty()) {
      g* gp = list.pop();
      injectglist(&list);
      casgstatus(gp, _Gwaiting, _Grunnable);
      if (trace.enabled) traceGoUnpark(gp);
      return {gp, false, false};
    }
  }

  // Spinning Ms: steal work from other Ps.
  //
  // Limit the number of spinning Ms to half the number of busy Ps. This is
  // necessary to prevent excessive CPU consumption when GOMAXPROCS>>1 but
  // the program parallelism is low.
  {
    uint32_t procs = uint32_t(gomaxprocs.load());
    if (_g_->m->spinning || 2 * sched.nmspinning.load() < procs - sched.npidle.load()) {
      if (!_g_->m->spinning) {
        _g_->m->spinning = true;
        sched.nmspinning.fetch_add(1);
      }

      bool inheritTime = false, newWork = false;
      int64_t w = 0;
      g* gp = stealWork(&now, &inheritTime, &w, &newWork);
      if (gp != nullptr) {
        // Successfully stole.
        return {gp, inheritTime, false};
      }
      if (newWork) {
        // There may be new timer or GC work; restart to discover.
        goto top;
      }
      if (w != 0 && (pollUntil == 0 || w < pollUntil)) {
        // Earlier timer to wait for.
        pollUntil = w;
      }
    }
  }

  // We have nothing to do.
  //
  // gort: Go would run an idle-priority GC worker here; no GC.

  // Before we drop our P, make a snapshot of the allp slice, which can
  // change underfoot once we no longer block safe-points. We don't need
  // to snapshot the contents because everything up to cap(allp) is
  // immutable.
  p** allpSnapshot = allp;
  int32_t allpSnapshotLen = allplen;
  // Also snapshot masks. Value changes are OK, but we can't allow len to
  // change out from under us. (gort: pMask arrays are never freed, so the
  // masks themselves are read directly by checkRunqsNoP/checkTimersNoP.)

  // return P and block
  lock(&sched.lock);
  if (sched.gcwaiting.load() != 0) {
    unlock(&sched.lock);
    goto top;
  }
  if (sched.runqsize != 0) {
    g* gp = globrunqget(_p_, 0);
    unlock(&sched.lock);
    return {gp, false, false};
  }
  if (releasep() != _p_) throw_("findrunnable: wrong p");
  now = pidleput(_p_, now);
  unlock(&sched.lock);

  // Delicate dance: thread transitions from spinning to non-spinning
  // state, potentially concurrently with submission of new work. We must
  // drop nmspinning first and then check all sources again (with
  // #StoreLoad memory barrier in between). If we do it the other way
  // around, another thread can submit work after we've checked all
  // sources but before we drop nmspinning; as a result nobody will unpark
  // a thread to run the work.
  //
  // This applies to the following sources of work:
  //
  // * Goroutines added to a per-P run queue.
  // * New/modified-earlier timers on a per-P timer heap.
  // * Idle-priority GC work (barring golang.org/issue/19112).
  //
  // If we discover new work below, we need to restore m.spinning as a
  // signal for resetspinning to unpark a new worker thread (because there
  // can be more than one starving goroutine). However, if after
  // discovering new work we also observe no idle Ps it is OK to skip
  // unparking a new worker thread: the system is fully loaded so no
  // spinning threads are required. Also see "Worker thread
  // parking/unparking" comment at the top of the file.
  bool wasSpinning = _g_->m->spinning;
  if (_g_->m->spinning) {
    _g_->m->spinning = false;
    if (int32_t(sched.nmspinning.fetch_sub(1) - 1) < 0) throw_("findrunnable: negative nmspinning");

    // Note the for correctness, only the last M transitioning from
    // spinning to non-spinning must perform these rechecks to ensure no
    // missed work. We are performing it on every M that transitions as a
    // conservative change to monitor effects on latency. See
    // golang.org/issue/43997.

    // Check all runqueues once again.
    _p_ = checkRunqsNoP(allpSnapshot, allpSnapshotLen);
    if (_p_ != nullptr) {
      acquirep(_p_);
      _g_->m->spinning = true;
      sched.nmspinning.fetch_add(1);
      goto top;
    }

    // gort: Go re-checks idle GC work (checkIdleGCNoP) here; no GC.

    // Finally, check for timer creation or expiry concurrently with
    // transitioning from spinning to non-spinning.
    //
    // Note that we cannot use checkTimers here because it calls
    // adjusttimers which may need to allocate memory, and that isn't
    // allowed when we don't have an active P.
    pollUntil = checkTimersNoP(allpSnapshot, allpSnapshotLen, pollUntil);
  }

  // Poll network until next timer.
  if (netpollinited() && (netpollWaiters.load() > 0 || pollUntil != 0) && sched.lastpoll.exchange(0) != 0) {
    sched.pollUntil.store(pollUntil);
    if (_g_->m->p != nullptr) throw_("findrunnable: netpoll with p");
    if (_g_->m->spinning) throw_("findrunnable: netpoll with spinning");
    // Refresh now.
    now = nanotime();
    int64_t delay = -1;
    if (pollUntil != 0) {
      delay = pollUntil - now;
      if (delay < 0) delay = 0;
    }
    gList list = netpoll(delay);  // block until new work is available
    sched.pollUntil.store(0);
    sched.lastpoll.store(now);
    lock(&sched.lock);
    _p_ = pidleget(now);
    unlock(&sched.lock);
    if (_p_ == nullptr) {
      injectglist(&list);
    } else {
      acquirep(_p_);
      if (!list.empty()) {
        g* gp = list.pop();
        injectglist(&list);
        casgstatus(gp, _Gwaiting, _Grunnable);
        if (trace.enabled) traceGoUnpark(gp);
        return {gp, false, false};
      }
      if (wasSpinning) {
        _g_->m->spinning = true;
        sched.nmspinning.fetch_add(1);
      }
      goto top;
    }
  } else if (pollUntil != 0 && netpollinited()) {
    int64_t pollerPollUntil = sched.pollUntil.load();
    if (pollerPollUntil == 0 || pollerPollUntil > pollUntil) netpollBreak();
  }
  stopm();
  goto top;
}

// proc.go: stealWork
// stealWork attempts to steal a runnable goroutine or timer from any P.
// If newWork is true, new work may have been readied. If now is not 0 it
// is the current time. stealWork returns the passed time or the current
// time if now was passed as 0.
g* stealWork(int64_t* now, bool* inheritTime, int64_t* pollUntil, bool* newWork) {
  p* pp = getg()->m->p;

  bool ranTimer = false;

  constexpr int stealTries = 4;
  for (int i = 0; i < stealTries; i++) {
    bool stealTimersOrRunNextG = i == stealTries - 1;

    for (randomEnum e = stealOrder.start(fastrand()); !e.done(); e.next()) {
      if (sched.gcwaiting.load() != 0) {
        // GC work may be available.
        *newWork = true;
        return nullptr;
      }
      p* p2 = allp[e.position()];
      if (pp == p2) continue;

      // Steal timers from p2. This call to checkTimers is the only place
      // where we might hold a lock on a different P's timers. We do this
      // once on the last pass before checking runnext because stealing
      // from the other P's runnext should be the last resort, so if there
      // are timers to steal do that first.
      //
      // We only check timers on one of the stealing iterations because
      // the time stored in now doesn't change in this loop and checking
      // the timers for each P more than once with the same value of now
      // is probably a waste of time.
      //
      // timerpMask tells us whether the P may have timers at all. If it
      // can't, no need to check at all.
      if (stealTimersOrRunNextG && timerpMask.read(int32_t(e.position()))) {
        checkTimersResult ct = checkTimers(p2, *now);
        *now = ct.now;
        if (ct.pollUntil != 0 && (*pollUntil == 0 || ct.pollUntil < *pollUntil)) *pollUntil = ct.pollUntil;
        if (ct.ran) {
          // Running the timers may have made an arbitrary number of G's
          // ready and added them to this P's local run queue. That
          // invalidates the assumption of runqsteal that it always has
          // room to add stolen G's. So check now if there is a local G to
          // run.
          if (g* gp = runqget(pp, inheritTime)) {
            *newWork = ranTimer;
            return gp;
          }
          ranTimer = true;
        }
      }

      // Don't bother to attempt to steal if p2 is idle.
      if (!idlepMask.read(int32_t(e.position()))) {
        if (g* gp = runqsteal(pp, p2, stealTimersOrRunNextG)) {
          *inheritTime = false;
          *newWork = ranTimer;
          return gp;
        }
      }
    }
  }

  // No goroutines found to steal. Regardless, running a timer may have
  // made some goroutine ready that we missed. Indicate the next timer to
  // wait for.
  *newWork = ranTimer;
  return nullptr;
}

// proc.go: checkRunqsNoP
// Check all Ps for a runnable G to steal.
// On entry we have no P. If a G is available to steal and a P is
// available, the P is returned which the caller should acquire and
// attempt to steal the work to.
p* checkRunqsNoP(p** allpSnapshot, int32_t n) {
  for (int32_t id = 0; id < n; id++) {
    p* p2 = __atomic_load_n(&allpSnapshot[id], __ATOMIC_ACQUIRE);  // no P: procresize may be storing it (same value)
    if (!idlepMask.read(id) && !runqempty(p2)) {
      lock(&sched.lock);
      p* pp = pidleget(0);
      unlock(&sched.lock);
      if (pp != nullptr) return pp;
      // Can't get a P, don't bother checking remaining Ps.
      break;
    }
  }
  return nullptr;
}

// proc.go: checkTimersNoP
// Check all Ps for a timer expiring sooner than pollUntil. Returns updated
// pollUntil value. May run without a P.
int64_t checkTimersNoP(p** allpSnapshot, int32_t n, int64_t pollUntil) {
  for (int32_t id = 0; id < n; id++) {
    if (timerpMask.read(id)) {
      int64_t w = nobarrierWakeTime(__atomic_load_n(&allpSnapshot[id], __ATOMIC_ACQUIRE));  // see checkRunqsNoP
      if (w != 0 && (pollUntil == 0 || w < pollUntil)) pollUntil = w;
    }
  }
  return pollUntil;
}

// proc.go: wakeNetPoller
void wakeNetPoller(int64_t when) {
  // wakeNetPoller wakes up the thread sleeping in the network poller if it
  // isn't going to wake up before the when argument; or it wakes an idle P
  // to service timers and the network poller if there isn't one already.
  if (sched.lastpoll.load() == 0) {
    // In findRunnable we ensure that when polling the pollUntil field is
    // either zero or the time to which the current poll is expected to
    // run. This can have a spurious wakeup but should never miss a
    // wakeup.
    int64_t pollerPollUntil = sched.pollUntil.load();
    if (pollerPollUntil == 0 || pollerPollUntil > when) netpollBreak();
  } else {
    // There are no threads in the network poller, try to get one there so
    // it can handle new timers.
    // gort: the fence wakep leaves to its callers: the new timer before
    // wakep's loads (the delicate dance).
    std::atomic_thread_fence(std::memory_order_seq_cst);
    wakep();
  }
}

// proc.go: resetspinning
// The M that was spinning found work: it stops spinning and, if it was
// the last spinner, wakes a new one (wakep), so that one M always keeps
// looking while there may be more work.
void resetspinning() {
  g* _g_ = getg();
  if (!_g_->m->spinning) throw_("resetspinning: not a spinning m");
  _g_->m->spinning = false;
  int32_t nmspinning = int32_t(sched.nmspinning.fetch_sub(1) - 1);
  if (nmspinning < 0) throw_("findrunnable: negative nmspinning");
  // M wakeup policy is deliberately somewhat conservative, so check if we
  // need to wakeup another P here. See "Worker thread parking/unparking"
  // comment at the top of the file for details.
  wakep();
}

// proc.go: injectglist
// injectglist adds each runnable G on the list to some run queue, and
// clears glist. If there is no current P, they are added to the global
// queue, and up to npidle M's are started to run them. Otherwise, for
// each idle P, this adds a G to the global queue and starts an M. Any
// remaining G's are added to the current P's local run queue.
// This may temporarily acquire sched.lock. Can run concurrently with GC.
void injectglist(gList* glist) {
  if (glist->empty()) return;
  if (trace.enabled)
    for (g* gp = glist->head; gp != nullptr; gp = gp->schedlink.load(std::memory_order_relaxed)) traceGoUnpark(gp);

  // Mark all the goroutines as runnable before we put them on the run
  // queues.
  g* head = glist->head;
  g* tail = nullptr;
  int qsize = 0;
  for (g* gp = head; gp != nullptr; gp = gp->schedlink.load(std::memory_order_relaxed)) {
    tail = gp;
    qsize++;
    casgstatus(gp, _Gwaiting, _Grunnable);
  }

  // Turn the gList into a gQueue.
  gQueue q;
  q.head = head;
  q.tail = tail;
  *glist = gList{};

  auto startIdle = [](int n) {
    for (; n != 0 && sched.npidle.load() != 0; n--) startm(nullptr, false);
  };

  p* pp = getg()->m->p;
  if (pp == nullptr) {
    lock(&sched.lock);
    globrunqputbatch(&q, int32_t(qsize));
    unlock(&sched.lock);
    startIdle(qsize);
    return;
  }

  int npidle = int(sched.npidle.load());
  gQueue globq;
  int n;
  for (n = 0; n < npidle && !q.empty(); n++) {
    g* gp = q.pop();
    globq.pushBack(gp);
  }
  if (n > 0) {
    lock(&sched.lock);
    globrunqputbatch(&globq, int32_t(n));
    unlock(&sched.lock);
    startIdle(n);
    qsize -= n;
  }

  if (!q.empty()) runqputbatch(pp, &q, qsize);
}

// proc.go: schedule
// One round of scheduler: find a runnable goroutine and execute it.
// Never returns. Must run on g0.
[[noreturn]] GORT_NEVER_RETURNS void schedule() {
  g* _g_ = getg();

  if (_g_->m->locks != 0) throw_("schedule: holding locks");
  // gort: an extra check (Go trusts its callers, see execute).
  if (_g_ != _g_->m->g0) throw_("schedule: not on g0");

  if (_g_->m->lockedg != nullptr) {
    stoplockedm();
    execute(_g_->m->lockedg, false);  // Never returns.
  }

  // gort: Go throws "schedule: in cgo" here; gort has no cgo (a C call
  // runs on the goroutine's own stack, not g0's).

top:
  p* pp = _g_->m->p;
  // gort: relaxed, as Go's plain store: only this M clears it, and
  // preemptone's racing set is a hint the next check catches anyway.
  pp->preempt.store(false, std::memory_order_relaxed);

  // Safety check: if we are spinning, the run queue should be empty.
  // Check this before calling checkTimers, as that might call goready to
  // put a ready goroutine on the local run queue.
  if (_g_->m->spinning && (pp->runnext.load() != nullptr || pp->runqhead.load() != pp->runqtail.load()))
    throw_("schedule: spinning with local work");

  runnable r = findRunnable();  // blocks until work is available

  // This thread is going to run a goroutine and is not spinning anymore,
  // so if it was marked as spinning we need to reset it now and
  // potentially start a new spinning M.
  if (_g_->m->spinning) resetspinning();

  // gort: Go parks the goroutine here if user scheduling is disabled
  // (sched.disable, set by the GC's debug mode); gort has no such switch.

  // If about to schedule a not-normal goroutine (a GCworker or tracereader),
  // wake a P if there is one.
  if (r.tryWakeP) wakep();
  if (r.gp->lockedm != nullptr) {
    // Hands off own p to the locked m, then blocks waiting for a new p.
    startlockedm(r.gp);
    goto top;
  }

  execute(r.gp, r.inheritTime);
  __builtin_unreachable();
}

// proc.go: dropg
// dropg removes the association between m and the current goroutine
// m->curg (gp for short). Typically a caller sets gp's status away from
// Grunning and then immediately calls dropg to finish the job.
void dropg() {
  g* _g_ = getg();
  // gort: Go's setMNoWB/setGNoWB are plain stores; release as in execute.
  _g_->m->curg.load(std::memory_order_relaxed)->m = nullptr;
  _g_->m->curg.store(nullptr, std::memory_order_release);
}

static checkTimersResult checkTimersDue(p* pp, int64_t now, int64_t next);

// proc.go: checkTimers
// checkTimers runs any timers for the P that are ready. If now is not 0 it
// is the current time. It returns the passed time or the current time if
// now was passed as 0, and the time when the next timer should run or 0 if
// there is no next timer, and reports whether it ran any timers. If the
// time when the next timer should run is not 0, it is always larger than
// the returned time. We pass now in and out to avoid extra calls of
// nanotime. Must run on g0.
checkTimersResult checkTimers(p* pp, int64_t now) {
  // If it's not yet time for the first timer, or the first adjusted timer,
  // then there is nothing to do.
  int64_t next = pp->timer0When.load();
  int64_t nextAdj = pp->timerModifiedEarliest.load();
  if (next == 0 || (nextAdj != 0 && nextAdj < next)) next = nextAdj;

  if (next == 0) {
    // No timers to run or adjust.
    return {now, 0, false};
  }
  return checkTimersDue(pp, now, next);
}

// gort-only: checkTimers from its nanotime on, out of line, so that the
// early return of a P with no timers (every schedule) does not save and
// restore the callee-saved registers this part needs (Go's ABI has none).
[[gnu::noinline]] static checkTimersResult checkTimersDue(p* pp, int64_t now, int64_t next) {
  if (now == 0) now = nanotime();
  if (now < next) {
    // Next timer is not ready to run, but keep going if we would clear
    // deleted timers. This corresponds to the condition below where we
    // decide whether to call clearDeletedTimers.
    if (pp != getg()->m->p || int(pp->deletedTimers.load()) <= int(pp->numTimers.load() / 4))
      return {now, next, false};
  }

  int64_t pollUntil = 0;
  bool ran = false;
  lock(&pp->timersLock);

  if (!pp->timers.empty()) {
    adjusttimers(pp, now);
    while (!pp->timers.empty()) {
      // Note that runtimer may temporarily unlock pp.timersLock.
      if (int64_t tw = runtimer(pp, now); tw != 0) {
        if (tw > 0) pollUntil = tw;
        break;
      }
      ran = true;
    }
  }

  // If this is the local P, and there are a lot of deleted timers, clear
  // them out. We only do this for the local P to reduce lock contention on
  // timersLock.
  if (pp == getg()->m->p && int(pp->deletedTimers.load()) > int(pp->timers.size() / 4)) clearDeletedTimers(pp);

  unlock(&pp->timersLock);

  return {now, pollUntil, ran};
}

// proc.go: parkunlock_c
bool parkunlock_c(g*, void* lock) {
  unlock(static_cast<mutex*>(lock));
  return true;
}

// proc.go: park_m
// park continuation on g0.
GORT_NEVER_RETURNS void park_m(g* gp) {
  g* _g_ = getg();
  fiberArrive(_g_);

  if (trace.enabled) traceGoPark(gp->waitreason);

  casgstatus(gp, _Grunning, _Gwaiting);
  dropg();

  if (auto fn = _g_->m->waitunlockf) {
    bool ok = fn(gp, _g_->m->waitlock);
    _g_->m->waitunlockf = nullptr;
    _g_->m->waitlock = nullptr;
    if (!ok) {
      if (trace.enabled) traceGoUnpark(gp);
      casgstatus(gp, _Gwaiting, _Grunnable);
      execute(gp, true);  // Schedule it back, never returns.
    }
  }
  schedule();
}

// proc.go: goschedImpl
// Puts gp on the global run queue (not the local one: a yielding g
// should let everybody else run first) and reschedules. Must run on g0.
GORT_NEVER_RETURNS void goschedImpl(g* gp) {
  uint32_t status = readgstatus(gp);
  if ((status & ~_Gscan) != _Grunning) throw_("bad g status");
  casgstatus(gp, _Grunning, _Grunnable);
  dropg();
  lock(&sched.lock);
  globrunqput(gp);
  unlock(&sched.lock);

  schedule();
}

// proc.go: gosched_m
// Gosched continuation on g0.
GORT_NEVER_RETURNS void gosched_m(g* gp) {
  fiberArrive(getg());
  if (trace.enabled) traceGoSched();
  goschedImpl(gp);
}

// proc.go: gopreempt_m
// The continuation of a preemption (asyncPreempt2, preemptPoint): like
// Gosched, to the back of the global queue.
GORT_NEVER_RETURNS void gopreempt_m(g* gp) {
  fiberArrive(getg());
  if (trace.enabled) traceGoPreempt();
  goschedImpl(gp);
}

// proc.go: goyield
// goyield is like Gosched, but it puts the current G on the runq of the
// current P instead of the global run queue (Go: and emits a GoPreempt
// trace event instead of GoSched). semrelease1's direct handoff calls it
// so the waiter it just put in runnext runs at once, and the releaser
// runs right after, on the same P.
void goyield() {
  g* gp = getg();
  fiberLeave(gp, gp->m->g0);
  mcall(goyield_m);
  fiberArrive(getg());
}

// proc.go: goyield_m
// goyield continuation on g0.
GORT_NEVER_RETURNS void goyield_m(g* gp) {
  fiberArrive(getg());
  if (trace.enabled) traceGoPreempt();
  p* pp = gp->m->p;
  casgstatus(gp, _Grunning, _Grunnable);
  dropg();
  runqput(pp, gp, false);
  schedule();
}

// proc.go: goexit1
// Finishes execution of the current goroutine. Never returns.
extern "C" [[noreturn]] GORT_NEVER_RETURNS void goexit1() {
  g* gp = getg();
  if (trace.enabled) traceGoEnd();
  fiberLeave(gp, gp->m->g0, /*dying=*/true);
  mcall(goexit0);
  throw_("goexit1: mcall returned");
}

// proc.go: goexit0
// goexit continuation on g0. (Newer Go splits the body out as gdestroy
// and calls schedule after it.)
GORT_NEVER_RETURNS void goexit0(g* gp) {
  g* _g_ = getg();
  fiberArrive(_g_);
  p* _p_ = _g_->m->p;

  casgstatus(gp, _Grunning, _Gdead);
  gp->m = nullptr;
  bool locked = gp->lockedm != nullptr;
  gp->lockedm = nullptr;
  _g_->m->lockedg = nullptr;
  gp->preemptStop = false;
  gp->waitreason = waitReasonZero;
  gp->param = nullptr;

  dropg();

  if (_g_->m->lockedInt != 0) {
    fprintf(stderr, "invalid m->lockedInt = %u\n", _g_->m->lockedInt);
    throw_("internal lockOSThread error");
  }
  gfput(_p_, gp);
  if (locked) {
    // The goroutine may have locked this thread because it put it in an
    // unusual kernel state. Kill it rather than returning it to the
    // thread pool.
    //
    // Return to mstart, which will release the P and exit the thread.
    // (gort: mexit directly; see mexit.)
    mexit(true);
  }
  schedule();
}

// proc.go: reentersyscall
// The goroutine g is about to enter a system call. Record that it's not
// using the cpu anymore. This is called only from the go syscall library
// and cgocall, not from the low-level system calls used by the runtime.
//
// Entersyscall cannot split the stack: the saved stack pointer must be
// valid for tracebacks until exitsyscall. The P goes to _Psyscall: it
// keeps its affinity to this M, but sysmon (retake) or stopTheWorld may
// take it with a CAS while the call blocks.
// gort: Go's save(pc, sp) records the syscall site in g.sched for its
// traceback; gort records it only in syscallpc/syscallsp, plus the
// caller's frame pointer in syscallbp (as newer Go does) so that a
// traceback can unwind from there.
static void reentersyscall(uintptr_t pc, uintptr_t sp, uintptr_t bp) {
  g* _g_ = getg();

  // Disable preemption because during this function g is in Gsyscall
  // status and can have inconsistent g->sched. Do not let GC observe it.
  _g_->m->locks++;

  // Entersyscall must not call any function that might split/grow the
  // stack. Catch calls that might, by replacing the stack guard with
  // something that will trip any stack check and leaving a flag to tell
  // newstack to die.
  // gort: relaxed, as Go's plain store (see execute): only a request
  // flag here, and the status CAS below is a full barrier.
  _g_->stackguard0.store(stackPreempt, std::memory_order_relaxed);
  _g_->throwsplit = true;

  _g_->syscallsp = sp;
  _g_->syscallpc = pc;
  _g_->syscallbp = bp;
  casgstatus(_g_, _Grunning, _Gsyscall);
  if (_g_->syscallsp < _g_->stack.lo || _g_->stack.hi < _g_->syscallsp) {
    fprintf(stderr, "entersyscall inconsistent %#zx [%#zx,%#zx]\n", size_t(_g_->syscallsp),
            size_t(_g_->stack.lo), size_t(_g_->stack.hi));
    throw_("entersyscall");
  }

  if (trace.enabled) traceGoSysCall();

  if (sched.sysmonwait.load() != 0) systemstack([] {
      // proc.go: entersyscall_sysmon
      lock(&sched.lock);
      if (sched.sysmonwait.load() != 0) {
        sched.sysmonwait.store(0);
        notewakeup(&sched.sysmonnote);
      }
      unlock(&sched.lock);
    });

  _g_->m->syscalltick = _g_->m->p->syscalltick;
  p* pp = _g_->m->p;
  // gort: Go's pp.m = 0 is a plain store; p.m is atomic for sysmon's
  // racy reads. Release: the seq_cst status store right after orders it
  // for anyone who takes the P by CAS.
  pp->m.store(nullptr, std::memory_order_release);
  _g_->m->oldp = pp;
  _g_->m->p = nullptr;
  pp->status.store(_Psyscall);  // seq_cst as Go's atomic.Store: it must precede the gcwaiting load
  if (sched.gcwaiting.load() != 0) systemstack([] {
      // proc.go: entersyscall_gcwait
      g* _g_ = getg();
      p* _p_ = _g_->m->oldp;
      lock(&sched.lock);
      uint32_t s = _Psyscall;
      if (sched.stopwait > 0 && _p_->status.compare_exchange_strong(s, _Pgcstop)) {
        if (trace.enabled) { traceGoSysBlock(_p_); traceProcStop(_p_); }
        _p_->syscalltick++;
        if (--sched.stopwait == 0) notewakeup(&sched.stopnote);
      }
      unlock(&sched.lock);
    });

  _g_->m->locks--;
}

// proc.go: entersyscall
// Standard syscall entry used by the go syscall library and normal cgo
// calls (gort: by runtime::SyscallGuard around a blocking call).
__attribute__((noinline)) void entersyscall() {
  reentersyscall(GORT_GETCALLERPC(), GORT_GETCALLERSP(), GORT_GETCALLERBP());
}

// proc.go: entersyscallblock
// The same as entersyscall(), but with a hint that the syscall is
// blocking: the P is handed off at once instead of waiting for sysmon.
__attribute__((noinline)) void entersyscallblock() {
  g* _g_ = getg();

  _g_->m->locks++;  // see comment in entersyscall
  _g_->throwsplit = true;
  _g_->stackguard0 = stackPreempt;  // see comment in entersyscall
  _g_->m->syscalltick = _g_->m->p->syscalltick;
  _g_->m->p->syscalltick++;

  // Leave SP around for GC and traceback.
  uintptr_t pc = GORT_GETCALLERPC();
  uintptr_t sp = GORT_GETCALLERSP();
  _g_->syscallsp = sp;
  _g_->syscallpc = pc;
  _g_->syscallbp = GORT_GETCALLERBP();
  // gort: Go also save()s pc/sp into g.sched here (and again after the
  // handoff); gort's traceback of a G in a syscall reads syscallsp/pc/bp.
  if (_g_->syscallsp < _g_->stack.lo || _g_->stack.hi < _g_->syscallsp) {
    fprintf(stderr, "entersyscallblock inconsistent %#zx %#zx [%#zx,%#zx]\n", size_t(sp), size_t(_g_->syscallsp),
            size_t(_g_->stack.lo), size_t(_g_->stack.hi));
    throw_("entersyscallblock");
  }
  casgstatus(_g_, _Grunning, _Gsyscall);
  if (_g_->syscallsp < _g_->stack.lo || _g_->stack.hi < _g_->syscallsp) {
    fprintf(stderr, "entersyscallblock inconsistent %#zx %#zx [%#zx,%#zx]\n", size_t(sp), size_t(_g_->syscallsp),
            size_t(_g_->stack.lo), size_t(_g_->stack.hi));
    throw_("entersyscallblock");
  }

  // proc.go: entersyscallblock_handoff
  systemstack([] {
    if (trace.enabled) { traceGoSysCall(); traceGoSysBlock(getg()->m->p); }
    handoffp(releasep());
  });

  _g_->m->locks--;
}

// proc.go: exitsyscall
// The goroutine g exited its system call. Arrange for it to run on a cpu
// again: its old P if still free, else any idle P, else the global queue
// (exitsyscall0) while this M stops.
__attribute__((noinline)) void exitsyscall() {
  g* _g_ = getg();

  _g_->m->locks++;  // see comment in entersyscall
  if (GORT_GETCALLERSP() > _g_->syscallsp) throw_("exitsyscall: syscall frame is no longer valid");

  _g_->waitsince = 0;
  // gort: Go records GoSysExit later, once it has a P to write into (see
  // traceGoSysExit); gort's Ms have buffers of their own.
  if (trace.enabled) traceGoSysExit();
  p* oldp = _g_->m->oldp;
  _g_->m->oldp = nullptr;
  if (exitsyscallfast(oldp)) {
    // gort: Go emits GoStart only if the P changed; gort always does, so
    // the M's lane shows the goroutine running again (see traceGoStart).
    if (trace.enabled) traceGoStart();
    // There's a cpu for us, so we can run.
    // gort: p.syscalltick is written only by the M that holds the P (or
    // took it by CAS) and read by sysmon: ownedAdd, as Go's plain ++.
    ownedAdd(_g_->m->p->syscalltick, 1u);
    // We need to cas the status and scan before resuming...
    casgstatus(_g_, _Gsyscall, _Grunning);

    // Garbage collector isn't running (since we are), so okay to clear
    // syscallsp.
    _g_->syscallsp = 0;
    _g_->m->locks--;
    // gort: relaxed stores, as in reentersyscall.
    if (_g_->preempt) {
      // restore the preemption request in case we've cleared it in newstack
      _g_->stackguard0.store(stackPreempt, std::memory_order_relaxed);
    } else {
      // otherwise restore the real _StackGuard, we've spoiled it in entersyscall/entersyscallblock
      _g_->stackguard0.store(_g_->stack.lo + _StackGuard, std::memory_order_relaxed);
    }
    _g_->throwsplit = false;
    // gort: leaving a syscall is a runtime entry point (see preemptPoint).
    preemptPoint();
    return;
  }

  _g_->m->locks--;

  // Call the scheduler.
  fiberLeave(_g_, _g_->m->g0);
  mcall(exitsyscall0);
  _g_ = getg();
  fiberArrive(_g_);

  // Scheduler returned, so we're allowed to run now. Delete the syscallsp
  // information that we left for the garbage collector during the system
  // call. Must wait until now because until gosched returns we don't know
  // for sure that the garbage collector is not running.
  _g_->syscallsp = 0;
  ownedAdd(_g_->m->p->syscalltick, 1u);  // see above
  _g_->throwsplit = false;
}

// proc.go: exitsyscallfast
// Tries to get a P for the returning goroutine without a full schedule.
bool exitsyscallfast(p* oldp) {
  g* _g_ = getg();

  // Freezetheworld sets stopwait but does not retake P's.
  // (gort: no freezetheworld; a stop-the-world in progress keeps Ps.)

  // Try to re-acquire the last P.
  uint32_t s = _Psyscall;
  if (oldp != nullptr && oldp->status.load() == _Psyscall && oldp->status.compare_exchange_strong(s, _Pidle)) {
    // There's a cpu for us, so we can run.
    wirep(oldp);
    // proc.go: exitsyscallfast_reacquired
    if (_g_->m->syscalltick != _g_->m->p->syscalltick) {
      // The p was retaken and then enter into syscall again (since
      // _g_->m->syscalltick has changed).
      // Denote blocking of the new syscall (gort: the current one's exit
      // is already recorded).
      if (trace.enabled) traceGoSysBlock(_g_->m->p);
      ownedAdd(_g_->m->p->syscalltick, 1u);  // see exitsyscall
    }
    return true;
  }

  // Try to get any other idle P.
  if (sched.pidle != nullptr) {
    bool ok = false;
    systemstack([&ok] {
      // proc.go: exitsyscallfast_pidle
      lock(&sched.lock);
      p* _p_ = pidleget(0);
      if (_p_ != nullptr && sched.sysmonwait.load() != 0) {
        sched.sysmonwait.store(0);
        notewakeup(&sched.sysmonnote);
      }
      unlock(&sched.lock);
      if (_p_ != nullptr) {
        acquirep(_p_);
        ok = true;
      }
    });
    if (ok) return true;
  }
  return false;
}

// proc.go: exitsyscall0
// exitsyscall slow path on g0. Failed to acquire P, enqueue gp as
// runnable.
GORT_NEVER_RETURNS void exitsyscall0(g* gp) {
  fiberArrive(getg());
  casgstatus(gp, _Gsyscall, _Grunnable);
  dropg();
  lock(&sched.lock);
  p* _p_ = pidleget(0);
  bool locked = false;
  if (_p_ == nullptr) {
    globrunqput(gp);

    // Below, we stoplockedm if gp is locked. globrunqput releases
    // ownership of gp, so we must check if gp is locked prior to
    // committing the release by unlocking sched.lock, otherwise we could
    // race with another M transitioning gp from unlocked to locked.
    locked = gp->lockedm != nullptr;
  } else if (sched.sysmonwait.load() != 0) {
    sched.sysmonwait.store(0);
    notewakeup(&sched.sysmonnote);
  }
  unlock(&sched.lock);
  if (_p_ != nullptr) {
    acquirep(_p_);
    execute(gp, false);  // Never returns.
  }
  if (locked) {
    // Wait until another thread schedules gp and so m again.
    //
    // N.B. lockedm must be this M, as this g was running on this M before
    // entersyscall.
    stoplockedm();
    execute(gp, false);  // Never returns.
  }
  stopm();
  schedule();  // Never returns.
}

// proc.go: malg
// Allocate a new g, with a stack big enough for stacksize bytes.
g* malg(int32_t stacksize) {
  g* newg = newobject<g>();
  if (stacksize >= 0) {
    uint32_t size = uint32_t(stacksize);
    systemstack([&] { newg->stack = stackalloc(size); });
    newg->stackcanary = stackHasCanary(newg->stack);
    newg->stackguard0 = newg->stack.lo + _StackGuard;
    // gort: Go clears the bottom word of the stack here; gort leaves it
    // alone: untouched (a guarded stack: one page less per goroutine) or
    // holding the canary (stackalloc wrote it).
  }
  return newg;
}

// proc.go: newproc
// Create a new g running fn. Put it on the queue of g's waiting to run.
// The compiler turns a go statement into a call to this (gort: go.h's go).
__attribute__((noinline)) void newproc(funcval* fn) {
  checkNoG("go statement");  // gort: misuse from outside a goroutine (docs/differences.md)
  g* gp = getg();
  uintptr_t pc = GORT_GETCALLERPC();
  systemstack([&] {
    g* newg = newproc1(fn, gp, pc);

    p* _p_ = getg()->m->p;
    runqput(_p_, newg, true);

    if (mainStarted) wakep();
  });
  // gort: a go statement is a runtime entry point: honour a pending
  // preemption request here (Go's next function prologue would).
  preemptPoint();
}

// proc.go: newproc1
// Create a new g in state _Grunnable, starting at fn. callerpc is the
// address of the go statement that created this. The caller is
// responsible for adding the new g to the scheduler.
g* newproc1(funcval* fn, g* callergp, uintptr_t callerpc) {
  g* _g_ = getg();

  if (fn == nullptr) fatal("go of nil func value");
  acquirem();  // disable preemption because it can be holding p in a local var

  p* _p_ = _g_->m->p;
  g* newg = gfget(_p_);
  if (newg == nullptr) {
    newg = malg(int32_t(startingStackSize.load()));
    casgstatus(newg, _Gidle, _Gdead);
    allgadd(newg);  // publishes with a g->status of Gdead
  }
  if (newg->stack.hi == 0) throw_("newproc1: newg missing stack");
  if (readgstatus(newg) != _Gdead) throw_("newproc1: new g is not Gdead");

  // Extra space in case of reads slightly beyond frame (Go's layout; on
  // arm64 the lowest word is the caller's LR slot, zeroed).
  uintptr_t totalSize = 4 * sizeof(uintptr_t) + MinFrameSize;
  totalSize = (totalSize + StackAlign - 1) & ~uintptr_t(StackAlign - 1);
  uintptr_t sp = newg->stack.hi - totalSize;
#if defined(__aarch64__)
  // caller's LR
  *reinterpret_cast<uintptr_t*>(sp) = 0;
#endif

  memset(&newg->sched, 0, sizeof(newg->sched));
  newg->sched.sp = sp;
  newg->stktopsp = sp;
  // +PCQuantum so that previous instruction is in same function.
  newg->sched.pc = reinterpret_cast<uintptr_t>(&goexit) + PCQuantum;
  newg->sched.g = newg;
  gostartcallfn(&newg->sched, fn);
  newg->parentGoid = callergp->goid;
  newg->gopc = callerpc;
  delete newg->ancestors;  // gort: a reused g's (Go's GC frees them)
  newg->ancestors = saveAncestors(callergp);
  newg->startpc = reinterpret_cast<uintptr_t>(fn->fn);
  // gort: the entry thunk (user text) must not be preempted before it
  // has finished the switch; goentry_begin clears this.
  newg->nopreempt = 1;
  casgstatus(newg, _Gdead, _Grunnable);

  if (_p_->goidcache == _p_->goidcacheend) {
    // Sched.goidgen is the last allocated id, this batch must be
    // [sched.goidgen+1, sched.goidgen+GoidCacheBatch]. At startup
    // sched.goidgen=0, so main goroutine receives goid=1.
    _p_->goidcache = sched.goidgen.fetch_add(_GoidCacheBatch) + _GoidCacheBatch;
    _p_->goidcache -= _GoidCacheBatch - 1;
    _p_->goidcacheend = _p_->goidcache + _GoidCacheBatch;
  }
  newg->goid = int64_t(_p_->goidcache);
  _p_->goidcache++;
  if (trace.enabled) traceGoCreate(newg, newg->startpc);
  releasem(_g_->m);

  return newg;
}

// proc.go: saveAncestors
std::vector<ancestorInfo>* saveAncestors(g* callergp) {
  // saveAncestors copies previous ancestors of the given caller g and
  // includes info for the current caller into a new set of tracebacks for a g
  // being created.
  // Copy all prior info, except for the root goroutine (goid 0).
  if (debug.tracebackancestors <= 0 || callergp->goid == 0) return nullptr;
  std::vector<ancestorInfo> callerAncestors;
  if (callergp->ancestors != nullptr) callerAncestors = *callergp->ancestors;
  int32_t n = int32_t(callerAncestors.size()) + 1;
  if (n > debug.tracebackancestors) n = debug.tracebackancestors;
  auto* ancestors = new std::vector<ancestorInfo>(size_t(n));
  std::copy(callerAncestors.begin(), callerAncestors.begin() + (n - 1), ancestors->begin() + 1);

  uintptr_t pcs[_TracebackMaxFrames];
  int npcs = gcallers(callergp, pcs, _TracebackMaxFrames);
  (*ancestors)[0] = ancestorInfo{std::vector<uintptr_t>(pcs, pcs + npcs), callergp->goid, callergp->gopc,
                                 callergp->parentGoid};
  return ancestors;
}

// proc.go: gfput
// Put on gfree list. If local list is too long, transfer a batch to the
// global list.
void gfput(p* _p_, g* gp) {
  if (readgstatus(gp) != _Gdead) throw_("gfput: bad status (not Gdead)");

  uintptr_t stksize = gp->stack.hi - gp->stack.lo;
  if (stksize != uintptr_t(startingStackSize.load())) {
    // non-standard stack size - free it.
    stackfree(gp->stack);
    gp->stack.lo = 0;
    gp->stack.hi = 0;
    gp->stackguard0 = 0;
  }

  _p_->gFree.list.push(gp);
  // gort: gFree.n is written by the owner P (sched.gFree.n under its
  // lock) and read racily by gcount: ownedAdd, as Go's plain n++.
  ownedAdd(_p_->gFree.n, 1);
  if (_p_->gFree.n.load(std::memory_order_relaxed) >= 64) {
    int32_t inc = 0;
    gQueue stackQ, noStackQ;
    while (_p_->gFree.n.load(std::memory_order_relaxed) >= 32) {
      gp = _p_->gFree.list.pop();
      ownedAdd(_p_->gFree.n, -1);
      if (gp->stack.lo == 0)
        noStackQ.push(gp);
      else
        stackQ.push(gp);
      inc++;
    }
    lock(&sched.gFree.lock);
    sched.gFree.noStack.pushAll(noStackQ);
    sched.gFree.stack.pushAll(stackQ);
    ownedAdd(sched.gFree.n, inc);
    unlock(&sched.gFree.lock);
  }
}

// proc.go: gfget
// Get from gfree list. If local list is empty, grab a batch from global
// list.
g* gfget(p* _p_) {
retry:
  if (_p_->gFree.list.empty() && (!sched.gFree.stack.empty() || !sched.gFree.noStack.empty())) {
    lock(&sched.gFree.lock);
    // Move a batch of free Gs to the P.
    while (_p_->gFree.n.load(std::memory_order_relaxed) < 32) {
      // Prefer Gs with stacks.
      g* gp = sched.gFree.stack.pop();
      if (gp == nullptr) {
        gp = sched.gFree.noStack.pop();
        if (gp == nullptr) break;
      }
      ownedAdd(sched.gFree.n, -1);
      _p_->gFree.list.push(gp);
      ownedAdd(_p_->gFree.n, 1);
    }
    unlock(&sched.gFree.lock);
    goto retry;
  }
  g* gp = _p_->gFree.list.pop();
  if (gp == nullptr) return nullptr;
  ownedAdd(_p_->gFree.n, -1);
  if (gp->stack.lo != 0 && gp->stack.hi - gp->stack.lo != uintptr_t(startingStackSize.load())) {
    // Deallocate old stack. We kept it in gfput because it was the right
    // size when the goroutine was put on the free list, but the right
    // size has changed since then (SetMaxStack).
    stackfree(gp->stack);
    gp->stack.lo = 0;
    gp->stack.hi = 0;
  }
  if (gp->stack.lo == 0) {
    // Stack was deallocated in gfput or just above. Allocate a new one.
    systemstack([&] { gp->stack = stackalloc(startingStackSize.load()); });
    gp->stackcanary = stackHasCanary(gp->stack);
    gp->stackguard0 = gp->stack.lo + _StackGuard;
  }
  return gp;
}

// proc.go: gfpurge
// Purge all cached G's from gfree list to the global list.
void gfpurge(p* _p_) {
  int32_t inc = 0;
  gQueue stackQ, noStackQ;
  while (!_p_->gFree.list.empty()) {
    g* gp = _p_->gFree.list.pop();
    _p_->gFree.n--;
    if (gp->stack.lo == 0)
      noStackQ.push(gp);
    else
      stackQ.push(gp);
    inc++;
  }
  lock(&sched.gFree.lock);
  sched.gFree.noStack.pushAll(noStackQ);
  sched.gFree.stack.pushAll(stackQ);
  sched.gFree.n += inc;
  unlock(&sched.gFree.lock);
}

// proc.go: Breakpoint
// Breakpoint executes a breakpoint trap.
__attribute__((noinline)) void Breakpoint() { breakpoint(); }

// proc.go: dolockOSThread
// dolockOSThread is called by LockOSThread and lockOSThread below after
// they modify m.locked. Do not allow preemption during this call, or else
// the m might be different in this function than in the caller.
static void dolockOSThread() {
  g* _g_ = getg();
  _g_->m->lockedg = _g_;
  _g_->lockedm = _g_->m;
}

// proc.go: LockOSThread
// LockOSThread wires the calling goroutine to its current operating
// system thread. The calling goroutine will always execute in that
// thread, and no other goroutine will execute in it, until the calling
// goroutine has made as many calls to UnlockOSThread as to LockOSThread.
// If the calling goroutine exits without unlocking the thread, the thread
// will be terminated.
void LockOSThread() {
  checkNoG("runtime.LockOSThread");  // gort: misuse from outside a goroutine
  if (newmHandoff.haveTemplateThread.load() == 0) {
    // If we need to start a new thread from the locked thread, we need
    // the template thread. Start it now while we're in a known-good
    // state.
    startTemplateThread();
  }
  g* _g_ = getg();
  _g_->m->lockedExt++;
  if (_g_->m->lockedExt == 0) {
    _g_->m->lockedExt--;
    throw_("LockOSThread nesting overflow");
  }
  dolockOSThread();
}

// proc.go: lockOSThread
// The runtime's own, internal lock (counted separately from the user's).
void lockOSThread() {
  getg()->m->lockedInt++;
  dolockOSThread();
}

// proc.go: dounlockOSThread
// dounlockOSThread is called by UnlockOSThread and unlockOSThread below
// after they update m->locked. Do not allow preemption during this call,
// or else the m might be in different in this function than in the
// caller.
static void dounlockOSThread() {
  g* _g_ = getg();
  if (_g_->m->lockedInt != 0 || _g_->m->lockedExt != 0) return;
  _g_->m->lockedg = nullptr;
  _g_->lockedm = nullptr;
}

// proc.go: UnlockOSThread
// UnlockOSThread undoes an earlier call to LockOSThread. If this drops the
// number of active LockOSThread calls on the calling goroutine to zero, it
// unwires the calling goroutine from its fixed operating system thread.
// If there are no active LockOSThread calls, this is a no-op.
void UnlockOSThread() {
  checkNoG("runtime.UnlockOSThread");  // gort: misuse from outside a goroutine
  g* _g_ = getg();
  if (_g_->m->lockedExt == 0) return;
  _g_->m->lockedExt--;
  dounlockOSThread();
}

// proc.go: unlockOSThread
void unlockOSThread() {
  g* _g_ = getg();
  if (_g_->m->lockedInt == 0)
    systemstack([] { throw_("runtime: internal error: misuse of lockOSThread/unlockOSThread"); });
  _g_->m->lockedInt--;
  dounlockOSThread();
}

// proc.go: gcount
// The number of live user goroutines: all gs minus the dead ones on free
// lists minus system goroutines. The counts change concurrently, so the
// result is approximate, but at least the current goroutine is running.
int32_t gcount() {
  int32_t n = int32_t(allglen.load()) - sched.gFree.n - int32_t(sched.ngsys.load());
  for (int32_t i = 0; i < allplen; i++) n -= allp[i]->gFree.n;
  if (n < 1) n = 1;
  return n;
}

// proc.go: mcount
int32_t mcount() { return int32_t(sched.mnext - sched.nmfreed); }

// proc.go: (*p).init
// Initializes pp, which may be a freshly allocated p or a previously
// destroyed p, and transitions it to status _Pgcstop.
static void pinit(p* pp, int32_t id) {
  pp->id = id;
  pp->status.store(_Pgcstop);
  // This P may get timers when it starts running. Set the mask here since
  // the P may not go through pidleget (notably P 0 on startup).
  timerpMask.set(id);
  // Similarly, we may not go through pidleget before this P starts
  // running if it is P 0 on startup.
  idlepMask.clear(id);
}

// proc.go: (*p).destroy
// Releases all of the resources associated with pp and transitions it to
// status _Pdead. sched.lock must be held and the world must be stopped.
static void pdestroy(p* pp) {
  assertLockHeld(&sched.lock);
  // Move all runnable goroutines to the global queue.
  while (pp->runqhead.load() != pp->runqtail.load()) {
    // Pop from tail of local queue.
    uint32_t t = pp->runqtail.load() - 1;
    pp->runqtail.store(t);
    g* gp = pp->runq[t % runqSize].load();
    // Push onto head of global queue.
    globrunqputhead(gp);
  }
  if (g* next = pp->runnext.load()) {
    globrunqputhead(next);
    pp->runnext.store(nullptr);
  }
  if (!pp->timers.empty()) {
    p* plocal = getg()->m->p;
    // The world is stopped, but we acquire timersLock to protect against
    // sysmon calling timeSleepUntil. This is the only case where we hold
    // the timersLock of more than one P, so there are no deadlock
    // concerns.
    lock(&plocal->timersLock);
    lock(&pp->timersLock);
    moveTimers(plocal, pp->timers);
    pp->timers.clear();
    pp->numTimers.store(0);
    pp->deletedTimers.store(0);
    pp->timer0When.store(0);
    unlock(&pp->timersLock);
    unlock(&plocal->timersLock);
  }
  stackcache_clear(pp);
  gfpurge(pp);
  pp->status.store(_Pdead);
}

// proc.go: procresize
// Change number of processors.
// sched.lock must be held, and the world must be stopped (gort: or not yet
// started, at bootstrap). gcworkbufs must not be being modified by either
// the GC or the write barrier code, so the GC must not be running if the
// number of Ps actually changes (no GC in gort).
// Returns list of Ps with local work, they need to be scheduled by the
// caller.
p* procresize(int32_t nprocs) {
  int32_t old = gomaxprocs.load();
  if (old < 0 || nprocs <= 0) throw_("procresize: invalid arg");
  if (trace.enabled) traceGomaxprocs(nprocs);

  // update statistics
  int64_t now = nanotime();
  if (sched.procresizetime != 0) sched.totaltime += int64_t(old) * (now - sched.procresizetime);
  sched.procresizetime = now;

  // Grow allp if necessary.
  if (nprocs > allplen) {
    lock(&allpLock);
    if (nprocs > allpcap) {
      p** nallp = new p*[nprocs]();
      for (int32_t i = 0; i < allpcap; i++) nallp[i] = allp[i];
      retire(allp);  // readers may still hold the old array
      allp = nallp;
      allpcap = nprocs;
    }
    idlepMask.resize(nprocs);
    timerpMask.resize(nprocs);
    allplen = nprocs;
    unlock(&allpLock);
  }

  // initialize new P's
  for (int32_t i = old; i < nprocs; i++) {
    p* pp = allp[i];
    if (pp == nullptr) pp = new p{};
    pinit(pp, i);
    // Go: atomicstorep — retake reads allp[i] under allpLock only.
    __atomic_store_n(&allp[i], pp, __ATOMIC_RELEASE);
  }

  g* _g_ = getg();
  if (_g_->m->p != nullptr && _g_->m->p->id < nprocs) {
    // continue to use the current P
    _g_->m->p->status.store(_Prunning);
  } else {
    // release the current P and acquire allp[0].
    //
    // We must do this before destroying our current P because
    // p.destroy itself has write barriers, so we need to do that from
    // a valid P.
    if (_g_->m->p != nullptr) {
      // Pretend that we were descheduled and then scheduled again to keep
      // the trace sane.
      if (trace.enabled) { traceGoSched(); traceProcStop(_g_->m->p); }
      _g_->m->p->m = nullptr;
    }
    _g_->m->p = nullptr;
    p* pp = allp[0];
    pp->m = nullptr;
    pp->status.store(_Pidle);
    acquirep(pp);
    if (trace.enabled) traceGoStart();
  }

  // release resources from unused P's
  for (int32_t i = nprocs; i < old; i++) pdestroy(allp[i]);

  // Trim allp.
  if (allplen != nprocs) {
    lock(&allpLock);
    allplen = nprocs;
    unlock(&allpLock);
  }

  p* runnablePs = nullptr;
  for (int32_t i = nprocs - 1; i >= 0; i--) {
    p* pp = allp[i];
    if (_g_->m->p == pp) continue;
    pp->status.store(_Pidle);
    if (runqempty(pp)) {
      pidleput(pp, now);
    } else {
      pp->m = mget();
      pp->link = runnablePs;
      runnablePs = pp;
    }
  }
  stealOrder.reset(uint32_t(nprocs));
  gomaxprocs.store(nprocs);
  return runnablePs;
}

// proc.go: acquirep
// Associate p and the current m. This function is allowed to have write
// barriers even if the caller isn't because it immediately acquires _p_.
void acquirep(p* _p_) {
  wirep(_p_);
  if (trace.enabled) traceProcStart();
}

// proc.go: wirep
// wirep is the first step of acquirep, which actually associates the
// current M to _p_.
void wirep(p* _p_) {
  g* _g_ = getg();
  if (_g_->m->p != nullptr) throw_("wirep: already in go");
  if (_p_->m != nullptr || _p_->status.load() != _Pidle) {
    m* pm = _p_->m;
    fprintf(stderr, "wirep: p->m=%p(%lld) p->status=%u\n", static_cast<void*>(pm),
            static_cast<long long>(pm ? pm->id : 0), _p_->status.load());
    throw_("wirep: invalid p state");
  }
  _g_->m->p = _p_;
  // gort: Go's pp.m.set is a plain store; release (sysmon reads p.m
  // racily), ordered for others by the status store below.
  _p_->m.store(_g_->m, std::memory_order_release);
  _p_->status.store(_Prunning);
}

// proc.go: releasep
// Disassociate p and the current m.
p* releasep() {
  g* _g_ = getg();
  if (_g_->m->p == nullptr) throw_("releasep: invalid arg");
  p* _p_ = _g_->m->p;
  if (_p_->m != _g_->m || _p_->status.load() != _Prunning) {
    fprintf(stderr, "releasep: m=%p m->p=%p p->m=%p p->status=%u\n", static_cast<void*>(_g_->m),
            static_cast<void*>(_g_->m->p), static_cast<void*>(_p_->m.load()), _p_->status.load());
    throw_("releasep: invalid p state");
  }
  if (trace.enabled) traceProcStop(_g_->m->p);
  _g_->m->p = nullptr;
  _p_->m = nullptr;
  _p_->status.store(_Pidle);
  return _p_;
}

// proc.go: incidlelocked
void incidlelocked(int32_t v) {
  lock(&sched.lock);
  sched.nmidlelocked += v;
  if (v > 0) checkdead();
  unlock(&sched.lock);
}

// proc.go: checkdead
// Check for deadlock situation. The check is based on number of running
// M's, if 0 -> deadlock. sched.lock must be held.
void checkdead() {
  assertLockHeld(&sched.lock);

  // If we are dying because of a signal caught on an already idle thread,
  // freezetheworld will cause all running threads to block. And runtime
  // will essentially enter into deadlock state, except that there is a
  // thread that will call exit soon.
  if (panicking.load() > 0) return;

  int32_t run = mcount() - sched.nmidle - sched.nmidlelocked - sched.nmsys;
  if (run > 0) return;
  if (run < 0) {
    fprintf(stderr, "runtime: checkdead: nmidle=%d nmidlelocked=%d mcount=%d nmsys=%d\n", sched.nmidle,
            sched.nmidlelocked, mcount(), sched.nmsys);
    throw_("checkdead: inconsistent counts");
  }

  int grunning = 0;
  for (g* gp = allgs.load(std::memory_order_acquire); gp != nullptr; gp = gp->alllink) {
    uint32_t s = readgstatus(gp) & ~_Gscan;
    switch (s) {
      case _Gwaiting:
      case _Gpreempted:
        grunning++;
        break;
      case _Grunnable:
      case _Grunning:
      case _Gsyscall:
        fprintf(stderr, "runtime: checkdead: find g %lld in status %u\n", static_cast<long long>(gp->goid), s);
        throw_("checkdead: runnable g");
    }
  }
  if (grunning == 0) {  // possible if main goroutine calls runtime·Goexit()
    unlock(&sched.lock);
    fatal("no goroutines (main called runtime.Goexit) - deadlock!");
  }

  // gort: Go jumps time forward here for the playground (faketime); gort
  // has no fake time.

  // There are no goroutines running, so we can look at the P's.
  // (gort: numTimers, the atomic twin of Go's unlocked len(_p_.timers).)
  for (int32_t i = 0; i < allplen; i++) {
    if (allp[i]->numTimers.load() > 0) return;
  }

  unlock(&sched.lock);
  fatal("all goroutines are asleep - deadlock!");
}

// proc.go: sysmon
// Always runs without a P, so write barriers are not allowed.
// sysmon watches the running Ps from its own M: it retakes Ps blocked in
// syscalls and preempts goroutines that ran too long. It sleeps 20us,
// doubling after 1ms of idleness up to 10ms, and sleeps until woken while
// every P is idle.
void sysmon() {
  lock(&sched.lock);
  sched.nmsys++;
  checkdead();
  unlock(&sched.lock);

  int64_t lasttrace = 0;
  int idle = 0;  // how many cycles in succession we had not wokeup somebody
  uint32_t delay = 0;
  for (;;) {
    if (idle == 0) {  // start with 20us sleep...
      delay = 20;
    } else if (idle > 50) {  // start doubling the sleep after 1ms...
      delay *= 2;
    }
    if (delay > 10 * 1000) {  // up to 10ms
      delay = 10 * 1000;
    }
    usleep(delay);

    // sysmon should not enter deep sleep if schedtrace is enabled so that
    // it can print that information at the right time.
    //
    // It should also not enter deep sleep if there are any active P's so
    // that it can retake P's from syscalls, preempt long running G's, and
    // poll the network if all P's are busy for long stretches.
    //
    // It should wakeup from deep sleep if any P's become active either due
    // to exiting a syscall or waking up due to a timer expiring so that it
    // can resume performing those duties. If it wakes from a syscall it
    // resets idle and delay as a bet that since it had retaken a P from a
    // syscall before, it may need to do it again shortly after the
    // application starts work again.
    int64_t now = nanotime();
    if (debug.schedtrace <= 0 &&
        (sched.gcwaiting.load() != 0 || sched.npidle.load() == uint32_t(gomaxprocs.load()))) {
      lock(&sched.lock);
      if (sched.gcwaiting.load() != 0 || sched.npidle.load() == uint32_t(gomaxprocs.load())) {
        bool syscallWake = false;
        int64_t next = timeSleepUntil();
        if (next > now) {
          sched.sysmonwait.store(1);
          unlock(&sched.lock);
          // Make wake-up period small enough for the sampling to be
          // correct.
          int64_t sleep = forcegcperiod / 2;
          if (next - now < sleep) sleep = next - now;
          // gort: Go relaxes the OS timer resolution here on Windows
          // (osRelax); a no-op on Linux.
          syscallWake = notetsleep(&sched.sysmonnote, sleep);
          lock(&sched.lock);
          sched.sysmonwait.store(0);
          noteclear(&sched.sysmonnote);
        }
        if (syscallWake) {
          idle = 0;
          delay = 20;
        }
      }
      unlock(&sched.lock);
    }

    lock(&sched.sysmonlock);
    // Update now in case we blocked on sysmonnote or spent a long time
    // blocked on schedlock or sysmonlock above.
    now = nanotime();
    // poll network if not polled for more than 10ms
    int64_t lastpoll = sched.lastpoll.load();
    if (netpollinited() && lastpoll != 0 && lastpoll + 10 * 1000 * 1000 < now) {
      sched.lastpoll.compare_exchange_strong(lastpoll, now);
      gList list = netpoll(0);  // non-blocking - returns list of goroutines
      if (!list.empty()) {
        // Need to decrement number of idle locked M's (pretending that one
        // more is running) before injectglist. Otherwise it can lead to
        // the following situation: injectglist grabs all P's but before
        // it starts M's to run the P's, another M returns from syscall,
        // finishes running its G, observes that there is no work to do
        // and no other running M's and reports deadlock.
        incidlelocked(-1);
        injectglist(&list);
        incidlelocked(1);
      }
    }
    // retake P's blocked in syscalls and preempt long running G's
    if (retake(now) != 0)
      idle = 0;
    else
      idle++;
    // gort: Go also forces a GC every 2 minutes here (no GC in gort).
    if (debug.schedtrace > 0 && lasttrace + int64_t(debug.schedtrace) * 1000000 <= now) {
      lasttrace = now;
      schedtrace(debug.scheddetail > 0);
    }
    unlock(&sched.sysmonlock);
  }
}

// proc.go: retake
// For every P: one that has run the same goroutine's time slice for
// forcePreemptNS gets preempted; one that has sat in a syscall for a
// sysmon tick is handed to another M, unless it has no work and there are
// spinning or idle Ps to take new work anyway.
uint32_t retake(int64_t now) {
  uint32_t n = 0;
  // Prevent allp slice changes. This lock will be completely uncontended
  // unless we're already stopping the world.
  lock(&allpLock);
  // We can't use a range loop over allp because we may temporarily drop
  // the allpLock. Hence, we need to re-fetch allp each time around the
  // loop.
  for (int32_t i = 0; i < allplen; i++) {
    p* _p_ = __atomic_load_n(&allp[i], __ATOMIC_ACQUIRE);  // see procresize
    if (_p_ == nullptr) {
      // This can happen if procresize has grown allp but not yet created
      // new Ps.
      continue;
    }
    auto* pd = &_p_->sysmontick;
    uint32_t s = _p_->status.load();
    bool sysretake = false;
    if (s == _Prunning || s == _Psyscall) {
      // Preempt G if it's running for too long.
      int64_t t = int64_t(_p_->schedtick);
      if (int64_t(pd->schedtick) != t) {
        pd->schedtick = uint32_t(t);
        pd->schedwhen = now;
      } else if (pd->schedwhen + forcePreemptNS <= now) {
        preemptone(_p_);
        // In case of syscall, preemptone() doesn't work, because there is
        // no M wired to P.
        sysretake = true;
      }
    }
    if (s == _Psyscall) {
      // Retake P from syscall if it's there for more than 1 sysmon tick
      // (at least 20us).
      int64_t t = int64_t(_p_->syscalltick);
      if (!sysretake && int64_t(pd->syscalltick) != t) {
        pd->syscalltick = uint32_t(t);
        pd->syscallwhen = now;
        continue;
      }
      // On the one hand we don't want to retake Ps if there is no other
      // work to do, but on the other hand we want to retake them
      // eventually because they can prevent the sysmon thread from deep
      // sleep.
      if (runqempty(_p_) && sched.nmspinning.load() + sched.npidle.load() > 0 &&
          pd->syscallwhen + 10 * 1000 * 1000 > now)
        continue;
      // Drop allpLock so we can take sched.lock.
      unlock(&allpLock);
      // Need to decrement number of idle locked M's (pretending that one
      // more is running) before the CAS. Otherwise the M from which we
      // retake can exit the syscall, increment nmidle and report deadlock.
      incidlelocked(-1);
      uint32_t sys = _Psyscall;
      if (_p_->status.compare_exchange_strong(sys, _Pidle)) {
        if (trace.enabled) { traceGoSysBlock(_p_); traceProcStop(_p_); }
        n++;
        _p_->syscalltick++;
        handoffp(_p_);
      }
      incidlelocked(1);
      lock(&allpLock);
    }
  }
  unlock(&allpLock);
  return n;
}

// proc.go: preemptall
// Tell all goroutines that they have been preempted and they should stop.
// This function is purely best-effort. It can fail to inform a goroutine
// if a processor just started running it. No locks need to be held.
// Returns true if preemption request was issued to at least one goroutine.
bool preemptall() {
  bool res = false;
  for (int32_t i = 0; i < allplen; i++) {
    p* _p_ = allp[i];
    if (_p_->status.load() != _Prunning) continue;
    if (preemptone(_p_)) res = true;
  }
  return res;
}

// proc.go: preemptone
// Tell the goroutine running on processor P to stop. This function is
// purely best-effort. It can incorrectly fail to inform the goroutine. It
// can inform the wrong goroutine. Even if it informs the correct
// goroutine, that goroutine might ignore the request if it is
// simultaneously executing newstack. No lock needs to be held.
// Returns true if preemption request was issued.
bool preemptone(p* _p_) {
  m* mp = _p_->m;
  if (mp == nullptr || mp == getg()->m) return false;
  g* gp = mp->curg;
  if (gp == nullptr || gp == mp->g0) return false;

  gp->preempt = true;

  // Every call in a goroutine checks for stack overflow by comparing the
  // current stack pointer to gp->stackguard0. Setting gp->stackguard0 to
  // StackPreempt folds preemption into the normal stack overflow check.
  // (gort: C++ has no such check; preemptPoint reads g.preempt at the
  // runtime's entry points instead.)
  gp->stackguard0 = stackPreempt;

  // Request an async preemption of this P. (gort: not under TSan, which
  // defers signals to its own safe points and hands the handler a context
  // that is not the interrupted one.)
#if !GORT_TSAN
  if (preemptMSupported && debug.asyncpreemptoff == 0) {
    _p_->preempt.store(true);
    // gort: not while a refused signal's back-off runs (preemptSignalDue).
    if (preemptSignalDue(gp, _p_)) preemptM(mp);
  }
#endif
  return true;
}

// proc.go: schedtrace
// Prints GODEBUG=schedtrace's line: the scheduler's counters and each P's
// run queue length (the ring only, not runnext); with detailed
// (scheddetail=1), one line per P, M and G instead of the queue lengths.
// gort: timerslen is p.numTimers, which counts what len(p.timers) does
// (the heap, deleted timers included) without reading the vector another
// M may be resizing; mallocing is counted only by a dying M
// (startpanic_m), as gort has no allocator.
// gort: not instrumented by TSan: like Go's, it reads the Ms' and Gs'
// fields while their owners change them (see the note below).
__attribute__((no_sanitize_thread)) void schedtrace(bool detailed) {
  static int64_t starttime = 0;
  int64_t now = nanotime();
  if (starttime == 0) starttime = now;

  // gort: each line leaves in one write(2), so another thread's output
  // (a fatal error's, a traceback's) never lands inside it: Go's print
  // holds printlock for a whole print statement, and the SCHED line is
  // one statement in Go but several appends here. A line that outgrows
  // the buffer is cut short, never overrun.
  struct sched_line {
    char buf[512];
    size_t len = 0;
    __attribute__((format(printf, 2, 3))) void add(const char* fmt, ...) {
      va_list ap;
      va_start(ap, fmt);
      int n = vsnprintf(buf + len, sizeof buf - len, fmt, ap);
      va_end(ap);
      if (n > 0) len = std::min(sizeof buf - 1, len + size_t(n));
    }
    void flush() {
      if (len == 0) return;
      ssize_t r = write(2, buf, len);
      (void)r;
      len = 0;
    }
  };
  sched_line line;

  lock(&sched.lock);
  line.add("SCHED %lldms: gomaxprocs=%d idleprocs=%u threads=%d spinningthreads=%u idlethreads=%d runqueue=%d",
           static_cast<long long>((now - starttime) / 1000000), gomaxprocs.load(), sched.npidle.load(), mcount(),
           sched.nmspinning.load(), sched.nmidle, sched.runqsize.load());
  if (detailed) {
    line.add(" gcwaiting=%u nmidlelocked=%d stopwait=%d sysmonwait=%u\n", sched.gcwaiting.load(),
             sched.nmidlelocked, sched.stopwait, sched.sysmonwait.load());
    line.flush();
  }
  // We must be careful while reading data from P's, M's and G's. Even if
  // we hold schedlock, most data can be changed concurrently. E.g.
  // (p->m ? p->m->id : -1) can crash if p->m changes from non-nil to nil.
  int32_t np = gomaxprocs.load();
  for (int32_t i = 0; i < np; i++) {
    p* _p_ = allp[i];
    m* mp = _p_->m.load();
    uint32_t h = _p_->runqhead.load();
    uint32_t t = _p_->runqtail.load();
    if (detailed) {
      int64_t id = -1;
      if (mp != nullptr) id = mp->id;
      line.add("  P%d: status=%u schedtick=%u syscalltick=%u m=%lld runqsize=%u gfreecnt=%d timerslen=%d\n", i,
               _p_->status.load(), _p_->schedtick.load(), _p_->syscalltick.load(), static_cast<long long>(id), t - h,
               _p_->gFree.n.load(), int(_p_->numTimers.load()));
      line.flush();
    } else {
      // In non-detailed mode format lengths of per-P run queues as:
      // [len1 len2 len3 len4]
      line.add(" %s%u%s", i == 0 ? "[" : "", t - h, i == np - 1 ? "]\n" : "");
    }
  }
  line.flush();

  if (!detailed) {
    unlock(&sched.lock);
    return;
  }

  for (m* mp = allm; mp != nullptr; mp = mp->alllink) {
    p* _p_ = mp->p;
    g* gp = mp->curg.load();
    g* lockedg = mp->lockedg;
    int32_t id1 = -1;
    if (_p_ != nullptr) id1 = _p_->id;
    int64_t id2 = -1;
    if (gp != nullptr) id2 = gp->goid;
    int64_t id3 = -1;
    if (lockedg != nullptr) id3 = lockedg->goid;
    line.add("  M%lld: p=%d curg=%lld mallocing=%d throwing=%d preemptoff=%s locks=%d dying=%d spinning=%s "
             "blocked=%s lockedg=%lld\n",
             static_cast<long long>(mp->id), id1, static_cast<long long>(id2), mp->mallocing, mp->throwing,
             mp->preemptoff != nullptr ? mp->preemptoff : "", mp->locks, mp->dying, mp->spinning ? "true" : "false",
             mp->blocked ? "true" : "false", static_cast<long long>(id3));
    line.flush();
  }

  for (g* gp = allgs.load(std::memory_order_acquire); gp != nullptr; gp = gp->alllink) {
    m* mp = gp->m;
    m* lockedm = gp->lockedm;
    int64_t id1 = -1;
    if (mp != nullptr) id1 = mp->id;
    int64_t id2 = -1;
    if (lockedm != nullptr) id2 = lockedm->id;
    line.add("  G%lld: status=%u(%s) m=%lld lockedm=%lld\n", static_cast<long long>(gp->goid), readgstatus(gp),
             waitReasonString(gp->waitreason), static_cast<long long>(id1), static_cast<long long>(id2));
    line.flush();
  }
  unlock(&sched.lock);
}

// proc.go: mput
// Put mp on midle list. sched.lock must be held. May run during STW, so
// write barriers are not allowed.
void mput(m* mp) {
  assertLockHeld(&sched.lock);
  mp->schedlink = sched.midle;
  sched.midle = mp;
  sched.nmidle++;
  checkdead();
}

// proc.go: mget
// Try to get an m from midle list. sched.lock must be held.
m* mget() {
  assertLockHeld(&sched.lock);
  m* mp = sched.midle;
  if (mp != nullptr) {
    sched.midle = mp->schedlink;
    sched.nmidle--;
  }
  return mp;
}

// proc.go: globrunqput
// Put gp on the global runnable queue. sched.lock must be held.
void globrunqput(g* gp) {
  assertLockHeld(&sched.lock);
  sched.runq.pushBack(gp);
  // gort: sched.runqsize changes only under sched.lock; it is atomic
  // because findRunnable and schedtrace peek at it without the lock (Go's
  // racy reads of a plain int32). The lock orders the writers, so an
  // ownedAdd, not a locked add.
  ownedAdd(sched.runqsize, 1);
}

// proc.go: globrunqputhead
// Put gp at the head of the global runnable queue. sched.lock must be held.
void globrunqputhead(g* gp) {
  assertLockHeld(&sched.lock);
  sched.runq.push(gp);
  ownedAdd(sched.runqsize, 1);  // see globrunqput
}

// proc.go: globrunqputbatch
// Put a batch of runnable goroutines on the global runnable queue. This
// clears *batch. sched.lock must be held.
void globrunqputbatch(gQueue* batch, int32_t n) {
  assertLockHeld(&sched.lock);
  sched.runq.pushBackAll(*batch);
  ownedAdd(sched.runqsize, n);  // see globrunqput
  *batch = gQueue{};
}

// proc.go: globrunqget
// Try get a batch of G's from the global runnable queue. sched.lock must
// be held.
g* globrunqget(p* _p_, int32_t max) {
  assertLockHeld(&sched.lock);
  int32_t runqsize = sched.runqsize.load(std::memory_order_relaxed);  // stable: sched.lock is held
  if (runqsize == 0) return nullptr;

  int32_t n = runqsize / gomaxprocs.load(std::memory_order_relaxed) + 1;
  if (n > runqsize) n = runqsize;
  if (max > 0 && n > max) n = max;
  if (n > runqSize / 2) n = runqSize / 2;

  sched.runqsize.store(runqsize - n, std::memory_order_relaxed);  // see globrunqput

  g* gp = sched.runq.pop();
  n--;
  for (; n > 0; n--) {
    g* gp1 = sched.runq.pop();
    runqput(_p_, gp1, false);
  }
  return gp;
}

// proc.go: updateTimerPMask
// updateTimerPMask clears pp's timer mask if it has no timers on its heap.
//
// Ideally, the timer mask would be kept immediately consistent on any
// timer operations. Unfortunately, updating a shared global data structure
// in the timer hot path adds too much overhead in applications frequently
// switching between no timers and some timers.
//
// As a compromise, the timer mask is updated only on pidleget / pidleput.
// A running P (returned by pidleget) may add a timer at any time, so its
// mask must be set. An idle P (passed to pidleput) cannot add new timers
// while idle, so if it has no timers at that time, its mask may be
// cleared.
//
// Thus, we get the following effects on timer-stealing in findRunnable:
//
//   - Idle Ps with no timers when they go idle are never checked in
//     findRunnable (for work- or timer-stealing; this is the ideal case).
//   - Running Ps must always be checked.
//   - Idle Ps whose timers are stolen must continue to be checked until
//     they run again, even after timer expiration.
//
// When the P starts running again, the mask should be set, as a timer may
// be added at any time.
static void updateTimerPMask(p* pp) {
  if (pp->numTimers.load() > 0) return;

  // Looks like there are no timers, however another P may transiently
  // decrement numTimers when handling a timerModified timer in
  // checkTimers. We must take timersLock to serialize with these changes.
  lock(&pp->timersLock);
  if (pp->numTimers.load() == 0) timerpMask.clear(pp->id);
  unlock(&pp->timersLock);
}

// proc.go: pidleput
// Put p on the _Pidle list. now must be a relatively recent call to
// nanotime or zero. Returns now or the current time if now was zero.
// sched.lock must be held.
int64_t pidleput(p* _p_, int64_t now) {
  assertLockHeld(&sched.lock);
  if (!runqempty(_p_)) throw_("pidleput: P has non-empty run queue");
  if (now == 0) now = nanotime();
  updateTimerPMask(_p_);  // clear if there are no timers.
  idlepMask.set(_p_->id);
  _p_->link = sched.pidle;
  sched.pidle = _p_;
  sched.npidle.fetch_add(1);
  return now;
}

// proc.go: pidleget
// Try get a p from _Pidle list. sched.lock must be held.
p* pidleget(int64_t now) {
  assertLockHeld(&sched.lock);
  p* _p_ = sched.pidle;
  if (_p_ != nullptr) {
    // Timer may get added at any time now.
    if (now == 0) now = nanotime();
    timerpMask.set(_p_->id);
    idlepMask.clear(_p_->id);
    sched.pidle = _p_->link;
    sched.npidle.fetch_sub(1);
  }
  return _p_;
}

// proc.go: runqempty
// runqempty reports whether _p_ has no Gs on its local run queue. It
// never returns true spuriously.
bool runqempty(p* _p_) {
  // Defend against a race where 1) _p_ has G1 in runqnext but runqhead ==
  // runqtail, 2) runqput on _p_ kicks G1 to the runq, 3) runqget on _p_
  // empties runqnext. Simply observing that runqhead == runqtail and then
  // observing that runqnext == nil does not mean the queue is empty.
  for (;;) {
    uint32_t head = _p_->runqhead.load(std::memory_order_acquire);
    uint32_t tail = _p_->runqtail.load(std::memory_order_acquire);
    g* runnext = _p_->runnext.load(std::memory_order_acquire);
    if (tail == _p_->runqtail.load(std::memory_order_acquire)) return head == tail && runnext == nullptr;
  }
}

// proc.go: runqput
// runqput tries to put g on the local runnable queue. If next is false,
// runqput adds g to the tail of the runnable queue. If next is true,
// runqput puts g in the _p_.runnext slot. If the run queue is full,
// runnext puts g on the global queue. Executed only by the owner P.
void runqput(p* _p_, g* gp, bool next) {
  if (next) {
    g* oldnext = _p_->runnext.load(std::memory_order_relaxed);
    // gort: seq_cst (Go's cas): it orders the new work before wakep's
    // loads in ready and newproc, which take no fence of their own.
    while (!_p_->runnext.compare_exchange_weak(oldnext, gp, std::memory_order_seq_cst, std::memory_order_relaxed)) {
    }
    if (oldnext == nullptr) return;
    // Kick the old runnext out to the regular run queue.
    gp = oldnext;
  }

  for (;;) {
    uint32_t h = _p_->runqhead.load(std::memory_order_acquire);  // load-acquire, synchronize with consumers
    uint32_t t = _p_->runqtail.load(std::memory_order_relaxed);
    if (t - h < uint32_t(runqSize)) {
      _p_->runq[t % runqSize].store(gp, std::memory_order_relaxed);
      _p_->runqtail.store(t + 1, std::memory_order_release);  // store-release, makes the item available for consumption
      return;
    }
    if (runqputslow(_p_, gp, h, t)) return;
    // the queue is not full, now the put above must succeed
  }
}

// proc.go: runqputslow
// Put g and a batch of work from local runnable queue on global queue.
// Executed only by the owner P.
bool runqputslow(p* _p_, g* gp, uint32_t h, uint32_t t) {
  g* batch[runqSize / 2 + 1];

  // First, grab a batch from local queue.
  uint32_t n = t - h;
  n = n / 2;
  if (n != uint32_t(runqSize / 2)) throw_("runqputslow: queue is not full");
  for (uint32_t i = 0; i < n; i++) batch[i] = _p_->runq[(h + i) % runqSize].load(std::memory_order_relaxed);
  if (!_p_->runqhead.compare_exchange_strong(h, h + n, std::memory_order_release))  // cas-release, commits consume
    return false;
  batch[n] = gp;

  // Link the goroutines.
  for (uint32_t i = 0; i < n; i++) batch[i]->schedlink.store(batch[i + 1], std::memory_order_relaxed);
  batch[n]->schedlink.store(nullptr, std::memory_order_relaxed);
  gQueue q;
  q.head = batch[0];
  q.tail = batch[n];

  // Now put the batch on global queue.
  lock(&sched.lock);
  globrunqputbatch(&q, int32_t(n + 1));
  unlock(&sched.lock);
  return true;
}

// proc.go: runqputbatch
// runqputbatch tries to put all the G's on q on the local runnable queue.
// If the queue is full, they are put on the global queue; in that case
// this will temporarily acquire the scheduler lock.
// Executed only by the owner P.
void runqputbatch(p* pp, gQueue* q, int qsize) {
  uint32_t h = pp->runqhead.load(std::memory_order_acquire);
  uint32_t t = pp->runqtail.load(std::memory_order_relaxed);
  uint32_t n = 0;
  while (!q->empty() && t - h < uint32_t(runqSize)) {
    g* gp = q->pop();
    pp->runq[t % runqSize].store(gp, std::memory_order_relaxed);
    t++;
    n++;
  }
  qsize -= int(n);

  pp->runqtail.store(t, std::memory_order_release);
  if (!q->empty()) {
    lock(&sched.lock);
    globrunqputbatch(q, int32_t(qsize));
    unlock(&sched.lock);
  }
}

// proc.go: runqget
// Get g from local runnable queue. If inheritTime is true, gp should
// inherit the remaining time in the current time slice. Otherwise, it
// should start a new time slice. Executed only by the owner P.
g* runqget(p* _p_, bool* inheritTime) {
  // If there's a runnext, it's the next G to run.
  g* next = _p_->runnext.load(std::memory_order_relaxed);
  // If the runnext is non-0 and the CAS fails, it could only have been
  // stolen by another P, because other Ps can race to set runnext to 0,
  // but only the current P can set it to non-0. Hence, there's no need to
  // retry this CAS if it falls.
  if (next != nullptr && _p_->runnext.compare_exchange_strong(next, nullptr, std::memory_order_acq_rel)) {
    *inheritTime = true;
    return next;
  }

  for (;;) {
    uint32_t h = _p_->runqhead.load(std::memory_order_acquire);  // load-acquire, synchronize with other consumers
    uint32_t t = _p_->runqtail.load(std::memory_order_relaxed);
    if (t == h) {
      *inheritTime = false;
      return nullptr;
    }
    g* gp = _p_->runq[h % runqSize].load(std::memory_order_relaxed);
    if (_p_->runqhead.compare_exchange_strong(h, h + 1, std::memory_order_release)) {  // cas-release, commits consume
      *inheritTime = false;
      return gp;
    }
  }
}

// proc.go: runqgrab
// Grabs a batch of goroutines from _p_'s runnable queue into batch.
// Batch is a ring buffer starting at batchHead. Returns number of grabbed
// goroutines. Can be executed by any P.
uint32_t runqgrab(p* _p_, std::atomic<g*>* batch, uint32_t batchHead, bool stealRunNextG) {
  for (;;) {
    uint32_t h = _p_->runqhead.load(std::memory_order_acquire);  // load-acquire, synchronize with other consumers
    uint32_t t = _p_->runqtail.load(std::memory_order_acquire);  // load-acquire, synchronize with the producer
    uint32_t n = t - h;
    n = n - n / 2;
    if (n == 0) {
      if (stealRunNextG) {
        // Try to steal from _p_.runnext.
        if (g* next = _p_->runnext.load(std::memory_order_acquire)) {
          if (_p_->status.load() == _Prunning) {
            // Sleep to ensure that _p_ isn't about to run the g we are
            // about to steal. The important use case here is when the g
            // running on _p_ ready()s another g and then almost
            // immediately blocks. Instead of stealing runnext in this
            // window, back off to give _p_ a chance to schedule runnext
            // and avoid thrashing gs between different Ps. A sync
            // chan send/recv takes ~50ns as of time of writing, so 3us
            // gives ~50x overshoot.
            usleep(3);
          }
          if (!_p_->runnext.compare_exchange_strong(next, nullptr, std::memory_order_acq_rel)) continue;
          batch[batchHead % runqSize].store(next, std::memory_order_relaxed);
          return 1;
        }
      }
      return 0;
    }
    if (n > uint32_t(runqSize / 2)) continue;  // read inconsistent h and t
    for (uint32_t i = 0; i < n; i++) {
      g* gp = _p_->runq[(h + i) % runqSize].load(std::memory_order_relaxed);
      batch[(batchHead + i) % runqSize].store(gp, std::memory_order_relaxed);
    }
    if (_p_->runqhead.compare_exchange_strong(h, h + n, std::memory_order_release))  // cas-release, commits consume
      return n;
  }
}

// proc.go: runqsteal
// Steal half of elements from local runnable queue of p2 and put onto
// local runnable queue of p. Returns one of the stolen elements (or nil if
// failed).
g* runqsteal(p* _p_, p* p2, bool stealRunNextG) {
  uint32_t t = _p_->runqtail.load(std::memory_order_relaxed);
  uint32_t n = runqgrab(p2, _p_->runq, t, stealRunNextG);
  if (n == 0) return nullptr;
  if (trace.enabled) traceGoSteal(p2, n);  // gort-only event
  n--;
  g* gp = _p_->runq[(t + n) % runqSize].load(std::memory_order_relaxed);
  if (n == 0) return gp;
  uint32_t h = _p_->runqhead.load(std::memory_order_acquire);  // load-acquire, synchronize with consumers
  if (t - h + n >= uint32_t(runqSize)) throw_("runqsteal: runq overflow");
  _p_->runqtail.store(t + n, std::memory_order_release);  // store-release, makes the item available for consumption
  return gp;
}

// proc.go: (*gQueue).push
// Adds gp to the head of q.
void gQueue::push(g* gp) {
  gp->schedlink.store(head, std::memory_order_relaxed);
  head = gp;
  if (tail == nullptr) tail = gp;
}

// proc.go: (*gQueue).pushBack
// Adds gp to the tail of q.
void gQueue::pushBack(g* gp) {
  gp->schedlink.store(nullptr, std::memory_order_relaxed);
  if (tail != nullptr)
    tail->schedlink.store(gp, std::memory_order_relaxed);
  else
    head = gp;
  tail = gp;
}

// proc.go: (*gQueue).pushBackAll
// Adds all Gs in q2 to the tail of q. After this q2 must not be used.
void gQueue::pushBackAll(gQueue q2) {
  if (q2.tail == nullptr) return;
  q2.tail->schedlink.store(nullptr, std::memory_order_relaxed);
  if (tail != nullptr)
    tail->schedlink.store(q2.head, std::memory_order_relaxed);
  else
    head = q2.head;
  tail = q2.tail;
}

// proc.go: (*gQueue).pop
// Removes and returns the head of queue q. It returns nil if q is empty.
g* gQueue::pop() {
  g* gp = head;
  if (gp != nullptr) {
    head = gp->schedlink.load(std::memory_order_relaxed);
    if (head == nullptr) tail = nullptr;
  }
  return gp;
}

// proc.go: (*gList).push
// Adds gp to the head of l.
void gList::push(g* gp) {
  gp->schedlink.store(head, std::memory_order_relaxed);
  __atomic_store_n(&head, gp, __ATOMIC_RELAXED);
}

// proc.go: (*gList).pushAll
// Prepends all Gs in q to l, keeping q's order.
void gList::pushAll(gQueue q) {
  if (!q.empty()) {
    q.tail->schedlink.store(head, std::memory_order_relaxed);
    __atomic_store_n(&head, q.head, __ATOMIC_RELAXED);
  }
}

// proc.go: (*gList).pop
// Removes and returns the head of l. If l is empty, it returns nil.
g* gList::pop() {
  g* gp = head;
  if (gp != nullptr) __atomic_store_n(&head, gp->schedlink.load(std::memory_order_relaxed), __ATOMIC_RELAXED);
  return gp;
}

// proc.go: (*randomOrder).reset
void randomOrder::reset(uint32_t n) {
  count = n;
  uint32_t* c = new uint32_t[n];
  uint32_t k = 0;
  for (uint32_t i = 1; i <= n; i++)
    if (gcd(i, n) == 1) c[k++] = i;
  retire(coprimes);  // a spinning M may still be reading the old array
  coprimes = c;
  ncoprimes = k;
}

// proc.go: (*randomOrder).start
randomEnum randomOrder::start(uint32_t i) const {
  return randomEnum{0, count, i % count, coprimes[i / count % ncoprimes]};
}

// proc.go: gcd
uint32_t gcd(uint32_t a, uint32_t b) {
  while (b != 0) {
    uint32_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

// proc.go: setMaxThreads (runtime/debug.SetMaxThreads)
// Sets the most Ms the program may have and returns the previous limit;
// dies at once if more exist already.
int SetMaxThreads(int in) {
  lock(&sched.lock);
  int out = int(sched.maxmcount);
  sched.maxmcount = in;  // gort: int is 32 bits, so no clamp to MaxInt32
  checkmcount();
  unlock(&sched.lock);
  return out;
}

// Active spinning for sync::Mutex.

// proc.go: sync_runtime_canSpin
// sync::Mutex is cooperative, so we are conservative with spinning. Spin
// only few times and only if running on a multicore machine and
// GOMAXPROCS>1 and there is at least one other running P and local runq
// is empty. As opposed to runtime mutex we don't do passive spinning
// here, because there can be work on global runq or on other Ps.
bool sync_runtime_canSpin(int i) {
  if (i >= active_spin || ncpu <= 1 ||
      gomaxprocs.load() <= int32_t(sched.npidle.load() + sched.nmspinning.load()) + 1)
    return false;
  if (p* pp = getg()->m->p; !runqempty(pp)) return false;
  return true;
}

// proc.go: sync_runtime_doSpin
void sync_runtime_doSpin() { procyield(active_spin_cnt); }

// randomOrder/randomEnum are helper types for randomized work stealing.
// They allow to enumerate all Ps in different pseudo-random orders without
// repetitions. The algorithm is based on the fact that if we have X such
// that X and GOMAXPROCS are coprime, then a sequences of (i + X) %
// GOMAXPROCS gives the required enumeration.
randomOrder stealOrder;

// stubs.go: fastrand (wyrand on 64-bit, as Go 1.19)
uint32_t fastrand() {
  m* mp = getg()->m;
  mp->fastrand += 0xa0761d6478bd642fULL;
  unsigned __int128 r = (unsigned __int128)mp->fastrand * (mp->fastrand ^ 0xe7037ed1a0b428dbULL);
  return uint32_t(uint64_t(r >> 64) ^ uint64_t(r));
}

// ===========================================================================
// gort-only: glue between the C++ world and the functions above.
// ===========================================================================

// runtime1.go: acquirem
m* acquirem() {
  g* _g_ = getg();
  _g_->m->locks++;
  return _g_->m;
}

// runtime1.go: releasem
void releasem(m* mp) { mp->locks--; }

// debug.go: GOMAXPROCS
// Sets the maximum number of Ps and returns the previous setting. If n < 1,
// it does not change the current setting.
int GOMAXPROCS(int n) {
  lock(&sched.lock);
  int ret = gomaxprocs.load();
  unlock(&sched.lock);
  if (n <= 0 || n == ret) return ret;

  stopTheWorld("GOMAXPROCS");

  // newprocs will be processed by startTheWorld
  newprocs = int32_t(n);

  startTheWorld();
  return ret;
}

// Starts an M that waits on the idle list before it runs anything, as
// the M Go's runtime.main started for its init goroutines waits in stopm
// by the time main.main runs (runtime::main). startm's mget finds it and
// wakes it with m.nextp set; mstart1 then acquires that P.
// gort-only: Go's init leaves this M behind; gort has no init goroutines.
void newmIdle() {
  m* mp = allocm(nullptr, mPark, -1);
  mp->sigmask = initSigmask;
  lock(&sched.lock);
  mput(mp);
  unlock(&sched.lock);
  newm1(mp);
}

// gort-only: LockOSThread/UnlockOSThread are proc.go's; the public names
// in package runtime are the same functions.

// gort-only: runtime::NoPreempt's two halves.
void nopreemptEnter() { getg()->m->curg.load()->nopreempt++; }
void nopreemptLeave() { getg()->m->curg.load()->nopreempt--; }

// gort-only: the number of asynchronous preemptions so far.
uint64_t NumAsyncPreempt() { return nasyncpreempt.load(); }

// debug.go: NumGoroutine
int NumGoroutine() { return gcount(); }

// debug.go: NumCPU
int NumCPU() { return ncpu; }

// panic.go: Goexit
// Goexit terminates the goroutine that calls it. No other goroutine is
// affected. Goexit runs all deferred calls (gort: destructors) before
// terminating the goroutine.
void Goexit() {
  checkNoG("runtime.Goexit");  // gort: misuse from outside a goroutine
  throw goexitUnwind{};
}

// gort-only: the first thing a new goroutine does on its own stack.
// It clears the no-preemption mark newproc1 set: until the switch is
// finished here, a preemption signal would find it half done.
void goentry_begin() {
  g* gp = getg();
  fiberArrive(gp);
  gp->nopreempt = 0;
}

}  // namespace gort::runtime

namespace gort {
// asm_amd64.s: rt0_go (public entry; see runtime::rt0_go above).
void rt0_go(int argc, char** argv, int (*mainfn)(int, char**)) { runtime::rt0_go(argc, argv, mainfn); }
}  // namespace gort
