#!/usr/bin/env bash
# Installs what Régua needs, builds it, and runs the whole test suite: unit, integration and
# format checks on an optimised build, the unit tests again under AddressSanitizer and
# UndefinedBehaviorSanitizer, then each input parser under libFuzzer for a bounded time. See README.md.
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

echo "== fuzzing every parser and decoder of outside input (POS files, MQTT messages, rule packs, callbacks, templates, config)"
tests/fuzz/run-fuzzers.sh --seconds "${REGUA_FUZZ_SECONDS:-20}"
