// main.cpp — the test binary's entry: start the runtime, then run the
// Catch2 session inside the main goroutine (goroutine 1), so every test
// runs on a goroutine as Go's tests do.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "runtime/go.h"

namespace {
int gomain(int argc, char** argv) { return Catch::Session().run(argc, argv); }
}  // namespace

int main(int argc, char** argv) { gort::rt0_go(argc, argv, gomain); }
