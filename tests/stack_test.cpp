// stack_test.cpp — goroutine stacks: allocation, guards, the per-P cache,
// giving pages back, and many goroutines (stack.cpp).
#include <catch2/catch.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/go.h"
#include "runtime/stack.h"
#include "export_test.h"
#include "testprog_run.h"

using namespace gort;
namespace rt = gort::runtime;

namespace {

uintptr_t pageSize() { return uintptr_t(sysconf(_SC_PAGESIZE)); }

// Lines of /proc/self/maps: the process's mappings.
int mapsCount() {
  // In a NoPreempt region libstdc++'s read(2) is libc's, not in the
  // syscall state: sysmon can't hand the P off and start an M (whose
  // thread stack would add mappings) while the count is taken.
  gort::runtime::NoPreempt np;
  std::ifstream f("/proc/self/maps");
  int n = 0;
  for (std::string line; std::getline(f, line);) n++;
  return n;
}

// Whether the page holding v is resident (mincore(2)).
bool resident(uintptr_t v) {
  unsigned char vec = 0;
  uintptr_t page = v & ~(pageSize() - 1);
  REQUIRE(mincore(reinterpret_cast<void*>(page), pageSize(), &vec) == 0);
  return (vec & 1) != 0;
}

uint64_t canaryOf(rt::stack s) { return *reinterpret_cast<volatile uint64_t*>(s.lo); }

// The canary is in place in a stack without a guard page; a guarded stack
// carries none (its lowest page stays untouched).
bool canaryAsExpected(rt::stack s) {
  return rt::stackHasCanary(s) == (rt::stackGuardOf(s) == rt::stackGuardNone) &&
         (!rt::stackHasCanary(s) || canaryOf(s) == rt::stackCanary);
}

void touch(uintptr_t v) { *reinterpret_cast<volatile uintptr_t*>(v & ~uintptr_t(7)) = 1; }

// Undoes stackSetGuardModeForTest when a test ends, passed or not.
struct guardModeReset {
  ~guardModeReset() { rt::stackResetGuardModeForTest(); }
};

}  // namespace

TEST_CASE("stackalloc returns aligned, disjoint stacks of the requested size with the canary where no guard is",
          "[stack]") {
  uint32_t n = GENERATE(uint32_t(rt::startingStackSize.load()), uint32_t(64 << 10));
  CAPTURE(n);
  // Enough to need more than two spans.
  uint32_t count = 2 * rt::stackSpanStacks(n) + 5;
  std::vector<rt::stack> stacks;
  for (uint32_t i = 0; i < count; i++) stacks.push_back(export_test::StackAlloc(n));
  for (auto s : stacks) {
    REQUIRE(s.hi - s.lo == n);
    REQUIRE(s.lo % pageSize() == 0);
    REQUIRE(canaryAsExpected(s));
    REQUIRE(rt::stackGuardOf(s) == rt::stackGuardMode());
    // The whole stack is usable.
    touch(s.lo + 8);
    touch(s.hi - 8);
  }
  std::sort(stacks.begin(), stacks.end(), [](rt::stack a, rt::stack b) { return a.lo < b.lo; });
  for (size_t i = 1; i < stacks.size(); i++) {
    // Disjoint, with room for a guard page between neighbours.
    REQUIRE(stacks[i - 1].hi + pageSize() <= stacks[i].lo);
  }
  for (auto s : stacks) export_test::StackFree(s);
}

TEST_CASE("the page below every stack faults, in the guard mode this kernel gives", "[stack]") {
  // Linux ≥ 6.13 gives MADV_GUARD_INSTALL; qemu-user ignores that advice,
  // so there the probe settles for mprotect.
  rt::stackGuardKind mode = rt::stackGuardMode();
  CAPTURE(rt::stackGuardString(mode));
  REQUIRE(mode != rt::stackGuardNone);
  std::vector<rt::stack> stacks;
  for (int i = 0; i < 8; i++) stacks.push_back(export_test::StackAlloc(rt::startingStackSize.load()));
  for (auto s : stacks) {
    REQUIRE(rt::stackAddrFaults(s.lo - 1));
    REQUIRE(rt::stackAddrFaults(s.lo - pageSize()));
    REQUIRE_FALSE(rt::stackAddrFaults(s.lo));
    REQUIRE_FALSE(rt::stackAddrFaults(s.hi - 1));
  }
  for (auto s : stacks) export_test::StackFree(s);
}

