// Benchmarks of the channel relay (antonnia-sdk/relay) in one Node process,
// the same measurements as bindings-python/bench/relay_bench.py:
//
//   bash bindings-wasm/scripts/build.sh && (cd bindings-wasm && npm ci)
//   node bindings-wasm/bench/relay-bench.mjs [--messages 2000] [--concurrency 50] [--markdown]
//
// For MemoryStore and RedisStore (a redis-server started on a free loopback
// port, or $REDIS_URL):
// 1. webhooks handled per second: new assistant messages (verify the
//    signature, claim, read the session's pending messages for order,
//    deliver, report `sent`, settle), and duplicates of delivered ones;
// 2. the latency the relay adds per delivered message: one webhook at a
//    time, handleWebhook against doing it by hand (parseWebhook + deliver +
//    messages.update).
// The API is an injected fetch answering at once and `deliver` returns at
// once, so the figures are the relay's own cost, not the network's.
import { parseArgs } from 'node:util';

import { Client, parseWebhook, outboundMessage, sent, signWebhook } from '../pkg/index.js';
import { ChannelRelay, MemoryStore, RedisStore, RelayKeys, encodeRecord } from '../pkg/relay.js';
import { startRedis } from '../tests/helpers.mjs';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const BASE = 'http://api.test/conversations/v2/api/v1';

async function api(url, init) {
  const path = new URL(url).pathname;
  if (path.endsWith('/search')) return Response.json([]);
  if (init.method === 'PATCH') {
    const id = path.slice(path.lastIndexOf('/') + 1);
    return Response.json({ id, content: { type: 'text', text: 'x' }, delivery_status: 'sent' });
  }
  return Response.json({ detail: 'not found' }, { status: 404 });
}

function webhook(i, run) {
  const body = JSON.stringify({
    id: `evt_${run}_${i}`, type: 'message.created', created_at: '2025-01-15T10:30:01Z',
    data: { object: {
      id: `msg_${run}_${i}`, session_id: `sess_${run}_${i % 500}`, role: 'assistant',
      content: { type: 'text', text: 'Your order ships tomorrow.' },
      created_at: '2025-01-15T10:30:00Z', delivery_status: 'pending',
    } },
  });
  const ts = Math.floor(Date.now() / 1000);
  return [body, { 'webhook-id': `evt_${run}_${i}`, 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(SECRET, `evt_${run}_${i}`, ts, body) }];
}

const deliver = async () => 'wamid.x';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function benchStore(store, n, concurrency) {
  const client = new Client({ token: 'sk_test_x', baseUrl: BASE, fetch: api });
  const prefix = `bench${process.hrtime.bigint()}`;
  const keys = new RelayKeys(prefix);
  const relay = new ChannelRelay({ client, channelType: 'whatsapp', agentId: 'agent_abc', deliver, webhookSecret: SECRET, store, prefix });
  const run = String(process.hrtime.bigint());
  const contact = (uid) => encodeRecord('contact', { v: 1, channel_type: 'whatsapp', channel_user_id: uid });
  for (let s = 0; s < 500; s++) await store.put(keys.contact(`sess_${run}_${s}`), contact(String(s)), 600_000);
  // Node compiles hot code as it runs: 1000 webhooks first (scripts loaded,
  // connection open, JIT warm), then n measured.
  const warm = 1000;
  const hooks = Array.from({ length: warm + n }, (_, i) => webhook(i, run));

  async function handleAll(batch, want) {
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const [b, h] = batch[next++];
        const reply = await relay.handleWebhook(b, h);
        if (reply.outcome !== want) throw new Error(`${reply.outcome}, not ${want}`);
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    return batch.length / ((performance.now() - start) / 1000);
  }

  await handleAll(hooks.slice(0, warm), 'sent');
  await handleAll(hooks.slice(0, warm), 'duplicate');
  const fresh = await handleAll(hooks.slice(warm), 'sent');
  const dup = await handleAll(hooks.slice(warm), 'duplicate');

  // Added latency: one webhook at a time, relay vs by hand.
  const extra = Array.from({ length: 300 }, (_, i) => webhook(i, `${run}l`));
  for (let s = 0; s < 300; s++) await store.put(keys.contact(`sess_${run}l_${s % 500}`), contact('x'), 600_000);
  const relayT = [];
  const handT = [];
  for (const [b, h] of extra.slice(0, 150)) {
    const t = performance.now();
    await relay.handleWebhook(b, h);
    relayT.push(performance.now() - t);
  }
  for (const [b, h] of extra.slice(150)) {
    const t = performance.now();
    const message = outboundMessage(parseWebhook(b, { headers: h, secret: SECRET }));
    const pid = await deliver(message, { channel_type: 'whatsapp', channel_user_id: 'x', contact_name: null, session_id: message.session_id },
      { redelivery: false, idempotency_key: message.id });
    await client.sessions.messages.update(message.session_id, message.id, sent(pid));
    handT.push(performance.now() - t);
  }
  await relay.close();
  return { fresh, dup, relayUs: median(relayT) * 1000, handUs: median(handT) * 1000 };
}

const { values: a } = parseArgs({
  options: { messages: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '50' }, markdown: { type: 'boolean', default: false } },
});
const n = Number(a.messages);
const concurrency = Number(a.concurrency);
const redis = process.env.REDIS_URL ? null : await startRedis();
if (!process.env.REDIS_URL && !redis) throw new Error('redis-server is missing: apt-get install redis-server, or set REDIS_URL');
const url = process.env.REDIS_URL ?? redis.url;
const results = {};
try {
  results.MemoryStore = await benchStore(new MemoryStore(), n, concurrency);
  results.RedisStore = await benchStore(await RedisStore.fromUrl(url), n, concurrency);
} finally {
  await redis?.stop();
}
for (const [store, r] of Object.entries(results)) {
  const added = r.relayUs - r.handUs;
  if (a.markdown) {
    console.log(`| one Node process, ${store} | ${r.fresh.toFixed(0)} /s | ${r.dup.toFixed(0)} /s | `
      + `${r.relayUs.toFixed(0)} µs vs ${r.handUs.toFixed(0)} µs by hand: +${added.toFixed(0)} µs |`);
  } else {
    console.log(`${store.padEnd(12)} new messages ${r.fresh.toFixed(0).padStart(7)}/s  duplicates ${r.dup.toFixed(0).padStart(7)}/s  `
      + `per message ${r.relayUs.toFixed(0).padStart(6)} µs (by hand ${r.handUs.toFixed(0).padStart(5)} µs, relay adds ${added.toFixed(0).padStart(5)} µs)`);
  }
}
