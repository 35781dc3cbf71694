// chan_test.cpp — channels and select as C++ sees them: element types
// that are only movable, values' lifetimes, handles that share one
// channel, range-for, exceptions for Go's panics, direct hand-off, select's
// clean-up of the queues it lost on, and the crash scenarios of testprog.
// Ports of Go's chan_test.go are in conformance/chan_test.cpp.
#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "runtime/go.h"

#include "export_test.h"
#include "testprog_run.h"

namespace rt = gort::runtime;
using gort::chan;
using gort::go;
using gort::on_default;
using gort::on_recv;
using gort::on_send;
using gort::select;
using Catch::Matchers::Message;

namespace {

int procsSection() {
  int n = 0;
  SECTION("GOMAXPROCS=1") { n = 1; }
  SECTION("GOMAXPROCS=2") { n = 2; }
  return n;
}

// Checks how many sudogs wait on c's receive and send queues.
template <class T>
void requireWaiters(const chan<T>& c, int recvq, int sendq) {
  auto [nr, ns] = export_test::ChanWaiters(c.hchan_());
  INFO("recvq " << nr << ", sendq " << ns);
  REQUIRE(nr == recvq);
  REQUIRE(ns == sendq);
}

// A value that counts the live instances of its type, to catch a value
// the channel leaks or ends twice.
struct Tracked {
  static inline std::atomic<int> live{0};
  int v;
  explicit Tracked(int v = 0) : v(v) { live++; }
  Tracked(Tracked&& o) noexcept : v(o.v) {
    o.v = -1;
    live++;
  }
  Tracked(const Tracked&) = delete;
  Tracked& operator=(Tracked&& o) noexcept {
    v = o.v;
    o.v = -1;
    return *this;
  }
  ~Tracked() { live--; }
};

// An element type with no default constructor (no T{} to return).
struct NoDefault {
  explicit NoDefault(int v) : v(v) {}
  int v;
};

// An element type whose alignment is larger than the channel header's.
struct alignas(64) Wide {
  int v = 0;
};

}  // namespace

// ---------------------------------------------------------------------------
// Element types
// ---------------------------------------------------------------------------

TEST_CASE("move-only values travel through unbuffered and buffered channels", "[chan]") {
  export_test::GOMAXPROCSScope procs(procsSection());
  for (size_t cap : {size_t(0), size_t(1), size_t(3)}) {
    INFO("cap " << cap);
    chan<std::unique_ptr<int>> c(cap);
    go([c] {
      for (int i = 0; i < 100; i++) c.send(std::make_unique<int>(i));
      c.close();
    });
    int i = 0;
    for (std::unique_ptr<int> p : c) {
      REQUIRE(p != nullptr);
      REQUIRE(*p == i++);
    }
    REQUIRE(i == 100);
    // From a closed channel: the zero value, a null unique_ptr.
    REQUIRE(c.recv() == nullptr);
    auto [p, ok] = c.recv2();
    REQUIRE(p == nullptr);
    REQUIRE_FALSE(ok);
  }
}

TEST_CASE("strings longer than the small-string buffer arrive intact", "[chan]") {
  export_test::GOMAXPROCSScope procs(procsSection());
  for (size_t cap : {size_t(0), size_t(2)}) {
    chan<std::string> c(cap);
    go([c] {
      for (int i = 0; i < 50; i++) c.send(std::string(100 + i, char('a' + i % 26)));
    });
    for (int i = 0; i < 50; i++) {
      std::string s = c.recv();
      REQUIRE(s == std::string(100 + i, char('a' + i % 26)));
    }
  }
}

TEST_CASE("select sends and receives move-only values", "[chan]") {
  export_test::GOMAXPROCSScope procs(procsSection());
  chan<std::unique_ptr<int>> a, b;
  std::atomic<int> goodRecvs{0};
  export_test::Latch done;
  go([&, a, b] {
    // The goroutine receives on a or sends on b in one select, twice.
    // (Catch2's REQUIRE is for the test's own goroutine only.)
    for (int i = 0; i < 2; i++) {
      select(on_recv(a, [&](std::unique_ptr<int> p, bool ok) { goodRecvs += ok && p != nullptr && *p == 1; }),
             on_send(b, std::make_unique<int>(2)));
    }
    done.Done();
  });
  // Main sends on a or receives on b, twice: each round pairs up on one.
  int sent = 0, got = 0;
  for (int i = 0; i < 2; i++) {
    select(on_send(a, std::make_unique<int>(1), [&] { sent++; }), on_recv(b, [&](std::unique_ptr<int> p) {
             REQUIRE(*p == 2);
             got++;
           }));
  }
  REQUIRE(sent + got == 2);
  done.Wait(1);
  REQUIRE(goodRecvs == sent);
}

