// The Go twin of testprog's MixedOrder scenario (tests/order_test.cpp).
// Run: GOMAXPROCS=1 go run mixed_order.go (Go 1.19.8 printed the line the
// test expects in 91-94 of 100 runs on a loaded 2-core machine; the others
// are likely Go's preemption, sysmon cutting short a goroutine that seems
// to have run 10 ms because the OS descheduled it: gort's scenario runs
// with NoPreempt).
package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

func main() {
	// GOMAXPROCS=1 from the environment
	// Move p.schedtick away from 0 (a multiple of 61) the same way in both
	// runtimes before the scenario starts.
	for i := 0; i < 10; i++ {
		runtime.Gosched()
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	c := make(chan int)    // unbuffered
	b := make(chan int, 2) // buffered
	start := make(chan int)
	zdone := make(chan int)
	out := func(s string, i int) { fmt.Printf("%s%d ", s, i) }
	wg.Add(4)
	mu.Lock()
	go func() {
		for i := 0; i < 3; i++ {
			v := <-c
			out("r", v)
		}
		wg.Done()
	}()
	go func() {
		for i := 0; i < 3; i++ {
			out("s", i)
			c <- i
		}
		wg.Done()
	}()
	go func() {
		mu.Lock()
		out("m", 0)
		mu.Unlock()
		runtime.Gosched()
		mu.Lock()
		out("m", 1)
		mu.Unlock()
		wg.Done()
	}()
	go func() {
		for i := 0; i < 3; i++ {
			b <- i
			out("b", i)
		}
		close(b)
		wg.Done()
	}()
	go func() {
		<-start
		time.Sleep(100 * time.Millisecond)
		out("z", 1)
		close(zdone)
	}()
	runtime.Gosched()
	out("main", 0)
	mu.Unlock()
	for v := range b {
		out("x", v)
	}
	wg.Wait()
	// Nothing else is runnable. close readies the sleeper (runnext), which
	// runs once main parks in Sleep: its 100 ms starts after main's 20 ms.
	close(start)
	time.Sleep(20 * time.Millisecond)
	out("main", 1)
	<-zdone
	fmt.Println()
}
