// netpoll_test.cpp — runtime/netpoll.cpp, netpoll_epoll.cpp and the TCP
// API on top of them (runtime/net.h): goroutines that wait on sockets park
// in "IO wait" and the scheduler's polls bring them back.
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/go.h"
#include "runtime/net.h"

#include "export_test.h"

namespace rt = gort::runtime;
namespace net = gort::net;
namespace gtime = gort::time;
using namespace std::chrono_literals;

namespace {

// A listener on a loopback port the kernel picks.
net::Listener listenLoopback() {
  auto [ln, err] = net::Listen("tcp", "127.0.0.1:0");
  REQUIRE_FALSE(err);
  return std::move(ln);
}

// Go 1.19 raises the soft RLIMIT_NOFILE to the hard limit at startup (os
// package); the tests that open many sockets do the same.
void raiseNofile() {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

// Reads exactly n bytes (io.ReadFull).
std::error_code readFull(net::Conn& c, char* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    auto [k, err] = c.Read(buf + got, n - got);
    if (err) return err;
    got += k;
  }
  return {};
}

// An echo server: one goroutine per connection, as a Go server would.
// Returns once the listener is closed; conns counts served connections.
void echoServer(net::Listener* ln, gort::sync::WaitGroup* served, export_test::ExitTracker* exited) {
  exited->Track();
  for (;;) {
    auto [c, err] = ln->Accept();
    if (err) return;
    served->Add(1);
    gort::go(
        [served, exited](net::Conn c) {
          exited->Track();
          char buf[4096];
          for (;;) {
            auto [n, err] = c.Read(buf, sizeof buf);
            if (err) break;
            auto [w, werr] = c.Write(buf, n);
            if (werr || w != n) break;
          }
          c.Close();
          served->Done();
        },
        std::move(c));
  }
}

}  // namespace

TEST_CASE("net: Dial, Accept, Write and Read a line over loopback", "[netpoll]") {
  net::Listener ln = listenLoopback();
  std::string addr = ln.Addr();
  REQUIRE(addr.rfind("127.0.0.1:", 0) == 0);
  gort::chan<std::string> got(1);
  export_test::ExitTracker exited;
  gort::go([&ln, got, &exited] {
    exited.Track();
    auto [c, err] = ln.Accept();
    if (err) return got.send("accept: " + err.message());
    char buf[64];
    auto [n, rerr] = c.Read(buf, sizeof buf);
    got.send(rerr ? "read: " + rerr.message() : std::string(buf, n));
  });
  auto [c, err] = net::Dial("tcp", addr);
  REQUIRE_FALSE(err);
  REQUIRE(c.RemoteAddr() == addr);
  auto [n, werr] = c.Write("hello", 5);
  REQUIRE_FALSE(werr);
  REQUIRE(n == 5);
  REQUIRE(got.recv() == "hello");
  REQUIRE_FALSE(c.Close());
  REQUIRE(c.Close() == net::errc::closed);
  exited.Wait();
}

TEST_CASE("net: a Read with no data parks its goroutine in IO wait, not its M", "[netpoll]") {
  // One P: the writer below can only run if the reader gave the P up.
  export_test::GOMAXPROCSScope procs(1);
  net::Listener ln = listenLoopback();
  auto [client, err] = net::Dial("tcp", ln.Addr());
  REQUIRE_FALSE(err);
  auto [server, aerr] = ln.Accept();
  REQUIRE_FALSE(aerr);
  std::atomic<rt::g*> reader{nullptr};
  std::atomic<bool> readDone{false};
  gort::chan<std::string> got(1);
  export_test::ExitTracker exited;
  gort::go([&] {
    exited.Track();
    reader = export_test::Curg();
    char buf[16];
    auto [n, rerr] = server.Read(buf, sizeof buf);
    readDone = true;
    got.send(rerr ? "error: " + rerr.message() : std::string(buf, n));
  });
  REQUIRE(export_test::WaitParked(reader, rt::waitReasonIOWait, [&] { return readDone.load(); }));
  REQUIRE(export_test::WaitReason(reader.load()) == "IO wait");
  REQUIRE(export_test::NetpollWaiters() >= 1);
  client.Write("ping", 4);
  REQUIRE(got.recv() == "ping");
  exited.Wait();
}

TEST_CASE("net: Read returns EOF when the peer closes", "[netpoll]") {
  net::Listener ln = listenLoopback();
  auto [client, err] = net::Dial("tcp", ln.Addr());
  REQUIRE_FALSE(err);
  auto [server, aerr] = ln.Accept();
  REQUIRE_FALSE(aerr);
  client.Write("x", 1);
  client.Close();
  char buf[8];
  auto [n, rerr] = server.Read(buf, sizeof buf);
  REQUIRE(n == 1);
  REQUIRE_FALSE(rerr);
  auto [n2, rerr2] = server.Read(buf, sizeof buf);
  REQUIRE(n2 == 0);
  REQUIRE(rerr2 == net::errc::eof);
}

