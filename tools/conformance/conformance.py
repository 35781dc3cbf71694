#!/usr/bin/python3
"""conformance: which of Go 1.19's tests gort ports, and why the rest don't apply.

Reads every `func TestXxx(t *testing.T)` of the Go test files listed in
GO_FILES below (from Go 1.19's tree) and gort's tests, and writes
docs/conformance.md: one row per Go test, in one of three states:

  ported          gort tests name it (see "Matching" below)
  not applicable  tools/conformance/not_applicable.txt gives the reason
  not yet ported  tools/conformance/not_yet_ported.txt lists it (it applies)

    tools/conformance/conformance.py            write docs/conformance.md (and
                                                drop now-ported lines from
                                                not_yet_ported.txt)
    tools/conformance/conformance.py --check    exit 1 if a Go test is in no
                                                state or in two, a list names a
                                                Go test that does not exist or a
                                                reason outside the vocabulary, a
                                                [conformance] case names a Go
                                                test outside GO_FILES, a row of
                                                docs/conformance.md names a gort
                                                test that does not exist, or
                                                docs/conformance.md is not what
                                                would be written now; exit 77
                                                (ctest's skip code) when Go's
                                                sources are absent
    tools/conformance/conformance.py --totals   print ported / not applicable /
                                                not yet ported per file
Options: --root DIR (the repository, default: two levels above this file),
--go-src DIR (default /usr/share/go-1.19/src), --out FILE.

How gort's tests are collected: statically, without a build. Every
`TEST_CASE("name", "[tags]")` in tests/**/*.cpp (the name may be several
adjacent string literals, as C++ concatenates them), and every case of the
`set(GORT_GDB_CASES ...)` list in tests/gdb/CMakeLists.txt as the ctest
name `gdb.<case>`.

Matching: a TEST_CASE ports Go test T when its name is T or starts with
"T:" (STYLE §16: "TestYieldProgress: a spinning G lets others run"); a gdb
case ports T when it is T or starts with T and a character that cannot
continue a Go name. Where T is defined in two of GO_FILES (TestRWMutex:
runtime's internal rwmutex and package sync's), a case ports the one whose
package (runtime, sync, time, trace) is among its tags.

not_applicable.txt: `@ reason` lines give the vocabulary; `TestXxx: reason`
or `TestXxx: reason; detail` lines use it (`sync/rwmutex_test.go TestXxx:`
where the name is ambiguous). not_yet_ported.txt: `TestXxx` or `TestXxx:
what it needs`.
"""

import argparse
import difflib
import glob
import os
import re
import sys

SKIP = 77  # ctest SKIP_RETURN_CODE

# The Go test files the table covers, under Go's src/, in the table's order.
GO_FILES = [
    "runtime/proc_test.go",
    "runtime/chan_test.go",
    "runtime/chanbarrier_test.go",
    "runtime/sema_test.go",
    "runtime/crash_test.go",
    "runtime/crash_unix_test.go",
    "runtime/stack_test.go",
    "runtime/runtime_test.go",
    "runtime/runtime_linux_test.go",
    "runtime/norace_linux_test.go",
    "runtime/semasleep_test.go",
    "runtime/rwmutex_test.go",
    "runtime/lockrank_test.go",
    "runtime/time_test.go",
    "runtime/traceback_test.go",
    "runtime/runtime-gdb_test.go",
    "runtime/trace/trace_test.go",
    "runtime/trace/trace_stack_test.go",
    "runtime/trace/annotation_test.go",
    "time/sleep_test.go",
    "time/tick_test.go",
    "sync/mutex_test.go",
    "sync/rwmutex_test.go",
    "sync/waitgroup_test.go",
    "sync/once_test.go",
    "sync/cond_test.go",
]

GO_TEST_RE = re.compile(r"^func (Test[A-Za-z0-9_]*)\(t \*testing\.T\)", re.M)
TEST_CASE_RE = re.compile(r'\bTEST_CASE\(\s*((?:"(?:[^"\\\n]|\\.)*"\s*)+),\s*"([^"]*)"\s*\)')
STRLIT_RE = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
GO_NAME_RE = re.compile(r"^(Test[A-Za-z0-9_]*)(?::|$)")
GDB_CASES_RE = re.compile(r"set\(GORT_GDB_CASES\b([^)]*)\)")
IDENT_CHAR_RE = re.compile(r"[A-Za-z0-9_]")

STATES = ("ported", "not applicable", "not yet ported")


def package(gofile):
    """The package tag of a Go test file: runtime, sync, time or trace."""
    parts = gofile.split("/")
    return parts[-2]


# --- Go's side ---------------------------------------------------------------

