// netpoll.h — the integrated network poller.
// Port of Go 1.19 src/runtime/netpoll.go (declarations; see netpoll.cpp)
// and of the epoll half, netpoll_epoll.go (see netpoll_epoll.cpp).
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/runtime2.h"
#include "runtime/time.h"

namespace gort::runtime {

// netpoll.go: pollNoError, pollErrClosing, pollErrTimeout, pollErrNotPollable.
// The error codes returned by poll_runtime_pollReset and poll_runtime_pollWait
// (internal/poll/fd_poll_runtime.go matches them).
enum : int {
  pollNoError = 0,         // no error
  pollErrClosing = 1,      // descriptor is closed
  pollErrTimeout = 2,      // I/O timeout
  pollErrNotPollable = 3,  // general error polling descriptor
};

// netpoll.go: pdReady, pdWait. pollDesc contains 2 binary semaphores, rg
// and wg, to park reader and writer goroutines respectively. The semaphore
// can be in the following states:
//
//   pdReady - io readiness notification is pending; a goroutine consumes
//             the notification by changing the state to nil.
//   pdWait - a goroutine prepares to park on the semaphore, but not yet
//            parked; the goroutine commits to park by changing the state
//            to G pointer, or, alternatively, concurrent io notification
//            changes the state to pdReady, or, alternatively, concurrent
//            timeout/close changes the state to nil.
//   G pointer - the goroutine is blocked on the semaphore; io notification
//               or timeout/close changes the state to pdReady or nil
//               respectively and unparks the goroutine.
//   nil - none of the above.
constexpr uintptr_t pdReady = 1;
constexpr uintptr_t pdWait = 2;

// netpoll.go: pollBlockSize. pollDescs are allocated this many bytes at a
// time and never freed.
constexpr size_t pollBlockSize = 4 * 1024;

// netpoll.go: pollInfo. Its bits, the summary netpollcheckerr reads without
// the lock.
enum : uint32_t {
  pollClosing = 1 << 0,
  pollEventErr = 1 << 1,
  pollExpiredReadDeadline = 1 << 2,
  pollExpiredWriteDeadline = 1 << 3,
};

// netpoll.go: pollDesc. Network poller descriptor. Type-stable: never
// freed, only reused through pollcache, because epoll may still report an
// event for a descriptor after it was closed (fdseq/rseq/wseq catch the
// stale ones).
struct pollDesc {
  pollDesc* link;  // in pollcache, protected by pollcache.lock
  uintptr_t fd;    // constant for pollDesc usage lifetime

  // atomicInfo holds bits from closing, rd, and wd, which are only ever
  // written while holding the lock, summarized for use by
  // netpollcheckerr, which cannot acquire the lock. After writing these
  // fields under lock in a way that might change the summary, code must
  // call publishInfo before releasing the lock. Code that changes fields
  // and then calls netpollunblock (while still holding the lock) must
  // call publishInfo before calling netpollunblock, because publishInfo is
  // what stops netpollblock from blocking anew (by changing the result of
  // netpollcheckerr). atomicInfo also holds the eventErr bit, recording
  // whether a poll event on the fd got an error; atomicInfo is the only
  // source of truth for that bit.
  std::atomic<uint32_t> atomicInfo;

  // rg, wg are accessed atomically and hold g pointers.
  std::atomic<uintptr_t> rg;  // pdReady, pdWait, G waiting for read or nil
  std::atomic<uintptr_t> wg;  // pdReady, pdWait, G waiting for write or nil

  mutex lock;  // protects the following fields
  bool closing;
  uint32_t user;   // user settable cookie
  uintptr_t rseq;  // protects from stale read timers
  timer rt;        // read deadline timer (set if rt.f != nil)
  int64_t rd;      // read deadline (a nanotime in the future, -1 when expired)
  uintptr_t wseq;  // protects from stale write timers
  timer wt;        // write deadline timer
  int64_t wd;      // write deadline (a nanotime in the future, -1 when expired)
  pollDesc* self;  // storage for indirect interface (Go: makeArg)

  // netpoll.go: (*pollDesc).info
  uint32_t info() const { return atomicInfo.load(); }
  // netpoll.go: (*pollDesc).publishInfo
  void publishInfo();
  // netpoll.go: (*pollDesc).setEventErr
  void setEventErr(bool b);
};

// netpoll.go: pollCache.
struct pollCache {
  mutex lock;
  pollDesc* first;
  // PollDesc objects must be type-stable, because we can get ready
  // notification from epoll/kqueue after the descriptor is closed/reused.
  // Stale notifications are detected using seq variable, seq is
  // incremented when deadlines are changed or descriptor is reused.

  // netpoll.go: (*pollCache).alloc, (*pollCache).free
  pollDesc* alloc();
  void free(pollDesc* pd);
};

extern mutex netpollInitLock;
extern std::atomic<uint32_t> netpollInited;
extern pollCache pollcache;
extern std::atomic<uint32_t> netpollWaiters;

// netpoll.go
void poll_runtime_pollServerInit();
void netpollGenericInit();
bool netpollinited();
bool poll_runtime_isPollServerDescriptor(uintptr_t fd);
// Returns the pollDesc and 0, or nullptr and an errno value.
pollDesc* poll_runtime_pollOpen(uintptr_t fd, int* errnop);
void poll_runtime_pollClose(pollDesc* pd);
int poll_runtime_pollReset(pollDesc* pd, int mode);
int poll_runtime_pollWait(pollDesc* pd, int mode);
// d: a relative deadline in ns (> 0), 0 for none, < 0 for already expired.
void poll_runtime_pollSetDeadline(pollDesc* pd, int64_t d, int mode);
void poll_runtime_pollUnblock(pollDesc* pd);
void netpollready(gList* toRun, pollDesc* pd, int32_t mode);
int netpollcheckerr(pollDesc* pd, int32_t mode);
bool netpollblockcommit(g* gp, void* gpp);
void netpollgoready(g* gp, int traceskip);
bool netpollblock(pollDesc* pd, int32_t mode, bool waitio);
g* netpollunblock(pollDesc* pd, int32_t mode, bool ioready);
void netpolldeadlineimpl(pollDesc* pd, uintptr_t seq, bool read, bool write);
void netpollDeadline(void* arg, uintptr_t seq);
void netpollReadDeadline(void* arg, uintptr_t seq);
void netpollWriteDeadline(void* arg, uintptr_t seq);

// gort-only: netpoll_epoll.go's functions (the platform half).
// netpollinit. Initialize the poller. Only called once.
void netpollinit();
// netpollIsPollDescriptor. Reports whether fd is used by the poller.
bool netpollIsPollDescriptor(uintptr_t fd);
// netpollopen. Arm edge-triggered notifications for fd. The pd argument is
// to pass back to netpollready when fd is ready. Return an errno value.
int32_t netpollopen(uintptr_t fd, pollDesc* pd);
// netpollclose. Disable notifications for fd. Return an errno value.
int32_t netpollclose(uintptr_t fd);
// netpollBreak. Wake up the network poller, assumed to be blocked in
// netpoll.
void netpollBreak();
// netpoll. Poll the network. If delay < 0, block indefinitely. If delay
// == 0, poll without blocking. If delay > 0, block for up to delay
// nanoseconds. Return a list of goroutines built by calling netpollready.
gList netpoll(int64_t delay);

}  // namespace gort::runtime
