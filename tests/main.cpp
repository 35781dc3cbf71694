// main.cpp — the test binary's entry: start the runtime, then run the
// Catch2 session inside the main goroutine (goroutine 1), so every test
// runs on a goroutine as Go's tests do.
#define CATCH_CONFIG_RUNNER
// The runtime owns the process's signals (SIGURG for preemption, and the
// crash signals whose Go-format reports it prints); Catch2's own handlers
// would replace them and run on whatever alternate stack the M set up.
#define CATCH_CONFIG_NO_POSIX_SIGNALS
#include <catch2/catch.hpp>

#include "runtime/go.h"

namespace {
int gomain(int argc, char** argv) { return Catch::Session().run(argc, argv); }
}  // namespace

int main(int argc, char** argv) { gort::rt0_go(argc, argv, gomain); }
