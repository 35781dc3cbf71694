// syscall_scenarios.cpp — testprog scenarios for the blocking libc calls
// libgort interposes (runtime/syscall_linux.cpp); syscall_test.cpp runs
// them at GOMAXPROCS=1.
//
// Each scenario has one goroutine block in a plain libc call (no
// SyscallGuard) and another goroutine, which can run only if the blocked
// one gave up the only P, wait until the blocked one is in the syscall
// state and then release it. Without the wrappers the blocked goroutine
// keeps the P and the program never ends (the test's timeout reports it).
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <functional>

#include "runtime/go.h"
#include "runtime/os_linux.h"
#include "runtime/proc.h"
#include "runtime/stubs.h"
#include "testprog/testprog.h"

namespace {
namespace rt = gort::runtime;

// Runs block() in one goroutine and, in another, release() once the first
// is in the syscall state; block prints its line, then this "released".
// The goroutine blockedCallLetsOthersRun blocks.
std::atomic<rt::g*> blocked;

int blockedCallLetsOthersRun(std::function<void()> block, std::function<void()> release) {
  blocked.store(nullptr);
  gort::chan<int> done(2);
  gort::go([done, block] {
    blocked.store(rt::getg());
    block();
    done.send(1);
  });
  gort::go([done, release] {
    // Until the blocked goroutine has given up the P, this one runs only
    // between its turns (Gosched lets it have one).
    while (blocked.load() == nullptr || rt::readgstatus(blocked.load()) != rt::_Gsyscall) rt::Gosched();
    release();
    done.send(2);
  });
  done.recv();
  done.recv();
  printf("released\n");
  return 0;
}

int makePipe(int fds[2]) {
  if (pipe(fds) != 0) abort();
  return fds[0];
}

// A listening loopback socket; its port in *port.
int listenLoopback(uint16_t* port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  if (s < 0 || bind(s, reinterpret_cast<sockaddr*>(&sa), len) != 0 || listen(s, 4) != 0 ||
      getsockname(s, reinterpret_cast<sockaddr*>(&sa), &len) != 0)
    abort();
  *port = ntohs(sa.sin_port);
  return s;
}

}  // namespace

// read(2) on an empty pipe.
TESTPROG_SCENARIO(UnguardedRead) {
  static int fds[2];
  makePipe(fds);
  return blockedCallLetsOthersRun(
      [] {
        char c = 0;
        ssize_t n = read(fds[0], &c, 1);
        printf("read %zd byte: %c\n", n, c);
      },
      [] {
        if (write(fds[1], "x", 1) != 1) abort();
      });
}

// poll(2) with no timeout on an empty pipe.
TESTPROG_SCENARIO(UnguardedPoll) {
  static int fds[2];
  makePipe(fds);
  return blockedCallLetsOthersRun(
      [] {
        pollfd pfd{fds[0], POLLIN, 0};
        int n = poll(&pfd, 1, -1);
        printf("poll %d: %s\n", n, (pfd.revents & POLLIN) != 0 ? "POLLIN" : "?");
      },
      [] {
        if (write(fds[1], "x", 1) != 1) abort();
      });
}

// accept(2) on a listening socket nobody has connected to yet; the other
// goroutine connects.
TESTPROG_SCENARIO(UnguardedAccept) {
  static uint16_t port;
  static int ls = listenLoopback(&port);
  return blockedCallLetsOthersRun(
      [] {
        int c = accept(ls, nullptr, nullptr);
        printf("accept: %s\n", c >= 0 ? "a connection" : "failed");
      },
      [] {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sa.sin_port = htons(port);
        if (s < 0 || connect(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) abort();
      });
}

// waitpid(2) for a child that exits once the other goroutine writes to
// its pipe. (The child reads with syscall(2): it is a copy of this process
// with one thread, and should touch no goroutine state.)
TESTPROG_SCENARIO(UnguardedWaitpid) {
  static int fds[2];
  makePipe(fds);
  static pid_t child = fork();
  if (child < 0) abort();
  if (child == 0) {
    char c;
    syscall(SYS_close, fds[1]);  // so that it ends if this process dies
    syscall(SYS_read, fds[0], &c, 1);
    _exit(7);
  }
  return blockedCallLetsOthersRun(
      [] {
        int status = 0;
        pid_t p = waitpid(child, &status, 0);
        printf("waitpid: %s, exit status %d\n", p == child ? "the child" : "failed", WEXITSTATUS(status));
      },
      [] {
        if (write(fds[1], "x", 1) != 1) abort();
      });
}

// nanosleep(2) and usleep(3): the sleeper sleeps 1 ms at a time until the
// other goroutine has seen it in the syscall state.
TESTPROG_SCENARIO(UnguardedSleeps) {
  static std::atomic<bool> seen{false};
  blockedCallLetsOthersRun(
      [] {
        timespec ts{0, 1000 * 1000};
        int n = 0;
        while (!seen.load()) n += nanosleep(&ts, nullptr) == 0;
        printf("nanosleep: %s\n", n > 0 ? "slept" : "failed");
      },
      [] { seen.store(true); });
  seen.store(false);
  return blockedCallLetsOthersRun(
      [] {
        int n = 0;
        while (!seen.load()) n += usleep(1000) == 0;
        printf("usleep: %s\n", n > 0 ? "slept" : "failed");
      },
      [] { seen.store(true); });
}

// A goroutine whose accept(2) blocks, then fails (EINVAL: the other
// goroutine shuts the listening socket down), finds errno set and itself
// on the thread it called from, though the P went to another M meanwhile.
// errno is read as g++ compiles it: its address taken before the call.
// guarded: the call is made inside a SyscallGuard, where it goes straight
// to libc and the guard must do what the wrapper does.
static int acceptErrno(bool guarded) {
  static uint16_t port;
  static int ls = listenLoopback(&port);
  static bool inGuard = guarded;
  return blockedCallLetsOthersRun(
      [] {
        int64_t tid = rt::gettid();
        errno = 0;
        int c;
        if (inGuard) {
          rt::SyscallGuard sys;
          c = accept(ls, nullptr, nullptr);
        } else {
          c = accept(ls, nullptr, nullptr);
        }
        int e = errno;
        printf("accept %d, errno %s, %s thread\n", c, e == EINVAL ? "EINVAL" : "wrong",
               rt::gettid() == tid ? "same" : "another");
      },
      [] {
        if (shutdown(ls, SHUT_RDWR) != 0) abort();
        // Keep the P until accept has returned and found it taken (the
        // goroutine is then queued, or waits for its M): without the
        // thread lock this M would run it next.
        while (rt::readgstatus(blocked.load()) == rt::_Gsyscall) {
        }
      });
}

TESTPROG_SCENARIO(UnguardedCallErrno) { return acceptErrno(false); }

TESTPROG_SCENARIO(GuardedCallErrno) { return acceptErrno(true); }

// A goroutine locked to its thread (LockOSThread) blocked in read(2)
// gives up its P too, and comes back on its thread.
TESTPROG_SCENARIO(UnguardedReadLocked) {
  static int fds[2];
  makePipe(fds);
  return blockedCallLetsOthersRun(
      [] {
        rt::LockOSThread();
        int64_t tid = rt::gettid();
        char c = 0;
        ssize_t n = read(fds[0], &c, 1);
        printf("locked: read %zd byte on the %s thread\n", n, rt::gettid() == tid ? "same" : "another");
        rt::UnlockOSThread();
      },
      [] {
        if (write(fds[1], "x", 1) != 1) abort();
      });
}
