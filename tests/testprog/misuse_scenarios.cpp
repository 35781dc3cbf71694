// Misuse from outside a goroutine: a runtime entry point called from a
// std::thread gort did not start, or before rt0_go, must die with
// "fatal error: <op> called from a thread that is not running a goroutine
// ..." and exit 2 (Go has no twin: every Go function runs on a goroutine).
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

#include "runtime/go.h"
#include "testprog/testprog.h"

using namespace gort;

namespace {

// gort-only: the operations a foreign thread might try, by scenario suffix.
// Each must end the process; returning is the failure the test sees.
const std::map<std::string, std::function<void()>>& misuseOps() {
  static const std::map<std::string, std::function<void()>> ops = {
      {"ChanSend", [] { chan<int> c(1); c.send(1); }},
      {"ChanRecv", [] { chan<int> c(1); (void)c.recv2(); }},
      {"ChanClose", [] { chan<int> c(1); c.close(); }},
      {"Select", [] { chan<int> c(1), d(1); select(on_recv(c, [](int, bool) {}), on_recv(d, [](int, bool) {})); }},
      {"MutexLock", [] { static sync::Mutex mu; mu.Lock(); }},
      {"Sleep", [] { time::Sleep(std::chrono::milliseconds(1)); }},
      {"Go", [] { go([] {}); }},
      {"WaitGroupWait", [] { static sync::WaitGroup wg; wg.Add(1); wg.Wait(); }},
      {"AfterFunc", [] { (void)time::AfterFunc(std::chrono::milliseconds(1), [] {}); }},
      {"NewTicker", [] { (void)time::NewTicker(std::chrono::milliseconds(1)); }},
      {"LockOSThread", [] { runtime::LockOSThread(); }},
      {"UnlockOSThread", [] { runtime::UnlockOSThread(); }},
      {"Goexit", [] { runtime::Goexit(); }},
  };
  return ops;
}

// Runs op on a std::thread gort did not start, from inside the runtime.
int fromThread(const char* name) {
  std::thread t(misuseOps().at(name));
  t.join();
  printf("%s from a std::thread returned\n", name);
  return 1;
}

TESTPROG_SCENARIO(ThreadChanSend) { return fromThread("ChanSend"); }
TESTPROG_SCENARIO(ThreadChanRecv) { return fromThread("ChanRecv"); }
TESTPROG_SCENARIO(ThreadChanClose) { return fromThread("ChanClose"); }
TESTPROG_SCENARIO(ThreadSelect) { return fromThread("Select"); }
TESTPROG_SCENARIO(ThreadMutexLock) { return fromThread("MutexLock"); }
TESTPROG_SCENARIO(ThreadSleep) { return fromThread("Sleep"); }
TESTPROG_SCENARIO(ThreadGo) { return fromThread("Go"); }
TESTPROG_SCENARIO(ThreadWaitGroupWait) { return fromThread("WaitGroupWait"); }
TESTPROG_SCENARIO(ThreadAfterFunc) { return fromThread("AfterFunc"); }
TESTPROG_SCENARIO(ThreadNewTicker) { return fromThread("NewTicker"); }
TESTPROG_SCENARIO(ThreadLockOSThread) { return fromThread("LockOSThread"); }
TESTPROG_SCENARIO(ThreadUnlockOSThread) { return fromThread("UnlockOSThread"); }
TESTPROG_SCENARIO(ThreadGoexit) { return fromThread("Goexit"); }

// A timer made by a goroutine, then stopped or reset from a std::thread
// gort did not start (no twin before rt0_go: there is no goroutine to make it).
int timerFromThread(bool reset) {
  time::Timer t = time::NewTimer(std::chrono::hours(1));
  std::thread th([&] { reset ? (void)t.Reset(std::chrono::hours(2)) : (void)t.Stop(); });
  th.join();
  printf("Timer.%s from a std::thread returned\n", reset ? "Reset" : "Stop");
  return 1;
}
TESTPROG_SCENARIO(ThreadTimerStop) { return timerFromThread(false); }
TESTPROG_SCENARIO(ThreadTimerReset) { return timerFromThread(true); }

// gort-only: "testprog BeforeRt0<Op>" runs <Op> from a static constructor,
// before main reaches rt0_go. Scenarios run after rt0_go, so this one reads
// its own command line.
__attribute__((constructor)) void beforeRt0() {
  char buf[4096];
  int fd = open("/proc/self/cmdline", O_RDONLY);
  if (fd < 0) return;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return;
  buf[n] = 0;
  // argv[1] follows argv[0]'s NUL (under qemu-user too: it sets the guest's).
  const char* arg1 = buf + strlen(buf) + 1;
  if (arg1 >= buf + n) return;
  static const char prefix[] = "BeforeRt0";
  if (strncmp(arg1, prefix, sizeof prefix - 1) != 0) return;
  auto it = misuseOps().find(arg1 + sizeof prefix - 1);
  if (it == misuseOps().end()) return;
  it->second();
  printf("%s before rt0_go returned\n", arg1);
  _exit(1);
}

}  // namespace
