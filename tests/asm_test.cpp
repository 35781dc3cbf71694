// asm_test.cpp — the switching assembly (arch/<arch>/asm_<arch>.S): what
// C++ code relies on across mcall/gogo and systemstack, the frame a new
// goroutine is entered with, and unwinding (libunwind, C++ exceptions)
// through all of it. Per-arch helpers: tests/<arch>/asm_test_helpers.S.
#include <catch2/catch.hpp>

#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <unwind.h>

#include <array>
#include <atomic>
#include <cfenv>
#include <cstdint>
#include <exception>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "export_test.h"
#include "runtime/go.h"

using namespace gort;
using export_test::G;

extern "C" {
// tests/<arch>/asm_test_helpers.S
uint64_t asmtest_callee_saved_across_gosched(const uint64_t* want, int* step, int until, void (*gosched)());
void asmtest_entry_probe(runtime::funcval* fv);
uintptr_t asmtest_getsp();

// sp as asmtest_entry_probe found it at a goroutine's first instruction.
uintptr_t asmtest_entry_sp;
void asmtest_entry_body(runtime::funcval* fv);
void asmtest_unwind_marker(void* walk);
void asmtest_backtrace_marker(void* trace);
}

namespace {

// ---------------------------------------------------------------------------
// What the ABI makes callee-saved, in the order of want[] and of the bits of
// asmtest_callee_saved_across_gosched's mismatch mask.
// ---------------------------------------------------------------------------
#if defined(__x86_64__)
constexpr const char* kCalleeSaved[] = {"rbx", "rbp", "r12", "r13", "r14", "r15", "mxcsr", "x87cw"};
// want[0, kGPRs) are general registers, then kPatterns-kGPRs others
// (none on amd64), then rounding modes.
constexpr int kGPRs = 6;
constexpr int kPatterns = 6;
// MXCSR.RC and x87 CW.RC: 0 nearest, 1 down, 2 up, 3 toward zero.
constexpr uint64_t kModesA[] = {3, 3};
constexpr uint64_t kModesB[] = {2, 1};
// rsp at a function's first instruction: the call pushed 8 bytes onto a
// 16-byte aligned sp.
constexpr uintptr_t kEntrySpMod16 = 8;
// libunwind's numbers for want[0, kGPRs).
constexpr int kUnwGPR[] = {UNW_X86_64_RBX, UNW_X86_64_RBP, UNW_X86_64_R12,
                           UNW_X86_64_R13, UNW_X86_64_R14, UNW_X86_64_R15};
uint64_t mcallframeGPR(const export_test::Mcallframe& f, int i) {
  const uint64_t v[] = {f.rbx, f.rbp, f.r12, f.r13, f.r14, f.r15};
  return v[i];
}
#elif defined(__aarch64__)
constexpr const char* kCalleeSaved[] = {"x19", "x20", "x21", "x22", "x23", "x24", "x25",
                                        "x26", "x27", "x28", "x29", "d8",  "d9",  "d10",
                                        "d11", "d12", "d13", "d14", "d15", "fpcr"};
constexpr int kGPRs = 11;
constexpr int kPatterns = 19;
// FPCR.RMode: 0 to nearest, 1 toward +inf, 2 toward -inf, 3 toward zero.
constexpr uint64_t kModesA[] = {3};
constexpr uint64_t kModesB[] = {1};
// AAPCS64: sp is 16-byte aligned at every instruction; bl pushes nothing.
constexpr uintptr_t kEntrySpMod16 = 0;
constexpr int kUnwGPR[] = {UNW_AARCH64_X19, UNW_AARCH64_X20, UNW_AARCH64_X21, UNW_AARCH64_X22,
                           UNW_AARCH64_X23, UNW_AARCH64_X24, UNW_AARCH64_X25, UNW_AARCH64_X26,
                           UNW_AARCH64_X27, UNW_AARCH64_X28, UNW_AARCH64_X29};
uint64_t mcallframeGPR(const export_test::Mcallframe& f, int i) {
  const uint64_t v[] = {f.x19, f.x20, f.x21, f.x22, f.x23, f.x24, f.x25, f.x26, f.x27, f.x28, f.x29};
  return v[i];
}
#else
#error "gort: unsupported architecture"
#endif
constexpr int kWant = sizeof(kCalleeSaved) / sizeof(kCalleeSaved[0]);
static_assert(sizeof(kUnwGPR) / sizeof(kUnwGPR[0]) == kGPRs);
static_assert(kPatterns + sizeof(kModesA) / sizeof(kModesA[0]) == kWant);
static_assert(sizeof(kModesA) == sizeof(kModesB));

// splitmix64: distinct, bit-rich patterns (no register gets a value that
// a zeroed or copied register could hold by chance).
uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// want[] for asmtest_callee_saved_across_gosched: patterns from seed, then
// the rounding modes.
std::array<uint64_t, kWant> wantFor(uint64_t seed, const uint64_t (&modes)[kWant - kPatterns]) {
  std::array<uint64_t, kWant> w{};
  for (int i = 0; i < kPatterns; i++) w[i] = splitmix64(seed * 64 + uint64_t(i));
  for (int i = kPatterns; i < kWant; i++) w[i] = modes[i - kPatterns];
  return w;
}

// The names of the registers whose bits are set in mask.
std::string describe(uint64_t mask) {
  std::string s;
  for (int i = 0; i < 64; i++)
    if (mask & (uint64_t(1) << i)) s += std::string(s.empty() ? "" : " ") + (i < kWant ? kCalleeSaved[i] : "?");
  return s.empty() ? "none" : s;
}

// ---------------------------------------------------------------------------
// libunwind walks.
// ---------------------------------------------------------------------------
struct Walk {
  std::vector<std::string> names;  // proc names, innermost first ("?" if none)
  std::vector<uintptr_t> ips;      // their pcs
  int lastStep = 1;                // unw_step's result at the end: 0 = outermost frame reached
  // Callee-saved general registers as recovered at the frame named
  // regsAt (want[] order), for the parked-goroutine walk.
  const char* regsAt = nullptr;
  bool regsFound = false;
  uint64_t regs[kGPRs] = {};
  // The same, one frame above the innermost (mcall's caller).
  uint64_t callerRegs[kGPRs] = {};

