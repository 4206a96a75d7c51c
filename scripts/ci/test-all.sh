#!/usr/bin/env bash
# Runs every check of every part, in dependency order. Each part's script
# installs what it needs, so this works on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/ci/test-core.sh
bash scripts/ci/test-sandbox.sh
bash scripts/ci/test-python.sh
# test-python.sh has just installed ./bindings-python into the venv: the
# later parts that need it use that install instead of building it again.
export ANTONNIA_PY_REINSTALL=0
bash scripts/ci/test-relay.sh
bash scripts/ci/test-wheel.sh
bash scripts/ci/test-wasm.sh
bash scripts/ci/test-uniffi.sh
bash scripts/ci/test-swift.sh
bash scripts/ci/parity.sh
