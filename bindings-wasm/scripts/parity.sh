#!/usr/bin/env bash
# `make parity`: builds what each language's replay needs (the wasm package;
# the Python binding into the project's venv), then prints the table.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ci/lib.sh
[ -d bindings-wasm/node_modules ] || (cd bindings-wasm && npm ci --no-audit --no-fund --loglevel=error)
bash bindings-wasm/scripts/build.sh >/dev/null
ensure_venv
"$PYBIN" -c 'import antonnia_sdk, pytest, httpx' 2>/dev/null || {
    "$PYBIN" -m pip install -q pytest pytest-asyncio httpx
    "$PYBIN" -m pip install -q --force-reinstall --no-deps ./bindings-python
}
PYTHON="$PYBIN" node bindings-wasm/scripts/parity.mjs
