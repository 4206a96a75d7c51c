#!/usr/bin/env bash
# The sandbox server: its tests over real HTTP (every endpoint, errors, the AI
# debounce, signed webhooks, retries, fault injection, the binary), its docs,
# and the Quick Start in Rust over the core (examples/quickstart.rs).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ci/lib.sh

step "sandbox tests (unit, HTTP integration, binary)"
cargo test -p antonnia-sandbox

step "sandbox docs build without warnings"
RUSTDOCFLAGS="-D warnings" cargo doc -p antonnia-sandbox --no-deps --quiet

step "the Quick Start end to end in Rust, over the core"
out=$(cargo run --quiet -p antonnia-sandbox --example quickstart)
printf '%s\n' "$out"
grep -q "delivery_status sent" <<<"$out"
grep -q "Done: the Quick Start ran end to end." <<<"$out"