TEST_CASE("a goroutine recursing without end dies of SIGSEGV at its guard page", "[stack]") {
  SECTION("with the guard this kernel gives") {
    testprog::result r = testprog::run("StackOverflowGuard");
    CAPTURE(r.output);
    REQUIRE(r.output.find(std::string("guard=") + rt::stackGuardString(rt::stackGuardMode())) !=
            std::string::npos);
    REQUIRE(r.output.find("fault in guard page") != std::string::npos);
    REQUIRE(r.signal == SIGSEGV);
  }
  SECTION("with mprotect guards, as where MADV_GUARD_INSTALL is refused") {
    testprog::result r = testprog::run("StackOverflowGuardMprotect");
    CAPTURE(r.output);
    REQUIRE(r.output.find("guard=mprotect") != std::string::npos);
    REQUIRE(r.output.find("fault in guard page") != std::string::npos);
    REQUIRE(r.signal == SIGSEGV);
  }
}

TEST_CASE("each guard mode works when forced, down to the canary alone", "[stack]") {
  uint32_t n = rt::startingStackSize.load();
  guardModeReset reset;

  SECTION("madvise: guards without a mapping each") {
    if (rt::stackGuardMode() != rt::stackGuardMadvise) {
      WARN("MADV_GUARD_INSTALL does not fault here (emulator or kernel < 6.13); skipped");
      return;
    }
    rt::stackSetGuardModeForTest(rt::stackGuardMadvise, false, -1);
    int before = mapsCount();
    std::vector<rt::stack> stacks;
    for (uint32_t i = 0; i < 2 * rt::stackSpanStacks(n); i++) stacks.push_back(export_test::StackAlloc(n));
    int during = mapsCount();
    for (auto s : stacks) {
      REQUIRE(rt::stackGuardOf(s) == rt::stackGuardMadvise);
      REQUIRE(rt::stackAddrFaults(s.lo - 1));
      REQUIRE(canaryAsExpected(s));
    }
    for (auto s : stacks) export_test::StackFree(s);
    // Two spans: at most a new arena's two mappings, not one per guard.
    REQUIRE(during - before <= 4);
  }

  SECTION("madvise guards installed by a batch that stops part way, or page by page") {
    if (rt::stackGuardMode() != rt::stackGuardMadvise) {
      WARN("MADV_GUARD_INSTALL does not fault here (emulator or kernel < 6.13); skipped");
      return;
    }
    CAPTURE(rt::stackBatchAdvise());
    struct limitReset {
      ~limitReset() { rt::stackSetBatchLimitForTest(-1); }
    } lr;
    // A kernel that stops after 5 of a span's guards (the rest go one by
    // one), and one that takes no batch at all.
    int64_t limit = GENERATE(int64_t(5), int64_t(0));
    CAPTURE(limit);
    rt::stackSetBatchLimitForTest(limit);
    rt::stackSetGuardModeForTest(rt::stackGuardMadvise, false, -1);
    std::vector<rt::stack> stacks;
    for (uint32_t i = 0; i < rt::stackSpanStacks(n); i++) stacks.push_back(export_test::StackAlloc(n));
    for (auto s : stacks) {
      REQUIRE(rt::stackGuardOf(s) == rt::stackGuardMadvise);
      REQUIRE(rt::stackAddrFaults(s.lo - 1));
      REQUIRE(rt::stackAddrFaults(s.lo - pageSize()));
      REQUIRE_FALSE(rt::stackAddrFaults(s.lo));
      REQUIRE(canaryAsExpected(s));
    }
    for (auto s : stacks) export_test::StackFree(s);
  }

  SECTION("MADV_GUARD_INSTALL refused: mprotect guards") {
    rt::stackSetGuardModeForTest(rt::stackGuardMadvise, true, -1);
    rt::stack s = export_test::StackAlloc(n);
    REQUIRE(rt::stackGuardMode() == rt::stackGuardMprotect);
    REQUIRE(rt::stackGuardOf(s) == rt::stackGuardMprotect);
    REQUIRE(rt::stackAddrFaults(s.lo - 1));
    REQUIRE_FALSE(rt::stackAddrFaults(s.lo));
    REQUIRE(canaryAsExpected(s));
    export_test::StackFree(s);
  }

  SECTION("mprotect budget spent: no guard, the canary alone") {
    // A budget of one span's worth: the first span gets guards, the next
    // none, and the mode stays at none.
    uint32_t per = rt::stackSpanStacks(n);
    rt::stackSetGuardModeForTest(rt::stackGuardMprotect, false, per);
    std::vector<rt::stack> stacks;
    for (uint32_t i = 0; i < per + 1; i++) stacks.push_back(export_test::StackAlloc(n));
    REQUIRE(rt::stackGuardOf(stacks.back()) == rt::stackGuardNone);
    REQUIRE(rt::stackGuardMode() == rt::stackGuardNone);
    for (uint32_t i = 0; i < per; i++) {
      REQUIRE(rt::stackGuardOf(stacks[i]) == rt::stackGuardMprotect);
      REQUIRE(rt::stackAddrFaults(stacks[i].lo - 1));
    }
    rt::stack last = stacks.back();
    REQUIRE_FALSE(rt::stackAddrFaults(last.lo - 1));
    touch(last.lo - 8);  // the unguarded page below is plain memory
    REQUIRE(canaryOf(last) == rt::stackCanary);
    for (auto s : stacks) export_test::StackFree(s);
  }
}

