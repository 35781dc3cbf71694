#!/usr/bin/python3
"""goxref: the cross-reference from gort's C++ and assembly to Go 1.19's runtime.

Scans runtime/*.h, runtime/*.cpp and arch/*/*.S for Go-origin lines and
gort-only lines (DESIGN §4), resolves every Go name an origin line gives to a
file:line in Go's tree, and writes docs/xref.md.

    tools/goxref/goxref.py              write docs/xref.md
    tools/goxref/goxref.py --check      exit 1 if an origin line names a Go
                                        declaration that does not exist, or if
                                        docs/xref.md is not what would be
                                        written now; exit 77 (ctest's skip
                                        code) when Go's sources are absent
Options: --root DIR (the repository, default: two levels above this file),
--go-src DIR (default /usr/share/go-1.19/src), --out FILE.

The grammar of an origin line (one line, `//` comment, first of its block):

    // FILE: NAMES
    // FILE: NAMES (NOTE ...
    // FILE: NAMES. SENTENCE ...

FILE is a Go source file: `proc.go`, `asm_amd64.s` (in src/runtime), or
`sync/mutex.go` (a path under src/ for another package). NAMES is one name or
several joined by " / ", " + " or ", ". A name is a function, a type, a const
or var (`forcePreemptNS`), an assembly routine (`gogo` for `TEXT
runtime·gogo(SB)`), or a method written as Go's tracebacks write it:
`(*hchan).sortkey` for a pointer receiver, `waitReason.String` for a value
receiver. A NOTE may cite more origins as `other.go: name`; they are checked
too. Anything else after NAMES is an error, so a malformed line is reported
rather than half-read.

A gort-only line is `// gort-only: reason`; the reason runs to the end of its
first sentence.
"""

import argparse
import difflib
import glob
import os
import re
import sys

SKIP = 77  # ctest SKIP_RETURN_CODE

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
NAME = rf"(?:\(\*{IDENT}\)\.{IDENT}|{IDENT}\.{IDENT}|{IDENT})"
GOFILE = r"(?:[a-z0-9_]+/)*[a-z0-9_]+\.(?:go|s)"
# One file, or several for a port shared by the arches
# (`// asm_amd64.s / asm_arm64.s: procyield`): each name must be declared in
# at least one of them.
ORIGIN_RE = re.compile(rf"^\s*// ({GOFILE}(?: / {GOFILE})*): (.*)$")
NAMES_RE = re.compile(rf"^({NAME}(?:(?: / | \+ |, ){NAME})*)(.*)$")
SEP_RE = re.compile(r" / | \+ |, ")
NOTE_REF_RE = re.compile(rf"({GOFILE}): ({NAME})")
GORTONLY_RE = re.compile(r"^\s*// gort-only: (.*)$")
COMMENT_RE = re.compile(r"^\s*//(.*)$")


# --- Go's side: an index of declarations per file ---------------------------

class GoIndex:
    """Declarations of Go source files, read lazily: {name: line}."""

    def __init__(self, src):
        self.src = src
        self.files = {}

    def path(self, gofile):
        if "/" in gofile:
            return os.path.join(self.src, gofile)
        return os.path.join(self.src, "runtime", gofile)

    def decls(self, gofile):
        if gofile not in self.files:
            p = self.path(gofile)
            if not os.path.isfile(p):
                self.files[gofile] = None
            else:
                with open(p, encoding="utf-8") as f:
                    lines = f.read().split("\n")
                self.files[gofile] = (asm_decls if gofile.endswith(".s") else go_decls)(lines)
        return self.files[gofile]


FUNC_RE = re.compile(rf"^func ({IDENT})\s*[(\[]")
METHOD_RE = re.compile(rf"^func \((?:{IDENT} )?(\*?)({IDENT})(?:\[[^\]]*\])?\) ({IDENT})\s*[(\[]")
TYPE_RE = re.compile(rf"^type ({IDENT})\b")
SPEC_RE = re.compile(rf"^(?:const|var) ({IDENT}(?:\s*,\s*{IDENT})*)\b")
GROUP_OPEN_RE = re.compile(r"^(const|var|type) \($")
GROUP_ITEM_RE = re.compile(rf"^\t({IDENT}(?:\s*,\s*{IDENT})*)\b")
TEXT_RE = re.compile(r"^TEXT\s+(?:runtime)?·([A-Za-z_0-9]+)(?:<[^>]*>)?\(SB\)")


