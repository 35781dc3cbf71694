#!/usr/bin/python3
"""compare.py: gort's benchmarks beside Go 1.19's, alternating, in one run.

    tools/bench/compare.py --build DIR [--benchtime 1s] [--markdown FILE]

DIR holds gort_bench (DIR/tools/bench/gort_bench, built in Release by
`make bench`) and receives the Go binaries: go-runtime.test (Go's own
runtime tests, `go test -c runtime`), go-extra.test (tools/bench/go) and
go-rss (tools/bench/go/rss), built with GOROOT=/usr/lib/go-1.19 and a
GOCACHE/GOPATH under DIR/go. For each benchmark: gort's run, then Go's,
then the next one, so both see the same machine load; the benchmarks
issue 15's goals name (GOAL_BENCHMARKS) run --goal-rounds times so, and
show medians with each round's ratio. Prints a table of
ns/op and the gort/Go ratio, the extra measurements, and the issue-7
targets, then the whole-program scenarios (timers, churn, a million
goroutines: gort_bench -scenario, go-scenarios) as medians of --rounds
alternating runs; --markdown writes the same as Markdown.
"""

import argparse
import os
import re
import subprocess
import sys
import time

GOROOT = "/usr/lib/go-1.19"
GO = os.path.join(GOROOT, "bin", "go")

# Go's runtime benchmarks that bench.cpp ports, in its order.
RUNTIME = [
    "BenchmarkCreateGoroutines",
    "BenchmarkCreateGoroutinesParallel",
    "BenchmarkCreateGoroutinesSingle",
    "BenchmarkPingPongHog",
    "BenchmarkChanSync",
    "BenchmarkChanProdCons0",
    "BenchmarkChanProdCons10",
    "BenchmarkChanProdCons100",
    "BenchmarkChanUncontended",
    "BenchmarkChanContended",
    "BenchmarkSelectUncontended",
    "BenchmarkSelectProdCons",
    "BenchmarkWakeupParallelSpinning",
    "BenchmarkWakeupParallelSyscall",
    "BenchmarkSyscall",
    "BenchmarkMatmult",
]

# The runtime benchmarks that issue 15's goals name: run --goal-rounds times,
# alternating gort and Go, and shown as medians (one 1 s run of each moves by
# 10-30% on a shared 2-core machine, as much as a goal's margin).
GOAL_BENCHMARKS = {"BenchmarkCreateGoroutines", "BenchmarkPingPongHog", "BenchmarkChanProdCons100",
                   "BenchmarkGosched", "BenchmarkFanout100k"}

# The switch benchmarks (bench.cpp): gort's raw switch, then its twins.
SWITCHES = ["BenchmarkRawSwitch", "BenchmarkBoostJump", "BenchmarkSwapRegs", "BenchmarkSwapRegsFP"]

LINE_RE = re.compile(r"^(Benchmark\S+)\s+(\d+)\s+([0-9.]+) ns/op")
RSS_RE = re.compile(r"([0-9.]+) bytes per parked goroutine")
KV_RE = re.compile(r"(\w+)=([0-9.]+)\b")

# Whole-program scenarios (scenarios.cpp, go/scenarios/main.go): name,
# arguments, the keys shown. Each runs ROUNDS times alternating gort, Go and
# gort with 16 KiB stacks (SetMaxStack: the address-space density of Go's
# stacks, see docs/benchmarks.md); the table shows medians.
SLEEPER_KEYS = ["wall_ms", "spawn_ms", "late_mean_us", "late_p99_us", "late_max_us"]
SCENARIOS = [
    ("sleepers P=1", ["-scenario", "sleepers", "-procs", "1"], SLEEPER_KEYS),
    ("sleepers P=2", ["-scenario", "sleepers", "-procs", "2"], SLEEPER_KEYS),
    ("sleepers 1-5ms P=1", ["-scenario", "sleepers15", "-procs", "1"], SLEEPER_KEYS),
    ("sleepers 1-5ms P=2", ["-scenario", "sleepers15", "-procs", "2"], SLEEPER_KEYS),
    ("timer churn", ["-scenario", "churn"], ["fired", "late_mean_us", "late_p99_us", "late_max_us"]),
]


