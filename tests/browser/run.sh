#!/usr/bin/env bash
# Browser tests of the store's web app, started by ctest (label "browser"):
#   run.sh AGENT_BINARY WORK_DIR
# Installs playwright-core (setup.sh), then runs the tests with Node's test runner against a real
# `regua-agent run` and Debian's headless Chromium. Screenshots land in WORK_DIR/browser-artifacts.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
agent="$1"
work="$2"
source "$here/setup.sh"
export REGUA_AGENT="$agent"
exec node --test --test-concurrency=1 "$here"/*.test.cjs
