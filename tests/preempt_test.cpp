// preempt_test.cpp — sysmon's time slice and signal-based preemption
// (preempt.cpp, signal_unix.cpp, preempt_<arch>.S).
#include <catch2/catch.hpp>

#include <signal.h>

#include <atomic>
#include <cstring>

#include "export_test.h"
#include "runtime/go.h"
#include "runtime/preempt.h"
#include "testprog_run.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace rt = gort::runtime;

TEST_CASE("TestAsyncPreempt: a goroutine in a call-free loop does not keep main from finishing",
          "[conformance][preempt]") {
  if (!export_test::AsyncPreemptAvailable) {
    WARN("skipped: no asynchronous preemption here (off under TSan)");
    return;
  }
  auto r = testprog::run("AsyncPreempt", {}, 60);
  INFO(r.output);
  REQUIRE(r.output == "OK\n");
  REQUIRE(r.exitStatus == 0);
}

TEST_CASE("GODEBUG=asyncpreemptoff=1 turns signal preemption off", "[preempt]") {
  if (!export_test::AsyncPreemptAvailable) {
    WARN("skipped: no asynchronous preemption here (off under TSan)");
    return;
  }
  // Nothing else can stop the spinner: main never gets the P back and the
  // program is killed at the bound without printing OK.
  auto r = testprog::run("AsyncPreempt", {"GODEBUG=asyncpreemptoff=1"}, 3);
  INFO(r.output);
  REQUIRE(r.output.find("OK") == std::string::npos);
  REQUIRE(r.exitStatus != 0);
}

TEST_CASE("runtime::NoPreempt keeps a region from being preempted", "[preempt]") {
  if (!export_test::AsyncPreemptAvailable) {
    WARN("skipped: no asynchronous preemption here (off under TSan)");
    return;
  }
  auto r = testprog::run("NoPreemptHonoured", {}, 3);
  INFO(r.output);
  REQUIRE(r.output.find("OK") == std::string::npos);
  REQUIRE(r.exitStatus != 0);
}

// proc_test.go: TestPreemption (the spinning loop has no calls at all, so
// only asynchronous preemption can move the token at GOMAXPROCS=1)
TEST_CASE("TestPreemption: spinning goroutines pass a token back and forth", "[conformance][preempt]") {
  if (!export_test::AsyncPreemptAvailable) {
    WARN("skipped: no asynchronous preemption here (off under TSan)");
    return;
  }
  export_test::GOMAXPROCSScope procs(1);
  constexpr int N = 5;
  std::atomic<uint32_t> x{0};
  export_test::Latch done;
  for (int g = 0; g < 2; g++) {
    gort::go([&x, &done](int g) {
      for (int i = 0; i < N; i++) {
        while (x.load() != uint32_t(g)) {
        }
        x.store(uint32_t(1 - g));
      }
      done.Done();
    }, g);
  }
  done.Wait(2);
  REQUIRE(x.load() == 0);
}

#if defined(__x86_64__) || defined(__aarch64__)
extern "C" {
uint64_t preemptRegisterLoop(int arg);
volatile uint32_t preemptTestStop;
}

// Runs preemptRegisterLoop(arg) in a goroutine and preempts it from here
// (another P) until want preemptions have happened, then stops the loop
// and waits for it to store its registers. Returns how many happened.
static uint64_t preemptRegisterLoopManyTimes(int arg, uint64_t want) {
  preemptTestStop = 0;
  std::atomic<rt::g*> target{nullptr};
  export_test::Latch finished;
  gort::go([&] {
    target = export_test::Curg();
    preemptRegisterLoop(arg);
    finished.Done();
  });
  uint64_t before = rt::NumAsyncPreempt();
  while (rt::NumAsyncPreempt() - before < want) {
    if (rt::g* t = target.load()) export_test::PreemptG(t);
    rt::Gosched();
  }
  preemptTestStop = 1;
  finished.Wait(1);
  return rt::NumAsyncPreempt() - before;
}
#endif

#if defined(__x86_64__)
extern "C" {
uint32_t preemptTestWithAVX;
uint8_t preemptTestXmm[256], preemptTestYmmHi[256];
uint64_t preemptTestOut[15];
uint8_t preemptTestOutXmm[256], preemptTestOutYmmHi[256];
}

