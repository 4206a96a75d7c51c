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
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { RedisStore, RelayKeys, StoreUnavailableError, encodeRecord } from '../pkg/relay.js';
import { startRedisCluster } from './helpers.mjs';

const cluster = await startRedisCluster(); // null when redis-server is missing (skipped unless ANTONNIA_REQUIRE_REDIS)
after(() => cluster?.stop());
const skip = !cluster && 'redis-server is not installed (scripts/ci/test-wasm.sh installs it)';

const SESSIONS = 24; // their hash tags spread them over every master's slots
const RETENTION = 600_000;

function claim(keys, sid, mid, createdAtMs, token) {
  return {
    outboundKey: keys.outbound(sid, mid), queueKey: keys.queue(sid), contactKey: keys.contact(sid),
    messageId: mid, createdAtMs, messageJson: JSON.stringify({ id: mid }), token, leaseMs: 120_000,
    retentionMs: RETENTION, channelType: 'whatsapp', sessionBase: keys.sessionBase(sid),
    pendingKey: keys.pending('whatsapp'), pendingMember: keys.pendingMember(sid, mid),
  };
}

// Runs `op` until it succeeds; a StoreUnavailableError (a slot without a
// master, for a few seconds) is retried, as a webhook's retry would.
async function untilStored(op, counts) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await op();
    } catch (e) {
      if (!(e instanceof StoreUnavailableError) || Date.now() > deadline) throw e;
      counts.unavailable += 1;
      await sleep(100);
    }
  }
}

test('claims and settled records outlive a CLUSTER FAILOVER and a killed master; the store follows the new masters', { skip, timeout: 180_000 }, async () => {
  const store = await RedisStore.fromClusterUrl(cluster.url, { commandTimeoutMs: 2000, connectTimeoutMs: 2000 });
  const keys = new RelayKeys(`c${randomUUID().replaceAll('-', '').slice(0, 8)}`);
  const sessions = Array.from({ length: SESSIONS }, (_, i) => `sess_${i}`);
  try {
    for (const sid of sessions) {
      await store.put(keys.contact(sid), encodeRecord('contact', { v: 1, channel_type: 'whatsapp', channel_user_id: sid }), RETENTION);
      // m0 delivered and reported (done); m1 claimed by worker A, in hand.
      assert.equal((await store.claim(claim(keys, sid, 'm0', 1, 'a'))).result, 'claimed');
      assert.equal(await store.finish(keys.outbound(sid, 'm0'), keys.queue(sid), 'm0', 'a', 'done', { status: 'sent' }, RETENTION), true);
      assert.equal((await store.claim(claim(keys, sid, 'm1', 2, 'a'))).result, 'claimed');
    }
    for (const how of ['failover', 'kill']) {
      const moved = await cluster.command(how);
      const counts = { unavailable: 0 };
      for (const sid of sessions) {
        // Worker B, after the failover: m0 is done, m1 still A's.
        const done = await untilStored(() => store.claim(claim(keys, sid, 'm0', 1, 'b')), counts);
        assert.equal(done.result, 'done', `${how} ${sid}`);
        const busy = await untilStored(() => store.claim(claim(keys, sid, 'm1', 2, 'b')), counts);
        assert.equal(busy.result, 'busy', `${how} ${sid}`);
        // A still holds it: it can extend its claim and settle it.
        assert.equal(await untilStored(() => store.extend(keys.outbound(sid, 'm1'), 'a', 120_000), counts), true, `${how} ${sid}`);
      }
      if (how === 'kill') {
        // The dead master's slots had no master for a while: seen, survived.
        assert.ok(counts.unavailable > 0, `no command failed after killing ${moved.from}: the kill missed its slots`);
      }
      await cluster.command('wait');
    }
    // Every claim settles on the cluster as it now is.
    for (const sid of sessions) {
      assert.equal(await store.finish(keys.outbound(sid, 'm1'), keys.queue(sid), 'm1', 'a', 'done', { status: 'sent' }, RETENTION), true);
    }
    const due = await store.indexDue(keys.pending('whatsapp'), Date.now() + 600_000, 1000);
    assert.equal(due.length, SESSIONS * 2); // every claim's recovery entry, on whichever master has that slot now
  } finally {
    await store.close();
  }
});
