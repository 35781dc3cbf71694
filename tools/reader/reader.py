#!/usr/bin/python3
"""reader: the side-by-side reader, Go 1.19's runtime beside gort's port.

Writes a static site (default build/site/) that works from file:// with no
server and no network: one page per Go file, Go's text on the left and gort's
port on the right, aligned by function; an index with a search box; and the
docs tour rendered with its Go file:line citations linked into the pages.

    tools/reader/reader.py [--root DIR] [--go-src DIR] [--out DIR]

Go's text is read at build time from the installed golang-1.19-src package
(/usr/share/go-1.19/src); nothing of it is kept in the repository.

How the two sides are aligned: the data is docs/xref.md's (tools/goxref reads
the same origin lines). A Go file is cut into declarations (each with the
comment above it); a gort file is cut at each origin line (`// proc.go:
schedule`) and each `// gort-only:` line that starts at column 0. Each Go
declaration becomes one row, with every gort piece whose origin line names it
beside it; Go declarations no gort piece names are folded, with the reason
where docs/differences.md gives one; gort pieces of the page's own files that
name nothing on this page sit after the row of the piece before them, marked
gort-only (or linked to the page they port). Both sides of a row start at the
same height, and one scroll bar moves both.

Highlighting is Pygments' (Debian's python3-pygments), applied here at build
time: the pages carry plain HTML and one CSS file. Docs are rendered with
python3-markdown.
"""

import argparse
import glob
import html
import json
import os
import re
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "goxref"))
import goxref  # noqa: E402  (the origin-line grammar and Go's declaration index)

try:
    from pygments.lexers import GoLexer, CppLexer, GasLexer
    from pygments.token import Token
except ImportError:  # pragma: no cover
    print("reader: needs python3-pygments (apt-get install python3-pygments)", file=sys.stderr)
    sys.exit(1)

SKIP = 77

# The pages: a Go file (relative to src/runtime/, or a path under src/ for
# another package) and the gort files whose pieces it is read beside.
PAIRS = [
    ("proc.go", ["runtime/proc.cpp", "runtime/proc.h"]),
    ("runtime2.go", ["runtime/runtime2.h", "runtime/runtime2.cpp"]),
    ("chan.go", ["runtime/chan.cpp", "runtime/chan.h"]),
    ("select.go", ["runtime/select.cpp"]),
    ("sema.go", ["runtime/sema.cpp", "runtime/sema.h"]),
    ("time.go", ["runtime/time.cpp", "runtime/time.h"]),
    ("netpoll.go", ["runtime/netpoll.cpp", "runtime/netpoll.h"]),
    ("netpoll_epoll.go", ["runtime/netpoll_epoll.cpp"]),
    ("preempt.go", ["runtime/preempt.cpp", "runtime/preempt.h"]),
    ("signal_unix.go", ["runtime/signal_unix.cpp"]),
    ("stack.go", ["runtime/stack.cpp", "runtime/stack.h"]),
    ("traceback.go", ["runtime/traceback.cpp", "runtime/traceback.h"]),
    ("panic.go", ["runtime/panic.cpp", "runtime/panic.h"]),
    ("lock_futex.go", ["runtime/lock_futex.cpp", "runtime/lock_futex.h"]),
    ("os_linux.go", ["runtime/os_linux.cpp", "runtime/os_linux.h"]),
    ("runtime1.go", ["runtime/runtime1.cpp", "runtime/runtime1.h"]),
    ("trace.go", ["runtime/trace.cpp", "runtime/trace.h"]),
    ("sys_x86.go", ["runtime/sys_x86.cpp"]),
    ("asm_amd64.s", ["arch/amd64/asm_amd64.S"]),
    ("asm_arm64.s", ["arch/arm64/asm_arm64.S"]),
    ("preempt_amd64.s", ["arch/amd64/preempt_amd64.S"]),
    ("preempt_arm64.s", ["arch/arm64/preempt_arm64.S"]),
    ("sync/mutex.go", ["runtime/sync.cpp", "runtime/sync.h"]),
    ("sync/rwmutex.go", ["runtime/sync.cpp", "runtime/sync.h"]),
    ("sync/waitgroup.go", ["runtime/sync.cpp", "runtime/sync.h"]),
    ("sync/once.go", ["runtime/sync.cpp", "runtime/sync.h"]),
    ("sync/cond.go", ["runtime/sync.cpp", "runtime/sync.h"]),
    ("time/sleep.go", ["runtime/time.cpp", "runtime/time_public.h"]),
    ("time/tick.go", ["runtime/time.cpp", "runtime/time_public.h"]),
]

