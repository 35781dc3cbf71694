// trace.cpp — the execution tracer: GORT_TRACE=file.json.
//
// Port of the event-recording half of Go 1.19 src/runtime/trace.go. The
// scheduler calls the hooks below where proc.go calls Go's (`if
// trace.enabled { traceGoStart() }`); what they record, and how it
// reaches the file, is gort's own:
//
// Lanes. Every P and every M has its own event buffer (p.tracebuf,
// m.tracebuf), created at its first event. An event goes to the buffer
// of the current P, or of the current M when it has no P (a system call
// returning, an M out of work); an M that takes a P from a system call
// writes into that P's buffer, as Go's traceGoSysBlock "temporarily
// employs" the P. In the output each buffer is one lane (a thread in
// Chrome's terms): a lane per P, a lane per M.
//
// Slices. Go's trace records start/stop events and leaves `go tool trace`
// to pair them. gort pairs them as it records: each buffer keeps the
// slice open on its lane (the M holding this P, the goroutine running on
// it, the system call this M is in) and writes a finished slice, start and
// end, when it closes. So every record can be written out on its own, in
// any order, and a writer never needs two buffers at once.
//   P lane: "M3" while M3 holds the P; inside it "G7 fn" while G7 runs
//           on it (through a system call, until the P is taken away).
//   M lane: "P1" while the M holds P1; inside it "G7 fn" while G7 runs
//           on it; "syscall G7" while G7 is in a system call on it.
// Instants (create, ready, park, preempt, steal, handoff, syscall,
// proc start/stop, ...) mark the moments between.
//
// Locking. A buffer is written under its own spin lock: by its P's or
// M's thread, and rarely by another (sysmon retaking a P, the world being
// stopped, the final flush). The time is read under the lock, so a lane's
// events are in time order. No code holds two buffer locks at once.
//
// Flushing without loss. A full chunk goes on a lock-free list of full
// chunks and the writer thread is woken; it turns chunks into JSON and
// appends them to the file. traceShutdown (main returning, a fatal error,
// exit) closes every open slice, queues every partly filled chunk, stops
// the writer, writes what is left and the lanes' names, and completes the
// JSON. The writer is a plain thread, not an M: it never runs goroutines
// and its own work is not traced.

#include "runtime/trace.h"

#include <cxxabi.h>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <sys/mman.h>
#include <linux/membarrier.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "runtime/os_linux.h"
#include "runtime/proc.h"
#include "runtime/stubs.h"
#include "runtime/traceback.h"

