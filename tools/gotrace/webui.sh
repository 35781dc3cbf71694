#!/bin/sh
# webui.sh — opens a Go-format trace in `go tool trace`'s web UI and checks
# in headless Chromium that its pages show it (tools/gotrace/webui.mjs:
# view trace has P lanes with goroutine slices, goroutine analysis lists
# functions and goroutines), with screenshots for a person to look at.
# Not run in CI (the parser check is tools/gotrace/check_gotrace.sh);
# docs/15-trace.md, "The web UI, checked".
#
# Usage: tools/gotrace/webui.sh TRACE [OUTDIR]
#   writes OUTDIR/index.png (the start page), goroutines.png (goroutine
#   analysis), goroutine.png (its first function) and trace.png (view
#   trace); OUTDIR defaults to the trace's directory. Exit 0 when every
#   check passes. Needs Debian's chromium, node and playwright-core in
#   tools/reader (all three: tools/deps.sh --browser) and golang-1.19-go.
set -eu
trace=${1:?usage: webui.sh TRACE [OUTDIR]}
out=${2:-$(dirname "$trace")}
here=$(cd "$(dirname "$0")" && pwd)
go=/usr/lib/go-1.19/bin/go
port=${PORT:-18519}
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "webui.sh: no chromium (tools/deps.sh --browser)" >&2; exit 1; }
[ -d "$here/../reader/node_modules/playwright-core" ] || { echo "webui.sh: no playwright-core in tools/reader (tools/deps.sh --browser)" >&2; exit 1; }
mkdir -p "$out"
"$go" tool trace -http=127.0.0.1:$port "$trace" > "$out/webui.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
# The server answers once it has parsed the trace.
i=0
until curl -sf "http://127.0.0.1:$port/" > /dev/null; do
  i=$((i + 1))
  [ $i -gt 120 ] && { echo "webui.sh: go tool trace did not come up:" >&2; cat "$out/webui.log" >&2; exit 1; }
  sleep 1
done
NODE_PATH="$here/../reader/node_modules" node "$here/webui.mjs" "http://127.0.0.1:$port" "$out"
