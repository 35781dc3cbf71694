#!/usr/bin/env bash
# tools/reader/browser_test.sh SITE_DIR — the reader's browser test
# (browser_test.mjs) if headless Chromium and playwright-core are here;
# otherwise exit 77, ctest's skip code, saying what is missing
# (`make docs-test` installs both: tools/deps.sh --browser).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
site="${1:?usage: browser_test.sh SITE_DIR}"
chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "reader browser test: SKIP: no Chromium at $chromium (make docs-test installs it)" >&2
  exit 77
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
  echo "reader browser test: SKIP: no playwright-core in $here/node_modules (make docs-test installs it)" >&2
  exit 77
fi
if ! command -v node >/dev/null; then
  echo "reader browser test: SKIP: no node (make docs-test installs it)" >&2
  exit 77
fi
CHROMIUM="$chromium" exec node "$here/browser_test.mjs" "$site"