namespace gort::runtime {

traceState trace;

namespace {

// What a record is. Instants first, then the three kinds of slice.
enum traceKind : uint8_t {
  traceEvGoCreate,    // g: the new goroutine, pc: its function; a: the creator's goid
  traceEvGoUnblock,   // g: the goroutine made runnable; a: who did it
  traceEvGoPark,      // g: the goroutine; reason: its waitReason
  traceEvGoPreempt,   // g: the goroutine; a: 1 if by signal (asyncPreempt)
  traceEvGoSysCall,   // g: the goroutine entering a system call
  traceEvGoSysExit,   // g: the goroutine whose system call returned
  traceEvGoSysBlock,  // g: the goroutine whose P was taken
  traceEvProcStart,   // a: the M
  traceEvProcStop,    // a: the M that held it
  traceEvGomaxprocs,  // a: the new value
  traceEvSteal,       // gort-only. a: the victim P, b: how many
  traceEvHandoff,     // gort-only. a: the M handing it off, b: its run queue length
  traceSliceG,        // [start, ts): g ran; a: M (P lane) or P (M lane); reason: traceEnd
  traceSliceProc,     // [start, ts): a: the M holding the P (P lane) or the P held (M lane)
  traceSliceSyscall,  // [start, ts): g in a system call on this M
};

// Why a goroutine's slice ended.
enum traceEnd : uint8_t {
  traceEndNone,
  traceEndGoEnd,      // it returned
  traceEndGosched,    // Gosched
  traceEndPreempt,    // preempted (or goyield)
  traceEndPark,       // parked; the park instant says why
  traceEndSyscall,    // M lane: it entered a system call
  traceEndSysBlock,   // P lane: the P was taken from its system call
  traceEndProcStop,   // its P stopped
  traceEndReplaced,   // another goroutine started (an event was missed)
  traceEndTraceStop,  // still running when the trace ended
};

const char* const traceEndNames[] = {"",        "end",           "gosched",   "preempted",         "park",
                                     "syscall", "syscall block", "proc stop", "replaced (missed)", "trace end"};

// One record: 48 bytes.
struct traceEv {
  int64_t ts;     // nanotime of the event; of a slice's end
  int64_t start;  // slices: nanotime of the start
  int64_t goid;   // the goroutine concerned, or 0
  uint64_t pc;    // its function (g.startpc), or 0
  int64_t a;      // per kind, above
  int32_t b;      // per kind, above
  uint8_t kind;
  uint8_t reason;
};

constexpr uint32_t traceChunkEvents = 1024;

struct traceChunk {
  traceChunk* link;  // on the full list
  traceBuf* buf;     // whose events these are
  uint32_t n;  // records (JSON); bytes (Go's format)
  union {
    traceEv ev[traceChunkEvents];
    uint8_t bytes[traceChunkEvents * sizeof(traceEv)];  // Go's format: one EvBatch and its events
  };
};

// The full chunks, newest first (a Treiber stack: many pushers, one
// consumer that takes the whole list at once, so no ABA).
std::atomic<traceChunk*> traceFull{nullptr};
// Bumped after each push; the writer sleeps on it.
std::atomic<uint32_t> traceWriterSeq{0};
std::atomic<bool> traceWriterStop{false};
pthread_t traceWriterThread;
FILE* traceFile;
bool traceFirstEvent = true;          // no comma before the first JSON event
std::atomic<bool> traceShutdownOnce{false};
std::atomic<bool> traceShutdownDone{false};  // the file is complete and closed
// gort-only: GORT_TRACEMAX, the file's size past which the writer ends the
// trace (0: no limit); what it has written; a write that failed (errno).
int64_t traceMaxBytes = int64_t(1) << 30;
int64_t traceWritten = 0;
int traceWriteErr = 0;
bool traceCut = false;  // the writer stopped the trace (only it reads and writes this)
// Every buffer, newest first: the final flush walks them.
std::atomic<traceBuf*> traceAllBufs{nullptr};

}  // namespace

// trace.go: traceBuf. gort: one lane's buffer: the chunk being filled, and
// the slices open on the lane (see the file comment).
struct traceBuf {
  std::atomic<bool> locked{false};
  // Go's format (see "Go's format" below): set while the owner writes an
  // event, for traceShutdown; the ticks of the batch's last event.
  std::atomic<uint32_t> busy{0};
  uint64_t lastTicks = 0;
  // Go's format: where the next event goes in cur's bytes (cur->n is set
  // when the chunk is queued), and past which it is full; nil: no chunk.
  uint8_t* pos = nullptr;
  uint8_t* lim = nullptr;
  uint64_t runningG = 0;  // the goroutine this P's events have running, or 0
  bool isP = false;
  int64_t id = 0;           // the P's or the M's id
  int64_t procid = 0;       // M lanes: the thread's id (gettid)
  const char* role = "";    // M lanes: "main thread", "sysmon" or ""
  traceBuf* alllink = nullptr;
  traceChunk* cur = nullptr;
  struct {
    int64_t id = -1;  // P lane: the M holding it; M lane: the P it holds; -1: none
    int64_t start = 0;
  } proc;
  struct {
    int64_t goid = 0;  // the goroutine running; 0: none
    int64_t start = 0;
    uint64_t pc = 0;
    int64_t other = 0;  // P lane: its M; M lane: its P
  } run;
  struct {
    int64_t goid = 0;  // M lanes: the goroutine in a system call; 0: none
    int64_t start = 0;
    uint64_t pc = 0;
  } sys;
};

namespace {

// trace.go: traceFullQueue. Queues a full chunk for the writer.
void traceFullQueue(traceChunk* c) {
  c->link = traceFull.load(std::memory_order_relaxed);
  while (!traceFull.compare_exchange_weak(c->link, c, std::memory_order_release, std::memory_order_relaxed)) {
  }
  traceWriterSeq.fetch_add(1);
  futexwakeup(&traceWriterSeq, 1);
}

void traceFirstChunk(traceBuf* b);

// gort-only: the buffer in *slot, made at the first event of its P or M
// (traceBufOf's slow path). Both the owner and a thread that took the P
// may get here first, so the slot is set with a CAS.
__attribute__((noinline)) traceBuf* traceBufNew(std::atomic<traceBuf*>* slot, bool isP, int64_t id, m* mp) {
  traceBuf* b = nullptr;
  auto* nb = new traceBuf;
  nb->isP = isP;
  nb->id = id;
  if (!isP) {
    // An M's buffer is only ever made by that M itself (see traceLane).
    nb->procid = gettid();
    nb->role = mp == &m0 ? "main thread" : mp->mstartfn == sysmon ? "sysmon" : "";
  }
  if (trace.gofmt) traceFirstChunk(nb);
  if (!slot->compare_exchange_strong(b, nb, std::memory_order_acq_rel)) {
    free(nb->cur);
    delete nb;
    return b;
  }
  nb->alllink = traceAllBufs.load(std::memory_order_relaxed);
  while (!traceAllBufs.compare_exchange_weak(nb->alllink, nb, std::memory_order_release,
                                             std::memory_order_relaxed)) {
  }
  return nb;
}

// gort-only: the buffer in slot, made on first use (traceBufNew, out of line).
inline traceBuf* traceBufOf(std::atomic<traceBuf*>* slot, bool isP, int64_t id, m* mp) {
  traceBuf* b = slot->load(std::memory_order_acquire);
  return b != nullptr ? b : traceBufNew(slot, isP, id, mp);
}

// gort-only: pp's buffer (Go: pp.tracebuf).
traceBuf* traceBufP(p* pp) { return traceBufOf(&pp->tracebuf, true, pp->id, nullptr); }
// gort-only: mp's buffer; Go has none per M (see the file comment).
traceBuf* traceBufM(m* mp) { return traceBufOf(&mp->tracebuf, false, mp->id, mp); }
// gort-only: the lane an event of the current M goes to: its P's, else
// its own (Go: traceAcquireBuffer's choice, with trace.buf for no P).
traceBuf* traceLane(m* mp) { return mp->p != nullptr ? traceBufP(mp->p) : traceBufM(mp); }

// gort-only: takes b's spin lock (held for one event at a time).
void traceBufLockSpin(traceBuf* b) {
  for (int i = 0; b->locked.exchange(true, std::memory_order_acquire); i++)
    if (i > 100) osyield();
}

// trace.go: traceAcquireBuffer. Locks b for one event; false (and not
// locked) once the trace is shutting down.
bool traceAcquire(traceBuf* b) {
  traceBufLockSpin(b);
  if (trace.shutdown.load()) {
    b->locked.store(false, std::memory_order_release);
    return false;
  }
  return true;
}

// trace.go: traceReleaseBuffer.
void traceRelease(traceBuf* b) { b->locked.store(false, std::memory_order_release); }

// trace.go: traceEventLocked. Appends one record; b is locked.
void traceEventLocked(traceBuf* b, const traceEv& e) {
  if (b->cur == nullptr) {
    b->cur = static_cast<traceChunk*>(malloc(sizeof(traceChunk)));
    if (b->cur == nullptr) throw_("trace: out of memory");
    b->cur->link = nullptr;
    b->cur->buf = b;
    b->cur->n = 0;
  }
  b->cur->ev[b->cur->n++] = e;
  if (b->cur->n == traceChunkEvents) {
    traceFullQueue(b->cur);
    b->cur = nullptr;
  }
}

// gort-only: closes the goroutine slice open on b's lane, writing it.
// b is locked (so are the two below).
void traceCloseRun(traceBuf* b, int64_t now, traceEnd why) {
  if (b->run.goid == 0) return;
  if (now < b->run.start) now = b->run.start;  // opened 1ns ahead (traceOpenRun)
  traceEventLocked(b, {now, b->run.start, b->run.goid, b->run.pc, b->run.other, 0, traceSliceG, uint8_t(why)});
  b->run.goid = 0;
}
// gort-only: closes the proc slice open on b's lane, writing it.
void traceCloseProc(traceBuf* b, int64_t now) {
  if (b->proc.id < 0) return;
  traceEventLocked(b, {now, b->proc.start, 0, 0, b->proc.id, 0, traceSliceProc, 0});
  b->proc.id = -1;
}
// gort-only: closes the system call slice open on b's lane, writing it.
void traceCloseSys(traceBuf* b, int64_t now) {
  if (b->sys.goid == 0) return;
  traceEventLocked(b, {now, b->sys.start, b->sys.goid, b->sys.pc, 0, 0, traceSliceSyscall, 0});
  b->sys.goid = 0;
}
// gort-only: opens "proc" (held by or holding procID) and "run" (gp) unless already
// open with the same ones. A run opened with its proc starts 1ns after it:
// viewers nest slices by start time, and two that start together may be
// taken in either order.
void traceOpenRun(traceBuf* b, int64_t now, int64_t procID, g* gp) {
  int64_t runStart = now;
  if (b->proc.id != procID) {
    traceCloseRun(b, now, traceEndReplaced);
    traceCloseProc(b, now);
    b->proc.id = procID;
    b->proc.start = now;
    runStart = now + 1;
  }
  if (b->run.goid != gp->goid) {
    traceCloseRun(b, now, traceEndReplaced);
    b->run.goid = gp->goid;
    b->run.start = runStart;
    b->run.pc = gp->startpc;
    b->run.other = procID;
  }
}

// trace.go: traceEvent. One instant on lane b.
void traceEvent(traceBuf* b, traceKind kind, int64_t goid, uint64_t pc, int64_t a, int32_t bb, uint8_t reason) {
  if (!traceAcquire(b)) return;
  traceEventLocked(b, {nanotime(), 0, goid, pc, a, bb, uint8_t(kind), reason});
  traceRelease(b);
}

// gort-only: the current goroutine stops running on this M and its P:
// close its slices, after an instant (kind) on the P's lane if kind >= 0.
void traceGoStop(traceEnd why, int kind, int64_t a, uint8_t reason) {
  m* mp = getg()->m;
  g* gp = mp->curg.load();
  if (p* pp = mp->p; pp != nullptr) {
    traceBuf* b = traceBufP(pp);
    if (traceAcquire(b)) {
      int64_t now = nanotime();
      if (kind >= 0 && gp != nullptr)
        traceEventLocked(b, {now, 0, gp->goid, gp->startpc, a, 0, uint8_t(kind), reason});
      traceCloseRun(b, now, why);
      traceRelease(b);
    }
  }
  traceBuf* b = traceBufM(mp);
  if (traceAcquire(b)) {
    traceCloseRun(b, nanotime(), why);
    traceRelease(b);
  }
}

// ===========================================================================
// Go's format: what Go 1.19's runtime/trace.go writes and `go tool trace`
// reads (internal/trace/parser.go). Every P has a buffer of its own (Go:
// p.tracebuf), written only by the thread holding the P, or that took it
// from a system call (retake, stopTheWorld), with no lock; a thread
// without a P writes to one global buffer under a lock (Go: trace.buf,
// batch traceGlobProc). A chunk is one batch: EvBatch(P, ticks) and then
// events whose times are deltas from the one before, as varints. A full
// chunk goes to the writer thread (the same queue as the JSON's). The
// stack and string tables, and EvFrequency, are written at the end.
//
// A goroutine's events carry the sequence numbers the parser checks
// (g.traceseq: one more at each GoStart, GoUnblock and GoSysExit). As Go,
// GoStart and GoUnblock take their Local forms, without the number, when
// the P is g.tracelastp (the P of the goroutine's last such event, or of
// its creation): the parser orders those by the P's batch alone.
//
// Stacks: EvGoCreate's new stack is one frame, the goroutine's start
// function (g.startpc), as Go's. The stack of an event a goroutine writes
// about itself is its call stack with GORT_TRACESTACKS=N (N frames at
// most, walked by libunwind from g.sched on g0, as Go's gcallers walks);
// without it, one frame, the start function: the walk costs more than
// the rest of the event (docs/15-trace.md, "Stacks"). The table keys
// stacks by their pcs; they are symbolized when the trace ends.
// ===========================================================================

// trace.go: traceEvNone (the event types traceEv*, with Go's numbers).
namespace goev {
enum : uint8_t {
  Batch = 1,          // start of per-P batch of events [pid, timestamp]
  Frequency = 2,      // contains tracer timer frequency [frequency (ticks per second)]
  Stack = 3,          // stack [stack id, number of PCs, array of {PC, func string ID, file string ID, line}]
  Gomaxprocs = 4,     // current value of GOMAXPROCS [timestamp, GOMAXPROCS, stack id]
  ProcStart = 5,      // start of P [timestamp, thread id]
  ProcStop = 6,       // stop of P [timestamp]
  GoCreate = 13,      // goroutine creation [timestamp, new goroutine id, new stack id, stack id]
  GoStart = 14,       // goroutine starts running [timestamp, goroutine id, seq]
  GoEnd = 15,         // goroutine ends [timestamp]
  GoStop = 16,        // goroutine stops (like in select{}) [timestamp, stack]
  GoSched = 17,       // goroutine calls Gosched [timestamp, stack]
  GoPreempt = 18,     // goroutine is preempted [timestamp, stack]
  GoSleep = 19,       // goroutine calls Sleep [timestamp, stack]
  GoBlock = 20,       // goroutine blocks [timestamp, stack]
  GoUnblock = 21,     // goroutine is unblocked [timestamp, goroutine id, seq, stack]
  GoBlockSend = 22,   // goroutine blocks on chan send [timestamp, stack]
  GoBlockRecv = 23,   // goroutine blocks on chan recv [timestamp, stack]
  GoBlockSelect = 24, // goroutine blocks on select [timestamp, stack]
  GoBlockSync = 25,   // goroutine blocks on Mutex/RWMutex [timestamp, stack]
  GoBlockCond = 26,   // goroutine blocks on Cond [timestamp, stack]
  GoBlockNet = 27,    // goroutine blocks on network [timestamp, stack]
  GoSysCall = 28,     // syscall enter [timestamp, stack]
  GoSysExit = 29,     // syscall exit [timestamp, goroutine id, seq, real timestamp]
  GoSysBlock = 30,    // syscall blocks [timestamp]
  String = 37,        // string dictionary entry [ID, length, string]
  GoStartLocal = 38,  // goroutine starts running on the same P as the last event [timestamp, goroutine id]
  GoUnblockLocal = 39, // goroutine is unblocked on the same P as the last event [timestamp, goroutine id, stack]
  GoBlockGC = 42,     // goroutine blocks on GC assist [timestamp, stack]
};
}  // namespace goev

constexpr int traceArgCountShift = 6;  // trace.go: traceArgCountShift
constexpr int64_t traceGlobProc = -1;  // trace.go: traceGlobProc, the batch of events without a P
// trace.go: traceTickDiv. Timestamps in traces are cputicks/traceTickDiv.
#if defined(__x86_64__)
constexpr uint64_t traceTickDiv = 64;
#elif defined(__aarch64__)
constexpr uint64_t traceTickDiv = 1;  // gort: the generic timer ticks at 1 GHz at most (see cputicks)
#else
constexpr uint64_t traceTickDiv = 16;
#endif
// gort-only: the most one event takes: type, length, 5 varints of 10 bytes.
constexpr uint32_t traceMaxEventBytes = 2 + 5 * 10;

// runtime: cputicks (asm_amd64.s: RDTSC; os_linux_arm64.go: nanotime).
// An event reads it once. The trace's EvFrequency is measured against
// nanotime over the whole trace (traceShutdownGo), as Go's ReadTrace does,
// so the counter's own frequency need not be known.
inline int64_t cputicks() {
#if defined(__x86_64__)
  return int64_t(__builtin_ia32_rdtsc());
#elif defined(__aarch64__)
  // gort: Go 1.19 reads nanotime here (a vDSO call that reads this same
  // counter and scales it); gort reads the generic timer's virtual count
  // itself, as the vDSO does: after an isb, so that the read is not
  // taken ahead of the code before it (the parser rejects a trace whose
  // times disagree with its order). The counter is one for all CPUs, at
  // cntfrq_el0 (1-1000 MHz; qemu-user counts the host's clock).
  uint64_t v;
  asm volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v) : : "memory");
  return int64_t(v);
#else
  return nanotime();
#endif
}

