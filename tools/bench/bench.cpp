// bench.cpp — Go 1.19's runtime benchmarks, ported to gort with Go's names
// and workloads, in Go's output format, so that each line sits beside the
// one Go's own `go test -run NONE -bench '^BenchmarkX$' runtime` prints on
// the same machine.
//
//   gort_bench [-test.bench REGEXP] [-test.benchtime 1s|100x] [-test.cpu 1,2]
//   gort_bench -rss      RSS per parked goroutine, 100k goroutines
//   gort_bench -scenario NAME [-procs P]   timers, churn, 1M goroutines
//                        (scenarios.cpp)
//
// The ported benchmarks come from Go 1.19 src/runtime: proc_test.go
// (CreateGoroutines*, PingPongHog, WakeupParallel*, Matmult), chan_test.go
// (Chan*, Select*) and norace_test.go (Syscall). The b.N driver is Go's
// testing.B (launch: N from 1, predicted up to 100x per step, until the run
// takes benchtime) and RunParallel is Go's (GOMAXPROCS*parallelism
// goroutines taking grains of iterations from one shared counter). Names get
// Go's -GOMAXPROCS suffix (none when it is 1).
//
// Benchmarks Go's runtime package does not have, each with its twin in
// tools/bench/go/extra_test.go (BenchmarkGosched, BenchmarkFanout100k) or
// none (the switch measurements, which user Go code cannot express):
//   BenchmarkGosched        one Gosched of the benchmark goroutine while one
//                           other goroutine loops on Gosched, GOMAXPROCS=1
//                           (so two yields, two switches through schedule, per op)
//   BenchmarkFanout100k     one op = start 100,000 goroutines that each do
//                           300 dependent multiply-adds (~0.5 µs here), and
//                           wait for them all
//   BenchmarkRawSwitch      one op = a round trip between two goroutines by
//                           mcall + gogo alone (no schedule, no run queue, no
//                           status change): two G-to-G switches
//   BenchmarkSwapRegs       one op = a round trip between two stacks by a
//                           plain callee-saved register swap (swap_<arch>.S):
//                           two switches
//   BenchmarkSwapRegsFP     the same, also keeping the floating-point control
//                           state, as gort's mcall does
//   BenchmarkBoostJump      one op = a round trip between two stacks by
//                           Boost.Context's jump_fcontext (libboost-context-dev,
//                           linked statically as gort is; only where CMake
//                           found it: GORT_BENCH_BOOST): two switches, each
//                           keeping the FP control state as mcall does
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <regex>
#include <string>
#include <vector>

#if GORT_BENCH_BOOST
#include <boost/context/detail/fcontext.hpp>
#endif

#include "runtime/go.h"
#include "runtime/proc.h"
#include "runtime/runtime2.h"
#include "runtime/stubs.h"

using gort::chan;
using gort::go;
using gort::on_default;
using gort::on_recv;
using gort::on_send;
using gort::select;
namespace rt = gort::runtime;

// scenarios.cpp: `gort_bench -scenario NAME`.
int scenarioMode(int argc, char** argv);

namespace {

int64_t now() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// ---------------------------------------------------------------------------
// testing.B, reduced to what the runtime's benchmarks use.

struct PB;

struct B {
  int N = 0;
  int parallelism = 1;
  bool timerOn = false;
  int64_t start = 0;
  int64_t duration = 0;
  int64_t previousN = 0;
  int64_t previousDuration = 0;
  bool skipped = false;
  std::string skipMsg;

  void StartTimer() {
    if (!timerOn) {
      start = now();
      timerOn = true;
    }
  }
  void StopTimer() {
    if (timerOn) {
      duration += now() - start;
      timerOn = false;
    }
  }
  void ResetTimer() {
    if (timerOn) start = now();
    duration = 0;
  }
  void SetParallelism(int p) {
    if (p > 0) parallelism = p;
  }
  // Go's Skip ends the benchmark's goroutine; here the benchmark returns.
  void Skip(const char* msg) {
    skipped = true;
    skipMsg = msg;
  }
  void RunParallel(const std::function<void(PB&)>& body);
};

// testing.PB: iterations are taken from one counter in grains.
struct PB {
  std::atomic<uint64_t>* globalN;
  uint64_t grain;
  uint64_t cache = 0;
  uint64_t bN;

