#!/usr/bin/python3
"""gen.py -- from a seed, one random deterministic concurrent program,
written twice: as Go and as a gort C++ program with the same meaning.

  gen.py SEED [--go FILE] [--cpp FILE]      write the twins of one seed

Used as a module by difftest.py, which puts many programs into one Go and
one C++ binary (each program in its own namespace, chosen by argv).

The program is a tree of goroutines under main, run in stages (main waits
for each stage's goroutines before the next). It always terminates, by
construction (docs/17-difftest.md):
  - a goroutine's channel operations come in two phases. Phase 1: it
    receives what its parent sends it (the "down" channel) and sends to its
    children's down channels. Phase 2: it sends to its parent (the "up"
    channel) and receives from its children's up channels. Then it waits
    for its children (WaitGroup) and ends. Every send has its receive (the
    same count on both sides; range only over a channel that is closed).
    In a tree, a goroutine then only ever waits for its parent's matching
    operation or for a child's, and no cycle of waits can form.
  - a blocking select has exactly one case that can ever be ready (the
    others use channels no one sends on or receives from), so Go's random
    choice never matters; a select with default uses at most one channel
    that can be ready, the "mailbox", which only non-blocking selects use.
  - Mutex and Once sections hold only prints and Gosched.
  - time.Sleep happens only in a stage of sleepers: while they sleep no
    other goroutine is runnable, and their durations are 8 ms apart, so
    they wake in a fixed order, one at a time.
Each goroutine logs as it goes (into a slice/vector, printed by main at the
end: printing is a system call in Go, where a slow one lets sysmon take
the P, which would change Go's order by timing).
"""
import argparse
import random
import sys

MAXG = 9  # goroutines per program, main included


class Chan:
    """A channel between a goroutine and its parent."""

    def __init__(self, rng, name, down):
        self.name = name
        self.down = down  # parent -> child (phase 1) or child -> parent (phase 2)
        self.cap = rng.choice([0, 0, 0, 1, 2, 3])
        self.n = rng.randint(1, 3)
        self.close = rng.random() < 0.6
        # how the receiver consumes: range (needs close), recv (n times; one
        # more that sees the close if closed), or select (a recv inside a
        # select with dead cases)
        opts = ["recv", "select"] + (["range", "range"] if self.close else [])
        self.consume = rng.choice(opts)
        self.sendsel = rng.random() < 0.3  # sends inside a select with dead cases


class G:
    def __init__(self, gid, parent, depth):
        self.id = gid
        self.parent = parent
        self.depth = depth
        self.children = []
        self.down = None
        self.up = None
        self.sleep = None  # ms, for sleepers
        self.body = []


class Stmt:
    """One statement; uid identifies it for the minimiser (difftest.py)."""
    _next = 0

    def __init__(self, kind, g, **kw):
        self.kind = kind
        self.g = g
        self.__dict__.update(kw)
        Stmt._next += 1
        self.uid = Stmt._next