traceBuf* traceGlobBuf;  // Go: trace.buf; made by traceinit, under its lock
int64_t traceTicksStart;
// gort-only: traceShutdown can make every thread pass a full barrier
// (membarrier), so an event needs only a compiler barrier between
// setting busy and reading shutdown; else a fence.
bool traceMembarrier;

// trace.go: (*traceBuf).varint
inline uint8_t* traceVarint(uint8_t* pos, uint64_t v) {
  for (; v >= 0x80; v >>= 7) *pos++ = 0x80 | uint8_t(v);
  *pos++ = uint8_t(v);
  return pos;
}

// gort-only: ev ends the running goroutine's run on its P (a bit set
// over Go's event numbers, all below 64).
constexpr bool traceEvStopsG(uint8_t ev) {
  constexpr uint64_t stops = 1ull << goev::GoEnd | 1ull << goev::GoStop | 1ull << goev::GoSched |
                             1ull << goev::GoPreempt | 1ull << goev::GoSleep | 1ull << goev::GoBlock |
                             1ull << goev::GoBlockSend | 1ull << goev::GoBlockRecv | 1ull << goev::GoBlockSelect |
                             1ull << goev::GoBlockSync | 1ull << goev::GoBlockCond | 1ull << goev::GoBlockNet |
                             1ull << goev::GoSysBlock | 1ull << goev::GoBlockGC;
  return ev < 64 && (stops >> ev & 1) != 0;
}

// gort-only: queues b's chunk of Go's format, if any, with its length.
void traceQueueGo(traceBuf* b) {
  if (b->cur == nullptr) return;
  b->cur->n = uint32_t(b->pos - b->cur->bytes);
  traceFullQueue(b->cur);
  b->cur = nullptr;
  b->pos = b->lim = nullptr;
}

// trace.go: traceFlush. Queues b's chunk and starts a new one, a batch
// whose events count from ticks.
// gort: called when b is made (traceBufNew) and right after the event
// that leaves less room than traceMaxEventBytes (traceGoEvent), not
// before the event that finds too little: an event never makes a call.
__attribute__((noinline)) void traceFlush(traceBuf* b, uint64_t ticks) {
  traceQueueGo(b);
  auto* c = static_cast<traceChunk*>(malloc(sizeof(traceChunk)));
  if (c == nullptr) throw_("trace: out of memory");
  c->link = nullptr;
  c->buf = b;
  uint8_t* pos = c->bytes;
  *pos++ = goev::Batch | 1 << traceArgCountShift;
  pos = traceVarint(pos, uint64_t(b->isP ? b->id : traceGlobProc));
  pos = traceVarint(pos, ticks);
  b->lastTicks = ticks;
  b->cur = c;
  b->pos = pos;
  b->lim = c->bytes + sizeof c->bytes - traceMaxEventBytes;
}

// trace.go: traceEventLocked. One event in b, which the caller owns (its
// P) or has locked (the global buffer), and which has room for it.
// args end with the stack id for events that have one.
// gort: a template inlined at each site (as the two below), so that its
// arguments stay in registers and each varint is written in place: an
// event is a few dozen instructions (docs/benchmarks.md).
template <class... A>
__attribute__((always_inline)) inline void traceGoEventNow(traceBuf* b, uint8_t ev, A... args) {
  uint64_t ticks = uint64_t(cputicks()) / traceTickDiv;
  uint8_t* pos = b->pos;
  uint64_t last = b->lastTicks;
  if (ticks < last) ticks = last;  // gort: another CPU's clock a little behind
  b->lastTicks = ticks;
  // We have only 2 bits for number of arguments. If number is >= 3, then
  // the event type is followed by event length in bytes.
  constexpr size_t narg = sizeof...(A) > 3 ? 3 : sizeof...(A);
  *pos++ = uint8_t(ev | narg << traceArgCountShift);
  uint8_t* lenp = pos;
  if constexpr (narg == 3) pos++;  // length < 128
  uint8_t* start = pos;
  pos = traceVarint(pos, ticks - last);
  ((pos = traceVarint(pos, uint64_t(args))), ...);
  if constexpr (narg == 3) *lenp = uint8_t(pos - start);
  b->pos = pos;
  // For traceShutdownGo: the goroutine left running on this P.
  if constexpr (sizeof...(A) > 0)
    if (ev == goev::GoStart || ev == goev::GoStartLocal)
      b->runningG = uint64_t(std::get<0>(std::make_tuple(args...)));
  if (traceEvStopsG(ev)) b->runningG = 0;
}

// gort-only: b's first chunk (Go's format), made with b, so that an
// event always finds room.
void traceFirstChunk(traceBuf* b) { traceFlush(b, uint64_t(cputicks()) / traceTickDiv); }

// gort-only: traceGoEvent's end when the chunk is full: a new one, then
// b is no longer busy.
__attribute__((noinline)) void traceFlushFull(traceBuf* b) {
  traceFlush(b, b->lastTicks);
  b->busy.store(0, std::memory_order_release);
}

// gort-only: traceGoEventNow unless the trace is shutting down.
template <class... A>
__attribute__((always_inline)) inline void traceGoEvent(traceBuf* b, uint8_t ev, A... args) {
  // Dekker's handshake with traceShutdown: busy, then shutdown.
  b->busy.store(1, std::memory_order_relaxed);
  if (traceMembarrier) std::atomic_signal_fence(std::memory_order_seq_cst);
  else std::atomic_thread_fence(std::memory_order_seq_cst);
  if (__builtin_expect(trace.shutdown.load(std::memory_order_relaxed), 0)) {
    b->busy.store(0, std::memory_order_release);
    return;
  }
  traceGoEventNow(b, ev, args...);
  if (__builtin_expect(b->pos >= b->lim, 0)) return traceFlushFull(b);  // room for the next event
  b->busy.store(0, std::memory_order_release);
}

// gort-only: traceGoEventP's slow path, out of line: pp's buffer is yet
// to be made, or pp is nil (the global buffer, locked).
template <class... A>
__attribute__((noinline)) void traceGoEventSlow(p* pp, uint8_t ev, A... args) {
  if (pp != nullptr) return traceGoEvent(traceBufP(pp), ev, args...);
  traceBufLockSpin(traceGlobBuf);
  traceGoEvent(traceGlobBuf, ev, args...);
  traceRelease(traceGlobBuf);
}

// trace.go: traceEvent (for pp's buffer; nil: the global one, locked).
template <class... A>
__attribute__((always_inline)) inline void traceGoEventP(p* pp, uint8_t ev, A... args) {
  traceBuf* b = pp != nullptr ? pp->tracebuf.load(std::memory_order_acquire) : nullptr;
  if (__builtin_expect(b == nullptr, 0)) return traceGoEventSlow(pp, ev, args...);
  traceGoEvent(b, ev, args...);
}

// trace.go: traceStackTable. The stacks events name by id: each a pc
// array, innermost first, found by hash. Lookups take no lock (a bucket's
// entries are published by a release store and never change); an insert
// takes lock, as Go's put takes trace.stackTab.lock.
struct traceStack {
  traceStack* link;  // next in the bucket
  uint64_t hash;
  uint32_t id;
  uint32_t n;
  uintptr_t pcs[];  // n return addresses (gort: a GNU flexible array member)
};
constexpr size_t traceStackBuckets = 1 << 13;
std::atomic<traceStack*> traceStackTab[traceStackBuckets];
std::atomic<uint32_t> traceStackSeq{0};
std::atomic<bool> traceStackLock{false};
// trace.go: traceStackSize
// The most frames a stack keeps.
constexpr int traceStackSize = 128;
// gort-only: GORT_TRACESTACKS, the frames an event's stack keeps; 0 (the
// default): one, the goroutine's start function (docs/15-trace.md, "Stacks").
int traceStackDepth = 0;

