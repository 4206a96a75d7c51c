#!/usr/bin/env bash
# The Quick Start end to end with the Python SDK: a local antonnia-sandbox, a
# webhook receiver, and the six steps (session, user message, reply, webhook,
# delivery, report). Set ANTONNIA_TOKEN (and ANTONNIA_BASE_URL) to run it
# against the real API instead. The first run builds the sandbox and installs
# the binding into .venv; `make test` reinstalls it after changes.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ci/lib.sh

if [ -z "${ANTONNIA_TOKEN:-}" ]; then
  cargo build --quiet -p antonnia-sandbox
  ANTONNIA_SANDBOX_BIN="$(cargo_target_dir)/debug/antonnia-sandbox"
  export ANTONNIA_SANDBOX_BIN
fi
ensure_venv
if ! "$PYBIN" -c "import antonnia_sdk" 2>/dev/null; then
  echo "installing the Python SDK into $VENV (pip install ./bindings-python; first run only)..." >&2
  "$PYBIN" -m pip install --quiet ./bindings-python
fi
exec "$PYBIN" bindings-python/examples/quickstart.py
