// testprog_run.h — run a tests/testprog scenario as a child process and
// collect what it printed and how it ended (Go's runTestProg).
#pragma once

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace testprog {

struct result {
  std::string output;  // stdout and stderr, interleaved as written
  int exitStatus = -1;  // exit status, or -1 if killed by a signal
  int signal = 0;       // the signal that killed it, if any
};

namespace detail {
// The command line: [timeout -s KILL N] [emulator...] testprog name.
inline std::vector<std::string> commandLine(const std::string& name, int timeoutSeconds) {
  std::vector<std::string> args;
  if (timeoutSeconds > 0) {
    args.push_back("timeout");
    args.push_back("-s");
    args.push_back("KILL");
    args.push_back(std::to_string(timeoutSeconds));
  }
  std::istringstream emu(GORT_TESTPROG_EMULATOR);
  for (std::string w; emu >> w;) args.push_back(w);
  args.push_back(GORT_TESTPROG_PATH);
  args.push_back(name);
  return args;
}

// Starts args with stdout and stderr on one pipe (returned in *outFd) and
// the environment the test gives. noCore: no core file if it crashes.
inline pid_t spawn(std::vector<std::string> args, const std::vector<std::string>& env, bool noCore, int* outFd) {
  int fds[2];
  if (pipe(fds) != 0) abort();
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    if (noCore) {
      struct rlimit nocore {0, 0};
      setrlimit(RLIMIT_CORE, &nocore);
    }
    // The scenario's environment is what the test says, not whatever the
    // test binary itself was run with (GOTRACEBACK=crash, GODEBUG=...).
    for (const char* k : {"GOTRACEBACK", "GODEBUG", "GOMAXPROCS", "GORT_TRACE"}) unsetenv(k);
    for (const auto& kv : env) putenv(strdup(kv.c_str()));
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  *outFd = fds[0];
  return pid;
}

// Reads the child's output until EOF, calling onOutput(r, pid) after each
// chunk, then reaps the child into r.
template <class F>
inline result collect(pid_t pid, int fd, F onOutput) {
  result r;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    r.output.append(buf, size_t(n));
    onOutput(r, pid);
  }
  close(fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) r.exitStatus = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}
}  // namespace detail

// Runs `testprog name` with extra environment variables ("KEY=VALUE").
// Under a cross build the program runs under the same emulator as the tests.
// timeoutSeconds > 0: the program is killed (SIGKILL) after that long, for
// scenarios whose correct behaviour is never to finish.
inline result run(const std::string& name, const std::vector<std::string>& env = {}, int timeoutSeconds = 0) {
  int fd;
  pid_t pid = detail::spawn(detail::commandLine(name, timeoutSeconds), env, false, &fd);
  return detail::collect(pid, fd, [](const result&, pid_t) {});
}

// gort-only: runs `testprog name` like run(), and once the program has
// printed the line readyLine, sends it sig (as Go's TestCrashDumpsAllThreads
// signals its child once the child says its goroutines are running). The
// child gets no core file limit, so a crash leaves no core behind.
inline result runAndSignal(const std::string& name, const std::vector<std::string>& env,
                           const std::string& readyLine, int sig) {
  int fd;
  pid_t pid = detail::spawn(detail::commandLine(name, 0), env, true, &fd);
  bool signalled = false;
  return detail::collect(pid, fd, [&](const result& r, pid_t child) {
    if (!signalled && r.output.find(readyLine + "\n") != std::string::npos) {
      signalled = true;
      kill(child, sig);
    }
  });
}

}  // namespace testprog
