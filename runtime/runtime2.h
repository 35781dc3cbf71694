// runtime2.h — the scheduler's data structures: g, m, p, schedt, gobuf.
//
// Port of Go 1.19 src/runtime/runtime2.go. Field names and their order follow
// Go; fields Go needs only for its garbage collector, defer/panic machinery,
// cgo or the race detector are left out (docs/differences.md lists them).
// Fields that the assembly reads by offset are marked "asm:"; their offsets
// are checked by static_assert in arch/<arch>/asm_<arch>.h.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <signal.h>

#include "runtime/funcval.h"

namespace gort::runtime {

struct g;
struct m;
struct p;
struct timer;

// gort-only: x += d on an atomic counter that only one thread writes at a
// time (its owner P, or whoever holds its lock), where Go writes a plain
// integer and lets other threads read it racily. A relaxed load and a
// release store: the writer pays no locked instruction (x++ on a
// std::atomic is `lock add`, a full barrier on amd64; a release store is
// a plain mov there), the owner or the lock orders the writers, and a
// reader that loads the new value with acquire also sees what the writer
// did before (NumGoroutine's readers count on it: a goroutine's last
// writes are visible once gcount no longer counts it).
template <class T>
inline void ownedAdd(std::atomic<T>& x, T d) {
  x.store(x.load(std::memory_order_relaxed) + d, std::memory_order_release);
}

// ---------------------------------------------------------------------------
// G status (runtime2.go: _Gidle ...). The numeric values are Go's and stay
// stable: scheddetail prints them and the gdb extension reads them by name.
// ---------------------------------------------------------------------------
enum : uint32_t {
  // _Gidle: just allocated, not yet initialized.
  _Gidle = 0,
  // _Grunnable: on a run queue. Not executing user code; the stack is not
  // owned.
  _Grunnable = 1,
  // _Grunning: may execute user code. The stack is owned by this goroutine;
  // it is not on a run queue; it has an M and a P (g.m and g.m.p are valid).
  _Grunning = 2,
  // _Gsyscall: executing a system call, not user code. The stack is owned by
  // this goroutine; it is not on a run queue; it has an M.
  _Gsyscall = 3,
  // _Gwaiting: blocked in the runtime. Not executing user code, not on a run
  // queue, but recorded somewhere (a channel wait queue, say) so it can be
  // ready()d. The stack is not owned, except by channel operations that hold
  // the channel lock.
  _Gwaiting = 4,
  // _Gmoribund_unused: unused, kept so tools that know Go's values agree.
  _Gmoribund_unused = 5,
  // _Gdead: unused. Just exited, on a free list, or being initialized. It is
  // not executing user code. It keeps its stack (gort never frees a
  // standard-size stack of a dead g).
  _Gdead = 6,
  // _Genqueue_unused: unused.
  _Genqueue_unused = 7,
  // _Gcopystack: Go moves the stack in this state; gort never does (C++
  // frames can't be moved), so no g ever enters it.
  _Gcopystack = 8,
  // _Gpreempted: stopped itself for a suspendG preemption. Like _Gwaiting,
  // but nothing is yet responsible for ready()ing it.
  _Gpreempted = 9,
  // _Gscan: OR-ed into the above while the GC scans the stack. gort has no
  // GC; the bit is kept only so printed values mean what Go's mean.
  _Gscan = 0x1000,
};

// P status (runtime2.go: _Pidle ...).
enum : uint32_t {
  // _Pidle: not running user code or the scheduler; on the idle P list.
  _Pidle = 0,
  // _Prunning: owned by an M and running user code or the scheduler. Only
  // the owning M may change the status from _Prunning.
  _Prunning = 1,
  // _Psyscall: not running user code; affinity to an M in a syscall, but
  // may be stolen by another M (a CAS out of this state).
  _Psyscall = 2,
  // _Pgcstop: halted for stop-the-world, owned by the M that stopped it.
  _Pgcstop = 3,
  // _Pdead: no longer used (GOMAXPROCS shrank); kept for reuse.
  _Pdead = 4,
};

// waitReason (runtime2.go): why a goroutine is blocked. Go 1.19's order.
enum waitReason : uint8_t {
  waitReasonZero,
  waitReasonGCAssistMarking,
  waitReasonIOWait,
  waitReasonChanReceiveNilChan,
  waitReasonChanSendNilChan,
  waitReasonDumpingHeap,
  waitReasonGarbageCollection,
  waitReasonGarbageCollectionScan,
  waitReasonPanicWait,
  waitReasonSelect,
  waitReasonSelectNoCases,
  waitReasonGCAssistWait,
  waitReasonGCSweepWait,
  waitReasonGCScavengeWait,
  waitReasonChanReceive,
  waitReasonChanSend,
  waitReasonFinalizerWait,
  waitReasonForceGCIdle,
  waitReasonSemacquire,
  waitReasonSleep,
  waitReasonSyncCondWait,
  waitReasonTimerGoroutineIdle,
  waitReasonTraceReaderBlocked,
  waitReasonWaitForGCCycle,
  waitReasonGCWorkerIdle,
  waitReasonPreempted,
  waitReasonDebugCall,
};

// runtime2.go: waitReason.String
const char* waitReasonString(waitReason w);
// traceback.go: gStatusStrings (the status word of a goroutine header)
const char* gStatusString(uint32_t status);

// ---------------------------------------------------------------------------
// The runtime's own locks (lock_futex.go). A mutex is a futex word: no
// owner, no recursion; contention sleeps in the kernel.
// ---------------------------------------------------------------------------
struct mutex {
  std::atomic<uint32_t> key{0};
};

// note: a one-shot event an M sleeps on (notesleep) and another wakes
// (notewakeup). Cleared with noteclear before reuse.
struct note {
  std::atomic<uint32_t> key{0};
};

// ---------------------------------------------------------------------------
// stack: [lo, hi). Offset 0 of g, as in Go.
// ---------------------------------------------------------------------------
struct stack {
  uintptr_t lo;
  uintptr_t hi;
};

// gobuf (runtime2.go): where a goroutine resumes. Go's shape. asm: every
// field is read or written by gogo/mcall/systemstack by offset.
//   sp, pc: the resume point. For a g parked by mcall, pc is mcall's resume
//           label and sp points at the callee-saved frame mcall pushed
//           (arch/<arch>/asm_<arch>.h: mcallframe).
//   g:      the g this buffer belongs to; gogo installs it in TLS.
//   ctxt:   the closure context. gort passes it to a new g's entry in the
//           first C argument register (Go uses DX / R26).
//   ret:    kept for Go's shape; gort returns nothing through gogo.
//   lr:     arm64 only: the link register gogo loads (goexit+4 for a new g).
//   bp:     the frame pointer gogo loads (0 for a new g, so frame walks stop).
struct gobuf {
  uintptr_t sp;
  uintptr_t pc;
  struct g* g;
  void* ctxt;
  uintptr_t ret;
  uintptr_t lr;
  uintptr_t bp;
};

// gQueue / gList (proc.go): intrusive lists linked through g.schedlink.
struct gQueue {
  g* head = nullptr;
  g* tail = nullptr;
  bool empty() const { return head == nullptr; }
  void push(g* gp);
  void pushBack(g* gp);
  void pushBackAll(gQueue q);
  g* pop();
};

// A gList's head is read without its lock by gfget's first peek (as in
// Go); head is therefore only accessed atomically (relaxed).
struct gList {
  g* head = nullptr;
  bool empty() const { return __atomic_load_n(&head, __ATOMIC_RELAXED) == nullptr; }
  void push(g* gp);
  void pushAll(gQueue q);
  g* pop();
};

struct hchan;
struct traceBuf;  // trace.cpp: a P's or M's execution-trace buffer

// sudog (runtime2.go) represents a g in a wait list, such as for
// sending/receiving on a channel. sudog is necessary because the g <->
// synchronization object relation is many-to-many: a g can be on many
// wait lists (select), and many gs may wait on the same object. sudogs
// come from a per-P cache: use acquireSudog and releaseSudog.
struct sudog {
  // The following fields are protected by the hchan.lock of the channel
  // this sudog is blocking on.
  struct g* g;
  sudog* next;
  sudog* prev;
  void* elem;  // data element (points into the waiting g's stack)