// gort-only: the bucket chain's entry for pcs, or nullptr.
traceStack* traceStackFind(uint64_t hash, const uintptr_t* pcs, uint32_t n) {
  for (traceStack* s = traceStackTab[hash % traceStackBuckets].load(std::memory_order_acquire); s != nullptr;
       s = s->link)
    if (s->hash == hash && s->n == n && memcmp(s->pcs, pcs, n * sizeof(uintptr_t)) == 0) return s;
  return nullptr;
}

// trace.go: (*traceStackTable).put
// Returns the id of the stack pcs[:n], adding it if new; 0 for no stack.
uint64_t traceStackPut(const uintptr_t* pcs, int n) {
  if (n <= 0) return 0;
  uint64_t hash = 0;
  for (int i = 0; i < n; i++) hash = (hash ^ pcs[i]) * 0x9E3779B97F4A7C15ull, hash ^= hash >> 29;
  // First, search the hashtable w/o the mutex.
  if (traceStack* s = traceStackFind(hash, pcs, uint32_t(n))) return s->id;
  // Now, double check under the mutex.
  for (int i = 0; traceStackLock.exchange(true, std::memory_order_acquire); i++)
    if (i > 100) osyield();
  traceStack* s = traceStackFind(hash, pcs, uint32_t(n));
  if (s == nullptr) {
    // Create new record.
    s = static_cast<traceStack*>(malloc(sizeof(traceStack) + size_t(n) * sizeof(uintptr_t)));
    if (s == nullptr) throw_("trace: out of memory");
    s->hash = hash;
    s->id = traceStackSeq.fetch_add(1, std::memory_order_relaxed) + 1;
    s->n = uint32_t(n);
    memcpy(s->pcs, pcs, size_t(n) * sizeof(uintptr_t));
    std::atomic<traceStack*>& head = traceStackTab[hash % traceStackBuckets];
    s->link = head.load(std::memory_order_relaxed);
    head.store(s, std::memory_order_release);
  }
  traceStackLock.store(false, std::memory_order_release);
  return s->id;
}

// gort-only: the one-frame stack of a goroutine's start function fn (Go:
// the stack traceGoCreate puts, startPCforTrace(pc) + PCQuantum: a return
// address into fn, as every pc in the table is).
uint64_t traceStackFunc(uintptr_t fn) {
  if (fn == 0) return 0;
  uintptr_t pc = fn + 1;
  return traceStackPut(&pc, 1);
}

// gort-only: traceCurStack's slow path, out of line: the walk, or the
// first lookup of the start function's frame.
__attribute__((noinline)) uint64_t traceCurStackSlow(m* mp, g* gp) {
  if (traceStackDepth > 0) {
    uintptr_t pcs[traceStackSize];
    int n = 0;
    g* me = getg();
    // gort: libunwind's state does not fit a goroutine's stack; systemstack
    // also saves g.sched, where the walk starts.
    if (me == gp) systemstack([&] { n = tracecallers(gp, pcs, traceStackDepth); });
    else if (me == mp->g0) n = tracecallers(gp, pcs, traceStackDepth);
    if (n > 0) return traceStackPut(pcs, n);
  }
  if (gp->tracestartstk == 0) gp->tracestartstk = traceStackFunc(gp->startpc);
  return gp->tracestartstk;
}

// trace.go: traceStackID
// The stack of an event the current goroutine writes about itself: with
// GORT_TRACESTACKS, its calls (gcallers from g.sched, as Go walks them
// from g0), else one frame, its start function (inline: a load).
inline uint64_t traceCurStack(m* mp) {
  g* gp = mp->curg.load(std::memory_order_relaxed);
  if (gp == nullptr) return 0;
  if (__builtin_expect(traceStackDepth == 0 && gp->tracestartstk != 0, 1)) return gp->tracestartstk;
  return traceCurStackSlow(mp, gp);
}

// gort-only: the event Go's gopark callers pass for reason (chan.go,
// select.go, sema.go, time.go, netpoll.go, mgc*.go).
uint8_t traceBlockEvent(waitReason reason) {
  switch (reason) {
    case waitReasonChanReceive: return goev::GoBlockRecv;
    case waitReasonChanSend: return goev::GoBlockSend;
    case waitReasonSelect: return goev::GoBlockSelect;
    case waitReasonChanReceiveNilChan:
    case waitReasonChanSendNilChan:
    case waitReasonSelectNoCases: return goev::GoStop;
    case waitReasonSemacquire: return goev::GoBlockSync;
    case waitReasonSyncCondWait: return goev::GoBlockCond;
    case waitReasonSleep: return goev::GoSleep;
    case waitReasonIOWait: return goev::GoBlockNet;
    case waitReasonGCAssistWait: return goev::GoBlockGC;
    default: return goev::GoBlock;
  }
}

// ---------------------------------------------------------------------------
// The events in Go's format: the bodies of trace.go's traceGo* and
// traceProc* functions, called by the hooks below when trace.gofmt.
// ---------------------------------------------------------------------------

// trace.go: traceGomaxprocs
void goGomaxprocs(int32_t procs) {
  m* mp = getg()->m;
  traceGoEventP(mp->p, goev::Gomaxprocs, uint64_t(procs), traceCurStack(mp));
}

// trace.go: traceProcStart
void goProcStart() {
  m* mp = getg()->m;
  traceGoEventP(mp->p, goev::ProcStart, uint64_t(mp->id));
}

// trace.go: traceProcStop
// Sysmon and stopTheWorld stop Ps blocked in syscalls: pp need not be the
// current M's P ("we temporary employ the P": its buffer).
void goProcStop(p* pp) { traceGoEventP(pp, goev::ProcStop); }

// trace.go: traceGoCreate
void goGoCreate(g* newg, uintptr_t pc) {
  m* mp = getg()->m;
  newg->traceseq = 0;
  newg->tracelastp = mp->p;
  newg->tracestartstk = traceStackFunc(pc);
  traceGoEventP(mp->p, goev::GoCreate, uint64_t(newg->goid), newg->tracestartstk, traceCurStack(mp));
}

// trace.go: traceGoStart (its event, gp's on pp: Local on gp's last P).
inline void goGoStartEvent(g* gp, p* pp) {
  gp->traceseq++;
  if (gp->tracelastp == pp) return traceGoEventP(pp, goev::GoStartLocal, uint64_t(gp->goid));
  gp->tracelastp = pp;
  traceGoEventP(pp, goev::GoStart, uint64_t(gp->goid), gp->traceseq);
}

// trace.go: traceGoStart (for a goroutine back from a system call; see
// goGoStart), out of line.
__attribute__((noinline)) void goGoStartSyscall(m* mp, g* gp, p* pp) {
  p* oldp = gp->tracesysoldp;
  if (readgstatus(gp) == _Gsyscall && oldp == pp && mp->syscalltick == pp->syscalltick.load()) return;
  // Wait till traceGoSysBlock event is emitted. This ensures consistency
  // of the trace (the goroutine is started after it is blocked).
  while (oldp != nullptr && oldp->syscalltick.load() == gp->tracesyscalltick) osyield();
  // trace.go: traceGoSysExit. gort: the real exit time is not given (0,
  // as Go's fast paths): the parser then keeps this event's own time.
  gp->traceseq++;
  gp->tracelastp = pp;
  traceGoEventP(pp, goev::GoSysExit, uint64_t(gp->goid), gp->traceseq, 0);
  goGoStartEvent(gp, pp);
}

// trace.go: traceGoStart
// gort: also called by exitsyscall's fast path, where Go writes
// GoSysExit in exitsyscallfast and GoStart only "if oldp != _g_.m.p.ptr()
// || _g_.m.syscalltick != _g_.m.p.ptr().syscalltick"; and by execute for
// a goroutine back from a system call, where Go writes GoSysExit first.
// Both are here: a goroutine whose syscallsp is set is coming back from a
// system call (still _Gsyscall on the fast path).
void goGoStart() {
  m* mp = getg()->m;
  g* gp = mp->curg.load(std::memory_order_relaxed);
  p* pp = mp->p;
  if (gp == nullptr || pp == nullptr) return;  // procresize at bootstrap: no goroutine yet
  if (__builtin_expect(gp->syscallsp != 0, 0)) return goGoStartSyscall(mp, gp, pp);
  goGoStartEvent(gp, pp);
}

// trace.go: traceGoUnpark
void goGoUnpark(g* gp) {
  m* mp = getg()->m;
  p* pp = mp->p;
  gp->traceseq++;
  if (gp->tracelastp == pp) return traceGoEventP(pp, goev::GoUnblockLocal, uint64_t(gp->goid), traceCurStack(mp));
  gp->tracelastp = pp;
  traceGoEventP(pp, goev::GoUnblock, uint64_t(gp->goid), gp->traceseq, traceCurStack(mp));
}

// trace.go: traceGoSysExit
// gort: called as exitsyscall begins, with m.oldp still set; the event is
// written once the goroutine has a P again and its P was taken (goGoStart).
// Go keeps the exit time in g.sysexitticks the same way.
void goGoSysExit() {
  m* mp = getg()->m;
  g* gp = mp->curg.load(std::memory_order_relaxed);
  if (gp == nullptr) return;
  gp->tracesysoldp = mp->oldp;
  gp->tracesyscalltick = mp->syscalltick;
  gp->sysexitticks = cputicks();
}

// trace.go: traceGoSysBlock
// Sysmon and stopTheWorld can declare syscalls running on remote Ps as
// blocked: pp need not be the current M's P.
void goGoSysBlock(p* pp) { traceGoEventP(pp, goev::GoSysBlock); }