def go_decls(lines):
    d = {}

    def add(name, n):
        d.setdefault(name, n)

    group = None
    for i, line in enumerate(lines, 1):
        if group:
            if line.startswith(")"):
                group = None
                continue
            m = GROUP_ITEM_RE.match(line)
            if m:
                for name in re.split(r"\s*,\s*", m.group(1)):
                    add(name, i)
            continue
        m = METHOD_RE.match(line)
        if m:
            ptr, recv, name = m.groups()
            add(f"(*{recv}).{name}" if ptr else f"{recv}.{name}", i)
            continue
        m = FUNC_RE.match(line) or TYPE_RE.match(line)
        if m:
            add(m.group(1), i)
            continue
        m = GROUP_OPEN_RE.match(line)
        if m:
            group = m.group(1)
            continue
        m = SPEC_RE.match(line)
        if m:
            for name in re.split(r"\s*,\s*", m.group(1)):
                add(name, i)
    return d


def asm_decls(lines):
    d = {}
    for i, line in enumerate(lines, 1):
        m = TEXT_RE.match(line)
        if m:
            d.setdefault(m.group(1), i)
    return d


# --- gort's side --------------------------------------------------------------

class Entry:
    def __init__(self, path, line, decl_line, cxx):
        self.path, self.line, self.decl_line, self.cxx = path, line, decl_line, cxx


def parse_origin(rest):
    """NAMES and the note's extra refs of an origin line, or (None, why)."""
    m = NAMES_RE.match(rest)
    if not m:
        return None, "no Go name after the colon"
    names, tail = m.group(1), m.group(2)
    if tail and not (tail.startswith(" (") or tail == "." or tail.startswith(". ")):
        return None, f"unexpected text after the name(s): {tail!r}"
    refs = []
    if tail.startswith(" ("):
        note = tail[2:].split(")")[0]
        refs = NOTE_REF_RE.findall(note)
    return (SEP_RE.split(names), refs), None


CXX_SKIP_RE = re.compile(r"^\s*(template\s*<.*>|\[\[.*\]\]|GORT_[A-Z_]+|#\s*(?:if|ifdef|ifndef|elif|else|endif)\b.*)\s*$")
CXX_TYPE_RE = re.compile(rf"^\s*(?:template\s*<[^>]*>\s*)?(?:struct|class|union|enum(?: class)?)\s+(?:\[\[[^\]]*\]\]\s*)?({IDENT})")
CXX_USING_RE = re.compile(rf"^\s*using\s+({IDENT})\s*=")
CXX_DEFINE_RE = re.compile(rf"^\s*#\s*define\s+({IDENT})")
CXX_CALL_RE = re.compile(rf"((?:{IDENT}::)*(?:operator\s*\S+?|~?{IDENT}))\s*\(")
CXX_VAR_RE = re.compile(rf"((?:{IDENT}::)*{IDENT})\s*(?:\[[^\]]*\]\s*)?(?:=|;|\{{)")
ASM_GLOBL_RE = re.compile(rf"^\s*\.globl\s+({IDENT})")
ASM_LABEL_RE = re.compile(rf"^({IDENT}):")


def cxx_name(code, in_body=False):
    """The name a C++ declaration declares (best effort, for the table).
    in_body: the origin line is inside a function body (or a lambda), so it
    names a Go function whose steps are inlined there, not a declaration."""
    code = re.sub(r"__attribute__\s*\(\(.*?\)\)|\[\[.*?\]\]", " ", code)
    if re.match(r"^\s*(if|for|while|switch|return|do|else)\b", code):
        return "(inline)"  # an origin line inside a body: a Go function inlined here
    if in_body:
        return "(inline)"
    m = re.match(r"^\s*(?:namespace)\s+({IDENT})".format(IDENT=IDENT), code)
    if m:
        return "namespace " + m.group(1)
    m = re.match(r"^\s*(?:static\s+)?(enum|struct|union|static_assert)\b\s*(?:[:{(]|$)", code)
    if m:
        return f"({m.group(1)})"  # an anonymous type, or a compile-time check
    for r in (CXX_TYPE_RE, CXX_USING_RE, CXX_DEFINE_RE):
        m = r.match(code)
        if m:
            return m.group(1)
    head = re.split(r"[;{=]", code, maxsplit=1)[0]
    for m in CXX_CALL_RE.finditer(re.sub(r"<[^<>]*>", "", head)):
        if m.group(1) not in ("alignas", "decltype", "sizeof", "noexcept", "alignof"):
            return re.sub(r"\s+", "", m.group(1))
    m = CXX_VAR_RE.search(re.sub(r"<[^<>]*>", "", code))
    if m:
        return m.group(1)
    return "?"


SCOPE_TYPE_RE = re.compile(r'\b(struct|class|union|enum|namespace)\b[^()]*$|\bextern\s+""\s*$')