  // The following fields are never accessed concurrently. For channels,
  // waitlink is only accessed by g. For semaphores, all fields (including
  // the ones above) are only accessed when holding a semaRoot lock.
  int64_t acquiretime;
  int64_t releasetime;
  uint32_t ticket;

  // isSelect indicates g is participating in a select, so g.selectDone
  // must be CAS'd to win the wake-up race.
  bool isSelect;

  // success indicates whether communication over channel c succeeded. It
  // is true if the goroutine was awoken because a value was delivered over
  // channel c, and false if awoken because c was closed.
  bool success;

  sudog* parent;    // semaRoot binary tree
  sudog* waitlink;  // g.waiting list or semaRoot
  sudog* waittail;  // semaRoot
  hchan* c;         // channel
};

// ---------------------------------------------------------------------------
// g: a goroutine (runtime2.go: type g).
// Go's field order, but for a few small fields moved where they pack
// (each says "here: it packs"): one g per goroutine, so its size is part
// of the memory a parked goroutine costs (runtime2.cpp asserts it).
// ---------------------------------------------------------------------------
struct g {
  // Stack parameters. asm: stack and stackguard0 are read by offset.
  // stack describes the actual stack memory: [stack.lo, stack.hi).
  // stackguard0 is Go's prologue check word; gort has no compiler-inserted
  // prologue checks, so it only carries stackPreempt as a request flag
  // (preemption issue) and lo+_StackGuard otherwise.
  struct stack stack;
  std::atomic<uintptr_t> stackguard0;  // written by sysmon's preemptone too
  // gort: no stackguard1 (Go's C-prologue guard on g0 and gsignal): no
  // prologue reads it, and its 8 bytes keep g inside 312 (runtime2.cpp).

