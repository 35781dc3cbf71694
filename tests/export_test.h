// export_test.h — the runtime internals the tests reach into.
// Go's export_test.go plays this role for runtime's own tests.
#pragma once

#include <cstdint>

#include "runtime/proc.h"
#include "runtime/stubs.h"

namespace export_test {
// The current goroutine's id.
inline int64_t Goid() { return gort::runtime::getg()->m->curg->goid; }
}  // namespace export_test