def sh(cmd, env=None, cwd=None, timeout=600):
    r = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=timeout)
    if r.returncode != 0:
        sys.stdout.write(r.stdout)
        raise SystemExit(f"compare.py: {' '.join(cmd)} exited {r.returncode}")
    return r.stdout


def results(out):
    return [(m.group(1), int(m.group(2)), float(m.group(3)))
            for m in map(LINE_RE.match, out.splitlines()) if m]


def goenv(build):
    env = dict(os.environ)
    env.update(GOROOT=GOROOT, GOCACHE=os.path.join(build, "go", "cache"),
               GOPATH=os.path.join(build, "go", "path"), GOPROXY="off", GOFLAGS="-mod=mod",
               GO111MODULE="on")
    return env


def build_go(build, src):
    env = goenv(build)
    gobench = os.path.join(src, "tools", "bench", "go")
    steps = [
        (os.path.join(build, "go-runtime.test"), [GO, "test", "-c", "-o", os.path.join(build, "go-runtime.test"), "runtime"], build),
        (os.path.join(build, "go-extra.test"), [GO, "test", "-c", "-o", os.path.join(build, "go-extra.test"), "."], gobench),
        (os.path.join(build, "go-rss"), [GO, "build", "-o", os.path.join(build, "go-rss"), "./rss"], gobench),
        (os.path.join(build, "go-scenarios"), [GO, "build", "-o", os.path.join(build, "go-scenarios"), "./scenarios"],
         gobench),
    ]
    for out, cmd, cwd in steps:
        # go's build cache makes an up-to-date rebuild quick; Go's runtime
        # tests take a few minutes the first time.
        print(f"compare.py: {' '.join(cmd[:3])} ... {os.path.basename(out)}", flush=True)
        sh(cmd, env=env, cwd=cwd, timeout=1800)


def fmt_ns(x):
    if x is None:
        return "-"
    if x >= 1000:
        return f"{x:.0f}"
    if x >= 100:
        return f"{x:.1f}"
    return f"{x:.2f}"


def scenario_table(scen_rows, args):
    out = [f"| scenario (median of {args.rounds}; the million: 1 run) | measure | gort | Go | gort/Go | gort, 16 KiB stacks |",
           "|---|---|---:|---:|---:|---:|"]
    for label, k, g, o, g16 in scen_rows:
        r = f"{g / o:.2f}" if g is not None and o else "-"
        out.append(f"| {label} | {k} | {fmt_ns(g)} | {fmt_ns(o)} | {r} | {fmt_ns(g16)} |")
    return out


