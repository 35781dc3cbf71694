// syscall_linux.cpp — the blocking libc calls, as the program sees them.
//
// gort-only (Go's twin is its syscall package: syscall.Read and friends
// call entersyscall/exitsyscall around the raw system call). A C++
// program calls read(2) or nanosleep(2) directly, often from a library,
// without runtime::SyscallGuard; such a call used to keep its P for as
// long as it blocked, so at GOMAXPROCS=1 every other goroutine stalled.
// libgort therefore defines these functions itself. Each forwards to
// libc's (found once with dlsym(RTLD_NEXT), which also keeps a sanitizer's
// interceptor in the chain), and when the program calls it from a
// goroutine it does so in the syscall state, as a Go system call: sysmon
// hands the P to another M if the call blocks (entersyscall), or the P
// is handed off at once for the calls whose purpose is to wait, the sleeps
// and pause (entersyscallblock).
//
// The call goes straight to libc, with no syscall state, when made
// (blockingCallWrapped):
// - on a thread gort did not start, or before rt0_go (no g);
// - on g0, or on any stack but the goroutine's own: a signal handler on
//   gsignal's stack or on an alternate stack the program installed (the
//   interposed sigaction adds SA_ONSTACK to the program's handlers, so
//   they never run on a goroutine's stack; see signal_unix.cpp);
// - by a goroutine already in the syscall state (SyscallGuard), or
//   without a P, with runtime locks (m.locks), a preemptoff reason (a
//   stop-the-world), a NoPreempt region, or while throwing or dying:
//   the runtime calls libunwind and libbacktrace in those states, and
//   they read and write (libunwind validates addresses through a pipe);
// - from the runtime's own code (the caller's pc in gort_runtime_text):
//   the runtime's read/write/epoll_wait/nanosleep go to libc directly.
//
// A wrapped call keeps the goroutine on its thread (lockOSThread from
// entersyscall to exitsyscall): if the P was taken meanwhile, exitsyscall
// waits for the goroutine to be scheduled again on this same M
// (stoplockedm) instead of letting another M pick it up. C++ code may keep
// thread state across the call: glibc declares __errno_location const, so
// g++ computes errno's address once before `n = read(...)` and reads it
// after; a goroutine resumed on another thread would read the wrong
// thread's errno. errno is what libc left, set again after exitsyscall.
//
// In a statically linked program there is no dynamic linker to find
// libc's definitions (libgort's strong symbols take the place of libc.a's
// weak ones); the wrappers then make the system calls themselves (the
// raw* functions below: no cancellation points).
//
// Only calls that reach these symbols are covered: libc's own internal
// calls (fread's read, system's waitpid) are not, nor syscall(2), inline
// asm, or a library that calls libc's internal names. See
// docs/16-preemption.md for the rule a C++ user must know.

#include "runtime/syscall_linux.h"

#include <dlfcn.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "runtime/go.h"  // setErrno
#include "runtime/preempt.h"
#include "runtime/proc.h"
#include "runtime/stubs.h"

// gort-only: a weak reference, so that a static link does not pull in
// libc.a's dlsym (and the static dlopen machinery) for it; null there.
#pragma weak dlsym