class Program:
    def __init__(self, seed):
        self.seed = seed
        self.rng = random.Random(seed)
        self.gs = []
        self.chans = []
        self.removed = set()  # uids of statements and ids of goroutines left out
        Stmt._next = 0
        self._build()

    # ---- generation ----

    def _newg(self, parent, depth):
        g = G(len(self.gs), parent, depth)
        self.gs.append(g)
        if parent is not None:
            parent.children.append(g)
        return g

    def _filler(self, g):
        """A statement that never blocks for long."""
        r = self.rng
        k = r.choices(["print", "gosched", "lock", "once", "trysend", "tryrecv", "trysel"],
                      [4, 4, 2, 1, 1, 1, 1])[0]
        if k == "lock":
            return Stmt("lock", g, inner=r.choice([[], ["gosched"], ["gosched", "gosched"]]))
        if k == "once":
            return Stmt("once", g, inner=r.choice([[], ["gosched"]]))
        return Stmt(k, g)

    def _sprinkle(self, g, ops):
        """Random fillers between ops; LockOSThread around a stretch."""
        r = self.rng
        out = []
        for op in ops + [None]:
            for _ in range(r.choice([0, 0, 1, 1, 2])):
                out.append(self._filler(g))
            if op is not None:
                out.append(op)
        if r.random() < 0.15 and len(out) >= 1:
            i = r.randint(0, len(out))
            j = r.randint(i, len(out))
            lk = Stmt("lockos", g)
            out.insert(j, Stmt("unlockos", g, pair=lk))
            out.insert(i, lk)
        return out

    def _merge(self, seqs):
        """Interleave sequences at random, keeping each one's order."""
        seqs = [list(s) for s in seqs if s]
        out = []
        while seqs:
            s = self.rng.choice(seqs)
            out.append(s.pop(0))
            if not s:
                seqs.remove(s)
        return out

    def _chanops(self, c, sender, receiver):
        """The sender's and the receiver's statements for channel c."""
        snd = [Stmt("send", sender, c=c, i=i, sel=c.sendsel) for i in range(c.n)]
        if c.close:
            snd.append(Stmt("close", sender, c=c))
        if c.consume == "range":
            rcv = [Stmt("range", receiver, c=c)]
        else:
            k = c.n + (1 if c.close and self.rng.random() < 0.5 else 0)
            rcv = [Stmt("recv", receiver, c=c, i=i, sel=(c.consume == "select")) for i in range(k)]
        return snd, rcv

    def _tree(self, g, budget):
        """Children of g (at most budget goroutines in all), depth first."""
        r = self.rng
        nkids = r.choice([0, 1, 1, 2, 2, 3]) if g.depth < 3 else 0
        kids = []
        for _ in range(nkids):
            if len(self.gs) >= budget:
                break
            c = self._newg(g, g.depth + 1)
            kids.append(c)
            if r.random() < 0.5:
                c.down = Chan(r, "c%d" % c.id, True)
                self.chans.append(c.down)
            if r.random() < 0.6:
                c.up = Chan(r, "u%d" % c.id, False)
                self.chans.append(c.up)
            self._tree(c, budget)
        return kids

    def _bodyof(self, g, kids):
        """g's statements for its own channel work with kids (both phases)."""
        phase1 = []
        phase2 = []
        if g.down is not None:
            phase1.append(self._chanops(g.down, g.parent, g)[1])
        for c in kids:
            seq = [Stmt("spawn", g, child=c)]
            if c.down is not None:
                seq += self._chanops(c.down, g, c)[0]
            phase1.append(seq)
        if g.up is not None:
            phase2.append(self._chanops(g.up, g, g.parent)[0])
        for c in kids:
            if c.up is not None:
                phase2.append(self._chanops(c.up, c, g)[1])
        ops = self._merge(phase1) + self._merge(phase2)
        if kids:
            ops.append(Stmt("wait", g))
        return ops

    def _build(self):
        r = self.rng
        main = self._newg(None, 0)
        body = []
        for _ in range(r.choice([1, 1, 2, 2, 3])):
            if len(self.gs) >= MAXG:
                break
            if r.random() < 0.2:
                # a stage of sleepers (main may sleep among them)
                n = r.randint(1, 3)
                slots = r.sample(range(1, 5), n + 1)
                kids = []
                for k in range(n):
                    c = self._newg(main, 1)
                    c.sleep = 8 * slots[k]
                    c.body = self._sprinkle(c, [Stmt("sleep", c, ms=c.sleep)])
                    kids.append(c)
                ops = [Stmt("spawn", main, child=c) for c in kids]
                if r.random() < 0.4:
                    ops.append(Stmt("sleep", main, ms=8 * slots[n]))
                ops.append(Stmt("wait", main))
                body += self._sprinkle(main, ops)
            else:
                kids = self._tree(main, MAXG)
                body += self._sprinkle(main, self._bodyof(main, kids))
                stack = list(kids)
                while stack:
                    g = stack.pop()
                    stack += g.children
                    if g.sleep is None and not g.body:
                        g.body = self._sprinkle(g, self._bodyof(g, g.children))
        main.body = body + [Stmt("print", main)]

    # ---- minimiser support ----

    def units(self):
        """What the minimiser may take out: fillers and whole goroutines."""
        out = []
        for g in self.gs[1:]:
            out.append(("g", g.id))
        for g in self.gs:
            for s in g.body:
                if s.kind in ("print", "gosched", "lock", "once", "trysend", "tryrecv", "trysel",
                              "lockos", "sleep"):
                    out.append(("s", s.uid))
        return out

    def gone(self, g):
        while g is not None:
            if ("g", g.id) in self.removed:
                return True
            g = g.parent
        return False

    def live(self, s):
        if ("s", s.uid) in self.removed:
            return False
        if s.kind == "unlockos" and ("s", s.pair.uid) in self.removed:
            return False
        if s.kind == "spawn" and self.gone(s.child):
            return False
        if s.kind in ("send", "recv", "range", "close"):
            owner = self.gs[int(s.c.name[1:])]
            if self.gone(owner):
                return False
        if s.kind == "wait" and not any(not self.gone(c) for c in s.g.children):
            return False
        return True

    def size(self):
        return sum(1 for g in self.gs if not self.gone(g) for s in g.body if self.live(s))


