# runtime-gdb.py — gdb support for gort's goroutines.
#
# Port of Go 1.19 src/runtime/runtime-gdb.py, adapted to gort's C++
# structures (runtime/runtime2.h, runtime/chan.h): the same commands
# (`info goroutines`, `goroutine <goid>|all <gdb command>`), pretty printers
# for gort::runtime::g, m, p, hchan and gort::chan<T>, and, where Go's
# script rewrites $pc and $sp, a Python frame unwinder that unwinds a
# parked goroutine from its gobuf, so it works in a core file too.
#
# gdb loads this script by itself through the .debug_gdb_scripts entry
# every gort program carries (arch/<arch>/asm_<arch>.S), once the
# installed directory is trusted, e.g. in ~/.gdbinit:
#
#     add-auto-load-safe-path /usr/local/share/gort/gdb
#
# From a build tree, load it by hand: gdb -x tools/gdb/runtime-gdb.py prog
# docs/14-gdb.md tells how to use it and how the unwinder works.

import re
import sys

import gdb
import gdb.printing
import gdb.unwinder

print("Loading gort runtime support.", file=sys.stderr)

# ---------------------------------------------------------------------------
# Constants (runtime2.h). Read from the program's DWARF where it has them,
# with Go's values (which gort keeps) as defaults.
# ---------------------------------------------------------------------------


def read_runtime_const(varname, default):
    try:
        return int(gdb.parse_and_eval(varname))
    except Exception:
        return int(default)


G_IDLE = read_runtime_const("gort::runtime::_Gidle", 0)
G_RUNNABLE = read_runtime_const("gort::runtime::_Grunnable", 1)
G_RUNNING = read_runtime_const("gort::runtime::_Grunning", 2)
G_SYSCALL = read_runtime_const("gort::runtime::_Gsyscall", 3)
G_WAITING = read_runtime_const("gort::runtime::_Gwaiting", 4)
G_MORIBUND_UNUSED = read_runtime_const("gort::runtime::_Gmoribund_unused", 5)
G_DEAD = read_runtime_const("gort::runtime::_Gdead", 6)
G_ENQUEUE_UNUSED = read_runtime_const("gort::runtime::_Genqueue_unused", 7)
G_COPYSTACK = read_runtime_const("gort::runtime::_Gcopystack", 8)
G_PREEMPTED = read_runtime_const("gort::runtime::_Gpreempted", 9)
G_SCAN = read_runtime_const("gort::runtime::_Gscan", 0x1000)
G_SCANRUNNABLE = G_SCAN + G_RUNNABLE
G_SCANRUNNING = G_SCAN + G_RUNNING
G_SCANSYSCALL = G_SCAN + G_SYSCALL
G_SCANWAITING = G_SCAN + G_WAITING

sts = {
    G_IDLE: "idle",
    G_RUNNABLE: "runnable",
    G_RUNNING: "running",
    G_SYSCALL: "syscall",
    G_WAITING: "waiting",
    G_MORIBUND_UNUSED: "moribund",
    G_DEAD: "dead",
    G_ENQUEUE_UNUSED: "enqueue",
    G_COPYSTACK: "copystack",
    G_PREEMPTED: "preempted",
    G_SCAN: "scan",
    G_SCANRUNNABLE: "runnable+s",
    G_SCANRUNNING: "running+s",
    G_SCANSYSCALL: "syscall+s",
    G_SCANWAITING: "waiting+s",
}

P_STATUS = ["_Pidle", "_Prunning", "_Psyscall", "_Pgcstop", "_Pdead"]

# runtime2.go: waitReasonStrings (Go 1.19's order, which runtime2.h keeps;
# runtime2.cpp: waitReasonString has the same table).
WAIT_REASONS = [
    "",
    "GC assist marking",
    "IO wait",
    "chan receive (nil chan)",
    "chan send (nil chan)",
    "dumping heap",
    "garbage collection",
    "garbage collection scan",
    "panicwait",
    "select",
    "select (no cases)",
    "GC assist wait",
    "GC sweep wait",
    "GC scavenge wait",
    "chan receive",
    "chan send",
    "finalizer wait",
    "force gc (idle)",
    "semacquire",
    "sleep",
    "sync.Cond.Wait",
    "timer goroutine (idle)",
    "trace reader (blocked)",
    "wait for GC cycle",
    "GC worker (idle)",
    "preempted",
    "debug call",
]