def scope_kinds(lines):
    """For each line, the kind of the innermost brace scope it starts in:
    "file", "type" (a class, enum or namespace body) or "body" (a function,
    a lambda, a block, an initializer). Comments and literals are ignored."""
    kinds, stack, pending = [], [], ""
    in_block_comment = False
    for line in lines:
        kinds.append(stack[-1] if stack else "file")
        text = line
        if in_block_comment:
            if "*/" not in text:
                continue
            text = text.split("*/", 1)[1]
            in_block_comment = False
        text = re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'', '""', text)
        text = re.sub(r"/\*.*?\*/", " ", text)
        if "/*" in text:
            text, in_block_comment = text.split("/*", 1)[0], True
        text = text.split("//", 1)[0]
        if text.lstrip().startswith("#"):
            continue
        for ch in text:
            if ch == "{":
                stack.append("type" if SCOPE_TYPE_RE.search(pending) and (not stack or stack[-1] != "body") else "body")
                pending = ""
            elif ch == "}":
                if stack:
                    stack.pop()
                pending = ""
            elif ch == ";":
                pending = ""
            else:
                pending += ch
        pending += " "
    return kinds


def declaration(lines, i, asm, scopes=None):
    """(line number, name) of what the comment block at lines[i] documents."""
    j = i
    while j < len(lines) and COMMENT_RE.match(lines[j]):
        j += 1
    if asm:
        for k in range(j, min(j + 8, len(lines))):
            m = ASM_GLOBL_RE.match(lines[k]) or ASM_LABEL_RE.match(lines[k])
            if m:
                return k + 1, m.group(1)
        return j + 1, "?"
    if j >= len(lines) or not lines[j].strip():
        return None, "(comment)"  # a comment standing alone: a section note
    code = ""
    k = j
    while k < len(lines) and k < j + 4:
        if not CXX_SKIP_RE.match(lines[k]):
            code += " " + lines[k].strip()
            if re.search(r"[({;=]", code):
                break
        k += 1
    return j + 1, cxx_name(code, in_body=scopes[i] == "body")


def first_sentence(lines, i, text):
    """text (the rest of lines[i]) extended over the comment's next lines
    until a sentence ends."""
    out = text.strip()
    j = i + 1
    while not re.search(r"[.:)]$", out) and j < len(lines):
        m = COMMENT_RE.match(lines[j])
        if not m or ORIGIN_RE.match(lines[j]) or GORTONLY_RE.match(lines[j]) or not m.group(1).strip():
            break
        out += " " + m.group(1).strip()
        j += 1
    # The first sentence only: up to ". " (not "e.g. ").
    m = re.search(r"(?<!e\.g)(?<!i\.e)\.\s", out + " ")
    if m:
        out = out[: m.start() + 1]
    return out


def scan(root):
    files = sorted(glob.glob(os.path.join(root, "runtime", "*.h")) +
                   glob.glob(os.path.join(root, "runtime", "*.cpp")) +
                   glob.glob(os.path.join(root, "arch", "*", "*.S")))
    origins, gortonly, errors = [], [], []
    for path in files:
        rel = os.path.relpath(path, root)
        asm = path.endswith(".S")
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        scopes = None if asm else scope_kinds(lines)
        for i, line in enumerate(lines):
            m = ORIGIN_RE.match(line)
            if m:
                gofile, rest = m.groups()
                parsed, why = parse_origin(rest)
                if why:
                    errors.append(f"{rel}:{i + 1}: malformed origin line ({why}): {line.strip()}")
                    continue
                names, refs = parsed
                decl_line, cxx = declaration(lines, i, asm, scopes)
                e = Entry(rel, i + 1, decl_line, cxx)
                e.refs = [(gofile, n) for n in names] + list(refs)
                origins.append(e)
                continue
            m = GORTONLY_RE.match(line)
            if m:
                decl_line, cxx = declaration(lines, i, asm, scopes)
                e = Entry(rel, i + 1, decl_line, cxx)
                e.reason = first_sentence(lines, i, m.group(1))
                gortonly.append(e)
    return origins, gortonly, errors


def resolve(origins, index, errors):
    for e in origins:
        e.resolved = []
        for gofile, name in e.refs:
            if " / " in gofile:
                found = [(f, name, index.decls(f)[name]) for f in gofile.split(" / ")
                         if index.decls(f) is not None and name in index.decls(f)]
                if not found:
                    errors.append(f"{e.path}:{e.line}: none of {gofile} declares {name}")
                e.resolved.extend(found)
                continue
            decls = index.decls(gofile)
            if decls is None:
                errors.append(f"{e.path}:{e.line}: no Go file {gofile} (looked for {index.path(gofile)})")
                continue
            if name not in decls:
                hint = ""
                alt = [k for k in decls if k.split(".")[-1] == name.split(".")[-1] and k != name]
                if alt:
                    hint = f" (it has {', '.join(sorted(alt))})"
                else:
                    other = find_elsewhere(index, name)
                    if other:
                        hint = f" (found in {other})"
                errors.append(f"{e.path}:{e.line}: {gofile} declares no {name}{hint}")
                continue
            e.resolved.append((gofile, name, decls[name]))