# ---- rendering ----

class Out:
    def __init__(self):
        self.lines = []

    def __call__(self, ind, text):
        self.lines.append("\t" * ind + text if ind >= 0 else text)


def label(s):
    return "g%d %s%d" % (s.g.id, s.kind, s.uid)


def render_go(p, ns):
    o = Out()
    P = ns + "_"
    for c in p.chans:
        o(0, "var %s%s chan int" % (P, c.name))
    for g in p.gs:
        if g.children:
            o(0, "var %swg%d sync.WaitGroup" % (P, g.id))
    o(0, "var %smb chan int" % P)
    o(0, "var %sneverR, %sneverS chan int" % (P, P))
    o(0, "var %smu sync.Mutex" % P)
    o(0, "var %sonce sync.Once" % P)
    o(0, "var %scount int" % P)

    def inner(ind, s, ops):
        for k, op in enumerate(ops):
            if op == "gosched":
                o(ind, "runtime.Gosched()")
            o(ind, 'L("%s in%d")' % (label(s), k))

    def stmt(ind, s):
        k = s.kind
        lb = label(s)
        if k == "print":
            o(ind, 'L("%s")' % lb)
        elif k == "gosched":
            o(ind, "runtime.Gosched()")
            o(ind, 'L("%s")' % lb)
        elif k == "lock":
            o(ind, "%smu.Lock()" % P)
            o(ind, 'L("%s locked")' % lb)
            inner(ind, s, s.inner)
            o(ind, "%smu.Unlock()" % P)
        elif k == "once":
            o(ind, "%sonce.Do(func() {" % P)
            o(ind + 1, 'L("%s once")' % lb)
            inner(ind + 1, s, s.inner)
            o(ind, "})")
            o(ind, 'L("%s done")' % lb)
        elif k == "trysend":
            o(ind, "%scount++" % P)
            o(ind, "select {")
            o(ind, "case %smb <- %scount:" % (P, P))
            o(ind + 1, 'L(fmt.Sprint("%s sent ", %scount))' % (lb, P))
            o(ind, "default:")
            o(ind + 1, 'L("%s full")' % lb)
            o(ind, "}")
        elif k == "tryrecv":
            o(ind, "select {")
            o(ind, "case v := <-%smb:" % P)
            o(ind + 1, 'L(fmt.Sprint("%s got ", v))' % lb)
            o(ind, "default:")
            o(ind + 1, 'L("%s empty")' % lb)
            o(ind, "}")
        elif k == "trysel":
            o(ind, "select {")
            o(ind, "case v := <-%smb:" % P)
            o(ind + 1, 'L(fmt.Sprint("%s got ", v))' % lb)
            o(ind, "case <-%sneverR:" % P)
            o(ind + 1, 'L("%s never")' % lb)
            o(ind, "case %sneverS <- 1:" % P)
            o(ind + 1, 'L("%s never")' % lb)
            o(ind, "default:")
            o(ind + 1, 'L("%s empty")' % lb)
            o(ind, "}")
        elif k == "lockos":
            o(ind, "runtime.LockOSThread()")
            o(ind, 'L("%s")' % lb)
        elif k == "unlockos":
            o(ind, "runtime.UnlockOSThread()")
            o(ind, 'L("%s")' % lb)
        elif k == "sleep":
            o(ind, "time.Sleep(%d * time.Millisecond)" % s.ms)
            o(ind, 'L("%s")' % lb)
        elif k == "spawn":
            o(ind, "%swg%d.Add(1)" % (P, s.g.id))
            o(ind, "go %sg%d()" % (P, s.child.id))
        elif k == "wait":
            o(ind, "%swg%d.Wait()" % (P, s.g.id))
            o(ind, 'L("%s")' % lb)
        elif k == "send":
            v = 100 * s.uid + s.i
            if s.sel:
                o(ind, "select {")
                o(ind, "case %s%s <- %d:" % (P, s.c.name, v))
                o(ind + 1, 'L("%s sent")' % lb)
                o(ind, "case <-%sneverR:" % P)
                o(ind + 1, 'L("%s never")' % lb)
                o(ind, "}")
            else:
                o(ind, "%s%s <- %d" % (P, s.c.name, v))
                o(ind, 'L("%s sent")' % lb)
        elif k == "close":
            o(ind, "close(%s%s)" % (P, s.c.name))
            o(ind, 'L("%s")' % lb)
        elif k == "recv":
            if s.sel:
                o(ind, "select {")
                o(ind, "case v, ok := <-%s%s:" % (P, s.c.name))
                o(ind + 1, 'L(fmt.Sprint("%s got ", v, ok))' % lb)
                o(ind, "case %sneverS <- 1:" % P)
                o(ind + 1, 'L("%s never")' % lb)
                o(ind, "case <-%sneverR:" % P)
                o(ind + 1, 'L("%s never")' % lb)
                o(ind, "}")
            else:
                o(ind, "if v, ok := <-%s%s; true {" % (P, s.c.name))
                o(ind + 1, 'L(fmt.Sprint("%s got ", v, ok))' % lb)
                o(ind, "}")
        elif k == "range":
            o(ind, "for v := range %s%s {" % (P, s.c.name))
            o(ind + 1, 'L(fmt.Sprint("%s got ", v))' % lb)
            o(ind, "}")
            o(ind, 'L("%s end")' % lb)
        else:
            raise ValueError(k)

    for g in p.gs:
        if p.gone(g):
            continue
        o(0, "func %sg%d() {" % (P, g.id))
        if g.id == 0:
            for c in p.chans:
                o(1, "%s%s = make(chan int, %d)" % (P, c.name, c.cap))
            o(1, "%smb = make(chan int, 2)" % P)
            o(1, "%sneverR = make(chan int)" % P)
            o(1, "%sneverS = make(chan int)" % P)
        for s in g.body:
            if p.live(s):
                stmt(1, s)
        if g.parent is not None:
            o(1, "%swg%d.Done()" % (P, g.parent.id))
        o(0, "}")
    return "\n".join(o.lines) + "\n"


