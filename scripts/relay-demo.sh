#!/usr/bin/env bash
# The channel relay example (bindings-python/examples/relay/): redis-server,
# the sandbox, two worker processes sharing Redis, and a fake channel that
# prints what it sends. Installs redis-server (Debian) and the SDK with its
# redis extra into $VENV (default .venv) on the first run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ci/lib.sh

[ -n "${REDIS_URL:-}" ] || ensure_redis_server
cargo build --quiet -p antonnia-sandbox
ANTONNIA_SANDBOX_BIN="$(cargo_target_dir)/debug/antonnia-sandbox"
export ANTONNIA_SANDBOX_BIN
ensure_venv
if ! "$PYBIN" -c "import antonnia_sdk.relay, redis" 2>/dev/null; then
  echo "installing the Python SDK with its redis extra into $VENV (first run only)..." >&2
  "$PYBIN" -m pip install --quiet "./bindings-python[redis]"
fi
exec "$PYBIN" bindings-python/examples/relay/run.py
