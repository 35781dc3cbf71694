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
// queue", so one side or the other always notices the new work. (The many-M
// half of this lands with startm/wakep; this file already keeps the places
// where Go calls them.)

#include <pthread.h>
#include <sched.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cxxabi.h>
#include <exception>

#include "runtime/fiber_annotations.h"
#include "runtime/go.h"
#include "runtime/lock_futex.h"
#include "runtime/os_linux.h"
#include "runtime/proc.h"
#include "runtime/runtime1.h"
#include "runtime/stack.h"
#include "runtime/stubs.h"

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

// pMask: one bit per P (proc.go: type pMask).
struct pMask {
  std::atomic<uint32_t>* bits = nullptr;
  int32_t n = 0;
  bool read(int32_t id) const { return (bits[id / 32].load(std::memory_order_relaxed) >> (id % 32)) & 1; }
  void set(int32_t id) { bits[id / 32].fetch_or(1u << (id % 32)); }
  void clear(int32_t id) { bits[id / 32].fetch_and(~(1u << (id % 32))); }
  void resize(int32_t nprocs) {
    int32_t words = (nprocs + 31) / 32;
    if (words <= n) return;
    auto* nb = new std::atomic<uint32_t>[words];
    for (int32_t i = 0; i < words; i++) nb[i].store(i < n ? bits[i].load() : 0);
    bits = nb;  // the old array is leaked on purpose: readers may hold it
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
  g0.stackguard1 = g0.stackguard0;

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

  // gort: sysmon starts here in Go (newm(sysmon, nil, -1)); it arrives
  // with the many-M scheduler.

  int status = 0;
  bool goexited = false;
  try {
    status = main_main(argc_, argv_);
  } catch (const goexitUnwind&) {
    goexited = true;
  } catch (...) {
    goentry_panic(std::current_exception());
  }
  if (goexited) {
    // main called runtime::Goexit: the other goroutines go on; when the
    // last one ends checkdead reports "no goroutines (main called
    // runtime.Goexit) - deadlock!". (Outside the catch block, so the
    // thread's C++ exception state is clean.)
    goexit1();
  }
  fflush(nullptr);
  exit(status);
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

// proc.go: schedinit
// The bootstrap sequence is: osinit, schedinit, make & queue new G (main),
// call mstart. The new G calls runtime.main.
void schedinit() {
  g* gp = getg();
  sched.maxmcount = 10000;

  stackinit();
  mcommoninit(gp->m, -1);

  goenvs();
  parsedebugvars();

  lock(&sched.lock);
  sched.lastpoll.store(nanotime());
  int32_t procs = ncpu;
  int32_t n = 0;
  if (gogetenvInt("GOMAXPROCS", &n) && n > 0) procs = n;
  if (procresize(procs) != nullptr) throw_("unknown runnable goroutine during bootstrap");
  unlock(&sched.lock);
}

// proc.go: mReserveID. Returns the next M ID. sched.lock must be held.
static int64_t mReserveID() {
  assertLockHeld(&sched.lock);
  if (sched.mnext + 1 < sched.mnext) throw_("runtime: thread ID overflow");
  int64_t id = sched.mnext;
  sched.mnext++;
  if (mcount() > sched.maxmcount) {
    fprintf(stderr, "runtime: program exceeds %d-thread limit\n", sched.maxmcount);
    throw_("thread exhaustion");
  }
  return id;
}

// proc.go: mcommoninit
// Pre-allocated ID may be passed as 'id', or omitted by passing -1.
void mcommoninit(m* mp, int64_t id) {
  lock(&sched.lock);
  mp->id = id >= 0 ? id : mReserveID();
  mp->fastrand[0] = uint32_t(mp->id * 0x9e3779b9u) | 1;
  mp->fastrand[1] = uint32_t(nanotime()) | 1;
  // Add to allm so garbage collector doesn't free g->m when it is just in
  // a register or thread-local storage.
  mp->alllink = allm;
  allm = mp;
  unlock(&sched.lock);
}

// proc.go: readgstatus
uint32_t readgstatus(g* gp) { return gp->atomicstatus.load(std::memory_order_acquire); }

// gort-only: the transitions casgstatus accepts, read off every casgstatus
// call site of Go 1.19 (reference/go-runtime.md §2.2). Go checks only for
// scan bits and old == new; gort names both ends of any other transition.
static bool gstatusTransitionAllowed(uint32_t from, uint32_t to) {
  switch (from) {
    case _Gidle: return to == _Gdead;                                    // newproc1
    case _Gdead: return to == _Grunnable || to == _Gsyscall;             // newproc1; needm
    case _Grunnable: return to == _Grunning;                             // execute
    case _Grunning:
      return to == _Grunnable || to == _Gwaiting || to == _Gsyscall ||  // gosched/park/syscall
             to == _Gdead;                                               // goexit0
    case _Gwaiting: return to == _Grunnable || to == _Grunning;          // ready; STW helpers
    case _Gsyscall: return to == _Grunning || to == _Grunnable || to == _Gdead;  // exitsyscall(0); dropm
    default: return false;
  }
}

// traceback.go: gStatusStrings, with Go's names of the status constants.
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

// proc.go: mstart0
// mstart is the entry-point for new Ms (asm_<arch>.S), and mstart0 is its
// C++ half. It must not return: it hands off to mstart1, which schedules.
extern "C" [[noreturn]] void mstart0() {
  g* gp = getg();
  if (gp->stack.lo == 0) throw_("mstart0: g0 has no stack bounds");
  // Initialize stack guard so that we can start calling regular functions.
  gp->stackguard0 = gp->stack.lo + _StackGuard;
  gp->stackguard1 = gp->stackguard0;
  mstart1();
}

// proc.go: mstart1
// Records where every mcall and systemstack starts g0's stack, then runs
// the scheduler. Must run on g0. Never returns.
// gort: Go's g0.sched.pc lets a locked goroutine's exit gogo back into
// mstart0 and return the thread to the OS; gort's goexit0 calls mexit
// directly on g0 instead (many-M scheduler), so only sp is used.
[[noreturn]] __attribute__((noinline)) void mstart1() {
  g* gp = getg();
  if (gp != gp->m->g0) throw_("bad runtime·mstart");

  // Set up m.g0.sched as a label returning to just after the mstart1 call
  // in mstart0 above, for use by goexit0 and mcall. Every mcall and
  // systemstack restarts g0's stack from this sp (16-byte aligned: it is
  // the caller's sp at a call).
  gp->sched.g = gp;
  gp->sched.pc = GORT_GETCALLERPC();
  gp->sched.sp = GORT_GETCALLERSP();
  if (gp->sched.sp % StackAlign != 0) throw_("mstart1: misaligned g0 stack");

  gp->m->procid = gettid();
#if GORT_TSAN
  gp->tsanFiber = __tsan_get_current_fiber();
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

// proc.go: execute
// Schedules gp to run on the current M. If inheritTime is true, gp
// inherits the remaining time in the current time slice. Otherwise, it
// starts a new time slice. Never returns.
// Write barriers are allowed because this is called immediately after
// acquiring a P in several places (Go's note; gort has no write barriers).
// Must run on g0.
[[noreturn]] static void executeImpl(g* gp, bool inheritTime) {
  g* _g_ = getg();
  if (_g_ != _g_->m->g0) throw_("execute: not on g0");

  // Assign gp.m before entering _Grunning so running Gs have an M.
  _g_->m->curg = gp;
  gp->m = _g_->m;
  casgstatus(gp, _Grunnable, _Grunning);
  gp->waitsince = 0;
  gp->preempt = false;
  gp->stackguard0 = gp->stack.lo + _StackGuard;
  if (!inheritTime) _g_->m->p->schedtick++;

  // gort: the stack canary is checked at every switch onto a goroutine.
  stackcheck(gp);
  fiberLeave(_g_, gp);
  gogo(&gp->sched);
}
void execute(g* gp, bool inheritTime) { executeImpl(gp, inheritTime); }

// proc.go: findRunnable
// Finds a runnable goroutine to execute. Tries to steal from other P's,
// get g from local or global queue, poll network. tryWakeP indicates that
// the returned goroutine is not normal (GC worker, trace reader) so the
// caller should try to wake a P. Must run on g0 with a P.
runnable findRunnable() {
  g* _g_ = getg();

top:
  p* _p_ = _g_->m->p;
  // gort: Go first stops here for a pending stop-the-world (gcstopm) and
  // runs safe-point functions (many-M scheduler), then runs due timers
  // (checkTimers, timers issue). Neither exists yet.

  // Check the global runnable queue once in a while to ensure fairness.
  // Otherwise two goroutines can completely occupy the local runqueue by
  // constantly respawning each other.
  if (_p_->schedtick % 61 == 0 && sched.runqsize > 0) {
    lock(&sched.lock);
    g* gp = globrunqget(_p_, 1);
    unlock(&sched.lock);
    if (gp != nullptr) return {gp, false, false};
  }

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

  // gort: here Go polls the network without blocking (netpoll issue) and
  // then, if allowed to spin, steals from other Ps (stealWork, many-M
  // scheduler).

  // We have nothing to do.
  //
  // Before we drop our P, make a snapshot of the allp slice, which can
  // change underfoot once we no longer block safe-points. (gort: the same
  // goes for the masks.)
  int64_t now = nanotime();

  // return P and block
  lock(&sched.lock);
  if (sched.runqsize != 0) {
    g* gp = globrunqget(_p_, 0);
    unlock(&sched.lock);
    return {gp, false, false};
  }
  if (releasep() != _p_) throw_("findrunnable: wrong p");
  now = pidleput(_p_, now);
  unlock(&sched.lock);

  // gort: a spinning M would now drop nmspinning and re-check every run
  // queue, timers and the network before parking (many-M scheduler).

  stopm();
  goto top;
}

// proc.go: schedule
// One round of scheduler: find a runnable goroutine and execute it.
// Never returns. Must run on g0.
[[noreturn]] void schedule() {
  g* _g_ = getg();

  if (_g_->m->locks != 0) throw_("schedule: holding locks");
  if (_g_ != _g_->m->g0) throw_("schedule: not on g0");

  // gort: a locked M (LockOSThread) would stop here and run its locked g
  // (stoplockedm), many-M scheduler.

  p* pp = _g_->m->p;
  pp->preempt.store(false);

  // Safety check: if we are spinning, the run queue should be empty.
  // Check this before calling checkTimers, as that might call goready to
  // put a ready goroutine on the local run queue.
  if (_g_->m->spinning && (pp->runnext.load() != nullptr || pp->runqhead.load() != pp->runqtail.load()))
    throw_("schedule: spinning with local work");

  runnable r = findRunnable();  // blocks until work is available

  // gort: resetspinning() if this M was spinning, wakep() if r.tryWakeP,
  // and startlockedm() for a g locked to another M come with the many-M
  // scheduler; with one M none of them can happen.

  execute(r.gp, r.inheritTime);
  __builtin_unreachable();
}

// proc.go: dropg
// dropg removes the association between m and the current goroutine
// m->curg (gp for short). Typically a caller sets gp's status away from
// Grunning and then immediately calls dropg to finish the job.
void dropg() {
  g* _g_ = getg();
  _g_->m->curg->m = nullptr;
  _g_->m->curg = nullptr;
}

// proc.go: goschedImpl
// Puts gp on the global run queue (not the local one: a yielding g
// should let everybody else run first) and reschedules. Must run on g0.
void goschedImpl(g* gp) {
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
void gosched_m(g* gp) {
  fiberArrive(getg());
  goschedImpl(gp);
}

// proc.go: goexit1
// Finishes execution of the current goroutine. Never returns.
extern "C" [[noreturn]] void goexit1() {
  g* gp = getg();
  fiberLeave(gp, gp->m->g0, /*dying=*/true);
  mcall(goexit0);
  throw_("goexit1: mcall returned");
}

// proc.go: goexit0
// goexit continuation on g0. (Newer Go splits the body out as gdestroy
// and calls schedule after it.)
void goexit0(g* gp) {
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
    // thread pool (many-M scheduler: mexit).
    throw_("goexit0: locked goroutine exited before LockOSThread is supported");
  }
  schedule();
}

// proc.go: malg
// Allocate a new g, with a stack big enough for stacksize bytes.
g* malg(int32_t stacksize) {
  g* newg = new g{};
  if (stacksize >= 0) {
    uint32_t size = uint32_t(stacksize);
    systemstack([&] { newg->stack = stackalloc(size); });
    newg->stackguard0 = newg->stack.lo + _StackGuard;
    newg->stackguard1 = ~uintptr_t(0);
    // gort: Go clears the bottom word of the stack here; gort keeps the
    // canary there (stackalloc wrote it).
  }
  return newg;
}

// proc.go: newproc
// Create a new g running fn. Put it on the queue of g's waiting to run.
// The compiler turns a go statement into a call to this (gort: go.h's go).
__attribute__((noinline)) void newproc(funcval* fn) {
  g* gp = getg();
  uintptr_t pc = GORT_GETCALLERPC();
  systemstack([&] {
    g* newg = newproc1(fn, gp, pc);

    p* _p_ = getg()->m->p;
    runqput(_p_, newg, true);

    // gort: if (mainStarted) wakep(); — with one M there is no other M to
    // wake; wakep arrives with the many-M scheduler.
  });
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
  newg->startpc = reinterpret_cast<uintptr_t>(fn->fn);
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
  releasem(_g_->m);

  return newg;
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
  _p_->gFree.n++;
  if (_p_->gFree.n >= 64) {
    int32_t inc = 0;
    gList stackQ, noStackQ;
    while (_p_->gFree.n >= 32) {
      gp = _p_->gFree.list.pop();
      _p_->gFree.n--;
      if (gp->stack.lo == 0)
        noStackQ.push(gp);
      else
        stackQ.push(gp);
      inc++;
    }
    lock(&sched.gFree.lock);
    while (g* x = noStackQ.pop()) sched.gFree.noStack.push(x);
    while (g* x = stackQ.pop()) sched.gFree.stack.push(x);
    sched.gFree.n += inc;
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
    while (_p_->gFree.n < 32) {
      // Prefer Gs with stacks.
      g* gp = sched.gFree.stack.pop();
      if (gp == nullptr) {
        gp = sched.gFree.noStack.pop();
        if (gp == nullptr) break;
      }
      sched.gFree.n--;
      _p_->gFree.list.push(gp);
      _p_->gFree.n++;
    }
    unlock(&sched.gFree.lock);
    goto retry;
  }
  g* gp = _p_->gFree.list.pop();
  if (gp == nullptr) return nullptr;
  _p_->gFree.n--;
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
    gp->stackguard0 = gp->stack.lo + _StackGuard;
  }
  return gp;
}

// proc.go: gfpurge
// Purge all cached G's from gfree list to the global list.
void gfpurge(p* _p_) {
  int32_t inc = 0;
  gList stackQ, noStackQ;
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
  while (g* x = noStackQ.pop()) sched.gFree.noStack.push(x);
  while (g* x = stackQ.pop()) sched.gFree.stack.push(x);
  sched.gFree.n += inc;
  unlock(&sched.gFree.lock);
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
  // gort: timers move to the current P here (timers issue).
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

  // Grow allp if necessary.
  if (nprocs > allplen) {
    if (nprocs > allpcap) {
      p** nallp = new p*[nprocs]();
      for (int32_t i = 0; i < allpcap; i++) nallp[i] = allp[i];
      allp = nallp;  // the old array is leaked on purpose: readers may hold it
      allpcap = nprocs;
    }
    allplen = nprocs;
    idlepMask.resize(nprocs);
    timerpMask.resize(nprocs);
  }

  // initialize new P's
  for (int32_t i = old; i < nprocs; i++) {
    p* pp = allp[i];
    if (pp == nullptr) pp = new p{};
    pinit(pp, i);
    allp[i] = pp;
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
    if (_g_->m->p != nullptr) _g_->m->p->m = nullptr;
    _g_->m->p = nullptr;
    p* pp = allp[0];
    pp->m = nullptr;
    pp->status.store(_Pidle);
    acquirep(pp);
  }

  // release resources from unused P's
  for (int32_t i = nprocs; i < old; i++) pdestroy(allp[i]);

  // Trim allp.
  allplen = nprocs;

  p* runnablePs = nullptr;
  for (int32_t i = nprocs - 1; i >= 0; i--) {
    p* pp = allp[i];
    if (_g_->m->p == pp) continue;
    pp->status.store(_Pidle);
    if (runqempty(pp)) {
      pidleput(pp, 0);
    } else {
      pp->m = mget();
      pp->link = runnablePs;
      runnablePs = pp;
    }
  }
  // gort: stealOrder.reset(nprocs) comes with work stealing.
  gomaxprocs.store(nprocs);
  return runnablePs;
}

// proc.go: acquirep
// Associate p and the current m. This function is allowed to have write
// barriers even if the caller isn't because it immediately acquires _p_.
void acquirep(p* _p_) { wirep(_p_); }

// proc.go: wirep
// wirep is the first step of acquirep, which actually associates the
// current M to _p_.
void wirep(p* _p_) {
  g* _g_ = getg();
  if (_g_->m->p != nullptr) throw_("wirep: already in go");
  if (_p_->m != nullptr || _p_->status.load() != _Pidle) {
    fprintf(stderr, "wirep: p->m=%p(%lld) p->status=%u\n", static_cast<void*>(_p_->m),
            static_cast<long long>(_p_->m ? _p_->m->id : 0), _p_->status.load());
    throw_("wirep: invalid p state");
  }
  _g_->m->p = _p_;
  _p_->m = _g_->m;
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
            static_cast<void*>(_g_->m->p), static_cast<void*>(_p_->m), _p_->status.load());
    throw_("releasep: invalid p state");
  }
  _g_->m->p = nullptr;
  _p_->m = nullptr;
  _p_->status.store(_Pidle);
  return _p_;
}