def render_cpp(p, ns):
    o = Out()
    o(0, "namespace %s {" % ns)
    for c in p.chans:
        o(0, "chan<int>* %s;" % c.name)
    for g in p.gs:
        if g.children:
            o(0, "sync::WaitGroup* wg%d = new sync::WaitGroup;" % g.id)
    o(0, "chan<int>* mb;")
    o(0, "chan<int>* neverR;")
    o(0, "chan<int>* neverS;")
    o(0, "sync::Mutex* mu = new sync::Mutex;")
    o(0, "sync::Once* once = new sync::Once;")
    o(0, "int count;")
    for g in p.gs:
        if not p.gone(g):
            o(0, "void g%d();" % g.id)

    def inner(ind, s, ops):
        for k, op in enumerate(ops):
            if op == "gosched":
                o(ind, "runtime::Gosched();")
            o(ind, 'L("%s in%d");' % (label(s), k))

    def stmt(ind, s):
        k = s.kind
        lb = label(s)
        if k == "print":
            o(ind, 'L("%s");' % lb)
        elif k == "gosched":
            o(ind, "runtime::Gosched();")
            o(ind, 'L("%s");' % lb)
        elif k == "lock":
            o(ind, "mu->Lock();")
            o(ind, 'L("%s locked");' % lb)
            inner(ind, s, s.inner)
            o(ind, "mu->Unlock();")
        elif k == "once":
            o(ind, "once->Do([] {")
            o(ind + 1, 'L("%s once");' % lb)
            inner(ind + 1, s, s.inner)
            o(ind, "});")
            o(ind, 'L("%s done");' % lb)
        elif k == "trysend":
            o(ind, "count++;")
            o(ind, "select(on_send(*mb, count, [] { L(\"%s sent \" + std::to_string(count)); }),"
              % lb)
            o(ind, '       on_default([] { L("%s full"); }));' % lb)
        elif k == "tryrecv":
            o(ind, 'select(on_recv(*mb, [](int v) { L("%s got " + std::to_string(v)); }),' % lb)
            o(ind, '       on_default([] { L("%s empty"); }));' % lb)
        elif k == "trysel":
            o(ind, 'select(on_recv(*mb, [](int v) { L("%s got " + std::to_string(v)); }),' % lb)
            o(ind, '       on_recv(*neverR, [](int) { L("%s never"); }),' % lb)
            o(ind, '       on_send(*neverS, 1, [] { L("%s never"); }),' % lb)
            o(ind, '       on_default([] { L("%s empty"); }));' % lb)
        elif k == "lockos":
            o(ind, "runtime::LockOSThread();")
            o(ind, 'L("%s");' % lb)
        elif k == "unlockos":
            o(ind, "runtime::UnlockOSThread();")
            o(ind, 'L("%s");' % lb)
        elif k == "sleep":
            o(ind, "time::Sleep(std::chrono::milliseconds(%d));" % s.ms)
            o(ind, 'L("%s");' % lb)
        elif k == "spawn":
            o(ind, "wg%d->Add(1);" % s.g.id)
            o(ind, "go(g%d);" % s.child.id)
        elif k == "wait":
            o(ind, "wg%d->Wait();" % s.g.id)
            o(ind, 'L("%s");' % lb)
        elif k == "send":
            v = 100 * s.uid + s.i
            if s.sel:
                o(ind, 'select(on_send(*%s, %d, [] { L("%s sent"); }),' % (s.c.name, v, lb))
                o(ind, '       on_recv(*neverR, [](int) { L("%s never"); }));' % lb)
            else:
                o(ind, "%s->send(%d);" % (s.c.name, v))
                o(ind, 'L("%s sent");' % lb)
        elif k == "close":
            o(ind, "%s->close();" % s.c.name)
            o(ind, 'L("%s");' % lb)
        elif k == "recv":
            if s.sel:
                o(ind, 'select(on_recv(*%s, [](int v, bool ok) { L("%s got " + std::to_string(v) + B(ok)); }),'
                  % (s.c.name, lb))
                o(ind, '       on_send(*neverS, 1, [] { L("%s never"); }),' % lb)
                o(ind, '       on_recv(*neverR, [](int) { L("%s never"); }));' % lb)
            else:
                o(ind, "{")
                o(ind + 1, "auto [v, ok] = %s->recv2();" % s.c.name)
                o(ind + 1, 'L("%s got " + std::to_string(v) + B(ok));' % lb)
                o(ind, "}")
        elif k == "range":
            o(ind, "for (int v : *%s) L(\"%s got \" + std::to_string(v));" % (s.c.name, lb))
            o(ind, 'L("%s end");' % lb)
        else:
            raise ValueError(k)

    for g in p.gs:
        if p.gone(g):
            continue
        o(0, "void g%d() {" % g.id)
        if g.id == 0:
            for c in p.chans:
                o(1, "%s = new chan<int>(%d);" % (c.name, c.cap))
            o(1, "mb = new chan<int>(2);")
            o(1, "neverR = new chan<int>(0);")
            o(1, "neverS = new chan<int>(0);")
        for s in g.body:
            if p.live(s):
                stmt(1, s)
        if g.parent is not None:
            o(1, "wg%d->Done();" % g.parent.id)
        o(0, "}")
    o(0, "}  // namespace %s" % ns)
    return "\n".join(o.lines) + "\n"