  struct m* m;        // asm: current m; nil unless running or in a syscall
  gobuf sched;        // asm: where to resume
  uintptr_t syscallsp;  // if status==_Gsyscall, syscallsp = sched.sp for tracebacks
  uintptr_t syscallpc;  // if status==_Gsyscall, syscallpc = sched.pc
  uintptr_t syscallbp;  // if status==_Gsyscall, the caller's frame pointer, for tracebacks (newer Go)
  uintptr_t stktopsp;   // expected sp at top of stack, checked by tracebacks
  void* param;          // passed parameter on wakeup
  std::atomic<uint32_t> atomicstatus;
  int32_t nopreempt;    // gort-only: depth of runtime::NoPreempt regions (here: it packs with atomicstatus)
  int64_t goid;
  std::atomic<g*> schedlink;  // run queue and free list link
  int64_t waitsince;          // approx time when the g became blocked
  waitReason waitreason;      // if status==_Gwaiting

  std::atomic<bool> preempt;  // preemption signal, duplicates stackguard0 = stackPreempt (set by sysmon)
  bool preemptStop;  // transition to _Gpreempted on preemption
  bool throwsplit;   // must not split stack (inside the syscall region)
  bool asyncSafePoint;  // set if g is stopped at an asynchronous safe point
  // gort-only: stack.lo holds stackCanary, checked at every switch onto
  // this g (stackcheck): set when the stack's span got no guard page.
  bool stackcanary;
  // gort-only: back-off of preemption signals once one found this g at a pc
  // that is no async safe point (a blocking libc call: each signal would
  // cut it short with EINTR). Written by the handler on g's M; read by
  // preemptone (sysmon, stopTheWorld). See preemptSignalDue.
  std::atomic<uint32_t> preemptRefusedTick;  // p.schedtick+1 of the slice refused in; 0: none
  std::atomic<uint32_t> preemptRefusals;     // refusals in that slice
  std::atomic<int64_t> preemptNextSignal;    // no signal before this nanotime

