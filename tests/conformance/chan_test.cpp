// chan_test.cpp — ports of Go 1.19's runtime/chan_test.go, plus the two
// proc_test.go tests that are about channel operations (TestBlockLocked,
// TestGetgThreadSwitch). Each TEST_CASE names the Go test; counts are Go's
// -short values. Where Go sleeps 1ms so that a goroutine blocks, the port
// waits until the goroutine is parked with the expected wait reason
// (export_test::WaitParked), which is what the sleep hopes for. Go's
// sync.WaitGroup joins become export_test::Latch (sync is another file).
#include <catch2/catch.hpp>

#include <any>
#include <atomic>
#include <cmath>
#include <map>
#include <memory>
#include <vector>

#include "runtime/go.h"

#include "export_test.h"

namespace rt = gort::runtime;
using gort::chan;
using gort::go;
using gort::on_default;
using gort::on_recv;
using gort::on_send;
using gort::select;

namespace {
// GOMAXPROCS for this SECTION: 1 and 2 everywhere, plus Go's own value
// where the Go test sets one.
int procsSection(std::initializer_list<int> extra = {}) {
  int n = 0;
  SECTION("GOMAXPROCS=1") { n = 1; }
  SECTION("GOMAXPROCS=2") { n = 2; }
  for (int e : extra) {
    DYNAMIC_SECTION("GOMAXPROCS=" << e) { n = e; }
  }
  return n;
}
}  // namespace

