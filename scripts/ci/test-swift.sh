#!/usr/bin/env bash
# The Swift package of bindings-uniffi: Swift 6 in a trixie chroot cached
# outside the repo (swift-env.sh; built once per machine), the native
# library and generated sources (build-swift.sh), antonnia-sandbox for the
# end-to-end tests, then `swift test` (XCTest: every shared vector through
# the public API, end to end over URLSession, cancellation and timeouts
# against a stalled server). A warning from our own Swift fails the run.
# `vectors` as the first argument runs only the vector replay (make parity);
# with PARITY_DIR set, its results go to $PARITY_DIR/swift.jsonl.
# SWIFT_REUSE=1 skips the rebuild when the package is already built.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ci/lib.sh
source bindings-uniffi/scripts/swift-env.sh

PKG=bindings-uniffi/swift
step "toolchain: Swift in $SWIFT_ROOT"
ensure_swift

if [ "${SWIFT_REUSE:-0}" = 1 ] && [ -f "$PKG/lib/libantonnia_uniffi.so" ] && [ -f "$PKG/Sources/Antonnia/Generated/Antonnia.swift" ]; then
  step "swift: reusing the built package"
else
  step "swift: native library, generated bindings, antonnia-sandbox"
  bash bindings-uniffi/scripts/build-swift.sh >/dev/null
  cargo build -q -p antonnia-sandbox
  cp "$(cargo_target_dir)/debug/antonnia-sandbox" "$PKG/lib/antonnia-sandbox"
fi

step "swift: build (warnings from our sources fail)"
LOG="$PKG/.build/swift-build.log"
mkdir -p "$PKG/.build"
in_swift sh -c 'cd /repo/bindings-uniffi/swift && swift build --build-tests 2>&1' > "$LOG" || { cat "$LOG"; exit 1; }
# The generated bindings are uniffi's; everything else is ours.
if grep -E '^/repo/.*warning:' "$LOG" | grep -v '/Sources/Antonnia/Generated/' | sort -u | grep .; then
  echo "test-swift.sh: warnings in our Swift sources (above)" >&2
  exit 1
fi

FILTER=()
[ "${1:-}" = vectors ] && FILTER=(--filter VectorTests)
PARITY_FILE=/repo/$PKG/.build/parity.jsonl
rm -f "$PKG/.build/parity.jsonl"
step "swift: swift test ${FILTER[*]}"
# A hung test must not hang CI: the run is bounded. Line-buffered so that
# a hang shows which test it was. (Not in a PID namespace of its own: the
# Swift runtime traps when /proc does not know its pid.)
in_swift ANTONNIA_FIXTURES=/repo/tests/fixtures ANTONNIA_PARITY_FILE="$PARITY_FILE" \
  timeout -k 10 900 stdbuf -oL -eL swift test --skip-build --package-path /repo/$PKG "${FILTER[@]}"

if [ -n "${PARITY_DIR:-}" ]; then
  mkdir -p "$PARITY_DIR"
  cp "$PKG/.build/parity.jsonl" "$PARITY_DIR/swift.jsonl"
fi
