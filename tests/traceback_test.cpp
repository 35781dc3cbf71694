// traceback_test.cpp — tests of runtime/traceback.cpp and the crash paths
// that print tracebacks (panic.cpp, signal_unix.cpp): Go 1.19's format.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "export_test.h"
#include "runtime/go.h"
#include "runtime/proc.h"
#include "testprog_run.h"

using namespace gort;
namespace rt = gort::runtime;

namespace {

// Splits a traceback into its goroutine sections (each starting at a
// "goroutine N [...]:" header line).
std::vector<std::string> goroutineSections(const std::string& s) {
  std::vector<std::string> out;
  std::regex header("^goroutine \\d+ \\[[^\\]]*\\]:$");
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) {
    if (std::regex_match(line, header)) out.emplace_back();
    if (!out.empty()) out.back() += line + "\n";
  }
  return out;
}

__attribute__((noinline)) void parkInChanRecv(chan<int> c, std::atomic<rt::g*>* self) {
  self->store(rt::getg());
  (void)c.recv();
}

__attribute__((noinline)) std::string stackFromNamedFunction() {
  std::string s = rt::Stack(false);
  asm volatile("" ::: "memory");  // not a tail call: this frame stays
  return s;
}

// Runs f with fd 2 sent into a pipe; returns what f wrote there.
template <class F>
std::string captureStderr(F f) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  int saved = dup(2);
  dup2(fds[1], 2);
  f();
  dup2(saved, 2);
  close(saved);
  close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, size_t(n));
  close(fds[0]);
  return out;
}

// Runs f with fd 2 on a SOCK_SEQPACKET socket and returns what each
// write(2) wrote, one string per call: the boundaries a pipe would blur.
// A thread drains the socket while f writes, so f may write a lot.
template <class F>
std::vector<std::string> captureStderrWrites(F f) {
  int sv[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
  std::vector<std::string> writes;
  std::thread reader([&] {
    std::vector<char> buf(1 << 16);
    for (ssize_t n; (n = recv(sv[0], buf.data(), buf.size(), 0)) > 0;) writes.emplace_back(buf.data(), size_t(n));
  });
  int saved = dup(2);
  dup2(sv[1], 2);
  f();
  dup2(saved, 2);
  close(saved);
  shutdown(sv[1], SHUT_WR);
  close(sv[1]);
  reader.join();
  close(sv[0]);
  return writes;
}

}  // namespace

TEST_CASE("Stack(false) prints the calling goroutine from its caller, in Go's format", "[traceback]") {
  std::string s = stackFromNamedFunction();
  INFO(s);
  std::string header = "goroutine " + std::to_string(rt::getg()->goid) + " [running]:\n";
  REQUIRE(s.rfind(header, 0) == 0);
  // The first frame is the caller of Stack, then its file:line +0xoff.
  std::regex first("^goroutine \\d+ \\[running\\]:\n[^\n]*stackFromNamedFunction\\(\\)\n\t[^\n]+:\\d+ \\+0x[0-9a-f]+\n");
  REQUIRE(std::regex_search(s, first));
  REQUIRE(goroutineSections(s).size() == 1);
  REQUIRE(s.find("gort::runtime::Stack") == std::string::npos);
}

TEST_CASE("a parked goroutine's traceback names the function it parked in and its creator", "[traceback]") {
  chan<int> c(0);
  std::atomic<rt::g*> gp{nullptr};
  chan<int> done(0);
  go([c, done, &gp] {
    parkInChanRecv(c, &gp);
    done.close();
  });
  REQUIRE(export_test::WaitParked(gp, rt::waitReasonChanReceive, [] { return false; }));
  std::string s = rt::Stack(true);
  INFO(s);
  std::string header = "goroutine " + std::to_string(gp.load()->goid) + " [chan receive]:\n";
  std::string section;
  for (const auto& sec : goroutineSections(s))
    if (sec.rfind(header, 0) == 0) section = sec;
  REQUIRE(!section.empty());
  // The user's function is the first frame shown (the runtime's frames
  // above it, gopark and chanrecv, are hidden), then its file:line.
  std::regex first("^goroutine \\d+ \\[chan receive\\]:\n[^\n]*parkInChanRecv\\(gort::chan<int>, [^\n]*\n\t[^\n]*traceback_test\\.cpp:\\d+ \\+0x[0-9a-f]+\n");
  REQUIRE(std::regex_search(section, first));
  std::string createdBy = "in goroutine " + std::to_string(rt::getg()->goid) + "\n";
  REQUIRE(section.find("created by ") != std::string::npos);
  REQUIRE(section.find(createdBy) != std::string::npos);
  REQUIRE(section.find("traceback_test.cpp:") != section.rfind("traceback_test.cpp:"));
  c.send(1);
  (void)done.recv();
}

