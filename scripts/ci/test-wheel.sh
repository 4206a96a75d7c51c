#!/usr/bin/env bash
# The wheel users install: build it (bindings-python/scripts/build-dist.sh, which
# also checks it is manylinux), install it into a fresh virtual environment
# whose PATH has no cargo or rustc, and run the Quick Start from there against
# the sandbox binary (built beforehand, with cargo, outside that environment).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ci/lib.sh

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

step "build the wheel and the sdist"
bash bindings-python/scripts/build-dist.sh "$work/dist"
wheel="$(ls "$work"/dist/antonnia_sdk-*.whl)"

step "build antonnia-sandbox (cargo, outside the Rust-free environment)"
cargo build -q -p antonnia-sandbox
sandbox="$(cargo_target_dir)/debug/antonnia-sandbox"

venv="$work/venv"
"${PYTHON:-python3}" -m venv "$venv"

# Only the registry settings pass through (certificates, proxies, pip's own
# options); PATH holds the new venv and the system's bin directories, nothing else.
rust_free() {
  local keep=() name
  while IFS= read -r name; do
    case "$name" in
      PIP_* | SSL_CERT_* | REQUESTS_CA_BUNDLE | [Hh][Tt][Tt][Pp]*_[Pp][Rr][Oo][Xx][Yy] | [Nn][Oo]_[Pp][Rr][Oo][Xx][Yy]) keep+=("$name=${!name}") ;;
    esac
  done < <(compgen -e)
  (cd "$work" && env -i HOME="$HOME" LANG=C.UTF-8 PATH="$venv/bin:/usr/bin:/bin" "${keep[@]}" "$@")
}

step "a Rust-free environment: PATH=$venv/bin:/usr/bin:/bin"
if rust_free sh -c 'command -v cargo || command -v rustc || command -v rustup'; then
  echo "cargo, rustc or rustup is on the test's PATH: the test would not show the wheel installs without Rust" >&2
  exit 1
fi
echo "no cargo, rustc or rustup on PATH"

step "pip install the wheel there (binaries only: nothing may be built)"
rust_free python -m pip install -q --only-binary :all: "$wheel"
rust_free python - "$venv" <<'PY'
import pathlib, sys
import antonnia_sdk, antonnia_sdk._core as core
venv = pathlib.Path(sys.argv[1]).resolve()
for mod in (antonnia_sdk, core):
    path = pathlib.Path(mod.__file__).resolve()
    if venv not in path.parents:
        sys.exit(f"{mod.__name__} was imported from {path}, not from the wheel installed in {venv}")
print("antonnia_sdk", antonnia_sdk.__version__, "from", pathlib.Path(core.__file__).name, "on Python", sys.version.split()[0])
PY

step "the Quick Start against the sandbox, from the installed wheel"
# From $work, so the checkout's python/ directory is not on the import path.
out="$(rust_free ANTONNIA_SANDBOX_BIN="$sandbox" python "$PWD/bindings-python/examples/quickstart.py")"
printf '%s\n' "$out"
grep -q "delivery_status sent" <<<"$out"
grep -q "Done: the Quick Start ran end to end." <<<"$out"