TEST_CASE("a stack freed and allocated again comes from the P's cache, pages and all", "[stack]") {
  export_test::GOMAXPROCSScope procs(1);  // one P: its cache is the one observed
  uint32_t n = rt::startingStackSize.load();
  export_test::StackCacheClear();
  REQUIRE(export_test::StackCacheBytes() == 0);

  rt::stack a = export_test::StackAlloc(n);
  // The first allocation refilled the cache with half its capacity.
  uintptr_t cached = export_test::StackCacheBytes();
  REQUIRE(cached == (rt::stackCacheStacks / 2 - 1) * n);
  touch(a.hi - 8);
  *reinterpret_cast<volatile uint64_t*>(a.lo) = 0;  // a dead goroutine's canary
  REQUIRE(resident(a.hi - 8));

  export_test::StackFree(a);
  REQUIRE(export_test::StackCacheBytes() == cached + n);
  rt::stack b = export_test::StackAlloc(n);
  REQUIRE(b.lo == a.lo);
  REQUIRE(b.hi == a.hi);
  REQUIRE(export_test::StackCacheBytes() == cached);
  REQUIRE(resident(b.hi - 8));  // its pages came with it
  REQUIRE(canaryAsExpected(b));
  export_test::StackFree(b);
}

TEST_CASE("stacks freed beyond the cache give their pages back and keep their guards", "[stack]") {
  export_test::GOMAXPROCSScope procs(1);  // one P: its cache is the one observed
  uint32_t n = rt::startingStackSize.load();
  export_test::StackCacheClear();
  constexpr int count = 3 * int(rt::stackCacheStacks);
  std::vector<rt::stack> stacks;
  for (int i = 0; i < count; i++) {
    rt::stack s = export_test::StackAlloc(n);
    touch(s.hi - 8);
    touch(s.lo + n / 2);
    stacks.push_back(s);
  }
  for (auto s : stacks) REQUIRE(resident(s.hi - 8));
  for (auto s : stacks) export_test::StackFree(s);

  // At most a full cache keeps its pages.
  REQUIRE(export_test::StackCacheBytes() <= rt::stackCacheStacks * n);
  int kept = 0;
  for (auto s : stacks) {
    if (resident(s.hi - 8) || resident(s.lo + n / 2))
      kept++;
    else if (rt::stackGuardOf(s) != rt::stackGuardNone)
      REQUIRE(rt::stackAddrFaults(s.lo - 1));  // MADV_DONTNEED kept the guard
  }
  REQUIRE(uintptr_t(kept) <= export_test::StackCacheBytes() / n);

  // stackcache_clear returns the rest, pages too.
  export_test::StackCacheClear();
  REQUIRE(export_test::StackCacheBytes() == 0);
  for (auto s : stacks) {
    REQUIRE_FALSE(resident(s.hi - 8));
    REQUIRE_FALSE(resident(s.lo + n / 2));
  }
}

