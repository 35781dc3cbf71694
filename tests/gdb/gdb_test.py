#!/usr/bin/env python3
# gdb_test.py — drives gdb in batch mode against testprog (Go's
# runtime-gdb_test.go: TestGdbPython and friends) to check
# tools/gdb/runtime-gdb.py.
#
#   gdb_test.py --gdb GDB --script runtime-gdb.py --testprog TESTPROG
#               [--emulator "qemu-aarch64 -L SYSROOT"] CASE
#
# CASE is one of (gdb.<CASE> in ctest; the Test* ones port Go 1.19's
# runtime-gdb_test.go test of that name, the others are gort's own):
#   TestGdbPython  goroutines parked in a channel receive inside a named
#              function: `info goroutines` lists them waiting on
#              "chan receive" and main running with `*`; `goroutine N bt`
#              starts at #0, names the function and hides the go
#              statement's plumbing (`set gort-hide-plumbing off` shows it);
#              a goroutine not yet started unwinds from its entry to goexit;
#              the g, m, p, hchan and chan<T> pretty printers, $len, $cap
#   TestGdbBacktrace  bt from a breakpoint five calls deep (the last
#              through a function pointer) names every frame in order, then
#              the goroutine's function and goexit, without plumbing
#   TestGdbPanic   bt at the SIGABRT of an uncaught exception under
#              GOTRACEBACK=crash shows the throwing function and its caller
#   TestGdbInfCallstack  bt on a new M's thread (a breakpoint in mstart1)
#              ends at mstart, the outermost frame, without looping
#   systemstack  bt from ready, run on g0 by systemstack, goes on across
#              the stack switch into the goroutine that called it
#   spinning   a goroutine spinning on its own thread is listed as running
#              with `*`, and `goroutine N bt` shows its thread's stack
#   core       the same commands on a core file gcore wrote in the session
#   autoload   gdb runs the script the program carries in .debug_gdb_scripts
#              (once its directory is trusted), with no script file to find
#
# The process stops where the scenario calls gort_gdb_breakpoint(), once
# every goroutine is where the test wants it: no sleeps. Exit status 0 on
# success; 1 with the gdb output on failure.
import argparse
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile

GDB_TIMEOUT = 120
SKIP = 77  # ctest's SKIP_RETURN_CODE


def run_gdb(args, gdb, cwd):
    cmd = [gdb, "-batch", "-nx"] + args
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=GDB_TIMEOUT, cwd=cwd, text=True, errors="replace")
    return p.stdout


def commands(cmds, ex=True):
    """-ex arguments for cmds (or just their values, if not ex), each
    output framed by BEGIN <cmd> / END lines as Go's test does, so blocks
    can be pulled out by name."""
    vals = []
    for c in cmds:
        vals += ["echo BEGIN %s\\n" % c, c, "echo END\\n"]
    if not ex:
        return vals
    return [a for v in vals for a in ("-ex", v)]


def blocks(out):
    return {m.group(1): m.group(2) for m in re.finditer(r"(?ms)^BEGIN ([^\n]*)\n(.*?)^END$", out)}


class Failure(Exception):
    pass


def expect(cond, what, out):
    if not cond:
        raise Failure("%s\n--- gdb output ---\n%s" % (what, out))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def live_session(opts, extra_cmds, workdir):
    """Runs testprog GdbChanRecv under gdb up to gort_gdb_breakpoint and
    runs the checks' commands there."""
    pre = ["echo receiver=", "output gort_gdb_receiver_goid", "echo \\n",
           "echo spinner=", "output gort_gdb_spinner_goid", "echo \\n"]
    return session(opts, "GdbChanRecv", ["break gort_gdb_breakpoint"], pre + commands(extra_cmds, False), workdir)


