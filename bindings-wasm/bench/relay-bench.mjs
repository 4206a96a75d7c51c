// Benchmarks of the channel relay (antonnia-sdk/relay), one worker and four:
// the same setups and measurements as bindings-python/bench/relay_bench.py.
//
//   bash bindings-wasm/scripts/build.sh && (cd bindings-wasm && npm ci)
//   node bindings-wasm/bench/relay-bench.mjs [--messages 2000] [--concurrency 50] [--markdown] [--only memory,redis,cluster]
//
// Setups: MemoryStore (one worker: it is one process's); RedisStore on one
// redis-server (started on a free loopback port, or $REDIS_URL); RedisStore
// on a Redis Cluster of 3 masters + 3 replicas (started on free loopback
// ports by the Python tests' helper, bindings-python/tests/servers.py, or
// $REDIS_CLUSTER_URL). On Redis, 1 worker and 4. A worker is a process of its
// own (this script, --worker) with its own ChannelRelay, all sharing the
// store; the parent holds them at a barrier before each phase and adds up
// what they report. Every server and worker it started is stopped at the
// end, on failure and on Ctrl-C.
//
// Figures, per setup:
// 1. webhooks handled per second, in total (messages / the time from the
//    first worker's start to the last one's end) and per worker: new
//    assistant messages (verify the signature, claim, read the session's
//    pending messages for order, deliver, report `sent`, settle), split
//    between the workers (--messages in all, --concurrency in flight in
//    each); then duplicates, each worker handling those of messages another
//    worker delivered;
// 2. the latency the relay adds per delivered message: one webhook at a time
//    in each worker (at once in every worker), handleWebhook against doing it
//    by hand (parseWebhook + deliver + messages.update); medians;
// 3. Redis round trips per new message and per duplicate, counted (not
//    estimated) in each worker during the phase: the relay's calls of its
//    store, each one awaited round trip (the claim sends its ZADD in the same
//    tick as its EVALSHA; on a cluster they may go to two nodes at once); and
//    the commands the store hands node-redis (sendCommand).
// The API is an injected fetch answering at once and `deliver` returns at
// once, so the figures are the relay's own cost, not the network's.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { Client, parseWebhook, outboundMessage, sent, signWebhook } from '../pkg/index.js';
import { ChannelRelay, MemoryStore, RedisStore, RelayKeys, encodeRecord } from '../pkg/relay.js';
import { startRedis, startRedisCluster } from '../tests/helpers.mjs';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const BASE = 'http://api.test/conversations/v2/api/v1';
const SESSIONS = 500;
// Node compiles hot code as it runs: 1000 webhooks first in each worker
// (scripts loaded, connection open, JIT warm), then the measured ones.
const WARM = 1000;
const STORE_METHODS = ['acquire', 'release', 'getMany', 'put', 'forget', 'claim', 'indexDue', 'indexPut', 'indexDrop', 'extend', 'finish'];

// ---------------------------------------------------------------- worker side

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
      id: `msg_${run}_${i}`, session_id: `sess_${run}_${i % SESSIONS}`, role: 'assistant',
      content: { type: 'text', text: 'Your order ships tomorrow.' },
      created_at: '2025-01-15T10:30:00Z', delivery_status: 'pending',
    } },
  });
  const ts = Math.floor(Date.now() / 1000);
  return [body, { 'webhook-id': `evt_${run}_${i}`, 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(SECRET, `evt_${run}_${i}`, ts, body) }];
}

const deliver = async () => 'wamid.x';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (from, to, step = 1) => Array.from({ length: Math.max(0, Math.ceil((to - from) / step)) }, (_, k) => from + k * step);
const counts = { calls: 0, commands: 0 };

// The store the relay is given: counts its calls (not the store's calls of
// its own methods) and, on Redis, the commands it sends.
async function openStore(kind, url) {
  const store = kind === 'memory' ? new MemoryStore()
    : kind === 'cluster' ? await RedisStore.fromClusterUrl(url) : await RedisStore.fromUrl(url);
  if (kind !== 'memory') {
    const { client } = store;
    const send = client.sendCommand.bind(client);
    client.sendCommand = (...args) => { counts.commands += 1; return send(...args); };
  }
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (!STORE_METHODS.includes(prop)) return typeof value === 'function' ? value.bind(target) : value;
      return (...args) => { counts.calls += 1; return value.apply(target, args); };
    },
  });
}

