"""gdb support for gort's goroutines: runtime-gdb.py.

Port of Go 1.19 src/runtime/runtime-gdb.py, adapted to gort's C++
structures (runtime/runtime2.h, runtime/chan.h): the same commands
(`info goroutines`, `goroutine <goid>|all <gdb command>`), pretty printers
for gort::runtime::g, m, p, hchan and gort::chan<T>, the `$len` and `$cap`
functions for channels, and, where Go's script rewrites $pc and $sp, a
Python frame unwinder that unwinds a parked goroutine from its gobuf, so
the commands work in a core file too; and (gort's) a frame filter that
hides the go statement's plumbing frames (`set gort-hide-plumbing off`
shows them) and names systemstack_switch's frame.

How it is loaded: every program linked with gort carries this script's
text in its .debug_gdb_scripts section, as an inline (kind 4) entry named
gort/runtime-gdb.py (arch/<arch>/asm_<arch>.S), so no installed path is
baked in. gdb runs it by itself once the program's directory is in its
auto-load safe-path, e.g. in ~/.gdbinit:

    add-auto-load-safe-path /path/to/your/programs

or load it by hand: gdb -x tools/gdb/runtime-gdb.py PROG. libgort always
carries its debug information, whatever the program's build type.
docs/14-gdb.md tells how to use it and how the unwinder works.
"""

import re
import sys

import gdb
import gdb.printing
import gdb.unwinder
from gdb.FrameDecorator import FrameDecorator

print("Loading gort runtime support.", file=sys.stderr)

# ---------------------------------------------------------------------------
# Cached types. Looked up by name on first use, forgotten when a new
# objfile is loaded (Linux's scripts/gdb: utils.CachedType).
# ---------------------------------------------------------------------------


class CachedType:
    def __init__(self, name):
        self.name = name
        self.type = None

    def get(self):
        if self.type is None:
            try:
                self.type = gdb.lookup_type(self.name)
            except gdb.error:
                raise gdb.GdbError("gort: no type %s in the program's debug information" % self.name)
        return self.type


uintptr_type = CachedType("unsigned long")
waitreason_type = CachedType("gort::runtime::waitReason")
mcallframe_type = CachedType("gort::runtime::mcallframe")
_cached_types = [uintptr_type, waitreason_type, mcallframe_type]


def _forget_types(_event):
    for t in _cached_types:
        t.type = None


gdb.events.new_objfile.connect(_forget_types)

# ---------------------------------------------------------------------------
# Constants (runtime2.h), read by name from the program's DWARF, with Go's
# values (which gort keeps) where a name is missing.
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

P_STATUS = {read_runtime_const("gort::runtime::" + name, i): name
            for i, name in enumerate(["_Pidle", "_Prunning", "_Psyscall", "_Pgcstop", "_Pdead"])}

# runtime2.go: waitReasonStrings, by the name of each waitReason
# enumerator (runtime2.cpp: waitReasonString has the same strings); the
# enumerators' values come from the program.
WAIT_REASON_STRINGS = {
    "waitReasonZero": "",
    "waitReasonGCAssistMarking": "GC assist marking",
    "waitReasonIOWait": "IO wait",
    "waitReasonChanReceiveNilChan": "chan receive (nil chan)",
    "waitReasonChanSendNilChan": "chan send (nil chan)",
    "waitReasonDumpingHeap": "dumping heap",
    "waitReasonGarbageCollection": "garbage collection",
    "waitReasonGarbageCollectionScan": "garbage collection scan",
    "waitReasonPanicWait": "panicwait",
    "waitReasonSelect": "select",
    "waitReasonSelectNoCases": "select (no cases)",
    "waitReasonGCAssistWait": "GC assist wait",
    "waitReasonGCSweepWait": "GC sweep wait",
    "waitReasonGCScavengeWait": "GC scavenge wait",
    "waitReasonChanReceive": "chan receive",
    "waitReasonChanSend": "chan send",
    "waitReasonFinalizerWait": "finalizer wait",
    "waitReasonForceGCIdle": "force gc (idle)",
    "waitReasonSemacquire": "semacquire",
    "waitReasonSleep": "sleep",
    "waitReasonSyncCondWait": "sync.Cond.Wait",
    "waitReasonTimerGoroutineIdle": "timer goroutine (idle)",
    "waitReasonTraceReaderBlocked": "trace reader (blocked)",
    "waitReasonWaitForGCCycle": "wait for GC cycle",
    "waitReasonGCWorkerIdle": "GC worker (idle)",
    "waitReasonPreempted": "preempted",
    "waitReasonDebugCall": "debug call",
}


