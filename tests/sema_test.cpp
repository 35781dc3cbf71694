// sema_test.cpp — the runtime's semaphores (sema.cpp): the semaRoot treap,
// FIFO and LIFO waiters, the handoff to runnext, goyield, notify lists,
// sync_runtime_canSpin, and worldsema. Ports of Go's sema_test.go live in
// conformance/sema_test.cpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "export_test.h"
#include "runtime/go.h"

using namespace gort;
namespace rt = gort::runtime;

namespace {

// Checks the treap under t: ordered by address (elem), a heap on ticket,
// parent links consistent, and each node's waitlink list on its address.
// Returns "" or what is wrong; counts the sudogs in *n.
std::string checkTreap(rt::sudog* t, rt::sudog* parent, uintptr_t lo, uintptr_t hi, int* n) {
  if (t == nullptr) return "";
  auto a = reinterpret_cast<uintptr_t>(t->elem);
  if (t->parent != parent) return "bad parent link";
  if (a < lo || a >= hi) return "not ordered by address";
  if (parent != nullptr && parent->ticket > t->ticket) return "not a heap on ticket";
  if ((t->ticket & 1) == 0) return "ticket without its low bit";
  (*n)++;
  rt::sudog* last = t;
  for (rt::sudog* w = t->waitlink; w != nullptr; w = w->waitlink) {
    (*n)++;
    if (w->elem != t->elem) return "waiter on the wrong address";
    if (w->parent != nullptr || w->prev != nullptr || w->next != nullptr) return "list waiter linked into the tree";
    last = w;
  }
  if (t->waitlink != nullptr && t->waittail != last) return "bad waittail";
  if (t->waitlink == nullptr && t->waittail != nullptr) return "waittail without a list";
  if (auto e = checkTreap(t->prev, t, lo, a, n); !e.empty()) return e;
  return checkTreap(t->next, t, a + 1, hi, n);
}

std::string checkRoot(rt::semaRoot& root, int* n) {
  *n = 0;
  return checkTreap(root.treap, nullptr, 0, UINTPTR_MAX, n);
}

// A semaRoot of the test's own, with its lock held (queue and dequeue
// require it) for as long as the object lives.
struct lockedRoot {
  rt::semaRoot root;
  lockedRoot() { rt::lock(&root.lock); }
  ~lockedRoot() { rt::unlock(&root.lock); }
};

// The gs in pp's local run queue, head first (pp must be ours, and no
// other M may run: GOMAXPROCS 1).
std::vector<rt::g*> localRunq(rt::p* pp) {
  std::vector<rt::g*> out;
  for (uint32_t i = pp->runqhead.load(); i != pp->runqtail.load(); i++) out.push_back(pp->runq[i % rt::runqSize]);
  return out;
}

}  // namespace

// --- the treap ---------------------------------------------------------------

TEST_CASE("semaRoot keeps one treap node per address, ordered by address and heap-ordered by ticket",
          "[sema]") {
  constexpr int N = 300;
  std::vector<std::atomic<uint32_t>> addrs(N);
  std::vector<rt::sudog> sudogs(N);
  std::vector<int> order(N);
  for (int i = 0; i < N; i++) order[i] = i;
  std::mt19937 rng(42);
  std::shuffle(order.begin(), order.end(), rng);

  lockedRoot locked;
  rt::semaRoot& root = locked.root;
  int n = 0;
  for (int i : order) {
    root.queue(&addrs[i], &sudogs[i], false);
    INFO("after queueing " << i);
    REQUIRE(checkRoot(root, &n) == "");
  }
  REQUIRE(n == N);

  std::shuffle(order.begin(), order.end(), rng);
  for (int k = 0; k < N; k++) {
    int i = order[k];
    int64_t now = -1;
    rt::sudog* s = root.dequeue(&addrs[i], &now);
    REQUIRE(s == &sudogs[i]);
    REQUIRE(now == 0);  // not profiled
    REQUIRE(s->elem == nullptr);
    REQUIRE(s->ticket == 0);
    REQUIRE((s->parent == nullptr && s->prev == nullptr && s->next == nullptr && s->waitlink == nullptr));
    INFO("after dequeueing " << i);
    REQUIRE(checkRoot(root, &n) == "");
    REQUIRE(n == N - k - 1);
  }
  REQUIRE(root.treap == nullptr);
  int64_t now = 0;
  REQUIRE(root.dequeue(&addrs[0], &now) == nullptr);
}

