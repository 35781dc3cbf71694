#!/usr/bin/env python3
"""check_trace.py — checks a GORT_TRACE file (runtime/trace.cpp's output).

Usage: check_trace.py TRACE.json [KIND ...]

Exits 0 when the file is what trace.cpp promises, else prints what is wrong
and exits 1:
  - it parses as JSON, with a traceEvents array;
  - every KIND named on the command line occurs (an event's "cat": create,
    ready, park, preempt, syscall, sysexit, sysblock, procstart, procstop,
    gomaxprocs, steal, handoff, running, proc; or "end:WHY" for a running
    slice that ended for WHY, e.g. end:gosched);
  - within a lane (pid, tid), in file order, the time each record was
    written (an instant's ts, a slice's end) never goes back;
  - within a lane, slices of one level never overlap: "proc" and "syscall"
    slices are the outer level, "running" slices the inner; every running
    slice lies inside a proc slice (on a P's lane an M holds the P, on an
    M's lane it holds a P) and starts after it (viewers nest slices by
    start time: two that start together may be taken in either order);
  - every lane has a thread_name, and none was left out of the final
    flush (metadata: gort-skipped-lanes).
Times are compared exactly (the file has nanoseconds as decimals of us).
Python 3 standard library only.
"""
import json
import sys
from collections import defaultdict
from decimal import Decimal


def ns(v):
    return int(Decimal(v) * 1000)


def check(path, kinds):
    errors = []
    with open(path) as f:
        doc = json.load(f, parse_float=Decimal)
    events = doc["traceEvents"]
    skipped = doc.get("metadata", {}).get("gort-skipped-lanes", 0)
    if skipped:
        errors.append("%d lane(s) left out at the final flush" % skipped)
    seen = set()
    last = {}
    slices = defaultdict(list)  # (pid, tid, level) -> [(start, end, name)]
    named = set()
    lanes = set()
    for e in events:
        ph = e.get("ph")
        lane = (e.get("pid"), e.get("tid"))
        if ph == "M":
            if e.get("name") == "thread_name":
                named.add(lane)
            continue
        lanes.add(lane)
        cat = e.get("cat", "")
        seen.add(cat)
        if ph == "X":
            start, end = ns(e["ts"]), ns(e["ts"]) + ns(e["dur"])
            if end < start:
                errors.append("negative duration: %s" % e)
            if cat == "running":
                seen.add("end:" + e["args"].get("end", ""))
            level = "inner" if cat == "running" else "outer"
            slices[lane + (level,)].append((start, end, e["name"]))
            written = end
        elif ph == "i":
            written = ns(e["ts"])
        else:
            errors.append("unexpected phase %r: %s" % (ph, e))
            continue
        if lane in last and written < last[lane][0]:
            errors.append("time goes back on lane %s: %s written after %s" % (lane, e, last[lane][1]))
        last[lane] = (written, e)

    for key, ss in slices.items():
        ss.sort()
        for a, b in zip(ss, ss[1:]):
            if b[0] < a[1]:
                errors.append("overlapping slices on lane %s (%s): %s and %s" % (key[:2], key[2], a, b))
    for (pid, tid, level), ss in slices.items():
        if level != "inner":
            continue
        outer = [o for o in slices.get((pid, tid, "outer"), []) if not o[2].startswith("syscall")]
        for s in ss:
            if not any(o[0] < s[0] and s[1] <= o[1] for o in outer):
                errors.append("running slice not strictly inside a proc slice on lane %s: %s" % ((pid, tid), s))
    for lane in sorted(lanes - named):
        errors.append("lane %s has no thread_name" % (lane,))
    for k in kinds:
        if k not in seen:
            errors.append("no %r event (seen: %s)" % (k, ", ".join(sorted(seen))))
    return len(events), errors


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    n, errors = check(sys.argv[1], sys.argv[2:])
    for e in errors[:20]:
        print("check_trace: " + e)
    if errors:
        print("check_trace: %s: %d problem(s) in %d events" % (sys.argv[1], len(errors), n))
        sys.exit(1)
    print("check_trace: %s: %d events, all checks passed" % (sys.argv[1], n))


if __name__ == "__main__":
    main()