  // Channel and select state (chan.cpp, select.cpp).
  // sudog structures this g is waiting on (that have a valid elem ptr); in lock order
  sudog* waiting;
  struct timer* timer;                // cached timer for time.Sleep (time.cpp: timeSleep)
  std::atomic<uint32_t> selectDone;  // are we participating in a select and did someone win the race?
  std::atomic<bool> parkingOnChan;    // set when g is about to park on a chan send or chan receive
  bool activeStackChans;              // Go: stack shrinking guard; gort never shrinks stacks
  bool sysblocktraced;  // trace: StartTrace has emitted EvGoInSyscall about this goroutine (here: it packs)

  struct m* lockedm;  // the M this g is locked to (LockOSThread)
  int64_t parentGoid;  // goid of the goroutine that created this (newer Go)
  uintptr_t gopc;      // pc of the go statement that created this goroutine
  // ancestor information goroutine(s) that created this goroutine (only used if
  // debug.tracebackancestors)
  std::vector<struct ancestorInfo>* ancestors;
  uintptr_t startpc;   // pc of the goroutine function

  // Execution trace state (trace.cpp's Go-format writer).
  uint64_t traceseq;         // trace event sequencer
  struct p* tracelastp;      // last P emitted an event for this goroutine
  int64_t sysexitticks;      // cputicks when syscall has returned (for tracing)
  struct p* tracesysoldp;    // gort-only: m.oldp when its system call returned (traceGoSysExit)
  uint64_t tracestartstk;    // gort-only: the stack id of its start function's one frame (traceGoCreate)
  uint32_t tracesyscalltick; // gort-only: m.syscalltick then (here: it packs with ehUncaughtExceptions)

  // gort-only: per-stack thread state saved while the g is switched out
  // (fiber_annotations.h): the C++ runtime's exception state, and in
  // sanitizer builds only, the sanitizers' fiber state (ASan's fake
  // stack, TSan's fiber).
  unsigned int ehUncaughtExceptions;
  void* ehCaughtExceptions;
#if defined(__SANITIZE_ADDRESS__)
  void* asanFakeStack;
#endif
#if defined(__SANITIZE_THREAD__)
  void* tsanFiber;
#endif
  // gort-only: a g on allgs is never freed; alllink chains them.
  g* alllink;
};

// runtime2.go: ancestorInfo
// ancestorInfo records details of where a goroutine was started.
struct ancestorInfo {
  std::vector<uintptr_t> pcs;  // pcs from the stack of this goroutine
  int64_t goid;                // goroutine id of this goroutine; original goroutine possibly dead
  uintptr_t gopc;              // pc of go statement that created this goroutine
  int64_t parentGoid;          // gort-only: for "created by ... in goroutine N" (newer Go's words)
};

// ---------------------------------------------------------------------------
// m: an OS thread (runtime2.go: type m).
// ---------------------------------------------------------------------------
struct m {
  g* g0;             // asm: goroutine with the scheduling stack
  int64_t procid;    // for debuggers (gettid), read by the gdb extension
  g* gsignal;        // asm: signal-handling g
  uintptr_t tls[6];  // thread-local storage, as in Go (unused by gort)
  void (*mstartfn)();
  std::atomic<g*> curg;  // asm: current running goroutine (read by sysmon)
  struct p* p;       // attached p for executing user code (nil if not)
  struct p* nextp;
  struct p* oldp;    // the p that was attached before executing a syscall
  int64_t id;
  int32_t mallocing;
  int32_t throwing;
  const char* preemptoff;  // if non-empty, keep curg running on this m
  int32_t locks;
  int32_t dying;
  bool spinning;  // m is out of work and is actively looking for work
  bool blocked;   // m is blocked on a note
  uint64_t fastrand;
  uint8_t traceback;  // traceback level override (runtime::Stack sets 1)
  note park;
  m* alllink;  // on allm
  m* schedlink;
  g* lockedg;
  uint32_t lockedExt;  // tracking for external LockOSThread
  uint32_t lockedInt;  // tracking for internal lockOSThread
  // gopark's unlock function and its argument, set on the m because they
  // are called on g0 by park_m.
  bool (*waitunlockf)(g*, void*);
  void* waitlock;
  uint32_t syscalltick;
  std::atomic<traceBuf*> tracebuf;  // gort-only: this M's execution-trace buffer (trace.cpp); nil until its first event
  sigset_t sigmask;  // storage for saved signal mask
  m* freelink;            // on sched.freem
  // preemptGen counts the number of completed preemption signals. This is
  // used to detect when a preemption is requested, but fails.
  std::atomic<uint32_t> preemptGen;
  // Whether this is a pending preemption signal on this M.
  std::atomic<uint32_t> signalPending;
  void* tsanThreadFiber;  // gort-only: TSan's fiber of this thread itself
  // gort-only: this thread's C++ exception state (__cxa_get_globals()),
  // cached at the M's first switch: it is per thread and an M is one
  // thread for life (fiber_annotations.cpp).
  void* ehGlobals;
};

// ---------------------------------------------------------------------------
// p: a processor, the resource needed to run Go code (runtime2.go: type p).
// ---------------------------------------------------------------------------
constexpr int runqSize = 256;  // runtime2.go: runq [256]guintptr

struct p {
  int32_t id;
  std::atomic<uint32_t> status;  // one of _Pidle, _Prunning, ...
  p* link;                       // on sched.pidle
  // Ticks are written by the owner and read by sysmon (atomics: Go's
  // races here are benign by design, C++'s are undefined).
  std::atomic<uint32_t> schedtick;    // incremented on every scheduler call
  std::atomic<uint32_t> syscalltick;  // incremented on every system call
  struct {                       // last tick observed by sysmon
    uint32_t schedtick;
    int64_t schedwhen;
    uint32_t syscalltick;
    int64_t syscallwhen;
  } sysmontick;
  std::atomic<struct m*> m;  // back-link to associated m (nil if idle); read by sysmon

