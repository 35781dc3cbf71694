// testprog — scenarios that must crash or print, run by the tests as a
// child process (Go's runtime/testdata/testprog). Usage: testprog NAME.
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include <dirent.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>

#include "runtime/go.h"
#include "runtime/os_linux.h"
#include "runtime/proc.h"
#include "runtime/stack.h"
#include "runtime/stubs.h"
#include "testprog/testprog.h"

using namespace gort;
namespace runtime = gort::runtime;

namespace testprog {
std::map<std::string, std::function<int()>>& scenarios() {
  static std::map<std::string, std::function<int()>> m;
  return m;
}
}  // namespace testprog

namespace {
using testprog::registerScenario;
using testprog::scenarios;

// deadlock.go: SimpleDeadlock
TESTPROG_SCENARIO(SimpleDeadlock) {
  gort::select();  // select {}
  return 0;
}

// deadlock.go: LockedDeadlock
TESTPROG_SCENARIO(LockedDeadlock) {
  runtime::LockOSThread();
  gort::select();  // select {}
  return 0;
}

// deadlock.go: LockedDeadlock2 (Go sleeps 1ms to let the goroutine block;
// gort waits until it has locked its thread and is about to block)
TESTPROG_SCENARIO(LockedDeadlock2) {
  static std::atomic<bool> locked{false};
  go([] {
    runtime::LockOSThread();
    locked = true;
    gort::select();  // select {}
  });
  while (!locked) runtime::Gosched();
  gort::select();  // select {}
  return 0;
}

// numgoroutine.go: NumGoroutine (its first line: only main exists)
TESTPROG_SCENARIO(NumGoroutine) {
  printf("%d\n", runtime::NumGoroutine());
  return 0;
}

// gort-only: prints GOMAXPROCS as schedinit set it from the environment
// (proc_test.cpp: how the GOMAXPROCS variable is parsed).
TESTPROG_SCENARIO(PrintGOMAXPROCS) {
  printf("%d\n", runtime::GOMAXPROCS(0));
  return 0;
}

// gort-only: whether thread tid of this process still exists.
bool tidExists(long tid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/task/%ld", tid);
  return access(path, F_OK) == 0;
}

// lockosthread.go: LockOSThreadMain. Needs GOMAXPROCS=1 so the goroutine
// starts on the main thread; it locks it and exits, which wedges m0; main
// must carry on on another thread.
TESTPROG_SCENARIO(LockOSThreadMain) {
  if (runtime::GOMAXPROCS(-1) != 1) {
    printf("requires GOMAXPROCS=1\n");
    return 1;
  }
  static long mainTID = runtime::gettid();  // main starts on the main thread
  static std::atomic<bool> ready{false};
  static std::atomic<bool> failed{false};
  go([] {
    // Because GOMAXPROCS=1, this *should* be on the main thread. Stay there.
    runtime::LockOSThread();
    if (runtime::gettid() != mainTID) failed = true;
    // Exit with the thread locked, which should exit the main thread.
    ready = true;
  });
  while (!ready) runtime::Gosched();
  if (failed) {
    printf("failed to start goroutine on main thread\n");
    return 1;
  }
  // Let the locked goroutine finish exiting (it wedges m0), then check
  // that this goroutine runs on a different thread.
  for (int i = 0; i < 1000 && runtime::gettid() == mainTID; i++) runtime::Gosched();
  if (runtime::gettid() == mainTID) {
    printf("goroutine migrated to locked thread\n");
    return 1;
  }
  printf("OK\n");
  return 0;
}

// lockosthread.go: LockOSThreadTemplateThreadRace (golang.org/issue/38931):
// a stop-the-world racing with two LockOSThread calls that each start the
// template thread must not hang. Go stops the world with ReadMemStats;
// gort's runtime::Stack(true) stops it too. The start line-up is Go's
// (both goroutines spin until one instant); the test only fails by
// hanging (bounded by the test), as Go's.
TESTPROG_SCENARIO(LockOSThreadTemplateThreadRace) {
  // Ensure enough Ps to actually run everything in parallel.
  runtime::GOMAXPROCS(4);
  go([] {
    // Stop the world; race with LockOSThread below.
    for (;;) (void)runtime::Stack(true);
  });
  // Try to synchronize both LockOSThreads.
  auto start = std::chrono::steady_clock::now() + std::chrono::milliseconds(10);
  gort::sync::WaitGroup wg;
  wg.Add(2);
  for (int i = 0; i < 2; i++) {
    go([&wg, start] {
      while (std::chrono::steady_clock::now() < start) {
      }
      // Add work to the local runq to trigger early startm in handoffp.
      go([] {});
      runtime::LockOSThread();
      runtime::Gosched();  // add a preemption point.
      wg.Done();
    });
  }
  wg.Wait();
  // If both LockOSThreads completed then we did not hit the race.
  printf("OK\n");
  return 0;
}

// lockosthread.go: LockOSThreadAlt. main is locked to the main thread; a
// goroutine locks a new thread and exits: that thread must die.
TESTPROG_SCENARIO(LockOSThreadAlt) {
  runtime::LockOSThread();  // Go does this in the scenario's init
  static std::atomic<long> subTID{0};
  go([] {
    // This goroutine must be running on a new thread.
    runtime::LockOSThread();
    subTID = runtime::gettid();
    // Exit with the thread locked.
  });
  while (subTID == 0) runtime::Gosched();
  runtime::UnlockOSThread();
  // The thread leaves asynchronously (pthread_exit after handing off its
  // P); wait for it, with a bound, as Go's test does.
  for (int i = 0; i < 5000; i++) {
    if (runtime::gettid() == subTID) {
      printf("locked thread reused\n");
      return 1;
    }
    if (!tidExists(subTID)) {
      printf("OK\n");
      return 0;
    }
    runtime::usleep(1000);
  }
  printf("sub thread %ld still running\n", subTID.load());
  return 1;
}

// gort-only: an endless loop that never calls into the runtime (the
// compiler can't drop it: the asm makes x observable).
[[noreturn]] void spinForever() {
  uint64_t x = 1;
  for (;;) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    asm volatile("" : "+r"(x));
  }
}

