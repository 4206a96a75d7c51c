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

# relay_store.json is replayed against each binding's RedisStore too: a real
# redis-server (Debian's package; the tests start their own on a free
# loopback port and stop it). A scenario not replayed on Redis is not a pass.
ensure_redis_server
export ANTONNIA_REQUIRE_REDIS=1

step "parity: Rust (antonnia-core's and antonnia-relay's vector replays)"
cargo test -q -p antonnia-core -p antonnia-relay --test vectors >/dev/null

step "parity: Python (antonnia_sdk's vector replay)"
ensure_venv
if ! "$PYBIN" -c "import antonnia_sdk, redis" 2>/dev/null; then
  "$PYBIN" -m pip install -q pytest pytest-asyncio httpx 'redis>=5.0.1,<8'
  "$PYBIN" -m pip install -q --no-deps ./bindings-python
fi
(cd bindings-python && "$PYBIN" -m pytest -q -p no:cacheprovider tests/test_vectors.py >/dev/null)
(cd bindings-python && "$PYBIN" -m pytest -q -p no:cacheprovider tests/test_relay.py -k test_store_conformance >/dev/null)

step "parity: JavaScript (the npm package's vector replay)"
if [ -f bindings-wasm/package.json ]; then
  [ -d bindings-wasm/node_modules ] || (cd bindings-wasm && npm ci --no-audit --no-fund --loglevel=error)
  [ -f bindings-wasm/pkg/index.js ] || bash bindings-wasm/scripts/build.sh >/dev/null
  node --test bindings-wasm/tests/vectors.test.mjs bindings-wasm/tests/relay-store.test.mjs >/dev/null
fi

step "parity: Kotlin (antonnia-uniffi's vector replay on the JVM)"
bash bindings-uniffi/scripts/test-kotlin.sh vectors >/dev/null

step "parity: Swift (antonnia-uniffi's vector replay with XCTest)"
# The package test-swift.sh built is reused when present.
SWIFT_REUSE=1 bash scripts/ci/test-swift.sh vectors >/dev/null

step "parity: the table"
python3 scripts/parity.py "$PARITY_DIR" --all