def wait_reason_string(w):
    "runtime2.go: waitReason.String, for a g's waitreason field."
    w = int(w)
    for f in waitreason_type.get().fields():
        if f.enumval == w:
            return WAIT_REASON_STRINGS.get(f.name.split("::")[-1], "unknown wait reason")
    return "unknown wait reason"


# ---------------------------------------------------------------------------
# Values and generators. gort's racily read fields are std::atomic (and the
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


def read_word(addr):
    return int(gdb.Value(addr).cast(uintptr_type.get().pointer()).dereference())


def linked_list(ptr, linkfield):
    while ptr:
        yield ptr
        ptr = load(ptr[linkfield])


def allgs():
    """Every g ever created, dead ones too (proc.cpp: allgs, in creation
    order, linked through g.alllink; Go walks its allgs slice)."""
    sym = gdb.lookup_global_symbol("gort::runtime::allgs")
    if sym is None:
        raise gdb.GdbError("gort: no gort::runtime::allgs: not a gort program, or no debug information")
    return linked_list(load(sym.value()), "alllink")


def find_goroutine(goid):
    "The g whose goid is goid and that is not dead, or None."
    for gp in allgs():
        if int(load(gp["atomicstatus"])) == G_DEAD:
            continue
        if int(gp["goid"]) == goid:
            return gp
    return None


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
                # "operator()" alone (DWARF's name of a lambda's call
                # operator) has no parameter list to strip.
                return name if name[:i].endswith("operator") else name[:i]
    return name


def function_name(pc):
    """The name of the function whose code holds pc, without its parameter
    list (Go prints blk.function; a C++ symbol's name carries its
    signature). For code inlined at pc, the function it was inlined into."""
    fn = outer_function(pc)
    if fn is not None:
        return strip_params(fn.print_name)
    sym = gdb.execute("info symbol %d" % int(pc), to_string=True).strip()
    if sym.startswith("No symbol"):
        return "?? (0x%x)" % int(pc)
    return sym.split(" in section")[0].split(" + ")[0]


def is_function_start(pc):
    fn = outer_function(pc)
    return fn is not None and int(fn.value().address) == int(pc)


def thread_of(gp):
    """The inferior thread running gp, if gp has an M (Go: the thread
    whose LWP is m.procid)."""
    mp = gp["m"]
    if not mp:
        return None
    procid = int(mp["procid"])
    for thr in gdb.selected_inferior().threads():
        if thr.ptid[1] == procid:
            return thr
    return None


def g_summary(gp):
    "goroutine 7 [chan receive], as a traceback's header says it."
    status = int(load(gp["atomicstatus"]))
    st = sts.get(status, "unknown(%d)" % status)
    if status & ~G_SCAN == G_WAITING:
        st = wait_reason_string(gp["waitreason"]) or st
    return "goroutine %d [%s]" % (int(gp["goid"]), st)


# ---------------------------------------------------------------------------
# Pretty printers. Go's are for Go's strings, slices, maps, channels and
# interfaces; libstdc++ prints C++'s own types, so gort's are for its
# scheduler structures and chan<T>. Each shows a one-line summary, then
# the fields as gdb would print them.
# ---------------------------------------------------------------------------


class StructPrinter:
    def __init__(self, val):
        self.val = val

    def children(self):
        for f in self.val.type.strip_typedefs().fields():
            if f.is_base_class or f.name is None:
                continue
            yield f.name, self.val[f]