GO_HEAD = """// Generated by tools/difftest/gen.py: the Go twins. Run as
//   GOMAXPROCS=1 GOGC=off ./prog NAME [TRACE PHASE]
// With TRACE, the run is traced (runtime/trace) and P0's schedtick is
// brought to PHASE (mod 61) before NAME's main starts (difftest.py).
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"strconv"
	"strings"
	"sync"
	"time"
)

var _ = time.Millisecond
var _ = fmt.Sprint

var out []string

func L(s string) { out = append(out, s) }

// calibrate returns when P0's schedtick is 2 (mod 61), after n go
// statements: each round's Gosched puts main in the global queue, and the
// new goroutine (runnext) runs first, unless the 61-tick check in
// schedule takes main straight back: then it did not run.
func calibrate() int {
	for n := 1; ; n++ {
		ran := false
		go func() { ran = true }()
		runtime.Gosched()
		if !ran {
			// schedtick is 1 now; the Gosched runs the goroutine
			// (runnext, same time slice), then main again: 2.
			runtime.Gosched()
			return n
		}
	}
}

// probe prints the iteration at which the 61-tick check first took main
// back: 61 - (main.main's schedtick mod 61), or 0 if 61.
func probe() {
	for i := 0; i < 62; i++ {
		ran := false
		go func() { ran = true }()
		runtime.Gosched()
		if !ran {
			runtime.Gosched()
			fmt.Println("phase-hit", i)
			return
		}
	}
}

func main() {
	name := os.Args[1]
	if name == "probe" {
		probe()
		return
	}
	f := progs[name]
	if len(os.Args) > 3 {
		tf, err := os.Create(os.Args[2])
		if err != nil {
			panic(err)
		}
		phase, _ := strconv.Atoi(os.Args[3])
		trace.Start(tf)
		runtime.Gosched() // the trace reader goroutine runs and parks
		n := calibrate()
		pad := ((phase-2)%61 + 61) % 61
		for i := 0; i < pad; i++ {
			runtime.Gosched()
		}
		f()
		trace.Stop()
		tf.Close()
		fmt.Fprintf(os.Stderr, "difftest-calibration %d %d\\n", n, pad)
	} else {
		f()
	}
	var b strings.Builder
	for _, l := range out {
		b.WriteString(l + "\\n")
	}
	fmt.Print(b.String())
}
"""

