// select.cpp — the implementation of the select statement.
//
// Port of Go 1.19 src/runtime/select.go, in select.go's order. selectgo
// keeps Go's labels and gotos (bufrecv, bufsend, recv, rclose, send, retc,
// sclose) so the two read side by side; every variable is declared before
// the first goto, as Go's are.
//
// gort: the race/msan/asan hooks and block-profile timing (pc0, casePC,
// t0, caseReleaseTime) are left out, as in chan.cpp.

#include "runtime/chan.h"

#include "runtime/lock_futex.h"
#include "runtime/preempt.h"
#include "runtime/proc.h"
#include "runtime/stubs.h"

namespace gort::runtime {

// select.go: sellock
// Locks the channels of the cases in lockorder, each once (cases on the
// same channel are adjacent in lock order).
void sellock(scase* scases, uint16_t* lockorder, int n) {
  hchan* c = nullptr;
  for (int i = 0; i < n; i++) {
    hchan* c0 = scases[lockorder[i]].c;
    if (c0 != c) {
      c = c0;
      lock(&c->lock);
    }
  }
}

// select.go: selunlock
void selunlock(scase* scases, uint16_t* lockorder, int n) {
  // We must be very careful here to not touch sel after we have unlocked
  // the last lock, because sel can be freed right after the last unlock.
  // Consider the following situation. First M calls runtime·park() in
  // runtime·selectgo() passing the sel. Once runtime·park() has unlocked
  // the last lock, another M makes the G that calls select runnable again
  // and schedules it for execution. When the G runs on another M, it
  // locks all the locks and frees sel. Now if the first M touches sel, it
  // will access freed memory.
  for (int i = n - 1; i >= 0; i--) {
    hchan* c = scases[lockorder[i]].c;
    if (i > 0 && c == scases[lockorder[i - 1]].c) {
      continue;  // will unlock it on the next iteration
    }
    unlock(&c->lock);
  }
}

// select.go: selparkcommit
// gopark's unlock function for select; runs on g0 after gp is _Gwaiting.
bool selparkcommit(g* gp, void*) {
  // There are unlocked sudogs that point into gp's stack. Stack copying
  // must lock the channels of those sudogs. Set activeStackChans here
  // instead of before we try parking because we could self-deadlock in
  // stack growth on a channel lock.
  gp->activeStackChans = true;
  // Mark that it's safe for stack shrinking to occur now, because any
  // thread acquiring this G's stack for shrinking is guaranteed to observe
  // activeStackChans after this store.
  gp->parkingOnChan.store(false);
  // Make sure we unlock after setting activeStackChans and unsetting
  // parkingOnChan. The moment we unlock any of the channel locks we risk
  // gp getting readied by a channel operation and so gp could continue
  // running before everything before the unlock is visible (even to gp
  // itself).

  // This must not access gp's stack (see gopark). In particular, it must
  // not access the *hselect. That's okay, because by the time this is
  // called, gp.waiting has all channels in lock order.
  hchan* lastc = nullptr;
  for (sudog* sg = gp->waiting; sg != nullptr; sg = sg->waitlink) {
    if (sg->c != lastc && lastc != nullptr) {
      // As soon as we unlock the channel, fields in any sudog with that
      // channel may change, including c and waitlink. Since multiple
      // sudogs may have the same channel, we unlock only after we've
      // passed the last instance of a channel.
      unlock(&lastc->lock);
    }
    lastc = sg->c;
  }
  if (lastc != nullptr) unlock(&lastc->lock);
  return true;
}

// select.go: block
// select {} parks the goroutine forever.
void block() {
  gopark(nullptr, nullptr, waitReasonSelectNoCases);  // forever
  throw_("unreachable");
}

namespace {
// select.go: (*hchan).sortkey
uintptr_t sortkey(hchan* c) { return reinterpret_cast<uintptr_t>(c); }

// Go passes send and recv the closure func() { selunlock(scases, lockorder) }.
struct selunlockArgs {
  scase* scases;
  uint16_t* lockorder;
  int n;
};
void selunlockf(void* arg) {
  auto* a = static_cast<selunlockArgs*>(arg);
  selunlock(a->scases, a->lockorder, a->n);
}
}  // namespace

// select.go: selectgo
// selectgo implements the select statement.
//
// cas0 points to an array of type [ncases]scase, and order0 points to an
// array of type [2*ncases]uint16 where ncases must be <= 65536. Both
// reside on the goroutine's stack (regardless of any escaping in
// selectgo). Send cases come first in cas0, receive cases after them.
//
// selectgo returns the index of the chosen scase, which matches the
// ordinal position of its respective select{recv,send,default} call.
// Also, if the chosen scase was a receive operation, it reports whether a
// value was received.
std::pair<int, bool> selectgo(scase* cas0, uint16_t* order0, int nsends, int nrecvs, bool block) {
  // gort: a channel operation is a runtime entry point: honour a pending
  // preemption request here, as Go's prologue check would.
  checkNoG("select");  // gort: misuse from outside a goroutine (docs/differences.md)
  preemptPoint();
  int ncases = nsends + nrecvs;
  scase* scases = cas0;
  uint16_t* pollorder = order0;
  uint16_t* lockorder = order0 + ncases;
  // NOTE: pollorder/lockorder's underlying array was not zero-initialized
  // by compiler.

  g* gp;
  sudog* sg;
  hchan* c;
  scase* k;
  sudog* sglist;
  sudog* sgnext;
  void* qp;
  sudog** nextp;
  int casi;
  scase* cas;
  bool caseSuccess;
  bool recvOK = false;
  bool parked = false;  // gort: pass 2 took a reference to each case's channel
  selunlockArgs unlockArgs;

  // The compiler rewrites selects that statically have only 0 or 1 cases
  // plus default into simpler constructs. The only way we can end up with
  // such small sel.ncase values here is for a larger select in which most
  // channels have been nilled out. The general code handles those cases
  // correctly, and they are rare enough not to bother optimizing (and
  // needing to test).

  // generate permuted order
  int norder = 0;
  for (int i = 0; i < ncases; i++) {
    scase* cs = &scases[i];

    // Omit cases without channels from the poll and lock orders.
    if (cs->c == nullptr) {
      cs->elem = nullptr;  // allow GC
      continue;
    }

    uint32_t j = fastrandn(uint32_t(norder + 1));
    pollorder[norder] = pollorder[j];
    pollorder[j] = uint16_t(i);
    norder++;
  }
  // pollorder = pollorder[:norder]; lockorder = lockorder[:norder]

  // sort the cases by Hchan address to get the locking order.
  // simple heap sort, to guarantee n log n time and constant stack
  // footprint.
  for (int i = 0; i < norder; i++) {
    int j = i;
    // Start with the pollorder to permute cases on the same channel.
    c = scases[pollorder[i]].c;
    while (j > 0 && sortkey(scases[lockorder[(j - 1) / 2]].c) < sortkey(c)) {
      int kk = (j - 1) / 2;
      lockorder[j] = lockorder[kk];
      j = kk;
    }
    lockorder[j] = pollorder[i];
  }
  for (int i = norder - 1; i >= 0; i--) {
    uint16_t o = lockorder[i];
    c = scases[o].c;
    lockorder[i] = lockorder[0];
    int j = 0;
    for (;;) {
      int kk = j * 2 + 1;
      if (kk >= i) break;
      if (kk + 1 < i && sortkey(scases[lockorder[kk]].c) < sortkey(scases[lockorder[kk + 1]].c)) kk++;
      if (sortkey(c) < sortkey(scases[lockorder[kk]].c)) {
        lockorder[j] = lockorder[kk];
        j = kk;
        continue;
      }
      break;
    }
    lockorder[j] = o;
  }

  // lock all the channels involved in the select
  sellock(scases, lockorder, norder);
  unlockArgs = {scases, lockorder, norder};

  // pass 1 - look for something already waiting
  for (int i = 0; i < norder; i++) {
    casi = int(pollorder[i]);
    cas = &scases[casi];
    c = cas->c;

    if (casi >= nsends) {
      sg = c->sendq.dequeue();
      if (sg != nullptr) goto recv;
      if (c->qcount > 0) goto bufrecv;
      if (c->closed != 0) goto rclose;
    } else {
      if (c->closed != 0) goto sclose;
      sg = c->recvq.dequeue();
      if (sg != nullptr) goto send;
      if (c->qcount < c->dataqsiz) goto bufsend;
    }
  }

  if (!block) {
    selunlock(scases, lockorder, norder);
    casi = -1;
    goto retc;
  }

  // pass 2 - enqueue on all chans
  gp = getg();
  if (gp->waiting != nullptr) throw_("gp.waiting != nil");
  nextp = &gp->waiting;
  for (int i = 0; i < norder; i++) {
    casi = int(lockorder[i]);
    cas = &scases[casi];
    c = cas->c;
    sudog* sg1 = acquireSudog();
    sg1->g = gp;
    sg1->isSelect = true;
    // No stack splits between assigning elem and enqueuing sg on
    // gp.waiting where copystack can find it.
    sg1->elem = cas->elem;
    sg1->releasetime = 0;
    sg1->c = c;
    // Construct waiting list in lock order.
    *nextp = sg1;
    nextp = &sg1->waitlink;

    if (casi < nsends)
      c->sendq.enqueue(sg1);
    else
      c->recvq.enqueue(sg1);
    retainchan(c);  // gort: the parked g keeps c alive, as its stack does for Go's GC
  }
  parked = true;

  // wait for someone to wake us up
  gp->param = nullptr;
  // Signal to anyone trying to shrink our stack that we're about to park
  // on a channel. (gort: kept for Go's shape; nothing shrinks stacks.)
  gp->parkingOnChan.store(true);
  gopark(selparkcommit, nullptr, waitReasonSelect);
  gp->activeStackChans = false;

  sellock(scases, lockorder, norder);

  gp->selectDone.store(0);
  sg = static_cast<sudog*>(gp->param);
  gp->param = nullptr;

  // pass 3 - dequeue from unsuccessful chans
  // otherwise they stack up on quiet channels
  // record the successful case, if any.
  // We singly-linked up the SudoGs in lock order.
  casi = -1;
  cas = nullptr;
  caseSuccess = false;
  sglist = gp->waiting;
  // Clear all elem before unlinking from gp.waiting.
  for (sudog* sg1 = gp->waiting; sg1 != nullptr; sg1 = sg1->waitlink) {
    sg1->isSelect = false;
    sg1->elem = nullptr;
    sg1->c = nullptr;
  }
  gp->waiting = nullptr;

  for (int i = 0; i < norder; i++) {
    uint16_t casei = lockorder[i];
    k = &scases[casei];
    if (sg == sglist) {
      // sg has already been dequeued by the G that woke us up.
      casi = int(casei);
      cas = k;
      caseSuccess = sglist->success;
    } else {
      c = k->c;
      if (int(casei) < nsends)
        c->sendq.dequeueSudoG(sglist);
      else
        c->recvq.dequeueSudoG(sglist);
    }
    sgnext = sglist->waitlink;
    sglist->waitlink = nullptr;
    releaseSudog(sglist);
    sglist = sgnext;
  }

  if (cas == nullptr) throw_("selectgo: bad wakeup");

  c = cas->c;

  if (casi < nsends) {
    if (!caseSuccess) goto sclose;
  } else {
    recvOK = caseSuccess;
  }

  selunlock(scases, lockorder, norder);
  goto retc;

bufrecv:
  // can receive from buffer
  recvOK = true;
  qp = chanbuf(c, c->recvx);
  if (cas->elem != nullptr) typedmemmove(c->elemtype, cas->elem, qp);
  typedmemclr(c->elemtype, qp);
  c->recvx++;
  if (c->recvx == c->dataqsiz) c->recvx = 0;
  --c->qcount;
  selunlock(scases, lockorder, norder);
  goto retc;

bufsend:
  // can send to buffer
  typedmemmove(c->elemtype, chanbuf(c, c->sendx), cas->elem);
  c->sendx++;
  if (c->sendx == c->dataqsiz) c->sendx = 0;
  ++c->qcount;
  selunlock(scases, lockorder, norder);
  goto retc;

recv:
  // can receive from sleeping sender (sg)
  recv(c, sg, cas->elem, selunlockf, &unlockArgs);
  recvOK = true;
  goto retc;

rclose:
  // read at end of closed channel
  selunlock(scases, lockorder, norder);
  recvOK = false;
  // gort: cas.elem stays raw; the caller builds T{} (Go: typedmemclr).
  goto retc;

send:
  // can send to a sleeping receiver (sg)
  send(c, sg, cas->elem, selunlockf, &unlockArgs);
  goto retc;

retc:
  if (parked) {
    // gort: drop pass 2's references, now that no lock is held.
    for (int i = 0; i < norder; i++) releasechan(scases[lockorder[i]].c);
  }
  return {casi, recvOK};

sclose:
  // send on closed channel
  selunlock(scases, lockorder, norder);
  if (parked) {
    for (int i = 0; i < norder; i++) releasechan(scases[lockorder[i]].c);
  }
  throw plainError("send on closed channel");
}

// select.go: (*waitq).dequeueSudoG
void waitq::dequeueSudoG(sudog* sgp) {
  sudog* x = sgp->prev;
  sudog* y = sgp->next;
  if (x != nullptr) {
    if (y != nullptr) {
      // middle of queue
      x->next = y;
      y->prev = x;
      sgp->next = nullptr;
      sgp->prev = nullptr;
      return;
    }
    // end of queue
    x->next = nullptr;
    last = x;
    sgp->prev = nullptr;
    return;
  }
  if (y != nullptr) {
    // start of queue
    y->prev = nullptr;
    first = y;
    sgp->next = nullptr;
    return;
  }

  // x==y==nil. Either sgp is the only element in the queue, or it has
  // already been removed. Use q.first to disambiguate.
  if (first == sgp) {
    first = nullptr;
    last = nullptr;
  }
}

}  // namespace gort::runtime