TEST_CASE("an uncaught exception in a goroutine prints panic, a blank line, its goroutine and exits 2",
          "[traceback]") {
  auto r = testprog::run("SendOnClosed");
  INFO(r.output);
  REQUIRE(std::regex_search(r.output, std::regex("^panic: send on closed channel\n\ngoroutine \\d+ \\[running\\]:\n")));
  REQUIRE(r.output.find("sendOnClosed(gort::chan<int>)\n\t") != std::string::npos);
  // The goroutine's lambda is named by its type, inlined or not (Go:
  // "main.SendOnClosed.func1(...)"), never a bare "operator()".
  REQUIRE(r.output.find("\n(anonymous namespace)::SendOnClosed()::{lambda()#1}::operator()(") != std::string::npos);
  REQUIRE(r.output.find("\noperator()(") == std::string::npos);
  REQUIRE(r.output.find("created by (anonymous namespace)::SendOnClosed() in goroutine 1\n") != std::string::npos);
  REQUIRE(r.exitStatus == 2);
}

TEST_CASE("a panic in an AfterFunc's function ends the program; its goroutine was created by goFunc, in no goroutine",
          "[traceback][time]") {
  // Go 1.19: "created by time.goFunc"; Go 1.21 adds " in goroutine N" only
  // for a goroutine made by a goroutine.
  auto r = testprog::run("AfterFuncPanic");
  INFO(r.output);
  REQUIRE(std::regex_search(r.output, std::regex("^panic: in AfterFunc\n\ngoroutine \\d+ \\[running\\]:\n")));
  REQUIRE(r.output.find("created by gort::time::goFunc(void*, unsigned long)\n\t") != std::string::npos);
  REQUIRE(r.exitStatus == 2);
}

TEST_CASE("a goroutine on a 16 KiB stack walks its stack and dies of a panic in Go's words", "[traceback][stack]") {
  // The walk and the symbols need more than 16 KiB: they run on g0's stack.
  auto r = testprog::run("SmallStackTraceback");
  INFO(r.output);
  REQUIRE(r.output.rfind("Stack names this goroutine: yes, CallersFrames names it: yes\n", 0) == 0);
  REQUIRE(std::regex_search(r.output, std::regex("\npanic: send on closed channel\n\ngoroutine \\d+ \\[running\\]:\n")));
  REQUIRE(r.output.find("smallStackPanics(gort::chan<int>)\n\t") != std::string::npos);
  REQUIRE(r.output.find("stack overflow") == std::string::npos);
  REQUIRE(r.exitStatus == 2);
}

TEST_CASE("a nil dereference in a goroutine is Go's nil pointer panic", "[traceback]") {
  auto r = testprog::run("NilDeref");
  INFO(r.output);
  REQUIRE(r.output.rfind("panic: runtime error: invalid memory address or nil pointer dereference\n"
                         "[signal SIGSEGV: segmentation violation code=0x",
                         0) == 0);
  REQUIRE(r.output.find("addr=0x0 pc=0x") != std::string::npos);
  REQUIRE(std::regex_search(r.output, std::regex("\n\ngoroutine \\d+ \\[running\\]:\n[^\n]*nilDeref\\(")));
  REQUIRE(r.exitStatus == 2);
}

