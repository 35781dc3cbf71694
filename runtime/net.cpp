// net.cpp — TCP on the network poller (see net.h).
//
// gort-only as a file: Go's src/internal/poll (fd_unix.go: FD.Read,
// FD.Write, FD.Accept; fd_poll_runtime.go: pollDesc; fd_mutex.go: the
// reference count that makes Close safe against a concurrent Read) and
// src/net (sock_posix.go, fd_unix.go: netFD.connect; tcpsock.go) reduced
// to TCP. The runtime calls are the ones Go's internal/poll makes through
// linkname: poll_runtime_pollOpen, pollReset, pollWait, pollSetDeadline,
// pollUnblock, pollClose.
#include "runtime/net.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/go.h"
#include "runtime/netpoll.h"
#include "runtime/os_linux.h"
#include "runtime/proc.h"
#include "runtime/sema.h"

namespace gort::net {

namespace rt = gort::runtime;

// ---------------------------------------------------------------------------
// Errors.
// ---------------------------------------------------------------------------
namespace {
class netCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "gort.net"; }
  std::string message(int ev) const override {
    switch (errc(ev)) {
      case errc::eof:
        return "EOF";
      case errc::closed:
        return "use of closed network connection";
      case errc::timeout:
        return "i/o timeout";
      case errc::notPollable:
        return "not pollable";
      case errc::unexpectedEOF:
        return "unexpected EOF";
      case errc::badNetwork:
        return "unknown network";
      case errc::badAddress:
        return "bad address";
    }
    return "unknown error";
  }
};

// gort-only: an errno as an error (Go: syscall.Errno, wrapped in os.SyscallError).
std::error_code syserr(int e) { return {e, std::system_category()}; }
}  // namespace

// gort-only: the cause, with os.SyscallError's "name: " prefix.
// syscall.Errno's text is glibc's with a lower-case first letter, as Go's
// table spells it ("address already in use").
static std::string causeText(const OpError& e) {
  std::string s;
  if (!e.AddrErr.empty()) {
    // net/net.go: (*AddrError).Error
    if (e.AddrErrAddr.empty()) return e.AddrErr;
    return "address " + e.AddrErrAddr + ": " + e.AddrErr;
  }
  s = e.Err().message();
  if (e.category() == std::system_category() && !s.empty() && s[0] >= 'A' && s[0] <= 'Z') s[0] = char(s[0] - 'A' + 'a');
  if (!e.Syscall.empty()) s = e.Syscall + ": " + s;
  return s;
}

// net/net.go: (*OpError).Error
std::string OpError::Error() const {
  if (!*this) return "<nil>";  // gort: no error prints as fmt prints a nil error
  if (Op.empty()) return causeText(*this);  // a bare error (io.EOF)
  std::string s = Op;
  if (!Net.empty()) s += " " + Net;
  if (!Source.empty()) s += " " + Source;
  if (!Addr.empty()) {
    s += Source.empty() ? " " : "->";
    s += Addr;
  }
  return s + ": " + causeText(*this);
}

// gort-only: the category of net::errc's error codes.
const std::error_category& net_category() {
  static const netCategory c;
  return c;
}

namespace detail {

// internal/poll/fd_mutex.go: fdMutex (reduced): the count of operations in progress and
// the closed bit, in one word. Close sets the bit, wakes the parked
// operations (pollUnblock) and waits until the last one is out before the
// descriptor is closed, so no operation ever uses a reused descriptor
// number.
constexpr uint64_t mutexClosed = uint64_t(1) << 63;

// internal/poll/fd_unix.go: FD (with net's netFD folded in).
struct netFD {
  int sysfd = -1;
  rt::pollDesc* pd = nullptr;
  std::atomic<uint64_t> state{0};  // fdMutex: refs | mutexClosed
  std::atomic<uint32_t> csema{0};  // Close waits here for destroy
  sync::Mutex rmu;                 // one reader at a time (Go: fdMutex's read lock)
  sync::Mutex wmu;                 // one writer at a time (Go: fdMutex's write lock)
  std::string net = "tcp";         // net/fd_posix.go: netFD.net, laddr, raddr (for OpError)
  std::string laddr, raddr;

