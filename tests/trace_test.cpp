// trace_test.cpp — the execution trace, GORT_TRACE=file.json (trace.cpp).
//
// The programs traced are testprog's Trace scenario (one of each event,
// each brought about for certain), the tour (what `make run` shows) and a
// deadlock (the trace of a fatal error). tools/schedviz/check_trace.py
// reads each file: it must parse, hold the events named, keep every lane
// in time order, and never overlap two slices of one level on a lane.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "runtime/trace.h"
#include "testprog_run.h"

namespace {

// A fresh file name under /tmp for one trace.
std::string tracePath(const char* what) {
  return "/tmp/gort_trace_test_" + std::to_string(getpid()) + "_" + what + ".json";
}

struct shellResult {
  std::string output;
  int exitStatus = -1;
};

// Runs a shell command line, collecting stdout and stderr.
shellResult shell(const std::string& cmd) {
  shellResult r;
  FILE* f = popen((cmd + " 2>&1").c_str(), "r");
  if (f == nullptr) return r;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, f)) > 0;) r.output.append(buf, n);
  int status = pclose(f);
  r.exitStatus = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// check_trace.py on path, requiring the event kinds listed.
shellResult checkTrace(const std::string& path, const std::string& kinds) {
  return shell("python3 " GORT_SCHEDVIZ_DIR "/check_trace.py " + path + " " + kinds);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("Without GORT_TRACE the tracer is off: every hook is one untaken branch", "[trace]") {
  if (getenv("GORT_TRACE") != nullptr) {
    WARN("skipped: this run has GORT_TRACE set");
    return;
  }
  REQUIRE_FALSE(gort::runtime::trace.enabled);
}

TEST_CASE("GORT_TRACE records each kind of event, lane by lane in time order, as JSON", "[trace]") {
  std::string path = tracePath("all");
  auto r = testprog::run("Trace", {"GORT_TRACE=" + path}, 120);
  INFO(r.output);
  REQUIRE(r.output == "OK\n");
  REQUIRE(r.exitStatus == 0);
  auto c = checkTrace(path,
                      "create ready park preempt syscall sysexit sysblock handoff steal procstart procstop "
                      "gomaxprocs running proc end:end end:gosched end:park end:preempted 'end:syscall block'");
  INFO(c.output);
  REQUIRE(c.exitStatus == 0);
  // The parked goroutines say why: main waits on its channels.
  std::string json = slurp(path);
  REQUIRE(json.find("\"reason\":\"chan receive\"") != std::string::npos);
  // Lanes are named: a P's by its id, an M's by its id and thread.
  REQUIRE(json.find("\"name\":\"P1\"") != std::string::npos);
  REQUIRE(json.find("\"name\":\"M0 (main thread, tid ") != std::string::npos);
  unlink(path.c_str());
}

TEST_CASE("GORT_TRACE on the tour holds every event the tour brings about", "[trace]") {
  std::string path = tracePath("tour");
  auto r = shell("GORT_TRACE=" + path + " " GORT_TESTPROG_EMULATOR " " GORT_TOUR_PATH);
  INFO(r.output);
  REQUIRE(r.exitStatus == 0);
  // Scenario 7 steals, 9 hands a P off from a system call; all of them
  // create goroutines, Gosched and end them; 6-9 change GOMAXPROCS.
  auto c = checkTrace(path,
                      "create steal syscall sysexit sysblock handoff procstart procstop gomaxprocs running proc "
                      "end:end end:gosched 'end:syscall block'");
  INFO(c.output);
  REQUIRE(c.exitStatus == 0);
  unlink(path.c_str());
}

TEST_CASE("A fatal error still writes the whole trace", "[trace]") {
  std::string path = tracePath("deadlock");
  auto r = testprog::run("SimpleDeadlock", {"GORT_TRACE=" + path}, 60);
  INFO(r.output);
  REQUIRE(r.output.find("fatal error: all goroutines are asleep - deadlock!") != std::string::npos);
  REQUIRE(r.exitStatus == 2);
  // main parked in select {} just before the end: the last event of its
  // lane, written by the final flush.
  auto c = checkTrace(path, "park end:park");
  INFO(c.output);
  REQUIRE(c.exitStatus == 0);
  REQUIRE(slurp(path).find("\"reason\":\"select (no cases)\"") != std::string::npos);
  unlink(path.c_str());
}

TEST_CASE("A GORT_TRACE file that cannot be made is reported, and the program runs untraced", "[trace]") {
  auto r = testprog::run("NumGoroutine", {"GORT_TRACE=/nonexistent/dir/trace.json"}, 60);
  INFO(r.output);
  REQUIRE(r.output ==
          "runtime: GORT_TRACE=/nonexistent/dir/trace.json: No such file or directory; not tracing\n1\n");
  REQUIRE(r.exitStatus == 0);
}

TEST_CASE("GORT_TRACE chooses the format by GORT_TRACEFMT, else by the file's name", "[trace]") {
  const std::string header("go 1.19 trace\0\0\0", 16);
  std::string base = "/tmp/gort_trace_test_" + std::to_string(getpid()) + "_fmt";
  // A name not ending in .json: Go's binary format (go tool trace's).
  auto r = testprog::run("NumGoroutine", {"GORT_TRACE=" + base + ".trace"}, 60);
  REQUIRE(r.exitStatus == 0);
  std::string bin = slurp(base + ".trace");
  REQUIRE(bin.size() > header.size());
  REQUIRE(bin.compare(0, header.size(), header) == 0);
  // GORT_TRACEFMT=json overrides the name; =go overrides .json.
  r = testprog::run("NumGoroutine", {"GORT_TRACE=" + base + ".trace", "GORT_TRACEFMT=json"}, 60);
  REQUIRE(r.exitStatus == 0);
  REQUIRE(slurp(base + ".trace").rfind("{\"displayTimeUnit\"", 0) == 0);
  r = testprog::run("NumGoroutine", {"GORT_TRACE=" + base + ".json", "GORT_TRACEFMT=go"}, 60);
  REQUIRE(r.exitStatus == 0);
  REQUIRE(slurp(base + ".json").compare(0, header.size(), header) == 0);
  // Anything else is reported, and the program runs untraced.
  r = testprog::run("NumGoroutine", {"GORT_TRACE=" + base + ".x", "GORT_TRACEFMT=binary"}, 60);
  REQUIRE(r.output == "runtime: GORT_TRACEFMT=binary: not go or json; not tracing\n1\n");
  REQUIRE(r.exitStatus == 0);
  for (const char* ext : {".trace", ".json"}) unlink((base + ext).c_str());
}

TEST_CASE("GORT_TRACEMAX ends the trace at its size, whole, and the program runs on", "[trace]") {
  std::string path = tracePath("max");
  // TraceMany makes some 400,000 events (tens of MB of JSON); at 64 KiB the
  // writer ends the trace after its first chunks: every lane's events so
  // far, then the names, and says so once.
  auto r = testprog::run("TraceMany", {"GORT_TRACE=" + path, "GORT_TRACEMAX=64K"}, 120);
  INFO(r.output);
  REQUIRE(r.exitStatus == 0);
  REQUIRE(r.output ==
          "runtime: GORT_TRACE: the file reached GORT_TRACEMAX=65536 bytes; the trace ends here\n"
          "turns 100000 100000\n");
  std::string json = slurp(path);
  REQUIRE(json.size() >= 65536);
  // The cap, plus the chunks already full when the writer reached it (the
  // goroutines fill them faster than JSON is written: some 3-5 MB here),
  // against some 64 MB for the whole run: the trace ended early.
  REQUIRE(json.size() < 16 * 1024 * 1024);
  auto c = checkTrace(path, "create running");
  INFO(c.output);
  REQUIRE(c.exitStatus == 0);
  unlink(path.c_str());
  // Go's format is cut the same way; tools/gotrace/check_gotrace.sh has Go's
  // parser read such a file. A value that is not a size is reported, and the
  // default (1 GiB) kept.
  r = testprog::run("NumGoroutine", {"GORT_TRACE=" + path, "GORT_TRACEMAX=lots"}, 60);
  REQUIRE(r.output ==
          "runtime: GORT_TRACEMAX=lots: not a size (bytes, or a number with K, M or G); 1073741824 bytes\n1\n");
  REQUIRE(r.exitStatus == 0);
  unlink(path.c_str());
}