// preempt.go: testprog AsyncPreempt, the essence: at GOMAXPROCS=1 a
// goroutine in a call-free loop must not keep main from finishing.
std::atomic<bool> spinnerStarted{false};

TESTPROG_SCENARIO(AsyncPreempt) {
  runtime::GOMAXPROCS(1);
  go([] {
    spinnerStarted = true;
    spinForever();
  });
  // Give the only P to the spinner; once it runs, only preemption brings
  // us back. (The first Gosched may come straight back: P0's schedtick is
  // still 0, and 0 % 61 == 0 takes a g from the global queue first.)
  while (!spinnerStarted) runtime::Gosched();
  printf("OK\n");
  return 0;
}

// gort-only: the same inside runtime::NoPreempt: main must never return.
TESTPROG_SCENARIO(NoPreemptHonoured) {
  runtime::GOMAXPROCS(1);
  go([] {
    runtime::NoPreempt np;
    spinnerStarted = true;
    spinForever();
  });
  while (!spinnerStarted) runtime::Gosched();
  printf("OK\n");
  return 0;
}

// crash_test.go: TestMainGoroutineID — main panics with "test".
TESTPROG_SCENARIO(MainGoroutineID) {
  throw std::runtime_error("test");
}

// crash_test.go: TestGoNil — go of a nil function.
TESTPROG_SCENARIO(GoNil) {
  go(std::function<void()>());
  runtime::Gosched();
  return 0;
}

// crash_test.go: TestGoexitDeadlock — main calls Goexit while another
// goroutine still runs; when that one ends, nothing is left.
TESTPROG_SCENARIO(GoexitDeadlock) {
  go([] {
    for (int i = 0; i < 10; i++) runtime::Gosched();
  });
  runtime::Goexit();
}

// gort-only: an uncaught exception of a non-std type in a goroutine,
// the value named by $PANIC_VALUE (tests/testdata/panic_values.go
// panics with the same values in Go).
struct PanicPoint {
  int x, y;
};
TESTPROG_SCENARIO(PanicNonStd) {
  const char* env = getenv("PANIC_VALUE");
  std::string kind = env != nullptr ? env : "int";
  go([kind] {
    if (kind == "int") throw 42;
    if (kind == "negative") throw int64_t(-7);
    if (kind == "unsigned") throw UINT64_MAX;
    if (kind == "bool") throw true;
    if (kind == "double") throw 1.5;
    if (kind == "tiny") throw -0.000123;
    if (kind == "big") throw 6.02214076e23;
    if (kind == "nan") throw std::nan("");
    if (kind == "inf") throw -HUGE_VAL;
    if (kind == "cstring") throw "boom";
    if (kind == "string") throw std::string("boom");
    if (kind == "nil") throw nullptr;
    throw PanicPoint{1, 2};
  });
  for (;;) runtime::Gosched();
}

// gort-only: `go` for the order scenarios below, the goroutine's body
// under runtime::NoPreempt. They pin the order Go 1.19 runs them in when
// nothing is preempted; sysmon preempts a goroutine that has run 10 ms
// (retake), which TSan's slowdown or a loaded machine can make happen,
// and a preempted goroutine goes to the global queue's tail: another
// order, and a test of nothing it means to test.
template <class F, class... A>
void goInOrder(F&& f, A&&... args) {
  go(
      [f = std::forward<F>(f)](auto&&... a) mutable {
        runtime::NoPreempt np;
        f(std::forward<decltype(a)>(a)...);
      },
      std::forward<A>(args)...);
}