  // internal/poll/fd_mutex.go: (*fdMutex).incref. false if closed.
  bool incref() {
    uint64_t old = state.load();
    for (;;) {
      if (old & mutexClosed) return false;
      if (state.compare_exchange_weak(old, old + 1)) return true;
    }
  }
  // internal/poll/fd_mutex.go: (*fdMutex).increfAndClose. false if already closed.
  bool increfAndClose() {
    uint64_t old = state.load();
    for (;;) {
      if (old & mutexClosed) return false;
      if (state.compare_exchange_weak(old, (old + 1) | mutexClosed)) return true;
    }
  }
  // internal/poll/fd_mutex.go: (*FD).decref. Destroys the descriptor when it was the last
  // reference of a closed FD.
  void decref() {
    if (state.fetch_sub(1) - 1 == mutexClosed) destroy();
  }
  // internal/poll/fd_unix.go: (*FD).destroy. Closes the descriptor: the pollDesc first
  // (deregisters it from epoll), then the socket.
  void destroy() {
    if (pd != nullptr) rt::poll_runtime_pollClose(pd);
    pd = nullptr;
    ::close(sysfd);
    sysfd = -1;
    rt::poll_runtime_Semrelease(&csema);
  }
};

namespace {

// internal/poll/fd_poll_runtime.go: convertErr
std::error_code convertErr(int res) {
  switch (res) {
    case rt::pollNoError:
      return {};
    case rt::pollErrClosing:
      return errc::closed;
    case rt::pollErrTimeout:
      return errc::timeout;
    case rt::pollErrNotPollable:
      return errc::notPollable;
  }
  fprintf(stderr, "unreachable: %d\n", res);
  rt::throw_("unreachable");
}

// internal/poll/fd_poll_runtime.go: (*pollDesc).prepare, (*pollDesc).wait
std::error_code prepare(netFD* fd, int mode) { return convertErr(rt::poll_runtime_pollReset(fd->pd, mode)); }
std::error_code wait(netFD* fd, int mode) { return convertErr(rt::poll_runtime_pollWait(fd->pd, mode)); }

// internal/poll/fd_unix.go: (*FD).Init. Registers the (non-blocking) socket with the
// poller.
std::error_code initFD(netFD* fd) {
  rt::poll_runtime_pollServerInit();
  int errno_ = 0;
  fd->pd = rt::poll_runtime_pollOpen(uintptr_t(fd->sysfd), &errno_);
  if (fd->pd == nullptr) return syserr(errno_);
  return {};
}

// net/net.go: OpError (for op on fd: its network and addresses around cause)
// (Go's conn.Read/Write and netFD.accept wrap the same way.)
OpError opError(const char* op, const netFD* fd, OpError cause, bool withSource) {
  cause.Op = op;
  cause.Net = fd->net;
  if (withSource) cause.Source = fd->laddr;
  cause.Addr = withSource ? fd->raddr : fd->laddr;
  return cause;
}

// os/error.go: NewSyscallError. An errno from the named system call.
OpError syscallError(const char* name, int e) {
  OpError err{std::error_code(e, std::system_category())};
  err.Syscall = name;
  return err;
}

// net/fd_unix.go: newFD
std::shared_ptr<netFD> newFD(int s) {
  auto fd = std::make_shared<netFD>();
  fd->sysfd = s;
  return fd;
}

// internal/poll/fd_unix.go: (*FD).Close
std::error_code closeFD(netFD* fd) {
  if (!fd->increfAndClose()) return errc::closed;
  // Unblock any I/O. Once it all unblocks and returns, so that it cannot
  // be referring to fd.sysfd anymore, the final decref will close fd.sysfd.
  // This should happen fairly quickly, since all the I/O is non-blocking,
  // and any attempts to block in the pollDesc will return errClosing.
  if (fd->pd != nullptr) rt::poll_runtime_pollUnblock(fd->pd);
  fd->decref();
  // Wait until the descriptor is closed. If this was the only reference,
  // it is already closed.
  rt::poll_runtime_Semacquire(&fd->csema);
  return {};
}

// internal/poll/fd_poll_runtime.go: (*FD).SetDeadline, setDeadlineImpl (and friends).
std::error_code setDeadline(netFD* fd, time::Time t, int mode) {
  int64_t d = 0;
  if (!t.IsZero()) {
    d = t.Sub(time::Now()).count();
    if (d == 0) d = -1;  // don't confuse deadline right now with no deadline
  }
  if (!fd->incref()) return errc::closed;
  rt::poll_runtime_pollSetDeadline(fd->pd, d, mode);
  fd->decref();
  return {};
}

// A sockaddr for IPv4 or IPv6.
struct sockaddrAny {
  sockaddr_storage ss{};
  socklen_t len = 0;
};

// net/ipsock.go: JoinHostPort (of a socket address).
std::string sockaddrString(const sockaddrAny& a) {
  char host[INET6_ADDRSTRLEN] = "";
  if (a.ss.ss_family == AF_INET) {
    auto* sin = reinterpret_cast<const sockaddr_in*>(&a.ss);
    inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
    return std::string(host) + ":" + std::to_string(ntohs(sin->sin_port));
  }
  auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&a.ss);
  inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
  return "[" + std::string(host) + "]:" + std::to_string(ntohs(sin6->sin6_port));
}

// gort-only: getsockname (peer: getpeername) as TCPAddr.String, or "".
std::string sockName(int s, bool peer) {
  sockaddrAny a;
  a.len = sizeof a.ss;
  int rc = peer ? getpeername(s, reinterpret_cast<sockaddr*>(&a.ss), &a.len)
                : getsockname(s, reinterpret_cast<sockaddr*>(&a.ss), &a.len);
  return rc == 0 ? sockaddrString(a) : "";
}

// net/ipsock.go: SplitHostPort (and net's resolver, reduced): a numeric IPv4 or
OpError resolve(std::string_view network, std::string_view address, bool listen, sockaddrAny* out) {
  // IPv6 address, a name (getaddrinfo, in a system call: it may read files
  // or ask a DNS server), or an empty host (listen: any address; dial: the
  // local system).
  int family = AF_UNSPEC;
  if (network == "tcp4")
    family = AF_INET;
  else if (network == "tcp6")
    family = AF_INET6;
  else if (network != "tcp") {
    // net/net.go: UnknownNetworkError
    OpError e(errc::badNetwork);
    e.AddrErr = "unknown network " + std::string(network);
    return e;
  }
  // Go's AddrError (net/net.go), as SplitHostPort and the port parser report it.
  auto addrErr = [](const char* why, std::string_view addr) {
    OpError e(errc::badAddress);
    e.AddrErr = why;
    e.AddrErrAddr = std::string(addr);
    return e;
  };
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return addrErr("missing port in address", address);
  std::string host(address.substr(0, colon));
  std::string port(address.substr(colon + 1));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  char* end = nullptr;
  long portn = strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || portn < 0 || portn > 65535) return addrErr("invalid port", port);

