#!/usr/bin/env python3
"""cfi_check.py -- checks the CFI of gort's .S routines at every instruction.

Usage: cfi_check.py --arch amd64|arm64 [--objdump P] [--readelf P] [--ar P] OBJ|LIB.a...
(from a static library, the members assembled from .S files are checked)

For each FDE of each object (the assembled arch/<arch>/*.S), the routine is
disassembled (objdump -d) and its CFI program read (readelf
--debug-dump=frames). The checker walks every path through the routine,
simulating the stack pointer, the frame pointer and the stack slots the
routine writes (push/pop, sub/add/lea/and on sp, mov to and from memory,
stp/ldp and friends on arm64). At each instruction boundary it evaluates
the CFI row in force there against that state and requires:

  * while the return address is not marked undefined: the CFA and the
    return address the row gives are the ones the routine was entered
    with, and each register the row says is saved (or unchanged, for the
    callee-saved ones) holds its entry value there;
  * the return address may be undefined only where the entry row already
    said so, or once the path has switched stacks (sp loaded from memory or
    another register): a routine still on its caller's stack must let an
    unwinder reach the caller.

Values are symbolic (entry register + offset, the load of such an address,
or unknown), so a rule that is stale by one push, or that reads a register
after it was popped, fails. Exit status 0 when every boundary holds, 1 with
one line per failure otherwise.
"""

import argparse
import itertools
import re
import os
import subprocess
import sys
import tempfile

_fresh = itertools.count()


def unknown():
    """A value equal to no other."""
    return (("unk", next(_fresh)), 0)


def add(v, off):
    return (v[0], v[1] + off)


def is_unknown(v):
    return isinstance(v[0], tuple) and v[0][0] == "unk"


class Arch:
    pass


class AMD64(Arch):
    name = "amd64"
    sp = "rsp"
    fp = "rbp"
    ra_col = 16
    dwarf = {0: "rax", 1: "rdx", 2: "rcx", 3: "rbx", 4: "rsi", 5: "rdi", 6: "rbp", 7: "rsp",
             8: "r8", 9: "r9", 10: "r10", 11: "r11", 12: "r12", 13: "r13", 14: "r14", 15: "r15",
             16: "rip"}
    callee_saved = ["rbx", "rbp", "r12", "r13", "r14", "r15"]
    caller_saved = ["rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11"]
    regs = list(dwarf.values())

    _r32 = {"eax": "rax", "ebx": "rbx", "ecx": "rcx", "edx": "rdx", "esi": "rsi", "edi": "rdi",
            "ebp": "rbp", "esp": "rsp", "ax": "rax", "al": "rax", "cl": "rcx", "dl": "rdx"}

    def reg(self, s):
        s = s.strip().lstrip("%")
        s = self._r32.get(s, s)
        m = re.fullmatch(r"(r\d+)[dwb]?", s)
        if m:
            s = m.group(1)
        return s if s in self.regs else None

    def mem(self, op):
        """(base, offset) of a simple off(%base) operand, else None."""
        m = re.fullmatch(r"(-?0x[0-9a-f]+|-?\d+)?\((%\w+)\)", op.strip())
        if not m:
            return None
        off = int(m.group(1), 0) if m.group(1) else 0
        return self.reg(m.group(2)), off

    def step(self, st, ins, args):
        """Applies one instruction to st; returns the successors:
        'next', ('jump', target), ('both', target) or 'end'."""
        ops = split_operands(args)
        mn = ins
        if mn in ("ret", "retq", "ud2", "int3", "hlt"):
            return "end"
        if mn.startswith("jmp"):
            t = branch_target(args)
            return ("jump", t) if t is not None else "end"
        if re.fullmatch(r"j[a-z]+", mn):
            return ("both", branch_target(args))
        if mn.startswith("call"):
            for r in self.caller_saved:
                st.regs[r] = unknown()
            return "next"
        if mn in ("push", "pushq"):
            st.setreg("rsp", add(st.regs["rsp"], -8))
            r = self.reg(ops[0])
            st.store(st.regs["rsp"], st.regs[r] if r else unknown())
            return "next"
        if mn in ("pushf", "pushfq"):
            st.setreg("rsp", add(st.regs["rsp"], -8))
            st.store(st.regs["rsp"], unknown())
            return "next"
        if mn in ("pop", "popq"):
            r = self.reg(ops[0])
            v = st.load(st.regs["rsp"])
            st.setreg("rsp", add(st.regs["rsp"], 8))
            if r:
                st.setreg(r, v)
            return "next"
        if mn in ("popf", "popfq"):
            st.setreg("rsp", add(st.regs["rsp"], 8))
            return "next"
        dst = self.reg(ops[-1]) if ops else None
        if mn in ("sub", "subq", "add", "addq") and len(ops) == 2 and dst:
            if ops[0].startswith("$"):
                imm = int(ops[0][1:], 0)
                st.setreg(dst, add(st.regs[dst], -imm if mn.startswith("sub") else imm))
            else:
                st.setreg(dst, unknown())
            return "next"
        if mn in ("lea", "leaq") and dst:
            m = self.mem(ops[0])
            st.setreg(dst, add(st.regs[m[0]], m[1]) if m and m[0] else unknown())
            return "next"
        if mn in ("mov", "movq") and len(ops) == 2:
            src, d = ops
            sreg = self.reg(src)
            if dst and sreg:
                st.setreg(dst, st.regs[sreg])
            elif dst:
                m = self.mem(src) if ":" not in src else None
                st.setreg(dst, st.load(add(st.regs[m[0]], m[1])) if m and m[0] else unknown())
            else:
                m = self.mem(d) if ":" not in d else None
                if m and m[0]:
                    st.store(add(st.regs[m[0]], m[1]), st.regs[sreg] if sreg else unknown())
            return "next"
        # Anything else that names a register last writes it.
        if dst:
            st.setreg(dst, unknown())
        return "next"