TEST_CASE("every value is ended exactly once: delivered, buffered when the channel goes, or unsent", "[chan]") {
  export_test::GOMAXPROCSScope procs(procsSection());
  REQUIRE(Tracked::live == 0);
  {
    chan<Tracked> c(3);
    c.send(Tracked(1));
    c.send(Tracked(2));
    c.send(Tracked(3));
    REQUIRE(c.recv().v == 1);
    REQUIRE(Tracked::live == 2);  // two in the buffer
    // Direct hand-offs on u; on c a receive from a full buffer whose sender
    // may be parked.
    chan<Tracked> u;
    export_test::Latch done;
    go([u, c, &done]() mutable {
      for (int i = 0; i < 10; i++) u.send(Tracked(i));
      c.send(Tracked(4));
      c.send(Tracked(5));  // full: parks until main receives
      u = c = chan<Tracked>::nil();  // drop this goroutine's handles before main counts
      done.Done();
    });
    for (int i = 0; i < 10; i++) REQUIRE(u.recv().v == i);
    REQUIRE(c.recv().v == 2);
    // A select's unchosen send case drops its value with the case.
    bool dflt = false;
    chan<Tracked> full(0);
    select(on_send(full, Tracked(9)), on_default([&] { dflt = true; }));
    REQUIRE(dflt);
    select(on_send(full, Tracked(9)), on_recv(c, [](Tracked t) { REQUIRE(t.v == 3); }));
    done.Wait(1);
    REQUIRE(c.len() == 2);
    REQUIRE(Tracked::live == 2);
    // c keeps 4 and 5 buffered when its last handle goes.
  }
  REQUIRE(Tracked::live == 0);
}

TEST_CASE("over-aligned elements get an aligned buffer", "[chan]") {
  chan<Wide> c(3);
  REQUIRE(reinterpret_cast<uintptr_t>(c.hchan_()->buf) % alignof(Wide) == 0);
  for (int i = 0; i < 3; i++) c.send(Wide{i});
  for (int i = 0; i < 3; i++) REQUIRE(c.recv().v == i);
}

TEST_CASE("a type without a default constructor travels and ranges", "[chan]") {
  chan<NoDefault> c(2);
  c.send(NoDefault(1));
  c.send(NoDefault(2));
  c.close();
  int sum = 0;
  for (NoDefault v : c) sum += v.v;
  REQUIRE(sum == 3);
}

// ---------------------------------------------------------------------------
// Handles, range-for, len/cap
// ---------------------------------------------------------------------------

TEST_CASE("copies share one channel - a moved-from handle is nil", "[chan]") {
  chan<int> a(2);
  chan<int> b = a;
  REQUIRE(a == b);
  b.send(7);
  REQUIRE(a.len() == 1);
  REQUIRE(a.recv() == 7);
  chan<int> c;
  REQUIRE_FALSE(c == a);
  c = a;
  REQUIRE(c == a);
  chan<int> m = std::move(a);
  REQUIRE(m == b);
  REQUIRE(a == chan<int>::nil());
  REQUIRE(a.len() == 0);
  REQUIRE(a.cap() == 0);
  REQUIRE(m.cap() == 2);
}

TEST_CASE("range-for drains a closed channel and stops - break leaves the rest", "[chan]") {
  chan<int> c(5);
  for (int i = 1; i <= 5; i++) c.send(i);
  c.close();
  std::vector<int> got;
  for (int v : c) {
    got.push_back(v);
    if (v == 2) break;
  }
  REQUIRE(got == std::vector<int>{1, 2});
  REQUIRE(c.len() == 3);
  for (int v : c) got.push_back(v);
  REQUIRE(got == std::vector<int>{1, 2, 3, 4, 5});
  for (int v : c) FAIL("range over a closed, drained channel received " << v);
}

TEST_CASE("the last handle can go while a goroutine is parked on the channel", "[chan]") {
  export_test::GOMAXPROCSScope procs(procsSection());
  auto* holder = new chan<int>();
  std::atomic<rt::g*> gs{nullptr};
  std::string msg;
  export_test::Latch done;
  go([&] {
    gs = export_test::Curg();
    try {
      holder->send(1);
    } catch (const rt::Error& e) {
      msg = e.what();
    }
    done.Done();
  });
  REQUIRE(export_test::WaitParked(gs, rt::waitReasonChanSend, [] { return false; }));
  // Close and drop the only handle: the parked sender still holds the
  // channel (its sudog's reference), and reads c.closed when it wakes.
  holder->close();
  delete holder;
  done.Wait(1);
  REQUIRE(msg == "send on closed channel");
}

