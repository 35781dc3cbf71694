// proc_test.cpp — the scheduler's own behaviour (proc.cpp): run queues,
// goroutine ids, reuse, exit, the GOMAXPROCS variable. Ports of Go's tests
// live in conformance/.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "export_test.h"
#include "runtime/go.h"
#include "testprog_run.h"

using namespace gort;
namespace rt = gort::runtime;

// --- run queues -----------------------------------------------------------

TEST_CASE("the 257th put spills half the local queue plus the new g to the global queue, in order",
          "[runq]") {
  export_test::GOMAXPROCSScope procs(1);
  // Test-made gs pass through the real global queue: a preemption of this
  // goroutine now would let schedule() pick one of them up.
  rt::NoPreempt np;
  auto ownedP = export_test::NewP();
  rt::p* pp = ownedP.get();
  std::vector<rt::g> gs(rt::runqSize + 1);
  auto before = export_test::GlobalRunq();
  for (int i = 0; i < rt::runqSize; i++) rt::runqput(pp, &gs[i], false);
  REQUIRE(export_test::GlobalRunq().size() == before.size());  // 256 fit

  rt::runqput(pp, &gs[rt::runqSize], false);  // the 257th

  auto after = export_test::GlobalRunq();
  REQUIRE(after.size() == before.size() + 129);
  // runqputslow moves the 128 oldest, then the new g, to the global tail.
  for (int i = 0; i < 128; i++) REQUIRE(after[before.size() + i] == &gs[i]);
  REQUIRE(after.back() == &gs[rt::runqSize]);
  // The newest 128 stay local, still FIFO.
  bool inheritTime = false;
  for (int i = 128; i < rt::runqSize; i++) REQUIRE(rt::runqget(pp, &inheritTime) == &gs[i]);
  REQUIRE(rt::runqempty(pp));

  std::vector<rt::g*> ours;
  for (auto& x : gs) ours.push_back(&x);
  REQUIRE(export_test::RemoveFromGlobalRunq(ours) == 129);
}

TEST_CASE("runqput with next kicks the old runnext to the tail - runnext runs first and inherits time",
          "[runq]") {
  auto ownedP = export_test::NewP();
  rt::p* pp = ownedP.get();
  rt::g a, b, c;
  rt::runqput(pp, &a, false);
  rt::runqput(pp, &b, true);
  REQUIRE(pp->runnext.load() == &b);
  rt::runqput(pp, &c, true);  // b is kicked out behind a
  REQUIRE(pp->runnext.load() == &c);

  bool inheritTime = false;
  REQUIRE(rt::runqget(pp, &inheritTime) == &c);
  REQUIRE(inheritTime);
  REQUIRE(rt::runqget(pp, &inheritTime) == &a);
  REQUIRE_FALSE(inheritTime);
  REQUIRE(rt::runqget(pp, &inheritTime) == &b);
  REQUIRE_FALSE(inheritTime);
  REQUIRE(rt::runqget(pp, &inheritTime) == nullptr);
  REQUIRE(rt::runqempty(pp));
}

TEST_CASE("runqempty sees a g that sits only in runnext", "[runq]") {
  auto ownedP = export_test::NewP();
  rt::p* pp = ownedP.get();
  rt::g a;
  REQUIRE(rt::runqempty(pp));
  rt::runqput(pp, &a, true);
  REQUIRE_FALSE(rt::runqempty(pp));
}