// proc.go: checkdead
// Check for deadlock situation. The check is based on number of running
// M's, if 0 -> deadlock. sched.lock must be held.
void checkdead() {
  assertLockHeld(&sched.lock);

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

  // gort: Go returns here if any P has timers (a sleeping goroutine will
  // wake up); timers arrive with the timers issue.
  unlock(&sched.lock);
  fatal("all goroutines are asleep - deadlock!");
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
  sched.runqsize++;
}

// proc.go: globrunqputhead
// Put gp at the head of the global runnable queue. sched.lock must be held.
void globrunqputhead(g* gp) {
  assertLockHeld(&sched.lock);
  sched.runq.push(gp);
  sched.runqsize++;
}

// proc.go: globrunqputbatch
// Put a batch of runnable goroutines on the global runnable queue. This
// clears *batch. sched.lock must be held.
void globrunqputbatch(gQueue* batch, int32_t n) {
  assertLockHeld(&sched.lock);
  sched.runq.pushBackAll(*batch);
  sched.runqsize += n;
  *batch = gQueue{};
}

// proc.go: globrunqget
// Try get a batch of G's from the global runnable queue. sched.lock must
// be held.
g* globrunqget(p* _p_, int32_t max) {
  assertLockHeld(&sched.lock);
  if (sched.runqsize == 0) return nullptr;

  int32_t n = sched.runqsize / gomaxprocs.load() + 1;
  if (n > sched.runqsize) n = sched.runqsize;
  if (max > 0 && n > max) n = max;
  if (n > runqSize / 2) n = runqSize / 2;

  sched.runqsize -= n;

  g* gp = sched.runq.pop();
  n--;
  for (; n > 0; n--) {
    g* gp1 = sched.runq.pop();
    runqput(_p_, gp1, false);
  }
  return gp;
}