// ---------------------------------------------------------------------------
// The runtime's paths
// ---------------------------------------------------------------------------

TEST_CASE("a send to a parked receiver hands the value over directly, bypassing the buffer", "[chan]") {
  export_test::GOMAXPROCSScope procs(procsSection());
  chan<int> c(1);
  std::atomic<rt::g*> gr{nullptr};
  std::atomic<int> got{-1};
  export_test::Latch done;
  go([&, c] {
    gr = export_test::Curg();
    got = c.recv();
    done.Done();
  });
  REQUIRE(export_test::WaitParked(gr, rt::waitReasonChanReceive, [] { return false; }));
  requireWaiters(c, 1, 0);
  c.send(42);
  REQUIRE(c.len() == 0);  // the value went into the receiver's frame, not the buffer
  done.Wait(1);
  REQUIRE(got == 42);
}

TEST_CASE("a receive from a full buffer takes the head and moves the parked sender's value to the tail",
          "[chan]") {
  export_test::GOMAXPROCSScope procs(procsSection());
  chan<int> c(2);
  c.send(0);
  c.send(1);
  std::atomic<rt::g*> gs{nullptr};
  go([&gs, c] {
    gs = export_test::Curg();
    c.send(2);
  });
  REQUIRE(export_test::WaitParked(gs, rt::waitReasonChanSend, [] { return false; }));
  REQUIRE(c.recv() == 0);
  REQUIRE(c.len() == 2);  // the sender's 2 is already in the buffer
  requireWaiters(c, 0, 0);
  REQUIRE(c.recv() == 1);
  REQUIRE(c.recv() == 2);
}

TEST_CASE("a woken select leaves no sudog behind on the channels it did not use", "[chan]") {
  export_test::GOMAXPROCSScope procs(procsSection());
  chan<int> c1, c2;
  std::atomic<rt::g*> gsel{nullptr};
  std::atomic<int> which{0};
  export_test::Latch done;
  go([&, c1, c2] {
    gsel = export_test::Curg();
    select(on_recv(c1, [&](int v) { which = v; }), on_recv(c2, [&](int) { which = -2; }),
           on_send(c1, 5, [&] { which = -3; }), on_recv(chan<int>::nil(), [&] { which = -4; }));
    done.Done();
  });
  REQUIRE(export_test::WaitParked(gsel, rt::waitReasonSelect, [] { return false; }));
  // Queued once per case: c1 twice (receive and send), c2 once.
  requireWaiters(c1, 1, 1);
  requireWaiters(c2, 1, 0);
  c1.send(11);
  done.Wait(1);
  REQUIRE(which == 11);
  requireWaiters(c1, 0, 0);
  requireWaiters(c2, 0, 0);
}

TEST_CASE("select: default only when nothing is ready - nil channels are never ready", "[chan]") {
  chan<int> ready(1), empty(1), nil = chan<int>::nil();
  ready.send(3);
  int chosen = 0;
  select(on_recv(empty, [&] { chosen = 1; }), on_recv(nil, [&] { chosen = 2; }),
         on_recv(ready, [&](int v) { chosen = 10 + v; }), on_default([&] { chosen = -1; }));
  REQUIRE(chosen == 13);
  select(on_recv(empty, [&] { chosen = 1; }), on_send(nil, 1, [&] { chosen = 2; }),
         on_default([&] { chosen = -1; }));
  REQUIRE(chosen == -1);
  // One case and default: the non-blocking operations, on nil too.
  select(on_send(nil, 1, [&] { chosen = 2; }), on_default([&] { chosen = -2; }));
  REQUIRE(chosen == -2);
  select(on_default([&] { chosen = -3; }), on_recv(nil, [&] { chosen = 2; }));
  REQUIRE(chosen == -3);
  // One case: the plain operation.
  select(on_send(ready, 4, [&] { chosen = 4; }));
  REQUIRE(chosen == 4);
  select(on_recv(ready, [&](int v, bool ok) { chosen = ok ? v : -9; }));
  REQUIRE(chosen == 4);
  // A closed channel's receive case is ready, with ok == false.
  empty.close();
  select(on_recv(empty, [&](int v, bool ok) { chosen = ok ? 100 : v - 5; }), on_recv(nil));
  REQUIRE(chosen == -5);
}

TEST_CASE("select picks among ready cases at random, including two cases on one channel", "[chan]") {
  chan<int> c(1000);
  for (int i = 0; i < 1000; i++) c.send(i);
  int first = 0, second = 0;
  for (int i = 0; i < 1000; i++) select(on_recv(c, [&] { first++; }), on_recv(c, [&] { second++; }));
  // Each has probability 1/2; fewer than 400 of 1000 is 6.3 sigma away.
  REQUIRE(first > 400);
  REQUIRE(second > 400);
}

