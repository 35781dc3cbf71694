// runtime1.cpp — the environment: GOMAXPROCS, GODEBUG, GOTRACEBACK.
//
// Port of the environment half of Go 1.19 src/runtime/runtime1.go, with
// the number parsing of string.go (atoi64, atoi, atoi32) it uses. Go
// reads the environment from the process's initial stack; gort uses getenv.

#include "runtime/runtime1.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace gort::runtime {

debugVars debug;
tracebackSettings traceback;
const char* tracefile;

// runtime1.go: goenvs_unix
// gort: nothing to copy; getenv reads the environment directly.
void goenvs() {}

namespace {

// string.go: atoi64
// atoi64 parses an int64 from s; the bool reports whether s is an int64
// number (an optional '-', then decimal digits: no '+', no spaces).
bool atoi64(std::string_view s, int64_t* out) {
  *out = 0;
  if (s.empty()) return false;

  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    s.remove_prefix(1);
  }

  uint64_t un = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    if (un > UINT64_MAX / 10) return false;  // overflow
    un *= 10;
    uint64_t un1 = un + uint64_t(c - '0');
    if (un1 < un) return false;  // overflow
    un = un1;
  }

  if (!neg && un > uint64_t(INT64_MAX)) return false;
  if (neg && un > uint64_t(INT64_MAX) + 1) return false;

  *out = neg ? int64_t(0 - un) : int64_t(un);
  return true;
}

// string.go: atoi
// atoi is like atoi64 but for integers that fit into an int (gort: a long,
// the width of Go's int on amd64 and arm64).
bool atoi(std::string_view s, long* out) {
  int64_t n;
  bool ok = atoi64(s, &n);  // n is 0 when !ok; every int64 fits a long
  *out = long(n);
  return ok;
}

// string.go: atoi32
// atoi32 is like atoi but for integers that fit into an int32.
bool atoi32(std::string_view s, int32_t* out) {
  int64_t n;
  bool ok = atoi64(s, &n);
  if (n == int64_t(int32_t(n))) {
    *out = int32_t(n);
    return ok;
  }
  *out = 0;
  return false;
}

}  // namespace

// gort-only: integer environment variables (Go: atoi32 on gogetenv), with
// one line on stderr for a value that is set but is not a number (Go
// ignores it silently).
bool gogetenvInt(const char* name, int32_t* out) {
  const char* s = getenv(name);
  if (s == nullptr || *s == '\0') return false;
  if (!atoi32(s, out)) {
    fprintf(stderr, "runtime: %s=%s: not a number, ignored\n", name, s);
    return false;
  }
  return true;
}

namespace {
// gort-only: calls f(key, value) for each "key=value" field of GODEBUG,
// in order (a later field wins, as in Go).
template <class F>
void forEachGodebugField(F f) {
  const char* godebug = getenv("GODEBUG");
  if (godebug == nullptr) return;
  std::string s(godebug);
  for (size_t pos = 0; pos <= s.size();) {
    size_t comma = s.find(',', pos);
    std::string field = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? s.size() + 1 : comma + 1;
    size_t eq = field.find('=');
    if (eq == std::string::npos) continue;
    f(field.substr(0, eq), field.substr(eq + 1));
  }
}

// gort-only: a GODEBUG value as a number (Go: atoi, then int32(n)); false
// if it is not one.
bool godebugNumber(const std::string& value, int32_t* out) {
  long n;
  if (!atoi(value, &n)) return false;
  *out = int32_t(n);
  return true;
}
}  // namespace

// gort-only: one GODEBUG field read before parsedebugvars runs, for the
// settings that must act earlier than Go's order of schedinit reads them
// (madvguard: the first stack span is made by mcommoninit's gsignal).
// Quiet: parsedebugvars reports malformed fields later.
bool godebugEarly(const char* key, int32_t* out) {
  bool found = false;
  forEachGodebugField([&](const std::string& k, const std::string& value) {
    if (k == key && godebugNumber(value, out)) found = true;
  });
  return found;
}

// runtime1.go: parsedebugvars
void parsedebugvars() {
  // apply runtime defaults, then GODEBUG fields: "key=value,key=value".
  forEachGodebugField([](const std::string& key, const std::string& value) {
    int32_t* target = nullptr;
    if (key == "schedtrace") target = &debug.schedtrace;
    else if (key == "scheddetail") target = &debug.scheddetail;
    else if (key == "asyncpreemptoff") target = &debug.asyncpreemptoff;
    else if (key == "tracebackancestors") target = &debug.tracebackancestors;
    else if (key == "madvguard") target = &debug.madvguard;
    if (target == nullptr) return;  // Go ignores keys it doesn't know
    if (!godebugNumber(value, target))
      fprintf(stderr, "runtime: GODEBUG %s=%s: not a number, ignored\n", key.c_str(), value.c_str());
  });

  // gort-only: the execution trace (Go starts one with runtime/trace.Start).
  if (const char* t = getenv("GORT_TRACE"); t != nullptr && *t != '\0') tracefile = t;

  // runtime1.go: setTraceback
  if (const char* t = getenv("GOTRACEBACK")) {
    std::string s(t);
    if (s == "none") traceback = {0, false, false};
    else if (s == "single" || s.empty()) traceback = {1, false, false};
    else if (s == "all") traceback = {1, true, false};
    else if (s == "system") traceback = {2, true, false};
    else if (s == "crash") traceback = {2, true, true};
    else {
      // Go: t = tracebackAll, plus the level if the value is a number that
      // fits a uint32, kept in the bits above tracebackShift (2). Anything
      // else is level 0: no goroutines printed. gort says so on stderr.
      traceback = {0, true, false};
      long n;
      if (atoi(s, &n) && n == long(uint32_t(n)))
        traceback.level = int32_t((uint32_t(n) << 2) >> 2);
      else
        fprintf(stderr, "runtime: GOTRACEBACK=%s: not a setting or a number, so level 0 (Go's rule): no tracebacks\n",
                t);
    }
  }
}

}  // namespace gort::runtime