def go_tests(src):
    """[(file, name, line)] in GO_FILES order, then file order."""
    out = []
    for f in GO_FILES:
        p = os.path.join(src, f)
        with open(p, encoding="utf-8") as fh:
            text = fh.read()
        for m in GO_TEST_RE.finditer(text):
            out.append((f, m.group(1), text.count("\n", 0, m.start()) + 1))
    return out


# --- gort's side -------------------------------------------------------------

class Case:
    def __init__(self, name, tags, where):
        self.name = name
        self.tags = set(re.findall(r"\[([^\]]+)\]", tags))
        self.where = where  # "tests/x.cpp:12"
        self.gdb = tags == "gdb"


def unescape(s):
    return re.sub(r"\\(.)", r"\1", s)


def gort_cases(root):
    cases = []
    for p in sorted(glob.glob(os.path.join(root, "tests", "**", "*.cpp"), recursive=True)):
        with open(p, encoding="utf-8") as fh:
            text = fh.read()
        rel = os.path.relpath(p, root)
        for m in TEST_CASE_RE.finditer(text):
            name = "".join(unescape(s) for s in STRLIT_RE.findall(m.group(1)))
            line = text.count("\n", 0, m.start()) + 1
            cases.append(Case(name, m.group(2), f"{rel}:{line}"))
    p = os.path.join(root, "tests", "gdb", "CMakeLists.txt")
    if os.path.isfile(p):
        with open(p, encoding="utf-8") as fh:
            text = fh.read()
        m = GDB_CASES_RE.search(text)
        if m:
            line = text.count("\n", 0, m.start()) + 1
            for c in m.group(1).split():
                cases.append(Case("gdb." + c, "gdb", f"tests/gdb/CMakeLists.txt:{line}"))
    return cases


def case_names_go_test(case, name):
    """Whether case's name says it ports the Go test called name."""
    if case.gdb:
        c = case.name[len("gdb."):]
        return c == name or (c.startswith(name) and not IDENT_CHAR_RE.match(c[len(name)]))
    return case.name == name or case.name.startswith(name + ":")


# --- the lists ---------------------------------------------------------------

ENTRY_RE = re.compile(r"^(?:(\S+\.go) )?(Test[A-Za-z0-9_]*)(?::\s*(.*))?$")


def read_list(path, errors):
    """([(file|None, name, text, lineno)], vocabulary), comments dropped."""
    entries, vocab = [], []
    if not os.path.isfile(path):
        return entries, vocab
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\n").rstrip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("@ "):
                vocab.append(line[2:].strip())
                continue
            m = ENTRY_RE.match(line)
            if not m:
                errors.append(f"{os.path.basename(path)}:{n}: cannot read {line!r}")
                continue
            entries.append((m.group(1), m.group(2), (m.group(3) or "").strip(), n))
    return entries, vocab


# --- classification ----------------------------------------------------------

class Row:
    def __init__(self, gofile, name, line):
        self.gofile, self.name, self.line = gofile, name, line
        self.ports = []      # Cases
        self.na = None       # reason text
        self.nyp = None      # what it needs ("" if nothing said)

    @property
    def state(self):
        if self.ports:
            return "ported"
        if self.na is not None:
            return "not applicable"
        if self.nyp is not None:
            return "not yet ported"
        return None


