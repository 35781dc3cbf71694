// netpoll.cpp — the integrated network poller, platform-independent part.
//
// Port of Go 1.19 src/runtime/netpoll.go, in its order. A goroutine that
// would block on a socket parks here (netpollblock, "IO wait") instead of
// blocking its M; netpoll (netpoll_epoll.cpp) hands it back to the
// scheduler when epoll reports the descriptor ready. The scheduler polls
// in findRunnable (without blocking, and blocking in the last M to go
// idle, until the next timer), in sysmon when nobody polled for 10ms, and
// in startTheWorld.
//
// A particular implementation (epoll here) must define: netpollinit,
// netpollopen, netpollclose, netpoll, netpollBreak and
// netpollIsPollDescriptor (netpoll.h describes each).
//
// The poll_runtime_* functions are what Go's internal/poll calls through
// linkname; gort's net.cpp calls them the same way.
#include "runtime/netpoll.h"

#include "runtime/lock_futex.h"
#include "runtime/os_linux.h"
#include "runtime/proc.h"
#include "runtime/stubs.h"

namespace gort::runtime {

// netpoll.go: (*pollDesc).publishInfo
void pollDesc::publishInfo() {
  // publishInfo updates pd.atomicInfo (returned by pd.info) using the other
  // values in pd. It must be called while holding pd.lock, and it must be
  // called after changing anything that might affect the info bits. In
  // practice this means after changing closing or changing rd or wd from < 0
  // to >= 0.
  uint32_t info = 0;
  if (closing) info |= pollClosing;
  if (rd < 0) info |= pollExpiredReadDeadline;
  if (wd < 0) info |= pollExpiredWriteDeadline;

  // Set all of x except the pollEventErr bit.
  uint32_t x = atomicInfo.load();
  while (!atomicInfo.compare_exchange_weak(x, (x & pollEventErr) | info)) {
  }
}

// netpoll.go: (*pollDesc).setEventErr
// setEventErr sets the result of pd.info().eventErr() to b.
void pollDesc::setEventErr(bool b) {
  uint32_t x = atomicInfo.load();
  while (((x & pollEventErr) != 0) != b && !atomicInfo.compare_exchange_weak(x, x ^ pollEventErr)) {
  }
}

mutex netpollInitLock;
std::atomic<uint32_t> netpollInited{0};
pollCache pollcache;
// netpollWaiters: goroutines parked in netpollblock. The scheduler uses it
// to decide whether to poll (and checkdead, whether any goroutine may
// still wake up).
std::atomic<uint32_t> netpollWaiters{0};

// netpoll.go: poll_runtime_pollServerInit
void poll_runtime_pollServerInit() { netpollGenericInit(); }

// netpoll.go: netpollGenericInit
void netpollGenericInit() {
  if (netpollInited.load() == 0) {
    lock(&netpollInitLock);
    if (netpollInited.load() == 0) {
      netpollinit();
      netpollInited.store(1);
    }
    unlock(&netpollInitLock);
  }
}

// netpoll.go: netpollinited
bool netpollinited() { return netpollInited.load() != 0; }

// netpoll.go: poll_runtime_isPollServerDescriptor
// poll_runtime_isPollServerDescriptor reports whether fd is a descriptor
// being used by netpoll.
bool poll_runtime_isPollServerDescriptor(uintptr_t fd) { return netpollIsPollDescriptor(fd); }

// netpoll.go: poll_runtime_pollOpen
// gort: Go returns (pd, errno); errnop receives the errno.
pollDesc* poll_runtime_pollOpen(uintptr_t fd, int* errnop) {
  pollDesc* pd = pollcache.alloc();
  lock(&pd->lock);
  uintptr_t wg = pd->wg.load();
  if (wg != 0 && wg != pdReady) throw_("runtime: blocked write on free polldesc");
  uintptr_t rg = pd->rg.load();
  if (rg != 0 && rg != pdReady) throw_("runtime: blocked read on free polldesc");
  pd->fd = fd;
  pd->closing = false;
  pd->setEventErr(false);
  pd->rseq++;
  pd->rg.store(0);
  pd->rd = 0;
  pd->wseq++;
  pd->wg.store(0);
  pd->wd = 0;
  pd->self = pd;
  pd->publishInfo();
  unlock(&pd->lock);

  int32_t errno_ = netpollopen(fd, pd);
  if (errno_ != 0) {
    pollcache.free(pd);
    *errnop = int(errno_);
    return nullptr;
  }
  *errnop = 0;
  return pd;
}

// netpoll.go: poll_runtime_pollClose
void poll_runtime_pollClose(pollDesc* pd) {
  if (!pd->closing) throw_("runtime: close polldesc w/o unblock");
  uintptr_t wg = pd->wg.load();
  if (wg != 0 && wg != pdReady) throw_("runtime: blocked write on closing polldesc");
  uintptr_t rg = pd->rg.load();
  if (rg != 0 && rg != pdReady) throw_("runtime: blocked read on closing polldesc");
  netpollclose(pd->fd);
  pollcache.free(pd);
}

// netpoll.go: (*pollCache).free
void pollCache::free(pollDesc* pd) {
  runtime::lock(&this->lock);
  pd->link = first;
  first = pd;
  runtime::unlock(&this->lock);
}

// netpoll.go: poll_runtime_pollReset
// poll_runtime_pollReset prepares a descriptor for polling in mode, which
// is 'r' or 'w'. This returns an error code; the codes are defined above.
int poll_runtime_pollReset(pollDesc* pd, int mode) {
  int errcode = netpollcheckerr(pd, int32_t(mode));
  if (errcode != pollNoError) return errcode;
  if (mode == 'r')
    pd->rg.store(0);
  else if (mode == 'w')
    pd->wg.store(0);
  return pollNoError;
}

// netpoll.go: poll_runtime_pollWait
int poll_runtime_pollWait(pollDesc* pd, int mode) {
  // poll_runtime_pollWait waits for a descriptor to be ready for reading or
  // writing, according to mode, which is 'r' or 'w'. This returns an error
  // code; the codes are defined above. Must run on a goroutine.
  int errcode = netpollcheckerr(pd, int32_t(mode));
  if (errcode != pollNoError) return errcode;
  // (Go: only Solaris, illumos and AIX use level-triggered IO and arm
  // here; epoll is edge-triggered.)
  while (!netpollblock(pd, int32_t(mode), false)) {
    errcode = netpollcheckerr(pd, int32_t(mode));
    if (errcode != pollNoError) return errcode;
    // Can happen if timeout has fired and unblocked us, but before we had
    // a chance to run, timeout has been reset. Pretend it has not
    // happened and retry.
  }
  return pollNoError;
}

// netpoll.go: poll_runtime_pollSetDeadline
// gort: d is relative, as internal/poll passes it: > 0 a delay from now,
// 0 no deadline, < 0 already expired.
void poll_runtime_pollSetDeadline(pollDesc* pd, int64_t d, int mode) {
  lock(&pd->lock);
  if (pd->closing) {
    unlock(&pd->lock);
    return;
  }
  int64_t rd0 = pd->rd, wd0 = pd->wd;
  bool combo0 = rd0 > 0 && rd0 == wd0;
  if (d > 0) {
    d += nanotime();
    if (d <= 0) {
      // If the user has a deadline in the future, but the delay
      // calculation overflows, then set the deadline to the maximum
      // possible value.
      d = maxWhen;
    }
  }
  if (mode == 'r' || mode == 'r' + 'w') pd->rd = d;
  if (mode == 'w' || mode == 'r' + 'w') pd->wd = d;
  pd->publishInfo();
  bool combo = pd->rd > 0 && pd->rd == pd->wd;
  void (*rtf)(void*, uintptr_t) = netpollReadDeadline;
  if (combo) rtf = netpollDeadline;
  if (pd->rt.f == nullptr) {
    if (pd->rd > 0) {
      pd->rt.f = rtf;
      // Copy current seq into the timer arg. Timer func will check the seq
      // against current descriptor seq, if they differ the descriptor was
      // reused or timers were reset.
      pd->rt.arg = pd->self;
      pd->rt.seq = pd->rseq;
      resettimer(&pd->rt, pd->rd);
    }
  } else if (pd->rd != rd0 || combo != combo0) {
    pd->rseq++;  // invalidate current timers
    if (pd->rd > 0) {
      modtimer(&pd->rt, pd->rd, 0, rtf, pd->self, pd->rseq);
    } else {
      deltimer(&pd->rt);
      pd->rt.f = nullptr;
    }
  }
  if (pd->wt.f == nullptr) {
    if (pd->wd > 0 && !combo) {
      pd->wt.f = netpollWriteDeadline;
      pd->wt.arg = pd->self;
      pd->wt.seq = pd->wseq;
      resettimer(&pd->wt, pd->wd);
    }
  } else if (pd->wd != wd0 || combo != combo0) {
    pd->wseq++;  // invalidate current timers
    if (pd->wd > 0 && !combo) {
      modtimer(&pd->wt, pd->wd, 0, netpollWriteDeadline, pd->self, pd->wseq);
    } else {
      deltimer(&pd->wt);
      pd->wt.f = nullptr;
    }
  }
  // If we set the new deadline in the past, unblock currently pending IO
  // if any. Note that pd.publishInfo has already been called, above,
  // immediately after modifying rd and wd.
  g* rg = nullptr;
  g* wg = nullptr;
  if (pd->rd < 0) rg = netpollunblock(pd, 'r', false);
  if (pd->wd < 0) wg = netpollunblock(pd, 'w', false);
  unlock(&pd->lock);
  if (rg != nullptr) netpollgoready(rg, 3);
  if (wg != nullptr) netpollgoready(wg, 3);
}

// netpoll.go: poll_runtime_pollUnblock
void poll_runtime_pollUnblock(pollDesc* pd) {
  lock(&pd->lock);
  if (pd->closing) throw_("runtime: unblock on closing polldesc");
  pd->closing = true;
  pd->rseq++;
  pd->wseq++;
  pd->publishInfo();
  g* rg = netpollunblock(pd, 'r', false);
  g* wg = netpollunblock(pd, 'w', false);
  if (pd->rt.f != nullptr) {
    deltimer(&pd->rt);
    pd->rt.f = nullptr;
  }
  if (pd->wt.f != nullptr) {
    deltimer(&pd->wt);
    pd->wt.f = nullptr;
  }
  unlock(&pd->lock);
  if (rg != nullptr) netpollgoready(rg, 3);
  if (wg != nullptr) netpollgoready(wg, 3);
}

// netpoll.go: netpollready
void netpollready(gList* toRun, pollDesc* pd, int32_t mode) {
  // netpollready is called by the platform-specific netpoll function. It
  // declares that the fd associated with pd is ready for I/O. The toRun
  // argument is used to build a list of goroutines to return from netpoll.
  // The mode argument is 'r', 'w', or 'r'+'w' to indicate whether the fd is
  // ready for reading or writing or both.
  //
  // This may run while the world is stopped (Go: so write barriers are not
  // allowed).
  g* rg = nullptr;
  g* wg = nullptr;
  if (mode == 'r' || mode == 'r' + 'w') rg = netpollunblock(pd, 'r', true);
  if (mode == 'w' || mode == 'r' + 'w') wg = netpollunblock(pd, 'w', true);
  if (rg != nullptr) toRun->push(rg);
  if (wg != nullptr) toRun->push(wg);
}

// netpoll.go: netpollcheckerr
int netpollcheckerr(pollDesc* pd, int32_t mode) {
  uint32_t info = pd->info();
  if (info & pollClosing) return pollErrClosing;
  if ((mode == 'r' && (info & pollExpiredReadDeadline)) || (mode == 'w' && (info & pollExpiredWriteDeadline)))
    return pollErrTimeout;
  // Report an event scanning error only on a read event. An error on a
  // write event will be captured in a subsequent write call that is able
  // to report a more specific error.
  if (mode == 'r' && (info & pollEventErr)) return pollErrNotPollable;
  return pollNoError;
}

// netpoll.go: netpollblockcommit
// gopark's unlock function: commits the park by moving the semaphore from
// pdWait to the g, unless a notification came first.
bool netpollblockcommit(g* gp, void* gpp) {
  auto* sem = static_cast<std::atomic<uintptr_t>*>(gpp);
  uintptr_t old = pdWait;
  bool r = sem->compare_exchange_strong(old, reinterpret_cast<uintptr_t>(gp));
  if (r) {
    // Bump the count of goroutines waiting for the poller. The scheduler
    // uses this to decide whether to block waiting for the poller if there
    // is nothing else to do.
    netpollWaiters.fetch_add(1);
  }
  return r;
}

// netpoll.go: netpollgoready
void netpollgoready(g* gp, int) {
  netpollWaiters.fetch_sub(1);
  goready(gp);
}

// netpoll.go: netpollblock
bool netpollblock(pollDesc* pd, int32_t mode, bool waitio) {
  // returns true if IO is ready, or false if timedout or closed
  // waitio - wait only for completed IO, ignore errors
  // Concurrent calls to netpollblock in the same mode are forbidden, as
  // pollDesc can hold only a single waiting goroutine for each mode.
  std::atomic<uintptr_t>* gpp = &pd->rg;
  if (mode == 'w') gpp = &pd->wg;

  // set the gpp semaphore to pdWait
  for (;;) {
    // Consume notification if already ready.
    uintptr_t old = pdReady;
    if (gpp->compare_exchange_strong(old, 0)) return true;
    old = 0;
    if (gpp->compare_exchange_strong(old, pdWait)) break;

    // Double check that this isn't corrupt; otherwise we'd loop forever.
    if (uintptr_t v = gpp->load(); v != pdReady && v != 0) throw_("runtime: double wait");
  }

  // need to recheck error states after setting gpp to pdWait
  // this is necessary because runtime_pollUnblock/runtime_pollSetDeadline/deadlineimpl
  // do the opposite: store to closing/rd/wd, publishInfo, load of rg/wg
  if (waitio || netpollcheckerr(pd, mode) == pollNoError) gopark(netpollblockcommit, gpp, waitReasonIOWait);
  // be careful to not lose concurrent pdReady notification
  uintptr_t old = gpp->exchange(0);
  if (old > pdWait) throw_("runtime: corrupted polldesc");
  return old == pdReady;
}

// netpoll.go: netpollunblock
g* netpollunblock(pollDesc* pd, int32_t mode, bool ioready) {
  std::atomic<uintptr_t>* gpp = &pd->rg;
  if (mode == 'w') gpp = &pd->wg;

  for (;;) {
    uintptr_t old = gpp->load();
    if (old == pdReady) return nullptr;
    if (old == 0 && !ioready) {
      // Only set pdReady for ioready. runtime_pollWait will check for
      // timeout/cancel before waiting.
      return nullptr;
    }
    uintptr_t nw = 0;
    if (ioready) nw = pdReady;
    if (gpp->compare_exchange_strong(old, nw)) {
      if (old == pdWait) old = 0;
      return reinterpret_cast<g*>(old);
    }
  }
}

// netpoll.go: netpolldeadlineimpl
void netpolldeadlineimpl(pollDesc* pd, uintptr_t seq, bool read, bool write) {
  lock(&pd->lock);
  // Seq arg is seq when the timer was set. If it's stale, ignore the
  // timer event.
  uintptr_t currentSeq = pd->rseq;
  if (!read) currentSeq = pd->wseq;
  if (seq != currentSeq) {
    // The descriptor was reused or timers were reset.
    unlock(&pd->lock);
    return;
  }
  g* rg = nullptr;
  if (read) {
    if (pd->rd <= 0 || pd->rt.f == nullptr) throw_("runtime: inconsistent read deadline");
    pd->rd = -1;
    pd->publishInfo();
    rg = netpollunblock(pd, 'r', false);
  }
  g* wg = nullptr;
  if (write) {
    if (pd->wd <= 0 || (pd->wt.f == nullptr && !read)) throw_("runtime: inconsistent write deadline");
    pd->wd = -1;
    pd->publishInfo();
    wg = netpollunblock(pd, 'w', false);
  }
  unlock(&pd->lock);
  if (rg != nullptr) netpollgoready(rg, 0);
  if (wg != nullptr) netpollgoready(wg, 0);
}

// netpoll.go: netpollDeadline
void netpollDeadline(void* arg, uintptr_t seq) { netpolldeadlineimpl(static_cast<pollDesc*>(arg), seq, true, true); }

// netpoll.go: netpollReadDeadline
void netpollReadDeadline(void* arg, uintptr_t seq) {
  netpolldeadlineimpl(static_cast<pollDesc*>(arg), seq, true, false);
}

// netpoll.go: netpollWriteDeadline
void netpollWriteDeadline(void* arg, uintptr_t seq) {
  netpolldeadlineimpl(static_cast<pollDesc*>(arg), seq, false, true);
}

// netpoll.go: (*pollCache).alloc
// gort: Go's persistentalloc (memory the GC never scans or frees) is a
// plain new[] that is never deleted.
pollDesc* pollCache::alloc() {
  runtime::lock(&this->lock);
  if (first == nullptr) {
    constexpr size_t pdSize = sizeof(pollDesc);
    size_t n = pollBlockSize / pdSize;
    if (n == 0) n = 1;
    // Must be in non-GC memory because can be referenced only from
    // epoll/kqueue internals.
    pollDesc* mem = new pollDesc[n]();
    for (size_t i = 0; i < n; i++) {
      pollDesc* pd = &mem[i];
      pd->link = first;
      first = pd;
    }
  }
  pollDesc* pd = first;
  first = pd->link;
  runtime::unlock(&this->lock);
  return pd;
}

}  // namespace gort::runtime
