#!/usr/bin/env bash
# Installs what Régua needs, builds it, and runs the demo store: a POS file fills with generated
# sales, the agent ingests them into its ledger, and `status` shows the result. See README.md.
# Extra arguments go to `regua-agent demo` (e.g. --sales 5000 --seconds 10).
set -euo pipefail
cd "$(dirname "$0")"

installer/bootstrap.sh
cmake --preset release >/dev/null
cmake --build --preset release --target regua-agent
build/release/agent/regua-agent demo --dir regua-demo "$@"