class GPrinter(StructPrinter):
    "Pretty print gort::runtime::g: goroutine 7 [chan receive]."

    pattern = r"^gort::runtime::g$"

    def to_string(self):
        return g_summary(self.val)


class MPrinter(StructPrinter):
    "Pretty print gort::runtime::m: m 3 procid=1234 curg=7 p=1 spinning."

    pattern = r"^gort::runtime::m$"

    def to_string(self):
        mp = self.val
        s = "m %d procid=%d" % (int(mp["id"]), int(mp["procid"]))
        curg = load(mp["curg"])
        if curg:
            s += " curg=%d" % int(curg["goid"])
        if mp["p"]:
            s += " p=%d" % int(mp["p"]["id"])
        if mp["spinning"]:
            s += " spinning"
        return s


class PPrinter(StructPrinter):
    "Pretty print gort::runtime::p: p 0 _Prunning m=0 runqsize=2 runnext=9."

    pattern = r"^gort::runtime::p$"

    def to_string(self):
        pp = self.val
        status = int(load(pp["status"]))
        s = "p %d %s" % (int(pp["id"]), P_STATUS.get(status, "status(%d)" % status))
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
    """Pretty print gort::runtime::hchan: its counts and waiters (its
    buffer is raw bytes; chan<T> knows the element type)."""

    pattern = r"^gort::runtime::hchan$"

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

    pattern = r"^gort::chan<.*>$"

    def __init__(self, val):
        self.val = val
        self.c = None if val.is_optimized_out else val["c_"]

    def display_hint(self):
        return "array"

    def to_string(self):
        t = self.val.type.strip_typedefs()
        if self.val.is_optimized_out:
            return "<optimized out>"
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
        # chan.go: chanbuf
        ptr = c["buf"].cast(et.pointer())
        qcount, dataqsiz, recvx = int(load(c["qcount"])), int(c["dataqsiz"]), int(c["recvx"])
        for i in range(qcount):
            j = (recvx + i) % dataqsiz
            yield "[%d]" % i, (ptr + j).dereference()


def build_pretty_printer():
    pp = gdb.printing.RegexpCollectionPrettyPrinter("gort")
    for name, klass in (("g", GPrinter), ("m", MPrinter), ("p", PPrinter), ("hchan", HchanPrinter),
                        ("chan", ChanTypePrinter)):
        pp.add_printer(name, klass.pattern, klass)
    return pp


gdb.printing.register_pretty_printer(gdb.current_objfile(), build_pretty_printer(), replace=True)


def hchan_of(obj):
    "The hchan of a chan<T> or an hchan (or a pointer to either), or None."
    t = obj.type.strip_typedefs()
    if t.code == gdb.TYPE_CODE_PTR:
        obj = obj.dereference()
        t = obj.type.strip_typedefs()
    name = t.tag or ""
    if re.match(ChanTypePrinter.pattern, name):
        c = obj["c_"]
        return c.dereference() if c else None
    if re.match(HchanPrinter.pattern, name):
        return obj
    raise gdb.GdbError("not a channel: %s" % t)


class GoLenFunc(gdb.Function):
    "Length of a channel (chan<T> or hchan): $len(c)."

    def __init__(self):
        gdb.Function.__init__(self, "len")

    def invoke(self, obj):
        c = hchan_of(obj)
        return 0 if c is None else int(load(c["qcount"]))


GoLenFunc()


class GoCapFunc(gdb.Function):
    "Capacity of a channel (chan<T> or hchan): $cap(c)."

    def __init__(self):
        gdb.Function.__init__(self, "cap")

    def invoke(self, obj):
        c = hchan_of(obj)
        return 0 if c is None else int(c["dataqsiz"])


GoCapFunc()

