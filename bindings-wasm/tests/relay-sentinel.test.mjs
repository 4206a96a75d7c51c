// antonnia-sdk/relay's RedisStore.fromSentinel on a real Redis Sentinel
// deployment (a master, a replica, three sentinels; bindings-python/tests/
// servers.py starts it) through two failovers: SENTINEL FAILOVER, then the
// new master SIGKILLed (the old one, a replica by then, promoted back).
// Claims and settled records written before each still hold after it, and
// node-redis's Sentinel client (createSentinel) finds each new master by
// itself; the store reloads its scripts there (Redis 7 does not replicate
// them). The store scenarios also run through Sentinel (relay-store.test.mjs),
// and the Python chaos test runs the whole relay through the same failovers
// (test_chaos_behind_redis_sentinel_through_two_failovers).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';

import { RedisStore } from '../pkg/relay.js';
import { claimsOutliveFailovers } from './failover.mjs';
import { startRedisSentinel } from './helpers.mjs';

const sentinel = await startRedisSentinel(); // null when redis-server is missing (skipped unless ANTONNIA_REQUIRE_REDIS)
after(() => sentinel?.stop());
const skip = !sentinel && 'redis-server is not installed (scripts/ci/test-wasm.sh installs it)';

test('claims and settled records outlive a SENTINEL FAILOVER and a killed master; the store follows the new master', { skip, timeout: 180_000 }, async () => {
  const store = await RedisStore.fromSentinel({ sentinels: sentinel.sentinels, name: sentinel.name, commandTimeoutMs: 2000, connectTimeoutMs: 2000 });
  try {
    const moves = await claimsOutliveFailovers(store, sentinel, 8);
    assert.deepEqual(moves.map((m) => m.how), ['failover', 'kill']);
    // The killed master was the one the first failover promoted: back to the first.
    assert.equal(moves[1].from, moves[0].to);
    assert.equal((await sentinel.command('master')).master, moves[1].to);
  } finally {
    await store.close();
  }
});

test('fromSentinel refuses options it cannot work with', async () => {
  await assert.rejects(RedisStore.fromSentinel({ name: 'relay' }), /sentinels/);
  await assert.rejects(RedisStore.fromSentinel({ sentinels: [{ host: '127.0.0.1', port: '26379' }], name: 'relay' }), /sentinels/);
  await assert.rejects(RedisStore.fromSentinel({ sentinels: [{ host: '127.0.0.1', port: 26379 }] }), /name/);
});
