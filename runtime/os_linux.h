// os_linux.h — the thin OS layer: futexes, time, yielding.
// Port of Go 1.19 src/runtime/os_linux.go (declarations; see os_linux.cpp).
#pragma once

#include <atomic>
#include <cstdint>

#include <signal.h>

// glibc's own name for sigaction: the kernel's action, past the
// interposed sigaction of signal_unix.cpp (exported by libc.so and libc.a
// alike).
extern "C" int __sigaction(int sig, const struct sigaction* act, struct sigaction* oldact);

namespace gort::runtime {

// os_linux.go: futexsleep. Sleep on addr while *addr == val, at most ns
// nanoseconds (ns < 0: forever). May wake spuriously.
void futexsleep(std::atomic<uint32_t>* addr, uint32_t val, int64_t ns);
// os_linux.go: futexwakeup. Wake up to cnt threads sleeping on addr.
void futexwakeup(std::atomic<uint32_t>* addr, uint32_t cnt);
// os_linux.go: osyield (sched_yield).
void osyield();
// sys_linux_amd64.s: usleep.
void usleep(uint32_t usec);
// time_nofake.go: nanotime. Monotonic nanoseconds.
int64_t nanotime();
// os_linux.go: getproccount. CPUs in this process's affinity mask.
int32_t getproccount();
// os_linux.go: osinit.
void osinit();
// gort-only: gettid(2), recorded as m.procid for debuggers.
int64_t gettid();

struct m;

// os_linux.go: newosproc. Starts mp on a new OS thread (a pthread, so that
// libc's thread-local storage and malloc work in C++ code), with all
// signals blocked until minit sets the M's own mask.
// May run without a P.
void newosproc(m* mp);
// os_linux.go: signalM. Sends sig to the thread of mp (tgkill; the
// definition is in signal_unix.cpp, beside its only runtime user, preemptM).
void signalM(m* mp, int sig);
// os_linux.go: mpreinit. Called to initialize a new m (including the
// bootstrap m) on the parent thread: allocates the signal stack (gsignal).
void mpreinit(m* mp);
// os_linux.go: minit. Called to initialize a new m (including the
// bootstrap m) on the new thread: procid, alternate signal stack, mask.
void minit();
// os_linux.go: unminit. Undoes minit before the thread exits.
void unminit();
// signal_unix.go: sigsave. Saves the current thread's signal mask.
void sigsave(sigset_t* p);
// signal_unix.go: sigblock. Blocks all signals on this thread.
void sigblock(bool exiting);
// stubs2.go: exitThread. Ends the current thread (pthread_exit).
[[noreturn]] void exitThread();
// proc.go: initSigmask. The signal mask of the process at start.
extern sigset_t initSigmask;

}  // namespace gort::runtime
