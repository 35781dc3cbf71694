// syscall_test.cpp — the blocking libc calls libgort interposes
// (runtime/syscall_linux.cpp): a goroutine blocked in one gives up its P
// (testprog scenarios, tests/testprog/syscall_scenarios.cpp, at
// GOMAXPROCS=1), and where the wrappers must just call libc.
//
// In-process, "entered the syscall state" is seen on the P: a call that
// went through entersyscall/exitsyscall advanced its p.syscalltick (or
// left this goroutine on another P); one that went straight to libc
// changed neither.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "export_test.h"
#include "runtime/syscall_linux.h"
#include "testprog_run.h"

namespace {
namespace rt = gort::runtime;

// The P this goroutine runs on and its syscall tick.
struct pTick {
  rt::p* pp;
  uint32_t tick;
};
pTick currentTick() {
  rt::p* pp = rt::getg()->m->p;
  return {pp, pp->syscalltick.load(std::memory_order_relaxed)};
}
bool enteredSyscall(pTick before) {
  return rt::getg()->m->p != before.pp || before.pp->syscalltick.load(std::memory_order_relaxed) != before.tick;
}

// A pipe with one byte in it, closed at the end of the test.
struct fullPipe {
  int fds[2];
  fullPipe() {
    REQUIRE(pipe(fds) == 0);
    REQUIRE(write(fds[1], "x", 1) == 1);
  }
  ~fullPipe() {
    close(fds[0]);
    close(fds[1]);
  }
};

void requireRun(const char* scenario, const std::string& want) {
  auto r = testprog::run(scenario, {"GOMAXPROCS=1"}, 60);
  INFO(scenario << ": " << r.output);
  REQUIRE(r.output == want);
  REQUIRE(r.exitStatus == 0);
}

std::atomic<int> handlerWrapped{-1};
int handlerFd = -1;
void usr1Handler(int) {
  pTick t = currentTick();
  char c;
  ssize_t n = read(handlerFd, &c, 1);
  handlerWrapped.store(n == 1 ? int(enteredSyscall(t)) : -2);
}
}  // namespace

TEST_CASE("A goroutine blocked in an unguarded libc call does not hold its P (GOMAXPROCS=1)", "[syscall][proc]") {
  SECTION("read") { requireRun("UnguardedRead", "read 1 byte: x\nreleased\n"); }
  SECTION("poll") { requireRun("UnguardedPoll", "poll 1: POLLIN\nreleased\n"); }
  SECTION("accept") { requireRun("UnguardedAccept", "accept: a connection\nreleased\n"); }
  SECTION("waitpid") { requireRun("UnguardedWaitpid", "waitpid: the child, exit status 7\nreleased\n"); }
  SECTION("nanosleep and usleep") {
    requireRun("UnguardedSleeps", "nanosleep: slept\nreleased\nusleep: slept\nreleased\n");
  }
  SECTION("a locked goroutine comes back on its thread") {
    requireRun("UnguardedReadLocked", "locked: read 1 byte on the same thread\nreleased\n");
  }
}

TEST_CASE("A wrapped call that blocked keeps errno and its thread, though its P moved on", "[syscall]") {
  requireRun("UnguardedCallErrno", "accept -1, errno EINVAL, same thread\nreleased\n");
}

TEST_CASE("A call in a SyscallGuard that blocked keeps errno and its thread, though its P moved on", "[syscall]") {
  requireRun("GuardedCallErrno", "accept -1, errno EINVAL, same thread\nreleased\n");
}

TEST_CASE("A goroutine's libc read enters the syscall state and keeps errno", "[syscall]") {
  fullPipe p;
  pTick t = currentTick();
  char c = 0;
  REQUIRE(read(p.fds[0], &c, 1) == 1);
  REQUIRE(c == 'x');
  REQUIRE(enteredSyscall(t));
  errno = 0;
  REQUIRE(read(-1, &c, 1) == -1);
  REQUIRE(errno == EBADF);
}

TEST_CASE("Where the wrappers must not enter the syscall state, they just call libc", "[syscall]") {
  fullPipe p;
  char c = 0;
  SECTION("on g0 (systemstack)") {
    pTick t = currentTick();
    ssize_t n = 0;
    rt::systemstack([&] { n = read(p.fds[0], &c, 1); });
    REQUIRE(n == 1);
    REQUIRE_FALSE(enteredSyscall(t));
  }
  SECTION("inside a SyscallGuard") {
    pTick t = currentTick();
    ssize_t n = 0;
    {
      rt::SyscallGuard sys;
      n = read(p.fds[0], &c, 1);
    }
    REQUIRE(n == 1);
    // The guard itself went through exitsyscall once: one tick, not two.
    REQUIRE((rt::getg()->m->p != t.pp || t.pp->syscalltick.load() == t.tick + 1));
  }
  SECTION("inside a NoPreempt region") {
    rt::NoPreempt np;
    pTick t = currentTick();
    REQUIRE(read(p.fds[0], &c, 1) == 1);
    REQUIRE_FALSE(enteredSyscall(t));
  }
  SECTION("with the world stopped (a preemptoff reason)") {
    rt::stopTheWorld("syscall_test");
    pTick t = currentTick();
    ssize_t n = read(p.fds[0], &c, 1);
    bool entered = enteredSyscall(t);
    rt::startTheWorld();
    REQUIRE(n == 1);
    REQUIRE_FALSE(entered);
  }
  SECTION("in a signal handler the program installed with sigaction") {
    // The interposed sigaction adds SA_ONSTACK: the handler runs on the
    // signal stack, not on this goroutine's, and its read is libc's.
    struct sigaction sa {}, old {};
    sa.sa_handler = usr1Handler;
    sigemptyset(&sa.sa_mask);
    REQUIRE(sigaction(SIGUSR1, &sa, &old) == 0);
    handlerFd = p.fds[0];
    handlerWrapped.store(-1);
    raise(SIGUSR1);  // the handler runs before raise returns, on this thread
    REQUIRE(sigaction(SIGUSR1, &old, nullptr) == 0);
    REQUIRE(handlerWrapped.load() == 0);
  }
  SECTION("on a thread gort did not start") {
    ssize_t n = 0;
    int e = 0;
    std::thread th([&] {
      n = read(p.fds[0], &c, 1);
      errno = 0;
      if (read(-1, &c, 1) == -1) e = errno;
    });
    th.join();
    REQUIRE(n == 1);
    REQUIRE(e == EBADF);
  }
}

TEST_CASE("The wrappers reach libc's own functions in a dynamically linked program", "[syscall]") {
  REQUIRE(rt::blockingCallsUseLibc());
}