// ---------------------------------------------------------------------------
// The events in Chrome JSON: the lanes and slices of the file comment.
// ---------------------------------------------------------------------------

// trace.go: traceGomaxprocs (Chrome JSON)
__attribute__((noinline)) void jsonGomaxprocs(int32_t procs) {
  traceEvent(traceLane(getg()->m), traceEvGomaxprocs, 0, 0, procs, 0, 0);
}

// trace.go: traceProcStart (Chrome JSON)
__attribute__((noinline)) void jsonProcStart() {
  m* mp = getg()->m;
  p* pp = mp->p;
  traceBuf* b = traceBufP(pp);
  if (traceAcquire(b)) {
    int64_t now = nanotime();
    traceCloseRun(b, now, traceEndReplaced);
    traceCloseProc(b, now);
    traceEventLocked(b, {now, 0, 0, 0, mp->id, 0, traceEvProcStart, 0});
    b->proc.id = mp->id;
    b->proc.start = now;
    traceRelease(b);
  }
  b = traceBufM(mp);
  if (traceAcquire(b)) {
    int64_t now = nanotime();
    traceCloseRun(b, now, traceEndReplaced);
    traceCloseProc(b, now);
    b->proc.id = pp->id;
    b->proc.start = now;
    traceRelease(b);
  }
}

// trace.go: traceProcStop (Chrome JSON)
// Sysmon and stopTheWorld stop Ps blocked in syscalls: pp need not be the
// current M's P (Go: "we temporary employ the P").
__attribute__((noinline)) void jsonProcStop(p* pp) {
  m* mp = getg()->m;
  traceBuf* b = traceBufP(pp);
  if (traceAcquire(b)) {
    int64_t now = nanotime();
    traceCloseRun(b, now, traceEndProcStop);
    traceEventLocked(b, {now, 0, 0, 0, b->proc.id, 0, traceEvProcStop, 0});
    traceCloseProc(b, now);
    traceRelease(b);
  }
  if (mp->p != pp) return;
  b = traceBufM(mp);
  if (traceAcquire(b)) {
    int64_t now = nanotime();
    traceCloseRun(b, now, traceEndProcStop);
    traceCloseProc(b, now);
    traceRelease(b);
  }
}

// trace.go: traceGoCreate (Chrome JSON)
__attribute__((noinline)) void jsonGoCreate(g* newg, uintptr_t pc) {
  m* mp = getg()->m;
  g* curg = mp->curg.load();
  traceEvent(traceLane(mp), traceEvGoCreate, newg->goid, pc, curg != nullptr ? curg->goid : 0, 0, 0);
}

// trace.go: traceGoStart (Chrome JSON)
// gort: also called when a goroutine goes on running after a system call
// (exitsyscall's fast path): the lanes whose slice of it is still open
// keep it; the M's lane, which closed it for the system call, reopens it.
__attribute__((noinline)) void jsonGoStart() {
  m* mp = getg()->m;
  g* gp = mp->curg.load();
  p* pp = mp->p;
  if (gp == nullptr || pp == nullptr) return;  // procresize at bootstrap: no goroutine yet
  traceBuf* b = traceBufP(pp);
  if (traceAcquire(b)) {
    traceOpenRun(b, nanotime(), mp->id, gp);
    traceRelease(b);
  }
  b = traceBufM(mp);
  if (traceAcquire(b)) {
    int64_t now = nanotime();
    traceCloseSys(b, now);
    traceOpenRun(b, now, pp->id, gp);
    traceRelease(b);
  }
}

// trace.go: traceGoEnd (Chrome JSON)
__attribute__((noinline)) void jsonGoEnd() {
  traceGoStop(traceEndGoEnd, -1, 0, 0);
}

// trace.go: traceGoSched (Chrome JSON)
__attribute__((noinline)) void jsonGoSched() {
  traceGoStop(traceEndGosched, -1, 0, 0);
}

// trace.go: traceGoPreempt (Chrome JSON)
// gort: asyncPreempt2 marks the goroutine (asyncSafePoint) before it
// yields, which tells a signal's preemption from a cooperative one.
__attribute__((noinline)) void jsonGoPreempt() {
  g* gp = getg()->m->curg.load();
  traceGoStop(traceEndPreempt, traceEvGoPreempt, gp != nullptr && gp->asyncSafePoint, 0);
}

// trace.go: traceGoPark (Chrome JSON)
__attribute__((noinline)) void jsonGoPark(waitReason reason) {
  traceGoStop(traceEndPark, traceEvGoPark, 0, reason);
}

// trace.go: traceGoUnpark (Chrome JSON)
__attribute__((noinline)) void jsonGoUnpark(g* gp) {
  m* mp = getg()->m;
  g* curg = mp->curg.load();
  traceEvent(traceLane(mp), traceEvGoUnblock, gp->goid, gp->startpc, curg != nullptr ? curg->goid : 0, 0, 0);
}

// trace.go: traceGoSysCall (Chrome JSON)
// The goroutine keeps its slice on the P's lane (the P is in _Psyscall,
// still its own until taken); on the M's lane a system call slice begins.
__attribute__((noinline)) void jsonGoSysCall() {
  m* mp = getg()->m;
  g* gp = mp->curg.load();
  if (gp == nullptr) return;
  if (p* pp = mp->p; pp != nullptr) traceEvent(traceBufP(pp), traceEvGoSysCall, gp->goid, gp->startpc, 0, 0, 0);
  traceBuf* b = traceBufM(mp);
  if (traceAcquire(b)) {
    int64_t now = nanotime();
    traceCloseRun(b, now, traceEndSyscall);
    traceCloseProc(b, now);
    b->sys.goid = gp->goid;
    b->sys.start = now;
    b->sys.pc = gp->startpc;
    traceRelease(b);
  }
}

// trace.go: traceGoSysExit (Chrome JSON)
__attribute__((noinline)) void jsonGoSysExit() {
  m* mp = getg()->m;
  g* gp = mp->curg.load();
  traceBuf* b = traceLane(mp);  // the M's own: in a system call it has no P
  if (traceAcquire(b)) {
    int64_t now = nanotime();
    traceCloseSys(b, now);
    if (gp != nullptr) traceEventLocked(b, {now, 0, gp->goid, gp->startpc, 0, 0, traceEvGoSysExit, 0});
    traceRelease(b);
  }
}

// trace.go: traceGoSysBlock (Chrome JSON)
// Sysmon and stopTheWorld can declare syscalls running on remote Ps as
// blocked: pp need not be the current M's P.
__attribute__((noinline)) void jsonGoSysBlock(p* pp) {
  traceBuf* b = traceBufP(pp);
  if (traceAcquire(b)) {
    int64_t now = nanotime();
    traceEventLocked(b, {now, 0, b->run.goid, b->run.pc, 0, 0, traceEvGoSysBlock, 0});
    traceCloseRun(b, now, traceEndSysBlock);
    traceRelease(b);
  }
}


}  // namespace

// ===========================================================================
// The events (trace.go: "The following functions write specific events
// to trace"): Go's format (the go* functions above), else Chrome JSON
// (the json* ones, out of line so that they add nothing to the other).
// ===========================================================================

// trace.go: traceGomaxprocs
void traceGomaxprocs(int32_t procs) {
  if (trace.gofmt) return goGomaxprocs(procs);
  jsonGomaxprocs(procs);
}

// trace.go: traceProcStart
void traceProcStart() {
  if (trace.gofmt) return goProcStart();
  jsonProcStart();
}

// trace.go: traceProcStop
void traceProcStop(p* pp) {
  if (trace.gofmt) return goProcStop(pp);
  jsonProcStop(pp);
}

// trace.go: traceGoCreate
void traceGoCreate(g* newg, uintptr_t pc) {
  if (trace.gofmt) return goGoCreate(newg, pc);
  jsonGoCreate(newg, pc);
}

// trace.go: traceGoStart
void traceGoStart() {
  if (trace.gofmt) return goGoStart();
  jsonGoStart();
}

// trace.go: traceGoEnd
void traceGoEnd() {
  if (trace.gofmt) return traceGoEventP(getg()->m->p, goev::GoEnd);
  jsonGoEnd();
}

// trace.go: traceGoSched
void traceGoSched() {
  if (trace.gofmt) {
    m* mp = getg()->m;
    return traceGoEventP(mp->p, goev::GoSched, traceCurStack(mp));
  }
  jsonGoSched();
}

// trace.go: traceGoPreempt
void traceGoPreempt() {
  if (trace.gofmt) {
    m* mp = getg()->m;
    return traceGoEventP(mp->p, goev::GoPreempt, traceCurStack(mp));
  }
  jsonGoPreempt();
}

// trace.go: traceGoPark
void traceGoPark(waitReason reason) {
  if (trace.gofmt) {
    m* mp = getg()->m;
    return traceGoEventP(mp->p, traceBlockEvent(reason), traceCurStack(mp));
  }
  jsonGoPark(reason);
}

// trace.go: traceGoUnpark
void traceGoUnpark(g* gp) {
  if (trace.gofmt) return goGoUnpark(gp);
  jsonGoUnpark(gp);
}

// trace.go: traceGoSysCall
void traceGoSysCall() {
  if (trace.gofmt) {
    m* mp = getg()->m;
    return traceGoEventP(mp->p, goev::GoSysCall, traceCurStack(mp));
  }
  jsonGoSysCall();
}

// trace.go: traceGoSysExit
void traceGoSysExit() {
  if (trace.gofmt) return goGoSysExit();
  jsonGoSysExit();
}

