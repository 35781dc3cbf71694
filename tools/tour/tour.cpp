// tour — the guided demo `make run` runs: small scenarios that show the
// scheduler at work, each printing what happened and why, then the chapter
// of docs/ that explains it.
//
// Only the public API (runtime/go.h) is used. There are no channels yet, so
// every wait is a loop of runtime::Gosched() on a counter: with one M, the
// goroutine that loops lets all the others run between two checks.
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "runtime/go.h"

using namespace gort;

namespace {

void heading(int n, const char* title) { printf("\n== %d. %s ==\n", n, title); }
void why(const char* text) { printf("why: %s\n", text); }
void see(const char* where) { printf("-> %s\n", where); }

// Waits, yielding, until *counter reaches n.
void waitFor(const int* counter, int n) {
  while (*counter < n) runtime::Gosched();
}

// Waits, yielding, until only the main goroutine is left.
void waitForOthers() {
  while (runtime::NumGoroutine() > 1) runtime::Gosched();
}

// 1. The go statement puts the new goroutine in runnext.
void runOrder() {
  heading(1, "Ten go statements: which one runs first?");
  std::string order;
  int done = 0;
  for (int i = 0; i < 10; i++)
    go([&order, &done](int i) {
      order += std::to_string(i) + " ";
      done++;
    }, i);
  waitFor(&done, 10);
  printf("main ran go f(0) ... go f(9), then yielded.\n");
  printf("run order: %s\n", order.c_str());
  why("each go statement puts the new goroutine in the P's runnext slot and\n"
      "     kicks the one already there to the tail of the local run queue. After\n"
      "     ten, runnext holds 9 and the queue 0..8; runnext is taken first.\n"
      "     (Go 1.19 with GOMAXPROCS=1 prints the same.)");
  see("docs/03-newproc.md, \"Why runnext\"");
}

// 2. Gosched sends the caller to the tail of the global queue.
void goschedOrder() {
  heading(2, "Three goroutines that print, then Gosched");
  std::string order;
  int done = 0;
  for (const char* name : {"a", "b", "c"})
    go([&order, &done](const char* name) {
      for (int i = 0; i < 4; i++) {
        order += std::string(name) + std::to_string(i) + " ";
        runtime::Gosched();
      }
      done++;
    }, name);
  waitFor(&done, 3);
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
  bool goAhead = false;
  int done = 0;
  auto worker = [](std::vector<uintptr_t>* marks, int i, const bool* goAhead, int* done) {
    (*marks)[i] = stackMark();
    while (!*goAhead) runtime::Gosched();
    (*done)++;
  };

  printf("NumGoroutine() at the start:             %d\n", runtime::NumGoroutine());
  for (int i = 0; i < n; i++) go(worker, &first, i, &goAhead, &done);
  runtime::Gosched();
  printf("after %d go statements (all waiting):    %d\n", n, runtime::NumGoroutine());
  goAhead = true;
  waitFor(&done, n);
  waitForOthers();
  printf("after they returned:                     %d\n", runtime::NumGoroutine());

  done = 0;
  for (int i = 0; i < n; i++) go(worker, &second, i, &goAhead, &done);
  waitFor(&done, n);
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
  int ran = 0;
  for (int i = 0; i < n; i++) go([&ran] { ran++; });
  // Each Gosched puts main on the global queue; count how many of the
  // others ran before main's next turn.
  std::string gaps;
  for (int last = 0; ran < n;) {
    runtime::Gosched();
    gaps += std::to_string(ran - last) + " ";
    last = ran;
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

// 5. Ps and CPUs.
void procs() {
  heading(5, "Ps, Ms and CPUs");
  printf("NumCPU() = %d, GOMAXPROCS(0) = %d\n", runtime::NumCPU(), runtime::GOMAXPROCS(0));
  why("schedinit makes GOMAXPROCS Ps (one per CPU unless $GOMAXPROCS says\n"
      "     otherwise); a P is what an M (a thread) needs to run goroutines.\n"
      "     In gort today one M, the main thread, runs everything on P 0; the\n"
      "     other Ps wait on the idle list until the many-M scheduler (not yet\n"
      "     in gort) gives them threads. Try: GOMAXPROCS=3 make run.");
  see("docs/01-gmp.md and docs/05-bootstrap.md");
}

// 6. Goexit unwinds: destructors are Go's deferred calls.
struct deferred {
  const char* what;
  ~deferred() { printf("  destructor: %s\n", what); }
};

void goexit() {
  heading(6, "Goexit runs destructors, as Go's Goexit runs defers");
  int done = 0;
  go([&done] {
    deferred d{"outer frame"};
    done++;
    [] {
      deferred d2{"inner frame"};
      runtime::Goexit();
    }();
    printf("  never printed\n");
  });
  waitFor(&done, 1);
  waitForOthers();
  printf("the goroutine ended; main goes on (NumGoroutine() = %d).\n", runtime::NumGoroutine());
  why("runtime::Goexit throws a private exception that the goroutine's entry\n"
      "     catches; unwinding runs every destructor on the way, then the entry\n"
      "     returns into goexit as if the function had returned.");
  see("docs/differences.md, \"Goexit\"");
}

int gomain(int, char**) {
  printf("gort tour: Go 1.19's goroutine scheduler in C++ (docs/README.md)\n");
  runOrder();
  goschedOrder();
  reuse();
  fairness();
  procs();
  goexit();
  printf("\nmain returns: the process exits, as when Go's main returns.\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) { rt0_go(argc, argv, gomain); }