TEST_CASE("GOTRACEBACK chooses which goroutines and frames a panic prints", "[traceback]") {
  SECTION("none: no goroutines") {
    auto r = testprog::run("PanicWithParked", {"GOTRACEBACK=none"});
    INFO(r.output);
    REQUIRE(r.output == "panic: boom\n");
    REQUIRE(r.exitStatus == 2);
  }
  SECTION("single (the default): only the panicking goroutine, without runtime frames") {
    auto r = testprog::run("PanicWithParked");
    INFO(r.output);
    REQUIRE(r.output.rfind("panic: boom\n\ngoroutine 1 [running]:\n", 0) == 0);
    REQUIRE(goroutineSections(r.output).size() == 1);
    REQUIRE(r.output.find("tracebackPanicker()\n") != std::string::npos);
    REQUIRE(r.output.find("goexit") == std::string::npos);
    REQUIRE(r.output.find("gort::runtime::") == std::string::npos);
    REQUIRE(r.exitStatus == 2);
  }
  SECTION("all: every goroutine, the parked one in its function") {
    auto r = testprog::run("PanicWithParked", {"GOTRACEBACK=all"});
    INFO(r.output);
    auto sections = goroutineSections(r.output);
    REQUIRE(sections.size() == 2);
    REQUIRE(std::regex_search(sections[1], std::regex("^goroutine \\d+ \\[chan receive\\]:\n[^\n]*tracebackBlocker\\(")));
    REQUIRE(r.exitStatus == 2);
  }
  SECTION("system: runtime frames too, down to goexit, with fp sp pc") {
    auto r = testprog::run("PanicWithParked", {"GOTRACEBACK=system"});
    INFO(r.output);
    REQUIRE(goroutineSections(r.output).size() == 2);
    REQUIRE(r.output.find("goexit()\n") != std::string::npos);
    REQUIRE(r.output.find("gort::runtime::gopark(") != std::string::npos);
    REQUIRE(std::regex_search(r.output, std::regex(" fp=0x[0-9a-f]+ sp=0x[0-9a-f]+ pc=0x[0-9a-f]+\n")));
    REQUIRE(r.exitStatus == 2);
  }
  SECTION("neither a setting nor a number (Go's atoi: no sign but '-', no space): level 0, and a line saying so") {
    for (const char* v : {"GOTRACEBACK=verbose", "GOTRACEBACK=+2", "GOTRACEBACK=-1"}) {
      auto r = testprog::run("PanicWithParked", {v});
      INFO(v << "\n" << r.output);
      REQUIRE(r.output == std::string("runtime: ") + v +
                              ": not a setting or a number, so level 0 (Go's rule): no tracebacks\npanic: boom\n");
      REQUIRE(r.exitStatus == 2);
    }
  }
  SECTION("a number is the level, with every goroutine: 2 is system's") {
    auto r = testprog::run("PanicWithParked", {"GOTRACEBACK=2"});
    INFO(r.output);
    REQUIRE(goroutineSections(r.output).size() == 2);
    REQUIRE(r.output.find("goexit()\n") != std::string::npos);
    REQUIRE(r.exitStatus == 2);
  }
  SECTION("crash: as all, then abort") {
    auto r = testprog::runAndSignal("PanicWithParked", {"GOTRACEBACK=crash"}, "never", 0);
    INFO(r.output);
    REQUIRE(goroutineSections(r.output).size() == 2);
    REQUIRE(r.exitStatus != 0);
  }
}

TEST_CASE("a fatal error prints every goroutine after its message", "[traceback]") {
  auto r = testprog::run("LockedDeadlock2");
  INFO(r.output);
  REQUIRE(r.output.rfind("fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [select (no cases)]:\n", 0) ==
          0);
  REQUIRE(r.output.find("\ngoroutine 2 [select (no cases), locked to thread]:\n") != std::string::npos);
  REQUIRE(r.exitStatus == 2);
}