TEST_CASE("TestChan: blocking, non-blocking, close, FIFO, fan-in/out and len/cap for caps 0..19",
          "[conformance][chan]") {
  export_test::GOMAXPROCSScope procs(procsSection({4}));
  const int N = 20;  // Go: 200, 20 with -short
  for (int chanCap = 0; chanCap < N; chanCap++) {
    INFO("chan[" << chanCap << "]");
    {
      // Ensure that receive from empty chan blocks.
      chan<int> c(chanCap);
      std::atomic<bool> recv1{false}, recv2{false};
      std::atomic<rt::g*> g1{nullptr}, g2{nullptr};
      export_test::Latch exited;
      go([&, c] {
        g1 = export_test::Curg();
        (void)c.recv();
        recv1 = true;
        exited.Done();
      });
      go([&, c] {
        g2 = export_test::Curg();
        (void)c.recv2();
        recv2 = true;
        exited.Done();
      });
      auto received = [&] { return recv1 || recv2; };
      REQUIRE(export_test::WaitParked(g1, rt::waitReasonChanReceive, received));
      REQUIRE(export_test::WaitParked(g2, rt::waitReasonChanReceive, received));
      REQUIRE_FALSE(received());  // receive from empty chan
      // Ensure that non-blocking receive does not block.
      bool dflt = false;
      select(on_recv(c, [](int) { FAIL("receive from empty chan"); }), on_default([&] { dflt = true; }));
      REQUIRE(dflt);
      dflt = false;
      select(on_recv(c, [](int, bool) { FAIL("receive from empty chan"); }), on_default([&] { dflt = true; }));
      REQUIRE(dflt);
      c.send(0);
      c.send(0);
      exited.Wait(2);
      REQUIRE(recv1);
      REQUIRE(recv2);
    }

    {
      // Ensure that send to full chan blocks.
      chan<int> c(chanCap);
      for (int i = 0; i < chanCap; i++) c.send(i);
      std::atomic<uint32_t> sent{0};
      std::atomic<rt::g*> gs{nullptr};
      export_test::Latch exited;
      go([&, c] {
        gs = export_test::Curg();
        c.send(0);
        sent = 1;
        exited.Done();
      });
      REQUIRE(export_test::WaitParked(gs, rt::waitReasonChanSend, [&] { return sent != 0; }));
      REQUIRE(sent == 0);  // send to full chan
      // Ensure that non-blocking send does not block.
      bool dflt = false;
      select(on_send(c, 0, [] { FAIL("send to full chan"); }), on_default([&] { dflt = true; }));
      REQUIRE(dflt);
      (void)c.recv();
      exited.Wait(1);
    }

    {
      // Ensure that we receive 0 from closed chan.
      chan<int> c(chanCap);
      for (int i = 0; i < chanCap; i++) c.send(i);
      c.close();
      for (int i = 0; i < chanCap; i++) {
        int v = c.recv();
        REQUIRE(v == i);
      }
      REQUIRE(c.recv() == 0);
      auto [v, ok] = c.recv2();
      REQUIRE(v == 0);
      REQUIRE_FALSE(ok);
    }

    {
      // Ensure that close unblocks receive.
      chan<int> c(chanCap);
      chan<bool> done;
      std::atomic<rt::g*> gr{nullptr};
      go([&gr, c, done] {
        gr = export_test::Curg();
        auto [v, ok] = c.recv2();
        done.send(v == 0 && ok == false);
      });
      REQUIRE(export_test::WaitParked(gr, rt::waitReasonChanReceive, [] { return false; }));
      c.close();
      REQUIRE(done.recv());  // received non zero from closed chan
    }

    {
      // Send 100 integers, ensure that we receive them non-corrupted in
      // FIFO order.
      chan<int> c(chanCap);
      go([c] {
        for (int i = 0; i < 100; i++) c.send(i);
      });
      for (int i = 0; i < 100; i++) {
        int v = c.recv();
        REQUIRE(v == i);
      }

      // Same, but using recv2.
      go([c] {
        for (int i = 0; i < 100; i++) c.send(i);
      });
      for (int i = 0; i < 100; i++) {
        auto [v, ok] = c.recv2();
        REQUIRE(ok);
        REQUIRE(v == i);
      }

      // Send 1000 integers in 4 goroutines, ensure that we receive what we
      // send.
      constexpr int P = 4;
      constexpr int L = 1000;
      for (int p = 0; p < P; p++) {
        go([c] {
          for (int i = 0; i < L; i++) c.send(i);
        });
      }
      chan<std::map<int, int>> done;
      for (int p = 0; p < P; p++) {
        go([c, done] {
          std::map<int, int> recv;
          for (int i = 0; i < L; i++) {
            int v = c.recv();
            recv[v] = recv[v] + 1;
          }
          done.send(std::move(recv));
        });
      }
      std::map<int, int> recv;
      for (int p = 0; p < P; p++) {
        for (auto [k, v] : done.recv()) recv[k] = recv[k] + v;
      }
      REQUIRE(recv.size() == size_t(L));
      for (auto [k, v] : recv) REQUIRE(v == P);
    }

    {
      // Test len/cap.
      chan<int> c(chanCap);
      REQUIRE(c.len() == 0);
      REQUIRE(c.cap() == size_t(chanCap));
      for (int i = 0; i < chanCap; i++) c.send(i);
      REQUIRE(c.len() == size_t(chanCap));
      REQUIRE(c.cap() == size_t(chanCap));
    }
  }
}

TEST_CASE("TestNonblockRecvRace: a non-blocking receive racing with close never takes default",
          "[conformance][chan]") {
  export_test::GOMAXPROCSScope procs(procsSection());
  const int n = 100;  // Go: 10000, 100 with -short
  std::atomic<int> notReady{0};
  export_test::Latch exited;
  for (int i = 0; i < n; i++) {
    chan<int> c(1);
    c.send(1);
    go([&, c] {
      select(on_recv(c), on_default([&] { notReady++; }));  // t.Error("chan is not ready")
      exited.Done();
    });
    c.close();
    (void)c.recv();
    REQUIRE(notReady == 0);
  }
  exited.Wait(n);
  REQUIRE(notReady == 0);
}