GO_DECL_RE = re.compile(r"^(func|type|var|const)\b")
TEXT_LINE_RE = re.compile(r"^TEXT\s")
BOUNDARY_RE = re.compile(rf"^// (?:{goxref.GOFILE}(?: / {goxref.GOFILE})*: |gort-only: )")
GORT_NOTE_RE = re.compile(r"//\s*gort:")
CITE_RE = re.compile(rf"(?<![\w/.])({goxref.GOFILE}):(\d+)(?:-(\d+))?")


def page_name(gofile):
    return gofile.replace("/", "_") + ".html"


def anchor(gofile, name):
    return "fn-" + re.sub(r"[^A-Za-z0-9_]+", "_", gofile + "-" + name)


# --- cutting files into pieces -------------------------------------------------

class Piece:
    """A run of lines [start, end) (0-based) of one file, with the names it
    declares (Go) or the origin entry that heads it (gort)."""

    def __init__(self, path, start, end):
        self.path, self.start, self.end = path, start, end
        self.names = []        # Go: declared names; gort: its cxx name
        self.refs = []         # gort: [(gofile, name, goline)] its origin names
        self.kind = "code"     # gort: "origin", "gort-only", "preamble"
        self.reason = ""


def go_pieces(gofile, lines):
    """A Go (or Go assembly) file cut at each top-level declaration, each
    piece starting at the comment block above its declaration."""
    asm = gofile.endswith(".s")
    decl_starts = []
    for i, line in enumerate(lines):
        if (TEXT_LINE_RE.match(line) if asm else GO_DECL_RE.match(line)):
            j = i
            while j > 0 and (lines[j - 1].startswith("//") or (asm and lines[j - 1].startswith("#define"))):
                j -= 1
            decl_starts.append((j, i))
    pieces = []
    prev = 0
    for k, (start, decl) in enumerate(decl_starts):
        if start < prev:  # a comment shared with the previous declaration
            start = prev
        if k == 0 and start > 0:
            p = Piece(gofile, 0, start)
            p.kind = "preamble"
            pieces.append(p)
        end = decl_starts[k + 1][0] if k + 1 < len(decl_starts) else len(lines)
        p = Piece(gofile, start, max(end, start + 1))
        decls = (goxref.asm_decls if asm else goxref.go_decls)(lines[decl:end])
        p.names = list(decls)
        p.declline = decl + 1
        pieces.append(p)
        prev = end
    if not pieces:
        p = Piece(gofile, 0, len(lines))
        p.kind = "preamble"
        pieces.append(p)
    return pieces


def gort_pieces(path, lines, entries):
    """A gort file cut at each origin or gort-only line at column 0."""
    starts = [i for i, line in enumerate(lines) if BOUNDARY_RE.match(line)]
    pieces = []
    if not starts or starts[0] > 0:
        p = Piece(path, 0, starts[0] if starts else len(lines))
        p.kind = "preamble"
        pieces.append(p)
    for k, s in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        p = Piece(path, s, end)
        e = entries.get((path, s + 1))
        if e is not None and hasattr(e, "resolved"):
            p.kind = "origin"
            p.refs = e.resolved
            p.names = [e.cxx]
        elif e is not None:
            p.kind = "gort-only"
            p.reason = e.reason
            p.names = [e.cxx]
        pieces.append(p)
    return pieces


# --- highlighting ---------------------------------------------------------------

def lexer_for(path):
    if path.endswith(".go"):
        return GoLexer(stripnl=False, ensurenl=False)
    if path.endswith((".s", ".S")):
        return GasLexer(stripnl=False, ensurenl=False)
    return CppLexer(stripnl=False, ensurenl=False)


def css_class(ttype):
    """A short class per token kind (Pygments' own short names)."""
    from pygments.token import STANDARD_TYPES
    while ttype not in STANDARD_TYPES:
        ttype = ttype.parent
    return STANDARD_TYPES[ttype]


