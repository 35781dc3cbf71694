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
