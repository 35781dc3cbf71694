// The Go twin of testprog's InitIdleM scenario (tests/order_test.cpp).
// Run: GOMAXPROCS=1 GOGC=off go run init_idle_m.go (Go 1.19.8 prints
// "LockOSThread started 1 thread(s); the first locked Gosched 0": the
// hand-off wakes the M that runtime.main started for its init goroutines).
package main

import (
	"fmt"
	"os"
	"runtime"
)

func threadCount() int {
	d, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return -1
	}
	return len(d)
}

func main() {
	before := threadCount()
	runtime.LockOSThread()
	locked := threadCount()
	runtime.Gosched()
	after := threadCount()
	runtime.UnlockOSThread()
	fmt.Printf("LockOSThread started %d thread(s); the first locked Gosched %d\n", locked-before, after-locked)
}