// trace.go: traceGoSysBlock
void traceGoSysBlock(p* pp) {
  if (trace.gofmt) return goGoSysBlock(pp);
  jsonGoSysBlock(pp);
}

// gort-only: runqsteal's catch, on the thief's lane.
void traceGoSteal(p* victim, uint32_t n) {
  if (trace.gofmt) return;  // Go's format has no such event
  traceEvent(traceLane(getg()->m), traceEvSteal, 0, 0, victim->id, int32_t(n), 0);
}

// gort-only: handoffp, on the lane of the P handed off.
void traceHandoffP(p* pp) {
  if (trace.gofmt) return;  // Go's format has no such event
  uint32_t n = pp->runqtail.load(std::memory_order_relaxed) - pp->runqhead.load(std::memory_order_relaxed);
  traceEvent(traceBufP(pp), traceEvHandoff, 0, 0, getg()->m->id, int32_t(n), 0);
}

// ===========================================================================
// Output: Chrome trace-event JSON
// (https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU).
// Ps are process 1 and Ms process 2; a lane's tid is its P's or M's id.
// Times are microseconds since traceinit, to the nanosecond.
// ===========================================================================

namespace {

// gort-only: function names from the executable's symbol table (which,
// unlike the dynamic symbols dladdr reads, has static and local
// functions), demangled, then dladdr for shared libraries.
struct traceSymtab {
  struct sym {
    uintptr_t lo, size;
    const char* name;
  };
  std::vector<sym> syms;
  std::unordered_map<uintptr_t, std::string> cache;
  bool loaded = false;

  // gort-only: dl_iterate_phdr's callback: the executable's load bias.
  static int findBias(dl_phdr_info* info, size_t, void* data) {
    *static_cast<uintptr_t*>(data) = info->dlpi_addr;
    return 1;  // the first object is the executable
  }

  // gort-only: reads the function symbols of /proc/self/exe, sorted.
  void load() {
    loaded = true;
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st;
    void* base = MAP_FAILED;
    if (fstat(fd, &st) == 0) base = mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (base == MAP_FAILED) return;  // kept mapped: syms point into it
    auto* bytes = static_cast<const char*>(base);
    auto* eh = static_cast<const ElfW(Ehdr)*>(base);
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_shoff == 0) return;
    auto* sh = reinterpret_cast<const ElfW(Shdr)*>(bytes + eh->e_shoff);
    uintptr_t bias = 0;
    dl_iterate_phdr(findBias, &bias);
    for (int i = 0; i < eh->e_shnum; i++) {
      if (sh[i].sh_type != SHT_SYMTAB) continue;
      auto* s = reinterpret_cast<const ElfW(Sym)*>(bytes + sh[i].sh_offset);
      const char* strtab = bytes + sh[sh[i].sh_link].sh_offset;
      size_t n = sh[i].sh_size / sizeof(ElfW(Sym));
      for (size_t j = 0; j < n; j++)
        if (ELF64_ST_TYPE(s[j].st_info) == STT_FUNC && s[j].st_value != 0)
          syms.push_back({uintptr_t(s[j].st_value) + bias, uintptr_t(s[j].st_size), strtab + s[j].st_name});
    }
    std::sort(syms.begin(), syms.end(), [](const sym& x, const sym& y) { return x.lo < y.lo; });
  }

  // gort-only: the (mangled) name of the function holding pc, or nullptr.
  const char* rawName(uintptr_t pc) {
    if (!loaded) load();
    auto it = std::upper_bound(syms.begin(), syms.end(), pc, [](uintptr_t v, const sym& s) { return v < s.lo; });
    if (it != syms.begin()) {
      --it;
      if (pc < it->lo + std::max<uintptr_t>(it->size, 1)) return it->name;
    }
    Dl_info info;
    if (dladdr(reinterpret_cast<void*>(pc), &info) != 0 && info.dli_sname != nullptr) return info.dli_sname;
    return nullptr;
  }

  // gort-only: the name a person wants to see: the go statement's callable rather
  // than the closure that wraps it (go.h: detail::goclosure<...>::run).
  static std::string shorten(std::string s) {
    if (s.find("rt0_go") != std::string::npos) return "runtime.main";
    size_t at = s.find("gort::go<");
    if (at != std::string::npos) {
      size_t i = at + strlen("gort::go<"), start = i;
      int depth = 0;
      for (; i < s.size(); i++) {
        char c = s[i];
        if (c == '<' || c == '(' || c == '{' || c == '[') depth++;
        else if (c == '>' || c == ')' || c == '}' || c == ']') {
          if (depth == 0) break;
          depth--;
        } else if (c == ',' && depth == 0) {
          break;
        }
      }
      s = s.substr(start, i - start);
    }
    for (const char* noise : {"(anonymous namespace)::", "gort::", "::operator()() const", "::operator()()"}) {
      size_t n = strlen(noise);
      for (size_t k; (k = s.find(noise)) != std::string::npos;) s.erase(k, n);
    }
    while (!s.empty() && (s.back() == '&' || s.back() == ' ')) s.pop_back();
    // Go's names for closures: f()::{lambda(int)#2} is f.func2.
    for (size_t k; (k = s.find("{lambda(")) != std::string::npos;) {
      size_t close = matching(s, k + strlen("{lambda"));
      size_t hash = s.find('#', close), end = s.find('}', close);
      if (close == std::string::npos || hash == std::string::npos || end == std::string::npos || hash > end) break;
      s.replace(k, end + 1 - k, "func" + s.substr(hash + 1, end - hash - 1));
    }
    // Parameter lists go, as in Go's names: a '(' right after a name.
    for (size_t i = 1; i < s.size(); i++) {
      if (s[i] != '(' || !(isalnum(uint8_t(s[i - 1])) || s[i - 1] == '_' || s[i - 1] == '>')) continue;
      size_t close = matching(s, i);
      if (close == std::string::npos) break;
      s.erase(i, close + 1 - i);
      i--;
    }
    for (size_t k; (k = s.find("::func")) != std::string::npos;) s.replace(k, 2, ".");
    return s;
  }

  // gort-only: the index of the bracket closing the one at s[open], or npos.
  static size_t matching(const std::string& s, size_t open) {
    int depth = 0;
    for (size_t i = open; i < s.size(); i++) {
      if (s[i] == '(' || s[i] == '<' || s[i] == '{' || s[i] == '[') depth++;
      if (s[i] == ')' || s[i] == '>' || s[i] == '}' || s[i] == ']')
        if (--depth == 0) return i;
    }
    return std::string::npos;
  }

  // gort-only: pc's function, as shown in the trace (cached).
  const std::string& name(uintptr_t pc) {
    auto it = cache.find(pc);
    if (it != cache.end()) return it->second;
    std::string out;
    if (const char* raw = rawName(pc)) {
      int status = 0;
      char* d = abi::__cxa_demangle(raw, nullptr, nullptr, &status);
      out = shorten(d != nullptr ? d : raw);
      free(d);
    } else {
      char hex[32];
      snprintf(hex, sizeof hex, "%#" PRIxPTR, pc);
      out = hex;
    }
    return cache.emplace(pc, std::move(out)).first->second;
  }
};
traceSymtab traceSyms;