def find_elsewhere(index, name):
    d = os.path.join(index.src, "runtime")
    for p in sorted(glob.glob(os.path.join(d, "*.go")) + glob.glob(os.path.join(d, "*.s"))):
        base = os.path.basename(p)
        if base.endswith("_test.go"):
            continue
        decls = index.decls(base)
        if decls and name in decls:
            return base
    return None


# --- docs/xref.md -------------------------------------------------------------

def md_escape(s):
    return s.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def code(s):
    return f"`{s}`"


def render(origins, gortonly, gosrc_label):
    out = []
    w = out.append
    w("# gort ↔ Go 1.19 cross-reference")
    w("")
    w("Generated by `tools/goxref/goxref.py` (`make xref`) from the Go-origin")
    w("lines (`// proc.go: schedule`) and `// gort-only:` lines in `runtime/` and")
    w(f"`arch/`, resolved against Go 1.19's sources ({gosrc_label}). Do not edit:")
    w("the test `goxref` fails when this file is stale or when an origin line")
    w("names something Go's file does not declare. After changing runtime/ or")
    w("arch/, run `make xref` and commit the result.")
    w("")
    w("Go paths are relative to `src/runtime/` unless they name another package")
    w("(`sync/mutex.go`). Methods are written as Go's tracebacks write them:")
    w("`(*hchan).sortkey` for a pointer receiver, `waitReason.String` for a value")
    w("receiver. A row whose gort line is a header declaration and a row for the")
    w("definition in the .cpp both appear; \"(comment)\" marks an origin line that")
    w("heads a group of declarations or a note, \"(inline)\" one inside a body")
    w("(a Go function whose steps are inlined there).")
    w("")
    nref = sum(len(e.resolved) for e in origins)
    w(f"{len(origins)} origin lines naming {nref} Go declarations; "
      f"{len(gortonly)} gort-only lines.")
    w("")
    w("## From gort to Go")
    w("")
    bypath = {}
    for e in origins:
        bypath.setdefault(e.path, []).append(e)
    for path in sorted(bypath, key=lambda p: (not p.startswith("runtime/"), p)):
        w(f"### {path}")
        w("")
        w("| gort | line | Go | Go file:line |")
        w("|---|---|---|---|")
        for e in bypath[path]:
            where = e.decl_line if e.decl_line else e.line
            gos = "<br>".join(code(n) for _, n, _ in e.resolved)
            locs = "<br>".join(f"{f}:{n}" for f, _, n in e.resolved)
            name = e.cxx if e.cxx.startswith("(") else code(e.cxx)
            w(f"| {name} | {path}:{where} | {gos} | {locs} |")
        w("")
    w("## gort-only")
    w("")
    w("Functions and data Go has no twin for, with the reason their comment gives.")
    w("")
    w("| gort | line | why |")
    w("|---|---|---|")
    for e in sorted(gortonly, key=lambda e: (not e.path.startswith("runtime/"), e.path, e.line)):
        where = e.decl_line if e.decl_line else e.line
        name = code(e.cxx) if not e.cxx.startswith("(") else e.cxx
        w(f"| {name} | {e.path}:{where} | {e.reason.replace('|', chr(92) + '|')} |")
    w("")
    return "\n".join(out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(here)))
    ap.add_argument("--go-src", default="/usr/share/go-1.19/src")
    ap.add_argument("--out", default=None)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    out = args.out or os.path.join(args.root, "docs", "xref.md")

    if not os.path.isfile(os.path.join(args.go_src, "runtime", "proc.go")):
        print(f"goxref: SKIP: Go 1.19's sources are not at {args.go_src}/runtime "
              "(apt-get install golang-1.19-src)", file=sys.stderr)
        return SKIP

    origins, gortonly, errors = scan(args.root)
    resolve(origins, GoIndex(args.go_src), errors)
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print(f"goxref: {len(errors)} origin line(s) name nothing in Go's tree; fix the lines", file=sys.stderr)
        return 1

    text = render(origins, gortonly, "/usr/share/go-1.19/src" if args.go_src == "/usr/share/go-1.19/src" else args.go_src)
    if args.check:
        try:
            with open(out, encoding="utf-8") as f:
                old = f.read()
        except FileNotFoundError:
            old = ""
        if old != text:
            sys.stderr.writelines(difflib.unified_diff(
                old.splitlines(True), text.splitlines(True),
                os.path.relpath(out, args.root) + " (committed)", "(generated now)", n=1))
            print(f"\ngoxref: {os.path.relpath(out, args.root)} is stale: run `make xref` and commit it",
                  file=sys.stderr)
            return 1
        print(f"goxref: {len(origins)} origin lines resolve; {os.path.relpath(out, args.root)} is current")
        return 0
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"goxref: wrote {os.path.relpath(out, args.root)} ({len(origins)} origin lines, "
          f"{len(gortonly)} gort-only)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