  std::string str() const {
    std::ostringstream os;
    for (const auto& n : names) os << n << " <- ";
    os << "(unw_step " << lastStep << ")";
    return os.str();
  }
  bool has(const std::string& name) const {
    for (const auto& n : names)
      if (n == name) return true;
    return false;
  }
};

void readGPRs(unw_cursor_t* c, uint64_t* out) {
  for (int i = 0; i < kGPRs; i++) {
    unw_word_t v = 0;
    unw_get_reg(c, kUnwGPR[i], &v);
    out[i] = v;
  }
}

void walk(unw_cursor_t* c, Walk* w) {
  for (int i = 0; i < 64; i++) {
    char name[256];
    unw_word_t off = 0;
    w->names.push_back(unw_get_proc_name(c, name, sizeof name, &off) == 0 ? name : "?");
    unw_word_t ip = 0;
    unw_get_reg(c, UNW_REG_IP, &ip);
    w->ips.push_back(ip);
    if (i == 1) readGPRs(c, w->callerRegs);
    if (w->regsAt != nullptr && w->names.back() == w->regsAt && !w->regsFound) {
      readGPRs(c, w->regs);
      w->regsFound = true;
    }
    w->lastStep = unw_step(c);
    if (w->lastStep <= 0) return;
  }
}

// Runs a go statement and waits for it with Gosched (no channels yet).
template <class F>
void goAndWait(F f) {
  std::atomic<bool> done{false};
  go([&] {
    f();
    done = true;
  });
  while (!done) runtime::Gosched();
}

}  // namespace