def print_scenarios(scen_rows, args):
    text = "\n".join(scenario_table(scen_rows, args)) + "\n"
    print()
    print(text)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--benchtime", default="1s")
    ap.add_argument("--markdown", default=None)
    ap.add_argument("--skip-go-build", action="store_true")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of each scenario (medians)")
    ap.add_argument("--goal-rounds", type=int, default=5,
                    help="alternating rounds of the issue-15 goal benchmarks (medians; the others run once)")
    ap.add_argument("--million", type=int, default=1000000, help="goroutines in the million scenario (0: skip)")
    ap.add_argument("--only-scenarios", action="store_true")
    ap.add_argument("--no-scenarios", action="store_true", help="skip the whole-program scenarios")
    ap.add_argument("--runtime", default=None,
                    help="comma-separated subset of Go's runtime benchmarks to run (default: all of RUNTIME)")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    src = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    gort = os.path.join(build, "tools", "bench", "gort_bench")
    if not os.access(GO, os.X_OK):
        raise SystemExit(f"compare.py: no {GO} (apt-get install golang-1.19-go golang-1.19-src)")
    if not args.skip_go_build:
        build_go(build, src)
    goenv_run = goenv(build)
    t0 = time.time()
    bt = ["-test.benchtime", args.benchtime]

    rows = []  # (name, gort ns/op, go ns/op)
    round_ratios = {}  # name -> gort/Go of each round (goal benchmarks)

    def median(xs):
        xs = sorted(xs)
        return xs[len(xs) // 2] if xs else None


    def pair(name, gort_args, go_cmd, rounds=1):
        # rounds > 1 (the issue-15 goal benchmarks): gort, Go, gort, Go, ...
        # and the median of each side, as the issue measures them; the ratio
        # of each round is kept for the spread shown in the goal table.
        gs, os_ = {}, {}
        for _ in range(rounds):
            g = results(sh([gort] + gort_args))
            for line in g:
                print("gort  " + f"{line[0]:<44} {line[1]:>10} {fmt_ns(line[2]):>12} ns/op", flush=True)
            o = results(sh(go_cmd, env=goenv_run)) if go_cmd else []
            for line in o:
                print("Go    " + f"{line[0]:<44} {line[1]:>10} {fmt_ns(line[2]):>12} ns/op", flush=True)
            gd = {n: ns for n, _, ns in g}
            od = {n: ns for n, _, ns in o}
            for n in gd:
                gs.setdefault(n, []).append(gd[n])
                if n in od:
                    round_ratios.setdefault(n, []).append(gd[n] / od[n])
            for n in od:
                os_.setdefault(n, []).append(od[n])
        for n in list(gs) + [n for n in os_ if n not in gs]:
            rows.append((n, median(gs.get(n, [])), median(os_.get(n, []))))

    def kv(out):
        m = [l for l in out.splitlines() if l.startswith("scenario ")]
        if not m:
            raise SystemExit("compare.py: no scenario line in:\n" + out)
        return {k: float(v) for k, v in KV_RE.findall(m[-1])}

    go_scen = os.path.join(build, "go-scenarios")
    scen_rows = []  # (label, key, gort, go, gort16)

    def scenario(label, sargs, keys, rounds):
        got = {"gort": [], "go": [], "gort16": []}
        for _ in range(rounds):
            got["gort"].append(kv(sh([gort] + sargs, timeout=1800)))
            got["go"].append(kv(sh([go_scen] + sargs, env=goenv_run, timeout=1800)))
            got["gort16"].append(kv(sh([gort] + sargs + ["-stack", "16384"], timeout=1800)))
        for side in got:
            for r in got[side]:
                print(f"{side:<7} {label:<22} " + " ".join(f"{k}={r.get(k)}" for k in keys), flush=True)
        for k in keys:
            scen_rows.append((label, k, *(median([r[k] for r in got[side] if k in r]) for side in ("gort", "go", "gort16"))))

    for label, sargs, keys in ([] if args.no_scenarios else SCENARIOS):
        scenario(label, sargs, keys, args.rounds)
    if args.million > 0 and not args.no_scenarios:
        scenario(f"{args.million} goroutines", ["-scenario", "million", "-procs", "2", "-n", str(args.million)],
                 ["create_ms", "release_ms", "rss_per_g"], 1)

    runtime_names = RUNTIME if args.runtime is None else [n for n in args.runtime.split(",") if n]
    for name in ([] if args.only_scenarios else runtime_names):
        pat = f"^{name}$"
        pair(name, ["-test.bench", pat] + bt,
             [os.path.join(build, "go-runtime.test"), "-test.run", "NONE", "-test.bench", pat] + bt,
             args.goal_rounds if name in GOAL_BENCHMARKS else 1)
    if args.only_scenarios:
        return print_scenarios(scen_rows, args)
    pair("BenchmarkGosched", ["-test.bench", "^BenchmarkGosched$"] + bt,
         [os.path.join(build, "go-extra.test"), "-test.run", "NONE", "-test.bench", "^BenchmarkGosched$"] + bt,
         args.goal_rounds)
    pair("BenchmarkFanout100k", ["-test.bench", "^BenchmarkFanout100k$", "-test.cpu", "1,2"] + bt,
         [os.path.join(build, "go-extra.test"), "-test.run", "NONE", "-test.bench", "^BenchmarkFanout100k$",
          "-test.cpu", "1,2"] + bt, args.goal_rounds)
    # The switches: gort's mcall+gogo beside Boost.Context's jump_fcontext
    # and the plain swaps, each alone, alternating, --rounds times (medians).
    switch_runs = {}
    for _ in range(args.rounds):
        for name in SWITCHES:
            for n, _, ns in results(sh([gort, "-test.bench", f"^{name}$"] + bt)):
                print("gort  " + f"{n:<44} {'':>10} {fmt_ns(ns):>12} ns/op", flush=True)
                switch_runs.setdefault(n, []).append(ns)
    for n, v in switch_runs.items():
        rows.append((n, median(v), None))

    gort_rss = float(RSS_RE.search(sh([gort, "-rss"])).group(1))
    go_rss = float(RSS_RE.search(sh([os.path.join(build, "go-rss")], env=goenv_run)).group(1))
    elapsed = time.time() - t0

    d = {n: (g, o) for n, g, o in rows}

    def named(prefix, n):
        # a benchmark's name with or without its -GOMAXPROCS suffix
        return re.fullmatch(re.escape(prefix) + r"(-\d+)?", n) is not None

    def get(prefix, side):
        for n, (g, o) in d.items():
            if named(prefix, n):
                return g if side == 0 else o
        return None

    def rounds_of(prefix):
        # the gort/Go ratio of each round where the benchmark ran in rounds
        for n, v in round_ratios.items():
            if prefix and len(v) > 1 and named(prefix, n):
                return v
        return []

    def ratio(name):
        # The median of the rounds' ratios where a benchmark ran in rounds
        # (each round's two runs saw the same minute's load), else one ratio.
        if rounds_of(name):
            return median(rounds_of(name))
        g, o = get(name, 0), get(name, 1)
        return g / o if g and o else None

    raw = get("BenchmarkRawSwitch", 0)
    boost = get("BenchmarkBoostJump", 0)
    swap = get("BenchmarkSwapRegs", 0)
    swapfp = get("BenchmarkSwapRegsFP", 0)
    f1g, f2g = d.get("BenchmarkFanout100k", (None, None))[0], None
    f1o = d.get("BenchmarkFanout100k", (None, None))[1]
    for n, (g, o) in d.items():
        if re.fullmatch(r"BenchmarkFanout100k-\d+", n):
            f2g, f2o = g, o
    scale_g = f1g / f2g if f1g and f2g else None
    scale_o = f1o / f2o if f1o and f2o else None

    targets = [
        ("Gosched (BenchmarkGosched)", ratio("BenchmarkGosched"), "<=", 0.5, "ratio"),
        ("create+exit (BenchmarkCreateGoroutines)", ratio("BenchmarkCreateGoroutines"), "<=", 0.5, "ratio"),
        ("unbuffered ping-pong (BenchmarkPingPongHog)", ratio("BenchmarkPingPongHog"), "<=", 0.5, "ratio"),
        ("buffered producer/consumer (BenchmarkChanProdCons10)", ratio("BenchmarkChanProdCons10"), "<=", 0.6, "ratio"),
        ("buffered producer/consumer (BenchmarkChanProdCons100)", ratio("BenchmarkChanProdCons100"), "<=", 0.6, "ratio"),
        ("raw switch, ns per G-to-G switch (RawSwitch/2)", raw / 2 if raw else None, "<=", 5.0, "ns"),
        ("RSS per parked G at 100k, bytes", gort_rss, "<=", 4600, "bytes"),
        ("fan-out 100k short Gs, p1/p2 time", scale_g, ">=", 1.95, "x"),
    ]

    # Issue 15's goals 2-4 (goal 1, the timers, is the scenario table).
    goals15 = [
        ("Gosched (BenchmarkGosched), gort/Go", ratio("BenchmarkGosched"), "<=", 0.9, "BenchmarkGosched"),
        ("unbuffered ping-pong (BenchmarkPingPongHog), gort/Go", ratio("BenchmarkPingPongHog"), "<=", 0.9,
         "BenchmarkPingPongHog"),
        ("raw switch / Boost.Context jump_fcontext (RawSwitch/BoostJump)", raw / boost if raw and boost else None,
         "<=", 1.0, None),
        ("spawn (BenchmarkCreateGoroutines), gort/Go", ratio("BenchmarkCreateGoroutines"), "<=", 0.6,
         "BenchmarkCreateGoroutines"),
        ("buffered producer/consumer (BenchmarkChanProdCons100), gort/Go", ratio("BenchmarkChanProdCons100"), "<=",
         0.9, "BenchmarkChanProdCons100"),
        ("RSS per parked G at 100k, bytes", gort_rss, "<=", 4600, None),
        ("fan-out 100k short Gs, p1/p2 time (idle machine)", scale_g, ">=", 1.95, None),
    ]

    out = []
    w = out.append
    w("| benchmark | gort ns/op | Go ns/op | gort/Go |")
    w("|---|---:|---:|---:|")
    for n, g, o in rows:
        r = f"{g / o:.2f}" if g and o else "-"
        w(f"| {n} | {fmt_ns(g)} | {fmt_ns(o)} | {r} |")
    w("")
    w("| extra | gort | Go |")
    w("|---|---:|---:|")
    w(f"| raw switch: mcall+gogo, ns per G-to-G switch | {fmt_ns(raw / 2) if raw else '-'} | - |")
    w(f"| Boost.Context jump_fcontext (keeps the FP control state too), ns per switch | {fmt_ns(boost / 2) if boost else '-'} | - |")
    w(f"| plain callee-saved register swap, ns per switch | {fmt_ns(swap / 2) if swap else '-'} | - |")
    w(f"| the same, also keeping the FP control state (as mcall does), ns per switch | {fmt_ns(swapfp / 2) if swapfp else '-'} | - |")
    w(f"| RSS per parked goroutine at 100k, bytes | {gort_rss:.0f} | {go_rss:.0f} |")
    w(f"| fan-out 100k short Gs, ms at GOMAXPROCS 1 | {fmt_ns(f1g / 1e6) if f1g else '-'} | {fmt_ns(f1o / 1e6) if f1o else '-'} |")
    w(f"| fan-out 100k short Gs, ms at GOMAXPROCS 2 | {fmt_ns(f2g / 1e6) if f2g else '-'} | {fmt_ns(f2o / 1e6) if f2o else '-'} |")
    w(f"| fan-out scaling p1 -> p2 | {scale_g:.2f}x | {scale_o:.2f}x |" if scale_g and scale_o else "| fan-out scaling | - | - |")
    w("")
    w("| issue-7 target | measured | target | met |")
    w("|---|---:|---:|---|")
    for label, v, op, lim, unit in targets:
        if v is None:
            w(f"| {label} | - | {op} {lim} | not measured |")
            continue
        met = v <= lim if op == "<=" else v >= lim
        shown = f"{v:.2f}" if unit in ("ratio", "x", "ns") else f"{v:.0f}"
        w(f"| {label} | {shown} | {op} {lim} | {'yes' if met else 'NO'} |")
    w("")
    w(f"| issue-15 goal | measured (median of {args.goal_rounds} rounds) | goal | met | gort/Go of each round |")
    w("|---|---:|---:|---|---|")
    for label, v, op, lim, bench in goals15:
        if v is None:
            w(f"| {label} | - | {op} {lim} | not measured | - |")
            continue
        met = v <= lim if op == "<=" else v >= lim
        shown = f"{v:.0f}" if lim > 100 else f"{v:.2f}"
        w(f"| {label} | {shown} | {op} {lim} | {'yes' if met else 'NO'} | {' '.join(f'{x:.2f}' for x in rounds_of(bench)) or '-'} |")
    w("")
    out.extend(scenario_table(scen_rows, args))
    w("")
    w(f"benchtime {args.benchtime}; {elapsed:.0f} s for the runs.")
    text = "\n".join(out) + "\n"
    print()
    print(text)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
