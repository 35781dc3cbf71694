// tour — the guided demo `make run` runs: small scenarios that show the
// scheduler at work, each printing what happened and why, then the chapter
// of docs/ that explains it.
//
// Only the public API (runtime/go.h, runtime/net.h) is used. Scenarios
// 1-9 use no channels: every wait is a loop of runtime::Gosched() on an
// atomic counter; 10-14 use channels, select, Sleep and sockets. The
// scenarios that show a run order pin GOMAXPROCS to 1, as Go's own tests do:
// with more Ps, other Ms steal work and the order is no longer fixed.
//
// A Gosched loop is not a free wait. The waiter goes to the global queue,
// and findRunnable takes the global queue before it steals, so the waiter's
// P never goes looking for work on other Ps. A goroutine queued on another
// P behind one that never yields then waits until that one is preempted
// (after 10 ms, by signal) or, where gort cannot preempt (inside
// runtime::NoPreempt, in a shared library's code, under TSan), for as long
// as it runs. A channel receive or a WaitGroup parks the waiter instead
// (gopark), which frees its P to steal or to sleep. Each Gosched wait below
// is safe because what it waits for is queued on the waiter's own P, in the
// global queue, or running on another M; and where a goroutine must give
// way to another on the only P, scenario 9 blocks it in a system call, and
// sysmon hands the P on.
#include <poll.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runtime/go.h"
#include "runtime/net.h"

// LeakSanitizer (ASan builds) would report the closures of the goroutines
// scenario 14 leaves running at exit: their only references are on
// goroutine stacks, which it does not scan.
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define TOUR_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/lsan_interface.h>
#define TOUR_LSAN 1
#endif
#endif

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
  see("docs/01-gmp.md and docs/08-spinning-and-stealing.md");
}

// The OS thread the calling goroutine runs on right now.
long gettid() { return syscall(SYS_gettid); }

// The process's thread count, as the kernel reports it.
int threadCount() {
  FILE* f = fopen("/proc/self/status", "r");
  if (f == nullptr) return -1;
  char line[256];
  int n = -1;
  while (fgets(line, sizeof line, f) != nullptr)
    if (strncmp(line, "Threads:", 8) == 0) n = atoi(line + 8);
  fclose(f);
  return n;
}

