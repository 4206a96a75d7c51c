#!/usr/bin/env bash
# The sans-IO crates, the core and the channel relay's shared pieces
# (antonnia-relay): formatting, lints, tests (every shared vector), the wasm32
# build, the sans-IO dependency check and a short fuzz smoke run of the core.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ci/lib.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

step "core and relay tests (unit, vectors, property tests, doc tests)"
cargo test -p antonnia-core -p antonnia-relay

step "core and relay docs build without warnings (every public item documented)"
RUSTDOCFLAGS="-D warnings" cargo doc -p antonnia-core -p antonnia-relay --no-deps --quiet

step "core and relay build for wasm32-unknown-unknown"
rustup target add wasm32-unknown-unknown >/dev/null
cargo build -p antonnia-core -p antonnia-relay --target wasm32-unknown-unknown

step "core and relay stay sans-IO: no HTTP client or async runtime among their dependencies"
bash scripts/ci/check-sans-io.sh

step "fuzz smoke run (cargo fuzz, ${FUZZ_SECONDS:-20} s per target)"
bash scripts/ci/fuzz-smoke.sh
