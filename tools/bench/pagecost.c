// pagecost.c — what a goroutine's first stack page costs on this machine,
// for docs/benchmarks.md: 8,192 "stacks" laid out as gort lays out its
// default ones (a 4 KiB guard and 256 KiB per slot: one page-table page
// per ~8 stacks) or as Go's 2 KiB stacks sit in its heap (two per page),
// first-touched one page each. Not part of any build:
//
//   cc -O2 -o /tmp/pagecost tools/bench/pagecost.c && /tmp/pagecost
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

static long ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000L + t.tv_nsec;
}

static char* region(size_t bytes) {
  char* b = mmap(0, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  madvise(b, bytes, MADV_NOHUGEPAGE);
  return b;
}

int main(void) {
  const size_t N = 8192, ps = 4096;
  for (size_t slot = 4096 + 16384; slot <= 4096 + 262144; slot = slot == 4096 + 16384 ? 4096 + 262144 : slot + 1) {
    // The guard below each stack (one madvise each, as stack.cpp does),
    // then the first write to each stack's top page.
    char* b = region(N * slot);
    long t0 = ns();
    for (size_t i = 0; i < N; i++) madvise(b + i * slot, ps, MADV_GUARD_INSTALL);
    long t1 = ns();
    for (size_t i = 0; i < N; i++) b[(i + 1) * slot - ps] = 1;
    long t2 = ns();
    printf("%3zu KiB stacks: guard %.2f us, first touch %.2f us per stack\n", (slot - 4096) / 1024,
           (t1 - t0) / 1e3 / N, (t2 - t1) / 1e3 / N);
    // The same, the top pages populated 8 at a time (process_madvise).
    b = region(N * slot);
    int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
    struct iovec iov[8];
    t0 = ns();
    for (size_t i = 0; i < N; i += 8) {
      for (int j = 0; j < 8; j++) iov[j] = (struct iovec){b + (i + j + 1) * slot - ps, ps};
      syscall(SYS_process_madvise, pidfd, iov, 8, MADV_POPULATE_WRITE, 0);
    }
    t1 = ns();
    for (size_t i = 0; i < N; i++) b[(i + 1) * slot - ps] = 1;
    t2 = ns();
    printf("%3zu KiB stacks: populate %.2f us, then first touch %.2f us per stack\n", (slot - 4096) / 1024,
           (t1 - t0) / 1e3 / N, (t2 - t1) / 1e3 / N);
    close(pidfd);
  }
  char* b = region(N * 2048);
  long t0 = ns();
  for (size_t i = 0; i < N; i++) b[i * 2048 + 2040] = 1;
  long t1 = ns();
  printf("  2 KiB stacks, two per page (Go's heap): first touch %.2f us per stack\n", (t1 - t0) / 1e3 / N);
  return 0;
}
