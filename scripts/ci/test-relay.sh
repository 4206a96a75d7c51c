#!/usr/bin/env bash
# The channel relay (antonnia_sdk.relay, issue 10): its shared vectors, its
# guarantees against the sandbox with MemoryStore and with a real
# redis-server, the store scenarios on a real Redis Cluster and behind real
# Redis Sentinels, the chaos test (4 worker processes, duplicated webhooks,
# 50 contacts, one worker SIGKILLed) on one redis-server, on a Redis Cluster
# failing over twice (issue 19) and behind Redis Sentinel failing over twice
# (SENTINEL FAILOVER, a SIGKILLed master), mypy --strict on the example, and
# the example's one-command demo. redis-server and redis-cli come from
# Debian's package when missing (its redis-server runs the sentinels too,
# with --sentinel); the tests start their servers (one, a cluster of 3
# masters + 3 replicas, or a master, a replica and 3 sentinels) on free
# loopback ports without persistence and stop them afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ci/lib.sh

step "redis-server (Debian package)"
ensure_redis_server
# The package may start a system instance; the tests use their own and never touch it.
redis-server --version
redis-cli --version

step "Python virtual environment (${VENV:-.venv}) with the redis extra"
ensure_venv
"$PYBIN" -m pip install -q pytest pytest-asyncio mypy httpx 'redis>=5.0.1,<8' prometheus-client opentelemetry-sdk
if ! "$PYBIN" -c "import antonnia_sdk.relay" 2>/dev/null || [ "${ANTONNIA_PY_REINSTALL:-1}" = 1 ]; then
  "$PYBIN" -m pip install -q --force-reinstall --no-deps ./bindings-python
fi

step "the relay's vectors (Rust: antonnia-relay; Python)"
cargo test -q -p antonnia-relay --test vectors relay_vectors
(cd bindings-python && "$PYBIN" -m pytest -q -p no:cacheprovider tests/test_vectors.py -k relay)

step "the relay's guarantees, MemoryStore and RedisStore (one redis-server; a Redis Cluster; Redis Sentinel), against the sandbox"
cargo build -q -p antonnia-sandbox
export ANTONNIA_REQUIRE_SANDBOX=1 ANTONNIA_REQUIRE_REDIS=1
(cd bindings-python && "$PYBIN" -m pytest -q -p no:cacheprovider tests/test_relay.py)

step "chaos: 4 workers, duplicated webhooks, 50 contacts, one worker SIGKILLed; on one Redis, then on a Redis Cluster through a CLUSTER FAILOVER and a SIGKILLed master, then behind Redis Sentinel through a SENTINEL FAILOVER and a SIGKILLed master"
(cd bindings-python && "$PYBIN" -m pytest -q -s -p no:cacheprovider tests/test_relay_chaos.py)

step "mypy --strict on the relay example"
(cd bindings-python && "$PYBIN" -m mypy --strict examples/relay/worker.py examples/relay/run.py)

step "the example, end to end (make relay-demo)"
out=$(bash scripts/relay-demo.sh)
printf '%s\n' "$out"
grep -q "Done: each answer went out once" <<<"$out"