def wait_reason_string(w):
    w = int(w)
    if 0 <= w < len(WAIT_REASONS):
        return WAIT_REASONS[w]
    return "unknown wait reason"


# ---------------------------------------------------------------------------
# Value helpers. gort's racily read fields are std::atomic (and the
# channel's lockedWord); load() unwraps them the way libstdc++ lays them
# out, so the script needs no libstdc++ printers.
# ---------------------------------------------------------------------------


def load(v):
    "The value inside a std::atomic<T> or lockedWord<T>; v itself otherwise."
    for _ in range(4):
        t = v.type.strip_typedefs()
        name = t.tag or t.name or ""
        if not (name.startswith("std::atomic") or name.startswith("std::__atomic_base")
                or name.startswith("gort::runtime::lockedWord")):
            return v
        for field in ("_M_i", "_M_b", "_M_p", "_M_base", "v"):
            try:
                v = v[field]
                break
            except gdb.error:
                continue
        else:
            return v
    return v


def ptr_int(v):
    return int(load(v).cast(gdb.lookup_type("unsigned long")))


def lookup_global(name):
    "A global variable by its C++ name, or None."
    try:
        sym = gdb.lookup_global_symbol(name)
        if sym is not None:
            return sym.value()
    except gdb.error:
        pass
    try:
        return gdb.parse_and_eval(name)
    except gdb.error:
        return None


def linked_list(ptr, linkfield):
    while ptr:
        yield ptr
        ptr = load(ptr[linkfield])


def allgs():
    """Every g ever created (proc.cpp: allgs, linked through g.alllink, in
    creation order). Go walks the allgs slice; gort keeps a list."""
    head = lookup_global("gort::runtime::allgs")
    if head is None:
        raise gdb.GdbError("gort: no gort::runtime::allgs in this program (not a gort program, or no debug info)")
    return linked_list(load(head), "alllink")


def function_name(pc):
    """The name of the function containing pc, without its parameter list
    (Go prints blk.function; a C++ symbol's name carries its signature).
    Of a function inlined at pc, the one it was inlined into."""
    fn = outer_function(pc)
    if fn is not None:
        return strip_params(fn.print_name)
    sym = gdb.execute("info symbol %d" % int(pc), to_string=True).strip()
    if sym.startswith("No symbol"):
        return "?? (0x%x)" % int(pc)
    return sym.split(" in section")[0]


def outer_function(pc):
    "The symbol of the (not inlined) function whose code holds pc, or None."
    try:
        blk = gdb.block_for_pc(int(pc))
    except (gdb.error, RuntimeError):
        return None
    fn = None
    while blk is not None and not blk.is_static and not blk.is_global:
        if blk.function is not None:
            fn = blk.function
        blk = blk.superblock
    return fn


def strip_params(name):
    "gort::runtime::gopark(bool (*)(...), ...) -> gort::runtime::gopark"
    if not name.endswith(")"):
        return name
    depth = 0
    for i in range(len(name) - 1, -1, -1):
        if name[i] == ")":
            depth += 1
        elif name[i] == "(":
            depth -= 1
            if depth == 0:
                return name[:i]
    return name


def is_function_start(pc):
    fn = outer_function(pc)
    return fn is not None and int(fn.value().address) == int(pc)


# ---------------------------------------------------------------------------
# The architecture: register names and the frame mcall leaves at the
# sched.sp of a parked g (arch/<arch>/asm_<arch>.h: mcallframe).
# ---------------------------------------------------------------------------


