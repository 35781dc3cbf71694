// chanbarrier_test.cpp — ports of Go 1.19's runtime/chanbarrier_test.go.
// In Go they check the write barrier on a channel send that hands a
// pointer straight to a parked receiver (sendDirect), with and without
// select; in gort there is no collector, and what remains is the hand-off
// itself: the value a sender copies into the receiver's slot, directly or
// through select, arrives whole, also when the receiver yields right
// after and the sender's goroutine is gone.
#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <utility>
#include <vector>

#include "runtime/go.h"

#include "export_test.h"

namespace rt = gort::runtime;

namespace {
// chanbarrier_test.go: response
struct response {};

// chanbarrier_test.go: myError (Go's error interface is a base class here).
struct error {
  virtual ~error() = default;
};
struct myError : error {};

// chanbarrier_test.go: doRequest (the async struct it sends)
struct async {
  response* resp;
  std::shared_ptr<error> err;
};

// chanbarrier_test.go: doRequest
std::pair<response*, std::shared_ptr<error>> doRequest(bool useSelect) {
  gort::chan<async*> ch(0);
  gort::chan<bool> done(0);
  if (useSelect) {
    gort::go([ch, done] {
      gort::select(gort::on_send(ch, new async{nullptr, std::make_shared<myError>()}, [] {}),
                   gort::on_recv(done, [] {}));
    });
  } else {
    gort::go([ch] { ch.send(new async{nullptr, std::make_shared<myError>()}); });
  }
  std::unique_ptr<async> r(ch.recv());
  rt::Gosched();
  return {r->resp, r->err};
}

// chanbarrier_test.go: testChanSendBarrier. gort: testing.Short()'s
// counts (10 x 1000), as CI must stay fast.
void testChanSendBarrier(bool useSelect) {
  gort::sync::WaitGroup wg;
  gort::sync::Mutex globalMu;
  std::vector<char> global;
  constexpr int outer = 10;
  constexpr int inner = 1000;
  std::atomic<int> bad{0};
  export_test::ExitTracker exited;
  for (int i = 0; i < outer; i++) {
    wg.Add(1);
    gort::go([&] {
      exited.Track();
      std::vector<char> garbage;
      for (int j = 0; j < inner; j++) {
        auto [resp, err] = doRequest(useSelect);
        (void)resp;
        if (dynamic_cast<myError*>(err.get()) == nullptr) bad++;  // Go: panic(1)
        garbage = std::vector<char>(1 << 10);
      }
      globalMu.Lock();
      global = std::move(garbage);
      globalMu.Unlock();
      wg.Done();
    });
  }
  wg.Wait();
  exited.Wait();
  REQUIRE(bad == 0);
  REQUIRE(global.size() == 1 << 10);
}
}  // namespace

TEST_CASE("TestChanSendSelectBarrier: a value sent by select to a parked receiver arrives whole",
          "[conformance][chanbarrier]") {
  testChanSendBarrier(true);
}

TEST_CASE("TestChanSendBarrier: a value sent to a parked receiver arrives whole", "[conformance][chanbarrier]") {
  testChanSendBarrier(false);
}