  bool Next() {
    if (cache == 0) {
      uint64_t n = globalN->fetch_add(grain) + grain;
      if (n <= bN)
        cache = grain;
      else if (n < bN + grain)
        cache = bN + grain - n;
      else
        return false;
    }
    cache--;
    return true;
  }
};

// testing.(*B).RunParallel: the grain is the number of iterations that took
// about 100 µs in the previous run, between 1 and 1e4.
void B::RunParallel(const std::function<void(PB&)>& body) {
  uint64_t grain = 0;
  if (previousN > 0 && previousDuration > 0) grain = uint64_t(1e5 * double(previousN) / double(previousDuration));
  grain = std::clamp<uint64_t>(grain, 1, 10000);
  std::atomic<uint64_t> n{0};
  int numProcs = parallelism * rt::GOMAXPROCS(0);
  gort::sync::WaitGroup wg;
  wg.Add(numProcs);
  for (int p = 0; p < numProcs; p++) {
    go([&, grain] {
      PB pb{&n, grain, 0, uint64_t(N)};
      body(pb);
      wg.Done();
    });
  }
  wg.Wait();
}

// ---------------------------------------------------------------------------
// proc_test.go

chan<bool>* createC;

void createF(int n) {
  if (n == 0) {
    createC->send(true);
    return;
  }
  go(createF, n - 1);
}

// proc_test.go: benchmarkCreateGoroutines
void benchmarkCreateGoroutines(B& b, int procs) {
  chan<bool> c(0);
  createC = &c;
  for (int i = 0; i < procs; i++) go(createF, b.N / procs);
  for (int i = 0; i < procs; i++) c.recv();
}

void BenchmarkCreateGoroutines(B& b) { benchmarkCreateGoroutines(b, 1); }
void BenchmarkCreateGoroutinesParallel(B& b) { benchmarkCreateGoroutines(b, rt::GOMAXPROCS(-1)); }

// proc_test.go: doWork, a busy loop for dur.
void doWork(int64_t dur) {
  int64_t start = now();
  while (now() - start < dur) {
  }
}

// proc_test.go: warmupScheduler
void warmupScheduler(int targetThreadCount) {
  gort::sync::WaitGroup wg;
  std::atomic<int32_t> count{0};
  for (int i = 0; i < targetThreadCount; i++) {
    wg.Add(1);
    go([&] {
      count.fetch_add(1);
      while (count.load() < targetThreadCount) {
        // spin until all threads started
      }
      // spin a bit more to ensure they are all running on separate CPUs.
      doWork(1000000);
      wg.Done();
    });
  }
  wg.Wait();
}

void BenchmarkCreateGoroutinesSingle(B& b) {
  warmupScheduler(rt::GOMAXPROCS(0));
  b.ResetTimer();
  gort::sync::WaitGroup wg;
  wg.Add(b.N);
  for (int i = 0; i < b.N; i++) go([&wg] { wg.Done(); });
  wg.Wait();
}

void BenchmarkPingPongHog(B& b) {
  if (b.N == 0) return;
  int prev = rt::GOMAXPROCS(1);

  // Create a CPU hog
  chan<bool> stop(0), done(0);
  go([stop, done] {
    for (;;) {
      bool stopped = false;
      select(on_recv(stop, [&] { stopped = true; }), on_default());
      if (stopped) {
        done.send(true);
        return;
      }
    }
  });

  // Ping-pong b.N times
  chan<bool> ping(0), pong(0);
  int n = b.N;
  go([=]() mutable {
    for (int j = 0; j < n; j++) pong.send(ping.recv());
    stop.close();
    done.send(true);
  });
  go([=]() mutable {
    for (int i = 0; i < n; i++) ping.send(pong.recv());
    done.send(true);
  });
  b.ResetTimer();
  ping.send(true);  // Start ping-pong
  stop.recv();
  b.StopTimer();
  ping.recv();  // Let last ponger exit
  done.recv();  // Make sure goroutines exit
  done.recv();
  done.recv();
  rt::GOMAXPROCS(prev);
}

// proc_test.go: benchmarkWakeupParallel. Two goroutines alternate as sender
// and receiver, each spinning for delay (the sender delay+wakeDelay) first.
void benchmarkWakeupParallel(B& b, int64_t delay, void (*spin)(int64_t)) {
  if (b.N == 0) return;
  const int64_t wakeDelay = 5000;
  chan<bool> ping(0), pong(0), start(0), done(0);
  int n = b.N;
  go([=]() mutable {
    start.recv();
    for (int i = 0; i < n; i++) {
      // sender
      spin(delay + wakeDelay);
      ping.send(true);
      // receiver
      spin(delay);
      pong.recv();
    }
    done.send(true);
  });
  go([=]() mutable {
    for (int i = 0; i < n; i++) {
      // receiver
      spin(delay);
      ping.recv();
      // sender
      spin(delay + wakeDelay);
      pong.send(true);
    }
    done.send(true);
  });
  b.ResetTimer();
  start.send(true);
  done.recv();
  done.recv();
}

void spinNow(int64_t d) {
  int64_t end = now() + d;
  while (now() < end) {
    // do nothing
  }
}

// runtime_linux_test.go: sysNanosleep, a blocking system call (Go's syscall
// package wraps it in entersyscall/exitsyscall).
void sysNanosleep(int64_t d) {
  struct timespec ts = {time_t(d / 1000000000), long(d % 1000000000)};
  rt::SyscallGuard sys;
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
  }
}