// This test checks that select acts on the state of the channels at one
// moment in the execution, not over a smeared time window. In the test,
// one goroutine does:
//
//	create c1, c2
//	make c1 ready for receiving
//	create second goroutine
//	make c2 ready for receiving
//	make c1 no longer ready for receiving (if possible)
//
// The second goroutine does a non-blocking select receiving from c1 and
// c2. From the time the second goroutine is created, at least one of c1
// and c2 is always ready for receiving, so the select in the second
// goroutine must always receive from one or the other. It must never
// execute the default case.
TEST_CASE("TestNonblockSelectRace: a non-blocking select sees one moment, never default while a case is ready",
          "[conformance][chan]") {
  export_test::GOMAXPROCSScope procs(procsSection());
  const int n = 1000 / export_test::TSanDivisor;  // Go: 100000, 1000 with -short
  chan<bool> done(1);
  for (int i = 0; i < n; i++) {
    chan<int> c1(1), c2(1);
    c1.send(1);
    go([c1, c2, done] {
      bool ok = true;
      select(on_recv(c1), on_recv(c2), on_default([&] { ok = false; }));
      done.send(ok);
    });
    c2.send(1);
    select(on_recv(c1), on_default());
    REQUIRE(done.recv());  // no chan is ready
  }
}

// Same as TestNonblockSelectRace, but close(c2) replaces c2 <- 1.
TEST_CASE("TestNonblockSelectRace2: the same with close(c2) making c2 ready", "[conformance][chan]") {
  export_test::GOMAXPROCSScope procs(procsSection());
  const int n = 1000 / export_test::TSanDivisor;  // Go: 100000, 1000 with -short
  chan<bool> done(1);
  for (int i = 0; i < n; i++) {
    chan<int> c1(1), c2;
    c1.send(1);
    go([c1, c2, done] {
      bool ok = true;
      select(on_recv(c1), on_recv(c2), on_default([&] { ok = false; }));
      done.send(ok);
    });
    c2.close();
    select(on_recv(c1), on_default());
    REQUIRE(done.recv());  // no chan is ready
  }
}

TEST_CASE("TestSelfSelect: a select sending and receiving on one channel neither crashes, deadlocks nor "
          "receives its own value",
          "[conformance][chan]") {
  // Ensure that send/recv on the same chan in select does not crash nor
  // deadlock.
  export_test::GOMAXPROCSScope procs(procsSection());
  for (int chanCap : {0, 10}) {
    INFO("chan cap " << chanCap);
    export_test::Latch wg;
    std::atomic<int> selfReceives{0};
    chan<int> c(chanCap);
    for (int p = 0; p < 2; p++) {
      go([&, c, p] {
        for (int i = 0; i < 1000; i++) {
          auto check = [&](int v) {
            if (chanCap == 0 && v == p) selfReceives++;  // t.Errorf("self receive")
          };
          if (p == 0 || i % 2 == 0)
            select(on_send(c, p), on_recv(c, check));
          else
            select(on_recv(c, check), on_send(c, p));
        }
        wg.Done();
      });
    }
    wg.Wait(2);
    REQUIRE(selfReceives == 0);
  }
}

