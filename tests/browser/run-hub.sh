#!/usr/bin/env bash
# The HQ dashboard's browser test, started by ctest (label "browser"):
#   run-hub.sh LAUNCHER WORK_DIR
# Installs playwright-core (setup.sh), then runs LAUNCHER (hub_dashboard_launcher.cpp), which starts
# Mosquitto with TLS, `regua-hub run` and a `regua-agent run` store and runs hub/dashboard.test.cjs
# against them. Screenshots land in WORK_DIR/browser-artifacts. WORK_DIR is not run.sh's: ctest may
# run both at once, and each installs its own node_modules.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
launcher="$1"
work="$2"
source "$here/setup.sh"
REGUA_NODE="$(command -v node)"
export REGUA_NODE
exec "$launcher"
