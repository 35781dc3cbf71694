// The Go twin of `gort_bench -rss`: RSS per goroutine parked on a channel,
// 100,000 of them, from /proc/self/statm before and after.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
)

func residentBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		panic(err)
	}
	var size, resident int64
	if _, err := fmt.Sscan(string(b), &size, &resident); err != nil {
		panic(err)
	}
	return resident * int64(os.Getpagesize())
}

func main() {
	const G = 100000
	c := make(chan bool)
	var started, exited sync.WaitGroup
	// Warm up what one goroutine costs the first time.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { wg.Done() }()
	wg.Wait()
	runtime.GC()
	before := residentBytes()
	started.Add(G)
	exited.Add(G)
	for i := 0; i < G; i++ {
		go func() {
			started.Done()
			<-c
			exited.Done()
		}()
	}
	started.Wait()
	// All have run up to the receive; let the last of them park.
	for i := 0; i < 10; i++ {
		runtime.Gosched()
	}
	after := residentBytes()
	fmt.Printf("rss: %d parked goroutines: %d bytes RSS before, %d after: %.0f bytes per parked goroutine\n",
		G, before, after, float64(after-before)/G)
	close(c)
	exited.Wait()
}
