#!/usr/bin/env bash
# Builds what a release publishes for Linux x86_64: one abi3 wheel (Python >= 3.9)
# tagged manylinux2014 / manylinux_2_17, and the sdist, into OUT_DIR (default:
# dist/ at the repository root). Fails unless auditwheel agrees the wheel is
# manylinux.
#
#   bash bindings-python/scripts/build-dist.sh [OUT_DIR]
#
# The build machines run a recent glibc, and a plain link would pull in symbols
# newer than manylinux allows; maturin's --zig links against glibc 2.17 instead.
# maturin, ziglang and auditwheel come from PyPI into $VENV (default .venv).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/dist}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$root"
source scripts/ci/lib.sh

# Pinned to the versions this was checked with: a newer zig can break linking.
MATURIN_VERSION=1.16.0
ZIGLANG_VERSION=0.17.1
AUDITWHEEL_VERSION=6.8.2

step "build tools from PyPI into ${VENV:-.venv}: maturin $MATURIN_VERSION, ziglang $ZIGLANG_VERSION, auditwheel $AUDITWHEEL_VERSION"
ensure_venv
"$PYBIN" -m pip install -q "maturin==$MATURIN_VERSION" "ziglang==$ZIGLANG_VERSION" "auditwheel==$AUDITWHEEL_VERSION"
venv_bin="$(dirname "$PYBIN")"
# maturin runs `python3 -m ziglang`, so the venv's interpreter must come first.
export PATH="$venv_bin:$PATH"

# Only this package's files: OUT_DIR may hold other things, and a stale wheel
# would otherwise be picked up by the checks below.
rm -f "$out"/antonnia_sdk-*.whl "$out"/antonnia_sdk-*.tar.gz

step "maturin build --release --zig --compatibility manylinux2014"
maturin build --release --zig --compatibility manylinux2014 \
  --manifest-path bindings-python/Cargo.toml --out "$out"

step "maturin sdist"
maturin sdist --manifest-path bindings-python/Cargo.toml --out "$out"

shopt -s nullglob
wheels=("$out"/antonnia_sdk-*.whl)
sdists=("$out"/antonnia_sdk-*.tar.gz)
shopt -u nullglob
if [ "${#wheels[@]}" -ne 1 ] || [ "${#sdists[@]}" -ne 1 ]; then
  echo "expected one wheel and one sdist in $out, found: ${wheels[*]} ${sdists[*]}" >&2
  exit 1
fi
wheel="${wheels[0]}"
sdist="${sdists[0]}"

step "the wheel is abi3 and manylinux (auditwheel show)"
case "$(basename "$wheel")" in
  *-cp39-abi3-manylinux*_x86_64.whl) ;;
  *) echo "not a cp39-abi3 manylinux x86_64 wheel: $(basename "$wheel")" >&2; exit 1 ;;
esac
report="$("$venv_bin/auditwheel" show "$wheel")"
printf '%s\n' "$report"
# auditwheel prints the most compatible tag the symbols allow; anything but a
# manylinux one (e.g. "linux_x86_64") means pip on an older distro would refuse it.
tag="$(tr -s ' \n' ' ' <<<"$report" | sed -n 's/.*consistent with the following platform tag: "\([^"]*\)".*/\1/p')"
if ! [[ "$tag" =~ ^manylinux_2_([0-9]+)_x86_64$ ]] || [ "${BASH_REMATCH[1]}" -gt 17 ]; then
  echo "auditwheel says the wheel is only good for '$tag', not manylinux2014 (manylinux_2_17) or older" >&2
  exit 1
fi
# The WHEEL metadata is what pip reads: it must claim no platform the binary does not meet.
"$PYBIN" - "$wheel" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as whl:
    meta = next(n for n in whl.namelist() if n.endswith(".dist-info/WHEEL"))
    tags = [l.split(":", 1)[1].strip() for l in whl.read(meta).decode().splitlines() if l.startswith("Tag:")]
print("WHEEL tags:", ", ".join(tags))
if not tags or any(not t.startswith("cp39-abi3-manylinux") for t in tags):
    sys.exit(f"unexpected wheel tags {tags}")
PY

step "the sdist carries the core crate it builds from"
listing="$(tar tzf "$sdist")"
for f in pyproject.toml Cargo.lock bindings-python/Cargo.toml core/src/lib.rs python/antonnia_sdk/py.typed; do
  if ! grep -q "^[^/]*/$f\$" <<<"$listing"; then
    echo "the sdist lacks $f" >&2
    exit 1
  fi
done

printf '\n%s (%s KiB)\n%s (%s KiB)\n' \
  "$wheel" "$(( $(stat -c %s "$wheel") / 1024 ))" "$sdist" "$(( $(stat -c %s "$sdist") / 1024 ))"
