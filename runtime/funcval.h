// funcval.h — how a goroutine's function is entered and left.
// Shared by the public go statement (go.h) and the runtime (runtime2.h).
#pragma once

namespace gort::runtime {

// runtime2.go: funcval. A closure: Go's fn takes its context in a register
// (DX / R26); gort's takes it as its C argument, fn(self), and gogo passes
// gobuf.ctxt in the first argument register. The go statement (go.h)
// derives from funcval to carry any C++ callable.
struct funcval {
  void (*fn)(funcval* self);
};

// gort-only: what runtime::Goexit throws. Go's Goexit runs the goroutine's
// deferred calls and ends it; C++ runs destructors by unwinding, so Goexit
// throws this and the goroutine's entry catches it and returns into goexit.
// It derives from nothing, so catch (const std::exception&) can't swallow
// it; catch (...) without a rethrow can, like any C++ forced unwind.
struct goexitUnwind {};

}  // namespace gort::runtime