TEST_CASE("schedtrace prints Go 1.19's SCHED line with one run queue length per P", "[traceback][proc]") {
  std::string out = captureStderr([] { rt::schedtrace(false); });
  INFO(out);
  std::smatch m;
  REQUIRE(std::regex_match(out, m,
                           std::regex("SCHED \\d+ms: gomaxprocs=(\\d+) idleprocs=\\d+ threads=\\d+ spinningthreads=\\d+ "
                                      "idlethreads=\\d+ runqueue=\\d+ \\[((\\d+ )*\\d+)\\]\n")));
  int procs = std::stoi(m[1]);
  REQUIRE(procs == rt::GOMAXPROCS(0));
  std::string lens = m[2];
  REQUIRE(int(std::count(lens.begin(), lens.end(), ' ')) + 1 == procs);
}

TEST_CASE("schedtrace writes each line with one write, so no other thread's output lands inside a line",
          "[traceback][proc]") {
  // Go's print holds printlock per statement; a SCHED line written in
  // pieces came out cut by a "fatal error:" line from another thread.
  for (bool detailed : {false, true}) {
    INFO("detailed=" << detailed);
    auto writes = captureStderrWrites([detailed] { rt::schedtrace(detailed); });
    REQUIRE(!writes.empty());
    REQUIRE(writes[0].rfind("SCHED ", 0) == 0);
    if (!detailed) REQUIRE(writes.size() == 1);
    for (const std::string& w : writes) {
      INFO(w);
      REQUIRE(w.back() == '\n');
      REQUIRE(std::count(w.begin(), w.end(), '\n') == 1);
    }
  }
}

TEST_CASE("scheddetail prints Go 1.19's P, M and G lines, also at a fatal error", "[traceback][proc]") {
  auto r = testprog::run("SimpleDeadlock", {"GODEBUG=schedtrace=100000,scheddetail=1", "GOMAXPROCS=2"});
  INFO(r.output);
  REQUIRE(r.exitStatus == 2);
  std::regex sched(
      "SCHED \\d+ms: gomaxprocs=2 idleprocs=\\d+ threads=\\d+ spinningthreads=\\d+ idlethreads=\\d+ runqueue=\\d+ "
      "gcwaiting=[01] nmidlelocked=\\d+ stopwait=\\d+ sysmonwait=[01]");
  std::regex pline("  P[01]: status=[0-4] schedtick=\\d+ syscalltick=\\d+ m=-?\\d+ runqsize=\\d+ gfreecnt=\\d+ timerslen=\\d+");
  std::regex mline(
      "  M\\d+: p=-?\\d+ curg=-?\\d+ mallocing=\\d+ throwing=\\d+ preemptoff=\\S* locks=-?\\d+ dying=\\d+ "
      "spinning=(true|false) blocked=(true|false) lockedg=-?\\d+");
  std::regex gline("  G\\d+: status=\\d+\\(.*\\) m=-?\\d+ lockedm=-?\\d+");
  int nsched = 0, np = 0, nm = 0, ng = 0;
  bool g1 = false;
  std::istringstream in(r.output);
  for (std::string line; std::getline(in, line);) {
    INFO(line);
    if (line.rfind("SCHED ", 0) == 0) {
      REQUIRE(std::regex_match(line, sched));
      nsched++;
    }
    if (line.rfind("  P", 0) == 0) {
      REQUIRE(std::regex_match(line, pline));
      np++;
    }
    if (line.rfind("  M", 0) == 0) {
      REQUIRE(std::regex_match(line, mline));
      nm++;
    }
    if (line.rfind("  G", 0) == 0) {
      REQUIRE(std::regex_match(line, gline));
      ng++;
      if (line.rfind("  G1: status=4(select (no cases)) m=-1 lockedm=-1", 0) == 0) g1 = true;
    }
  }
  REQUIRE(nsched >= 1);  // at least the one startpanic_m prints
  REQUIRE(np == 2 * nsched);
  REQUIRE(nm >= 2 * nsched);
  REQUIRE(ng >= nsched);
  REQUIRE(g1);
}

