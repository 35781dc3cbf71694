#!/bin/bash
# check_gotrace.sh — runs the tour and every testprog scenario with
# GORT_TRACE in Go 1.19's format and has Go's own parser read each trace
# (`go tool trace -d`); fails on any parser error. Also checks that
# `go tool trace -pprof=sched` prints a profile of the tour's trace, and
# that the tour traced with GORT_TRACESTACKS has multi-frame stacks.
#   check_gotrace.sh TOUR TESTPROG [EMULATOR...]
# GOTRACE_SKIP: scenarios this build cannot run (space-separated; the
# TSan build names those that need asynchronous preemption).
# Exit 77 (ctest: skipped) when the Go 1.19 toolchain is absent.
set -u
tour=$1 testprog=$2
shift 2
emu=("$@")
go=/usr/lib/go-1.19/bin/go
[ -x "$go" ] || { echo "skipped: no $go (tools/deps.sh installs golang-1.19-go)"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0 n=0
# parse NAME: go tool trace -d on $dir/NAME.trace; a parser error fails.
parse() {
  n=$((n + 1))
  if [ ! -s "$dir/$1.trace" ]; then
    echo "FAIL $1: no trace written"
    fail=$((fail + 1))
    return
  fi
  if ! "$go" tool trace -d "$dir/$1.trace" > "$dir/$1.txt" 2> "$dir/$1.err" || grep -qv '^.* Parsing trace\.\.\.$' "$dir/$1.err"; then
    echo "FAIL $1: go tool trace -d: $(grep -v 'Parsing trace' "$dir/$1.err" | head -3)"
    fail=$((fail + 1))
    return
  fi
  echo "ok   $1: $(wc -l < "$dir/$1.txt") events"
}
for procs in 1 4; do
  GOMAXPROCS=$procs GORT_TRACE="$dir/tour$procs.trace" "${emu[@]}" "$tour" > /dev/null 2>&1
  parse "tour$procs"
done
# GORT_TRACESTACKS: call stacks, symbolized with file:line. The blocking
# profile's samples must be several frames deep and reach the tour's own
# source (go tool pprof reads the profile -pprof=sync writes).
GOMAXPROCS=4 GORT_TRACESTACKS=32 GORT_TRACE="$dir/tourstacks.trace" "${emu[@]}" "$tour" > /dev/null 2>&1
parse tourstacks
n=$((n + 1))
"$go" tool trace -pprof=sync "$dir/tourstacks.trace" > "$dir/sync.pprof" 2> /dev/null
deepest=$("$go" tool pprof -traces "$dir/sync.pprof" 2> /dev/null |
  awk '/^-+\+/ {if (k > max) max = k; k = 0; next} NF {k++} END {if (k > max) max = k; print max + 0}')
if [ "$deepest" -ge 3 ] && "$go" tool pprof -raw "$dir/sync.pprof" 2> /dev/null | grep -q 'tools/tour/tour\.cpp:[0-9]'; then
  echo "ok   GORT_TRACESTACKS: blocking stacks up to $deepest frames, with tour.cpp lines"
else
  echo "FAIL GORT_TRACESTACKS: deepest blocking stack $deepest frames (want >= 3 with tour.cpp:line)"
  fail=$((fail + 1))
fi
# GORT_TRACEMAX: a trace the writer ended at its size cap still parses.
GORT_TRACEMAX=64K GORT_TRACE="$dir/tracemax.trace" "${emu[@]}" "$testprog" TraceMany > "$dir/tracemax.out" 2>&1
if grep -q 'GORT_TRACEMAX=65536 bytes; the trace ends here' "$dir/tracemax.out"; then
  parse tracemax
else
  n=$((n + 1))
  echo "FAIL tracemax: no GORT_TRACEMAX message: $(head -3 "$dir/tracemax.out")"
  fail=$((fail + 1))
fi
# -pprof=sched: Go's scheduler-latency profile, a gzipped protobuf.
if "$go" tool trace -pprof=sched "$dir/tour4.trace" > "$dir/sched.pprof" 2> "$dir/pprof.err" &&
   [ "$(head -c 2 "$dir/sched.pprof" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
  echo "ok   go tool trace -pprof=sched: $(wc -c < "$dir/sched.pprof") bytes"
else
  echo "FAIL go tool trace -pprof=sched: $(head -3 "$dir/pprof.err")"
  fail=$((fail + 1))
fi
# Every scenario but those that hang or die by a signal by design (their
# tests run them with a timeout or a debugger).
for s in $("${emu[@]}" "$testprog" 2>&1 | sed -n 's/.*scenarios: //p'); do
  # StackCanaryClobber spins until a clobber: millions of events, a minute to print.
  # OomStacks runs the process out of memory, the trace's own buffers included.
  # AbortInMalloc, FaultInMalloc die holding the C allocator's lock: their traces are left unfinished.
  case $s in CrashDumpsAllThreads | NoPreemptHonoured | StackOverflowGuard | StackOverflowGuardMprotect | StackCanaryClobber | PanicSystemstack | SignalExitStatus | OomStacks | AbortInMalloc | FaultInMalloc) continue ;; esac
  case " ${GOTRACE_SKIP:-} " in *" $s "*) echo "skip $s: GOTRACE_SKIP (not runnable in this build)"; continue ;; esac
  GORT_TRACE="$dir/$s.trace" timeout 120 "${emu[@]}" "$testprog" "$s" > /dev/null 2>&1
  parse "$s"
done
echo "$((n + 1 - fail)) passed, $fail failed"
[ $fail -eq 0 ]
