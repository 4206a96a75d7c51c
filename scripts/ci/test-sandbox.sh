#!/usr/bin/env bash
# The sandbox server: its tests over real HTTP (every endpoint, errors, the AI
# debounce, signed webhooks, retries, fault injection, the binary), its docs,
# and the README's first command (the Quick Start demo).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ci/lib.sh

step "sandbox tests (unit, HTTP integration, binary)"
cargo test -p antonnia-sandbox

step "sandbox docs build without warnings"
RUSTDOCFLAGS="-D warnings" cargo doc -p antonnia-sandbox --no-deps --quiet

step "the README's demo command runs the Quick Start end to end"
out=$(bash scripts/demo.sh)
printf '%s\n' "$out"
grep -q "delivery_status sent" <<<"$out"
grep -q "Done: the Quick Start ran end to end." <<<"$out"