// ---------------------------------------------------------------------------
// chan_test.go

void BenchmarkChanUncontended(B& b) {
  const int C = 100;
  b.RunParallel([](PB& pb) {
    chan<int> myc(C);
    while (pb.Next()) {
      for (int i = 0; i < C; i++) myc.send(0);
      for (int i = 0; i < C; i++) myc.recv();
    }
  });
}

void BenchmarkChanContended(B& b) {
  const int C = 100;
  chan<int> myc(C * rt::GOMAXPROCS(0));
  b.RunParallel([&](PB& pb) {
    while (pb.Next()) {
      for (int i = 0; i < C; i++) myc.send(0);
      for (int i = 0; i < C; i++) myc.recv();
    }
  });
}

// chan_test.go: localWork
__attribute__((noinline)) void localWork(int w) {
  volatile int foo = 0;
  for (int i = 0; i < w; i++) foo = foo / (foo + 1);
  if (foo != 0) abort();
}

// chan_test.go: benchmarkChanSync
void benchmarkChanSync(B& b, int work) {
  const int CallsPerSched = 1000;
  const int procs = 2;
  std::atomic<int32_t> N{int32_t(b.N / CallsPerSched / procs * procs)};
  chan<bool> c(procs);
  chan<int> myc(0);
  for (int p = 0; p < procs; p++) {
    go([&, c, myc]() mutable {
      for (;;) {
        int32_t i = N.fetch_sub(1) - 1;
        if (i < 0) break;
        for (int g = 0; g < CallsPerSched; g++) {
          if (i % 2 == 0) {
            myc.recv();
            localWork(work);
            myc.send(0);
            localWork(work);
          } else {
            myc.send(0);
            localWork(work);
            myc.recv();
            localWork(work);
          }
        }
      }
      c.send(true);
    });
  }
  for (int p = 0; p < procs; p++) c.recv();
}

void BenchmarkChanSync(B& b) { benchmarkChanSync(b, 0); }

// The "foo *= 2; foo /= 2" local work of chan_test.go, kept from folding.
inline void fooWork(int& foo, int localWork) {
  for (int i = 0; i < localWork; i++) {
    foo *= 2;
    foo /= 2;
    asm volatile("" : "+r"(foo));
  }
}

// chan_test.go: benchmarkChanProdCons
void benchmarkChanProdCons(B& b, int chanSize, int localWork) {
  const int CallsPerSched = 1000;
  int procs = rt::GOMAXPROCS(-1);
  std::atomic<int32_t> N{int32_t(b.N / CallsPerSched)};
  chan<bool> c(2 * procs);
  chan<int> myc(chanSize);
  for (int p = 0; p < procs; p++) {
    go([&, c, myc]() mutable {
      int foo = 0;
      while (N.fetch_sub(1) - 1 >= 0) {
        for (int g = 0; g < CallsPerSched; g++) {
          fooWork(foo, localWork);
          myc.send(1);
        }
      }
      myc.send(0);
      c.send(foo == 42);
    });
    go([&, c, myc]() mutable {
      int foo = 0;
      for (;;) {
        int v = myc.recv();
        if (v == 0) break;
        fooWork(foo, localWork);
      }
      c.send(foo == 42);
    });
  }
  for (int p = 0; p < procs; p++) {
    c.recv();
    c.recv();
  }
}

void BenchmarkChanProdCons0(B& b) { benchmarkChanProdCons(b, 0, 0); }
void BenchmarkChanProdCons10(B& b) { benchmarkChanProdCons(b, 10, 0); }
void BenchmarkChanProdCons100(B& b) { benchmarkChanProdCons(b, 100, 0); }

void BenchmarkSelectUncontended(B& b) {
  b.RunParallel([](PB& pb) {
    chan<int> myc1(1), myc2(1);
    myc1.send(0);
    while (pb.Next()) {
      select(on_recv(myc1, [&] { myc2.send(0); }), on_recv(myc2, [&] { myc1.send(0); }));
    }
  });
}