def session(opts, scenario, breaks, cmds, workdir, env_extra=None, resume=None):
    """Runs `testprog scenario` under gdb with the breakpoints `breaks`
    (gdb commands) until it stops, runs `resume` (commands that set up
    more and continue) and then `cmds` (-ex arguments' values). With
    --emulator (arm64 under qemu-aarch64), gdb attaches to qemu's gdbstub
    instead of running the program itself."""
    # madvise guard pages make gcore drop whole stack mappings
    # (docs/14-gdb.md); mprotect guards don't.
    godebug = "madvguard=0"
    env = dict(os.environ)
    env.update(env_extra or {})
    args = ["-iex", "set auto-load python-scripts off",  # the script is given with -x
            "-x", opts.script]
    qemu = None
    if opts.emulator:
        # Under qemu's gdbstub each SIGURG (sysmon's preemption requests)
        # is reported to gdb, which resumes the guest with it (SIGURG is
        # nostop/pass) — and in batch mode `continue` then counts as done:
        # the next command finds "the target is running", and the guest
        # later hits the breakpoint with nobody attached. Preemption by
        # signal is off for the arm64 gdb runs; the suite itself tests it
        # under qemu.
        env["GODEBUG"] = godebug + ",asyncpreemptoff=1"
        port = free_port()
        emu = shlex.split(opts.emulator)
        qemu = subprocess.Popen(emu + ["-g", str(port), opts.testprog, scenario], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir)
        sysroot = emu[emu.index("-L") + 1] if "-L" in emu else "/"
        # gdb retries the connection until qemu listens (set tcp auto-retry).
        args += ["-ex", "set sysroot %s" % sysroot,
                 "-ex", "set solib-search-path %s" % os.path.join(sysroot, "lib"),
                 "-ex", "file %s" % opts.testprog,
                 "-ex", "target remote 127.0.0.1:%d" % port]
        for b in breaks:
            args += ["-ex", b]
        args += ["-ex", "continue"]
    else:
        args += ["-ex", "set environment GODEBUG=%s" % godebug]
        for k, v in (env_extra or {}).items():
            args += ["-ex", "set environment %s=%s" % (k, v)]
        for b in breaks:
            args += ["-ex", b]
        args += ["-ex", "run"]
    for c in (resume or []) + cmds:
        args += ["-ex", c]
    if opts.emulator:
        args += ["-ex", "kill"]
    else:
        args += ["--args", opts.testprog, scenario]
    try:
        return run_gdb(args, opts.gdb, workdir)
    finally:
        if qemu is not None:
            qemu.kill()
            qemu.wait()


def goids(out):
    r = re.search(r"^receiver=(\d+)$", out, re.M)
    s = re.search(r"^spinner=(\d+)$", out, re.M)
    expect(r and s, "the scenario did not reach gort_gdb_breakpoint", out)
    return int(r.group(1)), int(s.group(1))


BT_CMDS = ["info goroutines", "goroutine gort_gdb_receiver_goid bt", "goroutine 1 bt",
           "goroutine all bt", "goroutine gort_gdb_spinner_goid bt", "goroutine gort_gdb_notstarted_goid bt"]


def check_chanrecv(out):
    recv, _ = goids(out)
    bl = blocks(out)
    info = bl.get("info goroutines", "")
    # Go: infoGoroutinesRe `\*\s+\d+\s+running\s+`; main is goroutine 1.
    expect(re.search(r"(?m)^\*\s+1\s+running\s+\S*gort_gdb_breakpoint", info),
           "info goroutines: main (goroutine 1) not listed as running with *", out)
    waiting = re.findall(r"(?m)^\s+(\d+)\s+waiting\s+\[chan receive\]\s+\S+", info)
    expect(len(waiting) >= 3, "info goroutines: not 3 goroutines waiting on chan receive", out)
    expect(str(recv) in waiting, "info goroutines: the receiver %d is not listed waiting" % recv, out)
    bt = bl.get("goroutine gort_gdb_receiver_goid bt", "")
    # Go: btGoroutine1Re `(?m)^#0\s+(0x[0-9a-f]+\s+in\s+)?main\.main.+at`;
    # a parked goroutine's #0 is gopark (Go's too), and the frames go on to
    # the user function and end in goexit.
    expect(re.search(r"(?m)^#0\s+(0x[0-9a-f]+\s+in\s+)?gort::runtime::gopark.+at", bt),
           "goroutine N bt: #0 is not gopark", out)
    expect(re.search(r"(?m)^#\d+\s+.*gdbChanReceiver.+at .*testprog\.cpp", bt),
           "goroutine N bt: gdbChanReceiver not named", out)
    expect(re.search(r"(?m)^#\d+\s+.*goexit \(\)", bt), "goroutine N bt: does not reach goexit", out)
    expect(not re.search(r"(?m)^#\d+\s+.*(gort_gdb_breakpoint|GdbChanRecv)", bt),
           "goroutine N bt: shows the selected thread's own frames", out)
    bt1 = bl.get("goroutine 1 bt", "")
    expect(re.search(r"(?m)^#0\s+(0x[0-9a-f]+\s+in\s+)?gort_gdb_breakpoint.+at", bt1),
           "goroutine 1 bt: #0 is not gort_gdb_breakpoint", out)
    expect(re.search(r"(?m)^#1\s+.*GdbChanRecv", bt1), "goroutine 1 bt: #1 is not GdbChanRecv", out)
    # A goroutine that never ran: its entry (the closure trampoline), which
    # returns into goexit.
    nsbt = bl.get("goroutine gort_gdb_notstarted_goid bt", "")
    expect(re.search(r"(?m)^#0\s+(0x[0-9a-f]+\s+in\s+)?gort::detail::goclosure<.*::run", nsbt) and
           re.search(r"(?m)^#1\s+(0x[0-9a-f]+\s+in\s+)?goexit \(\)", nsbt),
           "goroutine N bt of a goroutine not started: not its entry, then goexit", out)
    expect(re.search(r"(?m)^\s+\d+\s+runnable\s+gort::detail::goclosure<", info),
           "info goroutines: the goroutine not started is not listed runnable", out)
    allbt = bl.get("goroutine all bt", "")
    expect(len(re.findall(r"(?m)^#\d+\s+.*gdbChanReceiver", allbt)) >= 3,
           "goroutine all bt: not 3 stacks in gdbChanReceiver", out)
    expect(re.search(r"(?m)^#0\s+(0x[0-9a-f]+\s+in\s+)?gort_gdb_breakpoint.+at", allbt),
           "goroutine all bt: goroutine 1's #0 missing", out)


