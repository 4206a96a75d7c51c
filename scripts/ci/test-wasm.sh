#!/usr/bin/env bash
# The JavaScript/TypeScript binding (bindings-wasm): build the npm package
# antonnia-sdk (cargo for wasm32 + wasm-bindgen-cli + wasm-opt from npm
# binaryen), then node --test (every shared vector through the public API,
# end to end against antonnia-sandbox, garbage input, the web chat example
# in a real headless Chromium across origins, the channel relay
# antonnia-sdk/relay with MemoryStore and a real redis-server, on a real
# Redis Cluster through two failovers, behind real Redis Sentinels through
# two failovers (node-redis v5 createSentinel), and with a Python worker on
# the same Redis, the packed package in Deno and Bun (both
# from npm)), tsc --strict over the usage file, and `npm pack` installed into
# an empty folder (ESM, require(), TypeScript).
# Needs rustup-stable, python3 and node >= 18 with npm; everything else comes
# from crates.io, PyPI, npm and Debian apt (redis-server with redis-cli, chromium).
# rustfmt / clippy run for the workspace in test-core.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ci/lib.sh

# The wasm-bindgen crate is pinned with `=` in bindings-wasm/Cargo.toml; the
# CLI must be the very same version.
WB_VERSION="$(sed -n 's/^wasm-bindgen = { version = "=\([^"]*\)".*/\1/p' bindings-wasm/Cargo.toml)"

step "toolchain: wasm32 target, wasm-bindgen-cli $WB_VERSION, npm ci"
command -v node >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; }
node -e 'const [M]=process.versions.node.split(".").map(Number); if (M < 18) { console.error("node >= 18 needed, got " + process.version); process.exit(1) }'
rustup target add wasm32-unknown-unknown >/dev/null
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
    # Without --locked: with it, resolution fails on a webpki-roots version
    # the registry lacks (see TOOLCHAINS notes). Cached in ~/.cargo/bin.
    cargo install -q wasm-bindgen-cli --version "=$WB_VERSION"
fi
(cd bindings-wasm && npm ci --no-audit --no-fund --loglevel=error)
# A real browser for tests/browser.test.mjs: Debian's Chromium, driven by
# playwright-core (its own browser download is not reachable from CI).
if [ ! -x /usr/bin/chromium ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
export CHROMIUM=/usr/bin/chromium ANTONNIA_REQUIRE_BROWSER=1
# A real Redis for the relay tests: Debian's package (the tests start their
# own on a free loopback port without persistence, and stop it).
ensure_redis_server
export ANTONNIA_REQUIRE_REDIS=1

step "a Python worker for the cross-language relay test (${VENV:-.venv}: antonnia_sdk + redis-py)"
ensure_venv
"$PYBIN" -m pip install -q httpx 'redis>=5.0.1,<8'
# ANTONNIA_PY_REINSTALL=0 keeps an antonnia_sdk already installed there.
if [ "${ANTONNIA_PY_REINSTALL:-1}" = 1 ] || ! "$PYBIN" -c "import antonnia_sdk.relay" 2>/dev/null; then
    "$PYBIN" -m pip install -q --force-reinstall --no-deps ./bindings-python
fi
export ANTONNIA_PYTHON="$PYBIN" ANTONNIA_REQUIRE_PYTHON=1

step "build the npm package (bindings-wasm/pkg)"
bash bindings-wasm/scripts/build.sh

step "the browser payload's size budget (gzip -9, the browser build's wasm + JS, as a browser bundler resolves the package)"
node bindings-wasm/scripts/size-budget.mjs

step "the sandbox binary for the end-to-end tests"
cargo build -q -p antonnia-sandbox
export ANTONNIA_SANDBOX_BIN="$(cargo_target_dir)/debug/antonnia-sandbox"

step "node --test (vectors, end to end against antonnia-sandbox, garbage input, headless Chromium, the relay on Redis)"
# A test that hangs fails after 10 minutes instead of holding CI to its end.
(cd bindings-wasm && node --test --test-timeout=600000 --test-reporter=spec tests/*.test.mjs)

step "every shared vector and the garbage input again through the browser build (index.browser.js)"
(cd bindings-wasm && ANTONNIA_SDK_BUILD=browser node --test --test-reporter=dot tests/vectors.test.mjs tests/garbage.test.mjs)

step "tsc --strict --noEmit over the usage file and the README Quick Start"
(cd bindings-wasm && node_modules/.bin/tsc -p tests/tsconfig.json)
node bindings-wasm/scripts/check-readme-types.mjs

step "npm pack installs into an empty folder and works with no build step"
bash bindings-wasm/scripts/check-pack.sh