class ARM64(Arch):
    name = "arm64"
    sp = "sp"
    fp = "x29"
    ra_col = 30
    # 32: the pc, asyncPreempt's return column (a signal-style frame).
    dwarf = {**{i: "x%d" % i for i in range(31)}, 31: "sp", 32: "pc"}
    callee_saved = ["x%d" % i for i in range(19, 30)]
    caller_saved = ["x%d" % i for i in range(0, 19)] + ["x30"]
    regs = ["x%d" % i for i in range(31)] + ["sp", "pc"]

    def reg(self, s):
        s = s.strip()
        if s in ("sp", "wsp"):
            return "sp"
        if s == "lr":
            return "x30"
        if s == "fp":
            return "x29"
        m = re.fullmatch(r"[xw](\d+)", s)
        return "x" + m.group(1) if m else None

    def addr(self, st, ops):
        """For a [base, #off]{!} / [base], #off operand list: (address,
        writeback base, new base value)."""
        text = ", ".join(ops)
        m = re.fullmatch(r"\[(\w+)(?:, #(-?0x[0-9a-f]+|-?\d+))?\](!)?(?:, #(-?0x[0-9a-f]+|-?\d+))?", text)
        if not m:
            return None
        base = self.reg(m.group(1))
        if base is None:
            return None
        off = int(m.group(2), 0) if m.group(2) else 0
        post = int(m.group(4), 0) if m.group(4) else None
        b = st.regs[base]
        if m.group(3):  # pre-index
            return add(b, off), base, add(b, off)
        if post is not None:
            return b, base, add(b, post)
        return add(b, off), None, None

    def step(self, st, ins, args):
        ops = split_operands(args)
        mn = ins
        if mn in ("ret", "brk", "br", "udf", "hlt"):
            return "end"
        if mn == "b":
            return ("jump", branch_target(args))
        if mn.startswith("b.") or mn in ("cbz", "cbnz", "tbz", "tbnz"):
            return ("both", branch_target(args))
        if mn in ("bl", "blr"):
            for r in self.caller_saved:
                st.regs[r] = unknown()
            return "next"
        if mn in ("stp", "str", "ldp", "ldr"):
            pair = mn.endswith("p")
            nregs = 2 if pair else 1
            a = self.addr(st, ops[nregs:])
            rs = [self.reg(r) for r in ops[:nregs]]
            size = 16 if ops[0].startswith("q") else 8
            if a is None:  # register-offset or literal: an unknown slot
                if mn.startswith("ld"):
                    for r in rs:
                        if r:
                            st.setreg(r, unknown())
                return "next"
            address, wb, newbase = a
            for i, r in enumerate(rs):
                slot = add(address, i * size)
                if mn.startswith("st"):
                    st.store(slot, st.regs[r] if r else unknown())
                elif r:
                    st.setreg(r, st.load(slot))
            if wb:
                st.setreg(wb, newbase)
            return "next"
        dst = self.reg(ops[0]) if ops else None
        if mn == "mov" and len(ops) == 2 and dst:
            s = self.reg(ops[1])
            st.setreg(dst, st.regs[s] if s else unknown())
            return "next"
        if mn in ("add", "sub") and len(ops) == 3 and dst:
            s = self.reg(ops[1])
            m = re.fullmatch(r"#(0x[0-9a-f]+|\d+)", ops[2].strip())
            if s and m:
                imm = int(m.group(1), 0)
                st.setreg(dst, add(st.regs[s], imm if mn == "add" else -imm))
            else:
                st.setreg(dst, unknown())
            return "next"
        if mn in ("cmp", "cmn", "tst", "nop", "isb", "dsb", "dmb", "msr", "paciasp", "autiasp", "bti", "hint"):
            return "next"
        if dst:
            st.setreg(dst, unknown())
        return "next"


