#!/usr/bin/python3
"""difftest.py -- runs gen.py's programs under Go 1.19 and under gort, both
at GOMAXPROCS=1 and traced, and compares (a) their output and (b) the
order of their user goroutines' events (docs/17-difftest.md).

  difftest.py [--build build] [--seeds 0:100] [--minimise N] [--work DIR]

Exit status: 0 when every seed is identical, 1 when one is not, 77 when
the Go 1.19 toolchain is absent (ctest: skipped).
"""
import argparse
import concurrent.futures
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

GOROOT = "/usr/lib/go-1.19"
GO = GOROOT + "/bin/go"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIMEOUT = 60

# The goroutine events compared; the rest (ProcStart/ProcStop, Gomaxprocs,
# GC, heap, ...) say which M or P, not which goroutine, and are dropped.
GEVENTS = {"GoCreate", "GoStart", "GoEnd", "GoStop", "GoSched", "GoPreempt", "GoSleep",
           "GoBlock", "GoBlockSend", "GoBlockRecv", "GoBlockSelect", "GoBlockSync",
           "GoBlockCond", "GoBlockNet", "GoBlockGC", "GoUnblock", "GoSysCall", "GoSysExit",
           "GoSysBlock", "GoWaiting", "GoInSyscall", "GoStartLabel"}
# the events whose second g= names another goroutine
TARGETED = {"GoCreate", "GoStart", "GoUnblock", "GoStartLabel", "GoSysExit", "GoWaiting",
            "GoInSyscall"}


class Fail(Exception):
    pass


def tracetool():
    out = subprocess.run([GO, "env", "GOTOOLDIR"], capture_output=True, text=True).stdout.strip()
    return os.path.join(out, "trace")


def parse(tool, path):
    """go tool trace -d: [(type, g, target)] in the parser's order."""
    r = subprocess.run([tool, "-d", path], capture_output=True, text=True, timeout=TIMEOUT)
    err = [ln for ln in r.stderr.splitlines() if not ln.endswith("Parsing trace...")]
    if r.returncode != 0 or err:
        raise Fail("go tool trace -d %s: %s" % (path, " ".join(err)[:300]))
    evs = []
    for ln in r.stdout.splitlines():
        f = ln.split()
        if len(f) < 3:
            continue
        gs = [int(x[2:]) for x in f[2:] if x.startswith("g=")]
        evs.append((f[1], gs[0], gs[1] if len(gs) > 1 and f[1] in TARGETED else None))
    return evs


def cut_go(evs, ncal, pad):
    """The user part of the Go twin's trace: after trace.Start's reader
    goroutine, the calibration's ncal goroutines and pad Goscheds."""
    created = [t for (ty, g, t) in evs if ty == "GoCreate" and g == 1]
    if len(created) < 1 + ncal:
        raise Fail("Go trace: %d goroutines created by main, calibration made %d" % (len(created), ncal))
    last = created[ncal]
    end = [i for i, (ty, g, t) in enumerate(evs) if ty == "GoEnd" and g == last]
    if not end:
        raise Fail("Go trace: calibration goroutine %d never ended" % last)
    rest = [e for e in evs[end[0] + 1:] if e[0] in GEVENTS]
    want = [("GoStart", 1, 1)] + [("GoSched", 1, None), ("GoStart", 1, 1)] * pad
    if rest[:len(want)] != want:
        raise Fail("Go trace: calibration tail %s, expected %s" % (rest[:len(want)], want))
    return rest[len(want):]


def cut_gort(evs):
    """The user part of gort's trace: after main's first start."""
    for i, (ty, g, t) in enumerate(evs):
        if ty == "GoStart" and t == 1:
            return [e for e in evs[i + 1:] if e[0] in GEVENTS]
    raise Fail("gort trace: main never started")


