// traceback.cpp — goroutine tracebacks in Go 1.19's format.
//
// Port of Go 1.19 src/runtime/traceback.go: goroutineheader, traceback1
// (from a context or from a goroutine's saved state), tracebackothers,
// printcreatedby, showframe, and runtime1.go's gotraceback.
//
// Go walks its own stacks with the pclntab the linker writes; C++ frames
// are described by DWARF. gort walks them with libunwind (the .eh_frame CFI
// that the assembly writes too, so mcall's and systemstack's frames unwind)
// and names them with libbacktrace (function, inlined frames, file:line
// from .debug_info/.debug_line). libbacktrace allocates with mmap, not
// malloc, so a traceback can run in a signal handler; only demangling
// (__cxa_demangle) calls malloc (docs/traceback.md).
//
// Output format (Go's):
//   goroutine 7 [chan receive]:
//   blocker(gort::chan<int>)
//   	/path/file.cpp:12 +0x2b
//   created by gomain(int, char**) in goroutine 1
//   	/path/file.cpp:20 +0x5c
// gort: "in goroutine N" is Go 1.21's format (DESIGN §12); Go 1.19 ends
// the line after the function name (docs/differences.md).

#include "runtime/traceback.h"

#include <backtrace.h>
#include <cxxabi.h>
#include <dlfcn.h>
#include <link.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "runtime/go.h"
#include "runtime/os_linux.h"
#include "runtime/preempt.h"
#include "runtime/proc.h"
#include "runtime/runtime1.h"
#include "runtime/stubs.h"