  if (host.empty()) {
    if (family == AF_INET6) {
      auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out->ss);
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons(uint16_t(portn));
      sin6->sin6_addr = listen ? in6addr_any : in6addr_loopback;
      out->len = sizeof(sockaddr_in6);
    } else {
      auto* sin = reinterpret_cast<sockaddr_in*>(&out->ss);
      sin->sin_family = AF_INET;
      sin->sin_port = htons(uint16_t(portn));
      sin->sin_addr.s_addr = htonl(listen ? INADDR_ANY : INADDR_LOOPBACK);
      out->len = sizeof(sockaddr_in);
    }
    return {};
  }
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  int rc;
  {
    // getaddrinfo may block (files, DNS): let sysmon hand the P off.
    rt::SyscallGuard sys;
    rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
  }
  if (rc != 0 || res == nullptr) {
    // net/net.go: DNSError ("lookup host: no such host").
    OpError e(errc::badAddress);
    e.AddrErr = rc == EAI_NONAME || rc == EAI_NODATA ? "no such host" : gai_strerror(rc);
    e.AddrErrAddr = "";
    e.AddrErr = "lookup " + host + ": " + e.AddrErr;
    return e;
  }
  // Prefer IPv4, as Go's dialer does first for "localhost".
  addrinfo* pick = res;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next)
    if (ai->ai_family == AF_INET) {
      pick = ai;
      break;
    }
  memcpy(&out->ss, pick->ai_addr, pick->ai_addrlen);
  out->len = pick->ai_addrlen;
  freeaddrinfo(res);
  return {};
}

// net/sock_cloexec.go: sysSocket. A non-blocking, close-on-exec socket.
int sysSocket(int family) { return ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP); }

// net/sock_linux.go: maxListenerBacklog. The kernel's somaxconn.
int maxListenerBacklog() {
  int n = SOMAXCONN;
  if (FILE* f = fopen("/proc/sys/net/core/somaxconn", "r")) {
    int v;
    if (fscanf(f, "%d", &v) == 1 && v > 0) n = v;
    fclose(f);
  }
  // Linux stores the backlog in a uint16. Truncate number to avoid
  // wrapping. See issue 5030.
  if (n > 65535) n = 65535;
  return n;
}

