// netpoll_epoll.cpp — the network poller's Linux half: epoll.
//
// Port of Go 1.19 src/runtime/netpoll_epoll.go. Descriptors are registered
// once, edge-triggered, for reading and writing (netpollopen); netpoll
// waits in epoll_wait and turns ready descriptors into runnable goroutines
// (netpollready). netpollBreak wakes a blocked epoll_wait through a
// non-blocking pipe, as Go 1.19 does (newer Go uses an eventfd).
#include <cerrno>
#include <cstdio>

#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "runtime/netpoll.h"
#include "runtime/proc.h"

namespace gort::runtime {

static int32_t epfd = -1;  // epoll descriptor

static uintptr_t netpollBreakRd, netpollBreakWr;  // for netpollBreak

// used to avoid duplicate calls of netpollBreak
static std::atomic<uint32_t> netpollWakeSig{0};

// netpoll_epoll.go: netpollinit
void netpollinit() {
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) {
    fprintf(stderr, "runtime: epollcreate failed with %d\n", errno);
    throw_("runtime: netpollinit failed");
  }
  // nbpipe_pipe2.go: nonblockingPipe (pipe2 with O_NONBLOCK|O_CLOEXEC).
  int fds[2];
  if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
    fprintf(stderr, "runtime: pipe failed with %d\n", errno);
    throw_("runtime: pipe failed");
  }
  struct epoll_event ev = {};
  ev.events = EPOLLIN;
  ev.data.ptr = &netpollBreakRd;
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, fds[0], &ev) != 0) {
    fprintf(stderr, "runtime: epollctl failed with %d\n", errno);
    throw_("runtime: epollctl failed");
  }
  netpollBreakRd = uintptr_t(fds[0]);
  netpollBreakWr = uintptr_t(fds[1]);
}

// netpoll_epoll.go: netpollIsPollDescriptor
bool netpollIsPollDescriptor(uintptr_t fd) {
  return fd == uintptr_t(epfd) || fd == netpollBreakRd || fd == netpollBreakWr;
}

// netpoll_epoll.go: netpollopen
int32_t netpollopen(uintptr_t fd, pollDesc* pd) {
  struct epoll_event ev = {};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.ptr = pd;
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, int(fd), &ev) != 0) return errno;
  return 0;
}

// netpoll_epoll.go: netpollclose
int32_t netpollclose(uintptr_t fd) {
  struct epoll_event ev = {};
  if (epoll_ctl(epfd, EPOLL_CTL_DEL, int(fd), &ev) != 0) return errno;
  return 0;
}

// netpoll_epoll.go: netpollBreak
// netpollBreak interrupts an epollwait.
void netpollBreak() {
  uint32_t zero = 0;
  if (netpollWakeSig.compare_exchange_strong(zero, 1)) {
    for (;;) {
      char b = 0;
      ssize_t n = write(int(netpollBreakWr), &b, 1);
      if (n == 1) break;
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      fprintf(stderr, "runtime: netpollBreak write failed with %d\n", errno);
      throw_("runtime: netpollBreak write failed");
    }
  }
}

// netpoll_epoll.go: netpoll
gList netpoll(int64_t delay) {
  // netpoll checks for ready network connections. Returns list of goroutines
  // that become runnable.
  // delay < 0: blocks indefinitely
  // delay == 0: does not block, just polls
  // delay > 0: block for up to that many nanoseconds
  if (epfd == -1) return gList{};
  int waitms;
  if (delay < 0) {
    waitms = -1;
  } else if (delay == 0) {
    waitms = 0;
  } else if (delay < 1000000) {
    waitms = 1;
  } else if (delay < 1000000000000000LL) {
    waitms = int(delay / 1000000);
  } else {
    // An arbitrary cap on how long to wait for a timer. 1e9 ms == ~11.5
    // days.
    waitms = 1000000000;
  }
  struct epoll_event events[128];
  int n;
retry:
  n = epoll_wait(epfd, events, 128, waitms);
  if (n < 0) {
    if (errno != EINTR) {
      fprintf(stderr, "runtime: epollwait on fd %d failed with %d\n", epfd, errno);
      throw_("runtime: netpoll failed");
    }
    // If a timed sleep was interrupted, just return to recalculate how
    // long we should sleep now.
    if (waitms > 0) return gList{};
    goto retry;
  }
  gList toRun;
  for (int i = 0; i < n; i++) {
    struct epoll_event* ev = &events[i];
    if (ev->events == 0) continue;

    if (ev->data.ptr == &netpollBreakRd) {
      if (ev->events != EPOLLIN) {
        fprintf(stderr, "runtime: netpoll: break fd ready for %u\n", ev->events);
        throw_("runtime: netpoll: break fd ready for something unexpected");
      }
      if (delay != 0) {
        // netpollBreak could be picked up by a nonblocking poll. Only read
        // the byte if blocking.
        char tmp[16];
        ssize_t r = read(int(netpollBreakRd), tmp, sizeof tmp);
        (void)r;
        netpollWakeSig.store(0);
      }
      continue;
    }

    int32_t mode = 0;
    if (ev->events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) mode += 'r';
    if (ev->events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) mode += 'w';
    if (mode != 0) {
      auto* pd = static_cast<pollDesc*>(ev->data.ptr);
      pd->setEventErr(ev->events == EPOLLERR);
      netpollready(&toRun, pd, mode);
    }
  }
  return toRun;
}

}  // namespace gort::runtime