// Run order under GOMAXPROCS=1: ten go statements, then wait. The last one
// sits in runnext and runs first (Go 1.19 prints 9 0 1 2 3 4 5 6 7 8).
TESTPROG_SCENARIO(GoOrder) {
  runtime::NoPreempt np;  // see goInOrder
  // Atomic: tools/gotrace runs the order scenarios at every P, where two
  // goroutines increment it at once (a lost update left main waiting).
  std::atomic<int> done{0};
  for (int i = 0; i < 10; i++)
    goInOrder([&done](int i) {
      printf("%d ", i);
      done++;
    }, i);
  while (done < 10) runtime::Gosched();
  printf("\n");
  return 0;
}

// Run order under GOMAXPROCS=1: three goroutines print and Gosched four
// times each; Gosched goes to the global queue's tail (Go 1.19 prints
// c0 a0 b0 c1 a1 b1 c2 a2 b2 c3 a3 b3).
TESTPROG_SCENARIO(GoschedOrder) {
  runtime::NoPreempt np;  // see goInOrder
  std::atomic<int> done{0};  // atomic: see GoOrder
  for (const char* name : {"a", "b", "c"})
    goInOrder([&done](const char* n) {
      for (int i = 0; i < 4; i++) {
        printf("%s%d ", n, i);
        runtime::Gosched();
      }
      done++;
    }, name);
  while (done < 3) runtime::Gosched();
  printf("\n");
  return 0;
}

// gort-only (proc.go: newm, templateThread): a locked thread whose CPU
// affinity was narrowed starts a new M; the new thread must not inherit
// that affinity, as Go creates it from the template thread. Prints the
// new M's CPU count beside the process's: equal when nothing leaked.
TESTPROG_SCENARIO(LockedThreadNewmAffinity) {
  cpu_set_t all;
  if (sched_getaffinity(0, sizeof all, &all) != 0 || CPU_COUNT(&all) < 2) {
    printf("SKIP: needs two CPUs\n");
    return 0;
  }
  runtime::LockOSThread();  // starts the template thread, from a good state
  cpu_set_t one;
  CPU_ZERO(&one);
  for (int c = 0; c < CPU_SETSIZE; c++)
    if (CPU_ISSET(c, &all)) {
      CPU_SET(c, &one);
      break;
    }
  if (sched_setaffinity(0, sizeof one, &one) != 0) {
    printf("sched_setaffinity failed\n");
    return 1;
  }
  // GOMAXPROCS=2 and no idle M: the go statement's wakep makes a new M,
  // asked for by this locked thread. main then blocks; the locked m0
  // can't run the goroutine, so the new M does.
  chan<int> cpus(0);
  go([cpus] {
    cpu_set_t mine;
    sched_getaffinity(0, sizeof mine, &mine);
    cpus.send(CPU_COUNT(&mine));
  });
  int got = cpus.recv();
  printf("new M: %d CPUs, process: %d\n", got, CPU_COUNT(&all));
  return 0;
}

// gort-only: an order test (tests/order_test.cpp) mixing go statements,
// an unbuffered and a buffered channel, sync.Mutex, Gosched and Sleep.
// The expected line was printed by Go 1.19.8 running the same program
// with GOMAXPROCS=1 (the program is in tests/testdata/mixed_order.go).
// The two sleeps run while every other goroutine is blocked or done, and
// the longer one starts after the shorter, so the order follows from
// their deadlines, not from how fast the work between them runs.
TESTPROG_SCENARIO(MixedOrder) {
  runtime::NoPreempt np;  // see goInOrder
  // Ten Goscheds first, as the Go program does: they keep the scenario's
  // 61-tick global-queue checks where they were written for (both
  // runtimes' main now starts at the same schedtick, 5; chapter 17).
  for (int i = 0; i < 10; i++) runtime::Gosched();
  gort::sync::Mutex mu;
  gort::sync::WaitGroup wg;
  chan<int> c(0);  // unbuffered
  chan<int> b(2);  // buffered
  chan<int> start(0), zdone(0);
  auto out = [](const char* s, int i) { printf("%s%d ", s, i); };
  wg.Add(4);
  mu.Lock();
  goInOrder([&] {
    for (int i = 0; i < 3; i++) {
      int v = c.recv();
      out("r", v);
    }
    wg.Done();
  });
  goInOrder([&] {
    for (int i = 0; i < 3; i++) {
      out("s", i);
      c.send(i);
    }
    wg.Done();
  });
  goInOrder([&] {
    mu.Lock();
    out("m", 0);
    mu.Unlock();
    runtime::Gosched();
    mu.Lock();
    out("m", 1);
    mu.Unlock();
    wg.Done();
  });
  goInOrder([&] {
    for (int i = 0; i < 3; i++) {
      b.send(i);
      out("b", i);
    }
    b.close();
    wg.Done();
  });
  goInOrder([&] {
    start.recv();
    gort::time::Sleep(std::chrono::milliseconds(100));
    out("z", 1);
    zdone.close();
  });
  runtime::Gosched();
  out("main", 0);
  mu.Unlock();
  for (int v : b) out("x", v);
  wg.Wait();
  // Nothing else is runnable. close readies the sleeper (runnext), which
  // runs once main parks in Sleep: its 100 ms starts after main's 20 ms.
  start.close();
  gort::time::Sleep(std::chrono::milliseconds(20));
  out("main", 1);
  zdone.recv();
  printf("\n");
  return 0;
}

