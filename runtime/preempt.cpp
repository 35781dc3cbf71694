// preempt.cpp — stopping a running goroutine at a safe point.
//
// Port of Go 1.19 src/runtime/preempt.go (the async-preemption half; Go's
// suspendG/resumeG serve its garbage collector, which gort doesn't have).
//
// Two generations of preemption live side by side, as in Go:
// - cooperative: sysmon (retake -> preemptone) sets g.preempt; Go's
//   compiler-inserted prologue check notices it at the next call. C++ has
//   no such check, so gort notices it at the runtime's own entry points
//   (preemptPoint);
// - asynchronous: preemptone also signals the M (preemptM, SIGURG); the
//   handler (signal_unix.cpp: doSigPreempt) checks that the goroutine is
//   at an async safe point and makes it call asyncPreempt, which saves
//   every register and yields through asyncPreempt2.
//
// What a safe point is, for C++ (isAsyncSafePoint): never on g0 or
// gsignal, never with m.locks > 0 or a preemptoff reason, never inside a
// NoPreempt region, never in the runtime's own code, and never inside a
// shared library: libc or libstdc++ may hold a lock (malloc's, stdio's),
// and the next goroutine on this thread could deadlock on it. Only the
// program's own text qualifies. The runtime's code is told apart by its
// section: CMake renames libgort's .text to gort_runtime_text, whose
// bounds the linker provides as __start_/__stop_ symbols.

#include "runtime/preempt.h"
#include "runtime/signal_arch.h"

#include <link.h>

#include <cstdio>

#include "runtime/fiber_annotations.h"
#include "runtime/os_linux.h"
#include "runtime/proc.h"
#include "runtime/stubs.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

extern "C" {
// Provided by the linker for the runtime's renamed text section (see the
// gort target in CMakeLists.txt).
extern const char __start_gort_runtime_text[] __attribute__((weak));
extern const char __stop_gort_runtime_text[] __attribute__((weak));

// preempt_amd64.S reads these: the XSAVE area size and mask of this CPU,
// and whether XSAVE exists (else FXSAVE's 512 bytes).
uint64_t asyncPreemptXsaveSize = 512;
uint64_t asyncPreemptXsaveMask = 0;
uint8_t asyncPreemptHasXsave = 0;
// preempt_amd64.S: the resume pc of the asyncPreempt returning on this
// thread (local-exec TLS: reachable from asm with no register).
__thread uintptr_t asyncPreemptPC __attribute__((tls_model("local-exec")));
}

namespace gort::runtime {

std::atomic<uint64_t> nasyncpreempt{0};

namespace {
// The executable's own code: [lo, hi) ranges of its executable segments.
struct textRange {
  uintptr_t lo, hi;
};
textRange programText[8];
int nprogramText;

// preempt.go: asyncPreemptStack. Bytes needed below the interrupted sp
// for the injected call: the red zone, asyncPreempt's frame with the
// vector state, and asyncPreempt2 down to mcall.
uintptr_t asyncPreemptStack = ~uintptr_t(0);

// gort-only: dl_iterate_phdr callback recording the executable's code.
int collectProgramText(struct dl_phdr_info* info, size_t, void*) {
  // The first object is the executable itself.
  for (int i = 0; i < info->dlpi_phnum && nprogramText < 8; i++) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X)) {
      uintptr_t lo = info->dlpi_addr + ph.p_vaddr;
      programText[nprogramText++] = {lo, lo + ph.p_memsz};
    }
  }
  return 1;  // stop after the executable
}

// gort-only: pc lies in the executable's own code.
bool inProgramText(uintptr_t pc) {
  for (int i = 0; i < nprogramText; i++)
    if (pc >= programText[i].lo && pc < programText[i].hi) return true;
  return false;
}

}  // namespace

// gort-only: pc lies in gort's own code (gort_runtime_text).
bool inRuntimeText(uintptr_t pc) {
  uintptr_t lo = reinterpret_cast<uintptr_t>(__start_gort_runtime_text);
  uintptr_t hi = reinterpret_cast<uintptr_t>(__stop_gort_runtime_text);
  return lo != 0 && pc >= lo && pc < hi;
}

// gort-only: the text ranges and vector-state size the safe-point check
// and asyncPreempt need (Go computes asyncPreemptStack in preempt.go's
// init from the functions' frame sizes).
void preemptinit() {
  dl_iterate_phdr(collectProgramText, nullptr);
#if defined(__x86_64__)
  unsigned a, b, c, d;
  if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_XSAVE) && (c & bit_OSXSAVE)) {
    uint32_t lo, hi;
    asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    asyncPreemptXsaveMask = uint64_t(hi) << 32 | lo;
    __get_cpuid_count(0xd, 0, &a, &b, &c, &d);
    asyncPreemptXsaveSize = b;  // bytes for the features enabled in XCR0
    asyncPreemptHasXsave = 1;
  }
#endif
#if defined(__x86_64__)
  asyncPreemptStack = 128 + 256 + asyncPreemptXsaveSize + 64 + 4096;
#else
  asyncPreemptStack = sigframeCopySize + 4096;
#endif
}

