#!/usr/bin/env bash
# A short cargo-fuzz run of each core fuzz target (20 s each by default,
# FUZZ_SECONDS), seeded with the shared vectors. Needs the nightly toolchain
# (present on these machines) and cargo-fuzz (installed from crates.io when
# missing). The long run is scripts/fuzz-long.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ci/lib.sh
seconds="${FUZZ_SECONDS:-20}"

ensure_cargo_fuzz

# Seeds: the shared vectors, written in each target's input layout.
python3 core/fuzz/seed_corpus.py core/fuzz/corpus

cd core/fuzz
for target in webhook response signature build_request transcode arguments json; do
  step "cargo fuzz run $target for ${seconds}s"
  log=$(mktemp)
  # Inputs that once crashed (kept minimized by scripts/fuzz-long.sh) are replayed first.
  dirs=("corpus/$target")
  [ -d "regressions/$target" ] && dirs+=("regressions/$target")
  if ! cargo +nightly fuzz run "$target" "${dirs[@]}" -- -max_total_time="$seconds" -rss_limit_mb=2048 >"$log" 2>&1; then
    cat "$log" >&2
    echo "fuzz target $target failed; the input is in core/fuzz/artifacts/$target/" >&2
    exit 1
  fi
  grep -E '^(#[0-9]+[[:space:]]+DONE|Done [0-9]+ runs)' "$log" | tail -n 2
  rm -f "$log"
done
