// error.h — the errors the runtime panics with.
//
// Port of the part of Go 1.19 src/runtime/error.go that channels need. A Go
// panic is a C++ exception here (recover is catch), so a runtime error is an
// exception type whose what() is exactly Go's text.
#pragma once

#include <stdexcept>
#include <string>

namespace gort::runtime {

// error.go: Error
// The Error interface identifies a run time error: catch
// (const gort::runtime::Error&) where Go would type-assert a recovered
// value to runtime.Error. An uncaught one ends the program as
// "panic: <what()>" and exit status 2, like any escaped exception.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// error.go: plainError
// A plainError is a runtime error whose text is printed as is, without a
// "runtime error: " prefix: Go's "send on closed channel",
// "close of closed channel", "close of nil channel".
class plainError final : public Error {
 public:
  explicit plainError(const char* s) : Error(s) {}
};

}  // namespace gort::runtime