TEST_CASE("TestSelectStress: senders, receivers and selects on four channels interact without deadlock",
          "[conformance][chan]") {
  export_test::GOMAXPROCSScope procs(procsSection({10}));
  std::array<chan<int>, 4> c{chan<int>(0), chan<int>(0), chan<int>(2), chan<int>(3)};
  const int N = 10000 / export_test::TSanDivisor;  // Go: 1e5, 1e4 with -short
  // There are 4 goroutines that send N values on each of the chans,
  // + 4 goroutines that receive N values on each of the chans,
  // + 1 goroutine that sends N values on each of the chans in a single select,
  // + 1 goroutine that receives N values on each of the chans in a single select.
  // All these sends, receives and selects interact chaotically at runtime,
  // but we are careful that this whole construct does not deadlock.
  export_test::Latch wg;
  for (int k = 0; k < 4; k++) {
    go([&, k] {
      for (int i = 0; i < N; i++) c[k].send(0);
      wg.Done();
    });
    go([&, k] {
      for (int i = 0; i < N; i++) (void)c[k].recv();
      wg.Done();
    });
  }
  go([&] {
    std::array<int, 4> n{};
    auto c1 = c;
    auto sent = [&](int k) {
      return [&, k] {
        n[k]++;
        if (n[k] == N) c1[k] = chan<int>::nil();
      };
    };
    for (int i = 0; i < 4 * N; i++) {
      select(on_send(c1[3], 0, sent(3)), on_send(c1[2], 0, sent(2)), on_send(c1[0], 0, sent(0)),
             on_send(c1[1], 0, sent(1)));
    }
    wg.Done();
  });
  go([&] {
    std::array<int, 4> n{};
    auto c1 = c;
    auto received = [&](int k) {
      return [&, k] {
        n[k]++;
        if (n[k] == N) c1[k] = chan<int>::nil();
      };
    };
    for (int i = 0; i < 4 * N; i++) {
      select(on_recv(c1[0], received(0)), on_recv(c1[1], received(1)), on_recv(c1[2], received(2)),
             on_recv(c1[3], received(3)));
    }
    wg.Done();
  });
  wg.Wait(10);
}

TEST_CASE("TestSelectFairness: two ready cases are chosen about equally often", "[conformance][chan]") {
  constexpr int trials = 10000;
  chan<uint8_t> c1(trials + 1), c2(trials + 1);
  for (int i = 0; i < trials + 1; i++) {
    c1.send(1);
    c2.send(2);
  }
  chan<uint8_t> c3, c4, out, done;
  export_test::Latch wg;
  go([=, &wg] {
    for (;;) {
      uint8_t b = 0;
      auto set = [&b](uint8_t v) { b = v; };
      select(on_recv(c3, set), on_recv(c4, set), on_recv(c1, set), on_recv(c2, set));
      bool quit = false;
      select(on_send(out, b), on_recv(done, [&] { quit = true; }));
      if (quit) break;
    }
    wg.Done();
  });
  int cnt1 = 0, cnt2 = 0;
  for (int i = 0; i < trials; i++) {
    switch (uint8_t b = out.recv()) {
      case 1: cnt1++; break;
      case 2: cnt2++; break;
      default: FAIL("unexpected value " << int(b) << " on channel");
    }
  }
  // If the select in the goroutine is fair, cnt1 and cnt2 should be about
  // the same value. With 10,000 trials, the expected margin of error at a
  // confidence level of six nines is 4.891676 / (2 * Sqrt(10000)).
  double r = double(cnt1) / trials;
  double e = std::abs(r - 0.5);
  INFO(cnt1 << " " << cnt2 << " " << r << " " << e);
  REQUIRE(e <= 4.891676 / (2 * std::sqrt(double(trials))));  // unfair select
  done.close();
  wg.Wait(1);
}

TEST_CASE("TestPseudoRandomSend: a select between sending 1 and 0 sends both", "[conformance][chan]") {
  constexpr int n = 100;
  for (int chanCap : {0, n}) {
    INFO("chan cap " << chanCap);
    chan<int> c(chanCap);
    std::vector<int> l(n);
    export_test::Latch m;  // Go: a sync.Mutex locked by main, unlocked by the goroutine
    go([&, c] {
      for (int i = 0; i < n; i++) {
        rt::Gosched();
        l[i] = c.recv();
      }
      m.Done();
    });
    for (int i = 0; i < n; i++) select(on_send(c, 1), on_send(c, 0));
    m.Wait(1);  // wait
    int n0 = 0, n1 = 0;
    for (int i : l) {
      n0 += (i + 1) % 2;
      n1 += i;
    }
    INFO("Want pseudorandom, got " << n0 << " zeros and " << n1 << " ones");
    REQUIRE(n0 > n / 10);
    REQUIRE(n1 > n / 10);
  }
}