namespace {
__attribute__((noinline)) void blockInRead(int fd, std::atomic<rt::g*>* self) {
  self->store(rt::getg());
  char b;
  rt::SyscallGuard sys;
  ssize_t n = read(fd, &b, 1);
  (void)n;
}
}  // namespace

TEST_CASE("a goroutine in a system call is walked from its syscall site", "[traceback]") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  std::atomic<rt::g*> gp{nullptr};
  chan<int> done(0);
  go([fd = fds[0], done, &gp] {
    blockInRead(fd, &gp);
    done.close();
  });
  while (gp.load() == nullptr || rt::readgstatus(gp.load()) != rt::_Gsyscall) rt::Gosched();
  std::string s = rt::Stack(true);
  INFO(s);
  // ", locked to thread": the guard holds its thread (runtime/go.h).
  std::string header = "goroutine " + std::to_string(gp.load()->goid) + " [syscall, locked to thread]:\n";
  std::string section;
  for (const auto& sec : goroutineSections(s))
    if (sec.rfind(header, 0) == 0) section = sec;
  // The syscall site's frames (SyscallGuard, as Go shows syscall.Syscall)
  // and then the function that made the call.
  REQUIRE(std::regex_search(section, std::regex("\n[^\n]*blockInRead\\(int, [^\n]*\n\t[^\n]*traceback_test\\.cpp:\\d+")));
  REQUIRE(section.find("created by ") != std::string::npos);
  REQUIRE(write(fds[1], "x", 1) == 1);
  (void)done.recv();
  close(fds[0]);
  close(fds[1]);
}

// --- Readable tracebacks (tests/testprog/gdb_scenarios.cpp) ---------------

TEST_CASE("a goroutine asleep shows time::Sleep above its function, as Go shows time.Sleep", "[traceback]") {
  auto r = testprog::run("TracebackSleep");
  INFO(r.output);
  REQUIRE(r.exitStatus == 0);
  // Not lost to a tail call (libgort is built without sibling calls).
  REQUIRE(std::regex_search(r.output, std::regex("goroutine \\d+ \\[sleep\\]:\ngort::time::Sleep\\([^\n]*\n\t[^\n]*"
                                                 "time\\.cpp:\\d+ \\+0x[0-9a-f]+\n[^\n]*tracebackSleeper\\(")));
}

TEST_CASE("a fatal error's traceback prints each frame once", "[traceback]") {
  auto r = testprog::run("TracebackRUnlockUnlocked");
  INFO(r.output);
  REQUIRE(r.output.rfind("fatal error: sync: RUnlock of unlocked RWMutex\n", 0) == 0);
  std::vector<std::string> names;
  std::istringstream in(r.output);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '\t' && line.rfind("goroutine ", 0) != 0 && line.rfind("fatal error", 0) != 0)
      names.push_back(line.substr(0, line.find('(')));
  REQUIRE(std::count(names.begin(), names.end(), "gort::sync::RWMutex::rUnlockSlow") == 1);
  // RUnlock is not lost to its tail call of rUnlockSlow.
  auto slow = std::find(names.begin(), names.end(), "gort::sync::RWMutex::rUnlockSlow");
  REQUIRE(slow + 1 < names.end());
  REQUIRE(slow[1] == "gort::sync::RWMutex::RUnlock");
  REQUIRE(r.exitStatus == 2);
}

TEST_CASE("GOTRACEBACK=system prints the go statement's inlined frames demangled", "[traceback]") {
  auto r = testprog::run("TracebackSleepArgs", {"GOTRACEBACK=system"});
  INFO(r.output);
  REQUIRE(r.output.find("tracebackSleeper(") != std::string::npos);
  REQUIRE(r.output.find("goexit()") != std::string::npos);
  REQUIRE(!std::regex_search(r.output, std::regex("(^|\n)_Z")));
  // Nor with a deduced return type in front (std::apply's decltype(auto)).
  REQUIRE(r.output.find("\nstd::apply<") != std::string::npos);
  REQUIRE(r.output.find("decltype(auto) ") == std::string::npos);
}
