// One Python worker (antonnia_sdk.relay, tests/relay_py_worker.py) and one
// Node worker (antonnia-sdk/relay) on one real Redis, both receiving every
// webhook of a sandbox that also duplicates them out of order: each
// assistant message is handed to `deliver` once between them, each contact
// has one session whichever worker took its messages, and every message is
// reported `sent`. Needs ANTONNIA_PYTHON (a Python with antonnia_sdk and
// redis-py; scripts/ci/test-wasm.sh builds it) and redis-server.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';

import { Client } from '../pkg/index.js';
import { ChannelRelay, RedisStore } from '../pkg/relay.js';
import { startSandbox, startRedis, freePort, WEBHOOK_SECRET } from './helpers.mjs';

const PYTHON = process.env.ANTONNIA_PYTHON;
const WORKER = fileURLToPath(new URL('./relay_py_worker.py', import.meta.url));
const CONTACTS = 12;
const MESSAGES = 3;

const stops = [];
after(async () => {
  for (const stop of stops.reverse()) await stop();
});

const missing = !PYTHON ? 'ANTONNIA_PYTHON is not set (scripts/ci/test-wasm.sh sets it)' : false;
if (missing && process.env.ANTONNIA_REQUIRE_PYTHON) throw new Error(missing);

test('a Python worker and a Node worker on one Redis deliver each message once between them', { skip: missing, timeout: 180_000 }, async () => {
  const redis = await startRedis();
  if (!redis) throw new Error('redis-server is missing');
  stops.push(redis.stop);
  const prefix = `x${randomUUID().slice(0, 8)}`;

  // The Node worker: a node:http endpoint; the relay gets its client once the sandbox is up.
  const nodeDelivered = [];
  let nodeRelay;
  const nodeServer = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const reply = await nodeRelay.handleWebhook(Buffer.concat(chunks), req.headers);
      res.writeHead(reply.status, reply.headers).end(reply.body);
    });
  });
  nodeServer.listen(0, '127.0.0.1');
  await once(nodeServer, 'listening');
  stops.push(async () => {
    nodeServer.closeAllConnections();
    nodeServer.close();
  });
  const pyPort = await freePort();

  const sandbox = await startSandbox('--time-scale', '0.01', '--webhook-secret', WEBHOOK_SECRET,
    '--duplicate-webhooks', '0.6', '--seed', '7',
    '--webhook-url', `http://127.0.0.1:${nodeServer.address().port}/webhooks`,
    '--webhook-url', `http://127.0.0.1:${pyPort}/webhooks`);
  stops.push(sandbox.stop);
  const client = new Client({ token: sandbox.token, baseUrl: sandbox.baseUrl });
  nodeRelay = new ChannelRelay({
    client, channelType: 'whatsapp', agentId: 'agent_abc', webhookSecret: WEBHOOK_SECRET, prefix,
    store: await RedisStore.fromUrl(redis.url),
    deliver: async (message, contact, attempt) => {
      nodeDelivered.push({ delivered: message.id, user: contact.channel_user_id, redelivery: attempt.redelivery });
      return `node.${message.id}`;
    },
  });
  stops.push(() => nodeRelay.close());

  // The Python worker.
  const py = spawn(PYTHON, [WORKER, String(pyPort), sandbox.baseUrl, sandbox.token, WEBHOOK_SECRET, redis.url, prefix],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  stops.push(async () => {
    if (py.exitCode === null && py.signalCode === null) {
      const exited = once(py, 'exit');
      py.kill('SIGTERM');
      await exited;
    }
  });
  const pyDelivered = [];
  const lines = createInterface({ input: py.stdout });
  const first = await Promise.race([
    once(lines, 'line').then(([l]) => l),
    once(py, 'exit').then(() => { throw new Error('the Python worker exited before listening'); }),
  ]);
  assert.match(first, /^listening on /);
  lines.on('line', (l) => pyDelivered.push(JSON.parse(l)));
  const pyReceive = async (p) => {
    const r = await fetch(`http://127.0.0.1:${pyPort}/receive`, { method: 'POST', body: JSON.stringify(p) });
    assert.equal(r.status, 200);
    return r.json();
  };

  // Every contact's messages, alternately through the Python and the Node worker, all at once.
  const users = Array.from({ length: CONTACTS }, (_, i) => `55${i}${randomUUID().slice(0, 6)}`);
  const received = await Promise.all(users.flatMap((u, i) => Array.from({ length: MESSAGES }, (_, n) => {
    const p = { channel_user_id: u, contact_name: `Contact ${i}`, text: `hello ${n}`, provider_message_id: `${u}.${n}` };
    return (i + n) % 2 === 0 ? pyReceive(p) : nodeRelay.receive(p);
  })));
  const sessionOf = new Map();
  for (const [k, r] of received.entries()) {
    const u = users[Math.floor(k / MESSAGES)];
    if (sessionOf.has(u)) assert.equal(r.session_id, sessionOf.get(u), `${u}: one session whichever worker took the message`);
    sessionOf.set(u, r.session_id);
  }

  // Wait until every assistant message is reported and nothing new comes.
  const assistantMessages = async () => (await Promise.all([...sessionOf.values()].map((sid) =>
    client.sessions.messages.search({ session_id: sid, role: 'assistant', limit: 100 })))).flat();
  let answers = [];
  let stable = 0;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const now = await assistantMessages();
    const settled = now.length >= CONTACTS && now.every((m) => m.delivery_status === 'sent');
    stable = settled && now.length === answers.length ? stable + 1 : 0;
    answers = now;
    if (stable >= 3) break;
    assert.ok(Date.now() < deadline, `not settled: ${now.filter((m) => m.delivery_status !== 'sent').length} of ${now.length} unsent`);
    await new Promise((r) => setTimeout(r, 300));
  }

  const all = [...pyDelivered, ...nodeDelivered];
  const counts = new Map();
  for (const d of all) counts.set(d.delivered, (counts.get(d.delivered) ?? 0) + 1);
  assert.deepEqual([...counts.keys()].sort(), answers.map((m) => m.id).sort(), 'every assistant message was delivered');
  assert.deepEqual([...counts.entries()].filter(([, n]) => n !== 1), [], 'each exactly once between the two workers');
  assert.ok(all.every((d) => d.redelivery === false));
  for (const m of answers) {
    const who = pyDelivered.some((d) => d.delivered === m.id) ? 'py' : 'node';
    assert.equal(m.provider_message_id, `${who}.${m.id}`, 'reported with the id the delivering worker got');
  }
  for (const u of users) {
    const sessions = await client.sessions.search({ metadata: { channel_type: 'whatsapp', channel_user_id: u } });
    assert.deepEqual(sessions.map((s) => s.id), [sessionOf.get(u)], `${u}: exactly one session`);
    const texts = (await client.sessions.messages.search({ session_id: sessionOf.get(u), role: 'user' })).map((m) => m.content.text);
    assert.deepEqual(texts.sort(), Array.from({ length: MESSAGES }, (_, n) => `hello ${n}`), `${u}: every user message once`);
  }
  console.log(`# ${answers.length} assistant messages: ${pyDelivered.length} delivered by Python, ${nodeDelivered.length} by Node`);
});
