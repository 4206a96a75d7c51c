#!/usr/bin/env bash
# Builds the Kotlin side (build-kotlin.sh), compiles the suite in
# bindings-uniffi/kotlin/tests against the jar, and runs it on the JVM.
# Arguments go to the runner: `vectors`, `e2e`, or parts of test names.
# The end-to-end tests start antonnia-sandbox themselves
# ($ANTONNIA_SANDBOX_BIN, built here when unset). PARITY_DIR is honoured.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ci/lib.sh
source bindings-uniffi/scripts/kotlin-env.sh
ensure_kotlin
OUT="$(bash bindings-uniffi/scripts/build-kotlin.sh)"
if [ -z "${ANTONNIA_SANDBOX_BIN:-}" ]; then
  cargo build -q -p antonnia-sandbox
  export ANTONNIA_SANDBOX_BIN="$(cargo_target_dir)/debug/antonnia-sandbox"
fi
STAMP="$(cat "$OUT/jar.stamp" bindings-uniffi/kotlin/tests/*.kt | sha256sum | cut -c1-16)"
if [ ! -f "$OUT/tests.jar" ] || [ "$(cat "$OUT/tests.stamp" 2>/dev/null)" != "$STAMP" ]; then
  "$KOTLINC" -Werror -jvm-target 17 -cp "$OUT/antonnia-kotlin.jar:$JNA:$COROUTINES" -d "$OUT/tests.jar" bindings-uniffi/kotlin/tests/*.kt
  echo "$STAMP" > "$OUT/tests.stamp"
fi
export ANTONNIA_FIXTURES="$PWD/tests/fixtures"
exec java -Djna.library.path="$OUT/native" \
  -cp "$OUT/tests.jar:$OUT/antonnia-kotlin.jar:$KOTLIN_STDLIB:$COROUTINES:$JNA" MainKt "$@"
