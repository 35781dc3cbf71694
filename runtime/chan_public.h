// chan_public.h — channels and select for programs: chan<T>, select,
// on_recv, on_send, on_default. Included by go.h.
//
// Go's compiler turns `c <- v`, `<-c`, `close(c)`, `for v := range c` and
// `select` into calls of chan.go and select.go; here templates make those
// calls. The runtime itself (runtime/chan.h, chan.cpp, select.cpp) moves
// elements as untyped memory described by a small element type (_type),
// so one compiled chansend serves every T, as one serves every Go type.
//
//   gort::chan<std::string> c(1);                 // make(chan string, 1)
//   gort::go([c] { c.send("hi"); c.close(); });   // copies share one channel
//   for (std::string s : c) puts(s.c_str());      // for s := range c
//   gort::select(
//       gort::on_recv(c, [](std::string s, bool ok) { ... }),  // case s, ok := <-c:
//       gort::on_send(d, 42, [] { ... }),                      // case d <- 42:
//       gort::on_default([] { ... }));                         // default:
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <new>
#include <tuple>
#include <type_traits>
#include <utility>

#include "runtime/error.h"

namespace gort {

namespace runtime {

struct hchan;

// type.go: _type. Reduced to what a channel needs to hold and move its
// elements. gort: Go moves elements with typedmemmove (memmove plus GC
// write barriers) and clears them with typedmemclr; C++ values are moved
// by their move constructor and ended by their destructor. nullptr means
// trivially copyable (memmove) / trivially destructible (nothing to do).
struct _type {
  uintptr_t size;
  uintptr_t align;
  // Move-construct a value into the raw storage dst from the live value
  // at src; src stays alive (moved-from) and its owner destroys it.
  void (*move)(void* dst, void* src);
  // Destroy the live value at p; p becomes raw storage.
  void (*destroy)(void* p);
};

// The calls the compiler emits for channel operations (chan.go), as the
// templates below make them. A receiver's ep is raw storage for one
// element in the receiver's frame: after a receive that reports received,
// it holds a live value the caller owns; otherwise it is left raw and the
// caller builds the zero value T{} itself (Go: typedmemclr(elemtype, ep)).
// A sender's ep is a live value, which a successful send leaves moved-from.
hchan* makechan(const _type* elem, intptr_t size);
void chansend1(hchan* c, void* elem);
bool chanrecv2(hchan* c, void* elem);
void closechan(hchan* c);
bool selectnbsend(hchan* c, void* elem);
std::pair<bool, bool> selectnbrecv(void* elem, hchan* c);
intptr_t reflect_chanlen(hchan* c);
intptr_t reflect_chancap(hchan* c);
// gort-only: copies of a chan<T> share one hchan, freed with the last.
void retainchan(hchan* c);
void releasechan(hchan* c);

// select.go: scase. Select case descriptor: the channel and the element
// (the value to send, or the storage to receive into).
struct scase {
  hchan* c;
  void* elem;
};
// select.go: block. select {}: park forever. Never returns.
[[noreturn]] void block();
// select.go: selectgo. Returns the index of the chosen scase (-1: the
// default case) and, for a receive, whether a value was received.
std::pair<int, bool> selectgo(scase* cas0, uint16_t* order0, int nsends, int nrecvs, bool block);

}  // namespace runtime

namespace detail {

// gort-only: one element's type, for the runtime (see _type).
template <class T>
void elemMove(void* dst, void* src) {
  ::new (dst) T(std::move(*std::launder(static_cast<T*>(src))));
}
template <class T>
void elemDestroy(void* p) {
  std::launder(static_cast<T*>(p))->~T();
}
template <class T>
inline constexpr runtime::_type elemtype{
    sizeof(T), alignof(T), std::is_trivially_copyable_v<T> ? nullptr : &elemMove<T>,
    std::is_trivially_destructible_v<T> ? nullptr : &elemDestroy<T>};

// gort-only: raw storage for one element (Go: the receiver's ep, a
// variable in its frame). The runtime constructs the value in it; take()
// moves it out and ends it.
template <class T>
struct elemslot {
  union {
    T v;
  };
  elemslot() {}
  ~elemslot() {}
  elemslot(const elemslot&) = delete;
  elemslot& operator=(const elemslot&) = delete;
  void* ep() { return static_cast<void*>(std::addressof(v)); }
  T take() {
    struct ender {
      T* p;
      ~ender() { p->~T(); }
    } end{std::launder(std::addressof(v))};
    return std::move(*end.p);
  }
};

// The zero value a receive from a closed, drained channel yields.
template <class T>
T zeroValue() {
  static_assert(std::is_default_constructible_v<T>,
                "gort: a receive that may find the channel closed yields T{}: recv(), recv2() and "
                "on_recv need a default-constructible T (range-for does not)");
  return T{};
}

}  // namespace detail

// A channel of T values: Go's chan T. Copies share one channel (like Go's
// channel values, which are pointers to one hchan); the channel is freed
// when the last copy is gone (or later, while a goroutine is still parked
// on it). T must be nothrow-move-constructible: values are moved while the
// channel's lock is held (so T's move constructor must not use channels
// either). recv(), recv2() and on_recv return T{} from a closed channel and
// so need a default-constructible T; for any other T, range-for receives
// until the channel is closed. Operations are const: they act on the
// shared channel, not on this handle, so a lambda's by-copy capture can
// use it (the signatures are otherwise DESIGN §9's).
template <class T>
class chan {
  static_assert(!std::is_reference_v<T> && !std::is_const_v<T>, "gort: chan<T> needs a plain value type");
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "gort: chan<T> moves values under its lock; T's move constructor must be noexcept");
  static_assert(sizeof(T) < (size_t(1) << 16), "channel element type too large (>64kB)");