def split_operands(args):
    """Splits 'a, [b, #c]!, d' at top-level commas (AT&T: '8(%rsp), %rax')."""
    args = args.split("//")[0].split("#", 1)[0] if "<" in args and "#" in args else args
    args = re.sub(r"\s*<[^>]*>", "", args)
    out, depth, cur = [], 0, ""
    for ch in args:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def branch_target(args):
    m = re.match(r"\s*(?:\w+,\s*)*(?:#\w+,\s*)?([0-9a-f]+)\s+<", args)
    return int(m.group(1), 16) if m else None


class State:
    def __init__(self, arch):
        self.arch = arch
        self.regs = {r: (("reg0", r), 0) for r in arch.regs}
        self.mem = {}
        self.switched = False

    def copy(self):
        s = State.__new__(State)
        s.arch, s.regs, s.mem, s.switched = self.arch, dict(self.regs), dict(self.mem), self.switched
        return s

    def setreg(self, r, v):
        if r == self.arch.sp:
            # A stack pointer that no longer derives from the entry sp: the
            # path switched stacks.
            if v[0] != ("reg0", self.arch.sp):
                self.switched = True
        self.regs[r] = v

    # An unknown value is still a unique symbol, so a slot at unknown+off
    # written and read back through the same register is tracked (g->sched
    # across a call). Aliasing between different bases is not modelled.
    def load(self, addr):
        return self.mem.get(addr, (("load", addr), 0))

    def store(self, addr, v):
        self.mem[addr] = v


# ---------------------------------------------------------------------------
# The CFI program (readelf --debug-dump=frames)
# ---------------------------------------------------------------------------

class Row:
    def __init__(self):
        self.cfa = None   # ('reg', r, off) or ('expr', ops)
        self.rules = {}   # col -> ('offset', n) | ('expr', ops) | ('valexpr', ops) | ('same',) | ('undef',) | ('reg', col)

    def copy(self):
        r = Row()
        r.cfa, r.rules = self.cfa, dict(self.rules)
        return r