// The test's named user function: walks its own stack.
extern "C" __attribute__((noinline)) void asmtest_unwind_marker(void* arg) {
  unw_context_t ctx;
  unw_cursor_t c;
  unw_getcontext(&ctx);
  unw_init_local(&c, &ctx);
  walk(&c, static_cast<Walk*>(arg));
  asm volatile("" ::: "memory");  // not a tail call: this frame stays on the walk
}

// ===========================================================================
// mcall / gogo
// ===========================================================================

TEST_CASE("callee-saved registers and FP control survive Gosched while another goroutine scribbles over them",
          "[asm]") {
  // One P: the two goroutines take turns on one thread, so each one's
  // registers really are overwritten by the other's.
  export_test::GOMAXPROCSScope procs(1);
  const auto mine = wantFor(1, kModesA);
  const auto theirs = wantFor(2, kModesB);
  int step = 0;  // plain int: the asm reads and bumps it; the switches order the accesses
  uint64_t theirMask = ~uint64_t(0);
  std::atomic<bool> theirsDone{false};
  // The scribbler: the same helper with other patterns and other rounding
  // modes. Each one yields at least once after loading its patterns and
  // returns only once both have loaded theirs (step == 2), so each is
  // parked while the other's values are in the registers.
  go([&] {
    theirMask = asmtest_callee_saved_across_gosched(theirs.data(), &step, 2, &runtime::Gosched);
    theirsDone = true;
  });
  uint64_t myMask = asmtest_callee_saved_across_gosched(mine.data(), &step, 2, &runtime::Gosched);
  while (!theirsDone) runtime::Gosched();

  REQUIRE(step == 2);
  INFO("mine clobbered: " << describe(myMask));
  CHECK(myMask == 0);
  INFO("theirs clobbered: " << describe(theirMask));
  CHECK(theirMask == 0);
}