def normalise(evs):
    """Goids renamed by creation order (main is G0); events of goroutines
    not descended from main in the user part (Go's runtime goroutines, the
    trace reader) dropped; the tracer's closing GoSched of main dropped."""
    names = {1: "G0"}
    out = []
    for ty, g, t in evs:
        if ty == "GoCreate" and g in names:
            names[t] = "G%d" % len(names)
        if g != 0 and g not in names:
            continue
        if t is not None and t not in names:
            continue
        out.append("%s %s%s" % (ty, names.get(g, "-"), " " + names[t] if t is not None else ""))
    if out and out[-1] == "GoSched G0":
        out.pop()
    return out


class Runner:
    def __init__(self, build, work, jobs):
        self.build = os.path.abspath(build)
        self.work = work
        self.jobs = jobs
        self.tool = tracetool()
        self.env = dict(os.environ, GOMAXPROCS="1", GOGC="off", GO111MODULE="off",
                        GOCACHE=os.path.join(work, "gocache"), GOFLAGS="")
        self.env.pop("GORT_TRACE", None)
        self.env.pop("GORT_TRACEFMT", None)
        self.nbin = 0
        lib = os.path.join(self.build, "libgort.a")
        if not os.path.exists(lib):
            raise Fail("no %s: build gort first (cmake --build %s --target gort)" % (lib, build))
        bt = subprocess.run(["gcc", "-print-file-name=libbacktrace.a"], capture_output=True,
                            text=True).stdout.strip()
        self.cxx = ["g++", "-std=c++20", "-O0", "-I" + REPO]
        self.ldlibs = [lib, "-lunwind", bt, "-pthread"]

    def compile(self, progs):
        """progs [(name, Program)] -> (Go binary, gort binary)."""
        self.nbin += 1
        d = os.path.join(self.work, "bin%d" % self.nbin)
        os.makedirs(d, exist_ok=True)
        gsrc, csrc = gen.bundle(progs)
        with open(os.path.join(d, "main.go"), "w") as f:
            f.write(gsrc)
        with open(os.path.join(d, "progs.cpp"), "w") as f:
            f.write(csrc)
        gob, cppb = os.path.join(d, "go"), os.path.join(d, "gort")
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            a = ex.submit(subprocess.run, [GO, "build", "-o", gob, "main.go"], cwd=d, env=self.env,
                          capture_output=True, text=True)
            b = ex.submit(subprocess.run, ["nice"] + self.cxx + ["progs.cpp", "-o", cppb] + self.ldlibs,
                          cwd=d, capture_output=True, text=True)
            for r, what in ((a.result(), "go build"), (b.result(), "g++")):
                if r.returncode != 0:
                    raise Fail("%s in %s failed:\n%s" % (what, d, r.stderr[:3000]))
        return gob, cppb

    def run(self, argv, env):
        try:
            r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=TIMEOUT)
            return r.returncode, r.stdout, r.stderr
        except subprocess.TimeoutExpired as e:
            return "timeout", e.stdout or "", e.stderr or ""

    def phases(self, gob, cppb, runs=5):
        """P0's schedtick (mod 61) when main starts, in Go and in gort
        (untraced): the most common of runs probes each, and all seen."""
        res = []
        for b in (gob, cppb):
            seen = []
            for _ in range(runs):
                rc, out, err = self.run([b, "probe"], self.env)
                m = re.search(r"phase-hit (\d+)", out)
                if rc != 0 or not m:
                    raise Fail("probe %s: %s %s" % (b, rc, err[:300]))
                seen.append((61 - int(m.group(1))) % 61)
            res.append((max(set(seen), key=seen.count), sorted(seen)))
        return res

    def one(self, gob, cppb, name, phase, tag):
        """Runs one program in both; returns None if identical, else a report."""
        d = os.path.join(self.work, "t")
        os.makedirs(d, exist_ok=True)
        gt, ct = os.path.join(d, tag + ".go.trace"), os.path.join(d, tag + ".gort.trace")
        grc, gout, gerr = self.run([gob, name, gt, str(phase)], self.env)
        crc, cout, cerr = self.run([cppb, name], dict(self.env, GORT_TRACE=ct))
        rep = []
        if grc != 0 or crc != 0:
            rep.append("exit status: Go %s, gort %s\nGo stderr: %s\ngort stderr: %s" %
                       (grc, crc, gerr[-500:], cerr[-500:]))
        if gout != cout:
            rep.append("output differs:\n" + udiff(gout.splitlines(), cout.splitlines(), "Go", "gort"))
        if not rep:
            m = re.search(r"difftest-calibration (\d+) (\d+)", gerr)
            if not m:
                rep.append("Go twin printed no calibration line: " + gerr[-300:])
            else:
                try:
                    ge = normalise(cut_go(parse(self.tool, gt), int(m.group(1)), int(m.group(2))))
                    ce = normalise(cut_gort(parse(self.tool, ct)))
                    if ge != ce:
                        rep.append("events differ:\n" + udiff(ge, ce, "Go", "gort"))
                except Fail as e:
                    rep.append(str(e))
        for t in (gt, ct):
            if os.path.exists(t):
                os.unlink(t)
        return "\n".join(rep) if rep else None

    def settled(self, gob, cppb, name, phase, tries):
        """one(), retried: (report of the last try or None, tries used).
        A sleeper's wake-up order rests on the machine: a thread stalled
        for longer than the sleeps' spacing reorders them, in either
        runtime; a seed identical on a retry counts as identical."""
        for k in range(tries):
            rep = self.one(gob, cppb, name, phase, name)
            if rep is None:
                return None, k + 1
        return rep, tries

    def many(self, gob, cppb, names, phase, tries=3):
        with concurrent.futures.ThreadPoolExecutor(self.jobs) as ex:
            futs = [ex.submit(self.settled, gob, cppb, n, phase, tries) for n in names]
            return [f.result() for f in futs]