// net/tcpsockopt_posix.go: setNoDelay. Go's TCP connections default to no
// Nagle delay.
void setNoDelay(int s) {
  int one = 1;
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace
}  // namespace detail

using detail::netFD;

// ---------------------------------------------------------------------------
// Conn
// ---------------------------------------------------------------------------

// gort-only: Go's GC finalizer closes a lost connection (newFD sets
// runtime.SetFinalizer(fd, (*netFD).Close)); here the destructor does.
Conn::~Conn() {
  if (fd_ != nullptr && !(fd_->state.load() & detail::mutexClosed)) Close();
}

// internal/poll/fd_unix.go: (*FD).Read
std::pair<size_t, OpError> Conn::Read(void* buf, size_t n) {
  if (!fd_) return {0, errc::closed};
  netFD* fd = fd_.get();
  // Every error but io.EOF is wrapped in an OpError, as Go's (*conn).Read does.
  auto fail = [fd](OpError err) { return std::pair<size_t, OpError>{0, detail::opError("read", fd, err, true)}; };
  // fd.readLock()
  if (!fd->incref()) return fail(errc::closed);
  fd->rmu.Lock();
  struct unlocker {
    netFD* fd;
    ~unlocker() {
      fd->rmu.Unlock();
      fd->decref();
    }
  } ul{fd};
  if (fd->state.load() & detail::mutexClosed) return fail(errc::closed);
  if (n == 0) {
    // If the caller wanted a zero byte read, return immediately without
    // trying to read from the socket.
    return {0, {}};
  }
  if (std::error_code err = detail::prepare(fd, 'r')) return fail(err);
  for (;;) {
    ssize_t r = ::read(fd->sysfd, buf, n);
    if (r < 0) {
      int e = errno;
      if (e == EINTR) continue;  // ignoringEINTRIO
      if (e == EAGAIN) {
        if (std::error_code err = detail::wait(fd, 'r')) return fail(err);
        continue;
      }
      return fail(detail::syscallError("read", e));
    }
    // fd.eofError: a zero-byte read on a stream is the end.
    if (r == 0) return {0, errc::eof};
    return {size_t(r), std::error_code{}};
  }
}

// internal/poll/fd_unix.go: (*FD).Write
std::pair<size_t, OpError> Conn::Write(const void* buf, size_t n) {
  if (!fd_) return {0, errc::closed};
  netFD* fd = fd_.get();
  // Every error is wrapped in an OpError, as Go's (*conn).Write does.
  auto fail = [fd](size_t nn, OpError err) {
    return std::pair<size_t, OpError>{nn, detail::opError("write", fd, err, true)};
  };
  // fd.writeLock()
  if (!fd->incref()) return fail(0, errc::closed);
  fd->wmu.Lock();
  struct unlocker {
    netFD* fd;
    ~unlocker() {
      fd->wmu.Unlock();
      fd->decref();
    }
  } ul{fd};
  if (fd->state.load() & detail::mutexClosed) return fail(0, errc::closed);
  if (std::error_code err = detail::prepare(fd, 'w')) return fail(0, err);
  size_t nn = 0;
  const char* p = static_cast<const char*>(buf);
  for (;;) {
    // gort: send with MSG_NOSIGNAL: a write to a connection the peer closed
    // fails with EPIPE instead of raising SIGPIPE (Go ignores SIGPIPE on
    // sockets in its signal handler).
    ssize_t w = ::send(fd->sysfd, p + nn, n - nn, MSG_NOSIGNAL);
    int e = w < 0 ? errno : 0;
    if (w < 0 && e == EINTR) continue;  // ignoringEINTRIO
    if (w > 0) nn += size_t(w);
    if (nn == n) return {nn, {}};
    if (e == EAGAIN) {
      if (std::error_code err = detail::wait(fd, 'w')) return fail(nn, err);
      continue;
    }
    if (e != 0) return fail(nn, detail::syscallError("write", e));
    if (w == 0) return fail(nn, errc::unexpectedEOF);
  }
}

// net/net.go: (*conn).Close (internal/poll's (*FD).Close)
OpError Conn::Close() {
  if (!fd_) return errc::closed;
  OpError err = detail::closeFD(fd_.get());
  if (err) err = detail::opError("close", fd_.get(), err, true);
  return err;
}