  // Cache of goroutine ids, amortizes accesses to sched.goidgen.
  uint64_t goidcache;
  uint64_t goidcacheend;

  // Queue of runnable goroutines. Accessed without lock: the owner P puts
  // and gets; any P may steal (runqgrab). Entries are atomics because a
  // thief reads a slot the owner may be rewriting (Go relies on the same
  // race being benign; C++ needs it spelled out).
  std::atomic<uint32_t> runqhead;
  std::atomic<uint32_t> runqtail;
  std::atomic<g*> runq[runqSize];
  // runnext, if non-nil, is a runnable G that was ready'd by the current G
  // and should be run next instead of what's in runq if there's time
  // remaining in the running G's time slice. It inherits the time slice.
  std::atomic<g*> runnext;

  // Available G's (status == Gdead). n is read by gcount from any M.
  struct {
    gList list;
    std::atomic<int32_t> n;
  } gFree;

  // Cache of sudogs (proc.go: acquireSudog/releaseSudog).
  struct {
    sudog* buf[128];
    int32_t n;
  } sudogcache;

  // This P's execution-trace buffer (trace.cpp), made at its first event.
  // Written by the M holding the P, or by one that took it from a syscall.
  std::atomic<traceBuf*> tracebuf;

  // Per-P cache of free stacks (stack.cpp). Go keeps one stackfreelist per
  // small size order in p.mcache.stackcache; gort caches one size (the
  // stacksize below, which follows startingStackSize) and has no mcache.
  // Owner P only, or any M while the world is stopped (procresize).
  struct {
    uintptr_t list;       // lo of a free stack; each links to the next through its lowest word
    uintptr_t size;       // total bytes of the stacks on list
    uintptr_t stacksize;  // gort: the size of each stack on list
  } stackcache;

  // The when field of the first entry on the timer heap. This is 0 if the
  // timer heap is empty. Read without timersLock (nobarrierWakeTime,
  // timeSleepUntil, checkTimers).
  std::atomic<int64_t> timer0When;