def classify(src, root, errors, warnings):
    tests = go_tests(src)
    rows = [Row(*t) for t in tests]
    by_name = {}
    for r in rows:
        by_name.setdefault(r.name, []).append(r)

    cases = gort_cases(root)
    unnamed = []  # [conformance] cases naming no Go test
    for c in cases:
        m = GO_NAME_RE.match(c.name[len("gdb."):] if c.gdb else c.name)
        matched = False
        for name, rs in by_name.items():
            if not case_names_go_test(c, name):
                continue
            if len(rs) > 1:
                rs = [r for r in rs if package(r.gofile) in c.tags]
                if len(rs) != 1:
                    errors.append(f"{c.where}: {c.name!r}: {name} is in "
                                  f"{', '.join(r.gofile for r in by_name[name])}; tag the case with one "
                                  f"package ({', '.join(sorted({package(r.gofile) for r in by_name[name]}))})")
                    continue
            for r in rs:
                r.ports.append(c)
            matched = True
        if matched:
            if not c.gdb and "conformance" not in c.tags:
                errors.append(f"{c.where}: {c.name!r} ports a Go test but is not tagged [conformance]")
            continue
        if c.gdb:
            if m:
                errors.append(f"{c.where}: gdb case {c.name!r} names no Go test of the covered files")
            continue
        if "conformance" in c.tags:
            if m:
                errors.append(f"{c.where}: [conformance] case {c.name!r} names {m.group(1)}, "
                              "which is no Go test of the covered files")
            else:
                unnamed.append(c)

    here = os.path.join(root, "tools", "conformance")
    na, vocab = read_list(os.path.join(here, "not_applicable.txt"), errors)
    nyp, _ = read_list(os.path.join(here, "not_yet_ported.txt"), errors)

    def lookup(listname, f, name, n):
        rs = by_name.get(name, [])
        if f is not None:
            rs = [r for r in rs if r.gofile == f]
        if not rs:
            errors.append(f"{listname}:{n}: {f + ' ' if f else ''}{name} is no Go test of the covered files")
        elif len(rs) > 1:
            errors.append(f"{listname}:{n}: {name} is in {', '.join(r.gofile for r in rs)}; "
                          "write FILE NAME")
            return []
        return rs

    stale_nyp = set()
    for f, name, text, n in na:
        reason = text.split(";", 1)[0].strip()
        if reason not in vocab:
            errors.append(f"not_applicable.txt:{n}: {name}: reason {reason!r} is not in the vocabulary "
                          "(the `@ ` lines)")
        for r in lookup("not_applicable.txt", f, name, n):
            if r.na is not None:
                errors.append(f"not_applicable.txt:{n}: {name} is listed twice")
            r.na = text
            if r.ports:
                errors.append(f"not_applicable.txt:{n}: {name} is ported by "
                              f"{', '.join(repr(c.name) for c in r.ports)}: drop the line")
    for f, name, text, n in nyp:
        for r in lookup("not_yet_ported.txt", f, name, n):
            if r.nyp is not None:
                errors.append(f"not_yet_ported.txt:{n}: {name} is listed twice")
            r.nyp = text
            if r.na is not None:
                errors.append(f"not_yet_ported.txt:{n}: {name} is also in not_applicable.txt")
            if r.ports:
                stale_nyp.add(n)
    for r in rows:
        if r.state is None:
            errors.append(f"{r.gofile}:{r.line}: {r.name} is in no state: port it, or add it to "
                          "tools/conformance/not_applicable.txt or not_yet_ported.txt")
    return rows, unnamed, stale_nyp, vocab


# --- output ------------------------------------------------------------------

def totals(rows):
    t = {}
    for r in rows:
        t.setdefault(r.gofile, {s: 0 for s in STATES})
        if r.state:
            t[r.gofile][r.state] += 1
    return t


def md_escape(s):
    return s.replace("|", "\\|")


def render(rows, unnamed, vocab):
    t = totals(rows)
    all_ = {s: sum(v[s] for v in t.values()) for s in STATES}
    out = []
    w = out.append
    w("# Conformance: Go 1.19's tests and gort's ports")
    w("")
    w("Generated by `tools/conformance/conformance.py` (`make conformance-table`) from Go 1.19's")
    w("test files and gort's tests; the `conformance` ctest case fails when this file is stale.")
    w("Do not edit it by hand: edit `tools/conformance/not_applicable.txt` (why a test does not")
    w("apply) or `tools/conformance/not_yet_ported.txt` (tests that apply and wait for a port),")
    w("or port the test.")
    w("")
    w("Each row is one `func Test...` of Go's file. A test is **ported** when a gort test case")
    w("names it (`TEST_CASE(\"TestXxx: behaviour\", \"[conformance]...\")` in `tests/`, or the gdb")
    w("case `gdb.TestXxx` in `tests/gdb/CMakeLists.txt`); **not applicable** with one reason from")
    w("the fixed vocabulary below; **not yet ported** when it applies to gort and has no port yet.")
    w("")
    w("## Totals")
    w("")
    w("| Go file | ported | not applicable | not yet ported | tests |")
    w("|---|---:|---:|---:|---:|")
    for f in GO_FILES:
        v = t.get(f, {s: 0 for s in STATES})
        w(f"| [{f}](#{anchor(f)}) | {v['ported']} | {v['not applicable']} | {v['not yet ported']} | "
          f"{sum(v.values())} |")
    w(f"| **all** | **{all_['ported']}** | **{all_['not applicable']}** | **{all_['not yet ported']}** | "
      f"**{sum(all_.values())}** |")
    w("")
    w("## Why a test does not apply (the vocabulary)")
    w("")
    counts = {}
    for r in rows:
        if r.state == "not applicable":
            k = r.na.split(";", 1)[0].strip()
            counts[k] = counts.get(k, 0) + 1
    for v in vocab:
        w(f"- {md_escape(v)} ({counts.get(v, 0)})")
    w("")
    for f in GO_FILES:
        w(f"## {f}")
        w("")
        w("| Go test | state | gort test(s), or why not |")
        w("|---|---|---|")
        for r in rows:
            if r.gofile != f:
                continue
            if r.state == "ported":
                what = "<br>".join(f"`{md_escape(c.name)}` ({c.where.split(':')[0]})" for c in r.ports)
            elif r.state == "not applicable":
                what = md_escape(r.na)
            else:
                what = md_escape(r.nyp) if r.nyp else ""
            w(f"| {r.name} ({f.split('/')[-1]}:{r.line}) | {r.state} | {what} |")
        w("")
    w("## gort [conformance] cases that name no Go test")
    w("")
    if unnamed:
        w("They test what a Go test's neighbourhood pins but port no single Go test:")
        w("")
        for c in unnamed:
            w(f"- `{md_escape(c.name)}` ({c.where.split(':')[0]})")
    else:
        w("None.")
    w("")
    return "\n".join(out)