def highlight_lines(path, text, link_for):
    """The file's lines as HTML, one string per line; identifiers link_for
    knows become links."""
    out = [[]]
    for ttype, value in lexer_for(path).get_tokens(text):
        cls = css_class(ttype)
        parts = value.split("\n")
        for k, part in enumerate(parts):
            if k > 0:
                out.append([])
            if not part:
                continue
            esc = html.escape(part)
            if ttype in Token.Name or ttype is Token.Name:
                href = link_for(part)
                if href:
                    out[-1].append(f'<a class="call" href="{href}">{esc}</a>')
                    continue
            if ttype in Token.Comment and GORT_NOTE_RE.search(part):
                out[-1].append(f'<span class="{cls} gortnote">{esc}</span>')
            elif cls:
                out[-1].append(f'<span class="{cls}">{esc}</span>')
            else:
                out[-1].append(esc)
    return ["".join(x) for x in out]


# --- the site -------------------------------------------------------------------

class Site:
    def __init__(self, root, gosrc, out):
        self.root, self.gosrc, self.out = root, gosrc, out
        self.index = goxref.GoIndex(gosrc)
        origins, gortonly, errors = goxref.scan(root)
        goxref.resolve(origins, self.index, errors)
        self.errors = errors
        self.entries = {}
        for e in origins + gortonly:
            self.entries[(e.path, e.line)] = e
        self.origins, self.gortonly = origins, gortonly
        self.go_lines = {}
        self.gort_lines = {}
        self.gort_cut = {}
        self.diff_rows = differences_rows(os.path.join(root, "docs", "differences.md"))
        self.pages = []        # (gofile, rows, stats)
        self.targets = {}      # name -> href (ported functions; Go and gort names)
        self.functions = []    # for the index: (name, gofile, href, state)

    def read(self, path, go):
        cache = self.go_lines if go else self.gort_lines
        if path not in cache:
            full = self.index.path(path) if go else os.path.join(self.root, path)
            with open(full, encoding="utf-8") as f:
                cache[path] = f.read()
        return cache[path]

    def build(self):
        # Pass 1: rows per page and the link targets.
        plans = []
        for gofile, gortfiles in PAIRS:
            if not os.path.isfile(self.index.path(gofile)):
                self.errors.append(f"reader: no Go file {gofile} in {self.gosrc}")
                continue
            gortfiles = [p for p in gortfiles if os.path.isfile(os.path.join(self.root, p))]
            plans.append((gofile, self.plan(gofile, gortfiles)))
        # Pass 2: render.
        os.makedirs(self.out, exist_ok=True)
        for gofile, rows in plans:
            self.render_page(gofile, rows)
        self.render_index()
        self.render_docs()
        with open(os.path.join(HERE, "reader.css"), encoding="utf-8") as f:
            css = f.read()
        from pygments.formatters import HtmlFormatter
        css += "\n/* Pygments (default style), generated */\n" + HtmlFormatter(style="default").get_style_defs(".code")
        with open(os.path.join(self.out, "reader.css"), "w", encoding="utf-8") as f:
            f.write(css)
        shutil.copy(os.path.join(HERE, "reader.js"), os.path.join(self.out, "reader.js"))
        with open(os.path.join(self.out, "site.json"), "w", encoding="utf-8") as f:
            json.dump({"pages": [page_name(g) for g, _ in plans]}, f)

    def gort_pieces_of(self, path):
        if path not in self.gort_cut:
            lines = self.read(path, False).split("\n")
            self.gort_cut[path] = gort_pieces(path, lines, self.entries)
        return self.gort_cut[path]

    def plan(self, gofile, gortfiles):
        golines = self.read(gofile, True).split("\n")
        gp = go_pieces(gofile, golines)
        # Every gort piece anywhere whose origin names this Go file.
        named = {}  # Go name -> [gort piece]
        page_own = []
        seen = set()
        for path in sorted({e.path for e in self.origins} | set(gortfiles)):
            for piece in self.gort_pieces_of(path):
                if path in gortfiles:
                    page_own.append(piece)
                for (f, name, _) in piece.refs:
                    if f == gofile:
                        named.setdefault(name, [])
                        if id(piece) not in {id(x) for x in named[name]}:
                            named[name].append(piece)
        rows = []
        placed = set()
        for piece in gp:
            row = {"go": piece, "gort": [], "id": None}
            if piece.kind != "preamble":
                for name in piece.names:
                    for g in named.get(name, []):
                        key = (g.path, g.start)
                        if key not in placed:
                            placed.add(key)
                            row["gort"].append(g)
                        elif g not in row["gort"]:
                            row.setdefault("also", []).append(g)
                if piece.names:
                    row["id"] = anchor(gofile, piece.names[0])
            rows.append(row)
        # The page's own gort pieces that were not placed: after the row of
        # the piece before them in their file.
        last_row = {}
        for r_i, row in enumerate(rows):
            for g in row["gort"]:
                last_row[(g.path, g.start)] = r_i
        pending = {}
        prev_row = {}
        for g in page_own:
            key = (g.path, g.start)
            if key in placed:
                prev_row[g.path] = last_row[key]
                continue
            if g.kind == "preamble" and g.end - g.start <= 1:
                continue
            at = prev_row.get(g.path, -1)
            pending.setdefault(at, []).append(g)
        out = []
        for g in pending.get(-1, []):
            out.append({"go": None, "gort": [g], "id": None})
        for r_i, row in enumerate(rows):
            out.append(row)
            for g in pending.get(r_i, []):
                out.append({"go": None, "gort": [g], "id": None})
        # Link targets: a Go name with a row, ported or not; gort names too.
        for row in out:
            if row["id"] is None:
                if row["go"] is None and row["gort"] and row["gort"][0].names:
                    g = row["gort"][0]
                    row["id"] = "gort-" + re.sub(r"[^A-Za-z0-9_]+", "_", g.path + "-" + str(g.start + 1))
                continue
            ported = bool(row["gort"] or row.get("also"))
            href = page_name(gofile) + "#" + row["id"]
            for name in row["go"].names:
                short = name.split(".")[-1]
                if ported and "." not in name:
                    self.targets.setdefault(name, href)
                self.functions.append((name, gofile, href, "ported" if ported else "not ported"))
                if ported:
                    for g in row["gort"]:
                        for n in g.names:
                            base = n.split("::")[-1]
                            if base and base[0].isalpha():
                                self.targets.setdefault(base, href)
                del short
        for row in out:
            if row["go"] is None and row["gort"]:
                g = row["gort"][0]
                if g.kind == "gort-only" and g.names:
                    href = page_name(gofile) + "#" + row["id"]
                    self.functions.append((g.names[0], gofile, href, "gort-only"))
        return out

    def link_for(self, page):
        def f(name):
            href = self.targets.get(name)
            if not href:
                return None
            if href.startswith(page + "#"):
                return href[len(page):]
            return href
        return f

    def render_piece(self, path, piece, hl, go, page_gofile=None):
        cls = "go" if go else "gort"
        lines = hl[piece.start:piece.end]
        # Trim trailing blank lines.
        while lines and not re.sub(r"<[^>]+>", "", lines[-1]).strip():
            lines = lines[:-1]
        body = []
        for k, line in enumerate(lines):
            n = piece.start + k + 1
            lid = f' id="go-L{n}"' if go else ""
            body.append(f'<span class="ln"{lid}>{n}</span>{line}')
        label = path if go or "/" in path else path
        head = f'<div class="where">{html.escape(label)}:{piece.start + 1}'
        if not go:
            if piece.kind == "gort-only":
                head += ' <span class="tag gortonly">gort-only</span>'
            elif piece.kind == "origin" and piece.refs:
                others = sorted({f for f, _, _ in piece.refs})
                head += " " + " ".join(f'<a class="tag port" href="{page_name(o)}">{html.escape(o)}</a>'
                                       for o in others if o != page_gofile and any(o == g for g, _ in PAIRS))
        head += "</div>"
        return f'<div class="piece {cls}">{head}<pre class="code">{chr(10).join(body)}</pre></div>'

    def render_page(self, gofile, rows):
        page = page_name(gofile)
        link = self.link_for(page)
        gotext = self.read(gofile, True)
        gohl = highlight_lines(gofile, gotext, link)
        hl = {}
        nported = nfolded = nonly = 0
        body = []
        for row in rows:
            rid = f' id="{row["id"]}"' if row["id"] else ""
            go, gort = row["go"], row["gort"]
            notes = []
            if go is not None and go.kind != "preamble" and not gort and not row.get("also"):
                nfolded += 1
                reason = self.reason_for(go.names)
                left = (f'<details class="folded"><summary><b>{html.escape(", ".join(go.names[:3]))}</b> '
                        f'— not ported: {html.escape(reason)}</summary>'
                        f'{self.render_piece(gofile, go, gohl, True)}</details>')
                right = '<div class="empty"></div>'
                body.append(f'<div class="row unported"{rid}><div class="cell left">{left}</div>'
                            f'<div class="cell right">{right}</div></div>')
                continue
            if go is not None and go.kind != "preamble":
                nported += 1
            if go is None:
                nonly += 1 if (gort and gort[0].kind == "gort-only") else 0
            left = self.render_piece(gofile, go, gohl, True) if go is not None else '<div class="empty"></div>'
            rights = []
            for g in gort:
                if g.path not in hl:
                    hl[g.path] = highlight_lines(g.path, self.read(g.path, False), link)
                rights.append(self.render_piece(g.path, g, hl[g.path], False, gofile))
            for g in row.get("also", []):
                rights.append(f'<div class="also">ported together with another declaration, at '
                              f'{html.escape(g.path)}:{g.start + 1} (above)</div>')
            names = set(go.names if go is not None else []) | {n for g in gort for n in g.names}
            for topic, text in self.diff_rows:
                if any(re.search(rf"`{re.escape(n)}`", text) for n in names if n and n[0].isalpha()):
                    notes.append(f'<details class="diff"><summary>differences.md: {html.escape(topic)}</summary>'
                                 f'<p>{html.escape(text)}</p></details>')
            right = "".join(rights) + "".join(notes) if rights or notes else '<div class="empty"></div>'
            cls = "row" + (" gortonly" if go is None else "") + (" preamble" if go is not None and go.kind == "preamble" else "")
            body.append(f'<div class="{cls}"{rid}><div class="cell left">{left}</div>'
                        f'<div class="cell right">{right}</div></div>')
        gortfiles = dict(PAIRS)[gofile]
        title = f"{gofile} ↔ {', '.join(gortfiles)}"
        doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} — gort reader</title>
