#!/usr/bin/env bash
# `make parity`: every shared vector replayed by every language present, as one
# table; any vector that fails or is skipped in one language fails the run.
# Each language's replay writes $PARITY_DIR/<language>.jsonl (see
# scripts/parity.py); a new binding adds its replay here.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ci/lib.sh
export PARITY_DIR
PARITY_DIR="$(mktemp -d)"
trap 'rm -rf "$PARITY_DIR"' EXIT

step "parity: Rust (antonnia-core's vector replay)"
cargo test -q -p antonnia-core --test vectors >/dev/null

step "parity: Python (antonnia_sdk's vector replay)"
ensure_venv
if ! "$PYBIN" -c "import antonnia_sdk" 2>/dev/null; then
  "$PYBIN" -m pip install -q pytest pytest-asyncio httpx
  "$PYBIN" -m pip install -q --no-deps ./bindings-python
fi
(cd bindings-python && "$PYBIN" -m pytest -q -p no:cacheprovider tests/test_vectors.py >/dev/null)

step "parity: JavaScript (the npm package's vector replay)"
if [ -f bindings-wasm/package.json ]; then
  [ -d bindings-wasm/node_modules ] || (cd bindings-wasm && npm ci --no-audit --no-fund --loglevel=error)
  [ -f bindings-wasm/pkg/index.js ] || bash bindings-wasm/scripts/build.sh >/dev/null
  node --test bindings-wasm/tests/vectors.test.mjs >/dev/null
fi

step "parity: Kotlin (antonnia-uniffi's vector replay on the JVM)"
bash bindings-uniffi/scripts/test-kotlin.sh vectors >/dev/null

step "parity: Swift (antonnia-uniffi's vector replay with XCTest)"
# The package test-swift.sh built is reused when present.
SWIFT_REUSE=1 bash scripts/ci/test-swift.sh vectors >/dev/null

step "parity: the table"
python3 scripts/parity.py "$PARITY_DIR" --all
