#!/usr/bin/env bash
# tools/deps.sh — install the Debian packages gort needs (DESIGN §10), only
# when something is missing: quick and quiet when everything is there.
#   tools/deps.sh            what `make test` needs
#   tools/deps.sh --browser  also headless Chromium and playwright-core (npm)
#                            for the reader's browser test (make docs-test)
#   tools/deps.sh --bench    also Boost.Context, the twin of gort's switch
#                            in make bench (BenchmarkBoostJump)
set -euo pipefail
browser=0
bench=0
[ "${1:-}" = "--browser" ] && browser=1
[ "${1:-}" = "--bench" ] && bench=1

missing=()
need() {  # need PACKAGE PATH: PACKAGE provides PATH
  [ -e "$2" ] || missing+=("$1")
}
need cmake /usr/bin/cmake
need g++ /usr/bin/g++
need catch2 /usr/include/catch2/catch.hpp
need libunwind-dev "/usr/include/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/libunwind.h"
need gdb /usr/bin/gdb
need gdb-multiarch /usr/bin/gdb-multiarch  # the gdb tests of the arm64 build (tests/gdb)
need pkgconf /usr/bin/pkg-config            # tests/install: a program built by pkg-config
need liblzma-dev /usr/lib/x86_64-linux-gnu/liblzma.a  # tests/install: libunwind.a's dependency in a -static link
need python3 /usr/bin/python3              # tests/gdb/gdb_test.py, tools/schedviz, tools/goxref
need g++-aarch64-linux-gnu /usr/bin/aarch64-linux-gnu-g++
need qemu-user /usr/bin/qemu-aarch64
need libunwind-dev:arm64 /usr/lib/aarch64-linux-gnu/libunwind-aarch64.a
# libbacktrace (tracebacks' DWARF reader) is GCC's own static library, in
# the packages g++ and g++-aarch64-linux-gnu pull in (docs/traceback.md).
need libgcc-12-dev /usr/lib/gcc/x86_64-linux-gnu/12/libbacktrace.a
need libgcc-12-dev-arm64-cross /usr/lib/gcc-cross/aarch64-linux-gnu/12/libbacktrace.a
need golang-1.19-go /usr/lib/go-1.19/bin/go
need golang-1.19-src /usr/share/go-1.19/src/runtime/proc.go
# The side-by-side reader (make docs, tools/reader): highlighting and the
# docs' Markdown, both at build time. Debian's python3 (/usr/bin/python3).
need python3-pygments /usr/lib/python3/dist-packages/pygments/__init__.py
need python3-markdown /usr/lib/python3/dist-packages/markdown/__init__.py
if [ $bench -eq 1 ]; then
  need libboost-context-dev /usr/include/boost/context/detail/fcontext.hpp
fi
if [ $browser -eq 1 ]; then
  need chromium /usr/bin/chromium
  need nodejs /usr/bin/node
  need npm /usr/bin/npm
fi

reader_npm() {  # playwright-core for tools/reader/browser_test.mjs
  [ $browser -eq 1 ] || return 0
  local dir
  dir="$(cd "$(dirname "$0")" && pwd)/reader"
  [ -d "$dir/node_modules/playwright-core" ] && return 0
  echo "tools/deps.sh: npm install playwright-core (tools/reader)" >&2
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
}

if [ ${#missing[@]} -eq 0 ]; then
  reader_npm
  exit 0
fi

echo "tools/deps.sh: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
reader_npm