// gort: Go's mytimer is time.After(time.Hour), a buffered channel of one
// that never fires during the benchmark; gort's timers are not merged yet,
// so a buffered channel of one that nobody sends on stands in (select locks
// and queues on it just the same).
void BenchmarkSelectProdCons(B& b) {
  const int CallsPerSched = 1000;
  int procs = rt::GOMAXPROCS(-1);
  std::atomic<int32_t> N{int32_t(b.N / CallsPerSched)};
  chan<bool> c(2 * procs);
  chan<int> myc(128);
  chan<bool> myclose(0);
  for (int p = 0; p < procs; p++) {
    go([&, c, myc, myclose]() mutable {
      // Producer: sends to myc.
      int foo = 0;
      // Intended to not fire during benchmarking.
      chan<bool> mytimer(1);
      while (N.fetch_sub(1) - 1 >= 0) {
        for (int g = 0; g < CallsPerSched; g++) {
          // Model some local work.
          fooWork(foo, 100);
          select(on_send(myc, 1), on_recv(mytimer), on_recv(myclose));
        }
      }
      myc.send(0);
      c.send(foo == 42);
    });
    go([&, c, myc, myclose]() mutable {
      // Consumer: receives from myc.
      int foo = 0;
      // Intended to not fire during benchmarking.
      chan<bool> mytimer(1);
      for (;;) {
        bool brk = false;
        select(on_recv(myc,
                       [&](int v) {
                         if (v == 0) brk = true;
                       }),
               on_recv(mytimer), on_recv(myclose));
        if (brk) break;
        // Model some local work.
        fooWork(foo, 100);
      }
      c.send(foo == 42);
    });
  }
  for (int p = 0; p < procs; p++) {
    c.recv();
    c.recv();
  }
}

// ---------------------------------------------------------------------------
// norace_test.go

void benchmarkSyscall(B& b, int work, int excess) {
  b.SetParallelism(excess);
  b.RunParallel([work](PB& pb) {
    int foo = 42;
    while (pb.Next()) {
      rt::entersyscall();
      fooWork(foo, work);
      rt::exitsyscall();
    }
  });
}

void BenchmarkSyscall(B& b) { benchmarkSyscall(b, 0, 1); }

// ---------------------------------------------------------------------------
// proc_test.go: Matmult

using Matrix = std::vector<std::vector<double>>;

Matrix makeMatrix(int n) {
  Matrix m(n, std::vector<double>(n));
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) m[i][j] = double(i * n + j);
  return m;
}

void matmult(chan<bool>* done, Matrix* A, Matrix* B_, Matrix* C, int i0, int i1, int j0, int j1, int k0, int k1,
             int threshold) {
  int di = i1 - i0, dj = j1 - j0, dk = k1 - k0;
  if (di >= dj && di >= dk && di >= threshold) {
    // divide in two by y axis
    int mi = i0 + di / 2;
    chan<bool> done1(1);
    go(matmult, &done1, A, B_, C, i0, mi, j0, j1, k0, k1, threshold);
    matmult(nullptr, A, B_, C, mi, i1, j0, j1, k0, k1, threshold);
    done1.recv();
  } else if (dj >= dk && dj >= threshold) {
    // divide in two by x axis
    int mj = j0 + dj / 2;
    chan<bool> done1(1);
    go(matmult, &done1, A, B_, C, i0, i1, j0, mj, k0, k1, threshold);
    matmult(nullptr, A, B_, C, i0, i1, mj, j1, k0, k1, threshold);
    done1.recv();
  } else if (dk >= threshold) {
    // divide in two by "k" axis
    // deliberately not parallel because of data races
    int mk = k0 + dk / 2;
    matmult(nullptr, A, B_, C, i0, i1, j0, j1, k0, mk, threshold);
    matmult(nullptr, A, B_, C, i0, i1, j0, j1, mk, k1, threshold);
  } else {
    // the matrices are small enough, compute directly
    for (int i = i0; i < i1; i++)
      for (int j = j0; j < j1; j++)
        for (int k = k0; k < k1; k++) (*C)[i][j] += (*A)[i][k] * (*B_)[k][j];
  }
  if (done != nullptr) done->send(true);
}

void BenchmarkMatmult(B& b) {
  b.StopTimer();
  // matmult is O(N**3) but testing expects O(b.N),
  // so we need to take cube root of b.N
  int n = int(std::cbrt(double(b.N))) + 1;
  Matrix A = makeMatrix(n), B_ = makeMatrix(n), C = makeMatrix(n);
  b.StartTimer();
  matmult(nullptr, &A, &B_, &C, 0, n, 0, n, 0, n, 8);
}

// ---------------------------------------------------------------------------
// Not in Go's runtime package (twins in tools/bench/go/extra_test.go).

void BenchmarkGosched(B& b) {
  int prev = rt::GOMAXPROCS(1);
  std::atomic<bool> stop{false};
  chan<bool> done(0);
  go([&, done]() mutable {
    while (!stop.load(std::memory_order_relaxed)) rt::Gosched();
    done.send(true);
  });
  rt::Gosched();  // let it start
  b.ResetTimer();
  for (int i = 0; i < b.N; i++) rt::Gosched();
  b.StopTimer();
  stop.store(true);
  done.recv();
  rt::GOMAXPROCS(prev);
}