// proc.go: pidleput
// Put p on the _Pidle list. now must be a relatively recent call to
// nanotime or zero. Returns now or the current time if now was zero.
// sched.lock must be held.
int64_t pidleput(p* _p_, int64_t now) {
  assertLockHeld(&sched.lock);
  if (!runqempty(_p_)) throw_("pidleput: P has non-empty run queue");
  if (now == 0) now = nanotime();
  // gort: updateTimerPMask(pp) clears timerpMask when the P has no
  // timers (timers issue).
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
    while (!_p_->runnext.compare_exchange_weak(oldnext, gp, std::memory_order_acq_rel)) {
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
  n--;
  g* gp = _p_->runq[(t + n) % runqSize].load(std::memory_order_relaxed);
  if (n == 0) return gp;
  uint32_t h = _p_->runqhead.load(std::memory_order_acquire);  // load-acquire, synchronize with consumers
  if (t - h + n >= uint32_t(runqSize)) throw_("runqsteal: runq overflow");
  _p_->runqtail.store(t + n, std::memory_order_release);  // store-release, makes the item available for consumption
  return gp;
}

// proc.go: gQueue.push
// Adds gp to the head of q.
void gQueue::push(g* gp) {
  gp->schedlink.store(head, std::memory_order_relaxed);
  head = gp;
  if (tail == nullptr) tail = gp;
}

// proc.go: gQueue.pushBack
// Adds gp to the tail of q.
void gQueue::pushBack(g* gp) {
  gp->schedlink.store(nullptr, std::memory_order_relaxed);
  if (tail != nullptr)
    tail->schedlink.store(gp, std::memory_order_relaxed);
  else
    head = gp;
  tail = gp;
}

// proc.go: gQueue.pushBackAll
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

// proc.go: gQueue.pop
// Removes and returns the head of queue q. It returns nil if q is empty.
g* gQueue::pop() {
  g* gp = head;
  if (gp != nullptr) {
    head = gp->schedlink.load(std::memory_order_relaxed);
    if (head == nullptr) tail = nullptr;
  }
  return gp;
}

// proc.go: gList.push
// Adds gp to the head of l.
void gList::push(g* gp) {
  gp->schedlink.store(head, std::memory_order_relaxed);
  head = gp;
}

// proc.go: gList.pop
// Removes and returns the head of l. If l is empty, it returns nil.
g* gList::pop() {
  g* gp = head;
  if (gp != nullptr) head = gp->schedlink.load(std::memory_order_relaxed);
  return gp;
}

// ===========================================================================
// gort-only: glue between the C++ world and the functions above.
// ===========================================================================

// runtime1.go: acquirem
void acquirem() { getg()->m->locks++; }

// runtime1.go: releasem
void releasem(m* mp) { mp->locks--; }

// proc.go: Gosched
// Gosched yields the processor, allowing other goroutines to run. It does
// not suspend the current goroutine, so execution resumes automatically.
void Gosched() {
  g* gp = getg();
  fiberLeave(gp, gp->m->g0);
  mcall(gosched_m);
  fiberArrive(getg());
}

// debug.go: GOMAXPROCS
// Sets the maximum number of Ps and returns the previous setting. If n < 1,
// it does not change the current setting.
// gort: changing it at run time needs stop-the-world, which arrives with
// the many-M scheduler; until then a change is refused loudly.
int GOMAXPROCS(int n) {
  int ret = gomaxprocs.load();
  if (n <= 0 || n == ret) return ret;
  throw_("GOMAXPROCS: changing the number of Ps at run time needs stop-the-world (not yet in gort)");
}

// debug.go: NumGoroutine
int NumGoroutine() { return gcount(); }

// debug.go: NumCPU
int NumCPU() { return ncpu; }

// panic.go: Goexit
// Goexit terminates the goroutine that calls it. No other goroutine is
// affected. Goexit runs all deferred calls (gort: destructors) before
// terminating the goroutine.
void Goexit() { throw goexitUnwind{}; }

// gort-only: the first thing a new goroutine does on its own stack.
void goentry_begin() { fiberArrive(getg()); }

// gort-only: an exception left a goroutine's function: Go's fatalpanic.
[[noreturn]] void goentry_panic(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    fatalpanic(ex.what());
  } catch (...) {
    int status = 0;
    const std::type_info* ti = abi::__cxa_current_exception_type();
    char* name = ti ? abi::__cxa_demangle(ti->name(), nullptr, nullptr, &status) : nullptr;
    std::string what = std::string("(") + (name ? name : ti ? ti->name() : "unknown") + ") C++ exception";
    fatalpanic(what.c_str());
  }
}

}  // namespace gort::runtime

namespace gort {
// asm_amd64.s: rt0_go (public entry; see runtime::rt0_go above).
void rt0_go(int argc, char** argv, int (*mainfn)(int, char**)) { runtime::rt0_go(argc, argv, mainfn); }
}  // namespace gort