async function handleAll(relay, batch, want, concurrency) {
  const other = {};
  let next = 0;
  const worker = async () => {
    while (next < batch.length) {
      const [b, h] = batch[next++];
      const reply = await relay.handleWebhook(b, h);
      if (reply.outcome !== want) other[reply.outcome] = (other[reply.outcome] ?? 0) + 1;
    }
  };
  const before = { ...counts };
  const start = performance.timeOrigin + performance.now(); // one clock for every worker
  await Promise.all(Array.from({ length: concurrency }, worker));
  const end = performance.timeOrigin + performance.now();
  return { n: batch.length, start, end, other, calls: counts.calls - before.calls, commands: counts.commands - before.commands };
}

// One webhook at a time: medians of the relay's and of the Quick Start's by hand.
async function addedLatency(relay, client, store, keys, run) {
  const extra = range(0, 300).map((i) => webhook(i, run));
  for (let s = 0; s < 300; s++) await store.put(keys.contact(`sess_${run}_${s}`), contactRecord('x'), 600_000);
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
  return { relayUs: median(relayT) * 1000, handUs: median(handT) * 1000 };
}

const contactRecord = (uid) => encodeRecord('contact', { v: 1, channel_type: 'whatsapp', channel_user_id: uid });
const say = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

// One worker: its relay on the shared store; new messages i with
// i % workers == index, then the duplicates of the next worker's. Answers one
// JSON line per phase, each after a line from the parent on stdin.
async function workerMain(a) {
  const [index, workers, n, concurrency] = [a.index, a.workers, a.messages, a.concurrency].map(Number);
  const stdin = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const store = await openStore(a.store, a.url);
  const client = new Client({ token: 'sk_test_x', baseUrl: BASE, fetch: api });
  const keys = new RelayKeys(a.prefix);
  const relay = new ChannelRelay({ client, channelType: 'whatsapp', agentId: 'agent_abc', deliver, webhookSecret: SECRET, store, prefix: a.prefix });
  try {
    for (let s = 0; s < SESSIONS; s++) await store.put(keys.contact(`sess_${a.run}_${s}`), contactRecord(String(s)), 600_000);
    const mine = range(index, n, workers).map((i) => webhook(i, a.run));
    const theirs = range((index + 1) % workers, n, workers).map((i) => webhook(i, a.run));
    const warm = range(n + index * WARM, n + (index + 1) * WARM).map((i) => webhook(i, a.run));
    await handleAll(relay, warm, 'sent', concurrency);
    await handleAll(relay, warm, 'duplicate', concurrency);
    for (const [step, batch, want] of [['new', mine, 'sent'], ['dup', theirs, 'duplicate']]) {
      say({ ready: step });
      await stdin.next();
      say({ [step]: await handleAll(relay, batch, want, concurrency) });
    }
    say({ ready: 'latency' });
    await stdin.next();
    say({ latency: await addedLatency(relay, client, store, keys, `${a.run}l${index}`) });
  } finally {
    await relay.close();
    process.stdin.destroy();
  }
}

// ---------------------------------------------------------------- parent side

function phase(reports) {
  const n = reports.reduce((s, r) => s + r.n, 0);
  const other = {};
  for (const r of reports) for (const [k, v] of Object.entries(r.other)) other[k] = (other[k] ?? 0) + v;
  return {
    rate: n / ((Math.max(...reports.map((r) => r.end)) - Math.min(...reports.map((r) => r.start))) / 1000),
    perWorker: reports.reduce((s, r) => s + r.n / ((r.end - r.start) / 1000), 0) / reports.length,
    calls: reports.reduce((s, r) => s + r.calls, 0) / n,
    commands: reports.reduce((s, r) => s + r.commands, 0) / n,
    other,
  };
}

// Starts setup.workers workers, takes them through the phases in step, and
// stops them (also on failure).
async function runSetup(setup, a) {
  const run = String(process.hrtime.bigint());
  const common = ['--store', setup.kind, '--url', setup.url, '--prefix', `bench${run}`, '--run', run,
    '--workers', String(setup.workers), '--messages', a.messages, '--concurrency', a.concurrency];
  const workers = [];
  try {
    for (let i = 0; i < setup.workers; i++) {
      const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), '--worker', '--index', String(i), ...common],
        { stdio: ['pipe', 'pipe', 'inherit'] });
      workers.push({ proc, lines: createInterface({ input: proc.stdout })[Symbol.asyncIterator]() });
    }
    const read = async (w) => {
      const { value, done } = await w.lines.next();
      if (done) throw new Error(`${setup.name}: a worker ended early`);
      return JSON.parse(value);
    };
    const out = {};
    for (const step of ['new', 'dup', 'latency']) {
      for (const w of workers) {
        const said = await read(w);
        if (said.ready !== step) throw new Error(`${setup.name}: a worker said ${JSON.stringify(said)}, not ready for ${step}`);
      }
      for (const w of workers) w.proc.stdin.write('go\n'); // every worker starts the phase at once
      out[step] = await Promise.all(workers.map(async (w) => (await read(w))[step]));
    }
    for (const { proc } of workers) {
      if (proc.exitCode === null && proc.signalCode === null) await once(proc, 'exit');
      if (proc.exitCode !== 0) throw new Error(`${setup.name}: a worker exited with ${proc.exitCode ?? proc.signalCode}`);
    }
    return {
      fresh: phase(out.new), dup: phase(out.dup),
      relayUs: median(out.latency.map((r) => r.relayUs)), handUs: median(out.latency.map((r) => r.handUs)),
    };
  } finally {
    for (const { proc } of workers) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
  }
}