def udiff(a, b, an, bn, n=12):
    d = list(difflib.unified_diff(a, b, an, bn, n=3, lineterm=""))
    return "\n".join(d[:3 + 4 * n]) + ("\n..." if len(d) > 3 + 4 * n else "")


def minimise(r, seed, phase):
    """ddmin over the program's fillers and goroutines: the smallest program
    (by statements) that still differs."""
    p = gen.Program(seed)
    units = p.units()
    chunk = max(1, len(units) // 2)
    rounds = 0
    while chunk >= 1 and rounds < 40:
        rounds += 1
        units = [u for u in p.units() if u not in p.removed]
        groups = [units[i:i + chunk] for i in range(0, len(units), chunk)]
        cands = []
        for k, grp in enumerate(groups):
            q = gen.Program(seed)
            q.removed = set(p.removed) | set(grp)
            cands.append(("m%d_%d" % (seed, k), q))
        if not cands:
            break
        gob, cppb = r.compile(cands)
        # a candidate differs when it differs twice in a row
        res = r.many(gob, cppb, [n for n, _ in cands], phase, tries=1)
        hit = next((i for i, (x, _) in enumerate(res)
                    if x is not None and r.one(gob, cppb, cands[i][0], phase, cands[i][0])), None)
        if hit is not None:
            p = cands[hit][1]
        elif chunk == 1:
            break
        else:
            chunk = max(1, chunk // 2)
    q = gen.Program(seed)
    q.removed = p.removed
    gob, cppb = r.compile([("m%d" % seed, q)])
    rep = r.one(gob, cppb, "m%d" % seed, phase, "m%d" % seed)
    return q, rep


def parse_seeds(spec):
    """'0:12,52' -> [0, 1, ..., 11, 52]."""
    seeds = []
    for part in spec.split(","):
        if ":" in part:
            lo, hi = (int(x) for x in part.split(":"))
            seeds += range(lo, hi)
        else:
            seeds.append(int(part))
    return seeds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build"), help="gort's build tree (libgort.a)")
    ap.add_argument("--seeds", default="0:100",
                    help="A:B, the seeds A..B-1; or a comma-separated list of such ranges and single seeds (0:12,52)")
    ap.add_argument("--chunk", type=int, default=50, help="programs per binary")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--minimise", type=int, default=0, help="minimise at most N mismatches")
    ap.add_argument("--work", default=None, help="work directory (default: a temporary one)")
    ap.add_argument("--quiet", action="store_true", help="only the mismatches and the summary")
    ap.add_argument("--ignore-timing", action="store_true",
                    help="do not fail on a mismatch Go itself shows between its own runs (its start phase "
                         "or a seed's output varies): reported, not counted (ctest's slice runs beside "
                         "other tests)")
    a = ap.parse_args()
    if not os.access(GO, os.X_OK):
        print("skipped: no %s (tools/deps.sh installs golang-1.19-go)" % GO)
        return 77
    seeds = parse_seeds(a.seeds)
    work = a.work or tempfile.mkdtemp(prefix="difftest.")
    os.makedirs(work, exist_ok=True)
    try:
        r = Runner(a.build, work, a.jobs)
        chunks = [seeds[i:i + a.chunk] for i in range(0, len(seeds), a.chunk)]
        bad = {}
        retried = []
        timing = []
        phase = None
        for ch in chunks:
            gob, cppb = r.compile([("s%d" % s, gen.Program(s)) for s in ch])
            if phase is None:
                (gp, gseen), (cp, cseen) = r.phases(gob, cppb)
                print("start phase (P0's schedtick mod 61 when main starts, GOMAXPROCS=1): Go %d %s, gort %d %s"
                      % (gp, gseen, cp, cseen))
                if gp != cp and cp in gseen:
                    # Go's own phase varies with the machine (an extra
                    # schedule during init when a thread is late): gort's
                    # is one Go takes too, so the twins are compared there.
                    print("Go's own start phase varies between runs %s; gort's (%d) is one of them: "
                          "comparing at %d" % (gseen, cp, cp))
                    gp = cp
                elif gp != cp and a.ignore_timing and len(set(gseen)) > 1:
                    print("timing: Go's own start phase varies between runs %s; not counted" % gseen)
                elif gp != cp:
                    bad["phase"] = "main starts at schedtick %d (mod 61) in gort, %d in Go" % (cp, gp)
                    print("MISMATCH start phase: " + bad["phase"])
                phase = gp
            for s, (rep, tries) in zip(ch, r.many(gob, cppb, ["s%d" % s for s in ch], phase)):
                if rep is None:
                    if tries > 1:
                        retried.append(s)
                    if not a.quiet:
                        print("ok   seed %d%s" % (s, " (try %d)" % tries if tries > 1 else ""))
                else:
                    # Go against Go: does Go's own output vary from run to run?
                    outs = {r.run([gob, "s%d" % s], r.env)[1] for _ in range(4)}
                    if len(outs) > 1:
                        rep += "\n(timing: %d outputs in 4 untraced runs of the Go twin)" % len(outs)
                        timing.append(s)
                        if a.ignore_timing:
                            print("timing seed %d (Go's own output varies; not counted)\n%s" % (s, rep))
                            continue
                    bad[s] = rep
                    print("FAIL seed %d\n%s" % (s, rep))
            sys.stdout.flush()
        n = len(seeds)
        nbad = len([k for k in bad if k != "phase"]) + (len(timing) if a.ignore_timing else 0)
        print("difftest: %d/%d seeds identical in output and event order (%.1f%%)"
              % (n - nbad, n, 100.0 * (n - nbad) / max(1, n)))
        if timing:
            print("difftest: of the %d that differ, %d differ between runs of the Go twin itself: seeds %s%s"
                  % (nbad, len(timing), " ".join(map(str, timing)),
                     " (not counted as failures: --ignore-timing)" if a.ignore_timing else ""))
        if retried:
            print("difftest: %d of them identical only on a retry: seeds %s"
                  % (len(retried), " ".join(map(str, retried))))
        for s in [k for k in bad if k != "phase"][:a.minimise]:
            q, rep = minimise(r, s, phase)
            print("\nseed %d minimised to %d statements (of %d):" % (s, q.size(), gen.Program(s).size()))
            print(gen.render_go(q, "m%d" % s))
            print(rep or "(the minimised program no longer differs: flaky?)")
        return 1 if bad else 0
    except Fail as e:
        print("difftest: " + str(e))
        return 1
    finally:
        if a.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
