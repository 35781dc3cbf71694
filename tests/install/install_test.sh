#!/usr/bin/env bash
# install_test.sh — gort as a user gets it (issue 11's front door):
#
#   install_test.sh SOURCE_DIR BUILD_DIR
#
# installs BUILD_DIR's gort to a temporary prefix and moves the prefix
# elsewhere (nothing may point back at the first one), then builds
# tests/install/hello against the moved install three ways -- find_package
# as a Release build, pkg-config, pkg-config --static with -static -- and
# once with add_subdirectory and no build type at all; runs each, checks its
# output, checks a crash report's runtime frames carry file:line and
# demangled names, and runs gdb in batch mode: `info goroutines` must list
# the goroutines on the Release and no-build-type programs, whose own code
# has no -g, with the script auto-loaded from the program itself and no
# "Missing auto-load script" or "no debug information".
# Exit 0 on success, 1 with what went wrong.
set -uo pipefail

SRC=$(cd "$1" && pwd)
BUILD=$(cd "$2" && pwd)
CXX=${CXX:-g++}
HELLO=${GORT_HELLO:-$SRC/tests/install/hello}
WORK=$(mktemp -d /tmp/gort-install-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
EXPECT="hello from gort: sum of squares 30"

fail() {
  echo "FAIL: $*"
  exit 1
}
step() { echo "--- $*"; }
# run LOG CMD...: runs CMD, its output in LOG; fails with LOG shown.
run() {
  local log=$1
  shift
  if ! "$@" >"$log" 2>&1; then
    cat "$log"
    fail "$* (exit $?)"
  fi
}

step "install to a temporary prefix, then move it"
run "$WORK/install.log" cmake --install "$BUILD" --prefix "$WORK/first"
mv "$WORK/first" "$WORK/moved"
P=$WORK/moved
if grep -rlF "$WORK/first" "$P" >"$WORK/stale" 2>/dev/null; then
  fail "the install names its first prefix $WORK/first in: $(tr '\n' ' ' <"$WORK/stale")"
fi
PC=$(find "$P" -name gort.pc)
[ -n "$PC" ] || fail "no gort.pc installed under $P"
export PKG_CONFIG_PATH=$(dirname "$PC")
pcprefix=$(pkg-config --variable=prefix gort)
[ "$(cd "$pcprefix" 2>/dev/null && pwd)" = "$P" ] ||
  fail "gort.pc's prefix is '$pcprefix', not the moved install $P"

# check_run NAME PROG: the program prints its line and exits 0.
check_run() {
  local out
  out=$("$2" 2>&1) || fail "$1: exit $?: $out"
  [ "$out" = "$EXPECT" ] || fail "$1: printed '$out', not '$EXPECT'"
  echo "$1: $out"
}

# check_crash NAME PROG: the panic's traceback, runtime frames shown
# (GOTRACEBACK=system), names each of gort's functions demangled and at
# its runtime/*.cpp:LINE. (The program's own frames have no -g, so they and
# libstdc++'s show ?:0, as they would in Go's traceback of C code.)
check_crash() {
  local out bad
  out=$(GOTRACEBACK=system "$2" panic 2>&1) && fail "$1 panic: exited 0: $out"
  echo "$out" | grep -q "^panic: close of closed channel" || fail "$1 panic: no panic line: $out"
  echo "$out" | grep -q "^gort::runtime::closechan(" || fail "$1 panic: no demangled gort::runtime::closechan frame: $out"
  echo "$out" | grep -q "_Z" && fail "$1 panic: a mangled name: $out"
  bad=$(echo "$out" | awk '/^gort::runtime::/ { f = $0; getline; if ($0 !~ /runtime\/[a-z0-9_]+\.cpp:[0-9]+/) print f }')
  [ -z "$bad" ] || fail "$1 panic: gort frames without runtime/*.cpp:LINE: $bad: $out"
  echo "$1 panic: gort's frames demangled, at file:line"
}

# check_gdb NAME PROG: gdb auto-loads the script the program carries, and
# `info goroutines` lists main running and goroutine 2.
check_gdb() {
  local out
  out=$(gdb -batch -nx -iex "add-auto-load-safe-path $(dirname "$2")" \
    -ex "break hello_breakpoint" -ex run -ex "info goroutines" -ex kill "$2" 2>&1)
  echo "$out" | grep -q "Missing auto-load script" && fail "$1 gdb: $out"
  echo "$out" | grep -q "no debug information" && fail "$1 gdb: $out"
  echo "$out" | grep -Eq '^\* +1 running ' || fail "$1 gdb: info goroutines lists no '* 1 running': $out"
  echo "$out" | grep -Eq '^  +2 (runnable|waiting) ' || fail "$1 gdb: info goroutines lists no goroutine 2: $out"
  echo "$1 gdb: info goroutines lists goroutines 1 and 2"
}

step "find_package(gort), Release"
run "$WORK/fp.log" cmake -S "$HELLO" -B "$WORK/fp" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$P"
run "$WORK/fp-build.log" cmake --build "$WORK/fp"
check_run find_package "$WORK/fp/hello"
check_gdb find_package "$WORK/fp/hello"

step "pkg-config"
# shellcheck disable=SC2046
run "$WORK/pc.log" $CXX -O2 "$HELLO/hello.cpp" -o "$WORK/hello-pc" $(pkg-config --cflags --libs gort)
check_run pkg-config "$WORK/hello-pc"

step "pkg-config --static, linked -static"
# shellcheck disable=SC2046
run "$WORK/pcs.log" $CXX -O2 -static "$HELLO/hello.cpp" -o "$WORK/hello-static" \
  $(pkg-config --static --cflags --libs gort)
check_run "pkg-config --static" "$WORK/hello-static"

step "add_subdirectory, no build type"
run "$WORK/sub.log" cmake -S "$HELLO" -B "$WORK/sub" -DGORT_SRC="$SRC"
grep -q "^GORT_CATCH_HPP" "$WORK/sub/CMakeCache.txt" && fail "add_subdirectory configured gort's tests"
run "$WORK/sub-build.log" cmake --build "$WORK/sub" -j2 --target hello
check_run add_subdirectory "$WORK/sub/hello"
check_crash add_subdirectory "$WORK/sub/hello"
check_gdb add_subdirectory "$WORK/sub/hello"
echo "PASS"
