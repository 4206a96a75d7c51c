// The failover scenario shared by relay-cluster.test.mjs (Redis Cluster) and
// relay-sentinel.test.mjs (Redis Sentinel): claims and settled records
// written before a failover still hold after it, and the store reaches the
// new master by itself.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { RelayKeys, StoreUnavailableError, encodeRecord } from '../pkg/relay.js';

const RETENTION = 600_000;

function claim(keys, sid, mid, createdAtMs, token) {
  return {
    outboundKey: keys.outbound(sid, mid), queueKey: keys.queue(sid), contactKey: keys.contact(sid),
    messageId: mid, createdAtMs, messageJson: JSON.stringify({ id: mid }), token, leaseMs: 120_000,
    retentionMs: RETENTION, channelType: 'whatsapp', sessionBase: keys.sessionBase(sid),
    pendingKey: keys.pending('whatsapp'), pendingMember: keys.pendingMember(sid, mid),
  };
}

// Runs `op` until it succeeds; a StoreUnavailableError (no master, for a few
// seconds) is retried, as a webhook's retry would.
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

/**
 * On `sessions` sessions, m0 claimed and settled `done`, m1 claimed by
 * worker A; then for each of `failover` and `kill` (the servers helper's
 * commands, then its `wait`): worker B finds m0 done and m1 busy, A still
 * extends its claim. Finally every claim settles, and every recovery index
 * entry is there. Returns what each failover answered.
 */
export async function claimsOutliveFailovers(store, servers, sessions) {
  const keys = new RelayKeys(`f${randomUUID().replaceAll('-', '').slice(0, 8)}`);
  const sids = Array.from({ length: sessions }, (_, i) => `sess_${i}`);
  const moves = [];
  for (const sid of sids) {
    await store.put(keys.contact(sid), encodeRecord('contact', { v: 1, channel_type: 'whatsapp', channel_user_id: sid }), RETENTION);
    // m0 delivered and reported (done); m1 claimed by worker A, in hand.
    assert.equal((await store.claim(claim(keys, sid, 'm0', 1, 'a'))).result, 'claimed');
    assert.equal(await store.finish(keys.outbound(sid, 'm0'), keys.queue(sid), 'm0', 'a', 'done', { status: 'sent' }, RETENTION), true);
    assert.equal((await store.claim(claim(keys, sid, 'm1', 2, 'a'))).result, 'claimed');
  }
  for (const how of ['failover', 'kill']) {
    const moved = await servers.command(how);
    const counts = { unavailable: 0 };
    for (const sid of sids) {
      // Worker B, after the failover: m0 is done, m1 still A's.
      const done = await untilStored(() => store.claim(claim(keys, sid, 'm0', 1, 'b')), counts);
      assert.equal(done.result, 'done', `${how} ${sid}`);
      const busy = await untilStored(() => store.claim(claim(keys, sid, 'm1', 2, 'b')), counts);
      assert.equal(busy.result, 'busy', `${how} ${sid}`);
      // A still holds it: it can extend its claim and settle it.
      assert.equal(await untilStored(() => store.extend(keys.outbound(sid, 'm1'), 'a', 120_000), counts), true, `${how} ${sid}`);
    }
    moves.push({ how, ...moved, unavailable: counts.unavailable });
    await servers.command('wait');
  }
  // Every claim settles on the deployment as it now is.
  for (const sid of sids) {
    assert.equal(await store.finish(keys.outbound(sid, 'm1'), keys.queue(sid), 'm1', 'a', 'done', { status: 'sent' }, RETENTION), true);
  }
  const due = await store.indexDue(keys.pending('whatsapp'), Date.now() + 600_000, 1000);
  assert.equal(due.length, sessions * 2); // every claim's recovery entry, on whichever master has it now
  return moves;
}