TEST_CASE("globrunqget takes min(size, size/gomaxprocs+1, max, 128) and queues all but the first locally",
          "[runq]") {
  export_test::GOMAXPROCSScope procs(1);
  // Test-made gs sit in the real global queue: no preemption meanwhile.
  rt::NoPreempt np;
  const int32_t nprocs = rt::gomaxprocs.load();
  struct tc {
    int size;
    int32_t max;
  };
  for (tc t : {tc{1, 0}, tc{5, 0}, tc{10, 0}, tc{10, 1}, tc{10, 3}, tc{300, 0}, tc{1000, 0}, tc{1000, 200}}) {
    INFO("size " << t.size << " max " << t.max << " gomaxprocs " << nprocs);
    // Only test-made gs may be in the queue while we count.
    REQUIRE(export_test::GlobalRunq().empty());
    std::vector<rt::g> gs(t.size);
    std::vector<rt::g*> ptrs;
    for (auto& x : gs) ptrs.push_back(&x);
    export_test::GlobrunqputAll(ptrs);

    int want = t.size / nprocs + 1;
    if (want > t.size) want = t.size;
    if (t.max > 0 && want > t.max) want = t.max;
    if (want > rt::runqSize / 2) want = rt::runqSize / 2;

    auto ownedP = export_test::NewP();
  rt::p* pp = ownedP.get();
    REQUIRE(export_test::Globrunqget(pp, t.max) == &gs[0]);
    int local = 0;
    bool inheritTime = false;
    while (rt::g* gp = rt::runqget(pp, &inheritTime)) {
      REQUIRE(gp == &gs[1 + local]);  // in global-queue order
      local++;
    }
    REQUIRE(local + 1 == want);
    REQUIRE(export_test::GlobalRunq().size() == size_t(t.size - want));
    export_test::RemoveFromGlobalRunq(ptrs);
  }
}

TEST_CASE("every 61st schedtick the scheduler takes a g from the global queue before the local one",
          "[runq][proc]") {
  export_test::GOMAXPROCSScope procs(1);
  // Spawn 100 goroutines (local queue, the last in runnext), then yield:
  // Gosched puts this goroutine on the global queue. Without the 61-tick
  // check it would run only after all 100; with it, after the first
  // schedule round whose schedtick is a multiple of 61.
  constexpr int n = 100;
  // sysmon would preempt this long-running goroutine (the whole suite runs
  // on it) and shift the count; the region must not be preempted.
  rt::NoPreempt np;
  std::atomic<int> ran{0};
  for (int i = 0; i < n; i++) go([&ran] { ran++; });
  uint32_t s = export_test::CurP()->schedtick;
  rt::Gosched();
  int ranBeforeUs = ran.load();
  // Round 1 checks s: a multiple of 61 takes us at once. Otherwise the
  // runnext g runs inheriting the tick, then each local g adds one, until
  // the tick is a multiple of 61 again.
  int want = (s % 61 == 0) ? 0 : 1 + int(61 - s % 61);
  INFO("schedtick at Gosched " << s);
  REQUIRE(ranBeforeUs == want);
  REQUIRE(ranBeforeUs < n);
  while (ran < n) rt::Gosched();
}

// --- goroutines -------------------------------------------------------------

TEST_CASE("the main goroutine is goroutine 1 and new goroutines get growing ids", "[proc]") {
  REQUIRE(export_test::Goid() == 1);
  // One P: goids come in per-P batches of 16, so a creator that moved to
  // another P (preempted, resumed elsewhere) would continue another batch.
  export_test::GOMAXPROCSScope procs(1);
  constexpr int n = 40;
  std::vector<int64_t> ids(n, 0);
  std::atomic<int> done{0};
  for (int i = 0; i < n; i++)
    go([&ids, &done, i] {
      ids[i] = export_test::Goid();
      done++;
    });
  while (done < n) rt::Gosched();
  // goids are handed out in creation order (per-P batches of 16 from one
  // counter), whatever order the goroutines then run in.
  REQUIRE(ids[0] > 1);
  for (int i = 1; i < n; i++) REQUIRE(ids[i] == ids[i - 1] + 1);
}

TEST_CASE("a finished goroutine's g is reused with its stack by the next go statement", "[proc]") {
  export_test::GOMAXPROCSScope procs(1);
  rt::g* first = nullptr;
  uintptr_t firstStack = 0;
  std::atomic<bool> done{false};
  go([&] {
    first = export_test::Curg();
    firstStack = first->stack.lo;
    done = true;
  });
  while (!done) rt::Gosched();
  // It returned through goexit: dead, and on this P's free list.
  REQUIRE(rt::readgstatus(first) == rt::_Gdead);
  REQUIRE(export_test::CurP()->gFree.list.head == first);

  rt::g* second = nullptr;
  uintptr_t secondStack = 0;
  done = false;
  go([&] {
    second = export_test::Curg();
    secondStack = second->stack.lo;
    done = true;
  });
  while (!done) rt::Gosched();
  REQUIRE(second == first);
  REQUIRE(secondStack == firstStack);
  REQUIRE(second->goid != 0);
}

