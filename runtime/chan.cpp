// chan.cpp — the implementation of channels.
//
// Port of Go 1.19 src/runtime/chan.go, in chan.go's order. Each function
// opens with the line naming its Go origin.
//
// Invariants:
//  At least one of c.sendq and c.recvq is empty, except for the case of an
//  unbuffered channel with a single goroutine blocked on it for both
//  sending and receiving using a select statement, in which case the
//  length of c.sendq and c.recvq is limited only by the size of the select
//  statement.
//
// For buffered channels, also:
//  c.qcount > 0 implies that c.recvq is empty.
//  c.qcount < c.dataqsiz implies that c.sendq is empty.
//
// gort: Go's race detector, msan/asan and block-profile hooks (raceenabled,
// racenotify, blockprofilerate, t0, releasetime stamps) are left out: gort
// has none of them (TSan sees gort's own atomics and locks instead).
//
// Elements: a buffer slot is raw storage that holds a live value exactly
// while it is queued (sendx/recvx/qcount say which). A sender's ep is its
// own live value, left moved-from by a successful send. A receiver's ep is
// raw storage in its frame; a receive moves a value into it, or, from a
// closed channel, leaves it raw for the caller to fill with T{} (where Go
// zeroes it with typedmemclr).

#include "runtime/chan.h"

#include <cstring>
#include <new>

#include "runtime/lock_futex.h"
#include "runtime/preempt.h"
#include "runtime/proc.h"
#include "runtime/stubs.h"