// gort-only: s as a JSON string.
void jsonString(std::string* out, const std::string& s) {
  out->push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (uint8_t(c) < 0x20) {
      char u[8];
      snprintf(u, sizeof u, "\\u%04x", c);
      out->append(u);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

// gort-only: ns as microseconds, with three decimals.
void jsonTime(std::string* out, int64_t ns) {
  char t[40];
  if (ns < 0) ns = 0;
  snprintf(t, sizeof t, "%" PRId64 ".%03" PRId64, ns / 1000, ns % 1000);
  out->append(t);
}

// gort-only: starts one event: {"name":...,"cat":...,"ph":...,"pid":..,"tid":..,"ts":..
void jsonBegin(std::string* out, const traceBuf* b, const std::string& name, const char* cat, const char* ph,
               int64_t ts) {
  out->append(traceFirstEvent ? "\n" : ",\n");
  traceFirstEvent = false;
  out->append("{\"name\":");
  jsonString(out, name);
  char t[96];
  snprintf(t, sizeof t, ",\"cat\":\"%s\",\"ph\":\"%s\",\"pid\":%d,\"tid\":%" PRId64 ",\"ts\":", cat, ph,
           b->isP ? 1 : 2, b->id);
  out->append(t);
  jsonTime(out, ts - trace.timeStart);
}

// gort-only: "G7".
std::string gname(int64_t goid) { return "G" + std::to_string(goid); }

// gort-only: the args naming a goroutine and its function.
void jsonGoArgs(std::string* out, const traceEv& e) {
  out->append("\"g\":" + std::to_string(e.goid) + ",\"fn\":");
  jsonString(out, traceSyms.name(uintptr_t(e.pc)));
}

// gort-only: one record as one JSON event.
void traceWriteEvent(std::string* out, const traceBuf* b, const traceEv& e) {
  switch (e.kind) {
    case traceSliceG:
      jsonBegin(out, b, gname(e.goid) + " " + traceSyms.name(uintptr_t(e.pc)), "running", "X", e.start);
      out->append(",\"dur\":");
      jsonTime(out, e.ts - e.start);
      out->append(",\"args\":{");
      jsonGoArgs(out, e);
      out->append(std::string(b->isP ? ",\"m\":" : ",\"p\":") + std::to_string(e.a) + ",\"end\":\"" +
                  traceEndNames[e.reason < traceEndTraceStop + 1 ? e.reason : 0] + "\"}}");
      return;
    case traceSliceProc:
      jsonBegin(out, b, (b->isP ? "M" : "P") + std::to_string(e.a), "proc", "X", e.start);
      out->append(",\"dur\":");
      jsonTime(out, e.ts - e.start);
      out->append(std::string(",\"args\":{\"") + (b->isP ? "m" : "p") + "\":" + std::to_string(e.a) + "}}");
      return;
    case traceSliceSyscall:
      jsonBegin(out, b, "syscall " + gname(e.goid), "syscall", "X", e.start);
      out->append(",\"dur\":");
      jsonTime(out, e.ts - e.start);
      out->append(",\"args\":{");
      jsonGoArgs(out, e);
      out->append("}}");
      return;
  }
  std::string name, args;
  const char* cat = "";
  bool global = false;
  switch (e.kind) {
    case traceEvGoCreate:
      cat = "create";
      name = "create " + gname(e.goid);
      args = ",\"parent\":" + std::to_string(e.a);
      break;
    case traceEvGoUnblock:
      cat = "ready";
      name = "ready " + gname(e.goid);
      args = ",\"by\":" + std::to_string(e.a);
      break;
    case traceEvGoPark:
      cat = "park";
      name = std::string("park ") + gname(e.goid) + ": " + waitReasonString(waitReason(e.reason));
      args = std::string(",\"reason\":\"") + waitReasonString(waitReason(e.reason)) + "\"";
      break;
    case traceEvGoPreempt:
      cat = "preempt";
      name = std::string("preempt ") + gname(e.goid) + (e.a != 0 ? " (signal)" : "");
      args = std::string(",\"async\":") + (e.a != 0 ? "true" : "false");
      break;
    case traceEvGoSysCall:
      cat = "syscall";
      name = "syscall " + gname(e.goid);
      break;
    case traceEvGoSysExit:
      cat = "sysexit";
      name = "syscall exit " + gname(e.goid);
      break;
    case traceEvGoSysBlock:
      cat = "sysblock";
      name = "syscall blocked " + gname(e.goid) + ": P taken";
      break;
    case traceEvProcStart:
      cat = "procstart";
      name = "proc start M" + std::to_string(e.a);
      args = ",\"m\":" + std::to_string(e.a);
      break;
    case traceEvProcStop:
      cat = "procstop";
      name = "proc stop";
      args = ",\"m\":" + std::to_string(e.a);
      break;
    case traceEvGomaxprocs:
      cat = "gomaxprocs";
      name = "GOMAXPROCS " + std::to_string(e.a);
      args = ",\"procs\":" + std::to_string(e.a);
      global = true;
      break;
    case traceEvSteal:
      cat = "steal";
      name = "steal " + std::to_string(e.b) + " from P" + std::to_string(e.a);
      args = ",\"from\":" + std::to_string(e.a) + ",\"n\":" + std::to_string(e.b);
      break;
    case traceEvHandoff:
      cat = "handoff";
      name = "handoff by M" + std::to_string(e.a);
      args = ",\"by\":" + std::to_string(e.a) + ",\"runq\":" + std::to_string(e.b);
      break;
    default:
      return;
  }
  jsonBegin(out, b, name, cat, "i", e.ts);
  out->append(global ? ",\"s\":\"g\",\"args\":{" : ",\"s\":\"t\",\"args\":{");
  if (e.goid != 0) {
    jsonGoArgs(out, e);
    if (!args.empty()) out->append(args);
  } else if (!args.empty()) {
    out->append(args.substr(1));
  }
  out->append("}}");
}

// gort-only: writes n bytes to the file, counting them; keeps the first
// failure's errno (a full disk).
void traceWrite(const void* p, size_t n) {
  if (n == 0) return;
  size_t w = fwrite(p, 1, n, traceFile);
  traceWritten += int64_t(w);
  if (w != n && traceWriteErr == 0) traceWriteErr = errno != 0 ? errno : EIO;
}

bool traceWriterCut();
bool traceShutdownFirst();

// gort-only: writes and frees a list of chunks, oldest first. Once the
// file reaches GORT_TRACEMAX (or a write fails) it stops new events at
// once (shutdown), so that only the chunks already full follow; the rest
// of the list is still written, or the lanes would have gaps.
void traceWriteChunks(traceChunk* c) {
  std::string out;
  while (c != nullptr) {
    if (!trace.shutdown.load(std::memory_order_relaxed) && traceWriterCut()) {
      traceCut = true;
      trace.shutdown.store(true);
    }
    if (trace.gofmt) {
      traceWrite(c->bytes, c->n);
      traceChunk* next = c->link;
      free(c);
      c = next;
      continue;
    }
    out.clear();
    for (uint32_t i = 0; i < c->n; i++) traceWriteEvent(&out, c->buf, c->ev[i]);
    traceWrite(out.data(), out.size());
    traceChunk* next = c->link;
    free(c);
    c = next;
  }
}

// trace.go: traceFullDequeue (gort: every full chunk at once, oldest first).
traceChunk* traceFullDequeueAll() {
  traceChunk* c = traceFull.exchange(nullptr, std::memory_order_acquire);
  traceChunk* fifo = nullptr;
  while (c != nullptr) {
    traceChunk* next = c->link;
    c->link = fifo;
    fifo = c;
    c = next;
  }
  return fifo;
}

// gort-only: whether the writer must end the trace now: the file reached
// GORT_TRACEMAX, or a write failed. Says why on stderr.
bool traceWriterCut() {
  if (traceWriteErr != 0) {
    fprintf(stderr, "runtime: GORT_TRACE: write: %s; the trace ends here\n", strerror(traceWriteErr));
    return true;
  }
  if (traceMaxBytes == 0 || traceWritten < traceMaxBytes) return false;
  fprintf(stderr, "runtime: GORT_TRACE: the file reached GORT_TRACEMAX=%lld bytes; the trace ends here\n",
          (long long)traceMaxBytes);
  return true;
}

// trace.go: ReadTrace (gort: its loop, in a thread of its own). Waits
// for full chunks and writes them.
void* traceWriter(void*) {
  for (;;) {
    uint32_t seq = traceWriterSeq.load();
    if (traceChunk* c = traceFullDequeueAll()) {
      traceWriteChunks(c);
      // gort: a size cap Go's StopTrace leaves to the program. The writer
      // ends the trace as exit would (every buffer's events so far, then
      // the tables), so the file stays whole; later events are dropped.
      // If exit began the ending first, it stops and joins this thread.
      if (traceCut && !traceWriterStop.load() && traceShutdownFirst()) {
        pthread_detach(pthread_self());  // nobody joins it now (exit waits for traceShutdownDone)
        return nullptr;
      }
      continue;
    }
    if (traceWriterStop.load()) return nullptr;
    futexsleep(&traceWriterSeq, seq, -1);
  }
}

// gort-only: stops the writer thread and waits for it; called on the
// writer itself (it ends the trace at GORT_TRACEMAX), nothing to wait for.
void traceStopWriter() {
  traceWriterStop.store(true);
  if (pthread_equal(pthread_self(), traceWriterThread)) return;
  traceWriterSeq.fetch_add(1);
  futexwakeup(&traceWriterSeq, 1);
  pthread_join(traceWriterThread, nullptr);
}

// trace.go: StopTrace + ReadTrace (their ending, for Go's format): every
// buffer's batch, then the frequency, the strings and the stacks.
void traceShutdownGo() {
  // After membarrier (or the fences) every event either was begun before
  // shutdown was set, and busy shows it, or sees shutdown and is dropped.
  if (traceMembarrier) syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
  else std::atomic_thread_fence(std::memory_order_seq_cst);
  int skipped = 0;
  for (traceBuf* b = traceAllBufs.load(std::memory_order_acquire); b != nullptr; b = b->alllink) {
    int64_t deadline = nanotime() + 1000 * 1000 * 1000;
    bool idle = true;
    while (b->busy.load(std::memory_order_acquire) != 0) {
      if (nanotime() > deadline) {
        idle = false;
        break;
      }
      osyield();
    }
    if (!idle) {  // a fatal error struck while it wrote: leave it out
      skipped++;
      continue;
    }
    // Go's StopTrace stops the world and the caller Gosched's, so no
    // goroutine is left running (go tool trace needs each GoStart's end).
    if (b->isP && b->runningG != 0) traceGoEventNow(b, goev::GoSched, 0);
    traceQueueGo(b);
  }
  traceStopWriter();
  traceWriteChunks(traceFullDequeueAll());
  if (skipped != 0) fprintf(stderr, "runtime: GORT_TRACE: %d buffers busy at exit were left out\n", skipped);

  std::string out;
  auto varint = [&out](uint64_t v) {
    uint8_t tmp[10];
    out.append(reinterpret_cast<char*>(tmp), size_t(traceVarint(tmp, v) - tmp));
  };
  // trace.go: ReadTrace ("Write frequency event.")
  int64_t ticks = cputicks() - traceTicksStart, ns = nanotime() - trace.timeStart;
  double freq = ns > 0 && ticks > 0 ? double(ticks) * 1e9 / double(ns) / double(traceTickDiv) : 1e9;
  if (freq < 1) freq = 1;
  out.push_back(char(goev::Frequency | 0 << traceArgCountShift));
  varint(uint64_t(freq));
  // trace.go: (*traceStackTable).dump. Each stack's frames {pc, fn, file,
  // line}, an inlined call a frame of its own (trace.go: traceFrames).
  std::unordered_map<std::string, uint64_t> strings;
  auto str = [&](const std::string& v) -> uint64_t {  // trace.go: traceString
    if (v.empty()) return 0;
    auto [it, fresh] = strings.emplace(v, strings.size() + 1);
    if (fresh) {
      out.push_back(char(goev::String));
      varint(it->second);
      varint(v.size());
      out.append(v);
    }
    return it->second;
  };
  struct frame {
    uintptr_t pc;
    std::string fn, file;
    int line;
  };
  std::vector<frame> frames, chain;
  for (auto& head : traceStackTab) {
    for (traceStack* stk = head.load(std::memory_order_acquire); stk != nullptr; stk = stk->link) {
      frames.clear();
      for (uint32_t i = 0; i < stk->n && frames.size() < 1000; i++) {
        uintptr_t pc = stk->pcs[i];
        chain.clear();
        // gort: file:line (libbacktrace reading the DWARF, a few hundred ms
        // at exit) only for GORT_TRACESTACKS; one-frame stacks keep the
        // symbol table's name.
        if (traceStackDepth > 0)
          tracesymbolize(pc, [](void* arg, const char* fn, const char* file, int line) {
            static_cast<std::vector<frame>*>(arg)->push_back({0, fn, file, line});
          }, &chain);
        // The physical function (the chain's last) by the name the
        // timeline gives it; inlined ones by DWARF's, shortened alike.
        if (chain.empty()) chain.push_back({0, "", "", 0});
        for (size_t j = 0; j < chain.size() && frames.size() < 1000; j++) {
          frame& f = chain[j];
          f.pc = pc;
          f.fn = j + 1 == chain.size() ? traceSyms.name(pc - 1) : traceSymtab::shorten(f.fn);
          if (f.file == "?") f.file.clear();
          frames.push_back(std::move(f));
        }
      }
      std::vector<uint64_t> ids;
      for (const frame& f : frames) ids.push_back(str(f.fn)), ids.push_back(str(f.file));
      std::string body;
      std::swap(out, body);
      varint(stk->id);
      varint(frames.size());
      for (size_t i = 0; i < frames.size(); i++) {
        varint(frames[i].pc);
        varint(ids[2 * i]);
        varint(ids[2 * i + 1]);
        varint(uint64_t(frames[i].line > 0 ? frames[i].line : 0));
      }
      std::swap(out, body);
      out.push_back(char(goev::Stack | 3 << traceArgCountShift));
      varint(body.size());
      out.append(body);
    }
  }
  traceWrite(out.data(), out.size());
  fclose(traceFile);
  traceFile = nullptr;
}

// gort-only: atexit's hook, for a program that calls exit itself.
void traceAtExit() { traceShutdown(); }

}  // namespace

// gort-only: GORT_TRACE starts the trace in schedinit (Go: a program calls StartTrace).
void traceinit(const char* path) {
  // GORT_TRACEFMT=go|json; without it, a file named *.json gets JSON.
  const char* fmt = getenv("GORT_TRACEFMT");
  size_t len = strlen(path);
  bool gofmt = len < 5 || strcmp(path + len - 5, ".json") != 0;
  if (fmt != nullptr && *fmt != '\0') {
    if (strcmp(fmt, "go") == 0) {
      gofmt = true;
    } else if (strcmp(fmt, "json") == 0) {
      gofmt = false;
    } else {
      fprintf(stderr, "runtime: GORT_TRACEFMT=%s: not go or json; not tracing\n", fmt);
      return;
    }
  }
  // GORT_TRACESTACKS=N: events carry call stacks N frames deep (Go's format).
  if (const char* d = getenv("GORT_TRACESTACKS"); d != nullptr && *d != '\0') {
    char* end = nullptr;
    long n = strtol(d, &end, 10);
    if (*end != '\0' || n < 0 || n > traceStackSize)
      fprintf(stderr, "runtime: GORT_TRACESTACKS=%s: not a depth from 0 to %d; one-frame stacks\n", d,
              traceStackSize);
    else
      traceStackDepth = int(n);
  }
  // GORT_TRACEMAX=N[K|M|G]: the file's size at which the trace ends (0: none).
  if (const char* d = getenv("GORT_TRACEMAX"); d != nullptr && *d != '\0') {
    char* end = nullptr;
    errno = 0;
    long long n = strtoll(d, &end, 10);
    int shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
    if (shift != 0) end++;
    if (errno != 0 || end == d || *end != '\0' || n < 0 || n > (INT64_MAX >> shift))
      fprintf(stderr, "runtime: GORT_TRACEMAX=%s: not a size (bytes, or a number with K, M or G); %lld bytes\n", d,
              (long long)traceMaxBytes);
    else
      traceMaxBytes = int64_t(n) << shift;
  }
  traceFile = fopen(path, "w");
  if (traceFile == nullptr) {
    fprintf(stderr, "runtime: GORT_TRACE=%s: %s; not tracing\n", path, strerror(errno));
    return;
  }
  trace.gofmt = gofmt;
  if (gofmt) {
    // trace.go: ReadTrace (its header, "go 1.19 trace\x00\x00\x00").
    traceWrite("go 1.19 trace\x00\x00\x00", 16);
    traceTicksStart = cputicks();
    static std::atomic<traceBuf*> glob{nullptr};
    traceGlobBuf = traceBufOf(&glob, false, traceGlobProc, &m0);
    traceMembarrier = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
  } else {
    fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"gort runtime/trace.cpp\"},\"traceEvents\":[",
          traceFile);
  }
  trace.timeStart = nanotime();
  // The writer takes no signal meant for the process or for an M.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int err = pthread_create(&traceWriterThread, nullptr, traceWriter, nullptr);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (err != 0) {
    fprintf(stderr, "runtime: GORT_TRACE: cannot start the writer thread: %s; not tracing\n", strerror(err));
    fclose(traceFile);
    return;
  }
  atexit(traceAtExit);
  trace.enabled = true;
}

