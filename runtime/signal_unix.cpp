// signal_unix.cpp — the runtime's signal handling.
//
// Port of the parts of Go 1.19 src/runtime/signal_unix.go that gort needs
// now: installing the handler (initsig), the handler's preemption path
// (sighandler -> doSigPreempt) and sending the request (preemptM,
// signalM). Handlers run on the M's alternate signal stack (gsignal's,
// set by minit), and the crash paths: SIGQUIT, SIGILL, SIGTRAP and
// SIGABRT dump every goroutine; a fault (SIGSEGV, SIGBUS, SIGFPE) is a
// stack overflow or sigpanic's panic or throw (sighandler's _SigThrow and
// _SigPanic halves, with tracebacks from traceback.cpp).

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "runtime/os_linux.h"
#include "runtime/panic.h"
#include "runtime/preempt.h"
#include "runtime/proc.h"
#include "runtime/runtime1.h"
#include "runtime/signal_arch.h"
#include "runtime/stack.h"
#include "runtime/stubs.h"
#include "runtime/traceback.h"

namespace gort::runtime {

// signal_unix.go: sigPreempt. The signal used for preemption: one the
// program is unlikely to use, that debuggers pass through, and that libc
// doesn't use internally.
constexpr int sigPreempt = SIGURG;

// signal_unix.go: fwdSig. For each signal gort handles, the action the
// program asked for (before rt0_go: what initsig found; after: what it
// passed to the interposed sigaction). gort's handler stays installed and
// forwards to it (sigfwdgo). Written under fwdSigLock, read by handlers.
static struct sigaction fwdSig[NSIG];
// gort-only: the page size, for the guard-page tests.
static uintptr_t sigPageSize;
static std::atomic<bool> sigOwned[NSIG];
static std::atomic_flag fwdSigLock = ATOMIC_FLAG_INIT;

// gort-only: tells preemptM's SIGURG from the program's own.
static bool sigFromPreemptM(const siginfo_t* info) {
  // A signal gort sent itself to request a preemption (preemptM's tgkill)
  // rather than one from kill(2) or a socket's out-of-band data; another
  // thread's pthread_kill of this same process reads the same (documented
  // in docs/16-preemption.md).
  return info->si_code == SI_TKILL && info->si_pid == getpid();
}

// signal_unix.go: sigfwd
// Calls the program's handler fn for sig as the kernel would have.
static void sigfwd(const struct sigaction& sa, int sig, siginfo_t* info, void* ctx) {
  if (sa.sa_flags & SA_SIGINFO)
    sa.sa_sigaction(sig, info, ctx);
  else
    sa.sa_handler(sig);
}

// signal_unix.go: sigfwdgo
static bool sigfwdgo(int sig, siginfo_t* info, void* ctx, g* gp) {
  // Decides what a signal the program also handles is for. Returns true if
  // it was forwarded to the program's handler (or the program ignores it),
  // false if gort's handler should deal with it. A preemption request is
  // gort's; any other SIGURG is the program's. A fault in a goroutine's
  // stack guard is gort's (its overflow report); any other fault goes to
  // the program's handler when it has one. SIGQUIT goes to the program's
  // handler when it has one (Go: os/signal.Notify stops the dump).
  struct sigaction sa = fwdSig[sig];
  bool dfl = !(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_DFL;
  bool ign = !(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_IGN;
  if (dfl) return false;
  if (sig == sigPreempt) {
    if (sigFromPreemptM(info)) return false;
    if (!ign) sigfwd(sa, sig, info, ctx);
    return true;
  }
  if ((sig == SIGSEGV || sig == SIGBUS) && gp != nullptr && gp->m != nullptr && gp->stack.lo != 0) {
    uintptr_t addr = uintptr_t(info->si_addr);
    uintptr_t sp = sigctxt_sp(static_cast<ucontext_t*>(ctx));
    if ((addr < gp->stack.lo && addr + sigPageSize >= gp->stack.lo) || sp < gp->stack.lo) return false;
  }
  if (ign) return sig == SIGQUIT;  // an ignored fault would re-fault forever: gort reports it
  if (sa.sa_flags & SA_RESETHAND) {
    fwdSig[sig] = {};
    fwdSig[sig].sa_handler = SIG_DFL;
  }
  sigfwd(sa, sig, info, ctx);
  return true;
}

// signal_unix.go: doSigPreempt
// doSigPreempt handles a preemption signal on gp.
static void doSigPreempt(g* gp, ucontext_t* ctxt) {
  // Check if this G wants to be preempted and is safe to preempt.
  if (wantAsyncPreempt(gp)) {
    if (isAsyncSafePoint(gp, sigctxt_pc(ctxt), sigctxt_sp(ctxt))) {
      // Adjust the PC and inject a call to asyncPreempt.
      pushCall(ctxt, reinterpret_cast<uintptr_t>(&asyncPreempt));
    } else {
      // gort: not here; back off before signalling this G again.
      asyncPreemptRefused(gp);
    }
  }

  // Acknowledge the preemption.
  gp->m->preemptGen.fetch_add(1);
  gp->m->signalPending.store(0);
}

// signal_unix.go: adjustSignalStack
// Reports whether the handler runs on mp's own signal stack (gsignal's,
// installed by minit). Go adopts a foreign alternate stack for the
// duration of the handler; gort refuses to switch goroutines on one
// instead: code that changed its thread's sigaltstack from a goroutine
// (Catch2's fatal-signal handler does) may have left the same stack
// installed on two threads once the goroutine migrated, and a preemption
// taken on a shared stack corrupts the other thread's signal frame.
static bool adjustSignalStack(m* mp, uintptr_t sp) {
  g* gs = mp->gsignal;
  return gs != nullptr && sp >= gs->stack.lo && sp < gs->stack.hi;
}

// signal_unix.go: crashing. The number of Ms that have dumped their
// goroutine after a SIGQUIT with GOTRACEBACK=crash.
static std::atomic<int32_t> crashing{0};


// sigtab_linux_generic.go: sigtable (the names of the signals gort throws on).
static const char* signame(int sig) {
  switch (sig) {
    case SIGQUIT:
      return "SIGQUIT: quit";
    case SIGSEGV:
      return "SIGSEGV: segmentation violation";
    case SIGBUS:
      return "SIGBUS: bus error";
    case SIGTRAP:
      return "SIGTRAP: trace trap";
    case SIGILL:
      return "SIGILL: illegal instruction";
    case SIGABRT:
      return "SIGABRT: abort";
    case SIGFPE:
      return "SIGFPE: floating-point exception";
    default:
      return "signal";
  }
}

// signal_amd64.go / signal_arm64.go: dumpregs
static void dumpregs(tbprinter& out, ucontext_t* c) {
#if defined(__x86_64__)
  static const struct {
    const char* name;
    int reg;
  } regs[] = {{"rax    ", REG_RAX}, {"rbx    ", REG_RBX}, {"rcx    ", REG_RCX}, {"rdx    ", REG_RDX},
              {"rdi    ", REG_RDI}, {"rsi    ", REG_RSI}, {"rbp    ", REG_RBP}, {"rsp    ", REG_RSP},
              {"r8     ", REG_R8},  {"r9     ", REG_R9},  {"r10    ", REG_R10}, {"r11    ", REG_R11},
              {"r12    ", REG_R12}, {"r13    ", REG_R13}, {"r14    ", REG_R14}, {"r15    ", REG_R15},
              {"rip    ", REG_RIP}, {"rflags ", REG_EFL}};
  for (const auto& r : regs)
    out.printf("%s0x%llx\n", r.name, static_cast<unsigned long long>(c->uc_mcontext.gregs[r.reg]));
  uint64_t csgsfs = uint64_t(c->uc_mcontext.gregs[REG_CSGSFS]);
  out.printf("cs     0x%llx\n", static_cast<unsigned long long>(csgsfs & 0xffff));
  out.printf("fs     0x%llx\n", static_cast<unsigned long long>((csgsfs >> 32) & 0xffff));
  out.printf("gs     0x%llx\n", static_cast<unsigned long long>((csgsfs >> 16) & 0xffff));
#elif defined(__aarch64__)
  for (int i = 0; i < 29; i++)
    out.printf("r%-7d0x%llx\n", i, static_cast<unsigned long long>(c->uc_mcontext.regs[i]));
  out.printf("r29     0x%llx\n", static_cast<unsigned long long>(c->uc_mcontext.regs[29]));
  out.printf("lr      0x%llx\n", static_cast<unsigned long long>(c->uc_mcontext.regs[30]));
  out.printf("sp      0x%llx\n", static_cast<unsigned long long>(c->uc_mcontext.sp));
  out.printf("pc      0x%llx\n", static_cast<unsigned long long>(c->uc_mcontext.pc));
  out.printf("fault   0x%llx\n", static_cast<unsigned long long>(c->uc_mcontext.fault_address));
#endif
}

// signal_unix.go: sighandler (the _SigThrow half: SIGQUIT, SIGTRAP, abort).
static void sigthrow(int sig, siginfo_t* info, ucontext_t* c, g* gp) {
  // Prints the signal, the interrupted goroutine's stack and every other
  // goroutine's, and exits 2. With GOTRACEBACK=crash, the first M to get
  // the signal then has every other M dump its own goroutine in turn, and
  // aborts. gort: Go relays by raising SIGQUIT at the process and lets the
  // kernel pick an M that hasn't dumped yet; gort sends it to each M by
  // thread id (tgkill) and waits for its dump, one at a time.
  m* mp = gp->m;
  mp->throwing = throwTypeRuntime;
  int32_t wasCrashing = crashing.load();
  if (wasCrashing == 0) startpanic_m();

  int32_t level;
  bool all, docrash;
  gotraceback(&level, &all, &docrash);
  {
    tbprinter out(2);
    out.printf("%s\n", signame(sig));
    // Go prints si_code as the uint64 its sigctxt.sigcode returns.
    out.printf("PC=0x%zx m=%lld sigcode=%llu\n", size_t(sigctxt_pc(c)), static_cast<long long>(mp->id),
               static_cast<unsigned long long>(int64_t(info->si_code)));
    tracebackCheckAllocator(out, c);  // gort: before anything demangles or frees
    if (sig == SIGILL || sig == SIGFPE) {
      // It would be nice to know how long the instruction is; print 16
      // bytes, which covers most, without straddling into the next page
      // (which may not be mapped).
      uintptr_t pc = sigctxt_pc(c);
      uintptr_t n = 16;
      if (n > sigPageSize - pc % sigPageSize) n = sigPageSize - pc % sigPageSize;
      out.printf("instruction bytes:");
      for (uintptr_t i = 0; i < n; i++) out.printf(" 0x%x", unsigned(reinterpret_cast<const uint8_t*>(pc)[i]));
      out.printf("\n");
    }
    out.printf("\n");
    if (level > 0) {
      goroutineheader(out, gp);
      tracebackctx(out, gp, c, true, 0);
      g* curg = mp->curg.load();
      if (wasCrashing > 0 && gp != curg && curg != nullptr && (readgstatus(curg) & ~_Gscan) == _Grunning) {
        // tracebackothers on original m skipped this one; trace it now.
        goroutineheader(out, curg);
        tracebackg(out, curg);
      } else if (wasCrashing == 0) {
        tracebackothers(out, gp);
        out.printf("\n");
      }
      dumpregs(out, c);
    }
  }

  if (docrash) {
    if (wasCrashing > 0) {
      // A relayed M: done; the first M aborts the process.
      crashing.fetch_add(1);
      for (;;) pause();
    }
    crashing.store(1);
    for (m* mp2 = std::atomic_ref<m*>(allm).load(std::memory_order_acquire); mp2 != nullptr; mp2 = mp2->alllink) {
      if (mp2 == mp || mp2->procid == 0) continue;
      int32_t before = crashing.load();
      {
        tbprinter out(2);
        out.printf("\n-----\n\n");
      }
      if (syscall(SYS_tgkill, getpid(), mp2->procid, SIGQUIT) != 0) continue;  // exited
      // Just in case the relaying gets botched, wait at most 5 seconds.
      for (int i = 0; i < 5000 && crashing.load() == before; i++) usleep(1000);
    }
    crash();
  }
  exit2();
}

// panic.go: isAbortPC
// Reports whether pc is in abort (stubs.h). gort: Go asks findfunc for the
// function's funcID; abort is three instructions at most.
static bool isAbortPC(uintptr_t pc) {
  uintptr_t entry = reinterpret_cast<uintptr_t>(&abort);
  return pc >= entry && pc < entry + 16;
}

// signal_unix.go: sighandler (the _SigPanic half: SIGSEGV, SIGBUS, SIGFPE),
// with signal_unix.go: sigpanic (its messages) and stack.go: newstack (its
// overflow report).
// A fault in the guard page below a goroutine's stack (or with sp below
// it) is a stack overflow, reported in newstack's words. Any other fault
// in a goroutine is the panic sigpanic would raise: a nil dereference
// (a fault below address 0x1000), an integer division by zero or
// overflow, a floating point error; a wild address is sigpanic's throw,
// "unexpected fault address". In the runtime's own stacks it is
// "unexpected signal during runtime execution". A fault signal sent by a
// program (kill: SI_USER) is no fault: Go throws it like SIGQUIT. gort: Go
// turns a goroutine's fault into a recoverable panic (sigpanic); a signal
// handler can't throw a C++ exception into the interrupted code, so it is
// fatal.
static void sigfault(int sig, siginfo_t* info, ucontext_t* c, g* gp) {
  m* mp = gp->m;
  uintptr_t addr = uintptr_t(info->si_addr);
  uintptr_t sp = sigctxt_sp(c);
  uintptr_t pc = sigctxt_pc(c);
  // On many architectures, the abort function just causes a memory fault.
  // Don't turn that into a panic.
  if (isAbortPC(pc)) sigthrow(sig, info, c, gp);
  if (info->si_code == SI_USER) sigthrow(sig, info, c, gp);
  bool user = gp != mp->g0 && gp != mp->gsignal;
  if (user && sig == SIGSEGV && gp->stack.lo != 0 &&
      ((addr < gp->stack.lo && addr + sigPageSize >= gp->stack.lo) || sp < gp->stack.lo)) {
    {
      tbprinter out(2);
      out.printf("runtime: goroutine stack exceeds %zu-byte limit\n", size_t(maxstacksize.load()));
      out.printf("runtime: sp=0x%zx stack=[0x%zx, 0x%zx]\n", size_t(sp), size_t(gp->stack.lo), size_t(gp->stack.hi));
      out.printf("fatal error: stack overflow\n");
    }
    fatalthrow(throwTypeRuntime, c, true, 0);
  }
  const int code = info->si_code;
  const char* panicmsg = nullptr;  // the runtime error sigpanic panics with
  if (user) {
    switch (sig) {
      case SIGBUS:
        if (code == BUS_ADRERR && addr < 0x1000) panicmsg = "invalid memory address or nil pointer dereference";
        break;
      case SIGSEGV:
        if ((code == 0 || code == SEGV_MAPERR || code == SEGV_ACCERR) && addr < 0x1000)
          panicmsg = "invalid memory address or nil pointer dereference";
        break;
      case SIGFPE:
        panicmsg = code == FPE_INTDIV   ? "integer divide by zero"
                   : code == FPE_INTOVF ? "integer overflow"
                                        : "floating point error";
        break;
    }
  }
  {
    tbprinter out(2);
    if (!user)
      out.printf("fatal error: unexpected signal during runtime execution\n");
    else if (panicmsg != nullptr)
      out.printf("panic: runtime error: %s\n", panicmsg);
    else
      out.printf("unexpected fault address 0x%zx\nfatal error: fault\n", size_t(addr));
    out.printf("[signal %s code=0x%x addr=0x%zx pc=0x%zx]\n", signame(sig), unsigned(code), size_t(addr),
               size_t(pc));
    tracebackCheckAllocator(out, c);  // gort: before anything demangles or frees
  }
  if (panicmsg != nullptr) fatalpanicctx(c, true, 0);
  fatalthrow(throwTypeRuntime, c, true, 0);
}

// signal_unix.go: sighandler
// The runtime's handler for the signals it owns: sigPreempt, SIGQUIT,
// SIGILL, SIGTRAP, SIGABRT (sigtable's _SigThrow), SIGBUS, SIGFPE, SIGSEGV
// (_SigPanic). On a thread that is not an M (no g) the fatal ones
// get their default action back and happen again.
static void sighandler(int sig, siginfo_t* info, void* ctx) {
  int savedErrno = errno;
  g* gp = getg();
  auto* c = static_cast<ucontext_t*>(ctx);
  // gort: a signal the program also handles may be the program's
  // (sigfwdgo). A process-directed SIGURG (kill) and preemptM's
  // thread-directed one are queued apart, so none hides the other.
  if (sigfwdgo(sig, info, ctx, gp)) {
    errno = savedErrno;
    return;
  }
  if (gp == nullptr || gp->m == nullptr) {
    if (sig != sigPreempt) {
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      __sigaction(sig, &dfl, nullptr);  // the kernel's, not the interposed one
      // A fault re-faults on return; a trap (INT3) or a sent signal would not.
      if (sig == SIGQUIT || sig == SIGTRAP || sig == SIGABRT || info->si_code <= 0) raise(sig);
    }
    errno = savedErrno;
    return;
  }
  if (sig == sigPreempt) {
    if (adjustSignalStack(gp->m, reinterpret_cast<uintptr_t>(&savedErrno))) {
      doSigPreempt(gp, c);
    } else {
      // Refused; acknowledge it as doSigPreempt does. The request stays
      // pending in g.preempt and is honoured at the next chance.
      gp->m->preemptGen.fetch_add(1);
      gp->m->signalPending.store(0);
    }
  } else if (sig == SIGQUIT || sig == SIGTRAP || sig == SIGILL || sig == SIGABRT) {
    sigthrow(sig, info, c, gp);
  } else if (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE) {
    sigfault(sig, info, c, gp);
  }
  errno = savedErrno;
}

// signal_unix.go: initsig
// Installs the runtime's signal handlers: on the alternate stack, with
// SA_RESTART so an interrupted system call resumes.
void initsig() {
  sigPageSize = uintptr_t(sysconf(_SC_PAGESIZE));
  struct sigaction sa {};
  sa.sa_sigaction = sighandler;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
  sigfillset(&sa.sa_mask);
  for (int sig : {sigPreempt, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV}) {
    // A handler the program installed before rt0_go is kept, to forward
    // to (Go's initsig saves it in fwdSig as well).
    while (fwdSigLock.test_and_set(std::memory_order_acquire)) {
    }
    __sigaction(sig, &sa, &fwdSig[sig]);
    sigOwned[sig].store(true);
    fwdSigLock.clear(std::memory_order_release);
  }
}

// os_linux.go: signalM
// Sends sig to the thread of mp.
void signalM(m* mp, int sig) { syscall(SYS_tgkill, getpid(), mp->procid, sig); }

// signal_unix.go: preemptM
// preemptM sends a preemption request to mp. This request may be handled
// asynchronously and may be coalesced with other requests to the M. When
// the request is received, if the running G or P are marked for
// preemption and the goroutine is at an asynchronous safe-point, it will
// preempt the goroutine. It always atomically increments mp.preemptGen
// after handling a preemption request.
void preemptM(m* mp) {
  uint32_t zero = 0;
  // If multiple threads are preempting the same M, it may send many
  // signals to the same M such that it hardly make progress. Only send a
  // signal if there isn't already one pending.
  if (mp->signalPending.compare_exchange_strong(zero, 1)) signalM(mp, sigPreempt);
}

// ===========================================================================
// gort-only: the program's sigaction and signal, interposed.
// ===========================================================================

// gort-only: sigaction as the program sees it (interposed).
int sigactionInterposed(int sig, const struct sigaction* act, struct sigaction* oldact) {
  // For a signal gort handles (SIGURG, SIGQUIT, SIGILL, SIGTRAP, SIGABRT,
  // SIGBUS, SIGFPE, SIGSEGV,
  // once rt0_go has installed the handlers) the program's action is recorded
  // in fwdSig and gort's handler stays, forwarding to it (see sigfwdgo):
  // otherwise a program's SIGURG handler would swallow every preemption
  // request and a stop-the-world would wait for ever. oldact reports the
  // program's previous action, as if it were installed. Any other signal goes
  // to libc, its handler with SA_ONSTACK added: on an M it runs on the signal
  // stack, never on a goroutine's (syscall_linux.cpp's wrappers rely on that).
  if (sig <= 0 || sig >= NSIG || !sigOwned[sig].load()) {
    if (act == nullptr || act->sa_handler == SIG_DFL || act->sa_handler == SIG_IGN)
      return __sigaction(sig, act, oldact);
    struct sigaction onstack = *act;
    onstack.sa_flags |= SA_ONSTACK;
    return __sigaction(sig, &onstack, oldact);
  }
  while (fwdSigLock.test_and_set(std::memory_order_acquire)) {
  }
  if (oldact != nullptr) *oldact = fwdSig[sig];
  if (act != nullptr) fwdSig[sig] = *act;
  fwdSigLock.clear(std::memory_order_release);
  return 0;
}

}  // namespace gort::runtime

extern "C" {
// gort-only: the program's sigaction (see sigactionInterposed).
int sigaction(int sig, const struct sigaction* act, struct sigaction* oldact) {
  return gort::runtime::sigactionInterposed(sig, act, oldact);
}

// gort-only: the program's signal: BSD semantics as glibc's (SA_RESTART),
// through the interposed sigaction, since glibc's signal calls its own.
sighandler_t signal(int sig, sighandler_t handler) {
  struct sigaction act {}, old {};
  act.sa_handler = handler;
  sigemptyset(&act.sa_mask);
  if (sig > 0 && sig < NSIG) sigaddset(&act.sa_mask, sig);
  act.sa_flags = SA_RESTART;
  if (sigaction(sig, &act, &old) != 0) return SIG_ERR;
  return old.sa_handler;
}
}
