#!/usr/bin/env bash
# The Kotlin/Swift binding (bindings-uniffi), Kotlin part: the crate's own
# tests, then on a real JVM (kotlinc from npm, JNA from Debian, cached under
# /root/.cache/antonnia-sdk) every shared vector through the public API and
# the end-to-end suite against antonnia-sandbox over real HTTP
# (bindings-uniffi/kotlin/tests), then the self-contained jar running the
# Quick Start against a sandbox with nothing but the jar and its three
# dependencies on the class path. rustfmt / clippy run for the workspace in
# test-core.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ci/lib.sh

step "cargo test -p antonnia-uniffi"
cargo test -q -p antonnia-uniffi

step "the sandbox binary for the end-to-end tests"
cargo build -q -p antonnia-sandbox
export ANTONNIA_SANDBOX_BIN="$(cargo_target_dir)/debug/antonnia-sandbox"

step "Kotlin on the JVM: every vector, then end to end against antonnia-sandbox"
bash bindings-uniffi/scripts/test-kotlin.sh

step "the README Kotlin snippets compile against the SDK"
bash bindings-uniffi/scripts/check-readme-kotlin.sh

step "the self-contained jar runs the Quick Start on its own"
source bindings-uniffi/scripts/kotlin-env.sh
ensure_kotlin
JAR="$(bash bindings-uniffi/scripts/build-jar.sh)"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
SECRET=whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD
start_sandbox "$ANTONNIA_SANDBOX_BIN" --time-scale 0.1 --webhook-url "http://127.0.0.1:$PORT/webhooks" \
  --webhook-secret "$SECRET"
OUTPUT="$(cd "$(mktemp -d)" && ANTONNIA_BASE_URL="$SANDBOX_URL" ANTONNIA_WEBHOOK_SECRET="$SECRET" WEBHOOK_PORT="$PORT" \
  java -cp "$JAR:$KOTLIN_STDLIB:$COROUTINES:$JNA" QuickstartKt)"
echo "$OUTPUT"
grep -q "^reported sent for msg_" <<<"$OUTPUT"