// 300 dependent multiply-adds (~0.5 µs at 2.3 GHz), the body of a "short"
// goroutine.
__attribute__((noinline)) uint64_t shortWork(uint64_t x) {
  for (int i = 0; i < 300; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    asm volatile("" : "+r"(x));
  }
  return x;
}

std::atomic<uint64_t> fanoutSink;

void BenchmarkFanout100k(B& b) {
  const int G = 100000;
  for (int i = 0; i < b.N; i++) {
    gort::sync::WaitGroup wg;
    wg.Add(G);
    for (int j = 0; j < G; j++) {
      go([&wg, j] {
        fanoutSink.fetch_add(shortWork(uint64_t(j)) & 1, std::memory_order_relaxed);
        wg.Done();
      });
    }
    wg.Wait();
  }
}

// BenchmarkRawSwitch: goroutines A (the benchmark's) and B hand the M to
// each other with mcall + gogo and nothing else: rawswitch_m runs on g0,
// points m.curg at the other goroutine and gogo's to it. B starts parked
// (gopark with no unlock function, on no queue), so its gobuf is valid; A
// leaves both statuses alone while they trade (B stays _Gwaiting, A stays
// _Grunning: each is only ever resumed by the other), and at the end B, which
// is then suspended in mcall exactly like a parked goroutine, is readied
// normally and returns. Both run under NoPreempt so that sysmon's signal
// does not try to move them. fiberLeave/fiberArrive (sanitizer hooks and the
// C++ exception state, which gort's real switches also pay) are skipped.
rt::g* rawA;
rt::g* rawB;
int rawRounds;

void rawswitch_m(rt::g* gp) {
  rt::g* next = gp == rawA ? rawB : rawA;
  rt::m* mp = rt::getg()->m;
  // A plain store: the seq_cst default (xchg on amd64) would cost more
  // than the rest of the switch (see docs/benchmarks.md).
  mp->curg.store(next, std::memory_order_release);
  next->m = mp;
  rt::gogo(&next->sched);
}

void BenchmarkRawSwitch(B& b) {
  rt::NoPreempt np;
  int prev = rt::GOMAXPROCS(1);
  rawA = rt::getg();
  rawB = nullptr;
  rawRounds = b.N;
  chan<bool> done(0);
  go([done]() mutable {
    {
      rt::NoPreempt npb;
      rawB = rt::getg();
      rt::gopark(nullptr, nullptr, rt::waitReasonZero);  // adopted by A below
      for (int i = 0; i < rawRounds; i++) rt::mcall(rawswitch_m);
      // Readied by A after the last round.
    }
    done.send(true);
  });
  while (rawB == nullptr || rt::readgstatus(rawB) != rt::_Gwaiting) rt::Gosched();
  b.ResetTimer();
  for (int i = 0; i < rawRounds; i++) rt::mcall(rawswitch_m);
  b.StopTimer();
  rawB->m = nullptr;
  rt::goready(rawB);
  done.recv();
  rt::GOMAXPROCS(prev);
}

}  // namespace

// swap_<arch>.S: save the callee-saved registers on this stack, *save = sp,
// sp = load, restore the callee-saved registers found there, continue.
extern "C" void swapregs(void** save, void* load);
// The same, also keeping the floating-point control state as gort's mcall
// does (amd64: MXCSR and the x87 control word; arm64: FPCR).
extern "C" void swapregs_fp(void** save, void* load);