TEST_CASE("a goroutine parked by mcall unwinds from its gobuf through mcall's frame to goexit", "[asm]") {
  // One P, kept by this goroutine while it walks: the parked goroutine
  // can't run (and park again, with another M in its mcallframe) meanwhile.
  // libunwind reads and writes (a pipe checks addresses): in a NoPreempt
  // region they go straight to libc, not through entersyscall, where
  // sysmon could hand the P to another M.
  export_test::GOMAXPROCSScope procs(1);
  const auto want = wantFor(3, kModesA);
  int step = 0;
  G* parked = nullptr;
  uint64_t mask = ~uint64_t(0);
  std::atomic<bool> done{false};
  go([&] {
    parked = export_test::Getg();
    mask = asmtest_callee_saved_across_gosched(want.data(), &step, 2, &runtime::Gosched);
    done = true;
  });
  while (step < 1) runtime::Gosched();
  std::optional<runtime::NoPreempt> keepP(std::in_place);

  // parked sits in a run queue inside Gosched -> mcall. Walk it from its
  // resume point twice. sched.pc is an exact pc, not a return address:
  // libunwind opened with UNW_INIT_SIGNAL_FRAME looks it up as it is. An
  // unwinder reaching it as a caller's frame (gdb under a frame unwinder)
  // looks up pc-1, which the nop before .Lmcall_resume covers; to walk
  // that way, start one frame lower, in asmtest_getsp (a leaf) "called"
  // from sched.pc.
  const export_test::Sched s = export_test::SchedOf(parked);
  REQUIRE(s.sp != 0);
  REQUIRE(export_test::OnStackOf(parked, s.sp));
  const export_test::Mcallframe frame = *export_test::ParkedFrame(parked);  // gone once it resumes
  Walk walks[2];
  const char* how[2] = {"from sched.pc", "from a callee of sched.pc (pc-1)"};
  // libunwind caches frame states by pc, not by the pc it looked up: the
  // second walk must not reuse the first one's state for sched.pc.
  unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_NONE);
  for (int k = 0; k < 2; k++) {
    unw_context_t ctx;
    unw_getcontext(&ctx);
    const uintptr_t leaf = reinterpret_cast<uintptr_t>(&asmtest_getsp);
#if defined(__x86_64__)
    uintptr_t sp = s.sp;
    if (k == 1) {
      // At the leaf's entry the return address is at 0(rsp): put it in
      // the free space below the parked frame.
      sp -= sizeof(uintptr_t);
      *reinterpret_cast<uintptr_t*>(sp) = s.pc;
    }
    ctx.uc_mcontext.gregs[REG_RIP] = greg_t(k == 0 ? s.pc : leaf);
    ctx.uc_mcontext.gregs[REG_RSP] = greg_t(sp);
    ctx.uc_mcontext.gregs[REG_RBP] = greg_t(s.bp);
#elif defined(__aarch64__)
    // At the leaf's entry the return address is in x30.
    ctx.uc_mcontext.pc = k == 0 ? s.pc : leaf;
    ctx.uc_mcontext.sp = s.sp;
    ctx.uc_mcontext.regs[29] = s.bp;
    ctx.uc_mcontext.regs[30] = s.pc;
#endif
    unw_cursor_t c;
    REQUIRE(unw_init_local2(&c, &ctx, UNW_INIT_SIGNAL_FRAME) == 0);
    if (k == 1) {
      REQUIRE(unw_step(&c) > 0);  // out of the leaf, into mcall at sched.pc
      unw_word_t ip = 0;
      unw_get_reg(&c, UNW_REG_IP, &ip);
      REQUIRE(ip == s.pc);
    }
    walks[k].regsAt = "asmtest_callee_saved_across_gosched";
    walk(&c, &walks[k]);
  }

  unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_GLOBAL);  // the default
  keepP.reset();
  step = 2;  // let it finish
  while (!done) runtime::Gosched();

  for (int k = 0; k < 2; k++) {
    const Walk& w = walks[k];
    INFO(how[k] << ": " << w.str());
    REQUIRE(w.names.size() >= 4);
    CHECK(w.names.front() == "mcall");
    CHECK(w.has("asmtest_callee_saved_across_gosched"));
    CHECK(w.names.back() == "goexit");
    CHECK(w.ips.back() == export_test::GoexitRetPC());
    CHECK(w.lastStep == 0);
    // mcall's CFI and the mcallframe struct agree on where each register is.
    for (int i = 0; i < kGPRs; i++) {
      INFO(kCalleeSaved[i]);
      CHECK(w.callerRegs[i] == mcallframeGPR(frame, i));
    }
    // ...and the helper's registers come back through every frame above.
    REQUIRE(w.regsFound);
    for (int i = 0; i < kGPRs; i++) {
      INFO(kCalleeSaved[i]);
      CHECK(w.regs[i] == want[i]);
    }
  }
  INFO("clobbered: " << describe(mask));
  CHECK(mask == 0);
}

namespace {
// The rounding bits of every FP control register the switch keeps: amd64's
// MXCSR (fegetround reads only the x87 control word there); on arm64,
// fegetround reads FPCR itself.
uint32_t sseRounding() {
#if defined(__x86_64__)
  return __builtin_ia32_stmxcsr() & 0x6000u;  // MXCSR.RC
#else
  return 0;
#endif
}
}  // namespace