// gort-only: one of each event the execution trace records (trace.cpp),
// each brought about for certain, not by luck; run with GORT_TRACE.
// tests/trace_test.cpp checks the file.
TESTPROG_SCENARIO(Trace) {
  runtime::GOMAXPROCS(1);

  // create, park and ready: a ping-pong over unbuffered channels.
  chan<int> ping, pong;
  go([=]() mutable {
    for (int v : ping) pong.send(v + 1);
    pong.close();
  });
  for (int i = 0; i < 3; i++) {
    ping.send(i);
    pong.recv();
  }
  ping.close();
  pong.recv2();

  // Gosched: three goroutines take turns.
  std::atomic<int> done{0};
  for (int i = 0; i < 3; i++)
    go([&done] {
      for (int k = 0; k < 3; k++) runtime::Gosched();
      done++;
    });
  while (done.load() < 3) runtime::Gosched();

  // preempt: a goroutine that never blocks gives the only P back to main
  // only when sysmon preempts it (by signal on amd64; on arm64 at a
  // channel operation, a runtime entry point that never blocks here).
  std::atomic<bool> started{false}, stop{false};
  go([&] {
    chan<int> one(1);
    started = true;
    while (!stop.load()) {
      one.send(1);
      one.recv();
    }
  });
  while (!started.load()) runtime::Gosched();
  stop = true;

  // steal: with one P, main queues 64 goroutines, then makes a second P
  // and keeps the first, without yielding, until one has started: only
  // the new P's M can have run it, and only by stealing.
  {
    std::optional<runtime::NoPreempt> np(std::in_place);
    std::atomic<int> ran{0};
    for (int i = 0; i < 64; i++) go([&ran] { ran++; });
    runtime::GOMAXPROCS(2);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (ran.load() == 0 && std::chrono::steady_clock::now() < deadline) {
    }
    np.reset();
    while (ran.load() < 64) runtime::Gosched();
  }

  // syscall, hand-off: with one P, a goroutine blocks in read() on an
  // empty pipe; main, waiting in the global queue, runs again only once
  // sysmon has taken the P from the system call and handed it on.
  runtime::GOMAXPROCS(1);
  int fds[2];
  if (pipe(fds) != 0) return 1;
  std::atomic<bool> entering{false}, readerDone{false};
  go([&] {
    char c;
    ssize_t n;
    {
      // Not preempted between telling main and blocking: main must not
      // write before the read blocks.
      runtime::NoPreempt np;
      entering = true;
      runtime::SyscallGuard sys;
      n = read(fds[0], &c, 1);
    }
    if (n != 1) abort();
    readerDone = true;
  });
  while (!entering.load()) runtime::Gosched();
  char c = 'x';
  if (write(fds[1], &c, 1) != 1) return 1;
  while (!readerDone.load()) runtime::Gosched();
  while (runtime::NumGoroutine() > 1) runtime::Gosched();
  printf("OK\n");
  return 0;
}

// gort-only: an uncaught send on a closed channel, in a goroutine.
TESTPROG_SCENARIO(ChanSendClosed) {
  chan<int> c(1);
  c.close();
  go([c] { c.send(1); });
  gort::select();  // select {}
  return 0;
}

// gort-only: an uncaught close of a closed channel, in main.
TESTPROG_SCENARIO(ChanCloseClosed) {
  chan<int> c;
  c.close();
  c.close();
  return 0;
}

// gort-only: an uncaught close of a nil channel, in main.
TESTPROG_SCENARIO(ChanCloseNil) {
  chan<int>::nil().close();
  return 0;
}

// gort-only: main receives from a channel nobody will send on (Go:
// `<-make(chan int)` in main), after a goroutine that used it has ended.
TESTPROG_SCENARIO(ChanRecvDeadlock) {
  chan<int> c;
  go([c] { (void)c.len(); });
  (void)c.recv();
  return 0;
}

// gort-only: main sends on a nil channel: blocks forever.
TESTPROG_SCENARIO(ChanNilSendDeadlock) {
  chan<int>::nil().send(1);
  return 0;
}