class Arch:
    def __init__(self, name):
        self.name = name
        if "aarch64" in name:
            # mcallframe (asm_arm64.h): fpcr, pad, d8-d15, x19-x28, x29, x30.
            self.pc, self.sp, self.fp = "pc", "sp", "x29"
            self.size = 176
            self.saved = [("x%d" % r, 80 + 8 * (r - 19)) for r in range(19, 29)]
            self.saved += [("x29", 160), ("x30", 168)]
            self.retpc = 168
        else:
            # mcallframe (asm_amd64.h): mxcsr, fpcw, pad, r15 r14 r13 r12
            # rbx rbp, then the return address into mcall's caller.
            self.pc, self.sp, self.fp = "rip", "rsp", "rbp"
            self.size = 64
            self.saved = [("r15", 8), ("r14", 16), ("r13", 24), ("r12", 32), ("rbx", 40), ("rbp", 48)]
            self.retpc = 56
        self.read_layout_from_dwarf()

    def read_layout_from_dwarf(self):
        "Prefer the offsets of gort::runtime::mcallframe if the program has its type."
        try:
            t = gdb.lookup_type("gort::runtime::mcallframe")
        except gdb.error:
            return
        offs = {f.name: f.bitpos // 8 for f in t.fields() if f.name}
        self.size = t.sizeof
        if "retpc" in offs:  # amd64
            self.retpc = offs["retpc"]
            self.saved = [(r, offs[r]) for r in ("r15", "r14", "r13", "r12", "rbx", "rbp") if r in offs]
        elif "x30" in offs:  # arm64
            self.retpc = offs["x30"]
            self.saved = [(r, offs[r]) for r in ["x%d" % i for i in range(19, 31)] if r in offs]


_arch = None


def arch(name=None):
    """The Arch of the program: of frame `name`'s architecture if given
    (the unwinder passes its pending frame's), else of the newest frame."""
    global _arch
    if name is None:
        if _arch is not None:
            return _arch
        try:
            name = gdb.newest_frame().architecture().name()
        except gdb.error:
            name = "i386:x86-64"
    if _arch is None or _arch.name != name:
        _arch = Arch(name)
    return _arch


def read_word(addr):
    return int(gdb.Value(addr).cast(gdb.lookup_type("unsigned long").pointer()).dereference())


def gobuf_registers(gp):
    """The registers of the frame a goroutine switched out of g.sched
    would resume in, as {register name: value}, Go's view: for a g parked
    by mcall (sched.pc is in mcall, at .Lmcall_resume) that is mcall's
    caller, restored from the mcallframe at sched.sp, as .Lmcall_resume
    restores it; for a g that never ran, its entry function with the
    return address gostartcall planted (goexit+PCQuantum)."""
    a = arch()
    sched = gp["sched"]
    pc, sp, bp = int(sched["pc"]), int(sched["sp"]), int(sched["bp"])
    if sp == 0:
        return None  # running: gogo cleared sched.sp
    if function_name(pc) == "mcall":
        regs = {r: read_word(sp + off) for r, off in a.saved}
        regs[a.pc] = read_word(sp + a.retpc)
        regs[a.sp] = sp + a.size
        return regs
    regs = {a.pc: pc, a.sp: sp, a.fp: bp}
    if is_function_start(pc):
        # gdb looks a caller frame's unwind rules up at pc-1 (its return
        # address minus one lies in the call); a g that never ran is
        # stopped at its entry's first instruction, so hand gdb pc+1, whose
        # pc-1 is the entry. The frame then shows "entry+1".
        regs[a.pc] = pc + 1
        if "aarch64" in a.name:
            regs["x30"] = int(sched["lr"])
    return regs


# ---------------------------------------------------------------------------
# The frame unwinder. gdb's frame #0 always comes from the thread's own
# registers, and a core file's registers can't be written (Go's script
# assigns $pc and $sp, which only works in a live process). So to show a
# parked goroutine, GoroutineUnwinder claims the innermost real frame of
# the selected thread and says that its caller is the goroutine's frame,
# with the registers gobuf_registers() found; from there gdb's own DWARF
# unwinding walks the goroutine's stack down to goexit. GoroutineCmd then
# runs the command one frame up and renumbers the frames it prints, so the
# goroutine's innermost frame is #0.
# ---------------------------------------------------------------------------


class FrameId:
    "What create_unwind_info wants (gdb 14 has gdb.unwinder.FrameId)."

    def __init__(self, sp, pc):
        self.sp = gdb.Value(sp)
        self.pc = gdb.Value(pc)


class GoroutineUnwinder(gdb.unwinder.Unwinder):
    def __init__(self):
        super().__init__("gort-goroutine")
        self.regs = None      # the goroutine's registers while switched
        self.anchor = None    # (pc, sp) of the thread's innermost real frame
        self.level = None     # the level of the frame claimed

    def __call__(self, pending_frame):
        if self.regs is None or self.level is not None:
            return None
        a = arch(pending_frame.architecture().name())
        pc = int(pending_frame.read_register(a.pc))
        sp = int(pending_frame.read_register(a.sp))
        if (pc, sp) != self.anchor:
            return None
        try:
            self.level = pending_frame.level()
        except AttributeError:  # gdb < 11
            self.level = 0
        # A stack address below any real stack, so gdb never finds the
        # goroutine's frames "inner to" this one (they are on another stack).
        info = pending_frame.create_unwind_info(FrameId(16, pc))
        for reg, val in self.regs.items():
            info.add_saved_register(reg, gdb.Value(val).cast(pending_frame.read_register(reg).type))
        return info


_unwinder = GoroutineUnwinder()
gdb.unwinder.register_unwinder(None, _unwinder, replace=True)

# ---------------------------------------------------------------------------
# Pretty printers (Go's are for Go's strings, slices, maps, channels and
# interfaces; gort's are for its scheduler structures and chan<T>).
# ---------------------------------------------------------------------------


def g_summary(gp):
    "goroutine 7 [chan receive] for a g value."
    status = int(load(gp["atomicstatus"]))
    st = sts.get(status, "unknown(%d)" % status)
    if status & ~G_SCAN == G_WAITING:
        wr = wait_reason_string(gp["waitreason"])
        if wr:
            st = wr
    return "goroutine %d [%s]" % (int(gp["goid"]), st)


class StructPrinter:
    "A one-line summary, then the fields as gdb would print them."

    def __init__(self, val):
        self.val = val

    def children(self):
        for f in self.val.type.strip_typedefs().fields():
            if f.is_base_class or f.name is None:
                continue
            yield f.name, self.val[f]


class GPrinter(StructPrinter):
    "Pretty print gort::runtime::g."

    def to_string(self):
        return g_summary(self.val)


class MPrinter(StructPrinter):
    "Pretty print gort::runtime::m."

    def to_string(self):
        m = self.val
        s = "m %d procid=%d" % (int(m["id"]), int(m["procid"]))
        curg = load(m["curg"])
        if curg:
            s += " curg=%d" % int(curg["goid"])
        if m["p"]:
            s += " p=%d" % int(m["p"]["id"])
        if m["spinning"]:
            s += " spinning"
        return s


class PPrinter(StructPrinter):
    "Pretty print gort::runtime::p."

    def to_string(self):
        pp = self.val
        status = int(load(pp["status"]))
        st = P_STATUS[status] if status < len(P_STATUS) else "status(%d)" % status
        s = "p %d %s" % (int(pp["id"]), st)
        mp = load(pp["m"])
        if mp:
            s += " m=%d" % int(mp["id"])
        head, tail = int(load(pp["runqhead"])), int(load(pp["runqtail"]))
        s += " runqsize=%d" % ((tail - head) & 0xFFFFFFFF)
        nxt = load(pp["runnext"])
        if nxt:
            s += " runnext=%d" % int(nxt["goid"])
        return s


def waitq_len(q):
    n = 0
    s = load(q["first"])
    while s and n < 1000000:
        n += 1
        s = s["next"]
    return n


class HchanPrinter(StructPrinter):
    "Pretty print gort::runtime::hchan (untyped: its buffer is raw bytes)."

    def to_string(self):
        c = self.val
        s = "chan qcount=%d dataqsiz=%d elemsize=%d" % (
            int(load(c["qcount"])), int(c["dataqsiz"]), int(c["elemsize"]))
        if int(load(c["closed"])):
            s += " closed"
        s += " recvq=%d sendq=%d" % (waitq_len(c["recvq"]), waitq_len(c["sendq"]))
        return s


class ChanTypePrinter:
    """Pretty print gort::chan<T>: its length and capacity, then the
    buffered elements as T (Go: ChanTypePrinter)."""

    def __init__(self, val):
        self.val = val
        self.c = val["c_"]

    def display_hint(self):
        return "array"

    def to_string(self):
        t = self.val.type.strip_typedefs()
        if not self.c:
            return "%s nil" % t
        c = self.c.dereference()
        s = "%s len %d cap %d" % (t, int(load(c["qcount"])), int(c["dataqsiz"]))
        if int(load(c["closed"])):
            s += " closed"
        return s

    def children(self):
        if not self.c:
            return
        c = self.c.dereference()
        try:
            et = self.val.type.strip_typedefs().template_argument(0)
        except (gdb.error, RuntimeError):
            return
        ptr = c["buf"].cast(et.pointer())
        qcount, dataqsiz, recvx = int(load(c["qcount"])), int(c["dataqsiz"]), int(c["recvx"])
        for i in range(qcount):
            j = (recvx + i) % dataqsiz
            yield "[%d]" % i, (ptr + j).dereference()


def build_pretty_printer():
    pp = gdb.printing.RegexpCollectionPrettyPrinter("gort")
    pp.add_printer("g", r"^gort::runtime::g$", GPrinter)
    pp.add_printer("m", r"^gort::runtime::m$", MPrinter)
    pp.add_printer("p", r"^gort::runtime::p$", PPrinter)
    pp.add_printer("hchan", r"^gort::runtime::hchan$", HchanPrinter)
    pp.add_printer("chan", r"^gort::chan<.*>$", ChanTypePrinter)
    return pp


gdb.printing.register_pretty_printer(gdb.current_objfile(), build_pretty_printer(), replace=True)

# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------


def thread_of(gp):
    """The inferior thread running gp, if it has an M (Go: the thread
    whose LWP is m.procid)."""
    mp = gp["m"]
    if not mp:
        return None
    procid = int(mp["procid"])
    for thr in gdb.selected_inferior().threads():
        if thr.ptid[1] == procid:
            return thr
    return None


def live_pc(thr):
    "The pc of thr's innermost frame."
    cur = gdb.selected_thread()
    try:
        thr.switch()
        return int(gdb.newest_frame().pc())
    finally:
        cur.switch()


class GoroutinesCmd(gdb.Command):
    """List all goroutines.

    One line per goroutine that is not dead, as Go's: `*` if it has an M
    (running or in a syscall), its goid, its status, then, gort's
    addition, the wait reason of a waiting one in brackets, and the
    function it is in (Go: the function of sched.pc; gort: mcall's caller
    for a parked goroutine, the live pc of the thread for a running one)."""

    def __init__(self):
        gdb.Command.__init__(self, "info goroutines", gdb.COMMAND_STACK, gdb.COMPLETE_NONE)

    def invoke(self, _arg, _from_tty):
        for gp in allgs():
            status = int(load(gp["atomicstatus"]))
            if status == G_DEAD:
                continue
            s = "*" if gp["m"] else " "
            st = sts.get(status, "unknown(%d)" % status)
            reason = ""
            if status & ~G_SCAN == G_WAITING:
                reason = "[%s] " % wait_reason_string(gp["waitreason"])
            pc = None
            thr = thread_of(gp)
            if thr is not None:
                pc = live_pc(thr)
            else:
                regs = gobuf_registers(gp)
                if regs is not None:
                    pc = regs[arch().pc]
            fn = function_name(pc) if pc is not None else "?"
            print(s, int(gp["goid"]), "{0:8s}".format(st), reason + fn)


def find_goroutine(goid):
    "The g whose goid is goid and that is not dead, or None."
    for gp in allgs():
        if int(load(gp["atomicstatus"])) == G_DEAD:
            continue
        if int(gp["goid"]) == goid:
            return gp
    return None


_FRAME_LINE = re.compile(r"^#(\d+)(\s.*)?$", re.S)
_STACK_LEVEL = re.compile(r"^Stack level (\d+)(.*)$", re.S)  # info frame


def renumber(text, first):
    """Drop the frames below level `first` from gdb's output and number
    the rest from #0. A frame's block is its "#N" line and the lines up to
    the next one (bt full's locals)."""
    out = []
    keep = True
    for line in text.splitlines(True):
        m = _FRAME_LINE.match(line)
        if m:
            n = int(m.group(1))
            keep = n >= first
            if keep:
                # gdb prints the level left-aligned in two columns, then
                # a space.
                line = "#%-2d %s" % (n - first, (m.group(2) or "").lstrip(" "))
        m = _STACK_LEVEL.match(line)
        if m and int(m.group(1)) >= first:
            line = "Stack level %d%s" % (int(m.group(1)) - first, m.group(2))
        if keep:
            out.append(line)
    return "".join(out)


_BT_COUNT = re.compile(r"^(\s*(?:bt|backtrace|where)\b(?:\s+-\S+)*\s+)(\d+)(.*)$", re.S)


def adjust_count(cmd, first):
    "bt N counts the frames renumber() drops too: ask gdb for N more."
    m = _BT_COUNT.match(cmd)
    if m is None:
        return cmd
    return "%s%d%s" % (m.group(1), int(m.group(2)) + first, m.group(3))


class GoroutineCmd(gdb.Command):
    """Execute gdb command in the context of goroutine <goid>.

    For a running goroutine (or one in a system call) the command runs on
    the thread of its M. For any other goroutine the frame unwinder makes
    the goroutine's frames the callers of the selected thread's innermost
    frame; the command runs with the goroutine's innermost frame selected,
    and the frames it prints are renumbered from #0.

    Usage: (gdb) goroutine <goid> <gdbcmd>

    You could pass "all" as <goid> to apply <gdbcmd> to all goroutines.

    For example: (gdb) goroutine all <gdbcmd>

    Note that it is ill-defined to modify state in the context of a goroutine.
    Restrict yourself to inspecting values.
    """

    def __init__(self):
        gdb.Command.__init__(self, "goroutine", gdb.COMMAND_STACK, gdb.COMPLETE_NONE)

    def invoke(self, arg, _from_tty):
        try:
            goid_str, cmd = arg.split(None, 1)
        except ValueError:
            raise gdb.GdbError("usage: goroutine <goid>|all <gdb command>")
        goids = []

        if goid_str == "all":
            for gp in allgs():
                if int(load(gp["atomicstatus"])) != G_DEAD:
                    goids.append(int(gp["goid"]))
            for goid in goids:
                gp = find_goroutine(goid)
                if gp is None:
                    continue
                print("\n%s:" % g_summary(gp))
                self.invoke_per_goid(goid, cmd)
        else:
            self.invoke_per_goid(int(gdb.parse_and_eval(goid_str)), cmd)

    def invoke_per_goid(self, goid, cmd):
        gp = find_goroutine(goid)
        if gp is None:
            print("No such goroutine: ", goid)
            return
        thr = thread_of(gp)
        if thr is not None:
            cur = gdb.selected_thread()
            save_frame = gdb.selected_frame()
            try:
                thr.switch()
                gdb.execute(cmd)
            finally:
                cur.switch()
                save_frame.select()
            return
        regs = gobuf_registers(gp)
        if regs is None:
            print("goroutine %d is running on a thread gdb doesn't see; stack unavailable" % goid)
            return
        save_frame = gdb.selected_frame()
        newest = gdb.newest_frame()
        while newest.type() == gdb.INLINE_FRAME and newest.older() is not None:
            newest = newest.older()
        a = arch()
        _unwinder.regs = regs
        _unwinder.anchor = (int(newest.read_register(a.pc)), int(newest.read_register(a.sp)))
        _unwinder.level = None
        gdb.invalidate_cached_frames()
        try:
            f = gdb.newest_frame()
            while f is not None and _unwinder.level is None:
                f = f.older()
            if _unwinder.level is None:
                raise gdb.GdbError("gort: the goroutine unwinder did not run")
            first = _unwinder.level + 1
            gdb.execute("select-frame %d" % first)
            out = gdb.execute(adjust_count(cmd, first), to_string=True)
            sys.stdout.write(renumber(out, first))
        finally:
            _unwinder.regs = None
            _unwinder.anchor = None
            _unwinder.level = None
            gdb.invalidate_cached_frames()
            try:
                save_frame.select()
            except gdb.error:
                pass


GoroutinesCmd()
GoroutineCmd()
