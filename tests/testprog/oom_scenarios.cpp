// Out of memory in the runtime's own allocations: Go's words, exit 2
// (mheap.go: grow's "runtime: out of memory: cannot allocate N-byte block
// (M in use)", then mcache.go's "fatal error: out of memory").
#include <cstdio>

#include <sys/resource.h>
#include <unistd.h>

#include "runtime/go.h"
#include "testprog/testprog.h"

using namespace gort;

namespace {

// gort-only: caps the address space at what is mapped now plus extra
// bytes (RLIMIT_AS), so that the next large mapping fails.
bool limitAddressSpace(size_t extra) {
  FILE* f = fopen("/proc/self/statm", "r");
  if (f == nullptr) return false;
  unsigned long pages = 0;
  bool ok = fscanf(f, "%lu", &pages) == 1;
  fclose(f);
  if (!ok) return false;
  rlim_t lim = rlim_t(pages) * rlim_t(sysconf(_SC_PAGESIZE)) + extra;
  struct rlimit rl {lim, lim};
  return setrlimit(RLIMIT_AS, &rl) == 0;
}

// A channel buffer larger than the address space left: 1 TiB, refused
// under the limit (and, where the limit is not applied, as qemu-user does
// not, by the kernel's overcommit check).
TESTPROG_SCENARIO(OomChanBuffer) {
  limitAddressSpace(size_t(256) << 20);
  chan<char> c(size_t(1) << 40);
  printf("allocated a %zu-byte channel buffer\n", c.cap());
  return 1;
}

// Goroutine stacks until the address space is gone (run with GOMAXPROCS=1,
// so no new M needs a thread stack first). Needs RLIMIT_AS to be applied.
TESTPROG_SCENARIO(OomStacks) {
  if (!limitAddressSpace(size_t(256) << 20)) {
    printf("setrlimit failed\n");
    return 1;
  }
  chan<int> block;
  for (long i = 0; i < 100000000; i++) go([block]() mutable { block.recv(); });
  printf("created every goroutine\n");
  return 1;
}

}  // namespace
