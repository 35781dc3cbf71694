// tour — the guided demo `make run` runs: small scenarios that show the
// scheduler at work, each printing what happens and why.
#include <cstdio>

#include "runtime/go.h"

using namespace gort;

namespace {
int gomain(int, char**) {
  printf("gort tour: GOMAXPROCS=%d NumCPU=%d\n", runtime::GOMAXPROCS(0), runtime::NumCPU());
  return 0;
}
}  // namespace

int main(int argc, char** argv) { rt0_go(argc, argv, gomain); }
