// os_linux.h — the thin OS layer: futexes, time, yielding.
// Port of Go 1.19 src/runtime/os_linux.go (declarations; see os_linux.cpp).
#pragma once

#include <atomic>
#include <cstdint>

namespace gort::runtime {

// os_linux.go: futexsleep. Sleep on addr while *addr == val, at most ns
// nanoseconds (ns < 0: forever). May wake spuriously.
void futexsleep(std::atomic<uint32_t>* addr, uint32_t val, int64_t ns);
// os_linux.go: futexwakeup. Wake up to cnt threads sleeping on addr.
void futexwakeup(std::atomic<uint32_t>* addr, uint32_t cnt);
// os_linux.go: osyield (sched_yield).
void osyield();
// os_linux.go: usleep.
void usleep(uint32_t usec);
// time_nofake.go: nanotime. Monotonic nanoseconds.
int64_t nanotime();
// os_linux.go: getproccount. CPUs in this process's affinity mask.
int32_t getproccount();
// os_linux.go: osinit.
void osinit();
// gort-only: gettid(2), recorded as m.procid for debuggers.
int64_t gettid();

}  // namespace gort::runtime
