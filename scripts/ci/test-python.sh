#!/usr/bin/env bash
# The Python binding (bindings-python): build and install it the way users do
# (pip install ./bindings-python), then the tests (every shared vector, end to
# end against antonnia-sandbox when it is in the checkout), mypy --strict on
# the usage file and stubtest (rustfmt / clippy run once for the workspace in
# test-core.sh).
# Needs only rustup-stable and python3; everything else comes from PyPI / crates.io.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ci/lib.sh

step "Python virtual environment (${VENV:-.venv})"
ensure_venv
"$PYBIN" -m pip install -q --upgrade pip
"$PYBIN" -m pip install -q pytest pytest-asyncio mypy httpx hypothesis fastapi 'redis>=5.0.1,<8' prometheus-client opentelemetry-sdk  # redis, prometheus-client, opentelemetry: the relay's optional integrations, type-checked too

step "pip install ./bindings-python (builds the Rust extension with maturin)"
"$PYBIN" -m pip install -q --force-reinstall --no-deps ./bindings-python
"$PYBIN" -c "import antonnia_sdk, sys; print('antonnia_sdk', antonnia_sdk.__version__, 'on Python', sys.version.split()[0])"

step "the sync client is generated from the async one"
"$PYBIN" bindings-python/scripts/unasync.py --check
"$PYBIN" bindings-python/scripts/gen_stubs.py --check

step "pytest (shared vectors, models, end to end against antonnia-sandbox)"
if [ -f tests/sandbox/Cargo.toml ]; then
    export ANTONNIA_REQUIRE_SANDBOX=1
    cargo build -q -p antonnia-sandbox
else
    echo "note: tests/sandbox is not in this checkout; the end-to-end tests will be skipped"
fi
# The relay's sandbox/Redis suites and its chaos test run in test-relay.sh.
(cd bindings-python && "$PYBIN" -m pytest -q tests --ignore=tests/test_relay.py --ignore=tests/test_relay_chaos.py)

step "mypy --strict on the usage file and on the package"
(cd bindings-python && "$PYBIN" -m mypy --strict tests/typing_usage.py examples/webhook_receiver.py examples/quickstart.py)
"$PYBIN" -m mypy --strict -p antonnia_sdk

step "stubtest: the stubs agree with the module"
(cd bindings-python && "$PYBIN" -m mypy.stubtest antonnia_sdk --allowlist stubtest-allowlist.txt)

step "the README's demo command: the Quick Start end to end in Python"
out=$(bash scripts/demo.sh)
printf '%s\n' "$out"
grep -q "delivery_status sent" <<<"$out"
grep -q "Done: the Quick Start ran end to end." <<<"$out"