 public:
  using value_type = T;

  // make(chan T, cap). chan<T> c; is an unbuffered channel, not nil.
  explicit chan(size_t cap = 0) : c_(runtime::makechan(&detail::elemtype<T>, intptr_t(cap))) {}
  // Go's nil channel: send and receive block forever, close panics.
  static chan nil() { return chan(nilTag{}); }

  chan(const chan& o) noexcept : c_(o.c_) { runtime::retainchan(c_); }
  // A moved-from chan is nil.
  chan(chan&& o) noexcept : c_(std::exchange(o.c_, nullptr)) {}
  chan& operator=(chan o) noexcept {
    std::swap(c_, o.c_);
    return *this;
  }
  ~chan() { runtime::releasechan(c_); }

  // c <- v. Blocks until a receiver takes v or the buffer has room.
  // Throws runtime::Error "send on closed channel".
  void send(T v) const { runtime::chansend1(c_, std::addressof(v)); }
  // <-c. T{} once the channel is closed and drained.
  T recv() const {
    detail::elemslot<T> s;
    if (!runtime::chanrecv2(c_, s.ep())) return detail::zeroValue<T>();
    return s.take();
  }
  // v, ok := <-c. ok is false (and v is T{}) once closed and drained.
  std::pair<T, bool> recv2() const {
    detail::elemslot<T> s;
    if (!runtime::chanrecv2(c_, s.ep())) return {detail::zeroValue<T>(), false};
    return {s.take(), true};
  }
  // close(c). Throws runtime::Error "close of closed channel" / "close of
  // nil channel".
  void close() const { runtime::closechan(c_); }
  // len(c), cap(c).
  size_t len() const { return size_t(runtime::reflect_chanlen(c_)); }
  size_t cap() const { return size_t(runtime::reflect_chancap(c_)); }

  // for (T v : c) is `for v := range c`: receives until the channel is
  // closed and drained. *it moves the received value out.
  class iterator {
   public:
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    explicit iterator(runtime::hchan* c) : c_(c) { next(); }
    iterator(const iterator&) = delete;
    iterator& operator=(const iterator&) = delete;
    ~iterator() {
      if (live_) slot_.take();
    }
    T operator*() {
      live_ = false;
      return slot_.take();
    }
    iterator& operator++() {
      if (live_) slot_.take();
      next();
      return *this;
    }
    bool operator==(std::default_sentinel_t) const { return !ok_; }

