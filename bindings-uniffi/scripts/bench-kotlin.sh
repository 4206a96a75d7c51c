#!/usr/bin/env bash
# The Kotlin rows of BENCHMARKS.md: builds the release library and jar, the
# release sandbox, and runs bindings-uniffi/kotlin/bench/Bench.kt against it.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ci/lib.sh
source bindings-uniffi/scripts/kotlin-env.sh
ensure_kotlin
OUT="$(PROFILE=release bash bindings-uniffi/scripts/build-kotlin.sh)"
"$KOTLINC" -Werror -jvm-target 17 -cp "$OUT/antonnia-kotlin.jar:$JNA:$COROUTINES" -d "$OUT/bench.jar" bindings-uniffi/kotlin/bench/Bench.kt
cargo build -q --release -p antonnia-sandbox
start_sandbox "$(cargo_target_dir)/release/antonnia-sandbox"
ANTONNIA_FIXTURES="$PWD/tests/fixtures" java -Djna.library.path="$OUT/native" \
  -cp "$OUT/bench.jar:$OUT/antonnia-kotlin.jar:$KOTLIN_STDLIB:$COROUTINES:$JNA" BenchKt "$SANDBOX_URL"
