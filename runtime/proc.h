// proc.h — the scheduler's functions, shared across the runtime's files.
// Port of Go 1.19 src/runtime/proc.go (declarations; see proc.cpp, which
// keeps proc.go's order) and of the throw/fatal half of panic.go.
#pragma once

#include <cstdint>
#include <exception>
#include <new>
#include <utility>

#include "runtime/runtime2.h"
#include "runtime/stubs.h"

namespace gort::runtime {

// proc.go: _GoidCacheBatch. goids are handed to Ps in batches of 16.
constexpr uint64_t _GoidCacheBatch = 16;

// --- panic.go -------------------------------------------------------------
// panic.go: throw. A fatal runtime error: "fatal error: s", exit status 2.
// (C++ reserves the word throw; the underscore is the only change.)
[[noreturn]] void throw_(const char* s);
// panic.go: fatal. A fatal user error (deadlock, go of nil func value):
// same output as throw, without the runtime-internal frames.
[[noreturn]] void fatal(const char* s);
// panic.go: fatalpanic. "panic: <what>", a blank line, the calling
// goroutine's header and traceback; exit 2. (An uncaught exception comes
// here through std::terminate: panic.cpp.)
[[noreturn]] void fatalpanic(const char* what);
// gort-only: the fatal error for a runtime entry point (op: "chan send",
// "go statement", ...) called on a thread with no g: one gort did not
// start, or before rt0_go. Never returns.
[[noreturn]] void badNoG(const char* op);
// mheap.go: (*mheap).grow (its failure path, with mcache.go's throw)
// Prints "runtime: out of memory: cannot allocate N-byte block (M in use)"
// and throws "out of memory": an allocation of the runtime's own failed.
// Never returns.
[[noreturn]] void outOfMemory(uintptr_t ask);
// malloc.go: mallocgc (gort: operator new, nothrow; align 0 for the
// default). A failure is Go's fatal "out of memory", not std::bad_alloc.
inline void* mallocgc(uintptr_t size, uintptr_t align = 0) {
  void* p = align != 0 ? ::operator new(size, std::align_val_t(align), std::nothrow)
                       : ::operator new(size, std::nothrow);
  if (__builtin_expect(p == nullptr, 0)) outOfMemory(size);
  return p;
}
// malloc.go: newobject (new(T), for the runtime's own objects)
// g, m, sudog...: mallocgc, then construct. delete frees it.
template <class T, class... A>
T* newobject(A&&... a) {
  void* p = alignof(T) > __STDCPP_DEFAULT_NEW_ALIGNMENT__ ? mallocgc(sizeof(T), alignof(T)) : mallocgc(sizeof(T));
  return ::new (p) T{std::forward<A>(a)...};
}
// gort-only: dies through badNoG when this thread runs no goroutine. A TLS
// load and a never-taken branch: cheap enough for every public entry point.
__attribute__((always_inline)) inline void checkNoG(const char* op) {
  if (__builtin_expect(getg() == nullptr, 0)) badNoG(op);
}
// gort-only: the first thing a new goroutine does on its own stack.
void goentry_begin();

// --- proc.go --------------------------------------------------------------
// The bootstrap (asm_<arch>.s: rt0_go; proc.go: schedinit, main).
void schedinit();
// runtime.main's C++ twin: runs the program's main function on goroutine 1.
void main();

// stack.go: stackPreempt. Written to stackguard0 to request preemption.
constexpr uintptr_t stackPreempt = uintptr_t(-1314);  // 0xfff...fade
// proc.go: forcePreemptNS. The time slice: sysmon preempts a g that has
// run this long.
constexpr int64_t forcePreemptNS = 10 * 1000 * 1000;  // 10ms
// proc.go: forcegcperiod. The maximum time between garbage collections;
// gort has no GC, but sysmon's deep sleep is still capped at half of it.
constexpr int64_t forcegcperiod = 2LL * 60 * 1000 * 1000 * 1000;

// runtime2.go: allpLock. Protects P-less reads and size changes of allp (and
// the masks); taken by sysmon's retake and by timeSleepUntil.
extern mutex allpLock;

void Gosched();
void gopark(bool (*unlockf)(g*, void*), void* lock, waitReason reason);
void goparkunlock(mutex* lock, waitReason reason);
void goready(g* gp);
void ready(g* gp, bool next);
uint32_t fastrand();
// stubs.go: fastrandn. A random number in [0, n).
inline uint32_t fastrandn(uint32_t n) { return uint32_t(uint64_t(fastrand()) * uint64_t(n) >> 32); }
sudog* acquireSudog();
void releaseSudog(sudog* s);

uint32_t readgstatus(g* gp);
void casgstatus(g* gp, uint32_t oldval, uint32_t newval);

void mcommoninit(m* mp, int64_t id);
m* acquirem();
void releasem(m* mp);

// proc.go: worldsema. Holding it grants the right to stop the world.
extern std::atomic<uint32_t> worldsema;
void stopTheWorld(const char* reason);
void startTheWorld();
void stopTheWorldWithSema();
int64_t startTheWorldWithSema();

[[noreturn]] void mexit(bool osStack);
m* allocm(p* pp, void (*fn)(), int64_t id);
void newm(void (*fn)(), p* pp, int64_t id);
void newm1(m* mp);
// proc.go: startTemplateThread / templateThread. The known-good thread
// that creates Ms for a locked M (LockOSThread starts it).
void startTemplateThread();
void templateThread();
void mspinning();
void startm(p* pp, bool spinning);
void handoffp(p* pp);
void wakep();
void stoplockedm();
void startlockedm(g* gp);
void gcstopm();
void resetspinning();
void injectglist(gList* glist);
void park_m(g* gp);
bool parkunlock_c(g* gp, void* lock);

void entersyscall();
void entersyscallblock();
void exitsyscall();
bool exitsyscallfast(p* oldp);
void exitsyscall0(g* gp);

void LockOSThread();
void UnlockOSThread();
void lockOSThread();
void unlockOSThread();

void incidlelocked(int32_t v);
void sysmon();
uint32_t retake(int64_t now);
bool preemptall();
bool preemptone(p* pp);

void mput(m* mp);
m* mget();
void stopm();
void mPark();
void newmIdle();
void checkdead();
int32_t mcount();
// proc.go: schedtrace. GODEBUG=schedtrace's SCHED line (and with detailed,
// scheddetail's P, M and G lines) on stderr.
void schedtrace(bool detailed);

[[noreturn]] void mstart1();

void execute(g* gp, bool inheritTime);
struct runnable {
  g* gp;
  bool inheritTime;
  bool tryWakeP;
};
runnable findRunnable();
g* stealWork(int64_t* now, bool* inheritTime, int64_t* pollUntil, bool* newWork);
p* checkRunqsNoP(p** allpSnapshot, int32_t n);
int64_t checkTimersNoP(p** allpSnapshot, int32_t n, int64_t pollUntil);
[[noreturn]] void schedule();
void dropg();

void gosched_m(g* gp);
void gopreempt_m(g* gp);
void goschedImpl(g* gp);
// proc.go: goyield. Like Gosched, but onto this P's local run queue.
void goyield();
void goyield_m(g* gp);
void goexit0(g* gp);

g* malg(int32_t stacksize);
void newproc(funcval* fn);
g* newproc1(funcval* fn, g* callergp, uintptr_t callerpc);
// proc.go: saveAncestors. With GODEBUG=tracebackancestors=N, the stacks of
// the N goroutines that led to a new one (callergp's, then its own list).
std::vector<ancestorInfo>* saveAncestors(g* callergp);
void gfput(p* pp, g* gp);
g* gfget(p* pp);
void gfpurge(p* pp);
void allgadd(g* gp);
int32_t gcount();

p* procresize(int32_t nprocs);
void acquirep(p* pp);
void wirep(p* pp);
p* releasep();

void globrunqput(g* gp);
void globrunqputhead(g* gp);
void globrunqputbatch(gQueue* batch, int32_t n);
g* globrunqget(p* pp, int32_t max);
int64_t pidleput(p* pp, int64_t now);
p* pidleget(int64_t now);

bool runqempty(p* pp);
void runqput(p* pp, g* gp, bool next);
bool runqputslow(p* pp, g* gp, uint32_t h, uint32_t t);
void runqputbatch(p* pp, gQueue* q, int qsize);
g* runqget(p* pp, bool* inheritTime);
uint32_t runqgrab(p* pp, std::atomic<g*>* batch, uint32_t batchHead, bool stealRunNextG);
g* runqsteal(p* pp, p* p2, bool stealRunNextG);

// proc.go: randomOrder / randomEnum. Enumerates all Ps in a random order
// (a random start and a stride coprime with their number), for stealing.
struct randomEnum {
  uint32_t i, count, pos, inc;
  bool done() const { return i == count; }
  void next() {
    i++;
    pos = (pos + inc) % count;
  }
  uint32_t position() const { return pos; }
};
struct randomOrder {
  uint32_t count = 0;
  uint32_t* coprimes = nullptr;
  uint32_t ncoprimes = 0;
  void reset(uint32_t count);
  randomEnum start(uint32_t i) const;
};
extern randomOrder stealOrder;
uint32_t gcd(uint32_t a, uint32_t b);

// proc.go: sync_runtime_canSpin / sync_runtime_doSpin. Active spinning
// for sync::Mutex: whether to spin now (iteration i), and one spin.
bool sync_runtime_canSpin(int i);
void sync_runtime_doSpin();

// stack.go: gostartcallfn. The faked call of a new goroutine to fv.
void gostartcallfn(gobuf* gobuf, funcval* fv);
// sys_x86.go / sys_arm64.go: gostartcall. The faked call itself.
void gostartcall(gobuf* buf, void* fn, void* ctxt);


}  // namespace gort::runtime