TEST_CASE("each goroutine keeps its own FP rounding mode while goroutines move between Ms", "[asm]") {
  // Two Ps, four goroutines, each setting a new rounding mode before every
  // yield through the global run queue: each resumes on either thread,
  // after any of the others, and must find the mode it set (mcall saves
  // it, .Lmcall_resume writes it back where the thread's differs:
  // tls_fpctl).
  export_test::GOMAXPROCSScope procs(2);
  constexpr int kGs = 4, kRounds = 3000;
  const int modes[kGs] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
  std::atomic<int> wrong{0};
  gort::sync::WaitGroup wg;
  wg.Add(kGs);
  for (int i = 0; i < kGs; i++) {
    go([&, i] {
      for (int k = 0; k < kRounds; k++) {
        // A new mode set between switches, as a goroutine's own code
        // would: the next mcall must see it, whatever the thread had.
        const int want = modes[(i + k) % kGs];
        if (fesetround(want) != 0) wrong.fetch_add(1);
        const uint32_t sse = sseRounding();
        runtime::Gosched();
        if (fegetround() != want || sseRounding() != sse) wrong.fetch_add(1);
      }
      fesetround(FE_TONEAREST);
      wg.Done();
    });
  }
  wg.Wait();
  CHECK(wrong.load() == 0);
  CHECK(fegetround() == FE_TONEAREST);
}

// ===========================================================================
// The new goroutine's frame (newproc1, gostartcall)
// ===========================================================================

namespace {
struct EntryProbe : runtime::funcval {
  G* gp = nullptr;
  uintptr_t local = 0;  // address of an alignas(16) local
  uintptr_t frame = 0;  // __builtin_frame_address(0)
  uintptr_t callSp = 0;  // sp just before a call
  std::atomic<bool> done{false};
};
}  // namespace

extern "C" __attribute__((noinline)) void asmtest_entry_body(runtime::funcval* fv) {
  runtime::goentry_begin();
  auto* p = static_cast<EntryProbe*>(fv);
  alignas(16) volatile char local[16] = {};
  p->gp = export_test::Getg();
  p->local = reinterpret_cast<uintptr_t>(&local[0]);
  p->frame = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  p->callSp = asmtest_getsp();
  p->done = true;
}

TEST_CASE("a new goroutine is entered with the ABI's stack alignment", "[asm]") {
  SECTION("at the entry's first instruction") {
    EntryProbe probe;
    probe.fn = &asmtest_entry_probe;
    asmtest_entry_sp = 1;  // odd, so a probe that never ran can't pass
    export_test::Newproc(&probe);
    while (!probe.done) runtime::Gosched();
    CHECK(asmtest_entry_sp % 16 == kEntrySpMod16);
    CHECK(export_test::OnStackOf(probe.gp, asmtest_entry_sp));
    CHECK(probe.local % 16 == 0);
    CHECK(probe.frame % 16 == 0);
    CHECK(probe.callSp % 16 == 0);
  }
  SECTION("in a go statement's function") {
    uintptr_t local = 1, callSp = 1;
    goAndWait([&] {
      alignas(16) volatile char buf[16] = {};
      local = reinterpret_cast<uintptr_t>(&buf[0]);
      callSp = asmtest_getsp();
    });
    CHECK(local % 16 == 0);
    CHECK(callSp % 16 == 0);
  }
}

// ===========================================================================
// systemstack
// ===========================================================================