namespace gort::runtime {
namespace {

// gort-only: one interposed libc function: its name, the system-call
// version used where libc's can't be found, and libc's, once found.
struct libcCall {
  const char* name;
  void* raw;
  std::atomic<void*> fn;
};

// gort-only: libc's definition of c (dlsym(RTLD_NEXT) finds the next
// definition after the executable's, i.e. libc's or a sanitizer's), else
// its system-call version.
void* resolve(libcCall& c) {
  void* f = dlsym != nullptr ? dlsym(RTLD_NEXT, c.name) : nullptr;
  if (f == nullptr) f = c.raw;
  c.fn.store(f, std::memory_order_release);
  return f;
}

// gort-only: the function to forward c's call to. Resolved at load time
// (resolveAll), so a handler calling write never runs dlsym; a call from
// an earlier constructor resolves it here.
template <class F>
__attribute__((always_inline)) inline F libcFn(libcCall& c) {
  void* f = c.fn.load(std::memory_order_acquire);
  if (__builtin_expect(f == nullptr, 0)) f = resolve(c);
  return reinterpret_cast<F>(f);
}

// gort-only: calls f(args...) on behalf of the program at callerpc, in
// the syscall state where blockingCallWrapped says so. Inlined into each
// wrapper, so entersyscall and exitsyscall see the wrapper's frame.
template <void (*enter)(), class F, class... A>
__attribute__((always_inline)) inline auto blockingCall(uintptr_t callerpc, F f, A... args) {
  if (!blockingCallWrapped(callerpc, reinterpret_cast<uintptr_t>(__builtin_frame_address(0)))) return f(args...);
  lockOSThread();
  enter();
  auto r = f(args...);
  int e = errno;
  exitsyscall();
  unlockOSThread();
  setErrno(e);
  return r;
}

// --- the system-call versions (static links) -------------------------------
// Each does what glibc 2.36's function does on Linux, minus
// cancellation.

// gort-only: poll's timeout in ms as ppoll's timespec (null: none).
const struct timespec* timeoutToTimespec(int ms, struct timespec* ts) {
  if (ms < 0) return nullptr;
  ts->tv_sec = ms / 1000;
  ts->tv_nsec = long(ms % 1000) * 1000000;
  return ts;
}

// gort-only: read as a system call (a static link's stand-in for libc's).
ssize_t rawRead(int fd, void* buf, size_t n) { return syscall(SYS_read, fd, buf, n); }
// gort-only: write as a system call (a static link's stand-in for libc's).
ssize_t rawWrite(int fd, const void* buf, size_t n) { return syscall(SYS_write, fd, buf, n); }
// gort-only: readv as a system call (a static link's stand-in for libc's).
ssize_t rawReadv(int fd, const struct iovec* iov, int n) { return syscall(SYS_readv, fd, iov, n); }
// gort-only: writev as a system call (a static link's stand-in for libc's).
ssize_t rawWritev(int fd, const struct iovec* iov, int n) { return syscall(SYS_writev, fd, iov, n); }
// gort-only: pread as a system call (a static link's stand-in for libc's).
ssize_t rawPread(int fd, void* buf, size_t n, off_t off) { return syscall(SYS_pread64, fd, buf, n, off); }
// gort-only: pwrite as a system call (a static link's stand-in for libc's).
ssize_t rawPwrite(int fd, const void* buf, size_t n, off_t off) { return syscall(SYS_pwrite64, fd, buf, n, off); }
// gort-only: recvfrom as a system call (a static link's stand-in for libc's).
ssize_t rawRecvfrom(int fd, void* buf, size_t n, int flags, struct sockaddr* addr, socklen_t* len) {
  return syscall(SYS_recvfrom, fd, buf, n, flags, addr, len);
}
// gort-only: recv as a system call (a static link's stand-in for libc's).
ssize_t rawRecv(int fd, void* buf, size_t n, int flags) { return rawRecvfrom(fd, buf, n, flags, nullptr, nullptr); }
// gort-only: recvmsg as a system call (a static link's stand-in for libc's).
ssize_t rawRecvmsg(int fd, struct msghdr* msg, int flags) { return syscall(SYS_recvmsg, fd, msg, flags); }
// gort-only: sendto as a system call (a static link's stand-in for libc's).
ssize_t rawSendto(int fd, const void* buf, size_t n, int flags, const struct sockaddr* addr, socklen_t len) {
  return syscall(SYS_sendto, fd, buf, n, flags, addr, len);
}
// gort-only: send as a system call (a static link's stand-in for libc's).
ssize_t rawSend(int fd, const void* buf, size_t n, int flags) { return rawSendto(fd, buf, n, flags, nullptr, 0); }
// gort-only: sendmsg as a system call (a static link's stand-in for libc's).
ssize_t rawSendmsg(int fd, const struct msghdr* msg, int flags) { return syscall(SYS_sendmsg, fd, msg, flags); }
// gort-only: accept4 as a system call (a static link's stand-in for libc's).
int rawAccept4(int fd, struct sockaddr* addr, socklen_t* len, int flags) {
  return int(syscall(SYS_accept4, fd, addr, len, flags));
}
// gort-only: accept as a system call (a static link's stand-in for libc's).
int rawAccept(int fd, struct sockaddr* addr, socklen_t* len) { return rawAccept4(fd, addr, len, 0); }
// gort-only: connect as a system call (a static link's stand-in for libc's).
int rawConnect(int fd, const struct sockaddr* addr, socklen_t len) { return int(syscall(SYS_connect, fd, addr, len)); }
// gort-only: ppoll as a system call (a static link's stand-in for libc's).
int rawPpoll(struct pollfd* fds, nfds_t n, const struct timespec* ts, const sigset_t* mask) {
  struct timespec copy;  // the kernel writes back the time left; ppoll's caller keeps its own
  if (ts != nullptr) copy = *ts;
  return int(syscall(SYS_ppoll, fds, n, ts != nullptr ? &copy : nullptr, mask, _NSIG / 8));
}
// gort-only: poll as a system call (a static link's stand-in for libc's).
int rawPoll(struct pollfd* fds, nfds_t n, int timeout) {
  struct timespec ts;
  return rawPpoll(fds, n, timeoutToTimespec(timeout, &ts), nullptr);
}
// gort-only: pselect as a system call (a static link's stand-in for libc's).
int rawPselect(int n, fd_set* r, fd_set* w, fd_set* e, const struct timespec* ts, const sigset_t* mask) {
  struct timespec copy;
  if (ts != nullptr) copy = *ts;
  struct {
    const sigset_t* ss;
    size_t len;
  } data = {mask, _NSIG / 8};
  return int(syscall(SYS_pselect6, n, r, w, e, ts != nullptr ? &copy : nullptr, &data));
}
// gort-only: select as a system call (a static link's stand-in for libc's).
int rawSelect(int n, fd_set* r, fd_set* w, fd_set* e, struct timeval* tv) {
  // select, unlike pselect, reports the time left in tv (Linux's select).
  struct timespec ts;
  if (tv != nullptr) ts = {tv->tv_sec, tv->tv_usec * 1000};
  struct {
    const sigset_t* ss;
    size_t len;
  } data = {nullptr, _NSIG / 8};
  int rc = int(syscall(SYS_pselect6, n, r, w, e, tv != nullptr ? &ts : nullptr, &data));
  if (tv != nullptr) *tv = {ts.tv_sec, ts.tv_nsec / 1000};
  return rc;
}
// gort-only: epoll_pwait as a system call (a static link's stand-in for libc's).
int rawEpollPwait(int fd, struct epoll_event* ev, int n, int timeout, const sigset_t* mask) {
  return int(syscall(SYS_epoll_pwait, fd, ev, n, timeout, mask, _NSIG / 8));
}
// gort-only: epoll_wait as a system call (a static link's stand-in for libc's).
int rawEpollWait(int fd, struct epoll_event* ev, int n, int timeout) {
  return rawEpollPwait(fd, ev, n, timeout, nullptr);
}
// gort-only: clock_nanosleep as a system call (a static link's stand-in for libc's).
int rawClockNanosleep(clockid_t clock, int flags, const struct timespec* req, struct timespec* rem) {
  // Returns the error number and leaves errno alone, as glibc's.
  int saved = errno;
  long rc = syscall(SYS_clock_nanosleep, clock, flags, req, rem);
  int err = rc == -1 ? errno : 0;
  errno = saved;
  return err;
}
// gort-only: nanosleep as a system call (a static link's stand-in for libc's).
int rawNanosleep(const struct timespec* req, struct timespec* rem) {
  return int(syscall(SYS_clock_nanosleep, CLOCK_REALTIME, 0, req, rem));
}
// gort-only: usleep as a system call (a static link's stand-in for libc's).
int rawUsleep(useconds_t usec) {
  struct timespec ts = {time_t(usec / 1000000), long(usec % 1000000) * 1000};
  return rawNanosleep(&ts, nullptr);
}
// gort-only: sleep as a system call (a static link's stand-in for libc's).
unsigned int rawSleep(unsigned int secs) {
  struct timespec ts = {time_t(secs), 0}, rem = {0, 0};
  int saved = errno;
  if (rawNanosleep(&ts, &rem) == 0) return 0;
  errno = saved;
  return unsigned(rem.tv_sec) + (rem.tv_nsec >= 500000000L);  // glibc rounds the time left
}
// gort-only: wait4 as a system call (a static link's stand-in for libc's).
pid_t rawWait4(pid_t pid, int* status, int options, struct rusage* ru) {
  return pid_t(syscall(SYS_wait4, pid, status, options, ru));
}
// gort-only: wait as a system call (a static link's stand-in for libc's).
pid_t rawWait(int* status) { return rawWait4(-1, status, 0, nullptr); }
// gort-only: waitpid as a system call (a static link's stand-in for libc's).
pid_t rawWaitpid(pid_t pid, int* status, int options) { return rawWait4(pid, status, options, nullptr); }
// gort-only: waitid as a system call (a static link's stand-in for libc's).
int rawWaitid(idtype_t type, id_t id, siginfo_t* info, int options) {
  return int(syscall(SYS_waitid, type, id, info, options, nullptr));
}
// gort-only: pause as a system call (a static link's stand-in for libc's).
int rawPause() { return rawPpoll(nullptr, 0, nullptr, nullptr); }

// --- libc's, found once ----------------------------------------------------

libcCall libcRead{"read", reinterpret_cast<void*>(rawRead), {}};
libcCall libcWrite{"write", reinterpret_cast<void*>(rawWrite), {}};
libcCall libcReadv{"readv", reinterpret_cast<void*>(rawReadv), {}};
libcCall libcWritev{"writev", reinterpret_cast<void*>(rawWritev), {}};
libcCall libcPread{"pread", reinterpret_cast<void*>(rawPread), {}};
libcCall libcPwrite{"pwrite", reinterpret_cast<void*>(rawPwrite), {}};
libcCall libcRecv{"recv", reinterpret_cast<void*>(rawRecv), {}};
libcCall libcRecvfrom{"recvfrom", reinterpret_cast<void*>(rawRecvfrom), {}};
libcCall libcRecvmsg{"recvmsg", reinterpret_cast<void*>(rawRecvmsg), {}};
libcCall libcSend{"send", reinterpret_cast<void*>(rawSend), {}};
libcCall libcSendto{"sendto", reinterpret_cast<void*>(rawSendto), {}};
libcCall libcSendmsg{"sendmsg", reinterpret_cast<void*>(rawSendmsg), {}};
libcCall libcAccept{"accept", reinterpret_cast<void*>(rawAccept), {}};
libcCall libcAccept4{"accept4", reinterpret_cast<void*>(rawAccept4), {}};
libcCall libcConnect{"connect", reinterpret_cast<void*>(rawConnect), {}};
libcCall libcPoll{"poll", reinterpret_cast<void*>(rawPoll), {}};
libcCall libcPpoll{"ppoll", reinterpret_cast<void*>(rawPpoll), {}};
libcCall libcSelect{"select", reinterpret_cast<void*>(rawSelect), {}};
libcCall libcPselect{"pselect", reinterpret_cast<void*>(rawPselect), {}};
libcCall libcEpollWait{"epoll_wait", reinterpret_cast<void*>(rawEpollWait), {}};
libcCall libcEpollPwait{"epoll_pwait", reinterpret_cast<void*>(rawEpollPwait), {}};
libcCall libcNanosleep{"nanosleep", reinterpret_cast<void*>(rawNanosleep), {}};
libcCall libcClockNanosleep{"clock_nanosleep", reinterpret_cast<void*>(rawClockNanosleep), {}};
libcCall libcUsleep{"usleep", reinterpret_cast<void*>(rawUsleep), {}};
libcCall libcSleep{"sleep", reinterpret_cast<void*>(rawSleep), {}};
libcCall libcWait{"wait", reinterpret_cast<void*>(rawWait), {}};
libcCall libcWaitpid{"waitpid", reinterpret_cast<void*>(rawWaitpid), {}};
libcCall libcWaitid{"waitid", reinterpret_cast<void*>(rawWaitid), {}};
libcCall libcWait4{"wait4", reinterpret_cast<void*>(rawWait4), {}};
libcCall libcPause{"pause", reinterpret_cast<void*>(rawPause), {}};

libcCall* const libcCalls[] = {
    &libcRead,      &libcWrite,     &libcReadv,      &libcWritev,         &libcPread,   &libcPwrite,
    &libcRecv,      &libcRecvfrom,  &libcRecvmsg,    &libcSend,           &libcSendto,  &libcSendmsg,
    &libcAccept,    &libcAccept4,   &libcConnect,    &libcPoll,           &libcPpoll,   &libcSelect,
    &libcPselect,   &libcEpollWait, &libcEpollPwait, &libcNanosleep,      &libcClockNanosleep,
    &libcUsleep,    &libcSleep,     &libcWait,       &libcWaitpid,        &libcWaitid,  &libcWait4,
    &libcPause,
};

// gort-only: finds every libc function before main (and before the
// constructors of default priority), outside any signal handler.
__attribute__((constructor(101))) void resolveAll() {
  for (libcCall* c : libcCalls)
    if (c->fn.load(std::memory_order_acquire) == nullptr) resolve(*c);
}

}  // namespace

// gort-only: sets errno on the thread this goroutine runs on now. Not
// inlined, and opaque to interprocedural analysis, so errno's (const)
// address is computed after exitsyscall, not reused from before it.
__attribute__((noipa)) void setErrno(int e) { errno = e; }

// gort-only: see syscall_linux.h. resolveAll has run before main; this
// finds what it could not.
void syscallinit() { resolveAll(); }

// gort-only: see syscall_linux.h; the conditions are the file comment's.
bool blockingCallWrapped(uintptr_t callerpc, uintptr_t sp) {
  g* gp = getg();
  if (gp == nullptr) return false;  // not an M, or before rt0_go
  m* mp = gp->m;
  if (mp == nullptr || gp != mp->curg.load(std::memory_order_relaxed)) return false;  // g0, gsignal
  // On any other stack (a signal handler on an alternate stack) the
  // goroutine's frames are not where entersyscall would record them.
  if (sp < gp->stack.lo || sp >= gp->stack.hi) return false;
  if (mp->throwing != 0 || mp->dying != 0 || gp->nopreempt != 0 || !canPreemptM(mp)) return false;
  if (readgstatus(gp) != _Grunning) return false;  // in a SyscallGuard already
  return !inRuntimeText(callerpc);
}

// gort-only: see syscall_linux.h.
bool blockingCallsUseLibc() { return libcFn<void*>(libcRead) != reinterpret_cast<void*>(rawRead); }

}  // namespace gort::runtime