// gort-only: run order under GOMAXPROCS=1 with go statements, an
// unbuffered channel and Gosched. The expected output is what Go 1.19.8
// prints for the same program (deterministic over 20 runs):
//
//	func main() {
//		runtime.GOMAXPROCS(1)
//		var out strings.Builder
//		c := make(chan int)
//		done := make(chan bool)
//		for i := 0; i < 3; i++ {
//			go func(i int) {
//				for j := 0; j < 2; j++ {
//					v := <-c
//					fmt.Fprintf(&out, "r%d=%d ", i, v)
//				}
//				done <- true
//			}(i)
//		}
//		go func() {
//			for k := 0; k < 6; k++ {
//				fmt.Fprintf(&out, "s%d ", k)
//				c <- k
//				if k%3 == 1 {
//					runtime.Gosched()
//				}
//			}
//		}()
//		for i := 0; i < 3; i++ {
//			<-done
//			fmt.Fprintf(&out, "d ")
//		}
//		fmt.Println(out.String())
//	}
//
// Output is collected in a string and printed at the end, so no write
// system call can hand the P off halfway.
TESTPROG_SCENARIO(ChanOrder) {
  runtime::NoPreempt np;  // see goInOrder
  static std::string out;
  // Under a lock: tools/gotrace runs the order scenarios at every P, where
  // a sender and a receiver append at once (unlocked, that corrupted the
  // heap: "malloc(): corrupted top size", then a hang). A std::mutex, not
  // a sync::Mutex, so that at P=1, where it is never contended, the lock
  // takes no scheduler step the order could depend on.
  static std::mutex outMu;
  auto add = [](const char* fmt, int a, int b = 0) {
    char buf[32];
    snprintf(buf, sizeof buf, fmt, a, b);
    std::lock_guard<std::mutex> lk(outMu);
    out += buf;
  };
  chan<int> c;
  chan<bool> done;
  for (int i = 0; i < 3; i++)
    goInOrder([=](int i) {
      for (int j = 0; j < 2; j++) {
        int v = c.recv();
        add("r%d=%d ", i, v);
      }
      done.send(true);
    }, i);
  goInOrder([=] {
    for (int k = 0; k < 6; k++) {
      add("s%d ", k);
      c.send(k);
      if (k % 3 == 1) runtime::Gosched();
    }
  });
  for (int i = 0; i < 3; i++) {
    (void)done.recv();
    std::lock_guard<std::mutex> lk(outMu);
    out += "d ";
  }
  printf("%s\n", out.c_str());
  return 0;
}

// --- stack.cpp --------------------------------------------------------------

// Recurses until the stack runs out; stopDepth (never reached) keeps the
// compiler from proving the recursion endless.
volatile int stopDepth = -1;
// Set if a scenario's goroutine survives what should have killed it.
volatile bool stackScenarioDone = false;
__attribute__((noinline)) int recurse(int depth) {
  volatile char frame[512];
  frame[0] = char(depth);
  if (depth == stopDepth) return 0;
  return recurse(depth + 1) + frame[0];
}

// The overflowing goroutine's stack, for the SIGSEGV handler below.
volatile uintptr_t overflowStackLo = 0;
uintptr_t overflowPageSize = 0;

// Says whether the fault hit the guard page (the page right below the
// stack), then dies of SIGSEGV after all. Runs on an alternate signal stack.
extern "C" int __sigaction(int, const struct sigaction*, struct sigaction*);  // glibc's own
void overflowSigsegv(int, siginfo_t* info, void*) {
  uintptr_t addr = uintptr_t(info->si_addr);
  uintptr_t lo = overflowStackLo;
  const char* msg = addr < lo && addr >= lo - overflowPageSize ? "fault in guard page\n" : "fault elsewhere\n";
  ssize_t r = write(2, msg, strlen(msg));
  (void)r;
  struct sigaction dfl{};
  dfl.sa_handler = SIG_DFL;
  __sigaction(SIGSEGV, &dfl, nullptr);
  raise(SIGSEGV);
}

// A goroutine recursing without end runs into the guard page below its
// stack and dies of SIGSEGV. It prints its stack's guard kind first, and
// where the fault hit last.
// gort: the scenario installs its own SIGSEGV handler with libc's
// __sigaction (not the sigaction gort interposes, which would keep gort's
// handler and its overflow report), so it tests the guard alone.
int stackOverflowGuard() {
  go([] {
    runtime::g* gp = runtime::getg();
    printf("guard=%s\n", runtime::stackGuardString(runtime::stackGuardOf(gp->stack)));
    fflush(stdout);
    overflowPageSize = uintptr_t(sysconf(_SC_PAGESIZE));
    overflowStackLo = gp->stack.lo;
    // This thread's alternate signal stack; the goroutine stays on this
    // thread from here on.
    runtime::LockOSThread();
    static char altstack[64 << 10];
    stack_t ss{};
    ss.ss_sp = altstack;
    ss.ss_size = sizeof altstack;
    sigaltstack(&ss, nullptr);
    struct sigaction sa{};
    sa.sa_sigaction = overflowSigsegv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    __sigaction(SIGSEGV, &sa, nullptr);
    recurse(0);
    printf("recursion ended\n");
    stackScenarioDone = true;
  });
  while (!stackScenarioDone) runtime::Gosched();
  return 1;
}

