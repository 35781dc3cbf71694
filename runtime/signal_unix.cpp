// signal_unix.cpp — the runtime's signal handling.
//
// Port of the parts of Go 1.19 src/runtime/signal_unix.go that gort needs
// now: installing the handler (initsig), the handler's preemption path
// (sighandler -> doSigPreempt) and sending the request (preemptM,
// signalM). Handlers run on the M's alternate signal stack (gsignal's,
// set by minit). gort: crash and profiling signals come with tracebacks.

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "runtime/preempt.h"
#include "runtime/proc.h"
#include "runtime/runtime1.h"
#include "runtime/signal_arch.h"
#include "runtime/stubs.h"

namespace gort::runtime {

// signal_unix.go: sigPreempt. The signal used for preemption: one the
// program is unlikely to use, that debuggers pass through, and that libc
// doesn't use internally.
constexpr int sigPreempt = SIGURG;

// signal_unix.go: doSigPreempt
// doSigPreempt handles a preemption signal on gp.
static void doSigPreempt(g* gp, ucontext_t* ctxt) {
  // Check if this G wants to be preempted and is safe to preempt.
  if (wantAsyncPreempt(gp)) {
    if (isAsyncSafePoint(gp, sigctxt_pc(ctxt), sigctxt_sp(ctxt))) {
      // Adjust the PC and inject a call to asyncPreempt.
      pushCall(ctxt, reinterpret_cast<uintptr_t>(&asyncPreempt));
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

// signal_unix.go: sighandler
// The runtime's handler for the signals it owns. gort: only sigPreempt so
// far; a thread that is not an M (no g) ignores it.
static void sighandler(int sig, siginfo_t*, void* ctx) {
  int savedErrno = errno;
  g* gp = getg();
  if (sig == sigPreempt && gp != nullptr && gp->m != nullptr) {
    if (adjustSignalStack(gp->m, reinterpret_cast<uintptr_t>(&savedErrno)))
      doSigPreempt(gp, static_cast<ucontext_t*>(ctx));
    else {
      // Refused; acknowledge it as doSigPreempt does. The request stays
      // pending in g.preempt and is honoured at the next chance.
      gp->m->preemptGen.fetch_add(1);
      gp->m->signalPending.store(0);
    }
  }
  errno = savedErrno;
}

// signal_unix.go: initsig
// Installs the runtime's signal handlers: on the alternate stack, with
// SA_RESTART so an interrupted system call resumes.
void initsig() {
  struct sigaction sa {};
  sa.sa_sigaction = sighandler;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
  sigfillset(&sa.sa_mask);
  sigaction(sigPreempt, &sa, nullptr);
}

// os_linux.go: signalM
// Sends sig to the thread of mp.
static void signalM(m* mp, int sig) { syscall(SYS_tgkill, getpid(), mp->procid, sig); }

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

}  // namespace gort::runtime
