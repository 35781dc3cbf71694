#!/bin/bash
# bench_traced.sh — what tracing costs: runs gort_bench's ping-pong and
# Gosched benchmarks untraced, with GORT_TRACE in Go's format (one-frame
# stacks, and with GORT_TRACESTACKS=$STACKS call stacks) and in Chrome
# JSON, and prints each one's median ns/op over ROUNDS rounds and its
# ratio to untraced (the target: Go's format at most 1.5x). On a shared
# machine the configurations take turns within each round, so a burst of
# load hits all of them alike; the load average is printed before and
# after. Timing, so not a test: docs/benchmarks.md.
#   tools/gotrace/bench_traced.sh [GORT_BENCH] [BENCHTIME] [ROUNDS]
#   STACKS=N (default 32): the depth of the GORT_TRACESTACKS column.
set -eu
bench=${1:-build-bench/tools/bench/gort_bench}
benchtime=${2:-1s}
rounds=${3:-5}
stacks=${STACKS:-32}
re='^(BenchmarkPingPongHog|BenchmarkChanSync|BenchmarkGosched|BenchmarkChanProdCons0)$'
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
run() {  # run LABEL ENV...: appends "name ns/op" lines to $dir/LABEL
  env "${@:2}" "$bench" -test.bench "$re" -test.benchtime "$benchtime" -test.cpu 1,2 |
    awk '/^Benchmark/ {print $1, $3}' >> "$dir/$1"
}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); $rounds rounds of -test.benchtime $benchtime"
for r in $(seq "$rounds"); do
  run off GORT_TRACE=
  run go GORT_TRACE="$dir/b.trace" GORT_TRACEFMT=go GORT_TRACESTACKS=
  run stk GORT_TRACE="$dir/b.trace" GORT_TRACEFMT=go GORT_TRACESTACKS="$stacks"
  run json GORT_TRACE="$dir/b.json" GORT_TRACEFMT=json GORT_TRACEMAX=0  # all of it: no cut at 1 GiB
done
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
median() {  # median LABEL: "name median" lines, sorted by name
  sort -k1,1 -k2,2g "$dir/$1" | awk '
    $1 != name { if (name != "") print name, v[int((n + 1) / 2)]; name = $1; n = 0 }
    { v[++n] = $2 }
    END { print name, v[int((n + 1) / 2)] }'
}
printf '%-28s %9s %9s %6s %9s %6s %9s %6s\n' benchmark untraced go-fmt ratio stacks$stacks ratio json ratio
join <(median off) <(median go) | join - <(median stk) | join - <(median json) |
  awk '{printf "%-28s %9.1f %9.1f %5.2fx %9.1f %5.2fx %9.1f %5.2fx\n", $1, $2, $3, $3/$2, $4, $4/$2, $5, $5/$2}'