def parse_expr(text):
    ops = []
    for part in text.split(";"):
        part = part.strip()
        m = re.fullmatch(r"DW_OP_breg(\d+) \(\w+\): (-?\d+)", part)
        if m:
            ops.append(("breg", int(m.group(1)), int(m.group(2))))
        elif part == "DW_OP_deref":
            ops.append(("deref",))
        elif (m := re.fullmatch(r"DW_OP_plus_uconst: (\d+)", part)):
            ops.append(("plus", int(m.group(1))))
        else:
            raise SystemExit("cfi_check: unsupported DWARF op %r" % part)
    return ops


def parse_frames(text):
    """CIEs and FDEs: [(pc_lo, pc_hi, [(loc, Row)])]."""
    cies, fdes = {}, []
    cur = None
    for line in text.splitlines():
        m = re.match(r"^([0-9a-f]+) [0-9a-f]+ ([0-9a-f]+) CIE", line)
        if m:
            cur = {"kind": "cie", "off": int(m.group(1), 16), "insns": [], "daf": -8, "caf": 1}
            cies[cur["off"]] = cur
            continue
        m = re.match(r"^([0-9a-f]+) [0-9a-f]+ [0-9a-f]+ FDE cie=([0-9a-f]+) pc=([0-9a-f]+)\.\.([0-9a-f]+)", line)
        if m:
            cur = {"kind": "fde", "cie": int(m.group(2), 16), "lo": int(m.group(3), 16),
                   "hi": int(m.group(4), 16), "insns": []}
            fdes.append(cur)
            continue
        if cur is None:
            continue
        s = line.strip()
        if s.startswith("Data alignment factor:"):
            cur["daf"] = int(s.split(":")[1])
        elif s.startswith("Return address column:"):
            cur["ra"] = int(s.split(":")[1])
        elif s.startswith("Code alignment factor:"):
            cur["caf"] = int(s.split(":")[1])
        elif s.startswith("DW_CFA"):
            cur["insns"].append(s)
    out = []
    for f in fdes:
        cie = cies[f["cie"]]
        rows, row, stack = [], Row(), []
        init = None
        loc = f["lo"]
        for phase, insns in (("cie", cie["insns"]), ("fde", f["insns"])):
            for s in insns:
                if (m := re.match(r"DW_CFA_advance_loc\d?: \d+ to ([0-9a-f]+)", s)):
                    rows.append((loc, row.copy()))
                    loc = int(m.group(1), 16)
                elif (m := re.match(r"DW_CFA_def_cfa: r(\d+) \(\w+\) ofs (-?\d+)", s)):
                    row.cfa = ("reg", int(m.group(1)), int(m.group(2)))
                elif (m := re.match(r"DW_CFA_def_cfa_offset: (-?\d+)", s)):
                    row.cfa = ("reg", row.cfa[1], int(m.group(1)))
                elif (m := re.match(r"DW_CFA_def_cfa_register: r(\d+)", s)):
                    row.cfa = ("reg", int(m.group(1)), row.cfa[2])
                elif (m := re.match(r"DW_CFA_def_cfa_expression \((.*)\)$", s)):
                    row.cfa = ("expr", parse_expr(m.group(1)))
                elif (m := re.match(r"DW_CFA_offset(?:_extended)?(?:_sf)?: r(\d+) \(\w+\) at cfa(-?\+?\d+)", s)):
                    row.rules[int(m.group(1))] = ("offset", int(m.group(2)))
                elif (m := re.match(r"DW_CFA_expression: r(\d+)(?: \(\w+\))? \((.*)\)$", s)):
                    row.rules[int(m.group(1))] = ("expr", parse_expr(m.group(2)))
                elif (m := re.match(r"DW_CFA_val_expression: r(\d+) \(\w+\) \((.*)\)$", s)):
                    row.rules[int(m.group(1))] = ("valexpr", parse_expr(m.group(2)))
                elif (m := re.match(r"DW_CFA_same_value: r(\d+)", s)):
                    row.rules[int(m.group(1))] = ("same",)
                elif (m := re.match(r"DW_CFA_undefined: r(\d+)", s)):
                    row.rules[int(m.group(1))] = ("undef",)
                elif (m := re.match(r"DW_CFA_register: r(\d+) \(\w+\) in r(\d+)", s)):
                    row.rules[int(m.group(1))] = ("reg", int(m.group(2)))
                elif (m := re.match(r"DW_CFA_restore(?:_extended)?: r(\d+)", s)):
                    col = int(m.group(1))
                    if col in init.rules:
                        row.rules[col] = init.rules[col]
                    else:
                        row.rules.pop(col, None)
                elif s == "DW_CFA_remember_state":
                    stack.append(row.copy())
                elif s == "DW_CFA_restore_state":
                    row = stack.pop()
                elif s == "DW_CFA_nop" or s.startswith("DW_CFA_GNU_args_size"):
                    pass
                else:
                    raise SystemExit("cfi_check: unsupported CFA instruction %r" % s)
            if phase == "cie":
                init = row.copy()
        rows.append((loc, row.copy()))
        out.append((f["lo"], f["hi"], rows, cie.get("ra")))
    return out