TEST_CASE("net: Close wakes a parked Read and a parked Accept with ErrClosed", "[netpoll]") {
  net::Listener ln = listenLoopback();
  auto [client, err] = net::Dial("tcp", ln.Addr());
  REQUIRE_FALSE(err);
  auto [server, aerr] = ln.Accept();
  REQUIRE_FALSE(aerr);

  std::atomic<rt::g*> reader{nullptr}, acceptor{nullptr};
  std::atomic<bool> readDone{false}, acceptDone{false};
  gort::chan<std::error_code> rres(1), ares(1);
  export_test::ExitTracker exited;
  gort::go([&] {
    exited.Track();
    reader = export_test::Curg();
    char buf[8];
    auto [n, rerr] = server.Read(buf, sizeof buf);
    readDone = true;
    rres.send(rerr);
  });
  gort::go([&] {
    exited.Track();
    acceptor = export_test::Curg();
    auto [c, e] = ln.Accept();
    acceptDone = true;
    ares.send(e);
  });
  REQUIRE(export_test::WaitParked(reader, rt::waitReasonIOWait, [&] { return readDone.load(); }));
  REQUIRE(export_test::WaitParked(acceptor, rt::waitReasonIOWait, [&] { return acceptDone.load(); }));
  REQUIRE_FALSE(server.Close());
  REQUIRE_FALSE(ln.Close());
  REQUIRE(rres.recv() == net::errc::closed);
  REQUIRE(ares.recv() == net::errc::closed);
  auto [n, e2] = server.Read(nullptr, 0);
  REQUIRE(e2 == net::errc::closed);
  exited.Wait();
}

TEST_CASE("net: read and write deadlines end a parked operation with a timeout", "[netpoll]") {
  net::Listener ln = listenLoopback();
  auto [client, err] = net::Dial("tcp", ln.Addr());
  REQUIRE_FALSE(err);
  auto [server, aerr] = ln.Accept();
  REQUIRE_FALSE(aerr);
  char buf[8];

  SECTION("a deadline in the future fires while parked") {
    auto t0 = gtime::Now();
    REQUIRE_FALSE(server.SetReadDeadline(t0.Add(5ms)));
    auto [n, rerr] = server.Read(buf, sizeof buf);
    REQUIRE(rerr == net::errc::timeout);
    REQUIRE(gtime::Since(t0) >= 5ms);
    // The deadline stays expired until it is changed.
    auto [n2, rerr2] = server.Read(buf, sizeof buf);
    REQUIRE(rerr2 == net::errc::timeout);
    // Clearing it makes the connection usable again.
    REQUIRE_FALSE(server.SetReadDeadline(gtime::Time()));
    client.Write("ok", 2);
    auto [n3, rerr3] = server.Read(buf, sizeof buf);
    REQUIRE_FALSE(rerr3);
    REQUIRE(std::string(buf, n3) == "ok");
  }
  SECTION("a deadline in the past fails at once") {
    REQUIRE_FALSE(server.SetDeadline(gtime::Now().Add(-1s)));
    auto [n, rerr] = server.Read(buf, sizeof buf);
    REQUIRE(rerr == net::errc::timeout);
    auto [w, werr] = server.Write("x", 1);
    REQUIRE(werr == net::errc::timeout);
  }
  SECTION("setting a past deadline wakes a parked reader") {
    std::atomic<rt::g*> reader{nullptr};
    std::atomic<bool> readDone{false};
    gort::chan<std::error_code> rres(1);
    export_test::ExitTracker exited;
    gort::go([&] {
      exited.Track();
      reader = export_test::Curg();
      char b[8];
      auto [n, rerr] = server.Read(b, sizeof b);
      readDone = true;
      rres.send(rerr);
    });
    REQUIRE(export_test::WaitParked(reader, rt::waitReasonIOWait, [&] { return readDone.load(); }));
    server.SetReadDeadline(gtime::Now().Add(-1ms));
    REQUIRE(rres.recv() == net::errc::timeout);
    exited.Wait();
  }
  SECTION("a write deadline ends a write the peer never drains") {
    // The writer parks once the socket's buffer is full; only then is the
    // deadline set, so the write is known to be parked when it fires
    // (a deadline set first could pass before the first send on a loaded
    // machine, and the write would fail with nothing written).
    std::atomic<rt::g*> writer{nullptr};
    std::atomic<bool> writeDone{false};
    gort::chan<std::pair<size_t, std::error_code>> wres(1);
    export_test::ExitTracker exited;
    gort::go([&] {
      exited.Track();
      writer = export_test::Curg();
      std::vector<char> big(1 << 20, 'z');
      std::error_code werr;
      size_t total = 0;
      while (!werr) {
        auto [w, e] = client.Write(big.data(), big.size());
        total += w;
        werr = e;
      }
      writeDone = true;
      wres.send({total, werr});
    });
    REQUIRE(export_test::WaitParked(writer, rt::waitReasonIOWait, [&] { return writeDone.load(); }));
    REQUIRE_FALSE(client.SetWriteDeadline(gtime::Now().Add(5ms)));
    auto [total, werr] = wres.recv();
    REQUIRE(werr == net::errc::timeout);
    REQUIRE(total > 0);
    exited.Wait();
  }
}

