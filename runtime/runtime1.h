// runtime1.h — the environment: GOMAXPROCS, GODEBUG, GOTRACEBACK.
// Port of Go 1.19 src/runtime/runtime1.go (declarations; see runtime1.cpp).
#pragma once

#include <cstdint>

namespace gort::runtime {

// runtime1.go: dbgvars. The GODEBUG settings gort knows.
struct debugVars {
  int32_t schedtrace = 0;       // GODEBUG=schedtrace=N: print a SCHED line every N ms
  int32_t scheddetail = 0;      // GODEBUG=scheddetail=1: and every P, M and G
  int32_t asyncpreemptoff = 0;  // GODEBUG=asyncpreemptoff=1: no signal preemption
  int32_t tracebackancestors = 0;  // GODEBUG=tracebackancestors=N: tracebacks show N creators' stacks
  // gort-only: GODEBUG=madvguard=0: guard stacks with mprotect pages, not
  // MADV_GUARD_INSTALL markers, which gdb's gcore can't read through (it
  // drops the whole mapping after the first unreadable page, so a core
  // would hold no goroutine stack; docs/14-gdb.md).
  int32_t madvguard = 1;
};
extern debugVars debug;

// os_linux.go: goenvs (runtime1.go: goenvs_unix).
void goenvs();
// runtime1.go: parsedebugvars. Parses GODEBUG and GOTRACEBACK; a value it
// can't read is reported on stderr (gort-only: Go ignores it).
void parsedebugvars();
// gort-only: one GODEBUG field, read before parsedebugvars (runtime1.cpp).
bool godebugEarly(const char* key, int32_t* out);
// gort-only: reads an integer environment variable. Returns false when it
// is unset; reports and returns false when it is not a number (Go 1.19
// silently ignores a bad GOMAXPROCS; gort says so on stderr).
bool gogetenvInt(const char* name, int32_t* out);

// runtime1.go: gotraceback. Its levels: traceback_cache's level, all, crash.
struct tracebackSettings {
  int32_t level = 1;  // none=0, single=1 (default), system=2
  bool all = false;
  bool crash = false;
};
extern tracebackSettings traceback;

// gort-only: GORT_TRACE=file.json, where the execution trace goes
// (trace.cpp); nullptr when unset.
extern const char* tracefile;

}  // namespace gort::runtime