def row_at(rows, pc):
    cur = rows[0][1]
    for loc, r in rows:
        if loc <= pc:
            cur = r
    return cur


def eval_expr(arch, st, ops):
    stack = []
    for op in ops:
        if op[0] == "breg":
            stack.append(add(st.regs[arch.dwarf[op[1]]], op[2]))
        elif op[0] == "deref":
            stack.append(st.load(stack.pop()))
        elif op[0] == "plus":
            stack.append(add(stack.pop(), op[1]))
    return stack[-1]


def unwind(arch, st, row):
    """What an unwinder recovers at this state: (cfa, {col: value or None})."""
    if row.cfa[0] == "reg":
        cfa = add(st.regs[arch.dwarf[row.cfa[1]]], row.cfa[2])
    else:
        cfa = eval_expr(arch, st, row.cfa[1])
    vals = {}
    for col, name in arch.dwarf.items():
        rule = row.rules.get(col, ("same",))
        if rule[0] == "offset":
            vals[col] = st.load(add(cfa, rule[1]))
        elif rule[0] == "expr":
            vals[col] = st.load(eval_expr(arch, st, rule[1]))
        elif rule[0] == "valexpr":
            vals[col] = eval_expr(arch, st, rule[1])
        elif rule[0] == "reg":
            vals[col] = st.regs[arch.dwarf[rule[1]]]
        elif rule[0] == "undef":
            vals[col] = None
        else:
            vals[col] = st.regs.get(name) if name in st.regs else None
    return cfa, vals


def ra_rule(arch, row):
    return row.rules.get(arch.ra_col, ("same",))


# ---------------------------------------------------------------------------
# The walk
# ---------------------------------------------------------------------------

def disassemble(objdump, obj):
    """{addr: (mnemonic, args, symbol)} and the ordered address list."""
    text = subprocess.run([objdump, "-d", "--no-show-raw-insn", obj], check=True,
                          capture_output=True, text=True).stdout
    insns, sym = {}, None
    for line in text.splitlines():
        m = re.match(r"^[0-9a-f]+ <([^>]+)>:", line)
        if m:
            sym = m.group(1)
            continue
        m = re.match(r"^\s+([0-9a-f]+):\s+(\S+)\s*(.*)$", line)
        if m and sym:
            insns[int(m.group(1), 16)] = (m.group(2), m.group(3), sym)
    return insns