   private:
    void next() { ok_ = live_ = runtime::chanrecv2(c_, slot_.ep()); }
    runtime::hchan* c_;
    detail::elemslot<T> slot_;
    bool ok_ = false;    // the last receive got a value
    bool live_ = false;  // slot_ holds it
  };
  iterator begin() const { return iterator(c_); }
  std::default_sentinel_t end() const { return {}; }

  // Go's channel equality: the same channel (or both nil).
  friend bool operator==(const chan& a, const chan& b) { return a.c_ == b.c_; }

  // gort-only: the runtime's channel, for select and the tests.
  runtime::hchan* hchan_() const { return c_; }

 private:
  struct nilTag {};
  explicit chan(nilTag) : c_(nullptr) {}
  runtime::hchan* c_;
};

// ---------------------------------------------------------------------------
// select
// ---------------------------------------------------------------------------

namespace detail {

struct noop {
  void operator()() const {}
};

// case v, ok := <-c: f(v, ok)   (f may also take (v) or nothing)
template <class T, class F>
struct recvCase {
  runtime::hchan* c;
  F f;
  elemslot<T> slot;
  recvCase(runtime::hchan* c, F&& f) : c(c), f(std::move(f)) {}
  recvCase(const recvCase&) = delete;
  void* elem() { return slot.ep(); }
  // Runs the body. received: slot holds the value (else it is T{}).
  void run(bool received) {
    if constexpr (std::is_invocable_v<F&, T, bool>) {
      std::invoke(f, received ? slot.take() : zeroValue<T>(), received);
    } else if constexpr (std::is_invocable_v<F&, T>) {
      std::invoke(f, received ? slot.take() : zeroValue<T>());
    } else {
      static_assert(std::is_invocable_v<F&>, "on_recv: f must take (T, bool), (T) or ()");
      if (received) slot.take();
      std::invoke(f);
    }
  }
};

// case c <- v: f()
template <class T, class F>
struct sendCase {
  runtime::hchan* c;
  T v;
  F f;
  sendCase(runtime::hchan* c, T&& v, F&& f) : c(c), v(std::move(v)), f(std::move(f)) {}
  sendCase(const sendCase&) = delete;
  void* elem() { return std::addressof(v); }
  void run() { std::invoke(f); }
};

// default: f()
template <class F>
struct defaultCase {
  F f;
  explicit defaultCase(F&& f) : f(std::move(f)) {}
  defaultCase(const defaultCase&) = delete;
  void run() { std::invoke(f); }
};

template <class C>
struct caseKind {
  static constexpr int value = 0;
};
template <class T, class F>
struct caseKind<recvCase<T, F>> {
  static constexpr int value = 1;
};
template <class T, class F>
struct caseKind<sendCase<T, F>> {
  static constexpr int value = 2;
};
template <class F>
struct caseKind<defaultCase<F>> {
  static constexpr int value = 3;
};
template <class C>
inline constexpr bool isRecv = caseKind<std::remove_cvref_t<C>>::value == 1;
template <class C>
inline constexpr bool isSend = caseKind<std::remove_cvref_t<C>>::value == 2;
template <class C>
inline constexpr bool isDefault = caseKind<std::remove_cvref_t<C>>::value == 3;

// gort-only: a case of select(...) by its argument position.
template <size_t I, class... C>
decltype(auto) nth(C&... cases) {
  return std::get<I>(std::tie(cases...));
}

// Runs the body of argument `chosen` (a communication case).
template <class... C, size_t... I>
void runCase(int chosen, bool recvOK, std::index_sequence<I...>, C&... cases) {
  auto one = [&](auto& cas, int i) {
    if (i != chosen) return;
    using K = std::remove_cvref_t<decltype(cas)>;
    if constexpr (isRecv<K>)
      cas.run(recvOK);
    else
      cas.run();
  };
  (one(cases, int(I)), ...);
}

}  // namespace detail

