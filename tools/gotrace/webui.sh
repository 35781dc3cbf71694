#!/bin/sh
# webui.sh — opens a Go-format gort trace in `go tool trace`'s web UI and
# screenshots its pages in headless Chromium, for a person to look at
# (not run in CI: the parser check is tools/gotrace/check_gotrace.sh).
#
# Usage: tools/gotrace/webui.sh TRACE [OUTDIR]
#   writes OUTDIR/index.png (the start page), OUTDIR/goroutines.png
#   (goroutine analysis) and OUTDIR/trace.png (view trace); OUTDIR
#   defaults to the trace's directory. Needs Debian's chromium
#   (apt-get install chromium) and golang-1.19-go.
set -eu
trace=${1:?usage: webui.sh TRACE [OUTDIR]}
out=${2:-$(dirname "$trace")}
go=/usr/lib/go-1.19/bin/go
port=${PORT:-18519}
command -v chromium >/dev/null || { echo "webui.sh: no chromium (apt-get install chromium)" >&2; exit 1; }
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
shot() {  # shot NAME PATH
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1600,900 \
    --virtual-time-budget=20000 --screenshot="$out/$1.png" "http://127.0.0.1:$port$2" > /dev/null 2>&1
  echo "$out/$1.png"
}
shot index /
shot goroutines /goroutines
# The goroutine analysis of the first function listed.
first=$(curl -sf "http://127.0.0.1:$port/goroutines" | sed -n 's/.*href="\(\/goroutine?id=[0-9]*\)".*/\1/p' | head -1)
[ -n "$first" ] && shot goroutine "$first"
shot trace /trace
