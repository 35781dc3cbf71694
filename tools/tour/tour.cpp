// tour — the guided demo `make run` runs: small scenarios that show the
// scheduler at work, each printing what happened and why, then the chapter
// of docs/ that explains it.
//
// Only the public API (runtime/go.h) is used. There are no channels yet, so
// every wait is a loop of runtime::Gosched() on an atomic counter. The
// scenarios that show a run order pin GOMAXPROCS to 1, as Go's own tests do:
// with more Ps, other Ms steal work and the order is no longer fixed.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runtime/go.h"

using namespace gort;

namespace {

void heading(int n, const char* title) { printf("\n== %d. %s ==\n", n, title); }
void why(const char* text) { printf("why: %s\n", text); }
void see(const char* where) { printf("-> %s\n", where); }

// Waits, yielding, until counter reaches n.
void waitFor(const std::atomic<int>& counter, int n) {
  while (counter.load() < n) runtime::Gosched();
}

// Waits, yielding, until only the main goroutine is left.
void waitForOthers() {
  while (runtime::NumGoroutine() > 1) runtime::Gosched();
}

// 1. The go statement puts the new goroutine in runnext.
void runOrder() {
  heading(1, "Ten go statements: which one runs first?");
  std::string order;
  std::atomic<int> done{0};
  for (int i = 0; i < 10; i++)
    go([&order, &done](int i) {
      order += std::to_string(i) + " ";
      done++;
    }, i);
  waitFor(done, 10);
  printf("main ran go f(0) ... go f(9), then yielded.\n");
  printf("run order: %s\n", order.c_str());
  why("each go statement puts the new goroutine in the P's runnext slot and\n"
      "     kicks the one already there to the tail of the local run queue. After\n"
      "     ten, runnext holds 9 and the queue 0..8; runnext is taken first.\n"
      "     Go 1.19 with GOMAXPROCS=1 prints the same line.");
  see("docs/03-newproc.md, \"Why runnext\"");
}

// 2. Gosched sends the caller to the tail of the global queue.
void goschedOrder() {
  heading(2, "Three goroutines that print, then Gosched");
  std::string order;
  std::atomic<int> done{0};
  for (const char* name : {"a", "b", "c"})
    go([&order, &done](const char* name) {
      for (int i = 0; i < 4; i++) {
        order += std::string(name) + std::to_string(i) + " ";
        runtime::Gosched();
      }
      done++;
    }, name);
  waitFor(done, 3);
  printf("run order: %s\n", order.c_str());
  why("c was in runnext, so it starts; a and b follow from the local queue.\n"
      "     Gosched puts the caller at the tail of the global queue; once the\n"
      "     local queue is empty, globrunqget hands them back in FIFO order, so\n"
      "     the round c a b repeats.");
  see("docs/06-schedule.md, \"Gosched\"");
}

// 3. Dead goroutines are kept and reused, stack and all.
__attribute__((noinline)) uintptr_t stackMark() {
  volatile char mark = 0;
  return reinterpret_cast<uintptr_t>(&mark);
}

void reuse() {
  heading(3, "Goroutines come and go; their gs and stacks stay");
  constexpr int n = 10;
  std::vector<uintptr_t> first(n), second(n);
  std::atomic<bool> goAhead{false};
  std::atomic<int> done{0};
  auto worker = [](std::vector<uintptr_t>* marks, int i, const std::atomic<bool>* goAhead,
                   std::atomic<int>* done) {
    (*marks)[i] = stackMark();
    while (!goAhead->load()) runtime::Gosched();
    (*done)++;
  };

  printf("NumGoroutine() at the start:             %d\n", runtime::NumGoroutine());
  for (int i = 0; i < n; i++) go(worker, &first, i, &goAhead, &done);
  runtime::Gosched();
  printf("after %d go statements (all waiting):    %d\n", n, runtime::NumGoroutine());
  goAhead = true;
  waitFor(done, n);
  waitForOthers();
  printf("after they returned:                     %d\n", runtime::NumGoroutine());

  done.store(0);
  for (int i = 0; i < n; i++) go(worker, &second, i, &goAhead, &done);
  waitFor(done, n);
  waitForOthers();
  std::set<uintptr_t> old(first.begin(), first.end());
  int reused = 0;
  for (uintptr_t m : second) reused += int(old.count(m));
  printf("%d more goroutines: %d of %d ran on a stack a finished one left behind.\n", n, reused, n);
  why("a goroutine that returns runs into goexit -> goexit1 -> goexit0: it\n"
      "     becomes _Gdead and goes, stack and all, on its P's free list (gfput).\n"
      "     The next go statement takes it back (gfget) instead of allocating.\n"
      "     Its goid is not reused: ids come from a per-P batch of 16 taken from\n"
      "     one global counter (main is goroutine 1).");
  see("docs/03-newproc.md, \"gfget and gfput\" and \"Goroutine ids\"");
}

// 4. The 61-tick fairness check.
void fairness() {
  heading(4, "The global queue is not starved");
  constexpr int n = 200;
  std::atomic<int> ran{0};
  for (int i = 0; i < n; i++) go([&ran] { ran++; });
  // Each Gosched puts main on the global queue; count how many of the
  // others ran before main's next turn.
  std::string gaps;
  for (int last = 0; ran.load() < n;) {
    runtime::Gosched();
    int now = ran.load();
    gaps += std::to_string(now - last) + " ";
    last = now;
  }
  printf("main started %d goroutines (local queue), then kept yielding (global queue).\n", n);
  printf("goroutines that ran between two turns of main: %s\n", gaps.c_str());
  why("findRunnable takes the local queue before the global one, except\n"
      "     when p.schedtick % 61 == 0: then it takes one goroutine from the\n"
      "     global queue first. Each goroutine that starts a new time slice\n"
      "     adds a tick (main too), so main waits 60 others per turn; 61 when\n"
      "     one came from runnext, which inherits the slice and adds no tick.\n"
      "     The first gap depends on where the tick stood.");
  see("docs/06-schedule.md, \"The 61-tick rule\"");
}

// 5. Goexit unwinds: destructors are Go's deferred calls.
struct deferred {
  const char* what;
  ~deferred() { printf("  destructor: %s\n", what); }
};

void goexit() {
  heading(5, "Goexit runs destructors, as Go's Goexit runs defers");
  std::atomic<int> done{0};
  go([&done] {
    deferred d{"outer frame"};
    done++;
    [] {
      deferred d2{"inner frame"};
      runtime::Goexit();
    }();
    printf("  never printed\n");
  });
  waitFor(done, 1);
  waitForOthers();
  printf("the goroutine ended; main goes on (NumGoroutine() = %d).\n", runtime::NumGoroutine());
  why("runtime::Goexit throws a private exception that the goroutine's entry\n"
      "     catches; unwinding runs every destructor on the way, then the entry\n"
      "     returns into goexit as if the function had returned.");
  see("docs/differences.md, \"Goexit\"");
}

// 6. Ps and Ms: goroutines run in parallel, one per P.
void procs(int nprocs) {
  heading(6, "Ps, Ms and CPUs: goroutines in parallel");
  int old = runtime::GOMAXPROCS(nprocs);
  printf("NumCPU() = %d. GOMAXPROCS was %d for the scenarios above; now %d again\n", runtime::NumCPU(), old,
         nprocs);
  if (nprocs != old) printf("(GOMAXPROCS(n) stops the world, calls procresize, restarts the world).\n");
  if (nprocs == 1) {
    printf("With one P, one goroutine runs at a time. Try: GOMAXPROCS=3 make run.\n");
    see("docs/01-gmp.md");
    return;
  }
  // main and nprocs-1 new goroutines each spin, without yielding, until
  // all nprocs are running: that only ends if nprocs threads run them at
  // the same time. (A deadline keeps a slow machine from hanging here.)
  std::atomic<int> arrived{0}, together{0};
  std::vector<std::thread::id> threads(nprocs);
  auto spin = [&](int i) {
    threads[i] = std::this_thread::get_id();
    arrived++;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (arrived.load() < nprocs && std::chrono::steady_clock::now() < deadline) {
    }
    if (arrived.load() == nprocs) together++;
  };
  std::atomic<int> done{0};
  for (int i = 1; i < nprocs; i++)
    go([&, i] {
      spin(i);
      done++;
    });
  spin(0);
  waitFor(done, nprocs - 1);
  std::set<std::thread::id> distinct(threads.begin(), threads.end());
  printf("main and %d new goroutine(s) spin until all %d are running at once:\n", nprocs - 1, nprocs);
  printf("%d of %d saw all the others running, on %zu different OS threads (Ms).\n", together.load(), nprocs,
         distinct.size());
  why("schedinit made GOMAXPROCS Ps (one per CPU unless $GOMAXPROCS says\n"
      "     otherwise). A P is what an M, an OS thread, needs to run goroutines.\n"
      "     Each go statement calls wakep, which starts a spinning M for an idle\n"
      "     P; that M steals from main's P, whose M is busy running main.\n"
      "     Try: GOMAXPROCS=3 make run.");
  see("docs/01-gmp.md and docs/06-schedule.md, \"Stealing, and spinning Ms\"");
}

int gomain(int, char**) {
  printf("gort tour: Go 1.19's goroutine scheduler in C++ (docs/README.md)\n");
  // Pin the run order for scenarios 1-5 (see the top of this file).
  int procsAtStart = runtime::GOMAXPROCS(1);
  runOrder();
  goschedOrder();
  reuse();
  fairness();
  goexit();
  procs(procsAtStart);
  printf("\nmain returns: the process exits, as when Go's main returns.\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) { rt0_go(argc, argv, gomain); }
