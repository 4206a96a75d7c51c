// tests/fixtures/relay_store.json: the relay's atomic store operations, step
// by step, against MemoryStore and RedisStore on a real redis-server, on
// a real Redis Cluster and behind real Redis Sentinels (the core's Lua scripts), so that the in-memory store answers as Redis does and
// as Python's stores do (bindings-python/tests/test_relay.py
// test_store_conformance replays the same scenarios). With PARITY_DIR set,
// each scenario's outcome goes to $PARITY_DIR/javascript.jsonl for
// `make parity`: passed only if it passed on every store.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { MemoryStore, RedisStore, RelayKeys, encodeRecord } from '../pkg/relay.js';
import { startRedis, startRedisCluster, startRedisSentinel } from './helpers.mjs';

const FILE = 'relay_store.json';
const doc = JSON.parse(readFileSync(new URL(`../../tests/fixtures/${FILE}`, import.meta.url), 'utf8'));
const names = doc.scenarios.map((s) => s.name);
assert.equal(new Set(names).size, names.length, `${FILE}: duplicate scenario names`);

const redis = await startRedis(); // null when redis-server is missing (skipped unless ANTONNIA_REQUIRE_REDIS)
after(() => redis?.stop());
const cluster = await startRedisCluster(); // 3 masters + 3 replicas; null likewise
after(() => cluster?.stop());
const sentinel = await startRedisSentinel(); // a master, a replica, 3 sentinels; null likewise
after(() => sentinel?.stop());

function record(name, ok) {
  const dir = process.env.PARITY_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, 'javascript.jsonl'), `${JSON.stringify({ file: FILE, name, ok })}\n`);
}

async function replay(scenario, store) {
  const d = doc.defaults;
  const keys = new RelayKeys(randomUUID().replaceAll('-', ''));
  const sid = d.session_id;
  const ct = d.channel_type;
  if (scenario.contact !== null) await store.put(keys.contact(sid), encodeRecord('contact', scenario.contact), d.retention_ms);
  for (const [i, step] of scenario.steps.entries()) {
    const where = `step ${i} ${JSON.stringify(step)}`;
    const mid = step.message_id;
    switch (step.op) {
      case 'sleep':
        await sleep(step.ms);
        break;
      case 'claim': {
        const got = await store.claim({
          outboundKey: keys.outbound(sid, mid), queueKey: keys.queue(sid), contactKey: keys.contact(sid),
          messageId: mid, createdAtMs: step.created_at_ms, messageJson: JSON.stringify({ id: mid }), token: step.token,
          leaseMs: step.lease_ms, retentionMs: d.retention_ms, channelType: ct, sessionBase: keys.sessionBase(sid),
          pendingKey: keys.pending(ct), pendingMember: keys.pendingMember(sid, mid),
        });
        const at = `${where} got ${JSON.stringify(got)}`;
        assert.equal(got.result, step.expect.result, at);
        for (const [k, v] of Object.entries(step.expect)) {
          if (k === 'lease_ms') assert.ok(v === 0 ? got[k] === 0 : got[k] > 0 && got[k] <= v, at);
          else if (k === 'contact') assert.deepEqual(JSON.parse(got[k]), scenario.contact, at);
          else if (k === 'message') assert.equal(JSON.parse(got[k]).id, v === true ? mid : v, at);
          else assert.deepEqual(got[k], v, at);
        }
        break;
      }
      case 'finish': {
        const owned = await store.finish(keys.outbound(sid, mid), keys.queue(sid), mid, step.token, step.state,
          step.outcome ?? null, d.retention_ms);
        assert.equal(owned, step.expect, where);
        break;
      }
      case 'extend':
        assert.equal(await store.extend(keys.outbound(sid, mid), step.token, step.lease_ms), step.expect, where);
        break;
      case 'acquire':
        assert.equal(await store.acquire(keys.lock(ct, 'u1'), step.token, step.lease_ms), step.expect, where);
        break;
      case 'release':
        await store.release(keys.lock(ct, 'u1'), step.token);
        break;
      case 'put_session':
        await store.put(keys.session(ct, 'u1'), encodeRecord('session', { v: 1, session_id: step.session_id }), d.retention_ms);
        break;
      case 'forget':
        assert.equal(await store.forget(keys.session(ct, 'u1'), step.session_id), step.expect, where);
        break;
      case 'index_due': {
        const due = await store.indexDue(keys.pending(ct), Date.now() + step.after_ms, step.limit ?? 100);
        assert.deepEqual(due.map(([m]) => m), step.expect.map((m) => keys.pendingMember(sid, m)), `${where} got ${JSON.stringify(due)}`);
        break;
      }
      case 'index_put':
        await store.indexPut(keys.pending(ct), keys.pendingMember(sid, mid), Date.now() + step.after_ms);
        break;
      case 'index_drop':
        await store.indexDrop(keys.pending(ct), step.message_ids.map((m) => keys.pendingMember(sid, m)));
        break;
      default:
        throw new Error(`${FILE}: unknown op ${step.op}`);
    }
  }
}

test(FILE, { concurrency: true }, async (t) => {
  // One connection for every Redis scenario: each runs under its own key prefix.
  const shared = redis && (await RedisStore.fromUrl(redis.url));
  const onCluster = cluster && (await RedisStore.fromClusterUrl(cluster.url));
  const behindSentinels = sentinel && (await RedisStore.fromSentinel({ sentinels: sentinel.sentinels, name: sentinel.name }));
  const stores = { redis: shared, cluster: onCluster, sentinel: behindSentinels };
  try {
    // Scenarios wait for leases to expire in real time: run them side by side.
    await Promise.all(doc.scenarios.map(async (scenario) => {
      let ok = true;
      for (const kind of ['memory', 'redis', 'cluster', 'sentinel']) {
        const skip = kind !== 'memory' && !stores[kind]
          && 'redis-server is not installed (scripts/ci/test-wasm.sh installs it)';
        let passed = false;
        await t.test(`${scenario.name} (${kind})`, { skip }, async () => {
          await replay(scenario, kind === 'memory' ? new MemoryStore() : stores[kind]);
          passed = true;
        });
        // A scenario not replayed on Redis is not a pass.
        ok &&= passed;
      }
      record(scenario.name, ok);
    }));
  } finally {
    await shared?.close();
    await onCluster?.close();
    await behindSentinels?.close();
  }
});
