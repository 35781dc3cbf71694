// net.h — a small package net for programs: TCP Listen, Accept, Dial,
// Read, Write, Close and deadlines, on the runtime's network poller.
//
// gort-only: Go's src/net (tcpsock.go, net.go, fd_unix.go) and
// src/internal/poll (fd_unix.go, fd_poll_runtime.go, fd_mutex.go), reduced
// to TCP over IPv4/IPv6. Sockets are non-blocking; an operation that would
// block parks the goroutine in "IO wait" (runtime/netpoll.cpp) and its M
// goes on running other goroutines. Errors are returned, never thrown:
// every call gives a std::error_code, which is either a system error
// (std::system_category, an errno value) or one of net::errc below;
// Listen, Dial, Accept, Read and Write give it as a net::OpError, whose
// message() is Go's ("dial tcp 127.0.0.1:1: connect: connection refused").
//
//   auto [ln, err] = gort::net::Listen("tcp", "127.0.0.1:0");
//   gort::go([&ln] {
//     for (;;) {
//       auto [c, err] = ln.Accept();
//       if (err) return;
//       gort::go([c = std::move(c)]() mutable {   // one goroutine per connection
//         char buf[4096];
//         for (;;) {
//           auto [n, err] = c.Read(buf, sizeof buf);
//           if (err) return;                     // net::errc::eof at the end
//           c.Write(buf, n);
//         }
//       });
//     }
//   });
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "runtime/time_public.h"

namespace gort::net {

// The errors Go spells as values: io.EOF, net.ErrClosed,
// os.ErrDeadlineExceeded, and internal/poll's ErrNotPollable.
enum class errc {
  eof = 1,          // "EOF": the peer closed the connection (Read only)
  closed,           // "use of closed network connection"
  timeout,          // "i/o timeout": a deadline passed
  notPollable,      // "not pollable"
  unexpectedEOF,    // "unexpected EOF": Write wrote nothing and no error
  badNetwork,       // "unknown network": only "tcp", "tcp4", "tcp6"
  badAddress,       // "missing port in address" and other address errors
};
const std::error_category& net_category();
inline std::error_code make_error_code(errc e) { return {int(e), net_category()}; }

// net/net.go: OpError (with os.SyscallError and net.AddrError folded in).
// The error of Listen, Dial, Accept, Read and Write: a std::error_code (the
// cause: an errno or a net::errc, so `err == std::errc::address_in_use` and
// `err == net::errc::timeout` hold as before) with Go's context around it.
// message() and Error() give Go's text:
//   listen tcp 127.0.0.1:33297: bind: address already in use
//   listen tcp: address 99999: invalid port
//   read tcp 127.0.0.1:40000->127.0.0.1:5555: i/o timeout
//   close tcp 127.0.0.1:40000->127.0.0.1:5555: use of closed network connection
// Read's end of stream is Go's bare io.EOF: "EOF"; no error prints
// "<nil>", as fmt prints a nil error.
class OpError : public std::error_code {
 public:
  OpError() = default;
  OpError(std::error_code err) : std::error_code(err) {}
  OpError(errc e) : std::error_code(make_error_code(e)) {}

  std::string Op;       // "listen", "dial", "accept", "read", "write"
  std::string Net;      // "tcp", "tcp4", "tcp6"
  std::string Source;   // the local address, for read and write
  std::string Addr;     // the remote address, or the one listened on
  std::string Syscall;  // os.SyscallError: the failing call ("bind"), or empty
  std::string AddrErr;  // net.AddrError's Err ("invalid port"), or empty
  std::string AddrErrAddr;  // net.AddrError's Addr ("99999")

  // The cause, without the context.
  std::error_code Err() const { return *this; }
  // net/net.go: (*OpError).Error
  std::string Error() const;
  std::string message() const { return Error(); }
};

namespace detail {
struct netFD;
}

// Go's net.Conn for TCP (net.TCPConn). Move-only; the destructor closes
// the connection if Close was not called. Read, Write and Close may be
// called from different goroutines at once (one reader and one writer at
// a time; more queue up), as Go allows.
class Conn {
 public:
  Conn() = default;
  Conn(Conn&&) noexcept = default;
  Conn& operator=(Conn&&) noexcept = default;
  ~Conn();
  explicit operator bool() const { return fd_ != nullptr; }

  // Reads up to n bytes into buf. Returns how many (0 with errc::eof at
  // the end of the stream). Blocks (parks the goroutine) until some data
  // arrive, the read deadline passes or the connection is closed.
  std::pair<size_t, OpError> Read(void* buf, size_t n);
  // Writes all n bytes of buf, parking while the socket's buffer is full.
  // Returns how many were written; fewer than n only with an error.
  std::pair<size_t, OpError> Write(const void* buf, size_t n);
  // Closes the connection; a Read or Write parked on it returns
  // errc::closed. A second Close returns errc::closed ("close tcp ...").
  OpError Close();

  // Deadlines, as Go's SetDeadline/SetReadDeadline/SetWriteDeadline: an
  // absolute time after which the operation fails with errc::timeout
  // (also for one already parked); the zero Time means none.
  OpError SetDeadline(time::Time t);
  OpError SetReadDeadline(time::Time t);
  OpError SetWriteDeadline(time::Time t);

  // "ip:port" of each end ("[ip6]:port" for IPv6).
  std::string LocalAddr() const;
  std::string RemoteAddr() const;
  // gort-only: the socket, for setsockopt and tests.
  int Fd() const;

 private:
  friend class Listener;
  friend std::pair<Conn, OpError> Dial(std::string_view, std::string_view);
  explicit Conn(std::shared_ptr<detail::netFD> fd) : fd_(std::move(fd)) {}
  std::shared_ptr<detail::netFD> fd_;
};

// Go's net.Listener for TCP (net.TCPListener). Move-only; closed by its
// destructor.
class Listener {
 public:
  Listener() = default;
  Listener(Listener&&) noexcept = default;
  Listener& operator=(Listener&&) noexcept = default;
  ~Listener();
  explicit operator bool() const { return fd_ != nullptr; }

  // Waits for (parks until) the next connection.
  std::pair<Conn, OpError> Accept();
  // Stops listening; a parked Accept returns errc::closed.
  OpError Close();
  // The address it listens on, with the port the kernel chose for ":0".
  std::string Addr() const;

 private:
  friend std::pair<Listener, OpError> Listen(std::string_view, std::string_view);
  explicit Listener(std::shared_ptr<detail::netFD> fd) : fd_(std::move(fd)) {}
  std::shared_ptr<detail::netFD> fd_;
};

// net.Listen("tcp", "host:port"). host may be empty (all addresses), an
// IP address or a name (resolved in a system call); port may be 0.
std::pair<Listener, OpError> Listen(std::string_view network, std::string_view address);
// net.Dial("tcp", "host:port"). Parks until the connection is made.
std::pair<Conn, OpError> Dial(std::string_view network, std::string_view address);

}  // namespace gort::net

template <>
struct std::is_error_code_enum<gort::net::errc> : std::true_type {};
