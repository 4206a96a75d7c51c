#!/usr/bin/env bash
# A long cargo-fuzz run of every core fuzz target, one after the other (not run
# by CI; CI runs scripts/ci/fuzz-smoke.sh). Then, per target: executions,
# exec/s, corpus size and crashes. Fails if any target crashed; each crashing
# input is minimized into core/fuzz/regressions/<target>/, which every later
# run (and the CI smoke run) replays — write it up as a shared vector in
# tests/fixtures/ when the vector schema can express it.
#
#   scripts/fuzz-long.sh [SECONDS_PER_TARGET] [TARGET...]   (default: 600, all)
#
# Runs at nice 19 (FUZZ_NICE) so that other builds on the machine keep the CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ci/lib.sh
seconds="${1:-${FUZZ_SECONDS:-600}}"
shift $(($# > 0 ? 1 : 0))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(webhook response signature build_request transcode arguments json)
niceness="${FUZZ_NICE:-19}"

ensure_cargo_fuzz

python3 core/fuzz/seed_corpus.py core/fuzz/corpus
cd core/fuzz
step "building the fuzz targets"
nice -n "$niceness" cargo +nightly fuzz build >/dev/null

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
failed=0
for target in "${targets[@]}"; do
  step "cargo fuzz run $target for ${seconds}s ($(date -u +%FT%TZ))"
  mkdir -p "artifacts/$target"
  before=$(find "artifacts/$target" -type f | sort)
  dirs=("corpus/$target")
  [ -d "regressions/$target" ] && dirs+=("regressions/$target")
  start=$(date +%s)
  status=0
  nice -n "$niceness" cargo +nightly fuzz run "$target" "${dirs[@]}" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 \
    >"$logs/$target" 2>&1 || status=$?
  took=$(($(date +%s) - start))
  crashes=$(comm -13 <(echo "$before") <(find "artifacts/$target" -type f | sort) | grep -c . || true)
  if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then
    tail -n 40 "$logs/$target" >&2
    echo "cargo fuzz run $target failed without leaving an input" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$target" | tail -n 1)
  per_sec=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$logs/$target" | tail -n 1)
  # libFuzzer's own corpus (inputs that add coverage, and their size), its
  # coverage, and the files on disk (which also keep superseded inputs).
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$logs/$target" | tail -n 1 || true)
  corp=$(sed -n 's/.* corp: \([^ ]*\).*/\1/p' <<<"$done_line")
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
  files=$(find "corpus/$target" -type f | wc -l)
  printf '%s\t%s s\t%s runs\t%s exec/s\tcorpus %s (%s files)\tcov %s\t%s crashes\n' \
    "$target" "$took" "${runs:-?}" "${per_sec:-?}" "${corp:-?}" "$files" "${cov:-?}" "$crashes" |
    tee -a "$logs/summary"
  if [ "$crashes" -gt 0 ]; then
    failed=1
    grep -m1 -A3 -E 'panicked at|ERROR: libFuzzer' "$logs/$target" >&2 || true
    mkdir -p "regressions/$target"
    for crash in $(comm -13 <(echo "$before") <(find "artifacts/$target" -type f | sort)); do
      minimized="regressions/$target/$(basename "$crash")"
      nice -n "$niceness" cargo +nightly fuzz tmin "$target" "$crash" -- -rss_limit_mb=2048 \
        >"$logs/tmin" 2>&1 || true
      newest=$(ls -t "artifacts/$target"/minimized-from-* 2>/dev/null | head -n 1 || true)
      cp "${newest:-$crash}" "$minimized"
      echo "crash kept (minimized) in core/fuzz/$minimized" >&2
    done
  fi
done

step "summary (${seconds}s per target)"
column -t -s $'\t' "$logs/summary"
if [ "$failed" -ne 0 ]; then
  echo "crashes found: fix them, then add the inputs as shared vectors in tests/fixtures/" >&2
  exit 1
fi