TEST_CASE("net: errors are returned, not thrown", "[netpoll]") {
  // A port nobody listens on: bind one, close it, dial it.
  std::string addr;
  {
    net::Listener ln = listenLoopback();
    addr = ln.Addr();
  }
  auto [c, err] = net::Dial("tcp", addr);
  REQUIRE(err == std::errc::connection_refused);
  REQUIRE_FALSE(c);
  REQUIRE(net::Listen("udp", ":0").second == net::errc::badNetwork);
  REQUIRE(net::Listen("tcp", "127.0.0.1").second == net::errc::badAddress);
  net::Conn none;
  char b;
  REQUIRE(none.Read(&b, 1).second == net::errc::closed);
  REQUIRE(net::errc::timeout == std::error_code(net::errc::timeout));
  REQUIRE(std::error_code(net::errc::closed).message() == "use of closed network connection");
  REQUIRE(std::error_code(net::errc::timeout).message() == "i/o timeout");
}

TEST_CASE("net: errors carry Go's OpError text around the std::error_code", "[netpoll]") {
  net::Listener ln = listenLoopback();
  std::string addr = ln.Addr();
  // A second listener on the same address: bind fails.
  auto [ln2, err] = net::Listen("tcp", addr);
  REQUIRE(err == std::errc::address_in_use);
  REQUIRE(err.message() == "listen tcp " + addr + ": bind: address already in use");
  REQUIRE(err.Err().message() == std::error_code(EADDRINUSE, std::system_category()).message());
  // Address errors: Go's AddrError inside the OpError.
  auto bad = net::Listen("tcp", "127.0.0.1:99999").second;
  REQUIRE(bad == net::errc::badAddress);
  REQUIRE(bad.message() == "listen tcp: address 99999: invalid port");
  REQUIRE(net::Listen("tcp", "127.0.0.1").second.message() ==
          "listen tcp: address 127.0.0.1: missing port in address");
  REQUIRE(net::Listen("udp", ":0").second.message() == "listen udp: unknown network udp");
  // A refused dial names connect, and the address dialled.
  std::string gone;
  {
    net::Listener l = listenLoopback();
    gone = l.Addr();
  }
  auto derr = net::Dial("tcp", gone).second;
  REQUIRE(derr == std::errc::connection_refused);
  REQUIRE(derr.message() == "dial tcp " + gone + ": connect: connection refused");
  // A read past its deadline: "read tcp local->remote: i/o timeout".
  auto [c, cerr] = net::Dial("tcp", addr);
  REQUIRE_FALSE(cerr);
  REQUIRE_FALSE(c.SetReadDeadline(gtime::Now()));
  char b;
  auto rerr = c.Read(&b, 1).second;
  REQUIRE(rerr == net::errc::timeout);
  REQUIRE(rerr.message() == "read tcp " + c.LocalAddr() + "->" + addr + ": i/o timeout");
  // No error prints as Go's fmt prints a nil error.
  REQUIRE(cerr.message() == "<nil>");
  REQUIRE(net::OpError().Error() == "<nil>");
  // A second Close, and a deadline set after it: net.go's "close" and
  // "set" OpErrors.
  std::string local = c.LocalAddr();
  REQUIRE_FALSE(c.Close());
  auto cl2 = c.Close();
  REQUIRE(cl2 == net::errc::closed);
  REQUIRE(cl2.message() == "close tcp " + local + "->" + addr + ": use of closed network connection");
  auto serr = c.SetDeadline(gtime::Now());
  REQUIRE(serr == net::errc::closed);
  REQUIRE(serr.message() == "set tcp " + local + ": use of closed network connection");
  // After Close, Accept says so with the listener's address.
  REQUIRE_FALSE(ln.Close());
  auto aerr = ln.Accept().second;
  REQUIRE(aerr == net::errc::closed);
  REQUIRE(aerr.message() == "accept tcp " + addr + ": use of closed network connection");
  REQUIRE(ln.Close().message() == "close tcp " + addr + ": use of closed network connection");
}