TEST_CASE("waiters on one address leave in FIFO order, and a LIFO waiter goes to the front and takes the node's place",
          "[sema]") {
  constexpr int A = 40;  // addresses
  constexpr int W = 6;   // waiters per address
  std::vector<std::atomic<uint32_t>> addrs(A);
  std::vector<rt::sudog> sudogs(A * W);
  std::map<int, std::vector<rt::sudog*>> want;  // per address, in wake order
  std::mt19937 rng(7);

  lockedRoot locked;
  rt::semaRoot& root = locked.root;
  // Round-robin over the addresses so lists and tree grow together; every
  // third waiter queues LIFO (sync::Mutex does this for a woken waiter
  // that lost the race, so it is first in line next time).
  for (int w = 0; w < W; w++) {
    for (int a = 0; a < A; a++) {
      rt::sudog* s = &sudogs[a * W + w];
      bool lifo = (a + w) % 3 == 0;
      root.queue(&addrs[a], s, lifo);
      auto& v = want[a];
      if (lifo)
        v.insert(v.begin(), s);
      else
        v.push_back(s);
    }
    int n = 0;
    REQUIRE(checkRoot(root, &n) == "");
    REQUIRE(n == A * (w + 1));
  }

  // Dequeue in a random address order until everything has left.
  std::vector<int> pending;
  for (int a = 0; a < A; a++)
    for (int w = 0; w < W; w++) pending.push_back(a);
  std::shuffle(pending.begin(), pending.end(), rng);
  std::map<int, size_t> next;
  for (int a : pending) {
    int64_t now = 0;
    rt::sudog* s = root.dequeue(&addrs[a], &now);
    INFO("address " << a << ", waiter " << next[a]);
    REQUIRE(s == want[a][next[a]++]);
    REQUIRE((s->waitlink == nullptr && s->waittail == nullptr && s->elem == nullptr));
    int n = 0;
    REQUIRE(checkRoot(root, &n) == "");
  }
  REQUIRE(root.treap == nullptr);
}

// --- semacquire / semrelease --------------------------------------------------

TEST_CASE("semacquire takes an available count without parking, and semrelease with no waiter only counts",
          "[sema]") {
  std::atomic<uint32_t> sema{2};
  export_test::Semacquire(&sema);
  export_test::Semacquire(&sema);
  REQUIRE(sema.load() == 0);
  REQUIRE_FALSE(rt::cansemacquire(&sema));
  export_test::Semrelease1(&sema, false, 0);
  export_test::Semrelease1(&sema, true, 0);  // no waiter: no handoff, no yield
  REQUIRE(sema.load() == 2);
}

TEST_CASE("a goroutine blocked in semacquire is parked with wait reason semacquire until semrelease readies it",
          "[sema]") {
  export_test::GOMAXPROCSScope procs(1);
  std::atomic<uint32_t> sema{0};
  std::atomic<rt::g*> waiter{nullptr};
  export_test::Latch done;
  go([&] {
    waiter = export_test::Curg();
    export_test::Semacquire(&sema);
    done.Done();
  });
  while (export_test::SemNwait(&sema) == 0) rt::Gosched();
  REQUIRE(export_test::Status(waiter) == rt::_Gwaiting);
  REQUIRE(export_test::WaitReason(waiter) == "semacquire");
  REQUIRE(done.Count() == 0);

  export_test::Semrelease1(&sema, false, 0);
  done.Wait(1);
  REQUIRE(sema.load() == 0);
  REQUIRE(export_test::SemNwait(&sema) == 0);
}

