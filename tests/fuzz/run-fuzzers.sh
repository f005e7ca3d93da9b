#!/usr/bin/env bash
# Builds the libFuzzer targets of the POS input parsers (JSON Lines, CSV, fiscal XML) with clang in
# their own build folder (CMake preset "fuzz") and runs each for a bounded time from its seed corpus
# (tests/fuzz/corpus, plus the fiscal XML samples of ../shared/data/nfe/dev when present). Fails
# when any target crashes, leaks, trips a sanitizer or times out; the input that did it is kept in
# build/fuzz/artifacts/.
#
#   tests/fuzz/run-fuzzers.sh [--seconds N]     (default 60 per target; or REGUA_FUZZ_SECONDS)
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds="${REGUA_FUZZ_SECONDS:-60}"
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    *) echo "usage: tests/fuzz/run-fuzzers.sh [--seconds N]" >&2; exit 2 ;;
  esac
done

installer/bootstrap.sh >/dev/null
cmake --preset fuzz >/dev/null
targets=(jsonl csv fiscal_xml)
cmake --build --preset fuzz --target "${targets[@]/#/regua_fuzz_}"

build=build/fuzz
mkdir -p "$build/artifacts"
shared_samples="$(pwd)/../shared/data/nfe/dev"
failed=()
for target in "${targets[@]}"; do
  # A working corpus of its own: libFuzzer adds what it finds there, the seeds stay untouched.
  corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  cp tests/fuzz/corpus/"$target"/* "$corpus"/
  if [ "$target" = fiscal_xml ] && [ -d "$shared_samples" ]; then
    cp "$shared_samples"/*.xml "$corpus"/
  fi
  echo "== fuzzing $target for ${seconds}s"
  if ! "$build/tests/fuzz/regua_fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/artifacts/$target-" "$corpus" \
      >"$build/$target.log" 2>&1; then
    failed+=("$target")
    tail -n 60 "$build/$target.log" >&2
  else
    grep -E "stat::number_of_executed_units|Done [0-9]+ runs" "$build/$target.log" | tail -n 2 || true
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found a problem in: ${failed[*]} (inputs in $build/artifacts/, logs in $build/*.log)" >&2
  exit 1
fi
echo "fuzzing: no crash in ${targets[*]}"
