// faultscale.c — how the price of a first touch grows with the page-table
// pages a process holds, on this machine, for docs/benchmarks.md ("Why the
// million and the P=1 sleepers stay behind Go"): writes one byte to each
// of N fresh pages of one mapping, SPACING bytes apart, and prints the µs
// per page in each tenth of the run. 4096 is Go's dense heap, 266240 gort's
// stack slots (a 4 KiB guard and a 256 KiB stack), 2097152 one page-table
// page per page. Not part of any build:
//
//   cc -O2 -o /tmp/faultscale tools/bench/faultscale.c
//   /tmp/faultscale 1000000 266240
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

static long ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000L + t.tv_nsec;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: faultscale PAGES SPACING\n");
    return 2;
  }
  size_t n = strtoul(argv[1], 0, 10), gap = strtoul(argv[2], 0, 10);
  if (n < 10 || gap < 4096) {
    fprintf(stderr, "faultscale: PAGES must be at least 10 and SPACING at least 4096\n");
    return 2;
  }
  char* b = mmap(0, n * gap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (b == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  madvise(b, n * gap, MADV_NOHUGEPAGE);  // one fault per page, as stacks take them
  long t = ns(), t0 = t;
  for (int d = 0; d < 10; d++) {
    for (size_t i = n * d / 10; i < n * (d + 1) / 10; i++) b[i * gap] = 1;
    long u = ns();
    printf("%.1f ", (u - t) / 1e3 / (n / 10));
    fflush(stdout);
    t = u;
  }
  printf("| %.2f s, %.2f us a page (%zu pages %zu bytes apart)\n", (t - t0) / 1e9, (t - t0) / 1e3 / n, n, gap);
  return 0;
}