TEST_CASE("semrelease1 with handoff takes the count for the waiter and puts it in runnext", "[sema]") {
  export_test::GOMAXPROCSScope procs(1);
  std::atomic<uint32_t> sema{0};
  std::atomic<rt::g*> waiter{nullptr};
  export_test::Latch done;
  go([&] {
    waiter = export_test::Curg();
    export_test::Semacquire(&sema);
    done.Done();
  });
  while (export_test::SemNwait(&sema) == 0) rt::Gosched();
  {
    // With m.locks != 0 semrelease1 must not goyield: look before the
    // waiter runs.
    export_test::AcquiremScope noyield;
    export_test::Semrelease1(&sema, true, 0);
    REQUIRE(sema.load() == 0);  // the count went to the waiter (its ticket)
    REQUIRE(export_test::SemNwait(&sema) == 0);
    REQUIRE(export_test::Status(waiter) == rt::_Grunnable);
    REQUIRE(export_test::CurP()->runnext.load() == waiter.load());
  }
  done.Wait(1);
  REQUIRE(sema.load() == 0);
}

TEST_CASE("semrelease1 without handoff leaves the count to be raced for, and a woken loser parks again", "[sema]") {
  export_test::GOMAXPROCSScope procs(1);
  std::atomic<uint32_t> sema{0};
  std::atomic<rt::g*> waiter{nullptr};
  export_test::Latch done;
  go([&] {
    waiter = export_test::Curg();
    export_test::Semacquire(&sema);
    done.Done();
  });
  while (export_test::SemNwait(&sema) == 0) rt::Gosched();
  {
    export_test::AcquiremScope noyield;
    export_test::Semrelease1(&sema, false, 0);
    REQUIRE(sema.load() == 1);  // still there: whoever runs first takes it
    REQUIRE(export_test::CurP()->runnext.load() == waiter.load());
    REQUIRE(rt::cansemacquire(&sema));  // we barge in
  }
  // The waiter wakes, finds nothing, and queues again.
  while (export_test::SemNwait(&sema) == 0) rt::Gosched();
  REQUIRE(done.Count() == 0);
  REQUIRE(export_test::WaitReason(waiter) == "semacquire");
  export_test::Semrelease1(&sema, false, 0);
  done.Wait(1);
}

TEST_CASE("semrelease1 with handoff yields the P: the waiter runs before the releaser's next statement",
          "[sema]") {
  export_test::GOMAXPROCSScope procs(1);
  for (int i = 0; i < 20; i++) {
    std::atomic<uint32_t> sema{0};
    std::atomic<int> res{0};
    export_test::Latch done;
    go([&] {
      export_test::Semacquire(&sema);
      int zero = 0;
      res.compare_exchange_strong(zero, 1);
      done.Done();
    });
    while (export_test::SemNwait(&sema) == 0) rt::Gosched();
    export_test::Semrelease1(&sema, true, 0);
    int zero = 0;
    res.compare_exchange_strong(zero, 2);
    done.Wait(1);
    REQUIRE(res.load() == 1);
  }
}

// --- goyield ----------------------------------------------------------------------

TEST_CASE("goyield puts the caller on its P's local run queue, not the global one, behind runnext",
          "[sema][proc]") {
  export_test::GOMAXPROCSScope procs(1);
  rt::g* me = export_test::Curg();
  bool ranFirst = false, inLocal = false, inGlobal = true;
  export_test::Latch done;
  rt::NoPreempt np;  // no preemption may move us to the global queue first
  go([&] {
    ranFirst = true;
    auto local = localRunq(export_test::CurP());
    auto global = export_test::GlobalRunq();
    inLocal = std::find(local.begin(), local.end(), me) != local.end();
    inGlobal = std::find(global.begin(), global.end(), me) != global.end();
    done.Done();
  });
  rt::goyield();  // the new goroutine sits in runnext and runs first
  REQUIRE(ranFirst);
  REQUIRE(inLocal);
  REQUIRE_FALSE(inGlobal);
  done.Wait(1);
}

// --- notify lists -----------------------------------------------------------------