namespace gort::runtime {

namespace {
// malloc.go: maxAlloc (1 << 48 on 64-bit Linux). The largest allocation.
constexpr uintptr_t maxAlloc = uintptr_t(1) << 48;

// Go passes send and recv the closure func() { unlock(&c.lock) }.
void unlockChan(void* c) { unlock(&static_cast<hchan*>(c)->lock); }
}  // namespace

// chan.go: makechan
// gort: takes the element type itself (Go: t *chantype, using t.elem), and
// is called by chan<T>'s constructor where Go's compiler calls makechan.
hchan* makechan(const _type* elem, intptr_t size) {
  // compiler checks this but be safe.
  if (elem->size >= 1 << 16) throw_("makechan: invalid channel element type");
  // gort: elem.align > maxAlign is allowed (C++ has over-aligned types);
  // such buffers are allocated apart, with their alignment.
  if (hchanSize % maxAlign != 0) throw_("makechan: bad alignment");

  uintptr_t mem = 0;
  bool overflow = __builtin_mul_overflow(elem->size, uintptr_t(size), &mem);
  if (overflow || mem > maxAlloc - hchanSize || size < 0) throw plainError("makechan: size out of range");

  // gort: Go's three allocation shapes, chosen by alignment rather than by
  // whether elements hold pointers (which matters only to Go's GC).
  hchan* c;
  if (mem == 0) {
    // Queue or element size is zero.
    c = ::new (mallocgc(hchanSize)) hchan{};
    c->buf = nullptr;  // gort: Go points buf at c.raceaddr() for the race detector
  } else if (elem->align <= maxAlign) {
    // Allocate hchan and buf in one call.
    void* p = mallocgc(hchanSize + mem);
    c = ::new (p) hchan{};
    c->buf = static_cast<char*>(p) + hchanSize;
  } else {
    // Over-aligned elements: buf is its own allocation.
    c = ::new (mallocgc(hchanSize)) hchan{};
    c->buf = mallocgc(mem, elem->align);
  }

  c->elemsize = uint16_t(elem->size);
  c->elemtype = elem;
  c->dataqsiz = uintptr_t(size);
  c->refs.store(1, std::memory_order_relaxed);  // gort: the chan<T> that made it
  return c;
}

// chan.go: chanbuf
// chanbuf(c, i) is pointer to the i'th slot in the buffer.
void* chanbuf(hchan* c, uintptr_t i) { return static_cast<char*>(c->buf) + i * uintptr_t(c->elemsize); }

// chan.go: full
bool full(hchan* c) {
  // full reports whether a send on c would block (that is, the channel is
  // full). It uses a single word-sized read of mutable state, so although
  // the answer is instantaneously true, the correct answer may have changed
  // by the time the calling function receives the return value.
  // c.dataqsiz is immutable (never written after the channel is created)
  // so it is safe to read at any time during channel operation.
  if (c->dataqsiz == 0) {
    return c->recvq.first.load() == nullptr;
  }
  return c->qcount.load() == c->dataqsiz;
}

// chan.go: chansend1
// entry point for c <- x from compiled code (gort: from chan<T>::send).
void chansend1(hchan* c, void* elem) { chansend(c, elem, true); }

// chan.go: chansend
bool chansend(hchan* c, void* ep, bool block) {
  // Generic single channel send. If block is false, the protocol will not
  // sleep but return false if it could not complete.
  //
  // Sleep can wake up with g.param == nil when a channel involved in the
  // sleep has been closed. It is easiest to loop and re-run the operation;
  // we'll see that it's now closed. (gort: no callerpc; it served the race
  // detector.)
  // gort: a channel operation is a runtime entry point: honour a pending
  // preemption request here, as Go's prologue check would.
  checkNoG("chan send");  // gort: misuse from outside a goroutine (docs/differences.md)
  preemptPoint();
  if (c == nullptr) {
    if (!block) return false;
    gopark(nullptr, nullptr, waitReasonChanSendNilChan);
    throw_("unreachable");
  }

  // Fast path: check for failed non-blocking operation without acquiring
  // the lock.
  //
  // After observing that the channel is not closed, we observe that the
  // channel is not ready for sending. Each of these observations is a
  // single word-sized read (first c.closed and second full()). Because a
  // closed channel cannot transition from 'ready for sending' to 'not
  // ready for sending', even if the channel is closed between the two
  // observations, they imply a moment between the two when the channel was
  // both not yet closed and not ready for sending. We behave as if we
  // observed the channel at that moment, and report that the send cannot
  // proceed.
  if (!block && c->closed.load() == 0 && full(c)) return false;

  lock(&c->lock);

  if (c->closed != 0) {
    unlock(&c->lock);
    throw plainError("send on closed channel");
  }

  if (sudog* sg = c->recvq.dequeue(); sg != nullptr) {
    // Found a waiting receiver. We pass the value we want to send directly
    // to the receiver, bypassing the channel buffer (if any).
    send(c, sg, ep, unlockChan, c);
    return true;
  }

  if (c->qcount < c->dataqsiz) {
    // Space is available in the channel buffer. Enqueue the element to
    // send.
    void* qp = chanbuf(c, c->sendx);
    typedmemmove(c->elemtype, qp, ep);
    c->sendx++;
    if (c->sendx == c->dataqsiz) c->sendx = 0;
    ++c->qcount;
    unlock(&c->lock);
    return true;
  }

  if (!block) {
    unlock(&c->lock);
    return false;
  }

  // Block on the channel. Some receiver will complete our operation for us.
  g* gp = getg();
  sudog* mysg = acquireSudog();
  mysg->releasetime = 0;
  // No stack splits between assigning elem and enqueuing mysg on
  // gp.waiting where copystack can find it. (gort: stacks never move.)
  mysg->elem = ep;
  mysg->waitlink = nullptr;
  mysg->g = gp;
  mysg->isSelect = false;
  mysg->c = c;
  gp->waiting = mysg;
  gp->param = nullptr;
  c->sendq.enqueue(mysg);
  retainchan(c);  // gort: the parked g keeps c alive, as its stack does for Go's GC
  // Signal to anyone trying to shrink our stack that we're about to park
  // on a channel. (gort: kept for Go's shape; nothing shrinks stacks.)
  gp->parkingOnChan.store(true);
  gopark(chanparkcommit, &c->lock, waitReasonChanSend);
  // gort: Go's KeepAlive(ep) is implicit: ep lives in our caller's frame.

  // someone woke us up.
  if (mysg != gp->waiting) throw_("G waiting list is corrupted");
  gp->waiting = nullptr;
  gp->activeStackChans = false;
  bool closed = !mysg->success;
  gp->param = nullptr;
  mysg->c = nullptr;
  releaseSudog(mysg);
  if (closed) {
    if (c->closed == 0) throw_("chansend: spurious wakeup");
    releasechan(c);
    throw plainError("send on closed channel");
  }
  releasechan(c);
  return true;
}

// chan.go: send
void send(hchan* c, sudog* sg, void* ep, unlockfn unlockf, void* unlockarg) {
  // send processes a send operation on an empty channel c. The value ep sent
  // by the sender is moved to the receiver sg. The receiver is then woken up
  // to go on its merry way.
  // Channel c must be empty and locked. send unlocks c with unlockf.
  // sg must already be dequeued from c.
  // ep must be non-nil and point to the heap or the caller's stack.
  if (sg->elem != nullptr) {
    sendDirect(c->elemtype, sg, ep);
    sg->elem = nullptr;
  }
  g* gp = sg->g;
  unlockf(unlockarg);
  gp->param = sg;
  sg->success = true;
  goready(gp);
}

// Sends and receives on unbuffered or empty-buffered channels are the only
// operations where one running goroutine writes to the stack of another
// running goroutine. (Go explains here how its GC's write barriers cope;
// gort has no GC, and the channel lock orders the write before the
// receiver's wakeup.)

// chan.go: sendDirect
void sendDirect(const _type* t, sudog* sg, void* src) {
  // src is on our stack, dst is a slot on another stack.
  void* dst = sg->elem;
  typedmemmove(t, dst, src);
}

// chan.go: recvDirect
void recvDirect(const _type* t, sudog* sg, void* dst) {
  // dst is on our stack or the heap, src is on another stack. The channel
  // is locked, so src will not move during this operation.
  void* src = sg->elem;
  typedmemmove(t, dst, src);
}

// chan.go: closechan
void closechan(hchan* c) {
  // gort: a channel operation is a runtime entry point: honour a pending
  // preemption request here, as Go's prologue check would.
  checkNoG("close of channel");  // gort: misuse from outside a goroutine (docs/differences.md)
  preemptPoint();
  if (c == nullptr) throw plainError("close of nil channel");

  lock(&c->lock);
  if (c->closed != 0) {
    unlock(&c->lock);
    throw plainError("close of closed channel");
  }

  c->closed = 1;

  gList glist;

  // release all readers
  for (;;) {
    sudog* sg = c->recvq.dequeue();
    if (sg == nullptr) break;
    if (sg->elem != nullptr) {
      // gort: the receiver's storage stays raw; it builds T{} itself (Go:
      // typedmemclr(c.elemtype, sg.elem)).
      sg->elem = nullptr;
    }
    g* gp = sg->g;
    gp->param = sg;
    sg->success = false;
    glist.push(gp);
  }

  // release all writers (they will panic)
  for (;;) {
    sudog* sg = c->sendq.dequeue();
    if (sg == nullptr) break;
    sg->elem = nullptr;
    g* gp = sg->g;
    gp->param = sg;
    sg->success = false;
    glist.push(gp);
  }
  unlock(&c->lock);

  // Ready all Gs now that we've dropped the channel lock.
  while (!glist.empty()) {
    g* gp = glist.pop();
    gp->schedlink = nullptr;
    goready(gp);
  }
}

// chan.go: empty
// empty reports whether a read from c would block (that is, the channel is
// empty). It uses a single atomic read of mutable state.
bool empty(hchan* c) {
  // c.dataqsiz is immutable.
  if (c->dataqsiz == 0) {
    return c->sendq.first.load() == nullptr;
  }
  return c->qcount.load() == 0;
}

// chan.go: chanrecv1
// gort: there is none. Go's chanrecv1 zeroes *ep on a closed channel; here
// the caller must learn whether ep holds a value, so chan<T>::recv uses
// chanrecv2 as well.

// chan.go: chanrecv2
// entry point for v, ok := <-c from compiled code (gort: from chan<T>).
bool chanrecv2(hchan* c, void* elem) {
  auto [selected, received] = chanrecv(c, elem, true);
  (void)selected;
  return received;
}

// chan.go: chanrecv
// chanrecv receives on channel c and writes the received data to ep.
// ep may be nil, in which case received data is ignored.
// If block == false and no elements are available, returns (false, false).
// Otherwise, if c is closed, leaves *ep raw and returns (true, false)
// (Go: zeros *ep).
// Otherwise, fills in *ep with an element and returns (true, true).
// A non-nil ep must point to the heap or the caller's stack.
std::pair<bool, bool> chanrecv(hchan* c, void* ep, bool block) {
  // gort: a channel operation is a runtime entry point: honour a pending
  // preemption request here, as Go's prologue check would.
  checkNoG("chan receive");  // gort: misuse from outside a goroutine (docs/differences.md)
  preemptPoint();
  if (c == nullptr) {
    if (!block) return {false, false};
    gopark(nullptr, nullptr, waitReasonChanReceiveNilChan);
    throw_("unreachable");
  }

  // Fast path: check for failed non-blocking operation without acquiring
  // the lock.
  if (!block && empty(c)) {
    // After observing that the channel is not ready for receiving, we
    // observe whether the channel is closed.
    //
    // Reordering of these checks could lead to incorrect behavior when
    // racing with a close. For example, if the channel was open and not
    // empty, was closed, and then drained, reordered reads could
    // incorrectly indicate "open and empty". To prevent reordering, we use
    // atomic loads for both checks, and rely on emptying and closing to
    // happen in separate critical sections under the same lock. This
    // assumption fails when closing an unbuffered channel with a blocked
    // send, but that is an error condition anyway.
    if (c->closed.load() == 0) {
      // Because a channel cannot be reopened, the later observation of the
      // channel being not closed implies that it was also not closed at
      // the moment of the first observation. We behave as if we observed
      // the channel at that moment and report that the receive cannot
      // proceed.
      return {false, false};
    }
    // The channel is irreversibly closed. Re-check whether the channel has
    // any pending data to receive, which could have arrived between the
    // empty and closed checks above. Sequential consistency is also
    // required here, when racing with such a send.
    if (empty(c)) {
      // The channel is irreversibly closed and empty.
      // gort: ep stays raw (Go: typedmemclr(c.elemtype, ep)).
      return {true, false};
    }
  }

  lock(&c->lock);

  if (c->closed != 0) {
    if (c->qcount == 0) {
      unlock(&c->lock);
      // gort: ep stays raw (Go: typedmemclr(c.elemtype, ep)).
      return {true, false};
    }
    // The channel has been closed, but the channel's buffer have data.
  } else {
    // Just found waiting sender with not closed.
    if (sudog* sg = c->sendq.dequeue(); sg != nullptr) {
      // Found a waiting sender. If buffer is size 0, receive value directly
      // from sender. Otherwise, receive from head of queue and add sender's
      // value to the tail of the queue (both map to the same buffer slot
      // because the queue is full).
      recv(c, sg, ep, unlockChan, c);
      return {true, true};
    }
  }

  if (c->qcount > 0) {
    // Receive directly from queue
    void* qp = chanbuf(c, c->recvx);
    if (ep != nullptr) typedmemmove(c->elemtype, ep, qp);
    typedmemclr(c->elemtype, qp);
    c->recvx++;
    if (c->recvx == c->dataqsiz) c->recvx = 0;
    --c->qcount;
    unlock(&c->lock);
    return {true, true};
  }

  if (!block) {
    unlock(&c->lock);
    return {false, false};
  }

  // no sender available: block on this channel.
  g* gp = getg();
  sudog* mysg = acquireSudog();
  mysg->releasetime = 0;
  // No stack splits between assigning elem and enqueuing mysg on
  // gp.waiting where copystack can find it. (gort: stacks never move.)
  mysg->elem = ep;
  mysg->waitlink = nullptr;
  gp->waiting = mysg;
  mysg->g = gp;
  mysg->isSelect = false;
  mysg->c = c;
  gp->param = nullptr;
  c->recvq.enqueue(mysg);
  retainchan(c);  // gort: the parked g keeps c alive, as its stack does for Go's GC
  // Signal to anyone trying to shrink our stack that we're about to park
  // on a channel. (gort: kept for Go's shape; nothing shrinks stacks.)
  gp->parkingOnChan.store(true);
  gopark(chanparkcommit, &c->lock, waitReasonChanReceive);

  // someone woke us up
  if (mysg != gp->waiting) throw_("G waiting list is corrupted");
  gp->waiting = nullptr;
  gp->activeStackChans = false;
  bool success = mysg->success;
  gp->param = nullptr;
  mysg->c = nullptr;
  releaseSudog(mysg);
  releasechan(c);
  return {true, success};
}

// chan.go: recv
void recv(hchan* c, sudog* sg, void* ep, unlockfn unlockf, void* unlockarg) {
  // recv processes a receive operation on a full channel c. There are 2
  // parts:
  //  1. The value sent by the sender sg is put into the channel and the
  //     sender is woken up to go on its merry way.
  //  2. The value received by the receiver (the current G) is written to ep.
  //
  // For synchronous channels, both values are the same. For asynchronous
  // channels, the receiver gets its data from the channel buffer and the
  // sender's data is put in the channel buffer.
  // Channel c must be full and locked. recv unlocks c with unlockf.
  // sg must already be dequeued from c.
  // A non-nil ep must point to the heap or the caller's stack.
  if (c->dataqsiz == 0) {
    if (ep != nullptr) {
      // copy data from sender
      recvDirect(c->elemtype, sg, ep);
    }
  } else {
    // Queue is full. Take the item at the head of the queue. Make the
    // sender enqueue its item at the tail of the queue. Since the queue is
    // full, those are both the same slot.
    void* qp = chanbuf(c, c->recvx);
    // copy data from queue to receiver
    if (ep != nullptr) typedmemmove(c->elemtype, ep, qp);
    // gort: end the slot's moved-from value before reusing the slot (Go's
    // memmove simply overwrites it).
    typedmemclr(c->elemtype, qp);
    // copy data from sender to queue
    typedmemmove(c->elemtype, qp, sg->elem);
    c->recvx++;
    if (c->recvx == c->dataqsiz) c->recvx = 0;
    c->sendx = c->recvx;  // c.sendx = (c.sendx+1) % c.dataqsiz
  }
  sg->elem = nullptr;
  g* gp = sg->g;
  unlockf(unlockarg);
  gp->param = sg;
  sg->success = true;
  goready(gp);
}

// chan.go: chanparkcommit
// gopark's unlock function for a channel operation; runs on g0 after gp is
// _Gwaiting.
bool chanparkcommit(g* gp, void* chanLock) {
  // There are unlocked sudogs that point into gp's stack. Stack copying
  // must lock the channels of those sudogs. Set activeStackChans here
  // instead of before we try parking because we could self-deadlock in
  // stack growth on the channel lock.
  gp->activeStackChans = true;
  // Mark that it's safe for stack shrinking to occur now, because any
  // thread acquiring this G's stack for shrinking is guaranteed to observe
  // activeStackChans after this store.
  gp->parkingOnChan.store(false);
  // Make sure we unlock after setting activeStackChans and unsetting
  // parkingOnChan. The moment we unlock chanLock we risk gp getting readied
  // by a channel operation and so gp could continue running before
  // everything before the unlock is visible (even to gp itself).
  unlock(static_cast<mutex*>(chanLock));
  return true;
}

// chan.go: selectnbsend
// compiler implements
//
//	select {
//	case c <- v:
//		... foo
//	default:
//		... bar
//	}
//
// as
//
//	if selectnbsend(c, v) {
//		... foo
//	} else {
//		... bar
//	}
//
// (gort: select() in chan_public.h does the same.)
bool selectnbsend(hchan* c, void* elem) { return chansend(c, elem, false); }

// chan.go: selectnbrecv
// compiler implements
//
//	select {
//	case v, ok = <-c:
//		... foo
//	default:
//		... bar
//	}
//
// as
//
//	if selected, ok = selectnbrecv(&v, c); selected {
//		... foo
//	} else {
//		... bar
//	}
std::pair<bool, bool> selectnbrecv(void* elem, hchan* c) { return chanrecv(c, elem, false); }

// chan.go: reflect_chanlen
// len(c). (gort: called by chan<T>::len.)
intptr_t reflect_chanlen(hchan* c) {
  if (c == nullptr) return 0;
  return intptr_t(c->qcount.load());
}

// chan.go: reflect_chancap
// cap(c). (gort: called by chan<T>::cap.)
intptr_t reflect_chancap(hchan* c) {
  if (c == nullptr) return 0;
  return intptr_t(c->dataqsiz);
}

// chan.go: (*waitq).enqueue
void waitq::enqueue(sudog* sgp) {
  sgp->next = nullptr;
  sudog* x = last;
  if (x == nullptr) {
    sgp->prev = nullptr;
    first = sgp;
    last = sgp;
    return;
  }
  sgp->prev = x;
  x->next = sgp;
  last = sgp;
}

// chan.go: (*waitq).dequeue
sudog* waitq::dequeue() {
  for (;;) {
    sudog* sgp = first;
    if (sgp == nullptr) return nullptr;
    sudog* y = sgp->next;
    if (y == nullptr) {
      first = nullptr;
      last = nullptr;
    } else {
      y->prev = nullptr;
      first = y;
      sgp->next = nullptr;  // mark as removed (see dequeueSudoG)
    }

    // if a goroutine was put on this queue because of a select, there is
    // a small window between the goroutine being woken up by a different
    // case and it grabbing the channel locks. Once it has the lock it
    // removes itself from the queue, so we won't see it after that. We use
    // a flag in the G struct to tell us when someone else has won the race
    // to signal this goroutine but the goroutine hasn't removed itself from
    // the queue yet.
    if (sgp->isSelect) {
      uint32_t zero = 0;
      if (!sgp->g->selectDone.compare_exchange_strong(zero, 1)) continue;
    }

    return sgp;
  }
}

// ===========================================================================
// gort-only: what Go's garbage collector and typed memory do for channels.
// ===========================================================================

// gort-only: one more reference to c (a chan<T> copy, a parked sudog).
void retainchan(hchan* c) {
  if (c != nullptr) c->refs.fetch_add(1, std::memory_order_relaxed);
}

// gort-only: drops a reference; the last one frees c.
void releasechan(hchan* c) {
  if (c != nullptr && c->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) freechan(c);
}

// gort-only: frees c, ending the values still in its buffer (Go's GC
// collects an unreachable channel and its buffer in one go).
void freechan(hchan* c) {
  for (uintptr_t i = 0; i < c->qcount; i++) typedmemclr(c->elemtype, chanbuf(c, (c->recvx + i) % c->dataqsiz));
  uintptr_t mem = c->elemtype->size * c->dataqsiz;
  if (mem != 0 && c->elemtype->align > maxAlign) ::operator delete(c->buf, std::align_val_t(c->elemtype->align));
  c->~hchan();
  ::operator delete(c);
}

// mbarrier.go: typedmemmove
// typedmemmove moves a value of type t to dst from src. gort: dst is raw
// storage and gets a move-constructed value; src stays alive, moved-from.
void typedmemmove(const _type* t, void* dst, void* src) {
  if (dst == src) return;
  if (t->move == nullptr)
    memmove(dst, src, t->size);
  else
    t->move(dst, src);
}

// mbarrier.go: typedmemclr
void typedmemclr(const _type* t, void* p) {
  // typedmemclr clears the typed memory at ptr with type typ. gort: ends the
  // live value at p (its destructor drops what it owns, as Go's zeroing lets
  // the GC drop what it pointed to); p becomes raw storage.
  if (t->destroy != nullptr) t->destroy(p);
}

}  // namespace gort::runtime