// net/net.go: (*conn).SetDeadline
OpError Conn::SetDeadline(time::Time t) {
  if (!fd_) return errc::closed;
  OpError err = detail::setDeadline(fd_.get(), t, 'r' + 'w');
  if (err) err = detail::opError("set", fd_.get(), err, false);
  return err;
}
// net/net.go: (*conn).SetReadDeadline
OpError Conn::SetReadDeadline(time::Time t) {
  if (!fd_) return errc::closed;
  OpError err = detail::setDeadline(fd_.get(), t, 'r');
  if (err) err = detail::opError("set", fd_.get(), err, false);
  return err;
}
// net/net.go: (*conn).SetWriteDeadline
OpError Conn::SetWriteDeadline(time::Time t) {
  if (!fd_) return errc::closed;
  OpError err = detail::setDeadline(fd_.get(), t, 'w');
  if (err) err = detail::opError("set", fd_.get(), err, false);
  return err;
}

// net/net.go: (*conn).LocalAddr (formatted as TCPAddr.String)
std::string Conn::LocalAddr() const {
  if (!fd_) return "";
  detail::sockaddrAny a;
  a.len = sizeof a.ss;
  if (getsockname(fd_->sysfd, reinterpret_cast<sockaddr*>(&a.ss), &a.len) != 0) return "";
  return detail::sockaddrString(a);
}

// net/net.go: (*conn).RemoteAddr
std::string Conn::RemoteAddr() const {
  if (!fd_) return "";
  detail::sockaddrAny a;
  a.len = sizeof a.ss;
  if (getpeername(fd_->sysfd, reinterpret_cast<sockaddr*>(&a.ss), &a.len) != 0) return "";
  return detail::sockaddrString(a);
}

// gort-only: the socket (Go: (*TCPConn).SyscallConn, roughly).
int Conn::Fd() const { return fd_ ? fd_->sysfd : -1; }

// ---------------------------------------------------------------------------
// Listener
// ---------------------------------------------------------------------------

// gort-only: closes a listener that was not closed (Go: its finalizer).
Listener::~Listener() {
  if (fd_ != nullptr && !(fd_->state.load() & detail::mutexClosed)) Close();
}

// internal/poll/fd_unix.go: (*FD).Accept (with net/fd_unix.go's (*netFD).accept around it).
std::pair<Conn, OpError> Listener::Accept() {
  if (!fd_) return {Conn(), errc::closed};
  netFD* fd = fd_.get();
  // Errors are OpErrors, as Go's (*TCPListener).accept returns them.
  auto fail = [fd](OpError err) { return std::pair<Conn, OpError>{Conn(), detail::opError("accept", fd, err, false)}; };
  if (!fd->incref()) return fail(errc::closed);
  fd->rmu.Lock();
  struct unlocker {
    netFD* fd;
    ~unlocker() {
      fd->rmu.Unlock();
      fd->decref();
    }
  } ul{fd};
  if (fd->state.load() & detail::mutexClosed) return fail(errc::closed);
  if (std::error_code err = detail::prepare(fd, 'r')) return fail(err);
  for (;;) {
    int s = ::accept4(fd->sysfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (s >= 0) {
      auto nfd = detail::newFD(s);
      if (std::error_code err = detail::initFD(nfd.get())) {
        ::close(s);
        return fail(err);
      }
      detail::setNoDelay(s);
      nfd->net = fd->net;
      nfd->laddr = detail::sockName(s, false);
      nfd->raddr = detail::sockName(s, true);
      return {Conn(std::move(nfd)), OpError{}};
    }
    int e = errno;
    switch (e) {
      case EINTR:
        continue;
      case EAGAIN:
        if (std::error_code err = detail::wait(fd, 'r')) return fail(err);
        continue;
      case ECONNABORTED:
        // This means that a socket on the listen queue was closed before
        // we Accept()ed it; it's a silly error, so try again.
        continue;
    }
    return fail(detail::syscallError("accept", e));
  }
}

// net/tcpsock.go: (*TCPListener).Close
OpError Listener::Close() {
  if (!fd_) return errc::closed;
  OpError err = detail::closeFD(fd_.get());
  if (err) err = detail::opError("close", fd_.get(), err, false);
  return err;
}

// net/tcpsock.go: (*TCPListener).Addr
std::string Listener::Addr() const {
  if (!fd_) return "";
  detail::sockaddrAny a;
  a.len = sizeof a.ss;
  if (getsockname(fd_->sysfd, reinterpret_cast<sockaddr*>(&a.ss), &a.len) != 0) return "";
  return detail::sockaddrString(a);
}

// ---------------------------------------------------------------------------
// Listen, Dial
// ---------------------------------------------------------------------------

// net/dial.go: Listen (with net/sock_posix.go's socket and (*netFD).listenStream).
std::pair<Listener, OpError> Listen(std::string_view network, std::string_view address) {
  // Every error is wrapped in an OpError, as Go's (*ListenConfig).Listen does
  // {Op: "listen", Net: network, Addr: the resolved address}.
  auto fail = [network](OpError err, std::string addr) {
    err.Op = "listen";
    err.Net = std::string(network);
    err.Addr = std::move(addr);
    return std::pair<Listener, OpError>{Listener(), err};
  };
  detail::sockaddrAny sa;
  if (OpError err = detail::resolve(network, address, true, &sa)) return fail(err, "");
  std::string addr = detail::sockaddrString(sa);
  int s = detail::sysSocket(sa.ss.ss_family);
  if (s < 0) return fail(detail::syscallError("socket", errno), addr);
  // net/sockopt_linux.go: setDefaultListenerSockopts. Allow reuse of recently
  // used addresses.
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(s, reinterpret_cast<sockaddr*>(&sa.ss), sa.len) != 0) {
    int e = errno;
    ::close(s);
    return fail(detail::syscallError("bind", e), addr);
  }
  if (::listen(s, detail::maxListenerBacklog()) != 0) {
    int e = errno;
    ::close(s);
    return fail(detail::syscallError("listen", e), addr);
  }
  auto fd = detail::newFD(s);
  if (OpError err = detail::initFD(fd.get())) {
    ::close(s);
    return fail(err, addr);
  }
  fd->net = std::string(network);
  fd->laddr = detail::sockName(s, false);
  return {Listener(std::move(fd)), OpError{}};
}

