#!/usr/bin/env bash
# Instructions per parse of the 410-byte webhook, canonical (the web build's
# path) and typed (the native bindings'), and per verification of its
# signature, by the core's own HMAC and with the inner hash left to the host
# (the web build on Node); per tape of the canonical text, which the web
# build's receiver adds for JS (core/src/tape.rs); and, for reference, per
# serde_json syntax-only pass over the same body (building nothing).
# Counted by callgrind: the difference between 11 000 and 1 000
# deliveries, divided by 10 000, so that start-up is left out.
# BENCHMARKS.md quotes these where timings on the shared VM are too noisy
# to show a change.
#   bash scripts/count-instructions.sh     (needs valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --release -p antonnia-core --example webhook_loop --example syntax_loop --example tape_loop
examples="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/examples"
count() { # <example> <its arguments...>
  local example="$1"
  shift
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$examples/$example" "$@" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
for mode in canonical typed verify verify-hosted; do
  small=$(count webhook_loop "$mode" 1000)
  large=$(count webhook_loop "$mode" 11000)
  echo "$mode: $(( (large - small) / 10000 )) instructions per delivery"
done
small=$(count tape_loop 1000)
large=$(count tape_loop 11000)
echo "tape of the canonical text: $(( (large - small) / 10000 )) instructions per delivery"
small=$(count syntax_loop 1000)
large=$(count syntax_loop 11000)
echo "serde_json syntax only (reference): $(( (large - small) / 10000 )) instructions per delivery"
