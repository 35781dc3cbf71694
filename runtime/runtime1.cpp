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

// gort-only: one GODEBUG field read before parsedebugvars runs, for the
// settings that must act earlier than Go's order of schedinit reads them
// (madvguard: the first stack span is made by mcommoninit's gsignal).
// Quiet: parsedebugvars reports malformed fields later.
bool godebugEarly(const char* key, int32_t* out) {
  const char* godebug = getenv("GODEBUG");
  if (godebug == nullptr) return false;
  std::string s(godebug), want = std::string(key) + "=";
  bool found = false;
  for (size_t pos = 0; pos <= s.size();) {
    size_t comma = s.find(',', pos);
    std::string field = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? s.size() + 1 : comma + 1;
    if (field.rfind(want, 0) != 0) continue;
    char* end = nullptr;
    long v = strtol(field.c_str() + want.size(), &end, 10);
    if (field.size() > want.size() && *end == '\0') {
      *out = int32_t(v);
      found = true;  // the last one wins, as in parsedebugvars
    }
  }
  return found;
}

// runtime1.go: parsedebugvars
void parsedebugvars() {
  if (const char* godebug = getenv("GODEBUG")) {
    // apply runtime defaults, then GODEBUG fields: "key=value,key=value".
    std::string s(godebug);
    size_t pos = 0;
    while (pos <= s.size()) {
      size_t comma = s.find(',', pos);
      std::string field = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      pos = comma == std::string::npos ? s.size() + 1 : comma + 1;
      if (field.empty()) continue;
      size_t eq = field.find('=');
      if (eq == std::string::npos) continue;
      std::string key = field.substr(0, eq), value = field.substr(eq + 1);
      int32_t* target = nullptr;
      if (key == "schedtrace") target = &debug.schedtrace;
      else if (key == "scheddetail") target = &debug.scheddetail;
      else if (key == "asyncpreemptoff") target = &debug.asyncpreemptoff;
      else if (key == "madvguard") target = &debug.madvguard;
      if (target == nullptr) continue;  // Go ignores keys it doesn't know
      char* end = nullptr;
      long v = strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0') {
        fprintf(stderr, "runtime: GODEBUG %s=%s: not a number, ignored\n", key.c_str(), value.c_str());
        continue;
      }
      *target = int32_t(v);
    }
  }

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
