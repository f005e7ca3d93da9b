#!/usr/bin/env bash
# Builds the libFuzzer targets of the parsers and decoders of outside input (tests/fuzz/fuzz_*.cpp) with clang in their own
# build folder (CMake preset "fuzz") and runs each for a bounded time, two at a time, from its seed corpus
# (tests/fuzz/corpus, plus the fiscal XML samples of ../shared/data/nfe/dev when present). Fails
# when any target crashes, leaks, trips a sanitizer or times out; the input that did it is kept in
# build/fuzz/artifacts/.
#
#   tests/fuzz/run-fuzzers.sh [--seconds N]     (default 20 per target; or REGUA_FUZZ_SECONDS)
#
# 20 s a target: nine targets two at a time are five rounds, so building and fuzzing stay under
# about four minutes on two cores; each target reaches its coverage plateau from its seeds well
# within that (print_final_stats in build/fuzz/<target>.log). Longer runs: --seconds 600.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds="${REGUA_FUZZ_SECONDS:-20}"
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    *) echo "usage: tests/fuzz/run-fuzzers.sh [--seconds N]" >&2; exit 2 ;;
  esac
done

installer/bootstrap.sh >/dev/null
cmake --preset fuzz >/dev/null
targets=(jsonl csv fiscal_xml segment_filter sync_message rule_pack templates provider_callbacks config_toml)
cmake --build --preset fuzz --target "${targets[@]/#/regua_fuzz_}"

build=build/fuzz
mkdir -p "$build/artifacts"
shared_samples="$(pwd)/../shared/data/nfe/dev"
# Runs one target; its exit status says whether it found a problem.
fuzz_one() {
  local target="$1"
  # A working corpus of its own: libFuzzer adds what it finds there, the seeds stay untouched.
  local corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  cp tests/fuzz/corpus/"$target"/* "$corpus"/
  if [ "$target" = fiscal_xml ] && [ -d "$shared_samples" ]; then
    cp "$shared_samples"/*.xml "$corpus"/
  fi
  "$build/tests/fuzz/regua_fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/artifacts/$target-" "$corpus" \
    >"$build/$target.log" 2>&1
}

# Two at a time: the machines this runs on have two cores.
failed=()
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  batch=("${targets[@]:i:2}")
  echo "== fuzzing ${batch[*]} for ${seconds}s"
  pids=()
  for target in "${batch[@]}"; do
    fuzz_one "$target" &
    pids+=($!)
  done
  for j in "${!batch[@]}"; do
    target="${batch[$j]}"
    if wait "${pids[$j]}"; then
      echo "$target: $(grep -E "stat::number_of_executed_units" "$build/$target.log" | tail -n 1)"
    else
      failed+=("$target")
      tail -n 60 "$build/$target.log" >&2
    fi
  done
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found a problem in: ${failed[*]} (inputs in $build/artifacts/, logs in $build/*.log)" >&2
  exit 1
fi
echo "fuzzing: no crash in ${targets[*]}"
