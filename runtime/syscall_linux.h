// syscall_linux.h — the blocking libc calls libgort interposes (see
// syscall_linux.cpp for the rule and the list).
#pragma once

#include <cstdint>

namespace gort::runtime {

// gort-only: finds libc's blocking calls for the wrappers; called by
// schedinit. That call also keeps syscall_linux.cpp in every static link:
// the linker takes it from libgort.a only for a reference nothing else
// defines, and a sanitizer's runtime (TSan's), linked ahead of the
// program, defines read, write and the rest itself: without this
// reference the program's calls went to TSan's interceptors, unwrapped.
void syscallinit();

// gort-only: whether a blocking libc call the program makes at callerpc,
// with its frame at sp, runs in the syscall state: only from a goroutine
// running user code on its own stack with a P (not on g0 or any signal
// stack, not inside the runtime or a SyscallGuard, not with runtime locks,
// a preemptoff reason or a NoPreempt region, not while throwing).
bool blockingCallWrapped(uintptr_t callerpc, uintptr_t sp);

// gort-only: whether the wrappers reach libc's own functions (dlsym); false
// in a statically linked program, where they make the system calls
// themselves.
bool blockingCallsUseLibc();

}  // namespace gort::runtime