def check_spinning(out):
    _, spin = goids(out)
    bl = blocks(out)
    info = bl.get("info goroutines", "")
    expect(re.search(r"(?m)^\*\s+%d\s+running\s+.*gdbSpinner" % spin, info),
           "info goroutines: the spinner %d is not listed running with * in gdbSpinner" % spin, out)
    bt = bl.get("goroutine gort_gdb_spinner_goid bt", "")
    # #0, or the frame the preemption signal's handler (sysmon's SIGURG,
    # which NoPreempt lets return at once) interrupted.
    expect(re.search(r"(?m)^#0\s+(0x[0-9a-f]+\s+in\s+)?.*gdbSpinner.+at", bt) or
           re.search(r"(?ms)^#\d+\s.*<signal handler called>.*?\n#\d+\s+(0x[0-9a-f]+\s+in\s+)?[^\n]*gdbSpinner", bt),
           "goroutine N bt of the spinner: #0 is not gdbSpinner", out)


PRINT_CMDS = ["print *gort::runtime::allgs._M_b._M_p", "print gort::runtime::m0", "print *gort::runtime::allp[0]",
              "print *gort_gdb_buffered", "print *gort_gdb_buffered->c_",
              "print $len(*gort_gdb_buffered) * 100 + $cap(gort_gdb_buffered->c_)"]


def check_printers(out):
    bl = blocks(out)
    expect(re.search(r"^\$\d+ = goroutine 1 \[running\] = \{", bl.get(PRINT_CMDS[0], "")), "g printer", out)
    expect(re.search(r"^\$\d+ = m 0 procid=\d+ ", bl.get(PRINT_CMDS[1], "")), "m printer", out)
    expect(re.search(r"^\$\d+ = p 0 _Prunning m=\d+ runqsize=\d+", bl.get(PRINT_CMDS[2], "")), "p printer", out)
    expect(re.search(r"^\$\d+ = gort::chan<int> len 2 cap 4 = \{7, 8\}$", bl.get(PRINT_CMDS[3], "").strip()),
           "chan<T> printer", out)
    expect(re.search(r"^\$\d+ = chan qcount=2 dataqsiz=4 elemsize=4 recvq=0 sendq=0 = \{",
                     bl.get(PRINT_CMDS[4], "")), "hchan printer", out)
    expect(re.search(r"^\$\d+ = 204$", bl.get(PRINT_CMDS[5], "").strip()), "$len and $cap of a channel", out)


PLUMBING_CMDS = ["goroutine gort_gdb_receiver_goid bt", "set gort-hide-plumbing off",
                 "goroutine gort_gdb_receiver_goid bt -past-main", "show gort-hide-plumbing",
                 "set gort-hide-plumbing on"]
_PLUMBING_RE = r"(?m)^#\d+\s+.*(gort::detail::goclosure<|std::__invoke|std::invoke|std::apply|std::__apply_impl)"