TEST_CASE("systemstack runs fn on g0's stack and returns to the goroutine - nested it is a plain call", "[asm]") {
  G* gp = export_test::Getg();
  G* g0 = export_test::G0();
  REQUIRE(gp != g0);
  REQUIRE(gp == export_test::Curg());
  REQUIRE(export_test::OnStackOf(gp, asmtest_getsp()));
  const uintptr_t g0top = export_test::SchedOf(g0).sp;

  G* outerG = nullptr;
  G* innerG = nullptr;
  uintptr_t outerSp = 0, innerSp = 0;
  export_test::Sched during{};
  int ran = 0;
  // Not preempted from here to the checks: an asynchronous preemption
  // switches gp out and back in, and leaves its own resume pc in
  // sched.pc (gogo clears sp, as Go's does, not pc).
  std::optional<runtime::NoPreempt> keepG(std::in_place);
  export_test::Systemstack([&] {
    outerG = export_test::Getg();
    outerSp = asmtest_getsp();
    during = export_test::SchedOf(gp);
    export_test::Systemstack([&] {
      innerG = export_test::Getg();
      innerSp = asmtest_getsp();
      ran++;
    });
    ran++;
  });

  // Back on the goroutine, its sched cleared again.
  REQUIRE(ran == 2);
  CHECK(export_test::Getg() == gp);
  CHECK(export_test::OnStackOf(gp, asmtest_getsp()));
  CHECK(export_test::SchedOf(gp).sp == 0);
  CHECK(export_test::SchedOf(gp).pc == 0);
  keepG.reset();
  // fn ran on g0, on g0's stack, below the top every switch starts from.
  CHECK(outerG == g0);
  CHECK(export_test::OnStackOf(g0, outerSp));
  CHECK(!export_test::OnStackOf(gp, outerSp));
  CHECK(outerSp < g0top);
  // Meanwhile gp's sched said where gp stood (for tracebacks).
  CHECK(export_test::OnStackOf(gp, during.sp));
  CHECK(during.pc != 0);
  // Nested: still g0, and deeper on the same stack; a switch would have
  // restarted from g0's top, above outerSp.
  CHECK(innerG == g0);
  CHECK(innerSp < outerSp);
  CHECK(export_test::SchedOf(g0).sp == g0top);
}

// ===========================================================================
// Unwinding: libunwind and C++ exceptions
// ===========================================================================

TEST_CASE("libunwind walks a goroutine's stack from inside it up to goexit", "[asm]") {
  Walk w;
  SECTION("on the goroutine's stack") {
    goAndWait([&] { asmtest_unwind_marker(&w); });
    INFO(w.str());
    CHECK(w.names.front() == "asmtest_unwind_marker");
  }
  SECTION("from g0 inside systemstack, across the stack switch") {
    goAndWait([&] { export_test::Systemstack([&] { asmtest_unwind_marker(&w); }); });
    INFO(w.str());
    CHECK(w.names.front() == "asmtest_unwind_marker");
    CHECK(w.has("systemstack"));
  }
  INFO(w.str());
  CHECK(w.names.back() == "goexit");
  CHECK(w.ips.back() == export_test::GoexitRetPC());
  CHECK(w.lastStep == 0);
}

namespace {
// A walk by _Unwind_Backtrace: the interface of the unwinder C++
// exceptions use (libgcc's; natively libunwind.so exports the same
// symbols and takes precedence).
struct Trace {
  std::vector<uintptr_t> ips;
  _Unwind_Reason_Code result = _URC_NO_REASON;
};

_Unwind_Reason_Code traceFrame(_Unwind_Context* ctx, void* arg) {
  auto* t = static_cast<Trace*>(arg);
  if (t->ips.size() >= 64) return _URC_NORMAL_STOP;  // a walk that never ends
  t->ips.push_back(_Unwind_GetIP(ctx));
  return _URC_NO_REASON;
}
}  // namespace

extern "C" __attribute__((noinline)) void asmtest_backtrace_marker(void* arg) {
  auto* t = static_cast<Trace*>(arg);
  t->result = _Unwind_Backtrace(traceFrame, t);
  asm volatile("" ::: "memory");
}

TEST_CASE("_Unwind_Backtrace walks a goroutine's stack from inside it and ends at goexit", "[asm]") {
  Trace t;
  SECTION("on the goroutine's stack") { goAndWait([&] { asmtest_backtrace_marker(&t); }); }
  SECTION("from g0 inside systemstack, across the stack switch") {
    goAndWait([&] { export_test::Systemstack([&] { asmtest_backtrace_marker(&t); }); });
  }
  // libgcc reports one more "frame" past the outermost, with pc 0 (glibc's
  // backtrace() drops it the same way); libunwind's does not.
  if (t.ips.size() > 1 && t.ips.back() == 0) t.ips.pop_back();
  REQUIRE(!t.ips.empty());
  CHECK(t.ips.size() < 64);
  // End of stack, reported by goexit's undefined return address.
  CHECK(t.result == _URC_END_OF_STACK);
  CHECK(t.ips.back() == export_test::GoexitRetPC());
}

