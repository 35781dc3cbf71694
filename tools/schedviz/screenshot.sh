#!/bin/sh
# screenshot.sh — renders a schedviz page in headless Chromium to a PNG,
# for a person to look at (the tests check the trace itself; this shows
# whether the timeline reads well).
#
# Usage: tools/schedviz/screenshot.sh PAGE.html [OUT.png] [WIDTHxHEIGHT] [VIEW]
#   OUT.png defaults to PAGE.png, the size to 1600x900; VIEW is the page's
#   URL fragment, e.g. "from=180&to=215" (milliseconds) or "g=7".
#
# Chromium is big (about 300 MB with its libraries), so tools/deps.sh does
# not install it. This script installs it with apt-get when it runs as
# root on a Debian-like system, and otherwise says so and skips (exit 0).
set -eu

page=${1:?usage: screenshot.sh PAGE.html [OUT.png] [WIDTHxHEIGHT] [VIEW]}
out=${2:-${page%.html}.png}
size=${3:-1600x900}
view=${4:-}

browser=
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
if [ -z "$browser" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "screenshot.sh: installing chromium (apt-get, about 300 MB; not part of tools/deps.sh)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null
    browser=chromium
  else
    echo "screenshot.sh: skipped: no chromium here; install it (apt-get install chromium) to get $out" >&2
    exit 0
  fi
fi

abs=$(cd "$(dirname "$page")" && pwd)/$(basename "$page")
url="file://$abs"
[ -n "$view" ] && url="$url#$view"
w=${size%x*}
h=${size#*x}
# --no-sandbox: Chromium refuses to run as root with its sandbox.
"$browser" --headless=new --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
  --window-size="$w,$h" --screenshot="$out" "$url" >/dev/null 2>&1
echo "$out"