namespace rt = gort::runtime;

// --- the wrappers: libc's signatures ---------------------------------------
// Each takes its caller's pc here, in the function the program called.
#define GORT_CALLERPC() reinterpret_cast<uintptr_t>(__builtin_return_address(0))

extern "C" {

// gort-only: read(2) from a goroutine runs in the syscall state.
ssize_t read(int fd, void* buf, size_t n) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&read)>(rt::libcRead), fd, buf, n);
}

// gort-only: write(2) from a goroutine runs in the syscall state.
ssize_t write(int fd, const void* buf, size_t n) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&write)>(rt::libcWrite), fd, buf,
                                            n);
}

// gort-only: readv(2) from a goroutine runs in the syscall state.
ssize_t readv(int fd, const struct iovec* iov, int n) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&readv)>(rt::libcReadv), fd, iov,
                                            n);
}

// gort-only: writev(2) from a goroutine runs in the syscall state.
ssize_t writev(int fd, const struct iovec* iov, int n) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&writev)>(rt::libcWritev), fd, iov,
                                            n);
}

// gort-only: pread(2) from a goroutine runs in the syscall state.
ssize_t pread(int fd, void* buf, size_t n, off_t off) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&pread)>(rt::libcPread), fd, buf, n,
                                            off);
}

// gort-only: pwrite(2) from a goroutine runs in the syscall state.
ssize_t pwrite(int fd, const void* buf, size_t n, off_t off) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&pwrite)>(rt::libcPwrite), fd, buf,
                                            n, off);
}

