// antonnia-sdk/relay's RedisStore on a real Redis Cluster (three masters,
// three replicas; bindings-python/tests/servers.py starts it) through two
// failovers: a CLUSTER FAILOVER sent to a replica, then a SIGKILLed master.
// Claims and settled records written before each failover still hold after
// it, on every slot, and the store finds each new master by itself
// (node-redis re-reads a cluster's layout only on MOVED, which a dead master
// never sends: RedisStore.fromClusterUrl makes a new client from the nodes it
// knew). The Python chaos test runs the whole relay through the same
// failovers (test_chaos_on_a_redis_cluster_through_two_failovers).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';

import { RedisStore } from '../pkg/relay.js';
import { claimsOutliveFailovers } from './failover.mjs';
import { startRedisCluster } from './helpers.mjs';

const cluster = await startRedisCluster(); // null when redis-server is missing (skipped unless ANTONNIA_REQUIRE_REDIS)
after(() => cluster?.stop());
const skip = !cluster && 'redis-server is not installed (scripts/ci/test-wasm.sh installs it)';

const SESSIONS = 24; // their hash tags spread them over every master's slots

test('claims and settled records outlive a CLUSTER FAILOVER and a killed master; the store follows the new masters', { skip, timeout: 180_000 }, async () => {
  const store = await RedisStore.fromClusterUrl(cluster.url, { commandTimeoutMs: 2000, connectTimeoutMs: 2000 });
  try {
    const moves = await claimsOutliveFailovers(store, cluster, SESSIONS);
    const killed = moves.find((m) => m.how === 'kill');
    // The dead master's slots had no master for a while: seen, survived.
    assert.ok(killed.unavailable > 0, `no command failed after killing ${killed.from}: the kill missed its slots`);
  } finally {
    await store.close();
  }
});
