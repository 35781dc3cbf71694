// panic.h — the fatal end of a program: throw, fatal, unrecovered panics.
// Port of Go 1.19 src/runtime/panic.go's fatal half (declarations; see
// panic.cpp). throw_, fatal and fatalpanic themselves are in proc.h, which
// every runtime file includes.
#pragma once

#include <atomic>
#include <cstdint>

#include <ucontext.h>

#include "runtime/runtime2.h"
#include "runtime/traceback.h"

namespace gort::runtime {

// panic.go: startpanic_m. Marks this M dying; returns whether to print.
bool startpanic_m();
// panic.go: dopanic_m. Prints gp's traceback from ctx (and the others'
// when GOTRACEBACK says all, or gp is not m.curg); returns whether to
// crash. Releases the panic lock startpanic_m took.
bool dopanic_m(g* gp, ucontext_t* ctx, bool precise, int skip);
// panic.go: fatalthrow. throw/fatal after "fatal error: ..." is printed:
// tracebacks from ctx, then crash or exit 2. Never returns.
[[noreturn]] void fatalthrow(throwType t, ucontext_t* ctx, bool precise, int skip);
// panic.go: panicking. Non-zero while an M prints a fatal error.
extern std::atomic<uint32_t> panicking;

// panic.go: fatalpanic (after "panic: ..." is printed). Never returns.
[[noreturn]] void fatalpanicctx(ucontext_t* ctx, bool precise, int skip);
// signal_unix.go: crash. Dies of SIGABRT (a core file). Never returns.
[[noreturn]] void crash();
// gort-only: exit(2) with stdio flushed. Never returns.
[[noreturn]] void exit2();
// gort-only: installs the std::terminate handler that reports an uncaught
// exception as Go reports an unrecovered panic.
void panicinit();

}  // namespace gort::runtime