TEST_CASE("net: 1000 concurrent loopback connections echoed at GOMAXPROCS=2, every byte checked", "[netpoll]") {
  raiseNofile();
  export_test::GOMAXPROCSScope procs(2);
#if defined(__aarch64__)
  // gort: under qemu-aarch64 every system call is emulated; 250
  // connections exercise the same paths in a tenth of the time.
  constexpr int C = 250;
#else
  constexpr int C = 1000 / export_test::TSanDivisor;
#endif
  constexpr size_t Bytes = 32 * 1024;  // per connection, in uneven chunks
  net::Listener ln = listenLoopback();
  std::string addr = ln.Addr();
  gort::sync::WaitGroup served, clients;
  export_test::ExitTracker exited;
  gort::go(echoServer, &ln, &served, &exited);

  std::atomic<int> ok{0}, bad{0};
  std::atomic<int> firstErr{0};
  clients.Add(C);
  for (int id = 0; id < C; id++) {
    gort::go([&, id] {
      exited.Track();
      auto [c, err] = net::Dial("tcp", addr);
      if (err) {
        bad++;
        firstErr = err.value();
        clients.Done();
        return;
      }
      std::vector<char> out(Bytes), in(Bytes);
      for (size_t i = 0; i < Bytes; i++) out[i] = char((id * 131 + i * 7 + (i >> 8)) & 0xff);
      // Write from a second goroutine while this one reads, so neither
      // side's socket buffer can fill and stall the other.
      gort::chan<bool> wrote(1);
      gort::go([&c, &out, wrote, &exited] {
        exited.Track();
        size_t off = 0, step = 1000;
        while (off < out.size()) {
          size_t n = std::min(step, out.size() - off);
          auto [w, e] = c.Write(out.data() + off, n);
          if (e) break;
          off += w;
          step = step * 3 % 7919 + 1;
        }
        wrote.send(off == out.size());
      });
      std::error_code rerr = readFull(c, in.data(), Bytes);
      bool wok = wrote.recv();
      if (!rerr && wok && in == out)
        ok++;
      else
        bad++;
      c.Close();
      clients.Done();
    });
  }
  clients.Wait();
  ln.Close();
  served.Wait();
  exited.Wait();
  INFO("first dial error: " << std::strerror(firstErr.load()));
  REQUIRE(bad.load() == 0);
  REQUIRE(ok.load() == C);
}

TEST_CASE("net: data arriving while the only P is busy ready the reader without that P's help (sysmon polls)",
          "[netpoll]") {
  // The P never enters the scheduler while the data arrive, so neither
  // findRunnable's poll runs on it; what readies the reader is sysmon's
  // poll (every 10 ms when nobody polled) or an M already blocked in
  // netpoll without a P (Go 1.19 proc.go:5214, :2816).
  export_test::GOMAXPROCSScope procs(1);
  net::Listener ln = listenLoopback();
  auto [client, err] = net::Dial("tcp", ln.Addr());
  REQUIRE_FALSE(err);
  auto [server, aerr] = ln.Accept();
  REQUIRE_FALSE(aerr);
  std::atomic<rt::g*> reader{nullptr};
  std::atomic<bool> readDone{false};
  gort::chan<std::string> got(1);
  export_test::ExitTracker exited;
  gort::go([&] {
    exited.Track();
    reader = export_test::Curg();
    char buf[16];
    auto [n, rerr] = server.Read(buf, sizeof buf);
    readDone = true;
    got.send(rerr ? "error: " + rerr.message() : std::string(buf, n));
  });
  REQUIRE(export_test::WaitParked(reader, rt::waitReasonIOWait, [&] { return readDone.load(); }));
  // sysmon may be in its deep sleep (it took one while Dial or Accept left
  // the P idle), which only a system call, a stop-the-world or a timer ends
  // (proc.go:5160-5169). A system call wakes it (entersyscall_sysmon).
  {
    rt::SyscallGuard sys;
    (void)getppid();
  }
  bool runnable = false;
  {
    // Hold the only P without entering the scheduler. The bound only ends
    // a failing run.
    rt::NoPreempt np;
    client.Write("late", 4);  // the socket buffer has room: no park
    int64_t giveUp = rt::nanotime() + 10LL * 1000 * 1000 * 1000;
    while (!(runnable = export_test::Status(reader.load()) == rt::_Grunnable) && rt::nanotime() < giveUp) {
    }
  }
  REQUIRE(runnable);
  REQUIRE(got.recv() == "late");
  exited.Wait();
}