def check_plumbing(out):
    """The go statement's plumbing (goclosure, std::apply, std::invoke) is
    hidden by default and shown with gort-hide-plumbing off."""
    bl = blocks(out)
    hidden = bl.get(PLUMBING_CMDS[0], "")
    shown = bl.get(PLUMBING_CMDS[2], "")
    expect(re.search(r"(?m)^#\d+\s+.*gdbChanReceiver", hidden) and re.search(r"(?m)^#\d+\s+.*goexit", hidden),
           "goroutine N bt: the filtered backtrace lost the user's function or goexit", out)
    expect(not re.search(_PLUMBING_RE, hidden), "goroutine N bt: plumbing frames shown by default", out)
    expect(re.search(r"(?m)^#\d+\s+.*gort::detail::goclosure<", shown),
           "goroutine N bt with gort-hide-plumbing off: no goclosure frame", out)
    expect("is off" in bl.get(PLUMBING_CMDS[3], ""), "show gort-hide-plumbing does not say off", out)


def case_python(opts, workdir):
    # Go: TestGdbPython
    out = live_session(opts, BT_CMDS + PRINT_CMDS + PLUMBING_CMDS, workdir)
    check_chanrecv(out)
    check_printers(out)
    check_plumbing(out)


def case_backtrace(opts, workdir):
    # Go: TestGdbBacktrace (eee, ddd, ccc, bbb, aaa, main: gort's main is
    # the goroutine's lambda, then goexit).
    out = session(opts, "GdbBacktrace", ["break gdbEee"], commands(["backtrace"], False), workdir)
    bt = blocks(out).get("backtrace", "")
    for i, name in enumerate(["gdbEee", "gdbDdd", "gdbCcc", "gdbBbb", "gdbAaa"]):
        expect(re.search(r"(?m)^#%d\s.*\b%s\b.* at .*gdb_scenarios\.cpp" % (i, name), bt),
               "backtrace: #%d is not %s" % (i, name), out)
    expect(re.search(r"(?m)^#5\s.*GdbBacktrace.*lambda.* at .*gdb_scenarios\.cpp", bt) or
           re.search(r"(?m)^#5\s.*operator\(\).* at .*gdb_scenarios\.cpp", bt),
           "backtrace: #5 is not the goroutine's function", out)
    expect(re.search(r"(?m)^#\d+\s.*goexit \(\)", bt), "backtrace: does not reach goexit", out)
    expect(not re.search(_PLUMBING_RE, bt), "backtrace: plumbing frames shown", out)
    expect("Backtrace stopped" not in bt, "backtrace: stopped early", out)


def case_panic(opts, workdir):
    # Go: TestGdbPanic (crash, main).
    out = session(opts, "GdbPanic", [], commands(["backtrace"], False), workdir,
                  env_extra={"GOTRACEBACK": "crash"})
    expect(re.search(r"(?m)SIGABRT", out), "the program did not stop at SIGABRT", out)
    bt = blocks(out).get("backtrace", "")
    expect(re.search(r"(?m)^#\d+\s.*gdbCrash", bt), "backtrace: gdbCrash not shown", out)
    expect(re.search(r"(?m)^#\d+\s.*GdbPanic", bt), "backtrace: the scenario's function not shown", out)


def case_infcallstack(opts, workdir):
    # Go: TestGdbInfCallstack (setg_gcc, crosscall1, threadentry: the
    # frames of a new thread, with no endless outermost frames). gort: a
    # new M's mstart1, mstart0, mstart, which ends the stack.
    out = session(opts, "GdbBacktrace", ["break gort::runtime::mstart1"],
                  commands(["backtrace 3", "backtrace"], False), workdir)
    bt3 = blocks(out).get("backtrace 3", "")
    for i, name in enumerate(["gort::runtime::mstart1", "mstart0", "mstart"]):
        expect(re.search(r"(?m)^#%d\s.*\b%s\b" % (i, re.escape(name)), bt3),
               "backtrace 3: #%d is not %s" % (i, name), out)
    bt = blocks(out).get("backtrace", "")
    frames = re.findall(r"(?m)^#(\d+)\s", bt)
    expect(frames and re.search(r"(?m)^#%s\s.*\bmstart \(\)" % frames[-1], bt),
           "backtrace: the outermost frame is not mstart", out)
    expect("Backtrace stopped" not in bt, "backtrace: stopped with an error", out)