// case v, ok := <-c:  f(T v, bool ok), f(T v) or f(); without f, an empty body.
template <class T, class F = detail::noop>
detail::recvCase<T, F> on_recv(const chan<T>& c, F f = {}) {
  return {c.hchan_(), std::move(f)};
}
// case c <- v:  f()
template <class T, class F = detail::noop>
detail::sendCase<T, F> on_send(const chan<T>& c, std::type_identity_t<T> v, F f = {}) {
  return {c.hchan_(), std::move(v), std::move(f)};
}
// default:  f()
template <class F = detail::noop>
detail::defaultCase<F> on_default(F f = {}) {
  return detail::defaultCase<F>(std::move(f));
}

// The select statement: waits until one of the cases can proceed, does
// it, then runs that case's body (exactly one). With several ready, one
// is chosen uniformly at random; with on_default and none ready, default
// runs. select() with no cases blocks forever. A nil channel's case is
// never ready. Lowered as Go's compiler lowers it
// (cmd/compile/internal/walk/select.go: walkSelectCases): no cases: block;
// one case: the plain operation; one case plus default: a non-blocking
// operation; otherwise selectgo.
template <class... Cases>
void select(Cases&&... cases) {
  constexpr int ncas = int(sizeof...(Cases));
  constexpr int ndflt = (0 + ... + int(detail::isDefault<Cases>));
  static_assert(ndflt <= 1, "select: multiple defaults");
  static_assert(((detail::caseKind<std::remove_cvref_t<Cases>>::value != 0) && ...),
                "select: arguments must be on_recv, on_send or on_default");

  if constexpr (ncas == 0) {
    // optimization: zero-case select
    runtime::block();
  } else if constexpr (ncas == 1) {
    // optimization: one-case select: single op.
    auto& cas = detail::nth<0>(cases...);
    using K = std::remove_cvref_t<decltype(cas)>;
    if constexpr (detail::isSend<K>) {
      runtime::chansend1(cas.c, cas.elem());
      cas.run();
    } else if constexpr (detail::isRecv<K>) {
      cas.run(runtime::chanrecv2(cas.c, cas.elem()));
    } else {
      cas.run();
    }
  } else if constexpr (ncas == 2 && ndflt == 1) {
    // optimization: two-case select but one is default: single
    // non-blocking op.
    constexpr bool dfltFirst = detail::isDefault<std::tuple_element_t<0, std::tuple<Cases...>>>;
    auto& cas = detail::nth<dfltFirst ? 1 : 0>(cases...);
    auto& dflt = detail::nth<dfltFirst ? 0 : 1>(cases...);
    using K = std::remove_cvref_t<decltype(cas)>;
    if constexpr (detail::isSend<K>) {
      // if selectnbsend(c, v) { body } else { default body }
      if (runtime::selectnbsend(cas.c, cas.elem()))
        cas.run();
      else
        dflt.run();
    } else {
      auto [selected, received] = runtime::selectnbrecv(cas.elem(), cas.c);
      if (selected)
        cas.run(received);
      else
        dflt.run();
    }
  } else {
    constexpr int n = ncas - ndflt;
    runtime::scase cas0[n];
    uint16_t order0[2 * n];
    int casorder[n];  // scase index -> argument position
    int nsends = 0, nrecvs = 0;
    // register cases: sends from the front, receives from the back.
    int argi = 0;
    auto reg = [&](auto& cas) {
      using K = std::remove_cvref_t<decltype(cas)>;
      if constexpr (!detail::isDefault<K>) {
        int i;
        if constexpr (detail::isSend<K>) {
          i = nsends++;
        } else {
          nrecvs++;
          i = n - nrecvs;
        }
        cas0[i] = runtime::scase{cas.c, cas.elem()};
        casorder[i] = argi;
      }
      argi++;
    };
    (reg(cases), ...);

    auto [chosen, recvOK] = runtime::selectgo(cas0, order0, nsends, nrecvs, ndflt == 0);

    // dispatch cases
    if (chosen < 0) {
      auto runDefault = [](auto& cas) {
        if constexpr (detail::isDefault<decltype(cas)>) cas.run();
      };
      (runDefault(cases), ...);
      return;
    }
    detail::runCase(casorder[chosen], recvOK, std::index_sequence_for<Cases...>{}, cases...);
  }
}

}  // namespace gort