TEST_CASE("TestMultiConsumer: 23 workers ranging over one channel lose and duplicate nothing",
          "[conformance][chan]") {
  constexpr int nwork = 23;
  const int niter = 271828 / export_test::TSanDivisor;
  static const int pn[] = {2, 3, 7, 11, 13, 17, 19, 23, 27, 31};
  constexpr int npn = int(sizeof pn / sizeof pn[0]);

  chan<int> q(nwork * 3), r(nwork * 3);

  // workers
  export_test::Latch wg;
  for (int i = 0; i < nwork; i++) {
    go([&wg, q, r](int w) {
      for (int v : q) {
        // mess with the fifo-ish nature of range
        if (pn[w % npn] == v) rt::Gosched();
        r.send(v);
      }
      wg.Done();
    }, i);
  }

  // feeder & closer
  int64_t expect = 0;
  go([&, q, r] {
    for (int i = 0; i < niter; i++) {
      int v = pn[i % npn];
      expect += v;
      q.send(v);
    }
    q.close();       // no more work
    wg.Wait(nwork);  // workers done
    r.close();       // ... so there can be no more results
  });

  // consume & check
  int n = 0;
  int64_t s = 0;
  for (int v : r) {
    n++;
    s += v;
  }
  REQUIRE(n == niter);
  REQUIRE(s == expect);
}

TEST_CASE("TestSelectDuplicateChannel: a select queued twice on one channel leaves its queue intact",
          "[conformance][chan]") {
  // This test makes sure we can queue a G on the same channel multiple
  // times.
  chan<int> c, d, e;
  std::atomic<rt::g*> ga{nullptr}, gb{nullptr};

  // goroutine A
  go([&ga, c, d, e] {
    ga = export_test::Curg();
    select(on_recv(c), on_recv(c), on_recv(d));
    e.send(9);
  });
  // make sure goroutine A gets queued first on c (Go: sleeps 1ms)
  REQUIRE(export_test::WaitParked(ga, rt::waitReasonSelect, [] { return false; }));

  // goroutine B
  export_test::Latch bdone;
  go([&gb, &bdone, c] {
    gb = export_test::Curg();
    (void)c.recv();
    bdone.Done();
  });
  // make sure goroutine B gets queued on c before continuing
  REQUIRE(export_test::WaitParked(gb, rt::waitReasonChanReceive, [] { return false; }));

  d.send(7);      // wake up A, it dequeues itself from c.  This operation used to corrupt c.recvq.
  (void)e.recv();  // A tells us it's done
  c.send(8);      // wake up B.  This operation used to fail because c.recvq was corrupted (it tries to wake up an already running G instead of B)
  bdone.Wait(1);
}

// proc_test.go: TestBlockLocked
TEST_CASE("TestBlockLocked: a goroutine locked to its thread blocks and resumes on channel sends",
          "[conformance][chan]") {
  export_test::GOMAXPROCSScope procs(procsSection());
  constexpr int N = 10;
  chan<bool> c;
  go([c] {
    rt::LockOSThread();
    for (int i = 0; i < N; i++) c.send(true);
    rt::UnlockOSThread();
  });
  for (int i = 0; i < N; i++) REQUIRE(c.recv());
}

// proc_test.go: TestGetgThreadSwitch (export_test.go: RunGetgThreadSwitchTest)
TEST_CASE("TestGetgThreadSwitch: getg() after a receive that may move threads is still the same g",
          "[conformance][chan]") {
  export_test::GOMAXPROCSScope procs(procsSection());
  // Test that getg works correctly with thread switch. If getg is inlined
  // as a TLS read whose address the compiler caches, the cached address
  // becomes invalid after a thread switch. This test checks that the bad
  // caching doesn't happen.
  chan<int> ch;
  go([](chan<int> ch) {
    ch.send(5);
    rt::LockOSThread();
  }, ch);

  rt::g* g1 = rt::getg();

  // Block on a receive. This is likely to get us a thread switch. If we
  // yield to the sender goroutine, it will lock the thread, forcing us to
  // resume on a different thread.
  REQUIRE(ch.recv() == 5);

  rt::g* g2 = rt::getg();
  REQUIRE(g1 == g2);

  // Also test getg after some control flow, as the backend is sensitive to
  // control flow.
  rt::g* g3 = rt::getg();
  REQUIRE(g1 == g3);
}