// Overflow with the guard kind this kernel gives.
TESTPROG_SCENARIO(StackOverflowGuard) { return stackOverflowGuard(); }

// Overflow where MADV_GUARD_INSTALL is refused (Linux < 6.13): the stacks
// get mprotect guards instead.
TESTPROG_SCENARIO(StackOverflowGuardMprotect) {
  runtime::stackSetGuardModeForTest(runtime::stackGuardMadvise, true, -1);
  return stackOverflowGuard();
}

// On a stack without a guard page (none could be made), an overflow
// leaves a broken canary, and the next switch onto the goroutine reports
// it in Go's words (exit status 2). (Guarded stacks carry no canary.)
TESTPROG_SCENARIO(StackCanaryClobber) {
  runtime::stackSetGuardModeForTest(runtime::stackGuardNone, false, -1);
  go([] {
    runtime::g* gp = runtime::getg();
    *reinterpret_cast<volatile uint64_t*>(gp->stack.lo) = 0;
    runtime::Gosched();  // execute checks the canary on the way back
    printf("canary not checked\n");
    stackScenarioDone = true;
  });
  while (!stackScenarioDone) runtime::Gosched();
  return 1;
}

// mutex_test.go: misuseTests (TestMutexMisuse runs each by name). Each
// must die with a fatal error about an unlocked lock; recovering (catch)
// must not help, as in Go, where the child prints "test completed" only
// if the misuse went unnoticed.
const std::pair<const char*, void (*)()> misuseTests[] = {
    {"Mutex.Unlock", [] {
       sync::Mutex mu;
       mu.Unlock();
     }},
    {"Mutex.Unlock2", [] {
       sync::Mutex mu;
       mu.Lock();
       mu.Unlock();
       mu.Unlock();
     }},
    {"RWMutex.Unlock", [] {
       sync::RWMutex mu;
       mu.Unlock();
     }},
    {"RWMutex.Unlock2", [] {
       sync::RWMutex mu;
       mu.RLock();
       mu.Unlock();
     }},
    {"RWMutex.Unlock3", [] {
       sync::RWMutex mu;
       mu.Lock();
       mu.Unlock();
       mu.Unlock();
     }},
    {"RWMutex.RUnlock", [] {
       sync::RWMutex mu;
       mu.RUnlock();
     }},
    {"RWMutex.RUnlock2", [] {
       sync::RWMutex mu;
       mu.Lock();
       mu.RUnlock();
     }},
    {"RWMutex.RUnlock3", [] {
       sync::RWMutex mu;
       mu.RLock();
       mu.RUnlock();
       mu.RUnlock();
     }},
};
struct registerMisuseTests {
  registerMisuseTests() {
    for (auto [name, f] : misuseTests)
      scenarios()[name] = [f = f] {
        try {
          f();
        } catch (...) {
        }
        printf("test completed\n");
        return 0;
      };
  }
} registerMisuse;

// gort-only: a negative WaitGroup counter nobody catches is an ordinary
// unrecovered panic: "panic: sync: negative WaitGroup counter", exit 2.
TESTPROG_SCENARIO(WaitGroupNegative) {
  sync::WaitGroup wg;
  wg.Done();
  return 0;
}

// --- traceback.cpp, panic.cpp, signal_unix.cpp ------------------------------

// stack_test.go / testprog/stack.go: StackOverflow. A goroutine recursing
// with 64 KiB frames under SetMaxStack(1474560) runs into its guard page
// (testprog is built with -fstack-clash-protection, so a big frame probes
// each page it allocates, as Go's prologue checks each frame).
// gort: in a new goroutine: SetMaxStack sizes the stacks made after it.
__attribute__((noinline)) int stackOverflowRecurse(int depth) {
  volatile char buf[64 << 10];
  buf[0] = char(depth);
  if (depth == stopDepth) return 0;
  return stackOverflowRecurse(depth + 1) + buf[0];
}
TESTPROG_SCENARIO(StackOverflow) {
  runtime::SetMaxStack(1474560);
  go([] { stackOverflowRecurse(0); });
  gort::select();  // select {}
  return 0;
}

