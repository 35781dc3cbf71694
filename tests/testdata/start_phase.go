// The Go twin of testprog's StartPhase scenario (tests/order_test.cpp).
// Run: GOMAXPROCS=1 GOGC=off go run start_phase.go (Go 1.19.8 prints
// "phase-hit 56" in every run: main.main starts with P0's schedtick at 5,
// as gdb shows at a breakpoint on main.main).
package main

import (
	"fmt"
	"runtime"
)

func main() {
	for i := 0; i < 62; i++ {
		ran := false
		go func() { ran = true }()
		runtime.Gosched()
		if !ran {
			runtime.Gosched()
			fmt.Printf("phase-hit %d\n", i)
			return
		}
	}
	fmt.Println("no phase-hit")
}