TEST_CASE("every general and vector register survives thousands of asynchronous preemptions",
          "[preempt]") {
  if (!export_test::AsyncPreemptAvailable) {
    WARN("skipped: no asynchronous preemption here (off under TSan)");
    return;
  }
  export_test::GOMAXPROCSScope procs(2);
  unsigned a, b, c, d;
  int withAVX = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_AVX) && (c & bit_OSXSAVE);
  for (int i = 0; i < 256; i++) {
    preemptTestXmm[i] = uint8_t(0x10 + i / 16) ^ uint8_t(i);
    preemptTestYmmHi[i] = uint8_t(0x60 + i / 16) ^ uint8_t(i);
  }
  constexpr uint64_t want = 1000 / export_test::TSanDivisor;
  uint64_t preempted = preemptRegisterLoopManyTimes(withAVX, want);
  for (int r = 0; r < 15; r++) {
    uint64_t v = 0x0101010101010101ULL * uint64_t(r + 1);
    INFO("general register #" << r);
    REQUIRE(preemptTestOut[r] == v);
  }
  REQUIRE(std::memcmp(preemptTestOutXmm, preemptTestXmm, 256) == 0);
  if (withAVX) REQUIRE(std::memcmp(preemptTestOutYmmHi, preemptTestYmmHi, 256) == 0);
  REQUIRE(preempted >= want);
}
#endif

#if defined(__aarch64__)
extern "C" {
uint64_t preemptTestX[31], preemptTestOut[31];
uint8_t preemptTestV[512], preemptTestOutV[512];
}

TEST_CASE("every general and vector register survives thousands of asynchronous preemptions",
          "[preempt]") {
  if (!export_test::AsyncPreemptAvailable) {
    WARN("skipped: no asynchronous preemption here (off under TSan)");
    return;
  }
  export_test::GOMAXPROCSScope procs(2);
  for (int r = 0; r < 31; r++) preemptTestX[r] = 0x0101010101010101ULL * uint64_t(r + 1);
  for (int i = 0; i < 512; i++) preemptTestV[i] = uint8_t(0x40 + i / 16) ^ uint8_t(i);
  constexpr uint64_t want = 1000 / export_test::TSanDivisor;
  uint64_t preempted = preemptRegisterLoopManyTimes(0, want);
  for (int r = 0; r < 31; r++) {
    if (r == 16 || r == 17) continue;  // the loop's scratch registers
    INFO("x" << r);
    REQUIRE(preemptTestOut[r] == preemptTestX[r]);
  }
  REQUIRE(std::memcmp(preemptTestOutV, preemptTestV, 512) == 0);
  REQUIRE(preempted >= want);
}
#endif

// signal_unix.go: adjustSignalStack (gort refuses where Go adopts)
TEST_CASE("a thread whose alternate signal stack was replaced is not preempted on it", "[preempt]") {
  if (!export_test::AsyncPreemptAvailable) {
    WARN("skipped: no asynchronous preemption here (off under TSan)");
    return;
  }
  export_test::GOMAXPROCSScope procs(2);
  static std::atomic<uint32_t> spinGen{0};
  std::atomic<rt::g*> target{nullptr};
  std::atomic<bool> done{false};
  uint64_t before = rt::NumAsyncPreempt();
  uint64_t preemptedWhileForeign = ~uint64_t(0);
  gort::go([&] {
    gort::runtime::LockOSThread();  // keep this thread while its signal stack is foreign
    static char foreign[64 * 1024];
    stack_t st{}, old{};
    st.ss_sp = foreign;
    st.ss_size = sizeof foreign;
    REQUIRE(sigaltstack(&st, &old) == 0);
    rt::m* mp = rt::getg()->m;
    uint32_t gen0 = mp->preemptGen.load();
    target = export_test::Curg();
    // Call-free spin until 20 preemption signals were handled on this
    // thread, on the foreign stack: each must be acknowledged and refused.
    while (mp->preemptGen.load(std::memory_order_relaxed) - gen0 < 20) spinGen.fetch_add(1, std::memory_order_relaxed);
    // Counted before the stack is given back: a request still in flight
    // may rightly preempt this goroutine after that.
    preemptedWhileForeign = rt::NumAsyncPreempt() - before;
    target = nullptr;
    REQUIRE(sigaltstack(&old, nullptr) == 0);
    gort::runtime::UnlockOSThread();
    done = true;
  });
  while (!done) {
    if (rt::g* t = target.load()) export_test::PreemptG(t);
    rt::Gosched();
  }
  REQUIRE(preemptedWhileForeign == 0);
}
