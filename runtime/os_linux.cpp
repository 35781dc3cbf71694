// os_linux.cpp — the thin OS layer the scheduler needs on Linux.
//
// Port of the parts of Go 1.19 src/runtime/os_linux.go (and the syscall
// stubs of sys_linux_<arch>.s) that the scheduler uses. Go makes raw system
// calls; gort calls the kernel through syscall(2) for futexes and gettid,
// and through libc for the rest, because C++ code shares the process with
// libc (threads must be pthreads so thread_local and malloc work).

#include "runtime/os_linux.h"

#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include "runtime/runtime2.h"

namespace gort::runtime {

// os_linux.go: futexsleep
// Atomically: if *addr == val { sleep }. May wake up spuriously; that's
// allowed. Don't sleep longer than ns; ns < 0 means forever.
void futexsleep(std::atomic<uint32_t>* addr, uint32_t val, int64_t ns) {
  // Some Linux kernels have a bug where futex of FUTEX_WAIT returns an
  // internal error code as an errno; Go ignores the result, and so do we:
  // every caller re-checks the word.
  if (ns < 0) {
    syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, nullptr, nullptr, 0);
    return;
  }
  struct timespec ts;
  ts.tv_sec = ns / 1000000000;
  ts.tv_nsec = ns % 1000000000;
  syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, &ts, nullptr, 0);
}

// os_linux.go: futexwakeup
// If any procs are sleeping on addr, wake up at most cnt.
void futexwakeup(std::atomic<uint32_t>* addr, uint32_t cnt) {
  long ret = syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, cnt, nullptr, nullptr, 0);
  if (ret >= 0) return;
  // Go: "I don't know that futex wakeup can return EAGAIN or EINTR, but if
  // it does, it would be safe to loop and call futex again." We don't.
}

// sys_linux_amd64.s: osyield
void osyield() { sched_yield(); }

// sys_linux_amd64.s: usleep
void usleep(uint32_t usec) {
  struct timespec ts;
  ts.tv_sec = usec / 1000000;
  ts.tv_nsec = (usec % 1000000) * 1000;
  nanosleep(&ts, nullptr);
}

// time_nofake.go: nanotime (CLOCK_MONOTONIC through the vDSO, as Go does)
int64_t nanotime() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// os_linux.go: getproccount
int32_t getproccount() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  int32_t n = CPU_COUNT(&set);
  return n > 0 ? n : 1;
}

// os_linux.go: osinit
void osinit() { ncpu = getproccount(); }

// gort-only: the OS thread id (Go: gettid in sys_linux_<arch>.s)
int64_t gettid() { return syscall(SYS_gettid); }

}  // namespace gort::runtime

// ---------------------------------------------------------------------------
// Threads.
// ---------------------------------------------------------------------------
#include <pthread.h>

#include <cstdio>

#include "runtime/proc.h"
#include "runtime/stack.h"
#include "runtime/stubs.h"

namespace gort::runtime {

sigset_t initSigmask;

namespace {
// gort-only: the size of an M's g0 stack, which pthread_create allocates.
// Go gives g0 8-16 KiB because Go code on g0 is tiny; C++ code on g0
// (schedule, findRunnable, everything under systemstack) needs more, and
// untouched pages cost nothing.
constexpr size_t g0StackSize = 512 << 10;

// gort-only: the pthread start routine of every M but m0. Records g0's
// stack bounds (Go derives them in mstart0 for OS-allocated stacks),
// installs g0 as the current g and enters mstart.
void* mstart_pthread(void* arg) {
  m* mp = static_cast<m*>(arg);
  g* g0 = mp->g0;
  pthread_attr_t attr;
  void* addr = nullptr;
  size_t size = 0;
  pthread_getattr_np(pthread_self(), &attr);
  pthread_attr_getstack(&attr, &addr, &size);
  pthread_attr_destroy(&attr);
  g0->stack.lo = uintptr_t(addr);
  g0->stack.hi = uintptr_t(addr) + size;
  setg(g0);
  mstart();
}
}  // namespace

// os_linux.go: newosproc
// May run with m.p==nil, so write barriers are not allowed.
void newosproc(m* mp) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, g0StackSize);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);

  // Disable signals during clone, so that the new thread starts with
  // signals disabled. It will enable them in minit.
  sigset_t all, oset;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &oset);
  pthread_t tid;
  int err = pthread_create(&tid, &attr, mstart_pthread, mp);
  pthread_sigmask(SIG_SETMASK, &oset, nullptr);
  pthread_attr_destroy(&attr);

  if (err != 0) {
    fprintf(stderr, "runtime: failed to create new OS thread (have %d already; errno=%d)\n", mcount(), err);
    if (err == EAGAIN) fprintf(stderr, "runtime: may need to increase max user processes (ulimit -u)\n");
    throw_("newosproc");
  }
}

// os_linux.go: mpreinit
void mpreinit(m* mp) {
  // gort: signalStackSize (256 KiB; Go: 32 KiB), only touched pages cost.
  mp->gsignal = malg(int32_t(signalStackSize));  // Linux wants >= 2K
  mp->gsignal->m = mp;
}

// os_linux.go: minit (with signal_unix.go: minitSignals)
void minit() {
  m* mp = getg()->m;
  // Install the alternate signal stack: handlers (stack overflow,
  // preemption) run on gsignal's stack, never on a goroutine's.
  if (mp->gsignal != nullptr) {
    stack_t st{};
    st.ss_sp = reinterpret_cast<void*>(mp->gsignal->stack.lo);
    st.ss_size = mp->gsignal->stack.hi - mp->gsignal->stack.lo;
    st.ss_flags = 0;
    sigaltstack(&st, nullptr);
  }
  // Set the signal mask this M should run with.
  if (mp != &m0) pthread_sigmask(SIG_SETMASK, &mp->sigmask, nullptr);
  // for debuggers, in case cgo created the thread
  mp->procid = gettid();
}

// os_linux.go: unminit (with signal_unix.go: unminitSignals)
void unminit() {
  stack_t st{};
  st.ss_flags = SS_DISABLE;
  sigaltstack(&st, nullptr);
}

// signal_unix.go: sigsave
void sigsave(sigset_t* p) { pthread_sigmask(SIG_SETMASK, nullptr, p); }

// signal_unix.go: sigblock
// Blocks all signals in the current thread's signal mask (Go keeps a few
// synchronous ones unblocked when exiting; a thread that exits needs none).
void sigblock(bool) {
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, nullptr);
}

// stubs2.go: exitThread (sys_linux_amd64.s: exitThread)
// gort: pthread_exit, so libc frees the thread's stack and TLS.
void exitThread() { pthread_exit(nullptr); }

}  // namespace gort::runtime