TEST_CASE("a goroutine's function returns into goexit", "[proc]") {
  // One P: the new goroutine can't run (and end) on another M before the
  // count below is taken; NoPreempt: nor on this one, by a preemption of
  // this goroutine between the go statement and the count.
  export_test::GOMAXPROCSScope procs(1);
  uintptr_t planted = 0;
  int before = rt::NumGoroutine();
  std::atomic<bool> done{false};
  std::optional<rt::NoPreempt> np(std::in_place);
  go([&] {
    rt::g* gp = export_test::Curg();
#if defined(__x86_64__)
    // gostartcall pushed goexit+PCQuantum as the entry's return address,
    // just below the top-of-stack sp newproc1 chose.
    planted = *reinterpret_cast<uintptr_t*>(gp->stktopsp - sizeof(uintptr_t));
#else
    // gostartcall set LR to goexit+PCQuantum; the entry's prologue saved
    // it in its frame record (the asm tests walk it with libunwind).
    planted = reinterpret_cast<uintptr_t>(&rt::goexit) + 4;
    (void)gp;
#endif
    done = true;
  });
  REQUIRE(rt::NumGoroutine() == before + 1);
  np.reset();
  while (!done) rt::Gosched();
#if defined(__x86_64__)
  REQUIRE(planted == reinterpret_cast<uintptr_t>(&rt::goexit) + 1);
#endif
  // Returning through goexit ends the goroutine (goexit1 -> goexit0), on
  // whichever M ran it: wait for the count to drop.
  while (rt::NumGoroutine() > before) rt::Gosched();
  REQUIRE(rt::NumGoroutine() == before);
}

TEST_CASE("a million goroutines are created and finish", "[proc]") {
  constexpr int total = 1000000 / export_test::TSanDivisor, batch = 10000 / export_test::TSanDivisor;
  std::atomic<long long> sum{0};
  std::atomic<int> finished{0};
  for (int b = 0; b < total / batch; b++) {
    for (int i = 0; i < batch; i++)
      go([&sum, &finished](int v) {
        sum += v;
        finished++;
      }, b * batch + i);
    while (finished < (b + 1) * batch) rt::Gosched();
  }
  REQUIRE(finished == total);
  REQUIRE(sum == (long long)total * (total - 1) / 2);
}

namespace {
struct destructorCounter {
  int* n;
  ~destructorCounter() { (*n)++; }
};
void goexitFromDepth(int depth, int* destructed, bool* after) {
  if (depth < 0) return;
  destructorCounter c{destructed};
  if (depth == 0)
    rt::Goexit();
  else
    goexitFromDepth(depth - 1, destructed, after);
  *after = true;  // never reached
}
}  // namespace

TEST_CASE("Goexit from a nested call ends only that goroutine, running its destructors", "[proc]") {
  int destructed = 0;
  bool after = false;
  std::atomic<bool> exited{false}, otherDone{false};
  int before = rt::NumGoroutine();
  go([&] {
    destructorCounter c{&destructed};
    exited = true;
    goexitFromDepth(3, &destructed, &after);
    after = true;
  });
  go([&] {
    rt::Gosched();
    otherDone = true;
  });
  while (!(exited && otherDone)) rt::Gosched();
  while (rt::NumGoroutine() > before) rt::Gosched();
  REQUIRE_FALSE(after);
  REQUIRE(destructed == 5);  // 4 nested frames + the goroutine's own
  REQUIRE(otherDone);
  REQUIRE(rt::NumGoroutine() == before);
}

// --- many Ms ------------------------------------------------------------------