<link rel="stylesheet" href="reader.css"><script src="reader.js" defer></script></head>
<body class="pair">
<header><a href="index.html">gort reader</a> · <b>Go 1.19 {html.escape(gofile)}</b> ↔ <b>gort {html.escape(', '.join(gortfiles))}</b>
<span class="stats">{nported} ported · {nfolded} not ported · {nonly} gort-only</span></header>
<div class="colheads"><div>Go 1.19: src/{html.escape(self.gopath(gofile))}</div><div>gort: {html.escape(', '.join(gortfiles))}</div></div>
<main>
{chr(10).join(body)}
</main></body></html>
"""
        with open(os.path.join(self.out, page), "w", encoding="utf-8") as f:
            f.write(doc)
        self.pages.append((gofile, nported, nfolded, nonly))

    def gopath(self, gofile):
        return gofile if "/" in gofile else "runtime/" + gofile

    def reason_for(self, names):
        for topic, text in self.diff_rows:
            if any(re.search(rf"`{re.escape(n)}`", text) for n in names if n and n[0].isalpha()):
                return f"see differences.md, “{topic}”"
        return "gort has no twin for it"

    def render_index(self):
        items = []
        for gofile, nported, nfolded, nonly in self.pages:
            items.append(f'<li><a href="{page_name(gofile)}">{html.escape(gofile)}</a> ↔ '
                         f'{html.escape(", ".join(dict(PAIRS)[gofile]))} '
                         f'<span class="stats">{nported} ported · {nfolded} not ported · {nonly} gort-only</span></li>')
        fns = []
        for name, gofile, href, state in sorted(self.functions, key=lambda x: (x[0].lower(), x[1])):
            fns.append(f'<li data-name="{html.escape(name.lower())}" class="{state.replace(" ", "-")}">'
                       f'<a href="{href}">{html.escape(name)}</a> <span class="file">{html.escape(gofile)}</span> '
                       f'<span class="state">{state}</span></li>')
        docs = "".join(f'<li><a href="docs/{os.path.basename(p)[:-3]}.html">{html.escape(os.path.basename(p))}</a></li>'
                       for p in self.doc_files())
        doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>gort reader</title>
<link rel="stylesheet" href="reader.css"><script src="reader.js" defer></script></head>
<body class="index">
<header><b>gort reader</b>: Go 1.19's runtime beside gort's port, function by function</header>
<main class="indexmain">
<section><h2>Files</h2><ul class="files">{"".join(items)}</ul></section>
<section><h2>Functions</h2><input id="search" type="search" placeholder="search a function (e.g. findRunnable)" autofocus>
<ul id="functions" class="functions">{"".join(fns)}</ul></section>
<section><h2>The guided tour</h2><ul class="files">{docs}</ul></section>
</main></body></html>
"""
        with open(os.path.join(self.out, "index.html"), "w", encoding="utf-8") as f:
            f.write(doc)

    def doc_files(self):
        return sorted(glob.glob(os.path.join(self.root, "docs", "*.md")))

    def render_docs(self):
        try:
            import markdown
        except ImportError:
            self.errors.append("reader: needs python3-markdown for the docs (apt-get install python3-markdown)")
            return
        outdir = os.path.join(self.out, "docs")
        os.makedirs(outdir, exist_ok=True)
        for img in glob.glob(os.path.join(self.root, "docs", "*.png")):  # pictures the docs show
            shutil.copy(img, outdir)
        known = {g: page_name(g) for g, _ in PAIRS}
        for p in self.doc_files():
            with open(p, encoding="utf-8") as f:
                text = f.read()
            body = markdown.markdown(text, extensions=["tables", "fenced_code", "toc"],
                                     extension_configs={"toc": {"slugify": github_slug}})

            # Citations `proc.go:1234` (or 1234-1240) link to the line in
            # the reader; links to other docs go to their rendered page.
            def cite(m):
                gofile, line = m.group(1), m.group(2)
                if gofile in known:
                    return f'<a class="cite" href="../{known[gofile]}#go-L{line}">{m.group(0)}</a>'
                return m.group(0)

            body = re.sub(r'href="([A-Za-z0-9_.-]+)\.md(#[^"]*)?"',
                          lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', body)
            body = re.sub(r'href="\.\./([^"#]+)(#[^"]*)?"', self.repo_link, body)
            body = re.sub(r"<code>([^<]*)</code>",
                          lambda m: "<code>" + CITE_RE.sub(cite, m.group(1)) + "</code>", body)
            name = os.path.basename(p)[:-3]
            doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(name)} — gort docs</title>