// The setups to run, starting (and registering the stop of) the servers that
// no environment variable names.
async function servers(stops, only) {
  const want = (kind) => !only || only.includes(kind);
  const setups = [{ name: 'MemoryStore', kind: 'memory', url: '', workers: 1 }];
  let url = process.env.REDIS_URL;
  if (!url && want('redis')) {
    const redis = await startRedis();
    if (!redis) throw new Error('redis-server is missing: apt-get install redis-server, or set REDIS_URL');
    stops.push(redis.stop);
    url = redis.url;
  }
  for (const workers of [1, 4]) setups.push({ name: 'RedisStore, one redis-server', kind: 'redis', url, workers });
  let clusterUrl = process.env.REDIS_CLUSTER_URL;
  if (!clusterUrl && want('cluster')) {
    const cluster = await startRedisCluster();
    if (!cluster) throw new Error('redis-server or redis-cli is missing: apt-get install redis-server, or set REDIS_CLUSTER_URL');
    stops.push(cluster.stop);
    clusterUrl = cluster.url;
  }
  for (const workers of [1, 4]) setups.push({ name: 'RedisStore, Redis Cluster (3 masters + 3 replicas)', kind: 'cluster', url: clusterUrl, workers });
  return setups.filter((s) => want(s.kind));
}

function report(s, r, markdown) {
  const { fresh, dup } = r;
  const added = r.relayUs - r.handUs;
  const trips = [fresh, dup].map((x) => (s.kind === 'memory' ? x.calls.toFixed(2) : `${x.calls.toFixed(2)} (${x.commands.toFixed(2)} commands)`)).join(' / ');
  const other = [['new', fresh.other], ['dup', dup.other]].filter(([, o]) => Object.keys(o).length)
    .map(([p, o]) => `; not as wanted in ${p}: ${JSON.stringify(o)}`).join('');
  if (markdown) {
    return `| ${s.name} | ${s.workers} | ${fresh.rate.toFixed(0)} /s (${fresh.perWorker.toFixed(0)} /s each) | `
      + `${dup.rate.toFixed(0)} /s (${dup.perWorker.toFixed(0)} /s each) | `
      + `${r.relayUs.toFixed(0)} µs vs ${r.handUs.toFixed(0)} µs by hand: +${added.toFixed(0)} µs | ${trips}${other} |`;
  }
  return `${s.name}, ${s.workers} worker(s): new messages ${fresh.rate.toFixed(0)}/s (${fresh.perWorker.toFixed(0)}/s each), `
    + `duplicates ${dup.rate.toFixed(0)}/s (${dup.perWorker.toFixed(0)}/s each), per message ${r.relayUs.toFixed(0)} µs `
    + `(by hand ${r.handUs.toFixed(0)} µs, relay adds ${added.toFixed(0)} µs), round trips per new / duplicate ${trips}${other}`;
}

const { values: a } = parseArgs({
  options: {
    messages: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '50' },
    markdown: { type: 'boolean', default: false }, only: { type: 'string' },
    worker: { type: 'boolean', default: false }, index: { type: 'string', default: '0' }, workers: { type: 'string', default: '1' },
    store: { type: 'string', default: '' }, url: { type: 'string', default: '' }, prefix: { type: 'string', default: '' }, run: { type: 'string', default: '' },
  },
});
if (a.worker) {
  await workerMain(a);
} else {
  const stops = [];
  const stopAll = async () => { while (stops.length) await stops.pop()(); };
  // Ctrl-C reaches the workers too (one process group); the servers are ours to stop.
  process.once('SIGINT', () => { stopAll().finally(() => process.exit(130)); });
  try {
    for (const s of await servers(stops, a.only?.split(','))) console.log(report(s, await runSetup(s, a), a.markdown));
  } finally {
    await stopAll();
  }
}