  // The earliest known nextwhen field of a timer with timerModifiedEarlier
  // status. Because the timer may have been modified again, there need not
  // be any timer with this value. This is 0 if there are no
  // timerModifiedEarlier timers.
  std::atomic<int64_t> timerModifiedEarliest;

  // Per-P GC state (Go: gcAssistTime ... wbBuf) is left out: no GC.

  std::atomic<bool> preempt;  // this P should enter the scheduler ASAP

  // Lock for timers. We normally access the timers while running on this
  // P, but the scheduler can also do it from a different P.
  mutex timersLock;

  // Actions to take at some time. This is used to implement the standard
  // library's time package (gort: time.cpp's Sleep, After, Timer). Must
  // hold timersLock to access. A 4-ary heap ordered by timer.when.
  std::vector<timer*> timers;

  // Number of timers in P's heap. Modified using atomic instructions.
  std::atomic<uint32_t> numTimers;

  // Number of timerDeleted timers in P's heap. Modified using atomic
  // instructions.
  std::atomic<uint32_t> deletedTimers;
};

// ---------------------------------------------------------------------------
// schedt: the global scheduler state (runtime2.go: type schedt).
// ---------------------------------------------------------------------------
struct schedt {
  std::atomic<uint64_t> goidgen;
  std::atomic<int64_t> lastpoll;   // time of last network poll, 0 if currently polling
  std::atomic<int64_t> pollUntil;  // time to which current poll is sleeping

  mutex lock;

  // Fields below are protected by lock unless marked atomic.
  m* midle;                   // idle m's waiting for work
  int32_t nmidle;             // number of idle m's waiting for work
  int32_t nmidlelocked;       // number of locked m's waiting for work
  int64_t mnext;              // number of m's created and next M ID
  int32_t maxmcount;          // maximum number of m's allowed (or die)
  int32_t nmsys;              // number of system m's not counted for deadlock
  int64_t nmfreed;            // cumulative number of freed m's
  std::atomic<uint32_t> ngsys;  // number of system goroutines

  std::atomic<p*> pidle;  // idle p's (peeked at without the lock by exitsyscallfast)
  std::atomic<uint32_t> npidle;
  std::atomic<uint32_t> nmspinning;

  // Global runnable queue.
  gQueue runq;
  std::atomic<int32_t> runqsize;  // written under lock, read without it

  // Central cache of sudog structs.
  mutex sudoglock;
  sudog* sudogcache;

  // Global cache of dead G's.
  struct {
    mutex lock;
    gList stack;    // Gs with stacks
    gList noStack;  // Gs without stacks
    std::atomic<int32_t> n;  // read by gcount without the lock
  } gFree;

  // freem is the list of m's waiting to be freed when their m.exited is
  // set. Linked through m.freelink. (gort: exited Ms stay here.)
  m* freem;

  // stop-the-world state
  std::atomic<uint32_t> gcwaiting;
  int32_t stopwait;
  note stopnote;
  std::atomic<uint32_t> sysmonwait;
  note sysmonnote;

  // sysmonlock protects sysmon's actions on the runtime. (gort: Go's
  // StartTrace/StopTrace take it to keep sysmon's events out; gort's trace
  // ends at exit by its shutdown flag instead, trace.cpp: traceShutdown.)
  mutex sysmonlock;

  int64_t procresizetime;
  int64_t totaltime;
};

// ---------------------------------------------------------------------------
// Globals (runtime2.go: var (...)).
// ---------------------------------------------------------------------------
extern m m0;
extern g g0;  // m0's scheduling goroutine
extern m* allm;
extern std::atomic<g*> allgs;       // all g's ever created, newest first
extern std::atomic<int64_t> allglen;
extern p** allp;                    // len(allp) == gomaxprocs
extern int32_t allplen;
extern std::atomic<int32_t> gomaxprocs;
extern int32_t ncpu;
extern schedt sched;
extern bool mainStarted;

}  // namespace gort::runtime