TEST_CASE("the P's cache follows startingStackSize - other sizes bypass it", "[stack]") {
  export_test::GOMAXPROCSScope procs(1);  // one P: its cache is the one observed
  uint32_t old = rt::startingStackSize.load();
  struct restore {
    uint32_t size;
    ~restore() { rt::startingStackSize.store(size); }
  } restoreSize{old};
  export_test::StackCacheClear();

  rt::stack a = export_test::StackAlloc(old);
  export_test::StackFree(a);
  REQUIRE(export_test::StackCacheStackSize() == old);
  REQUIRE(export_test::StackCacheBytes() > 0);

  // Another size leaves the cache alone.
  uintptr_t cached = export_test::StackCacheBytes();
  rt::stack other = export_test::StackAlloc(old / 4);
  REQUIRE(other.hi - other.lo == old / 4);
  export_test::StackFree(other);
  REQUIRE(export_test::StackCacheBytes() == cached);
  REQUIRE(export_test::StackCacheStackSize() == old);

  // As after SetMaxStack: the old-size stacks leave the cache, pages and all.
  touch(a.hi - 8);
  rt::startingStackSize.store(old / 2);
  rt::stack b = export_test::StackAlloc(old / 2);
  REQUIRE(export_test::StackCacheStackSize() == old / 2);
  REQUIRE_FALSE(resident(a.hi - 8));
  export_test::StackFree(b);
  export_test::StackCacheClear();
}

TEST_CASE("100,000 stacks allocated and freed take a few mappings, not one each", "[stack]") {
  uint32_t n = rt::startingStackSize.load();
  constexpr int count = 100000;
  guardModeReset reset;
  int64_t guardBudget = 0;
  if (rt::stackGuardMode() != rt::stackGuardMadvise) {
    // mprotect guards cost two mappings each; a small budget shows the
    // fall back to none instead of running out of mappings (and leaves the
    // real budget to the other tests).
    guardBudget = 20 * rt::stackSpanStacks(n);
    rt::stackSetGuardModeForTest(rt::stackGuardMprotect, false, guardBudget);
  }
  int before = mapsCount();
  std::vector<rt::stack> stacks;
  stacks.reserve(count);
  for (int i = 0; i < count; i++) stacks.push_back(export_test::StackAlloc(n));
  int during = mapsCount();
  for (auto s : stacks) export_test::StackFree(s);
  int after = mapsCount();
  CAPTURE(before, during, after, rt::stackGuardString(rt::stackGuardMode()));
  // 100,000 stacks are about 1,600 spans in 25 arenas: a few dozen
  // mappings (a sanitizer's shadow adds some), far from one per stack.
  REQUIRE(during - before <= 2 * guardBudget + count / 200);
  REQUIRE(after <= during);
}

TEST_CASE("a clobbered canary is a stack overflow, reported in Go's words", "[stack]") {
  testprog::result r = testprog::run("StackCanaryClobber");
  CAPTURE(r.output);
  REQUIRE(r.exitStatus == 2);
  REQUIRE(r.output.find("runtime: goroutine stack exceeds " + std::to_string(rt::maxstacksize.load()) +
                        "-byte limit\n") != std::string::npos);
  REQUIRE(r.output.find("fatal error: stack overflow") != std::string::npos);
  REQUIRE(r.output.find("canary not checked") == std::string::npos);
}