namespace {
// chan_test.go: TestSelectStackAdjust's f, below Go's
// stackGrowthRecursive((10 << 10) / (128 * 8)): 10 frames of 1 KiB. gort:
// stacks don't move, so instead of growing the stack and letting a GC
// shrink it, f selects from the bottom of those frames: the receive slot
// and cx live in a deep frame while the goroutine is parked in select,
// and must be intact when it wakes.
void selectStackAdjustF(int depth, chan<int*> c, chan<int*> d, chan<bool> ready, bool dup,
                        std::atomic<rt::g*>* gp, std::atomic<int>* errors) {
  if (depth > 0) {
    volatile char pad[1024];
    pad[0] = char(depth);
    selectStackAdjustF(depth - 1, c, d, ready, dup, gp, errors);
    (void)pad[0];
    return;
  }
  *gp = export_test::Curg();
  ready.send(true);

  int val = 42;
  int* cx = &val;

  chan<int*> c2 = chan<int*>::nil();
  chan<int*> d2 = chan<int*>::nil();
  if (dup) {
    c2 = c;
    d2 = d;
  }

  // Receive from d. cx won't be affected.
  select(on_recv(c, [&cx](int* v) { cx = v; }), on_recv(c2), on_recv(d), on_recv(d2));

  // Check that pointer in cx was adjusted correctly.
  if (cx != &val) {
    (*errors)++;  // cx no longer points to val
  } else if (val != 42) {
    (*errors)++;  // val changed
  } else {
    *cx = 43;
    if (val != 43) (*errors)++;  // changing *cx failed to change val
  }
  ready.send(true);
}
}  // namespace

TEST_CASE("TestSelectStackAdjust: a select parked in a deep frame wakes with its frame's pointers intact",
          "[conformance][chan]") {
  chan<int*> c, d;
  chan<bool> ready1, ready2;
  std::atomic<rt::g*> g1{nullptr}, g2{nullptr};
  std::atomic<int> errors{0};

  go(selectStackAdjustF, 10, c, d, ready1, false, &g1, &errors);
  go(selectStackAdjustF, 10, c, d, ready2, true, &g2, &errors);

  // Let the goroutines get into the select (Go: sleeps 10ms).
  ready1.recv();
  ready2.recv();
  REQUIRE(export_test::WaitParked(g1, rt::waitReasonSelect, [] { return false; }));
  REQUIRE(export_test::WaitParked(g2, rt::waitReasonSelect, [] { return false; }));

  // Wake selects.
  d.close();
  ready1.recv();
  ready2.recv();
  REQUIRE(errors == 0);
}

// chan_test.go: TestChanSendInterface. Sends of an interface value (Go:
// chan any; gort: std::any) to a full buffered channel in a select with a
// default take the default, and the buffered value stays the first one.
TEST_CASE("TestChanSendInterface: select sends of interface values to a full channel take default",
          "[conformance][chan]") {
  struct mt {};
  mt m;
  chan<std::any> c(1);
  c.send(std::any(&m));
  int defaults = 0;
  select(on_send(c, std::any(&m), [] {}), on_default([&] { defaults++; }));
  select(on_send(c, std::any(&m), [] {}), on_send(c, std::any(std::make_shared<mt>()), [] {}),
         on_default([&] { defaults++; }));
  REQUIRE(defaults == 2);
  std::any got = c.recv();
  REQUIRE(std::any_cast<mt*>(got) == &m);
}