<link rel="stylesheet" href="../reader.css"></head>
<body class="docpage"><header><a href="../index.html">gort reader</a> · docs/{html.escape(name)}.md</header>
<main class="doc">{body}</main></body></html>
"""
            with open(os.path.join(outdir, name + ".html"), "w", encoding="utf-8") as f:
                f.write(doc)

    def repo_link(self, m):
        # A link from docs/ into the repository (../runtime/proc.cpp): to
        # the file in the source tree the site was built from.
        target = os.path.join(self.root, m.group(1))
        rel = os.path.relpath(target, os.path.join(self.out, "docs"))
        return f'href="{html.escape(rel)}{m.group(2) or ""}"'


def github_slug(value, separator):
    """A heading's anchor as GitHub makes it (the docs link to those): lower
    case, punctuation dropped, each space a hyphen."""
    value = re.sub(r"<[^>]+>", "", value).lower()
    value = re.sub(r"[^\w\- ]", "", value)
    return value.replace(" ", separator)


def differences_rows(path):
    """docs/differences.md's table rows as (topic, text)."""
    rows = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.startswith("| ") or line.startswith("| topic") or line.startswith("|---"):
                    continue
                cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
                if len(cells) < 2:
                    continue
                topic = re.sub(r"\*\*|`", "", cells[0])
                rows.append((topic, " | ".join(cells[1:])))
    except FileNotFoundError:
        pass
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    root = os.path.dirname(os.path.dirname(HERE))
    ap.add_argument("--root", default=root)
    ap.add_argument("--go-src", default="/usr/share/go-1.19/src")
    ap.add_argument("--out", default=os.path.join(root, "build", "site"))
    args = ap.parse_args()
    if not os.path.isfile(os.path.join(args.go_src, "runtime", "proc.go")):
        print(f"reader: SKIP: Go 1.19's sources are not at {args.go_src}/runtime "
              "(apt-get install golang-1.19-src)", file=sys.stderr)
        return SKIP
    site = Site(os.path.abspath(args.root), args.go_src, os.path.abspath(args.out))
    site.build()
    for e in site.errors:
        print(e, file=sys.stderr)
    if site.errors:
        return 1
    total = [sum(x) for x in zip(*[(a, b, c) for _, a, b, c in site.pages])]
    print(f"reader: wrote {len(site.pages)} pages to {args.out} "
          f"({total[0]} Go declarations ported, {total[1]} not ported, {total[2]} gort-only pieces); "
          f"open {os.path.join(args.out, 'index.html')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
