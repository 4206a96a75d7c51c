#!/usr/bin/env bash
# Builds the npm package antonnia-sdk into bindings-wasm/pkg/: the core for
# wasm32 (cargo), its JS glue (wasm-bindgen-cli, --target web: plain ESM that
# runs in browsers, bundlers and Node >= 18), shrunk by wasm-opt (npm
# binaryen), plus the hand-written wrapper in js/. Needs the wasm32 target,
# wasm-bindgen-cli at the crate's version and `npm ci` done here
# (scripts/ci/test-wasm.sh installs them).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

# Speed (opt-level 3, wasm-opt -O3): opt-level s or z saves 27-40 KiB gzip
# but makes a webhook parse markedly slower (BENCHMARKS.md, measured with
# WASM_OPT_LEVEL=s|z; the package ships 3). The workspace's release profile
# is tuned for the Python extension, so override it here only.
export CARGO_PROFILE_RELEASE_OPT_LEVEL="${WASM_OPT_LEVEL:-3}"
export CARGO_PROFILE_RELEASE_LTO=fat
export CARGO_PROFILE_RELEASE_PANIC=abort
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
target="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"

out="$here/pkg"
rm -rf "$out"
mkdir -p "$out"
# Two builds of the crate: the package's wasm (what browsers download), and
# the same with the channel relay's exports (feature `relay`), loaded only by
# the server-only entry antonnia-sdk/relay, so browsers never pay for them.
# WASM_KEEP_NAMES=1 keeps the function names, for `twiggy` (BENCHMARKS.md's
# size breakdown); the package ships stripped.
names="--strip-debug --strip-producers"
[ "${WASM_KEEP_NAMES:-0}" = 1 ] && names="-g"
build() { # <out name> [cargo flags...]
  local name="$1"
  shift
  cargo build -p antonnia-wasm --target wasm32-unknown-unknown --release --locked "$@"
  wasm-bindgen --target web --weak-refs --out-dir "$out" --out-name "$name" \
    "$target/wasm32-unknown-unknown/release/antonnia_wasm.wasm"
  "$here/node_modules/.bin/wasm-opt" -O3 $names --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/${name}_bg.wasm" -o "$out/${name}_bg.wasm"
  rm -f "$out/${name}_bg.wasm.d.ts"
}
build antonnia_wasm
build antonnia_relay --features relay
rm -f "$out/.gitignore"
cp "$here"/js/*.js "$here"/js/*.d.ts "$out/"
cp "$here/README.md" "$out/README.md"

version="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' "$root/Cargo.toml")"
cat > "$out/package.json" <<JSON
{
  "name": "antonnia-sdk",
  "version": "$version",
  "description": "Antonnia Conversations API client: the Rust core in WebAssembly, fetch for HTTP, typed.",
  "license": "MIT OR Apache-2.0",
  "repository": { "type": "git", "url": "https://github.com/antonnia/antonnia-sdk" },
  "type": "module",
  "main": "./index.js",
  "types": "./index.d.ts",
  "exports": {
    ".": { "types": "./index.d.ts", "default": "./index.js" },
    "./relay": { "types": "./relay.d.ts", "node": "./relay.js" },
    "./package.json": "./package.json"
  },
  "peerDependencies": { "redis": "^4.6.0 || ^5.0.0" },
  "peerDependenciesMeta": { "redis": { "optional": true } },
  "files": ["*.js", "*.d.ts", "antonnia_wasm_bg.wasm", "antonnia_relay_bg.wasm", "README.md"],
  "sideEffects": ["./wasm.js", "./index.js"],
  "engines": { "node": ">=18" }
}
JSON
echo "built $out (antonnia-sdk $version): $(wc -c < "$out/antonnia_wasm_bg.wasm") bytes of wasm, $(wc -c < "$out/antonnia_relay_bg.wasm") for the relay"
