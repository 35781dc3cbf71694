// runtime1.cpp — the environment: GOMAXPROCS, GODEBUG, GOTRACEBACK.
//
// Port of the environment half of Go 1.19 src/runtime/runtime1.go. Go
// reads the environment from the process's initial stack; gort uses getenv.

#include "runtime/runtime1.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace gort::runtime {

debugVars debug;
tracebackSettings traceback;
const char* tracefile;

// runtime1.go: goenvs_unix
// gort: nothing to copy; getenv reads the environment directly.
void goenvs() {}

// gort-only: integer environment variables (Go: atoi32 on gogetenv).
bool gogetenvInt(const char* name, int32_t* out) {
  const char* s = getenv(name);
  if (s == nullptr || *s == '\0') return false;
  char* end = nullptr;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno != 0 || *end != '\0' || v < INT32_MIN || v > INT32_MAX) {
    fprintf(stderr, "runtime: %s=%s: not a number, ignored\n", name, s);
    return false;
  }
  *out = int32_t(v);
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

// gort-only: a GODEBUG value as a number; false if it is not one.
bool godebugNumber(const std::string& value, int32_t* out) {
  char* end = nullptr;
  long v = strtol(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0') return false;
  *out = int32_t(v);
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
      char* end = nullptr;
      long v = strtol(s.c_str(), &end, 10);
      if (*end == '\0' && v >= 0)
        traceback = {int32_t(v), true, false};
      else
        fprintf(stderr, "runtime: GOTRACEBACK=%s: unknown setting, using single\n", t);
    }
  }
}

}  // namespace gort::runtime