namespace {

void* swapMainSP;
void* swapCoroSP;

[[noreturn]] void swapCoroEntry() {
  for (;;) swapregs(&swapCoroSP, swapMainSP);
}

[[noreturn]] void swapCoroEntryFP() {
  for (;;) swapregs_fp(&swapCoroSP, swapMainSP);
}

void BenchmarkSwapRegsFP(B& b) {
  static std::vector<uint64_t> stack(8192);
  uint64_t* top = stack.data() + stack.size();  // 16-byte aligned end
#if defined(__x86_64__)
  uint64_t* sp = top - 2 - 6 - 1;  // [mxcsr|fpcw] [rbp..r15] entry, fake return pc
  std::fill(sp, top, 0);
  uint32_t mxcsr;
  uint16_t fpcw;
  asm volatile("stmxcsr %0; fnstcw %1" : "=m"(mxcsr), "=m"(fpcw));
  sp[0] = uint64_t(mxcsr) | uint64_t(fpcw) << 32;
  sp[7] = uint64_t(&swapCoroEntryFP);
#elif defined(__aarch64__)
  uint64_t* sp = top - 22;  // x19..x28, x29, x30, d8..d15, fpcr, pad
  std::fill(sp, top, 0);
  uint64_t fpcr;
  asm volatile("mrs %0, fpcr" : "=r"(fpcr));
  sp[20] = fpcr;
  sp[11] = uint64_t(&swapCoroEntryFP);
#endif
  swapCoroSP = sp;
  b.ResetTimer();
  for (int i = 0; i < b.N; i++) swapregs_fp(&swapMainSP, swapCoroSP);
}

void BenchmarkSwapRegs(B& b) {
  static std::vector<uint64_t> stack(8192);
  // An initial frame swapregs can restore: zeroed callee-saved registers
  // and, where it returns to, swapCoroEntry (see swap_<arch>.S).
  uint64_t* top = stack.data() + stack.size();  // 16-byte aligned end
#if defined(__x86_64__)
  uint64_t* sp = top - 2 - 6;  // [rbp rbx r12 r13 r14 r15] entry, fake return pc
  std::fill(sp, top, 0);
  sp[6] = uint64_t(&swapCoroEntry);
#elif defined(__aarch64__)
  uint64_t* sp = top - 20;  // x19..x28, x29, x30, d8..d15
  std::fill(sp, top, 0);
  sp[11] = uint64_t(&swapCoroEntry);
#endif
  swapCoroSP = sp;
  b.ResetTimer();
  for (int i = 0; i < b.N; i++) swapregs(&swapMainSP, swapCoroSP);
}

#if GORT_BENCH_BOOST
// BenchmarkBoostJump: the same round trip as BenchmarkSwapRegsFP by
// Boost.Context's own switch (jump_fcontext, which saves and restores
// rbx rbp r12-r15 + MXCSR + x87 CW on amd64, x19-x30 + d8-d15 on arm64),
// on a stack made by make_fcontext. The call goes through no PLT: Debian's
// libboost_context.a is linked, as libgort.a is.
namespace bctx = boost::context::detail;

[[noreturn]] void boostCoroEntry(bctx::transfer_t t) {
  for (;;) t = bctx::jump_fcontext(t.fctx, nullptr);
}

void BenchmarkBoostJump(B& b) {
  static std::vector<uint64_t> stack(8192);
  void* top = stack.data() + stack.size();  // make_fcontext takes the high end
  bctx::fcontext_t coro = bctx::make_fcontext(top, stack.size() * sizeof(uint64_t), boostCoroEntry);
  coro = bctx::jump_fcontext(coro, nullptr).fctx;  // start it: it jumps straight back
  b.ResetTimer();
  for (int i = 0; i < b.N; i++) coro = bctx::jump_fcontext(coro, nullptr).fctx;
}
#endif

// ---------------------------------------------------------------------------
// The driver: testing.(*B).launch and Go's output.

struct Benchmark {
  const char* name;
  std::function<void(B&)> fn;
};

std::string durationString(int64_t ns) {  // time.Duration.String, for µs
  if (ns == 0) return "0s";
  if (ns < 1000000) return std::to_string(ns / 1000) + "µs";
  return std::to_string(ns / 1000000) + "ms";
}

std::vector<Benchmark> benchmarks() {
  std::vector<Benchmark> v = {
      {"BenchmarkCreateGoroutines", BenchmarkCreateGoroutines},
      {"BenchmarkCreateGoroutinesParallel", BenchmarkCreateGoroutinesParallel},
      {"BenchmarkCreateGoroutinesSingle", BenchmarkCreateGoroutinesSingle},
      {"BenchmarkPingPongHog", BenchmarkPingPongHog},
      {"BenchmarkChanSync", BenchmarkChanSync},
      {"BenchmarkChanProdCons0", BenchmarkChanProdCons0},
      {"BenchmarkChanProdCons10", BenchmarkChanProdCons10},
      {"BenchmarkChanProdCons100", BenchmarkChanProdCons100},
      {"BenchmarkChanUncontended", BenchmarkChanUncontended},
      {"BenchmarkChanContended", BenchmarkChanContended},
      {"BenchmarkSelectUncontended", BenchmarkSelectUncontended},
      {"BenchmarkSelectProdCons", BenchmarkSelectProdCons},
  };
  for (auto [name, spin] : {std::pair{"BenchmarkWakeupParallelSpinning", &spinNow},
                            std::pair{"BenchmarkWakeupParallelSyscall", &sysNanosleep}}) {
    for (int64_t d : {0, 1000, 2000, 5000, 10000, 20000, 50000, 100000}) {
      static std::deque<std::string> names;  // stable c_str()s
      names.push_back(std::string(name) + "/" + durationString(d));
      auto s = spin;
      v.push_back({names.back().c_str(), [d, s](B& b) {
                     if (rt::GOMAXPROCS(0) == 1) return b.Skip("skipping: GOMAXPROCS=1");
                     benchmarkWakeupParallel(b, d, s);
                   }});
    }
  }
  v.insert(v.end(), {
                        {"BenchmarkSyscall", BenchmarkSyscall},
                        {"BenchmarkMatmult", BenchmarkMatmult},
                        {"BenchmarkGosched", BenchmarkGosched},
                        {"BenchmarkFanout100k", BenchmarkFanout100k},
                        {"BenchmarkRawSwitch", BenchmarkRawSwitch},
                        {"BenchmarkSwapRegs", BenchmarkSwapRegs},
                        {"BenchmarkSwapRegsFP", BenchmarkSwapRegsFP},
#if GORT_BENCH_BOOST
                        {"BenchmarkBoostJump", BenchmarkBoostJump},
#endif
                    });
  return v;
}

// testing.(*B).runN
void runN(B& b, const Benchmark& bm, int n) {
  b.N = n;
  b.parallelism = 1;
  b.duration = 0;
  b.timerOn = false;
  b.StartTimer();
  bm.fn(b);
  b.StopTimer();
  b.previousN = n;
  b.previousDuration = b.duration;
}

// testing.prettyPrint
std::string pretty(double x) {
  char buf[64];
  double y = std::fabs(x);
  if (y == 0 || y >= 999.95)
    snprintf(buf, sizeof buf, "%10.0f ns/op", x);
  else if (y >= 99.995)
    snprintf(buf, sizeof buf, "%12.1f ns/op", x);
  else if (y >= 9.9995)
    snprintf(buf, sizeof buf, "%13.2f ns/op", x);
  else if (y >= 0.99995)
    snprintf(buf, sizeof buf, "%14.3f ns/op", x);
  else
    snprintf(buf, sizeof buf, "%15.4f ns/op", x);
  return buf;
}

struct BenchTime {
  int64_t d = 1000000000;
  int64_t n = 0;  // "100x": exactly n iterations
};

BenchTime parseBenchTime(const std::string& s) {
  BenchTime t;
  if (!s.empty() && s.back() == 'x') {
    t.n = std::atoll(s.c_str());
    t.d = 0;
    return t;
  }
  double v = std::atof(s.c_str());
  std::string unit = s.substr(s.find_first_not_of("0123456789."));
  double mul = unit == "ns" ? 1 : unit == "us" || unit == "µs" ? 1e3 : unit == "ms" ? 1e6 : unit == "s" ? 1e9 : unit == "m" ? 60e9 : 0;
  if (mul == 0) {
    fprintf(stderr, "gort_bench: invalid -test.benchtime %s\n", s.c_str());
    exit(2);
  }
  t.d = int64_t(v * mul);
  return t;
}

size_t runeCount(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

void run(const Benchmark& bm, int procs, const BenchTime& bt, size_t maxLen) {
  std::string name = bm.name;
  if (procs != 1) name += "-" + std::to_string(procs);
  B b;
  // testing.(*B).run1
  runN(b, bm, 1);
  if (b.skipped) {
    printf("--- SKIP: %s\n    %s\n", name.c_str(), b.skipMsg.c_str());
    fflush(stdout);
    return;
  }
  // testing.(*B).launch
  if (bt.n > 0) {
    if (bt.n > 1) runN(b, bm, int(bt.n));
  } else {
    for (int64_t n = 1; b.duration < bt.d && n < 1000000000;) {
      int64_t last = n;
      int64_t goalns = bt.d;
      int64_t prevIters = b.N;
      int64_t prevns = std::max<int64_t>(b.duration, 1);
      n = int64_t(double(goalns) * double(prevIters) / double(prevns));
      n += n / 5;
      n = std::min(n, 100 * last);
      n = std::max(n, last + 1);
      n = std::min<int64_t>(n, 1000000000);
      runN(b, bm, int(n));
    }
  }
  // Padded like Go's %-*s, which counts runes ("µs"), not bytes.
  size_t runes = runeCount(name);
  printf("%s%*s\t%8d\t%s\n", name.c_str(), int(maxLen > runes ? maxLen - runes : 0), "", b.N,
         pretty(double(b.duration) / b.N).c_str());
  fflush(stdout);
}

// ---------------------------------------------------------------------------
// RSS per parked goroutine.

long residentBytes() {
  FILE* f = fopen("/proc/self/statm", "r");
  long size = 0, resident = 0;
  if (f == nullptr || fscanf(f, "%ld %ld", &size, &resident) != 2) {
    perror("/proc/self/statm");
    exit(1);
  }
  fclose(f);
  return resident * sysconf(_SC_PAGESIZE);
}

// 100,000 goroutines, each blocked receiving from one channel; RSS from
// /proc/self/statm before they are created and once all have run up to the
// receive. The twin is tools/bench/go/rss/main.go.
int rssMode() {
  const int G = 100000;
  chan<bool> c(0);
  gort::sync::WaitGroup started, exited;
  // Warm up what one goroutine costs the first time (the stack arena, the
  // sudog cache), so that the measurement is per goroutine.
  {
    gort::sync::WaitGroup wg;
    wg.Add(1);
    go([&wg] { wg.Done(); });
    wg.Wait();
  }
  long before = residentBytes();
  started.Add(G);
  exited.Add(G);
  for (int i = 0; i < G; i++) {
    go([&, c]() mutable {
      started.Done();
      c.recv();
      exited.Done();
    });
  }
  started.Wait();
  // All have run up to the receive (their stacks are touched); let the
  // last of them park.
  for (int i = 0; i < 10; i++) rt::Gosched();
  long after = residentBytes();
  printf("rss: %d parked goroutines: %ld bytes RSS before, %ld after: %.0f bytes per parked goroutine\n", G, before,
         after, double(after - before) / G);
  c.close();
  exited.Wait();
  return 0;
}

int gomain(int argc, char** argv) {
  for (int i = 1; i < argc; i++)
    if (std::string(argv[i]) == "-scenario") return scenarioMode(argc, argv);
  std::string benchRe = ".";
  std::string benchtime = "1s";
  std::vector<int> cpus;
  bool rss = false;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a.rfind("-test.", 0) == 0) a = "-" + a.substr(6);
    auto val = [&](std::string& out) {
      size_t eq = a.find('=');
      if (eq != std::string::npos) {
        out = a.substr(eq + 1);
        a = a.substr(0, eq);
      } else if (i + 1 < argc) {
        out = argv[++i];
      }
    };
    std::string v;
    if (a.rfind("-bench", 0) == 0 && a.rfind("-benchtime", 0) != 0) {
      val(v);
      benchRe = v;
    } else if (a.rfind("-benchtime", 0) == 0) {
      val(v);
      benchtime = v;
    } else if (a.rfind("-cpu", 0) == 0) {
      val(v);
      for (size_t p = 0; p < v.size();) {
        size_t q = v.find(',', p);
        cpus.push_back(std::atoi(v.substr(p, q - p).c_str()));
        p = q == std::string::npos ? v.size() : q + 1;
      }
    } else if (a == "-rss") {
      rss = true;
    } else {
      fprintf(stderr,
              "usage: gort_bench [-test.bench REGEXP] [-test.benchtime 1s|100x] [-test.cpu 1,2]\n"
              "       gort_bench -rss\n");
      return 2;
    }
  }
  if (rss) return rssMode();
  if (cpus.empty()) cpus.push_back(rt::GOMAXPROCS(0));