// gort-only: a goroutine dereferences nil: Go's "invalid memory address or
// nil pointer dereference" panic (fatal in gort: a signal handler can't
// throw into the faulting code).
__attribute__((noinline)) int nilDeref(volatile int* p) { return *p; }
TESTPROG_SCENARIO(NilDeref) {
  chan<int> done(0);
  go([done] {
    nilDeref(nullptr);
    done.close();
  });
  (void)done.recv();
  return 0;
}

// gort-only: an uncaught exception in an AfterFunc's function, dropped
// handle and all (Go's time.AfterFunc(d, f) fire-and-forget): the panic
// names the goroutine goFunc started, created by no goroutine.
TESTPROG_SCENARIO(AfterFuncPanic) {
  time::AfterFunc(std::chrono::milliseconds(1), [] { throw std::runtime_error("in AfterFunc"); });
  chan<int> never;
  never.recv();  // a deadlock, were the dropped timer stopped
  return 1;
}

// gort-only: an uncaught runtime::Error panics with Go's text ("send on
// closed channel") from the goroutine that sent, named in its traceback.
__attribute__((noinline)) void sendOnClosed(chan<int> c) { c.send(1); }
TESTPROG_SCENARIO(SendOnClosed) {
  chan<int> c(1);
  c.close();
  chan<int> done(0);
  go([c, done] {
    sendOnClosed(c);
    done.close();
  });
  (void)done.recv();
  return 0;
}

// gort-only: a goroutine panics while another waits in a chan receive
// inside a named function: GOTRACEBACK=all shows both, single only the
// panicking one.
__attribute__((noinline)) void tracebackBlocker(chan<int> c) { (void)c.recv(); }
__attribute__((noinline)) void tracebackPanicker() { throw std::runtime_error("boom"); }
TESTPROG_SCENARIO(PanicWithParked) {
  chan<int> c(0);
  chan<int> started(0);
  go([c, started] {
    started.close();
    tracebackBlocker(c);
  });
  (void)started.recv();
  // Wait until the blocker has parked in its receive.
  for (;;) {
    runtime::g* found = nullptr;
    for (runtime::g* gp = runtime::allgs.load(); gp != nullptr; gp = gp->alllink)
      if (runtime::readgstatus(gp) == runtime::_Gwaiting && gp->waitreason == runtime::waitReasonChanReceive)
        found = gp;
    if (found != nullptr) break;
    runtime::Gosched();
  }
  tracebackPanicker();
  return 0;
}

// crash_unix_test.go: TestCrashDumpsAllThreads (testprog/crash_unix.go).
// Four goroutines spin on their own Ms; once all run, "ready" tells the
// test to send SIGQUIT (with GOTRACEBACK=crash every M dumps its own).
__attribute__((noinline)) void crashDumpsAllThreadsLoop(std::atomic<int>* started) {
  started->fetch_add(1);
  for (;;) asm volatile("" ::: "memory");
}
TESTPROG_SCENARIO(CrashDumpsAllThreads) {
  static std::atomic<int> started{0};
  for (int i = 0; i < 4; i++) go([] { crashDumpsAllThreadsLoop(&started); });
  while (started.load() < 4) runtime::Gosched();
  printf("ready\n");
  fflush(stdout);
  gort::select();  // select {}
  return 0;
}

// --- gdb scenarios (tests/gdb, tools/gdb/runtime-gdb.py) --------------------
// gort-only: each scenario brings goroutines into the state a gdb test
// inspects, then calls gort_gdb_breakpoint, on which the test's gdb stops
// (no sleeps: the state is reached before the call). Run without gdb, the
// scenario releases everything and exits 0.