void traceShutdownJSON();

namespace {
// gort-only: ends the trace unless another caller has begun to; whether
// this one did.
bool traceShutdownFirst() {
  if (!trace.enabled || traceShutdownOnce.exchange(true)) return false;
  trace.shutdown.store(true);
  if (trace.gofmt) traceShutdownGo();
  else traceShutdownJSON();
  traceShutdownDone.store(true);
  return true;
}
}  // namespace

// gort-only: the trace ends with the process (Go: a program calls StopTrace),
// or when the writer reaches GORT_TRACEMAX. Exit while the writer ends it
// waits, a second at most, for the file to be complete.
void traceShutdown() {
  if (!trace.enabled || traceShutdownFirst()) return;
  int64_t deadline = nanotime() + 1000 * 1000 * 1000;
  while (!traceShutdownDone.load() && nanotime() < deadline) osyield();
}

// gort-only: the JSON trace's ending: every lane's open slices closed, the
// chunks written, then the lanes' names.
void traceShutdownJSON() {
  // Close every lane's open slices and queue what it holds. A lane whose
  // lock is not released within a second (a fatal error struck while it
  // was held) is left out, and the file says so.
  int skipped = 0;
  for (traceBuf* b = traceAllBufs.load(std::memory_order_acquire); b != nullptr; b = b->alllink) {
    int64_t deadline = nanotime() + 1000 * 1000 * 1000;
    bool locked = true;
    while (b->locked.exchange(true, std::memory_order_acquire)) {
      if (nanotime() > deadline) {
        locked = false;
        break;
      }
      osyield();
    }
    if (!locked) {
      skipped++;
      continue;
    }
    int64_t now = nanotime();
    traceCloseRun(b, now, traceEndTraceStop);
    traceCloseSys(b, now);
    traceCloseProc(b, now);
    if (b->cur != nullptr) {
      traceFullQueue(b->cur);
      b->cur = nullptr;
    }
    b->locked.store(false, std::memory_order_release);
  }

  traceStopWriter();
  traceWriteChunks(traceFullDequeueAll());

  // The lanes' names and order: Ps first, then Ms, each by id.
  std::string out;
  auto meta = [&out](int pid, int64_t tid, const char* what, const std::string& key, const std::string& value) {
    out.append(traceFirstEvent ? "\n" : ",\n");
    traceFirstEvent = false;
    out.append("{\"name\":\"" + std::string(what) + "\",\"ph\":\"M\",\"pid\":" + std::to_string(pid));
    if (tid >= 0) out.append(",\"tid\":" + std::to_string(tid));
    out.append(",\"args\":{\"" + key + "\":" + value + "}}");
  };
  meta(1, -1, "process_name", "name", "\"Ps (processors)\"");
  meta(1, -1, "process_sort_index", "sort_index", "0");
  meta(2, -1, "process_name", "name", "\"Ms (threads)\"");
  meta(2, -1, "process_sort_index", "sort_index", "1");
  for (traceBuf* b = traceAllBufs.load(std::memory_order_acquire); b != nullptr; b = b->alllink) {
    std::string name = (b->isP ? "P" : "M") + std::to_string(b->id);
    if (!b->isP) {
      name += " (";
      if (*b->role != '\0') name += std::string(b->role) + ", ";
      name += "tid " + std::to_string(b->procid) + ")";
    }
    std::string quoted;
    jsonString(&quoted, name);
    meta(b->isP ? 1 : 2, b->id, "thread_name", "name", quoted);
    meta(b->isP ? 1 : 2, b->id, "thread_sort_index", "sort_index", std::to_string(b->id));
  }
  out.append("],\n\"metadata\":{\"gort-skipped-lanes\":" + std::to_string(skipped) + "}}\n");
  traceWrite(out.data(), out.size());
  fclose(traceFile);
  traceFile = nullptr;
}

}  // namespace gort::runtime