def check_fde(arch, insns, lo, hi, rows, obj):
    errors = []
    addrs = sorted(a for a in insns if lo <= a < hi)
    if not addrs:
        return errors
    nextaddr = {a: b for a, b in zip(addrs, addrs[1:] + [hi])}
    sym = insns[addrs[0]][2]
    st0 = State(arch)
    entry = row_at(rows, lo)
    cfa0, vals0 = unwind(arch, st0, entry)
    ra_undef0 = ra_rule(arch, entry)[0] == "undef"
    seen = set()
    work = [(lo, st0)]
    while work:
        pc, st = work.pop()
        while lo <= pc < hi:
            if pc in seen:
                break
            seen.add(pc)
            row = row_at(rows, pc)
            where = "%s: %s+0x%x" % (obj, sym, pc - lo)
            if ra_rule(arch, row)[0] == "undef":
                if not ra_undef0 and not st.switched:
                    errors.append("%s: return address undefined while still on the caller's stack" % where)
            elif not ra_undef0:
                cfa, vals = unwind(arch, st, row)
                if cfa != cfa0:
                    errors.append("%s: CFA rule gives %s, the CFA is %s" % (where, fmt(cfa), fmt(cfa0)))
                else:
                    for col, name in arch.dwarf.items():
                        rule = row.rules.get(col, ("same",))
                        explicit = rule[0] in ("offset", "expr", "valexpr", "reg")
                        if col == arch.ra_col or explicit or name in arch.callee_saved:
                            if name == arch.sp:
                                continue
                            if vals.get(col) != vals0.get(col):
                                errors.append("%s: %s recovered as %s, entry value %s" %
                                              (where, name, fmt(vals.get(col)), fmt(vals0.get(col))))
            if pc not in insns:
                break
            mn, args, _ = insns[pc]
            succ = arch.step(st, mn, args)
            if succ == "end":
                break
            if succ == "next":
                pc = nextaddr[pc]
                continue
            kind, target = succ
            if kind == "both":
                if target is not None:
                    work.append((target, st.copy()))
                pc = nextaddr[pc]
            else:
                if target is None:
                    break
                pc = target
    return errors


def fmt(v):
    if v is None:
        return "undefined"
    base, off = v
    if isinstance(base, tuple) and base[0] == "reg0":
        s = base[1] + "@entry"
    elif isinstance(base, tuple) and base[0] == "load":
        s = "*(%s)" % fmt(base[1])
    else:
        s = "?"
    return s + ("%+d" % off if off else "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", required=True, choices=["amd64", "arm64"])
    ap.add_argument("--objdump", default="objdump")
    ap.add_argument("--readelf", default="readelf")
    ap.add_argument("objs", nargs="+")
    ap.add_argument("--ar", default="ar")
    a = ap.parse_args()
    arch = AMD64() if a.arch == "amd64" else ARM64()
    errors, nfde, ninsn = [], 0, 0
    tmp = tempfile.TemporaryDirectory()
    objs = []
    for obj in a.objs:
        if not obj.endswith(".a"):
            objs.append(obj)
            continue
        members = subprocess.run([a.ar, "t", obj], check=True, capture_output=True, text=True).stdout.split()
        members = [m for m in members if m.endswith(".S.o")]
        subprocess.run([a.ar, "x", os.path.abspath(obj)] + members, check=True, cwd=tmp.name)
        objs += [os.path.join(tmp.name, m) for m in members]
    for obj in objs:
        insns = disassemble(a.objdump, obj)
        frames = subprocess.run([a.readelf, "--debug-dump=frames", obj], check=True,
                                capture_output=True, text=True).stdout
        for lo, hi, rows, ra in parse_frames(frames):
            arch.ra_col = ra
            nfde += 1
            ninsn += sum(1 for x in insns if lo <= x < hi)
            errors += check_fde(arch, insns, lo, hi, rows, obj)
    for e in errors:
        print(e)
    if nfde == 0:
        print("cfi_check: no FDE found")
        return 1
    print("cfi_check: %d routines, %d instructions, %d errors" % (nfde, ninsn, len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