// CPU time used so far by all threads of the process, in milliseconds.
double processCPUms() {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// About us microseconds of work, without calling into the runtime.
void busy(int us) {
  auto end = std::chrono::steady_clock::now() + std::chrono::microseconds(us);
  while (std::chrono::steady_clock::now() < end) {
  }
}

// Names threads A, B, ... in the order they are first seen.
struct threadNames {
  std::map<long, char> names;
  char operator()(long tid) {
    auto it = names.find(tid);
    if (it != names.end()) return it->second;
    char c = char('A' + names.size());
    names[tid] = c;
    return c;
  }
};

// 7. A spinning M steals half of a busy P's queue.
void stealing() {
  heading(7, "Work stealing: an idle P takes half of a busy P's queue");
  constexpr int n = 100;
  runtime::GOMAXPROCS(1);  // nothing runs or steals while main queues them
  std::vector<long> tid(n);
  // main must keep P0 until a goroutine has started elsewhere: no
  // preemption (sysmon's 10 ms slice, or a pending request honoured at a
  // go statement) may hand P0 to the queued goroutines meanwhile.
  std::optional<runtime::NoPreempt> np(std::in_place);
  std::atomic<int> first{-1}, done{0};
  for (int i = 0; i < n; i++)
    go([&](int i) {
      tid[i] = gettid();
      int none = -1;
      first.compare_exchange_strong(none, i);
      busy(5);
      done++;
    }, i);
  long mainTid = gettid();
  runtime::GOMAXPROCS(2);
  // Keep P0 busy, without yielding, until some goroutine has started: it
  // can only be on the new P. (A deadline keeps a stuck run from hanging.)
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (first.load() < 0 && std::chrono::steady_clock::now() < deadline) {
  }
  int firstRun = first.load();
  np.reset();
  waitFor(done, n);
  waitForOthers();
  threadNames name;
  name(mainTid);
  std::map<char, int> perThread;
  for (long t : tid) perThread[name(t)]++;
  printf("With one P, main queued %d goroutines: 0..%d in P0's ring, %d in runnext.\n", n, n - 2, n - 1);
  printf("Then GOMAXPROCS(2), and main spun on thread %c, holding P0, until one started.\n", name(mainTid));
  if (firstRun < 0)
    printf("none started within 2 s (this should not happen).\n");
  else
    printf("first to run: goroutine %d, on thread %c.\n", firstRun, name(tid[firstRun]));
  printf("Then main waited with Gosched. Goroutines run per thread:");
  const char* sep = " ";
  for (auto [t, k] : perThread) {
    printf("%s%c %d", sep, t, k);
    sep = ", ";
  }
  printf(".\n");
  why("GOMAXPROCS(2) made P1 and woke a spinning M for it (wakep). Its own\n"
      "     queue and the global queue were empty, so it stole from P0:\n"
      "     runqsteal takes half of the ring, 99 - 99/2 = 50 goroutines (0..49),\n"
      "     and runs the last of them, 49, at once. A thief takes runnext (99)\n"
      "     only from an empty ring, on its last pass, after a 3 us pause. Once\n"
      "     main yielded, P0 ran what was left on it, while the thief came back\n"
      "     for half of the rest, and so on.");
  see("docs/08-spinning-and-stealing.md, \"Stealing\"");
}

// 8. Spinning Ms: bounded, brief.
void spinning() {
  heading(8, "Spinning Ms: CPU spent looking for work, and its limits");
  constexpr int nprocs = 4, n = 2000, idleMs = 30;
  runtime::GOMAXPROCS(nprocs);
  int before = threadCount();
  printf("GOMAXPROCS(%d) on %d CPU(s). Threads in the process: %d (/proc/self/status).\n", nprocs,
         runtime::NumCPU(), before);
  std::atomic<int> running{0}, most{0}, done{0};
  std::vector<long> tid(n);
  for (int i = 0; i < n; i++)
    go([&](int i) {
      int now = ++running;
      for (int m = most.load(); now > m && !most.compare_exchange_weak(m, now);) {
      }
      tid[i] = gettid();
      busy(5);
      running--;
      done++;
    }, i);
  waitFor(done, n);
  waitForOthers();
  std::set<long> threads(tid.begin(), tid.end());
  printf("main started %d goroutines of ~5 us each, then waited for them:\n", n);
  printf("  at most %d ran at the same moment, on %zu threads in all. Threads now: %d.\n", most.load(),
         threads.size(), threadCount());

  // Nothing is left to run: block in a system call and see what the rest
  // of the process does meanwhile.
  double cpu0 = processCPUms();
  {
    runtime::SyscallGuard sys;
    poll(nullptr, 0, idleMs);
  }
  double cpu = processCPUms() - cpu0;
  printf("Then main blocked %d ms in poll() (SyscallGuard), with nothing else to run:\n", idleMs);
  printf("  the whole process used %.2f ms of CPU time meanwhile.\n", cpu);
  why("a go statement wakes a spinning M (wakep) only if a P is idle and no\n"
      "     M spins already. A spinner that finds work stops spinning and, if it\n"
      "     was the last, wakes the next (resetspinning), so busy Ms ramp up one\n"
      "     at a time, never more than GOMAXPROCS at once: an M runs goroutines\n"
      "     only while it holds a P. A thread is made only when no parked M is\n"
      "     left. A spinner gives up after 4 passes over the Ps and parks on a\n"
      "     futex, so an idle process costs next to no CPU.");
  see("docs/08-spinning-and-stealing.md and docs/07-many-ms.md");
}

// 9. A goroutine blocked in a system call gives its P away.
void syscallHandoff() {
  heading(9, "A goroutine blocked in a system call gives its P away");
  runtime::GOMAXPROCS(1);
  int fds[2];
  if (pipe(fds) != 0) {
    printf("pipe failed\n");
    return;
  }
  // Two warm-ups make sysmon's bookkeeping for this P current, so that the
  // hand-off below follows the usual rule (seen in the same system call on
  // two looks, 20 us or more apart): a short system call gives the P a new
  // syscalltick, a turn through the global queue a new schedtick. Without
  // them sysmon may take the P at its first look: a P's first system call
  // ever, or a schedtick it last saw change 10 ms ago, look old to it (as
  // in Go 1.19; docs/09-syscalls-and-sysmon.md, "What one tick means").
  {
    runtime::SyscallGuard sys;
    getppid();
  }
  runtime::Gosched();
  threadNames name;
  std::atomic<bool> entering{false}, workerDone{false}, readerDone{false}, readerBlockedDuringWorker{false};
  std::atomic<long> readerTid{0}, readerAfterTid{0}, workerTid{0};
  std::atomic<ssize_t> got{-1};
  std::chrono::steady_clock::time_point t0;

  go([&] {
    char c = 0;
    ssize_t r;
    {
      // No preemption between reporting this thread and blocking on it.
      runtime::NoPreempt np;
      readerTid = gettid();
      t0 = std::chrono::steady_clock::now();
      entering = true;
      runtime::SyscallGuard sys;  // the P goes to _Psyscall
      r = read(fds[0], &c, 1);   // blocks: nobody has written yet
    }
    got = r;
    readerAfterTid = gettid();
    readerDone = true;
  });
  // main yields; the reader runs on this M and blocks in read(). main is
  // in the global queue, and only another M with the P can run it now.
  while (!entering.load()) runtime::Gosched();
  auto back = std::chrono::steady_clock::now();
  long mainTid = gettid();

  go([&] {
    workerTid = gettid();
    readerBlockedDuringWorker = !readerDone.load();
    workerDone = true;
  });
  while (!workerDone.load()) runtime::Gosched();

  char c = 'x';
  ssize_t w = write(fds[1], &c, 1);
  while (!readerDone.load()) runtime::Gosched();
  waitForOthers();
  close(fds[0]);
  close(fds[1]);

  long us = long(std::chrono::duration_cast<std::chrono::microseconds>(back - t0).count());
  printf("GOMAXPROCS(1): one P. In order:\n");
  printf("  reader: calls read() on an empty pipe inside SyscallGuard, on thread %c\n", name(readerTid));
  printf("  main:   runs again %ld us later, on thread %c\n", us, name(mainTid));
  printf("  worker: starts and finishes on thread %c; the reader %s\n", name(workerTid),
         readerBlockedDuringWorker ? "is still in read()" : "had returned");
  printf("  main:   writes %zd byte to the pipe\n", w);
  printf("  reader: read() returns %zd; it goes on, on thread %c\n", got.load(), name(readerAfterTid));
  why("entersyscall leaves the P in _Psyscall. sysmon sees it there on two\n"
      "     of its looks in a row (20 us or more apart) while main waits in the\n"
      "     global queue, takes it (retake) and hands it to another M\n"
      "     (handoffp, startm). When read() returns, the old P is busy and no P\n"
      "     is idle: exitsyscall0 queues the reader globally and parks its M\n"
      "     (stoplockedm: SyscallGuard holds the reader on its thread, so errno\n"
      "     holds); main's next Gosched finds the reader and hands the P to\n"
      "     its M (startlockedm), where it goes on.");
  see("docs/09-syscalls-and-sysmon.md");
}

// The status of every goroutine but the caller, in the words of its
// traceback header ("goroutine 7 [chan receive]:" gives "chan receive";
// the ", locked to thread" a SyscallGuard's goroutine shows is left off):
// runtime::Stack(true) prints the caller first, then the others.
std::vector<std::string> otherStatuses() {
  std::string all = runtime::Stack(true);
  std::vector<std::string> out;
  bool caller = true;
  for (size_t pos = 0; pos < all.size();) {
    size_t eol = all.find('\n', pos);
    if (eol == std::string::npos) eol = all.size();
    std::string line = all.substr(pos, eol - pos);
    pos = eol + 1;
    size_t lb = line.find(" [");
    if (line.rfind("goroutine ", 0) != 0 || lb == std::string::npos || line.back() != ':') continue;
    std::string status = line.substr(lb + 2, line.size() - lb - 4);
    size_t locked = status.find(", locked to thread");
    if (locked != std::string::npos) status.erase(locked);
    if (!caller) out.push_back(status);
    caller = false;
  }
  return out;
}

// The status of the only other goroutine, or of all of them.
std::string otherStatus() {
  std::string s;
  for (const std::string& st : otherStatuses()) s += (s.empty() ? "[" : ", [") + st + "]";
  return s.empty() ? "(none)" : s;
}

// 10. Channels: who parks, and who hands the value to whom.
void channels() {
  heading(10, "Channels: a parked sender, a direct hand-off, a full buffer");
  runtime::GOMAXPROCS(1);  // the order below is fixed with one P
  std::string log;
  auto say = [&log](const std::string& s) { log += "  " + s + "\n"; };

  chan<int> c;  // unbuffered
  sync::WaitGroup wg;
  wg.Add(1);
  go([c, &say, &wg] {
    say("receiver: starts; main is " + otherStatus());
    for (int v : c) say("receiver: got " + std::to_string(v));  // for v := range c
    say("receiver: c is closed, the range loop ends");
    wg.Done();
  });
  for (int v = 1; v <= 3; v++) {
    say("main:     send " + std::to_string(v));
    c.send(v);
    say("main:     send " + std::to_string(v) + " returned; the receiver is " + otherStatus());
  }
  c.close();
  wg.Wait();
  printf("An unbuffered channel, one P; main sends 1, 2, 3 to a receiver it started:\n%s", log.c_str());

  log.clear();
  chan<int> b(2);
  b.send(1);
  b.send(2);
  say("main:     sent 1 and 2 into a buffer of 2 without waiting; len " + std::to_string(b.len()) + ", cap " +
      std::to_string(b.cap()));
  wg.Add(1);
  go([b, &say, &wg] {
    say("receiver: starts; main is " + otherStatus());
    for (int i = 0; i < 3; i++) say("receiver: got " + std::to_string(b.recv()));
    wg.Done();
  });
  say("main:     send 3");
  b.send(3);
  say("main:     send 3 returned");
  wg.Wait();
  printf("A buffered channel of 2, another receiver:\n%s", log.c_str());
  why("a send with no receiver waiting parks the sender on the channel's\n"
      "     sendq (gopark, \"chan send\") and its M runs the next goroutine. A\n"
      "     receive that finds a parked sender takes the value straight from the\n"
      "     sender's stack and readies it (goready: runnext, so it runs next).\n"
      "     A send that finds a parked receiver writes into the receiver's stack\n"
      "     and does not wait: 2 was handed over while main ran on. With a full\n"
      "     buffer, the receive takes the oldest value and moves the parked\n"
      "     sender's 3 into the freed slot, so the order stays 1 2 3.");
  see("docs/10-channels.md");
}

// 11. select: the default case, a random choice, and a goroutine parked on
// two channels at once.
void selects() {
  heading(11, "select: default, a fair coin, and waiting on two channels");
  runtime::GOMAXPROCS(1);
  chan<int> a(1), b(1);
  bool tookDefault = false;
  select(on_recv(a, [](int, bool) {}), on_default([&] { tookDefault = true; }));
  printf("nothing to receive on a, with a default case: %s\n",
         tookDefault ? "default ran, nobody parked" : "received?");

  constexpr int rounds = 1000;
  int fromA = 0, fromB = 0;
  for (int i = 0; i < rounds; i++) {
    a.send(i);
    b.send(i);
    select(on_recv(a, [&](int, bool) { fromA++; }), on_recv(b, [&](int, bool) { fromB++; }));
    // Empty whichever one was not chosen.
    select(on_recv(a, [](int, bool) {}), on_recv(b, [](int, bool) {}));
  }
  printf("a and b both ready, %d times: a chosen %d times, b %d times\n", rounds, fromA, fromB);

  chan<int> x, y;  // unbuffered
  chan<std::string> result(1);
  go([x, y, result] {
    select(on_recv(x, [&](int v, bool) { result.send("x gave " + std::to_string(v)); }),
           on_recv(y, [&](int v, bool) { result.send("y gave " + std::to_string(v)); }));
  });
  // It runs, finds nothing ready, and parks on both channels.
  while (otherStatuses() != std::vector<std::string>{"select"}) runtime::Gosched();
  printf("a goroutine selects on x and y, nothing ready: it is %s\n", otherStatus().c_str());
  y.send(7);
  printf("main sends 7 on y: the select returns with \"%s\"\n", result.recv().c_str());
  why("selectgo visits the cases in a random order (pollorder, from\n"
      "     fastrandn), so neither ready case wins by position; only with\n"
      "     nothing ready does it take default. To wait, it locks every channel\n"
      "     (in address order, so two selects can't deadlock), queues one sudog\n"
      "     on each, and parks (\"select\"). The first sender to win the\n"
      "     goroutine's selectDone hands over its value; on waking, selectgo\n"
      "     takes its sudogs off the other channels.");
  see("docs/10-channels.md, \"select\"");
}

// 12. Timers: sleepers wake in deadline order, and no thread is a timer thread.
void timers() {
  heading(12, "Five goroutines sleep: who wakes them?");
  using std::chrono::milliseconds;
  int threadsBefore = threadCount();
  int goroutinesBefore = runtime::NumGoroutine();
  chan<int> woke(5);
  for (int ms : {30, 10, 50, 20, 40})
    go([woke, ms] {
      time::Sleep(milliseconds(ms));
      woke.send(ms);
    });
  // Let them all start sleeping, then look at the process while they do.
  time::Sleep(milliseconds(5));
  int goroutinesDuring = runtime::NumGoroutine();
  int threadsDuring = threadCount();
  printf("started sleepers of 30, 10, 50, 20, 40 ms; NumGoroutine() went from %d to %d\n", goroutinesBefore,
         goroutinesDuring);
  printf("they wake in this order:");
  for (int i = 0; i < 5; i++) printf(" %d", woke.recv());
  printf("\nthreads: %d before, %d while they slept (no timer thread)\n", threadsBefore, threadsDuring);
  // A timeout is a select on time::After.
  chan<int> never;
  bool timedOut = false;
  select(on_recv(never, [](int, bool) {}),
         on_recv(time::After(milliseconds(20)), [&](time::Time, bool) { timedOut = true; }));
  printf("select on a silent channel and time::After(20ms): %s\n", timedOut ? "timed out" : "received?");
  why("Sleep puts a timer on the current P's 4-ary heap and parks (gopark,\n"
      "     then resettimer from g0). Every findRunnable first runs the due\n"
      "     timers of its P (checkTimers); a timer's function readies its\n"
      "     goroutine. When every M is idle, the last one blocks in epoll_wait\n"
      "     with the time to the next timer as its timeout: the poller is the\n"
      "     alarm clock.");
  see("docs/12-timers.md");
}

// 13. An echo server: a goroutine per connection, parked in IO wait.
void echoServer(int nprocs) {
  heading(13, "An echo server with one goroutine per connection");
  runtime::GOMAXPROCS(nprocs);
  constexpr int C = 100;
  auto [ln, err] = net::Listen("tcp", "127.0.0.1:0");
  if (err) {
    printf("listen: %s\n", err.message().c_str());
    return;
  }
  std::string addr = ln.Addr();
  std::atomic<int> accepted{0}, served{0};
  int goroutinesBefore = runtime::NumGoroutine();
  go([&ln, &accepted, &served] {
    for (;;) {
      auto [c, err] = ln.Accept();
      if (err) return;  // the listener was closed
      accepted++;
      go([&served](net::Conn c) {
        char buf[512];
        for (;;) {
          auto [n, err] = c.Read(buf, sizeof buf);  // parks in "IO wait" until data arrive
          if (err) break;                            // net::errc::eof: the client closed
          c.Write(buf, n);
        }
        served++;
      }, std::move(c));
    }
  });
  chan<bool> ok(C);
  sync::WaitGroup connected;
  connected.Add(C);
  chan<bool> go_(0);
  for (int i = 0; i < C; i++)
    go([&, i] {
      auto [c, err] = net::Dial("tcp", addr);
      connected.Done();
      if (err) return ok.send(false);
      go_.recv();  // all connect first, then all talk
      std::string msg = "hello from client " + std::to_string(i);
      c.Write(msg.data(), msg.size());
      std::string back(msg.size(), '\0');
      size_t got = 0;
      while (got < back.size()) {
        auto [n, err] = c.Read(back.data() + got, back.size() - got);
        if (err) break;
        got += n;
      }
      c.Close();
      ok.send(back == msg);
    });
  connected.Wait();
  while (accepted.load() < C) runtime::Gosched();
  int goroutines = runtime::NumGoroutine() - goroutinesBefore;
  int threads = threadCount();
  go_.close();
  int good = 0;
  for (int i = 0; i < C; i++) good += ok.recv();
  ln.Close();
  while (served.load() < C) runtime::Gosched();
  printf("%d clients connected: %d new goroutines (a client and a server goroutine per\n"
         "connection, plus the acceptor) on %d Ps and %d OS threads\n",
         C, goroutines, runtime::GOMAXPROCS(0), threads);
  printf("%d of %d echoes came back intact\n", good, C);
  why("a network goroutine is an ordinary goroutine whose socket is\n"
      "     non-blocking. When read() says EAGAIN it parks on the socket's\n"
      "     pollDesc (netpollblock, \"IO wait\") and its M runs something\n"
      "     else. epoll, polled by findRunnable, by sysmon every 10 ms, and\n"
      "     blocking by the last idle M, reports the socket ready; netpollready\n"
      "     hands the goroutine back to a run queue.");
  see("docs/13-netpoller.md");
}

// 14. main returns while other goroutines still park, block and run.
std::atomic<long> counted{0};

void atExit() {
  long before = counted.load();
  // Give the counting goroutine's thread a moment of CPU (there may be
  // only one CPU, and this thread has it).
  for (int i = 0; i < 200 && counted.load() == before; i++) {
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, nullptr);
  }
  printf("atexit handler, inside exit() on main's thread: the counting goroutine %s;\n"
         "  %d threads are alive, and no destructor of the parked goroutine has run.\n"
         "  Next, exit_group ends every thread at once.\n",
         counted.load() != before ? "is still counting" : "did not move (its thread got no CPU)", threadCount());
  fflush(stdout);
}