# ---------------------------------------------------------------------------
# The unwinder. gdb's frame #0 always comes from the thread's own
# registers, and a core file's registers can't be written (Go's script
# assigns $pc and $sp, which only works in a live process). So to show a
# parked goroutine, GoroutineUnwinder claims the innermost real frame of
# the selected thread and says that its caller is the goroutine's frame,
# with the registers gobuf_registers() reads from its gobuf and the
# mcallframe; from there gdb's own DWARF unwinding walks the goroutine's
# stack down to goexit. GoroutineCmd runs the command one frame up and
# renumbers the frames it prints, so the goroutine's innermost frame is #0.
# ---------------------------------------------------------------------------


class Arch:
    """Register names, and the frame mcall leaves at the sched.sp of a
    parked g (arch/<arch>/asm_<arch>.h: mcallframe), read from the
    program's type by name: {register: offset}, the offset of the return
    address into mcall's caller and the frame's size. Only the integer
    registers: gdb names d8-d15 (arm64's callee-saved FP halves) as
    pseudo-registers an unwinder can't supply, and mxcsr, the x87 control
    word and fpcr are not unwound by anyone."""

    def __init__(self, name):
        self.name = name
        t = mcallframe_type.get()
        offs = {f.name: f.bitpos // 8 for f in t.fields() if f.name}
        self.size = t.sizeof
        if "aarch64" in name:
            self.pc, self.sp = "pc", "sp"
            self.saved = {r: offs[r] for r in ["x%d" % i for i in range(19, 31)]}
            self.retpc = offs["x30"]  # the link register: the return address
        else:
            self.pc, self.sp = "rip", "rsp"
            self.saved = {r: offs[r] for r in ("r15", "r14", "r13", "r12", "rbx", "rbp")}
            self.retpc = offs["retpc"]


_arch = None


def arch(name=None):
    """The Arch of the program: of architecture `name` if given (the
    unwinder passes its pending frame's), else of the newest frame."""
    global _arch
    if name is None:
        if _arch is not None:
            return _arch
        name = gdb.newest_frame().architecture().name()
    if _arch is None or _arch.name != name:
        _arch = Arch(name)
    return _arch


def gobuf_registers(gp):
    """The registers of the frame a g switched out of g.sched resumes in,
    as {register name: value}, in Go's view:
      - parked by mcall (sched.pc is mcall's resume label): mcall's caller
        (gopark, for a g blocked in the runtime), with the registers the
        mcallframe at sched.sp holds, as .Lmcall_resume restores them,
        and sp just above that frame;
      - never run: its entry, at sched.sp the return address gostartcall
        planted (goexit+PCQuantum; on arm64 in sched.lr).
    None for a running g: gogo cleared its sched.sp."""
    a = arch()
    sched = gp["sched"]
    pc, sp = int(sched["pc"]), int(sched["sp"])
    if sp == 0:
        return None
    if function_name(pc) == "mcall":
        regs = {r: read_word(sp + off) for r, off in a.saved.items()}
        regs[a.pc] = read_word(sp + a.retpc)
        regs[a.sp] = sp + a.size
        return regs
    regs = {a.pc: pc, a.sp: sp}
    if "aarch64" in a.name:
        regs["x29"] = int(sched["bp"])
        regs["x30"] = int(sched["lr"])
    else:
        regs["rbp"] = int(sched["bp"])
    if is_function_start(pc):
        # gdb looks a caller frame's unwind rules up at pc-1 (a return
        # address minus one lies in the call); a g that never ran stands
        # at its entry's first instruction, so hand gdb pc+1, whose pc-1
        # is the entry. The frame shows as "entry+1".
        regs[a.pc] = pc + 1
    return regs


class FrameId:
    "What create_unwind_info wants (gdb 14 has gdb.unwinder.FrameId)."

    def __init__(self, sp, pc):
        self.sp = gdb.Value(sp)
        self.pc = gdb.Value(pc)


class GoroutineUnwinder(gdb.unwinder.Unwinder):
    """While armed with a goroutine's registers, claims the frame whose
    (pc, sp) is the anchor (the selected thread's innermost real frame)
    and gives it the goroutine's frame as its caller; records the level
    it claimed. Disarmed, it claims nothing."""

    def __init__(self):
        super().__init__("gort-goroutine")
        self.regs = None
        self.anchor = None
        self.level = None

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
        # A stack address below any real one, so gdb never finds the
        # goroutine's frames (on another stack) "inner to" this one.
        info = pending_frame.create_unwind_info(FrameId(16, pc))
        for reg, val in self.regs.items():
            info.add_saved_register(reg, gdb.Value(val).cast(pending_frame.read_register(reg).type))
        return info


_unwinder = GoroutineUnwinder()
gdb.unwinder.register_unwinder(None, _unwinder, replace=True)

# ---------------------------------------------------------------------------
# The frame filter. Go's traceback hides the runtime's wrappers; a C++
# goroutine's stack carries the go statement's plumbing between goexit and
# the user's function: gort::detail::goclosure<...>::run, std::apply,
# std::invoke and their helpers, each often inlined into the next. The
# gort-hide-plumbing filter drops those frames from bt (and so from
# `goroutine N bt`); `set gort-hide-plumbing off` shows every frame. The
# frames keep their levels, so `frame N` still selects what bt showed.
# It also names systemstack_switch's frame, which gdb would print as
# "<signal handler called>" (its FDE says signal frame: see the asm).
# ---------------------------------------------------------------------------

# The go statement's plumbing: goclosure's run, by name; the lambdas of
# gort's go.h (gdb may show their names mangled: its demangler, like
# libstdc++'s, rejects some lambda manglings); and the standard library's
# call wrappers (std::invoke, std::apply...), by the header their code is in.
PLUMBING_PREFIXES = ("gort::detail::goclosure<",)
PLUMBING_FILES = ("/bits/invoke.h", "/bits/std_function.h", "/functional", "/tuple")
GO_H_FILES = ("/runtime/go.h", "/include/gort/runtime/go.h")


class HidePlumbingParameter(gdb.Parameter):
    """Whether bt hides the go statement's plumbing frames.

    Usage: set gort-hide-plumbing on|off
           show gort-hide-plumbing

    On (the default), backtraces leave out the frames of
    gort::detail::goclosure, std::invoke, std::apply and the standard
    library's other call wrappers, as Go's traceback hides its wrappers.
    Off shows every frame. bt -no-filters also shows every frame."""

    set_doc = "Set whether bt hides the go statement's plumbing frames."
    show_doc = "Show whether bt hides the go statement's plumbing frames."

    def __init__(self):
        super().__init__("gort-hide-plumbing", gdb.COMMAND_STACK, gdb.PARAM_BOOLEAN)
        self.value = True

    def get_set_string(self):
        return ""

    def get_show_string(self, svalue):
        return "Hiding the go statement's plumbing frames in backtraces is %s." % svalue


_hide_plumbing = HidePlumbingParameter()


def is_plumbing(frame):
    "Whether frame (a gdb.Frame) is one of the go statement's plumbing frames."
    fn = frame.function()
    if fn is None:
        return False
    name = fn.print_name
    if name.startswith(PLUMBING_PREFIXES):
        return True
    # The file of the frame's line: the header whose function it is in.
    sal = frame.find_sal()
    filename = sal.symtab.filename if sal is not None and sal.symtab is not None else ""
    if filename.endswith(PLUMBING_FILES) and (name.startswith("std::") or name.startswith("_ZSt")):
        return True
    # In go.h, all but gort::go itself (inlined into the go statement's
    # caller) is plumbing: its lambdas, by whatever name gdb gives them.
    return filename.endswith(GO_H_FILES) and not (name.startswith("gort::go<") and "{lambda" not in name)


class GortFrameDecorator(FrameDecorator):
    """A frame as gdb's own bt names it: the function without its
    parameter list (FrameDecorator gives the symbol's print name, which
    for C++ carries the signature, and bt then prints the arguments after
    it), and systemstack_switch by name, not "<signal handler called>"."""

    def function(self):
        frame = self.inferior_frame()
        if frame.type() == gdb.SIGTRAMP_FRAME and function_name(frame.pc()) == "systemstack_switch":
            return "systemstack_switch"
        fn = super().function()
        return strip_params(fn) if isinstance(fn, str) else fn


class PlumbingFilter:
    """gort-hide-plumbing: drops the go statement's plumbing frames from
    backtraces while the gort-hide-plumbing setting is on, and names
    systemstack_switch's frame."""

    def __init__(self):
        self.name = "gort-hide-plumbing"
        self.priority = 100
        self.enabled = True
        gdb.frame_filters[self.name] = self

    # The level of the innermost frame of the stack being printed: 0, or
    # where `goroutine N` starts the goroutine's frames. It is never
    # hidden (a goroutine not yet started stands in goclosure's run).
    top_level = 0

    def filter(self, frame_iter):
        for dec in frame_iter:
            frame = dec.inferior_frame()
            if _hide_plumbing.value and frame.level() != PlumbingFilter.top_level and is_plumbing(frame):
                continue
            yield GortFrameDecorator(dec)


PlumbingFilter()

# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------


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

    Usage: info goroutines

    One line per goroutine that is not dead, in Go's columns: `*` if it
    has an M (running, or in a system call), its goid, its status, then
    (gort's addition) the wait reason of a waiting goroutine in brackets,
    and the function it is in: for a running goroutine, the one at its
    thread's pc; for a parked one, mcall's caller (Go: the function of
    sched.pc, the same gopark); for one not started, its entry."""

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


GoroutinesCmd()

_FRAME_LINE = re.compile(r"^#(\d+)(\s.*)?$", re.S)
_STACK_LEVEL = re.compile(r"^Stack level (\d+)(.*)$", re.S)  # info frame
_BT_COUNT = re.compile(r"^(\s*(?:bt|backtrace|where)\b(?:\s+-\S+)*\s+)(\d+)(.*)$", re.S)


def renumber(text, first):
    """Drops the frames below level `first` from gdb's output and numbers
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


def adjust_count(cmd, first):
    "bt N counts the frames renumber() drops too: asks gdb for that many more."
    m = _BT_COUNT.match(cmd)
    if m is None:
        return cmd
    return "%s%d%s" % (m.group(1), int(m.group(2)) + first, m.group(3))


class GoroutineCmd(gdb.Command):
    """Execute gdb command in the context of goroutine <goid>.

    Usage: goroutine <goid> <gdbcmd>
           goroutine all <gdbcmd>

    <goid> may be an expression. With "all", <gdbcmd> runs for every
    goroutine that is not dead, each under a "goroutine N [status]:" line.

    A running goroutine (or one in a system call) is shown on the thread
    of its M. For any other, the gort-goroutine frame unwinder makes the
    goroutine's frames the callers of the selected thread's innermost
    frame; the command runs with the goroutine's innermost frame selected,
    and the frames it prints are renumbered from #0. Nothing is written to
    the inferior, so this works on a core file too.

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
        if goid_str != "all":
            self.invoke_per_goid(int(gdb.parse_and_eval(goid_str)), cmd)
            return
        goids = [int(gp["goid"]) for gp in allgs() if int(load(gp["atomicstatus"])) != G_DEAD]
        for goid in goids:
            gp = find_goroutine(goid)
            if gp is not None:
                print("\n%s:" % g_summary(gp))
                self.invoke_per_goid(goid, cmd)

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
            # Unwind until the unwinder has claimed the anchor frame.
            f = gdb.newest_frame()
            while f is not None and _unwinder.level is None:
                f = f.older()
            if _unwinder.level is None:
                raise gdb.GdbError("gort: the goroutine unwinder found no frame to attach goroutine %d to" % goid)
            first = _unwinder.level + 1
            gdb.execute("select-frame %d" % first)
            PlumbingFilter.top_level = first
            out = gdb.execute(adjust_count(cmd, first), to_string=True)
            sys.stdout.write(renumber(out, first))
        finally:
            PlumbingFilter.top_level = 0
            _unwinder.regs = None
            _unwinder.anchor = None
            _unwinder.level = None
            gdb.invalidate_cached_frames()
            try:
                save_frame.select()
            except gdb.error:
                pass


GoroutineCmd()
