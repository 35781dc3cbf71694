#!/bin/bash
# bench_traced.sh — what tracing costs: runs gort_bench's ping-pong and
# Gosched benchmarks untraced, with GORT_TRACE in Go's format and in
# Chrome JSON, and prints ns/op and the ratio to untraced (the target:
# Go's format at most 1.5x). Timing, so not a test: docs/benchmarks.md.
#   tools/gotrace/bench_traced.sh [GORT_BENCH] [BENCHTIME]
set -eu
bench=${1:-build-bench/tools/bench/gort_bench}
benchtime=${2:-1s}
re='^(BenchmarkPingPongHog|BenchmarkChanSync|BenchmarkGosched|BenchmarkChanProdCons0)$'
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
run() {  # run LABEL ENV...: name -> ns/op lines in $dir/LABEL
  env "${@:2}" "$bench" -test.bench "$re" -test.benchtime "$benchtime" -test.cpu 1,2 |
    awk '/^Benchmark/ {print $1, $3}' > "$dir/$1"
}
run off GORT_TRACE=
run go GORT_TRACE="$dir/b.trace" GORT_TRACEFMT=go
run json GORT_TRACE="$dir/b.json" GORT_TRACEFMT=json
printf '%-28s %10s %10s %6s %10s %6s\n' benchmark untraced go-fmt ratio json ratio
join <(sort "$dir/off") <(sort "$dir/go") | join - <(sort "$dir/json") |
  awk '{printf "%-28s %10.1f %10.1f %5.2fx %10.1f %5.2fx\n", $1, $2, $3, $3/$2, $4, $4/$2}'