// net/dial.go: Dial (with net/fd_unix.go's (*netFD).connect).
std::pair<Conn, OpError> Dial(std::string_view network, std::string_view address) {
  // Errors are OpErrors, as Go's (*Dialer).DialContext returns them {Op: "dial",
  // Net: network, Addr: the remote address}.
  auto fail = [network](OpError err, std::string addr) {
    err.Op = "dial";
    err.Net = std::string(network);
    err.Addr = std::move(addr);
    return std::pair<Conn, OpError>{Conn(), err};
  };
  detail::sockaddrAny sa;
  if (OpError err = detail::resolve(network, address, false, &sa)) return fail(err, "");
  std::string addr = detail::sockaddrString(sa);
  int s = detail::sysSocket(sa.ss.ss_family);
  if (s < 0) return fail(detail::syscallError("socket", errno), addr);
  auto fd = detail::newFD(s);
  int rc = ::connect(s, reinterpret_cast<sockaddr*>(&sa.ss), sa.len);
  int e = rc == 0 ? 0 : errno;
  switch (e) {
    case EINPROGRESS:
    case EALREADY:
    case EINTR:
    case 0:
    case EISCONN:
      break;
    default:
      ::close(s);
      return fail(detail::syscallError("connect", e), addr);
  }
  if (std::error_code err = detail::initFD(fd.get())) {
    ::close(s);
    return fail(err, addr);
  }
  if (e != 0 && e != EISCONN) {
    for (;;) {
      // Performing multiple connect system calls on a non-blocking socket
      // under Unix variants does not necessarily result in earlier errors
      // being returned. Instead, once runtime-integrated network poller
      // tells us that the socket is ready, get the SO_ERROR socket option
      // to see if the connection succeeded or failed.
      if (std::error_code err = detail::wait(fd.get(), 'w')) {
        Conn c(std::move(fd));
        c.Close();
        return fail(err, addr);
      }
      int nerr = 0;
      socklen_t len = sizeof nerr;
      if (getsockopt(s, SOL_SOCKET, SO_ERROR, &nerr, &len) != 0) nerr = errno;
      if (nerr == EINPROGRESS || nerr == EALREADY || nerr == EINTR) continue;
      if (nerr == 0 || nerr == EISCONN) break;
      Conn c(std::move(fd));
      c.Close();
      return fail(detail::syscallError("connect", nerr), addr);
    }
  }
  detail::setNoDelay(s);
  fd->net = std::string(network);
  fd->laddr = detail::sockName(s, false);
  fd->raddr = addr;
  return {Conn(std::move(fd)), OpError{}};
}

}  // namespace gort::net