  // Go matches -bench per level of the name split at '/'.
  std::vector<std::regex> res;
  for (size_t p = 0; p <= benchRe.size();) {
    size_t q = benchRe.find('/', p);
    if (q == std::string::npos) q = benchRe.size();
    res.emplace_back(benchRe.substr(p, q - p));
    p = q + 1;
  }
  auto matches = [&](const std::string& name) {
    size_t p = 0;
    for (size_t lvl = 0; lvl < res.size(); lvl++) {
      if (p > name.size()) return true;
      size_t q = name.find('/', p);
      if (q == std::string::npos) q = name.size();
      if (!std::regex_search(name.substr(p, q - p), res[lvl])) return false;
      p = q + 1;
    }
    return true;
  };

  BenchTime bt = parseBenchTime(benchtime);
  auto all = benchmarks();
  size_t maxLen = 0;
  for (auto& bm : all)
    if (matches(bm.name)) maxLen = std::max(maxLen, runeCount(bm.name) + 3);
  if (maxLen == 0) {
    printf("testing: warning: no benchmarks to run\n");
    return 0;
  }
  printf("goos: linux\ngoarch: %s\npkg: gort/tools/bench\n",
#if defined(__x86_64__)
         "amd64"
#else
         "arm64"
#endif
  );
  // testing.(*benchContext).processBench: each benchmark at each -cpu.
  int prev = rt::GOMAXPROCS(0);
  for (auto& bm : all) {
    if (!matches(bm.name)) continue;
    for (int procs : cpus) {
      rt::GOMAXPROCS(procs);
      run(bm, procs, bt, maxLen);
    }
  }
  rt::GOMAXPROCS(prev);
  printf("PASS\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) { gort::rt0_go(argc, argv, gomain); }