namespace {
struct CountDtor {
  int* n;
  ~CountDtor() { ++*n; }
};

__attribute__((noinline)) void throwThrough(int depth, int* dtors) {
  CountDtor c{dtors};
  if (depth == 0) throw std::runtime_error("deep");
  throwThrough(depth - 1, dtors);
  asm volatile("" ::: "memory");
}

// Parks, then throws: the exception leaves a frame that went through mcall.
__attribute__((noinline)) void parkThenThrow(int* dtors) {
  CountDtor c{dtors};
  runtime::Gosched();
  throw std::runtime_error("after park");
}

std::string currentWhat() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "?";
  }
}
}  // namespace

TEST_CASE("C++ exceptions are thrown and caught inside a goroutine, running destructors on the way", "[asm]") {
  int dtors = 0;
  std::string what;
  SECTION("through several frames") {
    goAndWait([&] {
      try {
        throwThrough(5, &dtors);
      } catch (const std::runtime_error& e) {
        what = e.what();
      }
    });
    CHECK(what == "deep");
    CHECK(dtors == 6);
  }
  SECTION("out of a frame that parked in mcall") {
    goAndWait([&] {
      try {
        parkThenThrow(&dtors);
      } catch (const std::runtime_error& e) {
        what = e.what();
      }
    });
    CHECK(what == "after park");
    CHECK(dtors == 1);
  }
  CHECK(std::uncaught_exceptions() == 0);
}

TEST_CASE("a goroutine parked inside try and catch blocks keeps its own exception while another one throws",
          "[asm]") {
  // One P: both goroutines park and throw on one thread, whose C++
  // exception state must follow each goroutine across the switches.
  export_test::GOMAXPROCSScope procs(1);
  std::atomic<int> step{0};
  auto waitFor = [&](int k) {
    while (step < k) runtime::Gosched();
  };
  std::string oneCaught, oneCurrent, oneRethrown, twoFirst, twoCurrent, twoRethrown;
  bool sameObject = false;
  int oneUncaught = -1, twoUncaught = -1;
  std::atomic<bool> oneDone{false}, twoDone{false};

  go([&] {  // one
    try {
      step = 1;
      waitFor(2);  // parked inside try while two throws and catches
      throw std::runtime_error("one");
    } catch (const std::runtime_error& e) {
      oneCaught = e.what();
      step = 3;
      waitFor(4);  // parked inside catch while two sits in its own catch block
      oneCurrent = currentWhat();
      try {
        throw;
      } catch (const std::exception& again) {  // not runtime_error: a wrong one must not escape
        oneRethrown = again.what();
        sameObject = &again == &e;
      }
      step = 5;
    }
    oneUncaught = std::uncaught_exceptions();
    oneDone = true;
  });
  go([&] {  // two
    waitFor(1);
    try {
      throw std::logic_error("two");
    } catch (const std::logic_error& e) {
      twoFirst = e.what();
    }
    step = 2;
    waitFor(3);
    try {
      throw std::logic_error("three");
    } catch (const std::logic_error&) {
      step = 4;
      waitFor(5);  // parked inside catch while one rethrows its own
      twoCurrent = currentWhat();
      try {
        throw;
      } catch (const std::exception& again) {
        twoRethrown = again.what();
      }
    }
    twoUncaught = std::uncaught_exceptions();
    twoDone = true;
  });
  while (!oneDone || !twoDone) runtime::Gosched();

  CHECK(oneCaught == "one");
  CHECK(twoFirst == "two");
  CHECK(oneCurrent == "one");
  CHECK(oneRethrown == "one");
  CHECK(sameObject);
  CHECK(twoCurrent == "three");
  CHECK(twoRethrown == "three");
  CHECK(oneUncaught == 0);
  CHECK(twoUncaught == 0);
  CHECK(std::current_exception() == nullptr);
}
