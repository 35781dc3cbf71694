// signal_arm64.cpp — the arm64 signal context.
// Port of Go 1.19 src/runtime/signal_arm64.go (sigpc, sigsp, pushCall).
//
// gort: Go's arm64 pushCall pushes LR and lets asyncPreempt return through
// R27, a register Go's compiler never keeps live. C++ code may keep a live
// value in any of x0-x30, and arm64 has no branch to an address held in
// memory, so asyncPreempt could not return to the interrupted pc without
// clobbering something. Instead pushCall copies the whole signal frame
// (every general register, sp, pc, the flags, and the FP/SIMD — and SVE —
// records the kernel saved) onto the goroutine's stack, and asyncPreempt
// ends with rt_sigreturn on that copy: the kernel reloads every register
// and the pc at once, on whichever thread the goroutine now runs.

#if defined(__aarch64__)

#include <asm/sigcontext.h>
#include <pthread.h>
#include <signal.h>

#include <cstring>

#include "runtime/signal_arch.h"
#include "runtime/stubs.h"

namespace gort::runtime {

// signal_arm64.go: (*sigctxt).sigpc
uintptr_t sigctxt_pc(ucontext_t* c) { return uintptr_t(c->uc_mcontext.pc); }

// signal_arm64.go: (*sigctxt).sigsp
uintptr_t sigctxt_sp(ucontext_t* c) { return uintptr_t(c->uc_mcontext.sp); }

namespace {
// gort-only: whether the kernel's records in the frame's __reserved area
// all lie inside it (no extra_context, whose data pointer refers to the
// signal stack and could not be moved with the copy).
bool sigframeSelfContained(ucontext_t* c) {
  const uint8_t* rec = reinterpret_cast<const uint8_t*>(c->uc_mcontext.__reserved);
  const uint8_t* end = rec + sizeof(c->uc_mcontext.__reserved);
  while (rec + sizeof(_aarch64_ctx) <= end) {
    _aarch64_ctx head;
    memcpy(&head, rec, sizeof head);
    if (head.magic == 0) return true;  // the terminator
    if (head.magic == EXTRA_MAGIC || head.size < sizeof head || head.size > uintptr_t(end - rec)) return false;
    rec += head.size;
  }
  return false;
}
}  // namespace

// signal_arm64.go: (*sigctxt).pushCall
// Make it look like the interrupted code called targetPC. gort: copy the
// signal frame (struct rt_sigframe: siginfo, ucontext) below the
// interrupted sp, 16-aligned (Linux on arm64 has no red zone), and start
// targetPC with sp pointing at the copy; the copy keeps the interrupted
// pc and sp for the return (see the file comment).
bool pushCall(ucontext_t* c, uintptr_t targetPC) {
  if (!sigframeSelfContained(c)) return false;
  uintptr_t sp = (sigctxt_sp(c) - sigframeCopySize) & ~uintptr_t(15);
  memset(reinterpret_cast<void*>(sp), 0, sizeof(siginfo_t));
  memcpy(reinterpret_cast<void*>(sp + sizeof(siginfo_t)), c, sizeof(ucontext_t));
  c->uc_mcontext.sp = sp;
  c->uc_mcontext.pc = targetPC;
  return true;
}

// gort-only: called by asyncPreempt just before rt_sigreturn. The
// goroutine may be on another thread now: rt_sigreturn also reinstalls the
// frame's signal mask and alternate signal stack, which must be this
// thread's, not those of the thread the signal interrupted.
extern "C" void asyncPreemptFixFrame(ucontext_t* uc) {
  sigset_t mask;
  pthread_sigmask(SIG_SETMASK, nullptr, &mask);
  uc->uc_sigmask = mask;
  stack_t st;
  sigaltstack(nullptr, &st);
  uc->uc_stack = st;
}

}  // namespace gort::runtime

#endif  // __aarch64__
