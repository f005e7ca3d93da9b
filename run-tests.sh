#!/usr/bin/env bash
# Installs what Régua needs, builds it, and runs the whole test suite: unit, integration and
# format checks on an optimised build, then the unit tests again under AddressSanitizer and
# UndefinedBehaviorSanitizer. See README.md.
set -euo pipefail
cd "$(dirname "$0")"

installer/bootstrap.sh

echo "== optimised build: every test"
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release --parallel 2

echo "== ASan + UBSan build: unit tests"
cmake --preset asan >/dev/null
cmake --build --preset asan --target regua_unit_tests
ctest --preset asan-unit --parallel 2