void mainReturns() {
  heading(14, "main returns while other goroutines park, block and run");
  runtime::GOMAXPROCS(2);  // a P for main and one for the counter
  std::atomic<bool> reading{false};
  chan<int> never;
  int fds[2];
  if (pipe(fds) != 0) {
    printf("pipe failed\n");
    return;
  }
  {
    // No preemption (and so no change of thread) between the LeakSanitizer
    // calls, which count per thread.
    runtime::NoPreempt np;
#ifdef TOUR_LSAN
    __lsan::ScopedDisabler leaksOfGoroutinesAliveAtExit;
#endif
    go([never] {
      deferred d{"the parked goroutine's frame (never printed)"};
      never.recv();  // parks forever: nobody sends or closes
    });
    go([fd = fds[0], &reading] {
      char c;
      reading = true;
      runtime::SyscallGuard sys;
      ssize_t r = read(fd, &c, 1);  // blocks forever: nobody writes
      (void)r;
    });
    go([] {
      for (;;) {
        counted++;
        runtime::Gosched();
      }
    });
  }
  while (!reading.load() || counted.load() == 0) runtime::Gosched();
  std::vector<std::string> st;
  do {
    runtime::Gosched();
    st = otherStatuses();
  } while (std::find(st.begin(), st.end(), "syscall") == st.end() ||
           std::find(st.begin(), st.end(), "chan receive") == st.end());
  std::set<std::string> kinds(st.begin(), st.end());
  std::string list;
  for (const std::string& k : kinds) list += (list.empty() ? "[" : ", [") + k + "]";
  printf("other goroutines: %s; threads: %d\n", list.c_str(), threadCount());
  atexit(atExit);
  printf("main returns now: runtime::main flushes stdio and calls exit(0).\n");
  fflush(stdout);
  why("exit runs the atexit handlers and static destructors on main's thread\n"
      "     while every other M goes on: the counter keeps counting. Then libc\n"
      "     makes the exit_group system call, and the kernel ends every thread\n"
      "     where it stands: the M blocked in read(), the M running the counter,\n"
      "     sysmon in its sleep, an idle M on its futex or in epoll_wait.\n"
      "     Nothing waits for a goroutine, and no parked goroutine's destructor\n"
      "     (Go: deferred call) runs, as when Go's main returns.");
  see("docs/05-bootstrap.md, \"What main's return does to the other threads\"");
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
  stealing();
  spinning();
  syscallHandoff();
  channels();
  selects();
  timers();
  echoServer(procsAtStart);
  mainReturns();
  return 0;
}

}  // namespace

int main(int argc, char** argv) { rt0_go(argc, argv, gomain); }
