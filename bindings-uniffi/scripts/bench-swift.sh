#!/usr/bin/env bash
# The Swift rows of BENCHMARKS.md: the release library and Swift package
# (swift build -c release), the release sandbox on a free loopback port,
# then the AntonniaBench executable in the Swift chroot.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ci/lib.sh
source bindings-uniffi/scripts/swift-env.sh
ensure_swift
PROFILE=release bash bindings-uniffi/scripts/build-swift.sh >/dev/null
cargo build -q --release -p antonnia-sandbox
LOG="$(mktemp)"
"$(cargo_target_dir)/release/antonnia-sandbox" --port 0 >"$LOG" 2>/dev/null &
PID=$!
trap 'kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; rm -f "$LOG"' EXIT
for _ in $(seq 100); do grep -q "listening on" "$LOG" && break; sleep 0.1; done
URL="$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$LOG")"
[ -n "$URL" ] || { echo "antonnia-sandbox did not start" >&2; exit 1; }
in_swift ANTONNIA_FIXTURES=/repo/tests/fixtures ANTONNIA_BASE_URL="$URL" sh -c \
  'cd /repo/bindings-uniffi/swift && swift build -c release --product AntonniaBench >/dev/null && .build/release/AntonniaBench'
