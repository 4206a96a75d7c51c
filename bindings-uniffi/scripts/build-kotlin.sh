#!/usr/bin/env bash
# Builds the Kotlin side of antonnia-uniffi into $OUT (default
# <target>/kotlin-<profile>): the native library, the Kotlin bindings
# generated from it by the crate's own uniffi-bindgen, and antonnia-kotlin.jar
# (generated code + kotlin/src wrapper, compiled once; tests compile against
# it). PROFILE=release|debug (default debug).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ci/lib.sh
source bindings-uniffi/scripts/kotlin-env.sh
ensure_kotlin

PROFILE="${PROFILE:-debug}"
TARGET="$(cargo_target_dir)"
OUT="${OUT:-$TARGET/kotlin-$PROFILE}"
flag=""; [ "$PROFILE" = release ] && flag="--release"
cargo build -q -p antonnia-uniffi $flag
cargo build -q -p antonnia-uniffi --features cli --bin uniffi-bindgen
LIB="$TARGET/$PROFILE/libantonnia_uniffi.so"

rm -rf "$OUT/gen" && mkdir -p "$OUT/gen" "$OUT/native"
"$TARGET/debug/uniffi-bindgen" generate --no-format --library "$LIB" --language kotlin --out-dir "$OUT/gen" >/dev/null
GEN="$OUT/gen/com/antonnia/sdk/antonnia_uniffi.kt"
# uniffi writes Throwable.message of a variant with fields as "field=value, ..."
# for every field; each AntonniaError variant has a `message` field holding the
# core's whole description, so make that the exception's message (checked by
# the tests: e.message == the core's text).
python3 - "$GEN" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s, n = re.subn(r'override val message\n(\s*)get\(\) = "description=\$\{ `description` \}[^\n]*"', r'override val message\n\1get() = `description`', s)
if n < 13:
    sys.exit(f"expected to fix the message of the 13 AntonniaException cases, fixed {n}")
open(p, "w").write(s)
PY
cp "$LIB" "$OUT/native/"

JAR="$OUT/antonnia-kotlin.jar"
STAMP="$(cat "$GEN" bindings-uniffi/kotlin/src/com/antonnia/sdk/*.kt | sha256sum | cut -c1-16)"
if [ ! -f "$JAR" ] || [ "$(cat "$OUT/jar.stamp" 2>/dev/null)" != "$STAMP" ]; then
  "$KOTLINC" -Werror -jvm-target 17 -module-name antonnia-sdk -cp "$JNA:$COROUTINES" -d "$JAR" "$GEN" bindings-uniffi/kotlin/src/com/antonnia/sdk/*.kt
  echo "$STAMP" > "$OUT/jar.stamp"
fi
echo "$OUT"