TEST_CASE("100,000 goroutines each yield once and all finish", "[stack]") {
#if defined(__SANITIZE_THREAD__)
  constexpr int count = 4000;  // each goroutine is a TSan fiber, and TSan allows 8128 threads
#else
  constexpr int count = 100000;
#endif
  int before = mapsCount();
  std::atomic<int> started{0};
  std::atomic<int> finished{0};
  for (int i = 0; i < count; i++)
    go([&started, &finished] {
      started++;
      runtime::Gosched();
      finished++;
    });
  while (finished.load() < count) runtime::Gosched();
  REQUIRE(started.load() == count);
  REQUIRE(finished.load() == count);
  // Their stacks came from spans, not one mapping each. (Not under the
  // sanitizers: a TSan fiber or ASan fake stack per goroutine maps more.)
  int after = mapsCount();
  CAPTURE(before, after);
#if !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__)
  if (rt::stackGuardMode() == rt::stackGuardMadvise) REQUIRE(after - before <= count / 200);
#endif
}

TEST_CASE("stackalloc and stackfree on many Ms at once hand out each stack to one owner", "[stack]") {
  export_test::GOMAXPROCSScope procs(4);
  constexpr int workers = 8;
  constexpr int rounds = 3000;
  std::atomic<int> finished{0};
  std::atomic<int> bad{0};
  std::atomic<uint64_t> msSeen{0};
  for (int w = 0; w < workers; w++)
    go([&, w] {
      // Each stack holds its owner's tag in its top word until freed; a
      // stack handed to two owners at once shows up as a wrong tag.
      std::vector<std::pair<rt::stack, uint64_t>> held;
      auto release = [&](std::pair<rt::stack, uint64_t> h) {
        if (*reinterpret_cast<volatile uint64_t*>(h.first.hi - 8) != h.second) bad++;
        export_test::StackFree(h.first);
      };
      for (int r = 0; r < rounds; r++) {
        uint32_t n = r % 3 == 0 ? uint32_t(64 << 10) : rt::startingStackSize.load();
        rt::stack s = export_test::StackAlloc(n);
        if (!canaryAsExpected(s) || s.hi - s.lo != n) bad++;
        uint64_t tag = uint64_t(w) << 32 | uint64_t(r);
        *reinterpret_cast<volatile uint64_t*>(s.hi - 8) = tag;
        held.push_back({s, tag});
        if (held.size() > 24) {
          release(held.front());
          held.erase(held.begin());
        }
        if (r % 64 == 0) {
          msSeen.fetch_or(uint64_t(1) << (rt::getg()->m->id % 64));
          runtime::Gosched();  // may move to another M and P
        }
      }
      for (auto h : held) release(h);
      finished++;
    });
  while (finished.load() < workers) runtime::Gosched();
  INFO("Ms used (bitmask of ids mod 64): " << msSeen.load());
  REQUIRE(bad.load() == 0);
}

#if defined(__SANITIZE_ADDRESS__)
TEST_CASE("LeakSanitizer sees a live goroutine's stack: what it holds is no leak, what an ended one lost is",
          "[stack][asan]") {
  auto r = testprog::run("LeakOnlyWhatIsLost", {"ASAN_OPTIONS=detect_leaks=1"});
  INFO(r.output);
  REQUIRE(r.output.find("exiting\n") != std::string::npos);
  REQUIRE(r.output.find("Direct leak of 12345 byte(s)") != std::string::npos);
  REQUIRE(r.output.find("54321 byte") == std::string::npos);
  REQUIRE(r.output.find("SUMMARY: AddressSanitizer: 12345 byte(s) leaked in 1 allocation(s).") != std::string::npos);
}
#endif
