// init_idle_m.cpp — the M population when the program's main starts
// (tests/order_test.cpp). The Go twin is tests/testdata/init_idle_m.go.
#include <dirent.h>

#include <cstdio>

#include "runtime/go.h"
#include "testprog/testprog.h"

using namespace gort;

// gort-only: the number of threads of this process.
static int threadCount() {
  DIR* d = opendir("/proc/self/task");
  if (d == nullptr) return -1;
  int n = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') n++;
  }
  closedir(d);
  return n;
}

// gort-only: at GOMAXPROCS=1, a locked main's Gosched hands the P to
// another M (stoplockedm -> handoffp -> startm). Go's runtime.main leaves
// one M idle after its init goroutines, so startm's mget finds it and no
// thread is cloned; LockOSThread itself starts the template thread.
TESTPROG_SCENARIO(InitIdleM) {
  int before = threadCount();
  runtime::LockOSThread();
  int locked = threadCount();
  runtime::Gosched();
  int after = threadCount();
  runtime::UnlockOSThread();
  printf("LockOSThread started %d thread(s); the first locked Gosched %d\n", locked - before, after - locked);
  return 0;
}
