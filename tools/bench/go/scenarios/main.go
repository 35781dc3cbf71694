// The Go twin of `gort_bench -scenario NAME [-procs P] [-n G]` (and -trace FILE,
// where gort takes GORT_TRACE=FILE) (tools/bench/scenarios.cpp): the same
// workloads, the same output line.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"
)

var epoch = time.Now()

func now() int64 { return int64(time.Since(epoch)) }

// splitmix64, as in scenarios.cpp.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) between(lo, hi int64) int64 { return lo + int64(r.next()%uint64(hi-lo+1)) }

// Lateness statistics: 1 µs buckets up to 1 s, exact sum and max.
const buckets = 1000000

type lateness struct {
	hist        [buckets + 1]uint32
	sum, max, n int64
}

func (l *lateness) add(ns int64) {
	if ns < 0 {
		ns = 0
	}
	atomic.AddInt64(&l.sum, ns)
	atomic.AddInt64(&l.n, 1)
	for {
		m := atomic.LoadInt64(&l.max)
		if ns <= m || atomic.CompareAndSwapInt64(&l.max, m, ns) {
			break
		}
	}
	b := ns / 1000
	if b > buckets {
		b = buckets
	}
	atomic.AddUint32(&l.hist[b], 1)
}

func (l *lateness) p99us() float64 {
	total := atomic.LoadInt64(&l.n)
	want, seen := (total*99+99)/100, int64(0)
	for i := 0; i <= buckets; i++ {
		seen += int64(atomic.LoadUint32(&l.hist[i]))
		if seen >= want {
			return float64(i)
		}
	}
	return buckets
}

func (l *lateness) print() {
	c := atomic.LoadInt64(&l.n)
	mean := 0.0
	if c > 0 {
		mean = float64(atomic.LoadInt64(&l.sum)) / float64(c) / 1e3
	}
	fmt.Printf(" late_mean_us=%.1f late_p99_us=%.0f late_max_us=%.0f", mean, l.p99us(), float64(atomic.LoadInt64(&l.max))/1e3)
}

func sleepers(name string, procs int, random bool) {
	const G = 10000
	d := make([]int64, G)
	r := rng{1}
	for i := range d {
		d[i] = 1000000
		if random {
			d[i] = r.between(1000000, 5000000)
		}
	}
	var late lateness
	var last int64
	var wg sync.WaitGroup
	wg.Add(G)
	t0 := now()
	for i := 0; i < G; i++ {
		i := i
		go func() {
			due := now() + d[i]
			time.Sleep(time.Duration(d[i]))
			t := now()
			late.add(t - due)
			for {
				m := atomic.LoadInt64(&last)
				if t <= m || atomic.CompareAndSwapInt64(&last, m, t) {
					break
				}
			}
			wg.Done()
		}()
	}
	t1 := now()
	wg.Wait()
	fmt.Printf("scenario %s procs=%d wall_ms=%.2f spawn_ms=%.2f", name, procs, float64(atomic.LoadInt64(&last)-t0)/1e6,
		float64(t1-t0)/1e6)
	late.print()
	fmt.Println()
}

func churn() {
	const T, C = 100000, 4
	const churnFor = 200 * time.Millisecond
	var late lateness
	due := make([]int64, T)
	timers := make([]*time.Timer, T)
	r := rng{2}
	for i := 0; i < T; i++ {
		i := i
		d := r.between(1000000, 20000000)
		atomic.StoreInt64(&due[i], now()+d)
		timers[i] = time.AfterFunc(time.Duration(d), func() {
			l := now() - atomic.LoadInt64(&due[i])
			if l >= 0 {
				late.add(l)
			}
		})
	}
	start := now()
	var stop int32
	var wg sync.WaitGroup
	wg.Add(C + 1)
	for c := 0; c < C; c++ {
		c := c
		go func() {
			cr := rng{uint64(100 + c)}
			ops := 0
			for now()-start < int64(churnFor) {
				i := int(cr.next()%uint64(T/C))*C + c
				if cr.next()%2 == 0 {
					timers[i].Stop()
				} else {
					d := cr.between(1000000, 20000000)
					atomic.StoreInt64(&due[i], now()+d)
					timers[i].Reset(time.Duration(d))
				}
				ops++
				if ops%64 == 0 {
					runtime.Gosched()
				}
			}
			wg.Done()
		}()
	}
	go func() {
		p := 1
		for atomic.LoadInt32(&stop) == 0 {
			runtime.GOMAXPROCS(p)
			p = p%4 + 1
			time.Sleep(2 * time.Millisecond)
		}
		wg.Done()
	}()
	time.Sleep(churnFor)
	atomic.StoreInt32(&stop, 1)
	wg.Wait()
	runtime.GOMAXPROCS(2)
	time.Sleep(40 * time.Millisecond)
	for _, t := range timers {
		t.Stop()
	}
	// Callbacks started late may still be running: wait until the count
	// has stood still for 50 ms (at most 60 s), so all of them are counted.
	for n0, t0 := int64(-1), now(); atomic.LoadInt64(&late.n) != n0 && now()-t0 < 60e9; {
		n0 = atomic.LoadInt64(&late.n)
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Printf("scenario churn procs=1-4 fired=%d", atomic.LoadInt64(&late.n))
	late.print()
	fmt.Println()
}

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

func million(procs, G int) {
	c := make(chan bool)
	var started, exited sync.WaitGroup
	before := residentBytes()
	started.Add(G)
	exited.Add(G)
	t0 := now()
	for i := 0; i < G; i++ {
		go func() {
			started.Done()
			<-c
			exited.Done()
		}()
	}
	started.Wait()
	for i := 0; i < 10; i++ {
		runtime.Gosched()
	}
	t1 := now()
	after := residentBytes()
	close(c)
	exited.Wait()
	t2 := now()
	fmt.Printf("scenario million procs=%d goroutines=%d create_ms=%.1f release_ms=%.1f rss_per_g=%.0f\n", procs, G,
		float64(t1-t0)/1e6, float64(t2-t1)/1e6, float64(after-before)/float64(G))
}

func main() {
	name := flag.String("scenario", "", "sleepers, sleepers15, churn, million")
	procs := flag.Int("procs", 2, "GOMAXPROCS")
	n := flag.Int("n", 1000000, "goroutines (million)")
	traceTo := flag.String("trace", "", "write an execution trace to this file (gort's side: GORT_TRACE=file)")
	flag.Parse()
	runtime.GOMAXPROCS(*procs)
	if *traceTo != "" {
		f, err := os.Create(*traceTo)
		if err == nil {
			err = trace.Start(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer func() { trace.Stop(); f.Close() }()
	}
	switch *name {
	case "sleepers":
		sleepers("sleepers", *procs, false)
	case "sleepers15":
		sleepers("sleepers15", *procs, true)
	case "churn":
		churn()
	case "million":
		million(*procs, *n)
	default:
		fmt.Fprintf(os.Stderr, "unknown scenario %q\n", *name)
		os.Exit(2)
	}
}
