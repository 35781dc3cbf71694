// tests/install: a user's own program, built against an installed gort
// (find_package or pkg-config) or against its source tree
// (add_subdirectory). `hello` squares 1..4 on a second goroutine and prints
// the sum; `hello panic` closes a channel twice, for the crash report.
#include <cstdio>
#include <cstring>

#include "runtime/go.h"

// Where the test's gdb stops, with goroutine 2 alive.
extern "C" __attribute__((noinline, used)) void hello_breakpoint() { asm volatile("" ::: "memory"); }

int gomain(int argc, char** argv) {
  gort::chan<int> in, out;
  if (argc > 1 && std::strcmp(argv[1], "panic") == 0) {
    in.close();
    in.close();  // panic: close of closed channel
  }
  gort::go([in, out] {
    int sum = 0;
    for (int v : in) sum += v * v;
    out.send(sum);
  });
  hello_breakpoint();
  for (int i = 1; i <= 4; i++) in.send(i);
  in.close();
  std::printf("hello from gort: sum of squares %d\n", out.recv());
  return 0;
}

int main(int argc, char** argv) { gort::rt0_go(argc, argv, gomain); }
