#!/usr/bin/env bash
# Prepares the Swift package in bindings-uniffi/swift: builds the native
# library into swift/lib/, generates the Swift bindings and the C header from
# that very file (so their checksums match), and wraps the generated async
# call helper so that cancelling a Task cancels the call (Cancellation.swift).
# PROFILE=release|debug (default debug).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ci/lib.sh

PROFILE="${PROFILE:-debug}"
TARGET="$(cargo_target_dir)"
flag=""; [ "$PROFILE" = release ] && flag="--release"
cargo build -q -p antonnia-uniffi $flag
cargo build -q -p antonnia-uniffi --features cli --bin uniffi-bindgen

PKG=bindings-uniffi/swift
mkdir -p "$PKG/lib" "$PKG/Sources/Antonnia/Generated"
cp "$TARGET/$PROFILE/libantonnia_uniffi.so" "$PKG/lib/"
GEN="$(mktemp -d)"
trap 'rm -rf "$GEN"' EXIT
"$TARGET/debug/uniffi-bindgen" generate --no-format --library "$PKG/lib/libantonnia_uniffi.so" \
  --language swift --out-dir "$GEN" >/dev/null
cp "$GEN/AntonniaFFI.h" "$PKG/Sources/AntonniaFFI/"
python3 - "$GEN/Antonnia.swift" "$PKG/Sources/Antonnia/Generated/Antonnia.swift" <<'PY'
import re, sys
source, out = sys.argv[1], sys.argv[2]
s = open(source).read()
head = "fileprivate func uniffiRustCallAsync<F, T>("
if s.count(head) != 1:
    sys.exit("build-swift.sh: uniffiRustCallAsync is not in the generated Swift once (uniffi changed?)")
i = s.index(head)
j = s.index(") async throws -> T {", i)
signature = s[i + len(head) - 1: j + len(") async throws -> T ")]
params = re.findall(r"^\s*(\w+):", signature, re.M)
if params != ["rustFutureFunc", "pollFunc", "completeFunc", "freeFunc", "liftFunc", "errorHandler"]:
    sys.exit(f"build-swift.sh: unexpected uniffiRustCallAsync parameters {params}")
s = s.replace(head, "fileprivate func uniffiRustCallAsyncUncancellable<F, T>(")
# uniffi makes an error's localizedDescription a dump of the enum case; the
# SDK's errors read as their message (the core's whole description) instead.
start = s.index("enum AntonniaError: Swift.Error")
dump = "public var errorDescription: String? {\n        String(reflecting: self)\n    }"
at = s.index(dump, start)
if at > s.index("\n}\n", start):
    sys.exit("build-swift.sh: AntonniaError.errorDescription not found (uniffi changed?)")
s = s[:at] + "public var errorDescription: String? {\n        message\n    }" + s[at + len(dump):]
arguments = ", ".join(f"{p}: {p}" for p in params)
s += f"""
// Added by bindings-uniffi/scripts/build-swift.sh: every async call runs in
// an AntonniaCallScope, so that cancelling the caller's Task ends it.
fileprivate func uniffiRustCallAsync<F, T>{signature}{{
    try await AntonniaCallScope.run {{
        try await uniffiRustCallAsyncUncancellable({arguments})
    }}
}}
"""
open(out, "w").write(s)
PY
echo "$PKG"
