#!/usr/bin/env bash
# A short cargo-fuzz run of each core fuzz target, seeded with the shared
# vectors' bodies. Needs the nightly toolchain (present on these machines) and
# cargo-fuzz (installed from crates.io when missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ci/lib.sh
seconds="${FUZZ_SECONDS:-20}"

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "the nightly Rust toolchain is required for cargo fuzz (rustup toolchain list shows none)" >&2
  exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  step "installing cargo-fuzz from crates.io"
  cargo install cargo-fuzz --locked || cargo install cargo-fuzz
fi

corpus=core/fuzz/corpus
mkdir -p "$corpus/webhook" "$corpus/response"
python3 - "$corpus" <<'PY'
import base64, hashlib, json, sys, pathlib
root = pathlib.Path(sys.argv[1])
def body(v):
    if "body" in v: return v["body"].encode()
    if "body_json" in v: return json.dumps(v["body_json"]).encode()
    if "body_base64" in v: return base64.b64decode(v["body_base64"])
    return b""
def put(target, data):
    (root / target / hashlib.sha1(data).hexdigest()).write_bytes(data)
fx = pathlib.Path("tests/fixtures")
for v in json.loads((fx / "webhooks.json").read_text())["vectors"]:
    if "body_repeat" not in v and "sign" not in v: put("webhook", body(v))
for v in json.loads((fx / "responses.json").read_text())["vectors"]:
    r = v["response"]
    if "body_repeat" in r: continue
    put("response", r["status"].to_bytes(2, "little") + b"\x00" + r.get("headers", {}).get("Retry-After", "").encode() + b"\n" + body(r))
PY

cd core/fuzz
for target in webhook response; do
  step "cargo fuzz run $target for ${seconds}s"
  log=$(mktemp)
  if ! cargo +nightly fuzz run "$target" "corpus/$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 >"$log" 2>&1; then
    cat "$log" >&2
    echo "fuzz target $target failed; the input is in core/fuzz/artifacts/$target/" >&2
    exit 1
  fi
  grep -E '^(#[0-9]+ +DONE|Done [0-9]+ runs)' "$log" | tail -n 2
  rm -f "$log"
done
