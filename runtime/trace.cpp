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
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/os_linux.h"
#include "runtime/proc.h"
#include "runtime/stubs.h"

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
  uint32_t n;
  traceEv ev[traceChunkEvents];
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
// Every buffer, newest first: the final flush walks them.
std::atomic<traceBuf*> traceAllBufs{nullptr};

}  // namespace

// trace.go: traceBuf. gort: one lane's buffer: the chunk being filled, and
// the slices open on the lane (see the file comment).
struct traceBuf {
  std::atomic<bool> locked{false};
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

// gort-only: the buffer in *slot, made at the first event of its P or M.
// Both the owner and a thread that took the P may get here first, so the
// slot is set with a CAS.
traceBuf* traceBufOf(std::atomic<traceBuf*>* slot, bool isP, int64_t id, m* mp) {
  traceBuf* b = slot->load(std::memory_order_acquire);
  if (b != nullptr) return b;
  auto* nb = new traceBuf;
  nb->isP = isP;
  nb->id = id;
  if (!isP) {
    // An M's buffer is only ever made by that M itself (see traceLane).
    nb->procid = gettid();
    nb->role = mp == &m0 ? "main thread" : mp->mstartfn == sysmon ? "sysmon" : "";
  }
  if (!slot->compare_exchange_strong(b, nb, std::memory_order_acq_rel)) {
    delete nb;
    return b;
  }
  nb->alllink = traceAllBufs.load(std::memory_order_relaxed);
  while (!traceAllBufs.compare_exchange_weak(nb->alllink, nb, std::memory_order_release,
                                             std::memory_order_relaxed)) {
  }
  return nb;
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

}  // namespace

// ===========================================================================
// The events (trace.go: "The following functions write specific events
// to trace").
// ===========================================================================

// trace.go: traceGomaxprocs
void traceGomaxprocs(int32_t procs) { traceEvent(traceLane(getg()->m), traceEvGomaxprocs, 0, 0, procs, 0, 0); }

// trace.go: traceProcStart
void traceProcStart() {
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

// trace.go: traceProcStop
// Sysmon and stopTheWorld stop Ps blocked in syscalls: pp need not be the
// current M's P (Go: "we temporary employ the P").
void traceProcStop(p* pp) {
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

// trace.go: traceGoCreate
void traceGoCreate(g* newg, uintptr_t pc) {
  m* mp = getg()->m;
  g* curg = mp->curg.load();
  traceEvent(traceLane(mp), traceEvGoCreate, newg->goid, pc, curg != nullptr ? curg->goid : 0, 0, 0);
}

// trace.go: traceGoStart
// gort: also called when a goroutine goes on running after a system call
// (exitsyscall's fast path): the lanes whose slice of it is still open
// keep it; the M's lane, which closed it for the system call, reopens it.
void traceGoStart() {
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

// trace.go: traceGoEnd
void traceGoEnd() { traceGoStop(traceEndGoEnd, -1, 0, 0); }

// trace.go: traceGoSched
void traceGoSched() { traceGoStop(traceEndGosched, -1, 0, 0); }

// trace.go: traceGoPreempt
// gort: asyncPreempt2 marks the goroutine (asyncSafePoint) before it
// yields, which tells a signal's preemption from a cooperative one.
void traceGoPreempt() {
  g* gp = getg()->m->curg.load();
  traceGoStop(traceEndPreempt, traceEvGoPreempt, gp != nullptr && gp->asyncSafePoint, 0);
}

// trace.go: traceGoPark
void traceGoPark(waitReason reason) { traceGoStop(traceEndPark, traceEvGoPark, 0, reason); }

// trace.go: traceGoUnpark
void traceGoUnpark(g* gp) {
  m* mp = getg()->m;
  g* curg = mp->curg.load();
  traceEvent(traceLane(mp), traceEvGoUnblock, gp->goid, gp->startpc, curg != nullptr ? curg->goid : 0, 0, 0);
}

// trace.go: traceGoSysCall
// The goroutine keeps its slice on the P's lane (the P is in _Psyscall,
// still its own until taken); on the M's lane a system call slice begins.
void traceGoSysCall() {
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

// trace.go: traceGoSysExit
void traceGoSysExit() {
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

// trace.go: traceGoSysBlock
// Sysmon and stopTheWorld can declare syscalls running on remote Ps as
// blocked: pp need not be the current M's P.
void traceGoSysBlock(p* pp) {
  traceBuf* b = traceBufP(pp);
  if (traceAcquire(b)) {
    int64_t now = nanotime();
    traceEventLocked(b, {now, 0, b->run.goid, b->run.pc, 0, 0, traceEvGoSysBlock, 0});
    traceCloseRun(b, now, traceEndSysBlock);
    traceRelease(b);
  }
}

// gort-only: runqsteal's catch, on the thief's lane.
void traceGoSteal(p* victim, uint32_t n) {
  traceEvent(traceLane(getg()->m), traceEvSteal, 0, 0, victim->id, int32_t(n), 0);
}

// gort-only: handoffp, on the lane of the P handed off.
void traceHandoffP(p* pp) {
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

// gort-only: writes and frees a list of chunks, oldest first.
void traceWriteChunks(traceChunk* c) {
  std::string out;
  while (c != nullptr) {
    out.clear();
    for (uint32_t i = 0; i < c->n; i++) traceWriteEvent(&out, c->buf, c->ev[i]);
    fwrite(out.data(), 1, out.size(), traceFile);
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

// trace.go: ReadTrace (gort: its loop, in a thread of its own). Waits
// for full chunks and writes them.
void* traceWriter(void*) {
  for (;;) {
    uint32_t seq = traceWriterSeq.load();
    if (traceChunk* c = traceFullDequeueAll()) {
      traceWriteChunks(c);
      continue;
    }
    if (traceWriterStop.load()) return nullptr;
    futexsleep(&traceWriterSeq, seq, -1);
  }
}

// gort-only: atexit's hook, for a program that calls exit itself.
void traceAtExit() { traceShutdown(); }

}  // namespace

// gort-only: GORT_TRACE starts the trace in schedinit (Go: a program calls StartTrace).
void traceinit(const char* path) {
  traceFile = fopen(path, "w");
  if (traceFile == nullptr) {
    fprintf(stderr, "runtime: GORT_TRACE=%s: %s; not tracing\n", path, strerror(errno));
    return;
  }
  fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"gort runtime/trace.cpp\"},\"traceEvents\":[",
        traceFile);
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

// gort-only: the trace ends with the process (Go: a program calls StopTrace).
void traceShutdown() {
  if (!trace.enabled || traceShutdownOnce.exchange(true)) return;
  trace.shutdown.store(true);
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

  traceWriterStop.store(true);
  traceWriterSeq.fetch_add(1);
  futexwakeup(&traceWriterSeq, 1);
  pthread_join(traceWriterThread, nullptr);
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
  fwrite(out.data(), 1, out.size(), traceFile);
  fclose(traceFile);
  traceFile = nullptr;
}

}  // namespace gort::runtime