namespace gort::runtime {

// ===========================================================================
// Printing.
// ===========================================================================

// gort-only: formats into a stack buffer and writes it out.
void tbprinter::printf(const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  write(buf, size_t(n) < sizeof buf ? size_t(n) : sizeof buf - 1);
}

// gort-only: appends n bytes; in fd mode they go out when the buffer fills.
void tbprinter::write(const char* s, size_t n) {
  if (buf_ != nullptr) {
    buf_->append(s, n);
    return;
  }
  while (n > 0) {
    if (npending_ == sizeof pending_) flush();
    size_t k = sizeof pending_ - npending_;
    if (k > n) k = n;
    memcpy(pending_ + npending_, s, k);
    npending_ += k;
    s += k;
    n -= k;
  }
}

// gort-only: writes out what is buffered (fd mode).
void tbprinter::flush() {
  size_t off = 0;
  while (off < npending_) {
    ssize_t w = ::write(fd_, pending_ + off, npending_ - off);
    if (w <= 0) break;
    off += size_t(w);
  }
  npending_ = 0;
}

// runtime1.go: gotraceback
// gotraceback returns the current traceback settings. If level is 0,
// suppress all tracebacks. If level is 1, show tracebacks, but exclude
// runtime frames. If level is 2, show tracebacks including runtime frames.
// If all is set, print all goroutine stacks. Otherwise, print just the
// current goroutine. If crash is set, crash (core dump, etc) after
// tracebacking.
void gotraceback(int32_t* level, bool* all, bool* crash) {
  g* _g_ = getg();
  m* mp = _g_ != nullptr ? _g_->m : nullptr;
  *crash = traceback.crash;
  *all = (mp != nullptr && mp->throwing >= throwTypeUser) || traceback.all;
  if (mp != nullptr && mp->traceback != 0) {
    *level = mp->traceback;
  } else if (mp != nullptr && mp->throwing >= throwTypeRuntime) {
    // Always include runtime frames in runtime throws unless otherwise
    // overridden by m.traceback.
    *level = 2;
  } else {
    *level = traceback.level;
  }
}

// ===========================================================================
// Symbols: libbacktrace.
// ===========================================================================

namespace {

backtrace_state* btstate;

// libbacktrace reports missing debug information (a stripped libc, the
// vdso) through this; a frame without it prints as "?:0".
void btError(void*, const char*, int) {}

// One function of a pc's inline chain.
struct symfunc {
  char name[512];
  char file[512];
  int line;
};

// What a pc resolves to: the inline chain, innermost first (the last is
// the physical function), and the physical function's entry.
struct syminfo {
  symfunc f[8];
  int n;
  uintptr_t entry;
  char symname[512];  // the symbol table's name, when DWARF has none
};

// gort-only: set once a crash's walk finds the signalled thread inside
// the C allocator (framesInAllocator). glibc aborts on a corrupt heap, and
// faults on one, with the arena's lock held by that very thread, so
// anything that allocates from then on (the demangler) would wait on it
// forever: a hung process instead of a crash report. Once set, names are
// printed as the symbol table spells them.
std::atomic<bool> tbAllocatorLocked{false};

// gort-only: demangles name into out (a C name is copied as is).
void demangleInto(const char* name, char* out, size_t size) {
  out[0] = '\0';
  if (name == nullptr) return;
  if (name[0] == '_' && name[1] == 'Z' && !tbAllocatorLocked.load(std::memory_order_relaxed)) {
    int status = 0;
    char* d = abi::__cxa_demangle(name, nullptr, nullptr, &status);
    if (d != nullptr) {
      snprintf(out, size, "%s", d);
      free(d);
      return;
    }
  }
  snprintf(out, size, "%s", name);
}

void stripReturnType(char* name);

// gort-only: libbacktrace's pcinfo callback, once per function of the
// inline chain, innermost first.
int pcinfoCallback(void* data, uintptr_t, const char* file, int line, const char* function) {
  auto* si = static_cast<syminfo*>(data);
  int i = si->n < 8 ? si->n++ : 7;  // keep the outermost (physical) one
  demangleInto(function, si->f[i].name, sizeof si->f[i].name);
  stripReturnType(si->f[i].name);
  snprintf(si->f[i].file, sizeof si->f[i].file, "%s", file != nullptr ? file : "?");
  si->f[i].line = line;
  return 0;
}

// gort-only: drops the return type a demangled function template's name
// starts with ("void gort::select<>()" -> "gort::select<>()"): the first
// space outside <> and () before the parameter list ends it.
void stripReturnType(char* name) {
  // A deduced return type ("decltype(auto) std::apply<...>(...)") holds
  // parentheses of its own.
  static const char deduced[] = "decltype(auto) ";
  if (strncmp(name, deduced, sizeof deduced - 1) == 0) {
    memmove(name, name + sizeof deduced - 1, strlen(name + sizeof deduced - 1) + 1);
    return;
  }
  int depth = 0;
  for (char* p = name; *p != '\0'; p++) {
    if (strncmp(p, "(anonymous namespace)", 21) == 0) {
      p += 20;
      continue;
    }
    char c = *p;
    if (c == '<' || c == '[') depth++;
    if (c == '>' || c == ']') depth--;
    if (c == '(' && depth == 0) return;  // the parameter list: no return type
    if (c == ' ' && depth == 0) {
      if (p - name >= 8 && strncmp(p - 8, "operator", 8) == 0) continue;
      memmove(name, p + 1, strlen(p + 1) + 1);
      return;
    }
  }
}

// gort-only: libbacktrace's syminfo callback: the symbol containing pc.
void syminfoCallback(void* data, uintptr_t, const char* symname, uintptr_t symval, uintptr_t) {
  auto* si = static_cast<syminfo*>(data);
  si->entry = symval;
  demangleInto(symname, si->symname, sizeof si->symname);
  stripReturnType(si->symname);
  // A copy GCC split or specialized ("f(int) [clone .isra.0]", "[clone
  // .cold]") prints as its function.
  if (char* clone = strstr(si->symname, " [clone ")) *clone = '\0';
}

// gort-only: one frame for a function GCC inlined into its own copy.
// Merges an inlined frame into its caller when both are the same function
// in the same file: GCC's DWARF can describe the body of a
// function as inlined into its own out-of-line copy, called from its
// first line (sync.cpp's rUnlockSlow), which would print the function
// twice. The merged frame keeps the inner one's line, where pc really is.
// (A recursive call GCC inlined into itself prints one level fewer.)
void collapseSelfInlined(syminfo* si) {
  int out = 0;
  for (int j = 0; j < si->n; j++) {
    if (j + 1 < si->n && strcmp(si->f[j].name, si->f[j + 1].name) == 0 &&
        strcmp(si->f[j].file, si->f[j + 1].file) == 0) {
      si->f[j + 1].line = si->f[j].line;
      continue;
    }
    if (out != j) si->f[out] = si->f[j];
    out++;
  }
  si->n = out;
}

bool hasPrefix(const char* s, const char* prefix);
bool showframe(const char* name, const char* file, uintptr_t pc, int32_t level);

// gort-only: names a goroutine's lambda by its type. GCC's DWARF names a
// lambda's call operator "operator()" alone, so a goroutine's function,
// inlined into its goclosure's run (as it nearly always is), would print
// as "operator()(...)", where Go prints "main.main.func1(...)". run's
// symbol names the lambda's type (gort::go<F>'s first template argument,
// "gomain(int, char**)::{lambda()#1}"): the outermost shown operator() of
// run's inline chain, the lambda's own, gets it (a function object's
// too; a function's frame has its own name).
void nameGoroutineLambda(syminfo* si, uintptr_t tracepc) {
  static const char pre[] = "gort::detail::goclosure<gort::go<";
  if (si->n < 2 || !hasPrefix(si->symname, pre)) return;
  const char* f = si->symname + sizeof pre - 1;
  const char* e = f;
  for (int depth = 0; *e != '\0'; e++) {
    if (strchr("<({[", *e) != nullptr) depth++;
    else if (strchr(">)}]", *e) != nullptr && depth-- == 0) break;
    else if (*e == ',' && depth == 0) break;
  }
  if (*e == '\0') return;
  // F as deduced for an lvalue: "Worker&", "Worker const&".
  while (e > f && e[-1] == '&') e--;
  if (e - f > 6 && strncmp(e - 6, " const", 6) == 0) e -= 6;
  for (int j = si->n - 2; j >= 0; j--) {
    if (!showframe(si->f[j].name, si->f[j].file, tracepc, 1)) continue;
    if (hasPrefix(si->f[j].name, "operator()"))
      snprintf(si->f[j].name, sizeof si->f[j].name, "%.*s::operator()", int(e - f), f);
    return;
  }
}

// gort-only: runs f on the M's system stack, as Go prints its tracebacks.
template <class F>
void onSystemStack(F&& f) {
  // libunwind's DWARF state, libbacktrace, the demangler and syminfo's
  // names take tens of KiB, more than a goroutine's fixed stack may hold
  // (SetMaxStack(16384)); the context walked stays on the goroutine's
  // stack. systemstack runs f in place on g0 or gsignal; a thread with no
  // g has only its own stack.
  if (getg() == nullptr) {
    f();
    return;
  }
  systemstack(f);
}

// gort-only: resolves pc (tracepc: pc-1 for a return address) into si.
void symbolize(uintptr_t tracepc, syminfo* si) {
  si->n = 0;
  si->entry = 0;
  si->symname[0] = '\0';
  if (btstate == nullptr) return;
  backtrace_pcinfo(btstate, tracepc, pcinfoCallback, btError, si);
  backtrace_syminfo(btstate, tracepc, syminfoCallback, btError, si);
  // The physical function's name: the symbol table's (demangled, fully
  // qualified). DWARF names a member of a template or a lambda without
  // its scope ("run", "operator()"); inlined frames keep those.
  if (si->n > 0 && si->symname[0] != '\0')
    snprintf(si->f[si->n - 1].name, sizeof si->f[si->n - 1].name, "%s", si->symname);
  for (int j = 0; j < si->n; j++)
    if (si->f[j].name[0] == '\0') snprintf(si->f[j].name, sizeof si->f[j].name, "?");
  nameGoroutineLambda(si, tracepc);
  collapseSelfInlined(si);
  if (si->n == 0 && si->symname[0] != '\0') {
    si->n = 1;
    snprintf(si->f[0].name, sizeof si->f[0].name, "%s", si->symname);
    snprintf(si->f[0].file, sizeof si->f[0].file, "?");
    si->f[0].line = 0;
  }
}

bool hasPrefix(const char* s, const char* prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

// gort-only: file is one of gort's runtime sources or headers: in the
// directory this file was compiled from, or an installed
// include/gort/runtime/.
bool isRuntimeFile(const char* file) {
  static const char* const self = __FILE__;
  const char* slash = strrchr(self, '/');
  size_t dirlen = slash != nullptr ? size_t(slash - self + 1) : 0;
  if (dirlen > 0 && strncmp(file, self, dirlen) == 0) return true;
  return strstr(file, "/include/gort/runtime/") != nullptr;
}

// traceback.go: isExportedRuntime. gort: a function of package runtime's
// public API (gort::runtime::Gosched, ::Goexit...), or of the packages
// that stand beside it (sync, time), which Go shows as user frames.
bool isExportedRuntime(const char* name) {
  if (hasPrefix(name, "gort::runtime::")) {
    char c = name[strlen("gort::runtime::")];
    return c >= 'A' && c <= 'Z';
  }
  return hasPrefix(name, "gort::sync::") || hasPrefix(name, "gort::time::");
}

// traceback.go: showfuncinfo
// Whether a frame of function name at pc is printed. Go hides the
// runtime's frames (runtime.* but exported ones) unless the level is 2;
// gort hides its own: gort::* but the public API, code in libgort's text
// section (the assembly, extern "C" entry points), the C++ runtime's throw
// and terminate machinery (Go's gopanic) and the std:: call wrappers
// between the go statement and the user's function (Go's wrappers).
bool showframe(const char* name, const char* file, uintptr_t pc, int32_t level) {
  if (level > 1) return true;  // Show all frames.
  if (name[0] == '\0' || name[0] == '?') return false;
  if (hasPrefix(name, "gort::")) return isExportedRuntime(name);
  if (inRuntimeText(pc)) return false;
  // Inlined frames carry DWARF's unqualified names: their file tells
  // gort's headers (go.h's go statement, chan<T>, select) and the
  // standard library's call wrappers apart.
  if (isRuntimeFile(file)) return false;
  static const char* const wrapperFiles[] = {"/bits/invoke.h", "/bits/std_function.h", "/functional", "/tuple"};
  size_t fl = strlen(file);
  for (const char* w : wrapperFiles) {
    size_t wl = strlen(w);
    if (fl >= wl && strcmp(file + fl - wl, w) == 0) return false;
  }
  static const char* const hidden[] = {
      "__cxa_", "__cxxabiv1::", "_Unwind_", "__gxx_personality", "std::terminate", "std::rethrow_exception",
      "__gnu_cxx::__verbose_terminate_handler", "std::__invoke", "std::invoke", "std::apply", "std::__apply_impl",
      "std::_Function_handler<", "std::function<", "std::__terminate", "__libc_start", "_start",
  };
  for (const char* h : hidden)
    if (hasPrefix(name, h)) return false;
  return true;
}

// ===========================================================================
// Frames: libunwind.
// ===========================================================================

struct tbframe {
  uintptr_t pc;
  uintptr_t sp;
  bool precise;  // pc is where execution stopped, not a return address
};

// gort-only: the code of the C allocator's entry points, [lo, hi), as the
// dynamic symbol table sizes them (tracebackinit).
struct codeRange {
  uintptr_t lo, hi;
};
codeRange allocatorCode[6];
int nallocatorCode;

// gort-only: whether one of fr's pcs lies in the C allocator: a return
// address into malloc, free, ... or the pc itself.
bool framesInAllocator(const tbframe* fr, int n) {
  for (int i = 0; i < n; i++)
    for (int j = 0; j < nallocatorCode; j++)
      if (fr[i].pc >= allocatorCode[j].lo && fr[i].pc <= allocatorCode[j].hi) return true;
  return false;
}

// A walk collects at most this many physical frames (printing stops after
// _TracebackMaxFrames shown ones).
constexpr int maxPhysFrames = 512;

// gort-only: walks the stack described by ctx. precise: ctx's pc is where
// the thread stopped (a signal, a gobuf), not a return address.
int unwindFrames(ucontext_t* ctx, bool precise, tbframe* fr, int max) {
  unw_cursor_t c;
  if (unw_init_local2(&c, reinterpret_cast<unw_context_t*>(ctx), precise ? UNW_INIT_SIGNAL_FRAME : 0) != 0) return 0;
  int n = 0;
  bool nextPrecise = precise;
  while (n < max) {
    unw_word_t ip = 0, sp = 0;
    unw_get_reg(&c, UNW_REG_IP, &ip);
    unw_get_reg(&c, UNW_REG_SP, &sp);
    if (ip == 0) break;
    fr[n].pc = uintptr_t(ip);
    fr[n].sp = uintptr_t(sp);
    fr[n].precise = nextPrecise;
    n++;
    // A return pc in no loaded object (a smashed return address): there
    // is no unwind information to go on from, and libunwind's fallbacks
    // would read the stack through garbage; printframes reports it.
    Dl_info dli;
    if (n > 1 && !nextPrecise && dladdr(reinterpret_cast<void*>(ip), &dli) == 0) break;
    // The frame after a signal trampoline stopped where the signal hit.
    nextPrecise = unw_is_signal_frame(&c) > 0;
    if (unw_step(&c) <= 0) break;
  }
  return n;
}

// gort-only: a context that resumes at (pc, sp) with frame pointer bp and
// (arm64) link register lr, as a gobuf describes a stopped goroutine. The
// other registers are zero: the frames above only need these to unwind.
void gobufContext(ucontext_t* uc, uintptr_t pc, uintptr_t sp, uintptr_t bp, uintptr_t lr) {
  memset(uc, 0, sizeof *uc);
#if defined(__x86_64__)
  (void)lr;
  uc->uc_mcontext.gregs[REG_RIP] = greg_t(pc);
  uc->uc_mcontext.gregs[REG_RSP] = greg_t(sp);
  uc->uc_mcontext.gregs[REG_RBP] = greg_t(bp);
  uc->uc_mcontext.fpregs = &uc->__fpregs_mem;
#elif defined(__aarch64__)
  uc->uc_mcontext.pc = pc;
  uc->uc_mcontext.sp = sp;
  uc->uc_mcontext.regs[29] = bp;
  uc->uc_mcontext.regs[30] = lr;
#endif
}

// gort-only: one word of a stack, read as Go's runtime reads raw memory:
// without the sanitizers' checks (the hex dump reads the redzones ASan
// puts between a frame's objects, on purpose).
__attribute__((noinline, no_sanitize("address", "thread"))) uintptr_t rawStackWord(uintptr_t p) {
  return *reinterpret_cast<const volatile uintptr_t*>(p);
}

// print.go: hexdumpWords
// Prints the words in [p, end) in hex, sixteen bytes a line, each marked by
// mark (a space if it returns 0) and followed by <fn+off> when it is a pc.
void hexdumpWords(tbprinter& out, uintptr_t p, uintptr_t end, char (*mark)(uintptr_t, const void*), const void* arg) {
  syminfo si;
  for (uintptr_t i = 0; p + i < end; i += sizeof(uintptr_t)) {
    if (i % 16 == 0) {
      if (i != 0) out.printf("\n");
      out.printf("0x%0*zx: ", int(sizeof(uintptr_t) * 2), size_t(p + i));
    }
    char m = mark != nullptr ? mark(p + i, arg) : 0;
    uintptr_t val = rawStackWord(p + i);
    out.printf("%c0x%0*zx ", m != 0 ? m : ' ', int(sizeof(uintptr_t) * 2), size_t(val));
    // Can we symbolize val? gort: as code when DWARF gives it a line (a
    // data symbol has none), as Go's findfunc finds only functions.
    Dl_info dli;
    if (val != 0 && dladdr(reinterpret_cast<void*>(val), &dli) != 0) {
      symbolize(val, &si);
      if (si.n > 0 && si.f[si.n - 1].line > 0 && si.entry != 0 && val >= si.entry)
        out.printf("<%s+0x%zx> ", si.f[si.n - 1].name, size_t(val - si.entry));
    }
  }
  out.printf("\n");
}

// gort-only: the frame tracebackHexdump marks: '>' at fp, '<' at sp, '!'
// at the bad return address's slot.
struct hexdumpFrame {
  uintptr_t sp, fp, bad;
};

// traceback.go: tracebackHexdump
// Hexdumps the stack around frame (sp up to fp, 32 words more each side, at
// most 256 words from sp, inside stk), marking sp, fp and the bad word.
void tracebackHexdump(tbprinter& out, stack stk, const hexdumpFrame& frame) {
  const uintptr_t expand = 32 * sizeof(uintptr_t);
  const uintptr_t maxExpand = 256 * sizeof(uintptr_t);
  // Start around frame.sp.
  uintptr_t lo = frame.sp, hi = frame.sp;
  // Expand to include frame.fp.
  if (frame.fp != 0 && frame.fp < lo) lo = frame.fp;
  if (frame.fp != 0 && frame.fp > hi) hi = frame.fp;
  // Expand a bit more.
  lo -= expand;
  hi += expand;
  // But don't go too far from frame.sp.
  if (lo < frame.sp - maxExpand) lo = frame.sp - maxExpand;
  if (hi > frame.sp + maxExpand) hi = frame.sp + maxExpand;
  // And don't go outside the stack bounds.
  if (lo < stk.lo) lo = stk.lo;
  if (hi > stk.hi) hi = stk.hi;

  // Print the hex dump.
  out.printf("stack: frame={sp:0x%zx, fp:0x%zx} stack=[0x%zx,0x%zx)\n", size_t(frame.sp), size_t(frame.fp),
             size_t(stk.lo), size_t(stk.hi));
  hexdumpWords(out, lo, hi, [](uintptr_t p, const void* arg) -> char {
    const auto* f = static_cast<const hexdumpFrame*>(arg);
    if (p == f->fp) return '>';
    if (p == f->sp) return '<';
    if (p == f->bad) return '!';
    return 0;
  }, &frame);
}

// traceback.go: gentraceback (printing)
// Prints frames [skip, n) of fr for gp. Returns how many it printed, or
// _TracebackMaxFrames when it stopped there.
int printframes(tbprinter& out, g* gp, tbframe* fr, int n, int skip, bool showAll) {
  int32_t level;
  bool all, crash;
  gotraceback(&level, &all, &crash);
  if (showAll) level = 2 > level ? 2 : level;
  // fp/sp/pc as Go prints them for level 2 and for the throwing M's curg.
  m* mp = gp != nullptr ? gp->m : nullptr;
  bool printRegs = level >= 2 || (mp != nullptr && mp->throwing >= throwTypeRuntime && gp == mp->curg.load());
  int nprint = 0;
  syminfo si;
  for (int i = skip; i < n; i++) {
    uintptr_t pc = fr[i].pc;
    Dl_info dli;
    if (i > 0 && pc != 0 && !fr[i].precise && dladdr(reinterpret_cast<void*>(pc), &dli) == 0) {
      // A return pc in no loaded object: the frame below's saved return
      // address was overwritten. Say so, dump the frame, and stop (Go's
      // unwinder cannot go on without a function either). gort: libunwind
      // reads the slot from the CFI; the dump marks the word in the frame
      // that holds the pc, where Go knows the slot's address.
      symbolize(fr[i - 1].precise ? fr[i - 1].pc : fr[i - 1].pc - 1, &si);
      out.printf("runtime: g %lld: unexpected return pc for %s called from 0x%zx\n",
                 static_cast<long long>(gp != nullptr ? gp->goid : 0), si.n > 0 ? si.f[si.n - 1].name : "?",
                 size_t(pc));
      if (gp != nullptr && gp->stack.lo != 0 && fr[i - 1].sp >= gp->stack.lo && fr[i - 1].sp < gp->stack.hi) {
        hexdumpFrame hf{fr[i - 1].sp, fr[i].sp, 0};
        for (uintptr_t w = hf.sp; w + sizeof(uintptr_t) <= hf.fp && w < gp->stack.hi; w += sizeof(uintptr_t))
          if (rawStackWord(w) == pc) hf.bad = w;
        tracebackHexdump(out, gp->stack, hf);
      }
      return nprint;
    }
    uintptr_t tracepc = fr[i].precise || pc == 0 ? pc : pc - 1;
    symbolize(tracepc, &si);
    if (si.n == 0) {
      // Unknown code: Go's traceback stops at a pc without a function;
      // gort prints it when showing all frames and goes on.
      if (level < 2) continue;
      if (nprint >= _TracebackMaxFrames) return _TracebackMaxFrames;
      out.printf("?()\n\t?:0 pc=0x%zx\n", size_t(pc));
      nprint++;
      continue;
    }
    for (int j = 0; j < si.n; j++) {
      const symfunc& f = si.f[j];
      if (!showframe(f.name, f.file, pc, level)) continue;
      if (nprint >= _TracebackMaxFrames) return _TracebackMaxFrames;
      bool physical = j == si.n - 1;
      // An inlined frame prints as Go's "name(...)"; a name without a
      // parameter list (C, assembly) gets Go's "()".
      const char* suffix = !physical ? "(...)" : strchr(f.name, '(') != nullptr ? "" : "()";
      out.printf("%s%s\n", f.name, suffix);
      out.printf("\t%s:%d", f.file, f.line);
      if (physical && si.entry != 0 && pc > si.entry) out.printf(" +0x%zx", size_t(pc - si.entry));
      if (physical && printRegs && fr[i].sp != 0) {  // gort: an ancestor's saved pcs have no sp
        uintptr_t fp = i + 1 < n ? fr[i + 1].sp : 0;
        out.printf(" fp=0x%zx sp=0x%zx pc=0x%zx", size_t(fp), size_t(fr[i].sp), size_t(pc));
      }
      out.printf("\n");
      nprint++;
    }
  }
  return nprint;
}

// traceback.go: printcreatedby1
// "created by F in goroutine N" for the go statement at pc (no "in
// goroutine" for a creator with no goroutine, goid 0), and its
// file:line: the go statement's own frames (go.h, inlined) never name the
// creator, whatever the level; the physical function does if shown.
void printcreatedby1(tbprinter& out, uintptr_t pc, int64_t parentGoid) {
  int32_t level;
  bool all, crash;
  gotraceback(&level, &all, &crash);
  syminfo si;
  symbolize(pc - 1, &si);  // back up to the call instruction
  for (int j = 0; j < si.n; j++) {
    const symfunc& f = si.f[j];
    if (!showframe(f.name, f.file, pc, 1) && !(j == si.n - 1 && showframe(f.name, f.file, pc, level))) continue;
    // Go 1.21: " in goroutine N" only when a goroutine made it (not a
    // timer's goFunc on the system stack, whose parent is goid 0).
    out.printf("created by %s", f.name);
    if (parentGoid != 0) out.printf(" in goroutine %lld", static_cast<long long>(parentGoid));
    out.printf("\n");
    out.printf("\t%s:%d", f.file, f.line);
    if (j == si.n - 1 && si.entry != 0 && pc > si.entry) out.printf(" +0x%zx", size_t(pc - si.entry));
    out.printf("\n");
    return;
  }
}

// traceback.go: printAncestorTraceback
// printAncestorTraceback prints the traceback of the given ancestor.
// gort: its frames print as a live goroutine's do (one per inlined call,
// no register values), where Go prints each as "name(...)".
void printAncestorTraceback(tbprinter& out, const ancestorInfo& ancestor) {
  out.printf("[originating from goroutine %lld]:\n", static_cast<long long>(ancestor.goid));
  tbframe fr[_TracebackMaxFrames];
  int n = 0;
  for (uintptr_t pc : ancestor.pcs) fr[n++] = {pc, 0, false};
  printframes(out, nullptr, fr, n, 0, false);
  if (ancestor.pcs.size() == size_t(_TracebackMaxFrames)) out.printf("...additional frames elided...\n");
  // Show what created goroutine, except main goroutine (goid 1).
  if (ancestor.gopc != 0 && ancestor.goid != 1) printcreatedby1(out, ancestor.gopc, ancestor.parentGoid);
}

// traceback.go: traceback1
// Prints gp's frames from ctx: by default without runtime frames, and if
// that prints nothing at all, again with every frame. Then "created by",
// and with GODEBUG=tracebackancestors the stacks of the goroutines that
// created it.
void traceback1(tbprinter& out, g* gp, ucontext_t* ctx, bool precise, int skip) {
  onSystemStack([&] {  // gort: the walk needs room (onSystemStack)
    tbframe fr[maxPhysFrames];
    int n = unwindFrames(ctx, precise, fr, maxPhysFrames);
    int nprint = printframes(out, gp, fr, n, skip, false);
    if (nprint == 0) nprint = printframes(out, gp, fr, n, skip, true);
    if (nprint == _TracebackMaxFrames) out.printf("...additional frames elided...\n");
    printcreatedby(out, gp);
    if (gp == nullptr || gp->ancestors == nullptr) return;
    for (const ancestorInfo& ancestor : *gp->ancestors) printAncestorTraceback(out, ancestor);
  });
}

// gort-only: whether gp is one of an M's system goroutines (g0, gsignal),
// which have no goid and no creator.
bool isMgoroutine(g* gp) { return gp->m != nullptr && (gp == gp->m->g0 || gp == gp->m->gsignal); }

// tracecallers' walk. The return
// pcs of gp's frames from its saved state, innermost first, without
// the runtime's frames at either end (the scheduler's, down to the event;
// goexit's), at most max; 0 when gp.sched holds no state.
// Must run on g0, with gp stopped in mcall or systemstack (gp.sched set).
// gort-only: Go's gcallers walks its own frame records; this is libunwind's.
int traceWalk(g* gp, uintptr_t* pcs, int max) {
  if (gp->sched.sp < gp->stack.lo || gp->sched.sp >= gp->stack.hi) return 0;
  ucontext_t uc;
  gobufContext(&uc, gp->sched.pc, gp->sched.sp, gp->sched.bp, gp->sched.lr);
  unw_cursor_t c;
  if (unw_init_local2(&c, reinterpret_cast<unw_context_t*>(&uc), UNW_INIT_SIGNAL_FRAME) != 0) return 0;
  int n = 0;
  bool leading = true;
  do {
    unw_word_t ip = 0;
    unw_get_reg(&c, UNW_REG_IP, &ip);
    if (ip == 0) break;
    if (leading && inRuntimeText(uintptr_t(ip))) continue;
    leading = false;
    pcs[n++] = uintptr_t(ip);
  } while (n < max && unw_step(&c) > 0);
  while (n > 0 && inRuntimeText(pcs[n - 1])) n--;  // goexit, mstart
  return n;
}

}  // namespace

// gort-only: creates libbacktrace's state for this executable (threaded:
// several Ms may print at once) and initializes libunwind.
void tracebackinit() {
  if (btstate == nullptr) btstate = backtrace_create_state(nullptr, 1, btError, nullptr);
  // The C allocator's entry points, for framesInAllocator: asked of the
  // dynamic linker now, when no crash holds any lock.
  nallocatorCode = 0;
  for (void* f : {reinterpret_cast<void*>(&malloc), reinterpret_cast<void*>(&free), reinterpret_cast<void*>(&calloc),
                  reinterpret_cast<void*>(&realloc), reinterpret_cast<void*>(&aligned_alloc),
                  reinterpret_cast<void*>(&posix_memalign)}) {
    Dl_info info;
    void* extra = nullptr;  // dladdr1 stores a const ElfW(Sym)* here
    if (dladdr1(f, &info, &extra, RTLD_DL_SYMENT) == 0 || extra == nullptr) continue;
    const auto* sym = static_cast<const ElfW(Sym)*>(extra);
    if (sym->st_size == 0) continue;
    uintptr_t lo = reinterpret_cast<uintptr_t>(info.dli_saddr);
    allocatorCode[nallocatorCode++] = {lo, lo + sym->st_size};
  }
  // libunwind sets up its globals (the signal mask it blocks, the local
  // address space and its caches) on first use, behind a plain flag that
  // other threads read without its lock; every C++ throw (Goexit, a
  // panic) goes through it too, its _Unwind_* entry points. Done here,
  // while the runtime has started no thread, that set-up happens before
  // any M's first unwind (and TSan, which does not see into libunwind,
  // sees that order: two Ms' first throws raced there).
  unw_context_t uc;
  unw_cursor_t c;
  unw_getcontext(&uc);
  unw_init_local(&c, &uc);
}

// traceback.go: goroutineheader
void goroutineheader(tbprinter& out, g* gp) {
  uint32_t gpstatus = readgstatus(gp);

  bool isScan = (gpstatus & _Gscan) != 0;
  gpstatus &= ~_Gscan;  // drop the scan bit

  // Basic string status
  const char* status = gStatusString(gpstatus);

  // Override.
  if (gpstatus == _Gwaiting && gp->waitreason != waitReasonZero) status = waitReasonString(gp->waitreason);

  // approx time the G is blocked, in minutes
  int64_t waitfor = 0;
  if ((gpstatus == _Gwaiting || gpstatus == _Gsyscall) && gp->waitsince != 0)
    waitfor = (nanotime() - gp->waitsince) / 60000000000LL;
  out.printf("goroutine %lld [%s", static_cast<long long>(gp->goid), status);
  if (isScan) out.printf(" (scan)");
  if (waitfor >= 1) out.printf(", %lld minutes", static_cast<long long>(waitfor));
  if (gp->lockedm != nullptr) out.printf(", locked to thread");
  out.printf("]:\n");
}

// traceback.go: printcreatedby
// Shows what created the goroutine, except the main goroutine (goid 1).
// gort: gopc is the go statement's return address in the user's function
// (go.h's go is always inlined into it); the name and line are those of
// the innermost frame shown at that pc.
void printcreatedby(tbprinter& out, g* gp) {
  uintptr_t pc = gp->gopc;
  if (pc == 0 || gp->goid == 1 || isMgoroutine(gp)) return;
  printcreatedby1(out, pc, gp->parentGoid);
}

// traceback.go: gcallers
int gcallers(g* gp, uintptr_t* pcs, int max) {
  unw_context_t uc;
  unw_getcontext(&uc);
  tbframe fr[maxPhysFrames];
  int n = unwindFrames(reinterpret_cast<ucontext_t*>(&uc), false, fr, maxPhysFrames);
  int k = 0;
  for (int i = 0; i < n && k < max; i++) {
    if (k == 0 && (fr[i].sp < gp->stack.lo || fr[i].sp >= gp->stack.hi)) continue;  // g0's frames
    pcs[k++] = fr[i].pc;
  }
  return k;
}

// traceback.go: gcallers (gort: the tracer's walk from g.sched; see traceWalk)
int tracecallers(g* gp, uintptr_t* pcs, int max) { return traceWalk(gp, pcs, max); }

// The tracer's symbolizer (trace.go's stack dump uses
// CallersFrames): f(name, file, line) for each function of the inline
// chain at return address pc, innermost first, the physical one last.
// Runs on the system stack; callable from any thread.
// gort-only: trace.go names frames through the runtime's own tables.
void tracesymbolize(uintptr_t pc, void (*f)(void*, const char*, const char*, int), void* arg) {
  onSystemStack([&] {
    syminfo si;
    symbolize(pc - 1, &si);
    for (int j = 0; j < si.n; j++) f(arg, si.f[j].name, si.f[j].file, si.f[j].line);
  });
}

// traceback.go: traceback (from a register context).
void tracebackctx(tbprinter& out, g* gp, ucontext_t* ctx, bool precise, int skip) {
  traceback1(out, gp, ctx, precise, skip);
}

// gort-only: before a crash's tracebacks. If the signalled thread stopped
// inside the C allocator, whose lock it may hold, says so and turns the
// demangler (which allocates) off for the rest of the process's dump.
void tracebackCheckAllocator(tbprinter& out, ucontext_t* ctx) {
  onSystemStack([&] {
    tbframe fr[maxPhysFrames];
    int n = unwindFrames(ctx, true, fr, maxPhysFrames);
    if (!framesInAllocator(fr, n)) return;
    tbAllocatorLocked.store(true);
    out.printf("runtime: signal inside the C allocator (a corrupt heap?): symbol names left mangled\n");
  });
}

// gort-only: see traceback.h.
bool tracebackAllocatorLocked() { return tbAllocatorLocked.load(); }

// traceback.go: traceback (with ^uintptr(0), ^uintptr(0), 0, gp)
// A stopped goroutine resumes at g.sched (mcall's frame for a parked g,
// systemstack's for one on g0 meanwhile, the entry for a new one); one in
// a system call at the syscall site entersyscall recorded.
void tracebackg(tbprinter& out, g* gp) {
  ucontext_t uc;
  uint32_t s = readgstatus(gp) & ~_Gscan;
  if (s == _Gsyscall) {
    // Override registers if blocked in system call.
    gobufContext(&uc, gp->syscallpc, gp->syscallsp, gp->syscallbp, 0);
    traceback1(out, gp, &uc, false, 0);
    return;
  }
  if (gp->sched.sp == 0 || gp->sched.pc == 0) {
    // Running, with no saved state to start from.
    out.printf("\tgoroutine running on other thread; stack unavailable\n");
    printcreatedby(out, gp);
    return;
  }
  gobufContext(&uc, gp->sched.pc, gp->sched.sp, gp->sched.bp, gp->sched.lr);
  traceback1(out, gp, &uc, true, 0);
}

// gort-only: gp.m read as Go's forEachGRace walk reads it, racing with the
// thread that owns gp (dropg, execute): a stale m only changes which of
// two lines is printed. Not instrumented, so TSan does not report the
// race Go's own race detector does not see (the runtime is not built
// with -race).
static __attribute__((noinline, no_sanitize_thread)) m* gmRace(g* gp) { return gp->m; }

// traceback.go: tracebackothers
void tracebackothers(tbprinter& out, g* me) {
  onSystemStack([&] {  // gort: as traceback1
    g* thisg = getg();
    m* thism = thisg != nullptr ? thisg->m : nullptr;

    // Show the current goroutine first, if we haven't already.
    g* curgp = thism != nullptr ? thism->curg.load() : nullptr;
    if (curgp != nullptr && curgp != me) {
      out.printf("\n");
      goroutineheader(out, curgp);
      tracebackg(out, curgp);
    }

    // gort: allgs is append-only and never freed, so walking it without a
    // lock is Go's forEachGRace: a g created meanwhile may be missed.
    for (g* gp = allgs.load(std::memory_order_acquire); gp != nullptr; gp = gp->alllink) {
      // gort: no system goroutines to skip below level 2 (isSystemGoroutine):
      // sysmon and the Ms' g0s are not on allgs.
      if (gp == me || gp == curgp || readgstatus(gp) == _Gdead) continue;
      out.printf("\n");
      goroutineheader(out, gp);
      // Note: gp.m == g.m occurs when tracebackothers is called from a
      // signal handler initiated during a systemstack call. The original G
      // is still in the running state, and we want to print its stack.
      if (gmRace(gp) != thism && (readgstatus(gp) & ~_Gscan) == _Grunning) {
        out.printf("\tgoroutine running on other thread; stack unavailable\n");
        printcreatedby(out, gp);
      } else {
        tracebackg(out, gp);
      }
    }
  });
}

// ===========================================================================
// Package runtime: Stack.
// ===========================================================================

// mprof.go: Stack
// Stack formats a stack trace of the calling goroutine. If all is true,
// Stack formats stack traces of all other goroutines after the trace for
// the current goroutine (with the world stopped while it does).
// gort: returns the text (Go fills a []byte and returns its length).
__attribute__((noinline)) std::string Stack(bool all) {
  if (all) stopTheWorld("stack trace");
  std::string buf;
  {
    g* gp = getg();
    // This frame is frame 0 of the context; the trace starts at the caller.
    unw_context_t uc;
    unw_getcontext(&uc);
    // gort: no asynchronous preemption while libunwind and libbacktrace
    // (not runtime text) run for us: they keep per-thread state.
    nopreemptEnter();
    m* mp = gp->m;
    uint8_t saved = mp->traceback;
    mp->traceback = 1;
    tbprinter out(&buf);
    goroutineheader(out, gp);
    traceback1(out, gp, reinterpret_cast<ucontext_t*>(&uc), false, 1);
    if (all) tracebackothers(out, gp);
    mp->traceback = saved;
    nopreemptLeave();
  }
  if (all) startTheWorld();
  return buf;
}

// extern.go: Callers
__attribute__((noinline)) int Callers(int skip, uintptr_t* pc, int n) {
  // This frame is frame 0 of the context, as Go's Callers(0) is Callers.
  unw_context_t uc;
  unw_getcontext(&uc);
  nopreemptEnter();  // gort: libunwind keeps per-thread state (see Stack)
  int k = 0;
  onSystemStack([&] {  // gort: as traceback1
    tbframe fr[maxPhysFrames];
    int m = unwindFrames(reinterpret_cast<ucontext_t*>(&uc), false, fr, maxPhysFrames);
    for (int i = skip < 0 ? 0 : skip; i < m && k < n; i++) pc[k++] = fr[i].pc;
  });
  nopreemptLeave();
  return k;
}

// symtab.go: CallersFrames
Frames CallersFrames(std::vector<uintptr_t> callers) {
  Frames f;
  f.callers_ = std::move(callers);
  return f;
}

// symtab.go: (*Frames).Next
// gort: each pc is looked up at pc-1 (a return address), as Go's
// CallersFrames does for every pc but a signal's; its inlined calls come
// out innermost first, each a frame.
std::pair<Frame, bool> Frames::Next() {
  while (frames_.empty() && next_ < callers_.size()) {
    uintptr_t pc = callers_[next_++];
    if (pc == 0) continue;
    nopreemptEnter();
    onSystemStack([&] {  // gort: as traceback1
      syminfo si;
      symbolize(pc - 1, &si);
      if (si.n == 0) {
        frames_.push_back(Frame{pc, "", "", 0, 0});
        return;
      }
      // Stored outermost last, so back() is the next one out.
      for (int j = si.n - 1; j >= 0; j--)
        frames_.push_back(Frame{pc, si.f[j].name, si.f[j].file, si.f[j].line, j == si.n - 1 ? si.entry : 0});
    });
    nopreemptLeave();
  }
  if (frames_.empty()) return {Frame{}, false};
  Frame fr = std::move(frames_.back());
  frames_.pop_back();
  bool more = !frames_.empty() || next_ < callers_.size();
  return {std::move(fr), more};
}

}  // namespace gort::runtime
