#!/usr/bin/env bash
# Builds one self-contained jar, <target>/kotlin-release/antonnia.jar: the
# Kotlin SDK (generated bindings + wrapper), the Quick Start example
# (QuickstartKt), and the release native library as a JNA resource
# (linux-x86-64/libantonnia_uniffi.so), so that
#   java -cp antonnia.jar:kotlin-stdlib.jar:kotlinx-coroutines-core-jvm.jar:jna.jar QuickstartKt
# runs with no other setup (JNA extracts the library from the jar).
# Other platforms: build the library for them and add it under JNA's
# resource prefix (darwin-aarch64/, win32-x86-64/, ...).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ci/lib.sh
source bindings-uniffi/scripts/kotlin-env.sh
ensure_kotlin
OUT="$(PROFILE=release bash bindings-uniffi/scripts/build-kotlin.sh)"

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
"$KOTLINC" -Werror -jvm-target 17 -module-name antonnia-examples -cp "$OUT/antonnia-kotlin.jar:$JNA:$COROUTINES" \
  -d "$STAGE/examples.jar" bindings-uniffi/kotlin/examples/Quickstart.kt
mkdir -p "$STAGE/root/linux-x86-64"
(cd "$STAGE/root" && jar xf "$OUT/antonnia-kotlin.jar" && jar xf "$STAGE/examples.jar")
rm -f "$STAGE/root/META-INF/MANIFEST.MF"
cp "$OUT/native/libantonnia_uniffi.so" "$STAGE/root/linux-x86-64/"
jar cf "$OUT/antonnia.jar" -C "$STAGE/root" .
echo "$OUT/antonnia.jar"
