// scenarios.cpp — whole-program scenarios of issues 15 and 16 that Go's
// testing.B cannot express as ns/op: timer lateness, timer churn, a million
// goroutines. `gort_bench -scenario NAME [-procs P] [-n G] [-stack BYTES]`
// (-stack: SetMaxStack first, for the 16 KiB-stack column) runs one and prints one
// line of key=value results; tools/bench/go/scenarios/main.go is its Go
// twin, printing the same line (tools/bench/compare.py runs them
// alternately and takes medians).
//
//   sleepers    10,000 goroutines, each Sleep(1ms) then exit
//   sleepers15  10,000 goroutines, each Sleep(1..5 ms, a fixed random draw)
//   churn       100,000 AfterFunc timers of 1..20 ms, 4 goroutines Stop and
//               Reset them at random for 200 ms while GOMAXPROCS flips
//               among 1..4 every 2 ms; lateness of each callback
//   million     1,000,000 goroutines parked receiving from one channel, then
//               released by close: create time, release+join time, RSS
//
// Keys: wall_ms (first spawn to last exit), spawn_ms (the loop of go
// statements), late_mean_us, late_p99_us, late_max_us (a goroutine's
// wake-up or a callback's start minus the time it was due), fired
// (callbacks counted); create_ms, release_ms, rss_per_g.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "runtime/go.h"

using gort::chan;
using gort::go;
namespace rt = gort::runtime;
using namespace std::chrono_literals;