// gort-only: recv(2) from a goroutine runs in the syscall state.
ssize_t recv(int fd, void* buf, size_t n, int flags) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&recv)>(rt::libcRecv), fd, buf, n,
                                            flags);
}

// gort-only: recvfrom(2) from a goroutine runs in the syscall state.
ssize_t recvfrom(int fd, void* buf, size_t n, int flags, struct sockaddr* addr, socklen_t* len) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&recvfrom)>(rt::libcRecvfrom), fd,
                                            buf, n, flags, addr, len);
}

// gort-only: recvmsg(2) from a goroutine runs in the syscall state.
ssize_t recvmsg(int fd, struct msghdr* msg, int flags) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&recvmsg)>(rt::libcRecvmsg), fd,
                                            msg, flags);
}

// gort-only: send(2) from a goroutine runs in the syscall state.
ssize_t send(int fd, const void* buf, size_t n, int flags) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&send)>(rt::libcSend), fd, buf, n,
                                            flags);
}

// gort-only: sendto(2) from a goroutine runs in the syscall state.
ssize_t sendto(int fd, const void* buf, size_t n, int flags, const struct sockaddr* addr, socklen_t len) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&sendto)>(rt::libcSendto), fd, buf,
                                            n, flags, addr, len);
}

// gort-only: sendmsg(2) from a goroutine runs in the syscall state.
ssize_t sendmsg(int fd, const struct msghdr* msg, int flags) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&sendmsg)>(rt::libcSendmsg), fd,
                                            msg, flags);
}