CPP_HEAD = """// Generated by tools/difftest/gen.py: the gort twins. Run as
//   GOMAXPROCS=1 [GORT_TRACE=file] ./prog NAME
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "runtime/go.h"

using namespace gort;

static std::vector<std::string> out;
static void L(const std::string& s) { out.push_back(s); }
static std::string B(bool ok) { return ok ? " true" : " false"; }

// As the Go twin's probe.
static void probe() {
  for (int i = 0; i < 62; i++) {
    bool ran = false;
    go([&ran] { ran = true; });
    runtime::Gosched();
    if (!ran) {
      runtime::Gosched();
      printf("phase-hit %d\\n", i);
      return;
    }
  }
}
"""

CPP_TAIL = """
int gomain(int argc, char** argv) {
  if (argc < 2) return 2;
  std::string name = argv[1];
  if (name == "probe") {
    probe();
    return 0;
  }
  auto it = progs.find(name);
  if (it == progs.end()) {
    fprintf(stderr, "no program %s\\n", argv[1]);
    return 2;
  }
  it->second();
  std::string s;
  for (auto& l : out) s += l + "\\n";
  fputs(s.c_str(), stdout);
  return 0;
}

int main(int argc, char** argv) { gort::rt0_go(argc, argv, gomain); }
"""


def bundle(progs):
    """progs: [(name, Program)] -> (Go source, C++ source) of one binary each."""
    go = [GO_HEAD]
    cpp = [CPP_HEAD]
    for name, p in progs:
        go.append(render_go(p, name))
        cpp.append(render_cpp(p, name))
    go.append("var progs = map[string]func(){")
    for name, _ in progs:
        go.append('\t"%s": %s_g0,' % (name, name))
    go.append("}")
    cpp.append("static std::map<std::string, void (*)()> progs = {")
    for name, _ in progs:
        cpp.append('    {"%s", %s::g0},' % (name, name))
    cpp.append("};")
    cpp.append(CPP_TAIL)
    return "\n".join(go) + "\n", "\n".join(cpp)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("seed", type=int)
    ap.add_argument("--go", default="-")
    ap.add_argument("--cpp", default="-")
    a = ap.parse_args()
    gsrc, csrc = bundle([("s%d" % a.seed, Program(a.seed))])
    for path, src in ((a.go, gsrc), (a.cpp, csrc)):
        if path == "-":
            sys.stdout.write(src)
        else:
            with open(path, "w") as f:
                f.write(src)


if __name__ == "__main__":
    main()