TEST_CASE("a goroutine blocked in a system call hands its P to another M", "[proc][syscall]") {
  // GOMAXPROCS=1: the reader blocks in read() inside SyscallGuard while
  // holding the only P in _Psyscall; sysmon's retake must hand that P to
  // another M, or the worker below could never run.
  export_test::GOMAXPROCSScope procs(1);
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  std::atomic<bool> readerStarted{false}, readerDone{false}, workerDone{false};
  std::atomic<bool> workerSawReaderBlocked{false};
  std::atomic<ssize_t> nread{-1};
  export_test::Latch started, worker, reader;
  go([&] {
    readerStarted = true;
    started.Done();
    char c = 0;
    {
      rt::SyscallGuard sys;
      nread = read(fds[0], &c, 1);
    }
    readerDone = true;
    reader.Done();
  });
  started.Wait(1);
  go([&] {
    workerSawReaderBlocked = !readerDone.load();
    workerDone = true;
    worker.Done();
  });
  worker.Wait(1);
  REQUIRE(workerDone);
  REQUIRE(workerSawReaderBlocked);
  REQUIRE_FALSE(readerDone);
  char c = 'x';
  REQUIRE(write(fds[1], &c, 1) == 1);
  reader.Wait(1);
  REQUIRE(readerDone);
  REQUIRE(nread == 1);
  close(fds[0]);
  close(fds[1]);
}

TEST_CASE("entersyscallblock hands the P off at once", "[proc][syscall]") {
  export_test::GOMAXPROCSScope procs(1);
  rt::p* before = export_test::CurP();
  rt::entersyscallblock();
  // The P went to another M (or the idle list) right away, not to sysmon.
  REQUIRE(rt::getg()->m->p == nullptr);
  REQUIRE(before->status.load() != rt::_Psyscall);
  rt::exitsyscall();
  REQUIRE(export_test::CurP() != nullptr);
  REQUIRE(rt::readgstatus(export_test::Curg()) == rt::_Grunning);
}

TEST_CASE("thousands of goroutines pass a token while GOMAXPROCS flips - each runs exactly once",
          "[proc][stress]") {
  constexpr int n = 2000;
  const int oldprocs = rt::GOMAXPROCS(0);
  std::vector<std::atomic<int>> ran(n);
  std::atomic<int> token{0};
  export_test::Latch done;
  for (int i = 0; i < n; i++)
    go([&](int i) {
      // Wait for the token, take it, pass it on.
      while (token.load() != i) rt::Gosched();
      ran[i]++;
      token.store(i + 1);
      done.Done();
    }, i);
  std::atomic<bool> flipping{true};
  export_test::Latch flipped;
  go([&] {
    for (int k = 0; k < 100; k++) rt::GOMAXPROCS(k % 2 == 0 ? 1 : 2);
    flipping = false;
    flipped.Done();
  });
  done.Wait(n);
  flipped.Wait(1);
  rt::GOMAXPROCS(oldprocs);
  REQUIRE(token.load() == n);
  for (int i = 0; i < n; i++) {
    INFO("goroutine " << i);
    REQUIRE(ran[i].load() == 1);
  }
}

// --- the environment --------------------------------------------------------

TEST_CASE("GOMAXPROCS from the environment is read as Go's atoi32 reads it: a minus sign and digits only",
          "[proc][env]") {
  testprog::result base = testprog::run("PrintGOMAXPROCS");
  CAPTURE(base.output);
  REQUIRE(base.exitStatus == 0);
  int ncpu = std::stoi(base.output);
  REQUIRE(ncpu > 0);

  std::string more = std::to_string(ncpu + 1);
  testprog::result r = testprog::run("PrintGOMAXPROCS", {"GOMAXPROCS=" + more});
  CAPTURE(r.output);
  REQUIRE(r.output == more + "\n");

  // Zero and negative numbers parse, and schedinit keeps ncpu for them.
  for (const char* v : {"0", "-1", "-"}) {
    r = testprog::run("PrintGOMAXPROCS", {std::string("GOMAXPROCS=") + v});
    CAPTURE(v, r.output);
    REQUIRE(r.output == base.output);
  }
  // Not numbers to Go's atoi32 (strtol would take the first three): ncpu,
  // and one line saying so.
  std::vector<std::string> notNumbers{" " + more, "+" + more, more + " ", "0x3", "99999999999", "abc"};
  for (const std::string& v : notNumbers) {
    r = testprog::run("PrintGOMAXPROCS", {"GOMAXPROCS=" + v});
    CAPTURE(v, r.output);
    REQUIRE(r.exitStatus == 0);
    REQUIRE(r.output == "runtime: GOMAXPROCS=" + v + ": not a number, ignored\n" + base.output);
  }
}
