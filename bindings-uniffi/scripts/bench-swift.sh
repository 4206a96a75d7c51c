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
start_sandbox "$(cargo_target_dir)/release/antonnia-sandbox"
in_swift ANTONNIA_FIXTURES=/repo/tests/fixtures ANTONNIA_BASE_URL="$SANDBOX_URL" sh -c \
  'cd /repo/bindings-uniffi/swift && swift build -c release --product AntonniaBench >/dev/null && .build/release/AntonniaBench'
