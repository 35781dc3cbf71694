// sys_x86.cpp — the faked call that starts a goroutine, amd64.
// Port of Go 1.19 src/runtime/sys_x86.go and stack.go: gostartcallfn.

#if defined(__x86_64__)

#include <cstdint>

#include "arch/amd64/asm_amd64.h"
#include "runtime/proc.h"

namespace gort::runtime {

// gort-only: keeps mcallframe, the frame mcall leaves at a parked g's
// sched.sp, in the program's debug information: the gdb extension
// (tools/gdb/runtime-gdb.py) reads its layout from there.
[[gnu::used]] static const mcallframe* const mcallframeForDebuggers = nullptr;

// gort-only: this thread's FP control state as the switch code last saw
// it (asm_<arch>.h: fpctl). All ones at thread start: no real state.
extern "C" {
__thread fpctl tls_fpctl __attribute__((tls_model("initial-exec"))) = {0xffffffff, 0xffff, 0xffff};
}

// stack.go: gostartcallfn
// adjust Gobuf as if it executed a call to fn and then stopped before the
// first instruction in fn.
void gostartcallfn(gobuf* gobuf, funcval* fv) {
  // gort: Go substitutes nilfunc (which faults) for a nil fv; newproc1
  // already refused a nil fv with "go of nil func value".
  gostartcall(gobuf, reinterpret_cast<void*>(fv->fn), fv);
}

// sys_x86.go: gostartcall
// adjust Gobuf as if it executed a call to fn with context ctxt and then
// stopped before the first instruction in fn: push the old pc (goexit+1)
// as the return address, so fn "returns" into goexit.
// gort: the stack pointer ends 8 mod 16, as at any C function's entry.
void gostartcall(gobuf* buf, void* fn, void* ctxt) {
  uintptr_t sp = buf->sp;
  sp -= sizeof(uintptr_t);
  *reinterpret_cast<uintptr_t*>(sp) = buf->pc;
  buf->sp = sp;
  buf->pc = reinterpret_cast<uintptr_t>(fn);
  buf->ctxt = ctxt;
}

}  // namespace gort::runtime

#endif  // __x86_64__
