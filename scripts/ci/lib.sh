# Shared helpers for the CI scripts (sourced, not run).
step() { printf '\n==> %s\n' "$*"; }

# The project's Python virtual environment ($VENV, default .venv), created if
# missing; sets PYBIN to its interpreter (absolute, for steps run elsewhere).
ensure_venv() {
  local py="${PYTHON:-python3}"
  VENV="${VENV:-.venv}"
  if [ ! -x "$VENV/bin/python" ]; then
    if ! "$py" -m venv "$VENV" 2>/dev/null; then
      # Debian ships venv's ensurepip separately.
      rm -rf "$VENV"
      if command -v apt-get >/dev/null; then
        apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
      fi
      "$py" -m venv "$VENV"
    fi
  fi
  PYBIN="$(cd "$VENV" && pwd)/bin/python"
}

# Debian's redis-server, installed on first use, with redis-cli (redis-tools,
# which the package depends on; the relay's cluster tests run
# `redis-cli --cluster create`). The same binary runs the relay's Sentinel
# tests' sentinels (`redis-server sentinel.conf --sentinel`): Debian's
# separate redis-sentinel package only adds a service and a symlink. The tests and demos start their own
# instances on free loopback ports (never a system one) and stop them.
ensure_redis_server() {
  if ! command -v redis-server >/dev/null && [ ! -x /usr/bin/redis-server ]; then
    echo "installing redis-server (apt-get; first run only)..." >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  fi
  if ! command -v redis-cli >/dev/null && [ ! -x /usr/bin/redis-cli ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-tools >/dev/null
  fi
}

# Where cargo puts build outputs (honours CARGO_TARGET_DIR and config).
cargo_target_dir() {
  cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])'
}

# cargo fuzz on the nightly toolchain (present on these machines); cargo-fuzz
# is installed from crates.io when missing.
ensure_cargo_fuzz() {
  if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "the nightly Rust toolchain is required for cargo fuzz (rustup toolchain list shows none)" >&2
    exit 1
  fi
  if ! cargo fuzz --version >/dev/null 2>&1; then
    step "installing cargo-fuzz from crates.io"
    cargo install cargo-fuzz --locked || cargo install cargo-fuzz
  fi
}

# Starts antonnia-sandbox ($1, then its flags) in the background on a free
# loopback port, waits for its URL (SANDBOX_URL), and stops it when the
# script exits (an EXIT trap: call it at most once per script).
start_sandbox() {
  local bin="$1"
  shift
  _SANDBOX_LOG="$(mktemp)"
  "$bin" --port 0 "$@" >"$_SANDBOX_LOG" 2>/dev/null &
  _SANDBOX_PID=$!
  trap 'kill "$_SANDBOX_PID" 2>/dev/null; wait "$_SANDBOX_PID" 2>/dev/null; rm -f "$_SANDBOX_LOG"' EXIT
  for _ in $(seq 100); do grep -q "listening on" "$_SANDBOX_LOG" && break; sleep 0.1; done
  SANDBOX_URL="$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$_SANDBOX_LOG")"
  [ -n "$SANDBOX_URL" ] || { echo "antonnia-sandbox did not start" >&2; exit 1; }
}