// ---------------------------------------------------------------------------
// Go's panics are exceptions
// ---------------------------------------------------------------------------

TEST_CASE("misuse throws runtime::Error with Go's words", "[chan]") {
  chan<int> c(1);
  c.close();
  REQUIRE_THROWS_MATCHES(c.send(1), rt::Error, Message("send on closed channel"));
  REQUIRE_THROWS_MATCHES(c.close(), rt::Error, Message("close of closed channel"));
  REQUIRE_THROWS_MATCHES(chan<int>::nil().close(), rt::Error, Message("close of nil channel"));
  REQUIRE_THROWS_MATCHES(chan<int>(size_t(-1)), rt::Error, Message("makechan: size out of range"));
  chan<int> d;
  REQUIRE_THROWS_MATCHES(select(on_send(c, 1), on_recv(d)), rt::Error, Message("send on closed channel"));
  REQUIRE_THROWS_MATCHES(select(on_send(c, 1), on_default()), rt::Error, Message("send on closed channel"));
  // The channel still works for receivers after the throws.
  auto [v, ok] = c.recv2();
  REQUIRE(v == 0);
  REQUIRE_FALSE(ok);
}

TEST_CASE("close wakes parked senders, which throw - a parked select's send case throws too", "[chan]") {
  export_test::GOMAXPROCSScope procs(procsSection());
  chan<int> c, d;
  std::atomic<rt::g*> g1{nullptr}, g2{nullptr};
  std::string msg1, msg2;
  export_test::Latch done;
  go([&, c] {
    g1 = export_test::Curg();
    try {
      c.send(1);
    } catch (const rt::Error& e) {
      msg1 = e.what();
    }
    done.Done();
  });
  go([&, c, d] {
    g2 = export_test::Curg();
    try {
      select(on_send(c, 2), on_recv(d));
    } catch (const rt::Error& e) {
      msg2 = e.what();
    }
    done.Done();
  });
  REQUIRE(export_test::WaitParked(g1, rt::waitReasonChanSend, [] { return false; }));
  REQUIRE(export_test::WaitParked(g2, rt::waitReasonSelect, [] { return false; }));
  c.close();
  done.Wait(2);
  REQUIRE(msg1 == "send on closed channel");
  REQUIRE(msg2 == "send on closed channel");
  requireWaiters(d, 0, 0);
}

// ---------------------------------------------------------------------------
// testprog: what can't be caught
// ---------------------------------------------------------------------------

static void requirePanic(const char* scenario, const char* text) {
  auto r = testprog::run(scenario);
  INFO(r.output);
  std::string first = std::string("panic: ") + text + "\n\ngoroutine ";
  REQUIRE(r.output.rfind(first, 0) == 0);
  REQUIRE(r.output.find(" [running]:\n") != std::string::npos);
  REQUIRE(r.exitStatus == 2);
}

TEST_CASE("an uncaught send on a closed channel in a goroutine is Go's panic", "[chan]") {
  requirePanic("ChanSendClosed", "send on closed channel");
}

TEST_CASE("an uncaught close of a closed channel is Go's panic", "[chan]") {
  requirePanic("ChanCloseClosed", "close of closed channel");
}

TEST_CASE("an uncaught close of a nil channel is Go's panic", "[chan]") {
  requirePanic("ChanCloseNil", "close of nil channel");
}

TEST_CASE("main receiving from a channel nobody sends on is a deadlock", "[chan]") {
  for (const char* scenario : {"ChanRecvDeadlock", "ChanNilSendDeadlock"}) {
    auto r = testprog::run(scenario);
    INFO(scenario << "\n" << r.output);
    REQUIRE(r.output.rfind("fatal error: all goroutines are asleep - deadlock!\n", 0) == 0);
    REQUIRE(r.exitStatus == 2);
  }
}

TEST_CASE("GOMAXPROCS=1: go statements, an unbuffered channel and Gosched run in Go 1.19's order",
          "[chan][order]") {
  // Expected: Go 1.19.8 running the same program (see ChanOrder in
  // testprog.cpp for the Go source), 20 runs, one output.
  auto r = testprog::run("ChanOrder", {"GOMAXPROCS=1"});
  INFO(r.output);
  REQUIRE(r.exitStatus == 0);
  REQUIRE(r.output == "s0 r0=0 s1 r0=1 d s2 s3 s4 r2=3 r2=4 d r1=2 s5 r1=5 d \n");
}
