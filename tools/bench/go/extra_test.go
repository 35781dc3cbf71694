// Go twins of the benchmarks in tools/bench/bench.cpp that Go's runtime
// package does not have. Same names, same workloads; see bench.cpp.
package gortbench

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// BenchmarkGosched: one Gosched of the benchmark goroutine while one other
// goroutine loops on Gosched, GOMAXPROCS=1 (two yields per op).
func BenchmarkGosched(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var stop int32
	done := make(chan bool)
	go func() {
		for atomic.LoadInt32(&stop) == 0 {
			runtime.Gosched()
		}
		done <- true
	}()
	runtime.Gosched() // let it start
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runtime.Gosched()
	}
	b.StopTimer()
	atomic.StoreInt32(&stop, 1)
	<-done
}

var fanoutSink uint64

//go:noinline
func shortWork(x uint64) uint64 {
	for i := 0; i < 300; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

// BenchmarkFanout100k: one op starts 100,000 goroutines that each do 300
// dependent multiply-adds (~0.5 µs here), and waits for them all.
func BenchmarkFanout100k(b *testing.B) {
	const G = 100000
	for i := 0; i < b.N; i++ {
		var wg sync.WaitGroup
		wg.Add(G)
		for j := 0; j < G; j++ {
			j := j
			go func() {
				atomic.AddUint64(&fanoutSink, shortWork(uint64(j))&1)
				wg.Done()
			}()
		}
		wg.Wait()
	}
}