// Outside the anonymous namespace, so gdb finds them by these names.
}  // namespace
extern "C" {
// The goids of one goroutine parked in gdbChanReceiver, of the spinner and
// of the goroutine not started, for `goroutine gort_gdb_receiver_goid bt`.
volatile int64_t gort_gdb_receiver_goid;
volatile int64_t gort_gdb_spinner_goid;
volatile int64_t gort_gdb_notstarted_goid;
// Written by the goroutines, so their work is not optimized away.
volatile int gort_gdb_sink;
// A buffered channel holding two values, for the chan<T> printer.
gort::chan<int>* gort_gdb_buffered;
// The tests break here once the scenario is in place.
__attribute__((noinline, used)) void gort_gdb_breakpoint() { asm volatile("" ::: "memory"); }
}
namespace {

// A named function that blocks in a channel receive (TestGdbPython's
// blocked goroutines: `goroutine N bt` must name it).
__attribute__((noinline)) void gdbChanReceiver(gort::chan<int> c, std::atomic<runtime::g*>* self) {
  *self = runtime::getg();
  gort_gdb_sink = gort_gdb_sink + c.recv();
}

// A named function that spins, running on its own P, until told to stop.
// It sends its goid on started first. NoPreempt keeps sysmon from
// preempting it while gdb looks, so it is always seen running. (The
// builtin load, not std::atomic's: no inlined frames under gdbSpinner in
// the backtrace, wherever the loop is stopped.)
__attribute__((noinline)) void gdbSpinner(gort::chan<int64_t> started, bool* stop) {
  started.send(runtime::getg()->goid);
  runtime::NoPreempt np;
  while (!__atomic_load_n(stop, __ATOMIC_RELAXED)) {
  }
}

// A goroutine that has not started when gdb looks.
__attribute__((noinline)) void gdbNotStarted() { gort_gdb_sink = gort_gdb_sink + 1; }

// gort-only: GdbChanRecv: three goroutines parked in gdbChanReceiver on
// an unbuffered channel, one spinning in gdbSpinner (GOMAXPROCS 2, so it
// has a P of its own), and main (goroutine 1) running.
TESTPROG_SCENARIO(GdbChanRecv) {
  runtime::GOMAXPROCS(2);
  gort::chan<int> c;
  constexpr int nrecv = 3;
  static std::atomic<runtime::g*> recvg[nrecv];
  for (auto& gp : recvg) go(gdbChanReceiver, c, &gp);
  for (auto& gp : recvg) {
    for (;;) {
      runtime::g* g = gp.load();
      if (g != nullptr && runtime::readgstatus(g) == runtime::_Gwaiting &&
          g->waitreason == runtime::waitReasonChanReceive)
        break;
      runtime::Gosched();
    }
  }
  gort_gdb_receiver_goid = recvg[0].load()->goid;
  // Started last, and waited for by blocking, not by yielding: it never
  // gives its P back, so a main that yielded onto the global queue might
  // never run again (nothing wakes an idle P for it). Its send readies
  // main (runnext + wakep), and the woken M steals main to the other P.
  static bool stop = false;
  gort::chan<int64_t> started;
  go(gdbSpinner, started, &stop);
  gort_gdb_spinner_goid = started.recv();
  gort::chan<int> buffered(4);
  buffered.send(7);
  buffered.send(8);
  gort_gdb_buffered = &buffered;
  {
    // Both Ps are busy (main here, the spinner there), so this one stays
    // runnable, never started, in main's runnext until main blocks (or is
    // preempted, which NoPreempt rules out until the breakpoint).
    runtime::NoPreempt np;
    go(gdbNotStarted);
    gort_gdb_notstarted_goid = runtime::getg()->m->p->runnext.load()->goid;
    gort_gdb_breakpoint();
  }
  __atomic_store_n(&stop, true, __ATOMIC_RELAXED);
  for (int i = 0; i < nrecv; i++) c.send(i);
  printf("released\n");
  return 0;
}

// gort-only (time.cpp): checkdead reports no deadlock while main sleeps
// (its timer is pending), and reports one once main blocks with no timer
// left.
TESTPROG_SCENARIO(SleepThenDeadlock) {
  go([] { gort::select(); });
  gort::time::Sleep(std::chrono::milliseconds(10));
  printf("slept\n");
  fflush(stdout);
  gort::select();  // select {}
  return 0;
}

// gort-only (time.cpp): every other goroutine blocks forever while main
// sleeps; the program ends normally when main wakes.
TESTPROG_SCENARIO(SleepWhileOthersBlock) {
  for (int i = 0; i < 3; i++) go([] { gort::select(); });
  gort::time::Sleep(std::chrono::milliseconds(20));
  printf("woke\n");
  return 0;
}

// main.go: main
int gomain(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: testprog SCENARIO; scenarios:");
    for (auto& [name, f] : scenarios()) fprintf(stderr, " %s", name.c_str());
    fprintf(stderr, "\n");
    return 2;
  }
  if (scenarios().count(argv[1]) == 0) {
    // Go's words (TestBigGOMAXPROCS looks for them); gort: exit 2, not 0.
    fprintf(stderr, "unknown function: %s\n", argv[1]);
    return 2;
  }
  return scenarios()[argv[1]]();
}
}  // namespace

int main(int argc, char** argv) { rt0_go(argc, argv, gomain); }

// gort-only: ASan's options for testprog. Its scenarios often exit (or
// crash) while goroutines still run: no leak check (the LeakSanitizer
// scenario turns it on). A failed allocation returns null, as the
// out-of-memory scenarios need for the runtime to report it in Go's
// words, and faults are gort's to report, not ASan's.
extern "C" const char* __asan_default_options() { return "detect_leaks=0:allocator_may_return_null=1:handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:handle_abort=0"; }
// gort-only: the same for TSan (its reports still fail the scenario).
extern "C" const char* __tsan_default_options() { return "allocator_may_return_null=1:handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:handle_abort=0"; }