def case_systemstack(opts, workdir):
    # gort-only: bt from code on g0 under systemstack crosses the switch.
    out = session(opts, "GdbSystemstack", ["break gdbSystemstackSender"], commands(["backtrace"], False), workdir,
                  resume=["break gort::runtime::ready", "continue"])
    bt = blocks(out).get("backtrace", "")
    expect(re.search(r"(?m)^#0\s.*gort::runtime::ready", bt), "backtrace: #0 is not ready", out)
    expect(re.search(r"(?m)^#\d+\s.*systemstack_switch", bt), "backtrace: no systemstack_switch frame", out)
    expect(re.search(r"(?m)^#\d+\s.*\bsystemstack \(\)", bt), "backtrace: no systemstack frame", out)
    expect(re.search(r"(?m)^#\d+\s.*gdbSystemstackSender.* at .*gdb_scenarios\.cpp", bt),
           "backtrace: does not reach gdbSystemstackSender, the goroutine's caller of the send", out)
    expect(re.search(r"(?m)^#\d+\s.*goexit \(\)", bt), "backtrace: does not reach goexit", out)
    expect("Backtrace stopped" not in bt, "backtrace: stopped at the stack switch", out)


def case_core(opts, workdir):
    core = os.path.join(workdir, "testprog.core")
    out = live_session(opts, ["gcore %s" % core], workdir)
    expect(os.path.exists(core), "gcore wrote no core file", out)
    recv, spin = goids(out)
    args = ["-iex", "set auto-load python-scripts off", "-x", opts.script,
            "-ex", "echo receiver=", "-ex", "output gort_gdb_receiver_goid", "-ex", "echo \\n",
            "-ex", "echo spinner=", "-ex", "output gort_gdb_spinner_goid", "-ex", "echo \\n"]
    args += commands(BT_CMDS + PRINT_CMDS)
    args += [opts.testprog, core]
    out = run_gdb(args, opts.gdb, workdir)
    expect(goids(out) == (recv, spin), "the core's goids differ from the live session's", out)
    check_chanrecv(out)
    check_spinning(out)
    check_printers(out)


def case_autoload(opts, workdir):
    """The program carries the script's text (a kind-4 .debug_gdb_scripts
    entry), so gdb runs it from the program once the program's directory is
    trusted, with no file to find: no "Missing auto-load script", and the
    commands exist."""
    trusted = os.path.dirname(os.path.abspath(opts.testprog))
    out = run_gdb(["-iex", "add-auto-load-safe-path %s" % trusted,
                   "-ex", "info auto-load python-scripts", "-ex", "help info goroutines",
                   opts.testprog], opts.gdb, workdir)
    expect("Missing auto-load script" not in out, "gdb looked for a script file", out)
    expect(re.search(r"^Yes\s+gort/runtime-gdb\.py\s*$", out, re.M),
           "gdb did not load gort/runtime-gdb.py from the program's .debug_gdb_scripts", out)
    expect("Undefined info command" not in out, "the auto-loaded script defined no `info goroutines`", out)
    # Untrusted, gdb declines the script (its safe-path warning) and still
    # finds nothing missing.
    out = run_gdb(["-ex", "info auto-load python-scripts", opts.testprog], opts.gdb, workdir)
    expect("Missing auto-load script" not in out, "gdb looked for a script file", out)
    expect(re.search(r"^No\s+gort/runtime-gdb\.py\s*$", out, re.M),
           "an untrusted program's script was not declined", out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gdb", default="gdb")
    ap.add_argument("--script", required=True)
    ap.add_argument("--testprog", required=True)
    ap.add_argument("--emulator", default="", help="run testprog under this (qemu-aarch64 -L ...) and its gdbstub")
    cases = {"TestGdbPython": case_python, "TestGdbBacktrace": case_backtrace, "TestGdbPanic": case_panic,
             "TestGdbInfCallstack": case_infcallstack, "systemstack": case_systemstack,
             "spinning": lambda o, w: check_spinning(live_session(o, BT_CMDS, w)),
             "core": case_core, "autoload": case_autoload}
    ap.add_argument("case", choices=sorted(cases))
    opts = ap.parse_args()
    if shutil.which(opts.gdb) is None:
        print("SKIP: no %s (tools/deps.sh installs gdb)" % opts.gdb)
        return SKIP
    if opts.case == "core" and opts.emulator:
        # gcore through qemu's gdbstub sees no memory map: it writes a
        # sparse file of hundreds of GiB and no stack.
        print("SKIP: gcore does not work through qemu-aarch64's gdbstub")
        return SKIP
    workdir = tempfile.mkdtemp(prefix="gort-gdb-")
    try:
        cases[opts.case](opts, workdir)
    except Failure as e:
        print("FAIL (%s): %s" % (opts.case, e))
        return 1
    except subprocess.TimeoutExpired as e:
        print("FAIL (%s): gdb timed out after %ds\n%s" % (opts.case, GDB_TIMEOUT, e.output or ""))
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("PASS (%s)" % opts.case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