// gort-only: accept(2) from a goroutine runs in the syscall state.
int accept(int fd, struct sockaddr* addr, socklen_t* len) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&accept)>(rt::libcAccept), fd, addr,
                                            len);
}

// gort-only: accept4(2) from a goroutine runs in the syscall state.
int accept4(int fd, struct sockaddr* addr, socklen_t* len, int flags) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&accept4)>(rt::libcAccept4), fd,
                                            addr, len, flags);
}

// gort-only: connect(2) from a goroutine runs in the syscall state.
int connect(int fd, const struct sockaddr* addr, socklen_t len) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&connect)>(rt::libcConnect), fd,
                                            addr, len);
}

// gort-only: poll(2) from a goroutine runs in the syscall state.
int poll(struct pollfd* fds, nfds_t n, int timeout) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&poll)>(rt::libcPoll), fds, n,
                                            timeout);
}

// gort-only: ppoll(2) from a goroutine runs in the syscall state.
int ppoll(struct pollfd* fds, nfds_t n, const struct timespec* ts, const sigset_t* mask) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&ppoll)>(rt::libcPpoll), fds, n, ts,
                                            mask);
}

// gort-only: select(2) from a goroutine runs in the syscall state.
int select(int n, fd_set* r, fd_set* w, fd_set* e, struct timeval* tv) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&select)>(rt::libcSelect), n, r, w,
                                            e, tv);
}