namespace {

int64_t now() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// A deterministic generator, the same in the Go twin (splitmix64).
struct Rand {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  int64_t between(int64_t lo, int64_t hi) { return lo + int64_t(next() % uint64_t(hi - lo + 1)); }
};

// Lateness statistics: 1 µs buckets up to 1 s, exact sum and max. The
// histogram comes from calloc (fresh zero pages, touched only where a
// sample lands), as Go's zeroed heap allocation in the twin does.
struct Lateness {
  static constexpr int kBuckets = 1000000;
  std::atomic<uint32_t>* hist = static_cast<std::atomic<uint32_t>*>(calloc(kBuckets + 1, sizeof(uint32_t)));
  ~Lateness() { free(hist); }
  std::atomic<int64_t> sum{0}, max{0}, n{0};
  void add(int64_t ns) {
    if (ns < 0) ns = 0;
    sum.fetch_add(ns, std::memory_order_relaxed);
    n.fetch_add(1, std::memory_order_relaxed);
    int64_t m = max.load(std::memory_order_relaxed);
    while (ns > m && !max.compare_exchange_weak(m, ns, std::memory_order_relaxed)) {
    }
    hist[std::min<int64_t>(ns / 1000, kBuckets)].fetch_add(1, std::memory_order_relaxed);
  }
  double p99us() const {
    int64_t total = n.load(), want = (total * 99 + 99) / 100, seen = 0;
    for (int i = 0; i <= kBuckets; i++) {
      seen += hist[i].load();
      if (seen >= want) return i;
    }
    return kBuckets;
  }
  void print() const {
    int64_t c = n.load();
    printf(" late_mean_us=%.1f late_p99_us=%.0f late_max_us=%.0f", c ? double(sum.load()) / c / 1e3 : 0.0, p99us(),
           double(max.load()) / 1e3);
  }
};

// 10,000 goroutines sleep d(i) each and exit; wall time from before the
// first spawn to the last wake-up, spawn time (the loop of go statements),
// lateness of each wake-up.
void sleepers(const char* name, int procs, bool random) {
  const int G = 10000;
  std::vector<int64_t> d(G, 1000000);
  Rand r{1};
  if (random)
    for (auto& x : d) x = r.between(1000000, 5000000);
  Lateness late;
  std::atomic<int64_t> last{0};
  gort::sync::WaitGroup wg;
  wg.Add(G);
  int64_t t0 = now();
  for (int i = 0; i < G; i++) {
    go([&, i] {
      int64_t due = now() + d[i];
      gort::time::Sleep(std::chrono::nanoseconds(d[i]));
      int64_t t = now();
      late.add(t - due);
      int64_t m = last.load(std::memory_order_relaxed);
      while (t > m && !last.compare_exchange_weak(m, t, std::memory_order_relaxed)) {
      }
      wg.Done();
    });
  }
  int64_t t1 = now();
  wg.Wait();
  printf("scenario %s procs=%d wall_ms=%.2f spawn_ms=%.2f", name, procs, double(last.load() - t0) / 1e6,
         double(t1 - t0) / 1e6);
  late.print();
  printf("\n");
}

// 100,000 AfterFunc timers; 4 goroutines Stop or Reset them at random for
// 200 ms (each owns every 4th timer) while GOMAXPROCS flips among 1..4
// every 2 ms. A callback's lateness is its start minus the deadline its
// last Reset set (a callback that sees a later deadline, because a Reset
// raced its firing, is not counted, the same in Go).
void churn() {
  const int T = 100000, C = 4;
  const int64_t churnFor = 200000000;
  // Kept for the process's life: a callback that started before the
  // final Stops may still be running when churn returns.
  Lateness& late = *new Lateness;
  std::vector<std::atomic<int64_t>>& due = *new std::vector<std::atomic<int64_t>>(T);
  std::vector<gort::time::Timer>& timers = *new std::vector<gort::time::Timer>;
  timers.reserve(T);
  Rand r{2};
  for (int i = 0; i < T; i++) {
    int64_t d = r.between(1000000, 20000000);
    due[i].store(now() + d);
    timers.push_back(gort::time::AfterFunc(std::chrono::nanoseconds(d), [&late, &due, i] {
      int64_t l = now() - due[i].load(std::memory_order_acquire);
      if (l >= 0) late.add(l);
    }));
  }
  int64_t start = now();
  std::atomic<bool> stop{false};
  gort::sync::WaitGroup wg;
  wg.Add(C + 1);
  for (int c = 0; c < C; c++) {
    go([&, c] {
      Rand cr{uint64_t(100 + c)};
      int ops = 0;
      while (now() - start < churnFor) {
        int i = int(cr.next() % (T / C)) * C + c;
        if (cr.next() % 2 == 0) {
          timers[i].Stop();
        } else {
          int64_t d = cr.between(1000000, 20000000);
          due[i].store(now() + d, std::memory_order_release);
          timers[i].Reset(std::chrono::nanoseconds(d));
        }
        if (++ops % 64 == 0) rt::Gosched();
      }
      wg.Done();
    });
  }
  go([&] {
    int p = 1;
    while (!stop.load()) {
      rt::GOMAXPROCS(p);
      p = p % 4 + 1;
      gort::time::Sleep(2ms);
    }
    wg.Done();
  });
  gort::time::Sleep(std::chrono::nanoseconds(churnFor));
  stop.store(true);
  wg.Wait();
  rt::GOMAXPROCS(2);
  gort::time::Sleep(40ms);  // every timer still armed is due by now
  for (auto& t : timers) t.Stop();
  // Callbacks started late may still be running: wait until the count
  // has stood still for 50 ms (at most 60 s), so all of them are counted.
  for (int64_t n0 = -1, t0 = now(); late.n.load() != n0 && now() - t0 < 60000000000;) {
    n0 = late.n.load();
    gort::time::Sleep(50ms);
  }
  printf("scenario churn procs=1-4 fired=%lld", (long long)late.n.load());
  late.print();
  printf("\n");
}

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

// G goroutines, each receives from one channel; create_ms: spawning all
// until all have run up to the receive; release_ms: close and wait for all
// to exit.
void million(int procs, int G) {
  chan<bool> c(0);
  gort::sync::WaitGroup started, exited;
  long before = residentBytes();
  started.Add(G);
  exited.Add(G);
  int64_t t0 = now();
  for (int i = 0; i < G; i++) {
    go([&, c]() mutable {
      started.Done();
      c.recv();
      exited.Done();
    });
  }
  started.Wait();
  for (int i = 0; i < 10; i++) rt::Gosched();
  int64_t t1 = now();
  long after = residentBytes();
  c.close();
  exited.Wait();
  int64_t t2 = now();
  printf("scenario million procs=%d goroutines=%d create_ms=%.1f release_ms=%.1f rss_per_g=%.0f\n", procs, G,
         double(t1 - t0) / 1e6, double(t2 - t1) / 1e6, double(after - before) / G);
}

}  // namespace

// gort-only: `gort_bench -scenario NAME [-procs P] [-n G] [-stack BYTES]`.
int scenarioMode(int argc, char** argv) {
  std::string name;
  int procs = 2, n = 1000000;
  for (int i = 1; i + 1 < argc; i++) {
    std::string a = argv[i];
    if (a == "-scenario") name = argv[++i];
    else if (a == "-procs") procs = std::atoi(argv[++i]);
    else if (a == "-n") n = std::atoi(argv[++i]);
    else if (a == "-stack") rt::SetMaxStack(size_t(std::atoll(argv[++i])));  // gort-only: smaller stacks
  }
  rt::GOMAXPROCS(procs);
  if (name == "sleepers") sleepers("sleepers", procs, false);
  else if (name == "sleepers15") sleepers("sleepers15", procs, true);
  else if (name == "churn") churn();
  else if (name == "million") million(procs, n);
  else {
    fprintf(stderr, "gort_bench: unknown scenario %s (sleepers, sleepers15, churn, million)\n", name.c_str());
    return 2;
  }
  return 0;
}
