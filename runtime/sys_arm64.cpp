// sys_arm64.cpp — the faked call that starts a goroutine, arm64.
// Port of Go 1.19 src/runtime/sys_arm64.go and stack.go: gostartcallfn.

#if defined(__aarch64__)

#include <cstdint>

#include "arch/arm64/asm_arm64.h"
#include "runtime/proc.h"

namespace gort::runtime {

// gort-only: keeps mcallframe, the frame mcall leaves at a parked g's
// sched.sp, in the program's debug information: the gdb extension
// (tools/gdb/runtime-gdb.py) reads its layout from there.
[[gnu::used]] static const mcallframe* const mcallframeForDebuggers = nullptr;

// gort-only: this thread's FP control state as the switch code last saw
// it (asm_<arch>.h: fpctl). All ones at thread start: no real state.
extern "C" {
__thread fpctl tls_fpctl __attribute__((tls_model("initial-exec"))) = {~uint64_t(0)};
}

// stack.go: gostartcallfn
// adjust Gobuf as if it executed a call to fn and then stopped before the
// first instruction in fn.
void gostartcallfn(gobuf* gobuf, funcval* fv) {
  // gort: Go substitutes nilfunc (which faults) for a nil fv; newproc1
  // already refused a nil fv with "go of nil func value".
  gostartcall(gobuf, reinterpret_cast<void*>(fv->fn), fv);
}

// sys_arm64.go: gostartcall
// adjust Gobuf as if it executed a call to fn with context ctxt and then
// did an immediate Gosave: the old pc (goexit+4) becomes the link
// register, so fn "returns" into goexit. Nothing is pushed: sp stays
// 16-byte aligned, as AAPCS64 demands at every instruction.
void gostartcall(gobuf* buf, void* fn, void* ctxt) {
  if (buf->lr != 0) throw_("invalid use of gostartcall");
  buf->lr = buf->pc;
  buf->pc = reinterpret_cast<uintptr_t>(fn);
  buf->ctxt = ctxt;
}

}  // namespace gort::runtime

#endif  // __aarch64__