// gort-only: pselect(2) from a goroutine runs in the syscall state.
int pselect(int n, fd_set* r, fd_set* w, fd_set* e, const struct timespec* ts, const sigset_t* mask) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&pselect)>(rt::libcPselect), n, r,
                                            w, e, ts, mask);
}

// gort-only: epoll_wait(2) from a goroutine runs in the syscall state.
int epoll_wait(int fd, struct epoll_event* ev, int n, int timeout) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&epoll_wait)>(rt::libcEpollWait),
                                            fd, ev, n, timeout);
}

// gort-only: epoll_pwait(2) from a goroutine runs in the syscall state.
int epoll_pwait(int fd, struct epoll_event* ev, int n, int timeout, const sigset_t* mask) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&epoll_pwait)>(rt::libcEpollPwait),
                                            fd, ev, n, timeout, mask);
}

// gort-only: nanosleep(2) from a goroutine hands its P off at once.
int nanosleep(const struct timespec* req, struct timespec* rem) {
  return rt::blockingCall<rt::entersyscallblock>(GORT_CALLERPC(), rt::libcFn<decltype(&nanosleep)>(rt::libcNanosleep),
                                                 req, rem);
}

// gort-only: clock_nanosleep(2) from a goroutine hands its P off at once.
int clock_nanosleep(clockid_t clock, int flags, const struct timespec* req, struct timespec* rem) {
  return rt::blockingCall<rt::entersyscallblock>(
      GORT_CALLERPC(), rt::libcFn<decltype(&clock_nanosleep)>(rt::libcClockNanosleep), clock, flags, req, rem);
}

// gort-only: usleep(3) from a goroutine hands its P off at once.
int usleep(useconds_t usec) {
  return rt::blockingCall<rt::entersyscallblock>(GORT_CALLERPC(), rt::libcFn<decltype(&usleep)>(rt::libcUsleep),
                                                 usec);
}

// gort-only: sleep(3) from a goroutine hands its P off at once.
unsigned int sleep(unsigned int secs) {
  return rt::blockingCall<rt::entersyscallblock>(GORT_CALLERPC(), rt::libcFn<decltype(&sleep)>(rt::libcSleep), secs);
}

// gort-only: wait(2) from a goroutine runs in the syscall state.
pid_t wait(int* status) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&wait)>(rt::libcWait), status);
}

// gort-only: waitpid(2) from a goroutine runs in the syscall state.
pid_t waitpid(pid_t pid, int* status, int options) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&waitpid)>(rt::libcWaitpid), pid,
                                            status, options);
}

// gort-only: waitid(2) from a goroutine runs in the syscall state.
int waitid(idtype_t type, id_t id, siginfo_t* info, int options) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&waitid)>(rt::libcWaitid), type, id,
                                            info, options);
}

// gort-only: wait4(2) from a goroutine runs in the syscall state.
pid_t wait4(pid_t pid, int* status, int options, struct rusage* ru) {
  return rt::blockingCall<rt::entersyscall>(GORT_CALLERPC(), rt::libcFn<decltype(&wait4)>(rt::libcWait4), pid,
                                            status, options, ru);
}

// gort-only: pause(2) from a goroutine hands its P off at once.
int pause() {
  return rt::blockingCall<rt::entersyscallblock>(GORT_CALLERPC(), rt::libcFn<decltype(&pause)>(rt::libcPause));
}

}  // extern "C"