// preempt.go: canPreemptM
// canPreemptM reports whether mp is in a state that is safe to preempt.
bool canPreemptM(m* mp) {
  p* pp = mp->p;
  return mp->locks == 0 && mp->mallocing == 0 && mp->preemptoff == nullptr && pp != nullptr &&
         pp->status.load(std::memory_order_relaxed) == _Prunning;
}

// preempt.go: asyncPreempt2
// Runs on the interrupted goroutine's stack, called by asyncPreempt with
// every register saved: yield as gopreempt_m does (back of the global
// queue). Go's preemptStop (suspendG for the GC) never happens in gort.
extern "C" void asyncPreempt2() {
  g* gp = getg();
  gp->asyncSafePoint = true;
  nasyncpreempt.fetch_add(1, std::memory_order_relaxed);
  fiberLeave(gp, gp->m->g0);
  mcall(gopreempt_m);
  gp = getg();
  fiberArrive(gp);
  gp->asyncSafePoint = false;
}

// preempt.go: wantAsyncPreempt
// wantAsyncPreempt returns whether an asynchronous preemption is queued
// for gp.
bool wantAsyncPreempt(g* gp) {
  // Check both the G and the P.
  p* pp = gp->m->p;
  return (gp->preempt.load(std::memory_order_relaxed) ||
          (pp != nullptr && pp->preempt.load(std::memory_order_relaxed))) &&
         (readgstatus(gp) & ~_Gscan) == _Grunning;
}

// preempt.go: isAsyncSafePoint
// isAsyncSafePoint reports whether gp at instruction pc is an asynchronous
// safe point: gp has enough stack to inject the asyncPreempt call, and it
// is generally safe to interact with the runtime from here (see the file
// comment for what that means in C++). Called in a signal handler.
bool isAsyncSafePoint(g* gp, uintptr_t pc, uintptr_t sp) {
  m* mp = gp->m;

  // Only user Gs can have safe points. We check this first because it's
  // extremely common that we'll catch mp in the scheduler processing this
  // G preemption.
  if (mp->curg.load(std::memory_order_relaxed) != gp) return false;

  // Check M state.
  if (mp->p == nullptr || !canPreemptM(mp)) return false;
  // gort-only: inside a runtime::NoPreempt region.
  if (gp->nopreempt != 0) return false;

  // Check stack space.
  if (sp < gp->stack.lo || sp - gp->stack.lo < asyncPreemptStack) return false;

  // Check the inner-most name: only the program's own code, not the
  // runtime's, not a shared library's.
  if (!inProgramText(pc) || inRuntimeText(pc)) return false;
  return true;
}

// gort-only: backs off signalling a G that refused async preemption.
void asyncPreemptRefused(g* gp) {
  // Records that a preemption signal found gp wanting preemption but at no
  // async safe point, and how long preemptone now waits before signalling it
  // again in this time slice: 40 ms, then four times longer at each refusal,
  // up to 1 s. A goroutine in a blocking C call outside
  // SyscallGuard (nanosleep, a read on a pipe) would otherwise be
  // interrupted at every sysmon tick and see a storm of EINTRs; one in a
  // short libc call that then enters a call-free loop is still caught, a
  // back-off later. Go has no such case: its blocking calls are syscalls
  // (entersyscall) and every Go pc is preemptible or soon is. Runs in the
  // signal handler.
  p* pp = gp->m->p;
  uint32_t tick = pp != nullptr ? pp->schedtick.load(std::memory_order_relaxed) + 1 : 0;
  uint32_t n = 1;
  if (gp->preemptRefusedTick.load(std::memory_order_relaxed) == tick)
    n = gp->preemptRefusals.load(std::memory_order_relaxed) + 1;
  int64_t backoff = int64_t(40) * 1000 * 1000;
  for (uint32_t i = 1; i < n && backoff < int64_t(1000) * 1000 * 1000; i++) backoff *= 4;
  if (backoff > int64_t(1000) * 1000 * 1000) backoff = int64_t(1000) * 1000 * 1000;
  gp->preemptRefusals.store(n, std::memory_order_relaxed);
  gp->preemptNextSignal.store(nanotime() + backoff, std::memory_order_relaxed);
  gp->preemptRefusedTick.store(tick, std::memory_order_release);
}

// gort-only: preemptone's check of asyncPreemptRefused's back-off.
bool preemptSignalDue(g* gp, p* pp) {
  // Whether preemptone should signal gp, running on pp, now: yes unless a
  // signal was refused in this same time slice and its back-off has not run
  // out. The cooperative request (g.preempt) is set either way.
  uint32_t tick = gp->preemptRefusedTick.load(std::memory_order_acquire);
  if (tick == 0 || tick != pp->schedtick.load(std::memory_order_relaxed) + 1) return true;
  return nanotime() >= gp->preemptNextSignal.load(std::memory_order_relaxed);
}

// gort-only: the cooperative preemption point (see preempt.h).
void preemptPoint() {
  g* gp = getg();
  if (!gp->preempt.load(std::memory_order_relaxed)) return;
  m* mp = gp->m;
  if (gp != mp->curg.load(std::memory_order_relaxed) || !canPreemptM(mp) || gp->nopreempt != 0) return;
  fiberLeave(gp, mp->g0);
  mcall(gopreempt_m);
  fiberArrive(getg());
}

}  // namespace gort::runtime
