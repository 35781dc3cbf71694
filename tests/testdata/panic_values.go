// The Go twin of testprog's PanicNonStd scenario (tests/order_test.cpp):
// a goroutine panics with the value PANIC_VALUE names. Run:
// PANIC_VALUE=double go run panic_values.go; Go 1.19.8's first lines are
// the ones the test expects of gort (for "point", Go prints the value's
// address where gort says "C++ exception"; "cstring" and "string" are
// both Go's string).
package main

import (
	"math"
	"os"
	"time"
)

type PanicPoint struct{ x, y int }

func main() {
	kind := os.Getenv("PANIC_VALUE")
	if kind == "" {
		kind = "int"
	}
	go func() {
		switch kind {
		case "int":
			panic(42)
		case "negative":
			panic(int64(-7))
		case "unsigned":
			panic(uint64(math.MaxUint64))
		case "bool":
			panic(true)
		case "double":
			panic(1.5)
		case "tiny":
			panic(-0.000123)
		case "big":
			panic(6.02214076e23)
		case "nan":
			panic(math.NaN())
		case "inf":
			panic(math.Inf(-1))
		case "cstring", "string":
			panic("boom")
		case "nil":
			panic(nil)
		}
		panic(PanicPoint{1, 2})
	}()
	time.Sleep(time.Hour)
}
