#!/usr/bin/env bash
# Browser tests of the store's web app, started by ctest (label "browser"):
#   run.sh AGENT_BINARY WORK_DIR
# Installs playwright-core exactly as pinned in package-lock.json (`npm ci`, into WORK_DIR so that
# the source tree stays clean), then runs the tests with Node's test runner against a real
# `regua-agent run` and Debian's headless Chromium. Screenshots land in WORK_DIR/browser-artifacts.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
agent="$1"
work="$2"

for tool in node npm /usr/bin/chromium sqlite3; do
  if ! command -v "$tool" >/dev/null; then
    echo "browser tests: $tool is missing; run installer/bootstrap.sh (it installs chromium, nodejs, npm, sqlite3)" >&2
    exit 1
  fi
done

mkdir -p "$work/browser-artifacts"
cp "$here/package.json" "$here/package-lock.json" "$work/"
# Reinstall only when the lock changed: npm ci empties node_modules first.
if ! cmp -s "$here/package-lock.json" "$work/node_modules/.installed-lock.json" 2>/dev/null; then
  (cd "$work" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  cp "$here/package-lock.json" "$work/node_modules/.installed-lock.json"
fi

export NODE_PATH="$work/node_modules"
export REGUA_AGENT="$agent"
export REGUA_BROWSER_ARTIFACTS="$work/browser-artifacts"
exec node --test --test-concurrency=1 "$here"/*.test.cjs