TEST_CASE("notifyList: a notification sent between Add and Wait is not lost, and NotifyOne goes in ticket order",
          "[sema]") {
  export_test::GOMAXPROCSScope procs(1);
  rt::notifyList l;
  // Taken, notified, then waited on: returns at once.
  uint32_t t = rt::notifyListAdd(&l);
  rt::notifyListNotifyOne(&l);
  rt::notifyListWait(&l, t);
  REQUIRE(l.notify.load() == 1);
  REQUIRE(l.head == nullptr);
  // Nothing to notify: the fast path changes nothing.
  rt::notifyListNotifyOne(&l);
  rt::notifyListNotifyAll(&l);
  REQUIRE(l.notify.load() == 1);

  constexpr int n = 4;
  std::vector<int> woke;
  std::vector<rt::g*> gs(n);
  export_test::Latch parked, done;
  for (int i = 0; i < n; i++) {
    go([&, i] {
      uint32_t tk = rt::notifyListAdd(&l);  // tickets 1, 2, 3, 4 in go order
      gs[i] = export_test::Curg();
      parked.Done();
      rt::notifyListWait(&l, tk);
      woke.push_back(i);
      done.Done();
    });
    parked.Wait(i + 1);  // each takes its ticket and parks before the next starts
  }
  for (int i = 0; i < n; i++) {
    while (export_test::Status(gs[i]) != rt::_Gwaiting) rt::Gosched();
    REQUIRE(export_test::WaitReason(gs[i]) == "sync.Cond.Wait");
  }
  rt::notifyListNotifyOne(&l);
  done.Wait(1);
  REQUIRE(woke == std::vector<int>{0});
  rt::notifyListNotifyAll(&l);
  done.Wait(n);
  REQUIRE(woke.size() == size_t(n));
  REQUIRE(l.notify.load() == l.wait.load());
  REQUIRE(l.head == nullptr);
  REQUIRE(l.tail == nullptr);
}

TEST_CASE("less orders notify tickets across the 32-bit wrap", "[sema]") {
  REQUIRE(rt::less(1, 2));
  REQUIRE_FALSE(rt::less(2, 1));
  REQUIRE_FALSE(rt::less(5, 5));
  REQUIRE(rt::less(0xfffffffeu, 1));  // 1 came after the wrap
  REQUIRE_FALSE(rt::less(1, 0xfffffffeu));
}

// --- spinning -----------------------------------------------------------------------

TEST_CASE("sync_runtime_canSpin refuses after active_spin tries and with a single P", "[sema]") {
  {
    export_test::GOMAXPROCSScope procs(1);
    REQUIRE_FALSE(rt::sync_runtime_canSpin(0));  // GOMAXPROCS <= npidle+nmspinning+1
  }
  export_test::GOMAXPROCSScope procs(2);
  for (int i = rt::active_spin; i < rt::active_spin + 3; i++) REQUIRE_FALSE(rt::sync_runtime_canSpin(i));
  if (rt::ncpu <= 1) REQUIRE_FALSE(rt::sync_runtime_canSpin(0));
  rt::sync_runtime_doSpin();  // procyield(30): returns
}

// --- worldsema --------------------------------------------------------------------

TEST_CASE("stopTheWorld parks on worldsema (semacquire) while another goroutine holds it", "[sema][proc]") {
  export_test::GOMAXPROCSScope procs(2);
  export_test::Semacquire(&rt::worldsema);  // as a stopTheWorld in progress would
  std::atomic<rt::g*> stopper{nullptr};
  export_test::Latch done;
  go([&] {
    stopper = export_test::Curg();
    rt::GOMAXPROCS(1);  // stopTheWorld("GOMAXPROCS") waits for worldsema
    done.Done();
  });
  // The wait count rises before the goroutine has parked (semacquire1
  // queues, then goparkunlock): wait for the park itself.
  REQUIRE(export_test::WaitParked(stopper, rt::waitReasonSemacquire, [&] { return done.Count() != 0; }));
  REQUIRE(export_test::SemNwait(&rt::worldsema) == 1);
  REQUIRE(rt::GOMAXPROCS(0) == 2);  // not changed yet
  export_test::Semrelease1(&rt::worldsema, false, 0);
  done.Wait(1);
  REQUIRE(rt::GOMAXPROCS(0) == 1);
  REQUIRE(rt::worldsema.load() == 1);
}