def anchor(f):
    return re.sub(r"[^a-z0-9_ -]", "", f.lower()).replace(" ", "-")


ROW_PORT_RE = re.compile(r"`((?:[^`\\]|\\.)*)` \(tests/")


def check_rows(text, cases, errors):
    """Every gort test a row of docs/conformance.md names exists now."""
    names = {c.name for c in cases}
    for n, line in enumerate(text.split("\n"), 1):
        if not line.startswith("| Test") or "| ported |" not in line:
            continue
        for m in ROW_PORT_RE.finditer(line):
            name = m.group(1).replace("\\|", "|")
            if name not in names:
                errors.append(f"docs/conformance.md:{n}: names gort test {name!r}, which does not exist")


def prune_nyp(root, stale):
    p = os.path.join(root, "tools", "conformance", "not_yet_ported.txt")
    with open(p, encoding="utf-8") as fh:
        lines = fh.readlines()
    kept = [l for n, l in enumerate(lines, 1) if n not in stale]
    for n in sorted(stale):
        print(f"conformance: not_yet_ported.txt: dropped {lines[n - 1].strip()!r} (ported now)")
    with open(p, "w", encoding="utf-8") as fh:
        fh.writelines(kept)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(here)))
    ap.add_argument("--go-src", default="/usr/share/go-1.19/src")
    ap.add_argument("--out", default=None)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--totals", action="store_true")
    args = ap.parse_args()
    out = args.out or os.path.join(args.root, "docs", "conformance.md")
    rel = os.path.relpath(out, args.root)

    if not all(os.path.isfile(os.path.join(args.go_src, f)) for f in GO_FILES):
        print(f"conformance: SKIP: Go 1.19's test files are not under {args.go_src} "
              "(apt-get install golang-1.19-src)", file=sys.stderr)
        return SKIP

    errors, warnings = [], []
    rows, unnamed, stale_nyp, vocab = classify(args.go_src, args.root, errors, warnings)

    if args.totals:
        t = totals(rows)
        print(f"{'Go file':34} {'ported':>7} {'n/a':>5} {'not yet':>8} {'tests':>6}")
        for f in GO_FILES:
            v = t.get(f, {s: 0 for s in STATES})
            print(f"{f:34} {v['ported']:7} {v['not applicable']:5} {v['not yet ported']:8} {sum(v.values()):6}")
        a = {s: sum(v[s] for v in t.values()) for s in STATES}
        print(f"{'all':34} {a['ported']:7} {a['not applicable']:5} {a['not yet ported']:8} {sum(a.values()):6}")

    if not args.check and not args.totals and stale_nyp:
        prune_nyp(args.root, stale_nyp)
        errors, warnings = [], []
        rows, unnamed, stale_nyp, vocab = classify(args.go_src, args.root, errors, warnings)
    for n in sorted(stale_nyp):
        errors.append(f"not_yet_ported.txt:{n}: the test is ported now: run `make conformance-table`")

    for e in errors:
        print(f"conformance: {e}", file=sys.stderr)
    if errors:
        print(f"conformance: {len(errors)} error(s)", file=sys.stderr)
        return 1
    if args.totals and not args.check:
        return 0

    text = render(rows, unnamed, vocab)
    if args.check:
        try:
            with open(out, encoding="utf-8") as f:
                old = f.read()
        except FileNotFoundError:
            old = ""
        check_rows(old, gort_cases(args.root), errors)
        for e in errors:
            print(f"conformance: {e}", file=sys.stderr)
        if old != text:
            sys.stderr.writelines(difflib.unified_diff(
                old.splitlines(True), text.splitlines(True), rel + " (committed)", "(generated now)", n=1))
            print(f"\nconformance: {rel} is stale: run `make conformance-table` and commit it", file=sys.stderr)
            return 1
        if errors:
            return 1
        print(f"conformance: {len(rows)} Go tests, each in one state; {rel} is current")
        return 0
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    t = totals(rows)
    a = {s: sum(v[s] for v in t.values()) for s in STATES}
    print(f"conformance: wrote {rel} ({len(rows)} Go tests: {a['ported']} ported, "
          f"{a['not applicable']} not applicable, {a['not yet ported']} not yet ported)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
