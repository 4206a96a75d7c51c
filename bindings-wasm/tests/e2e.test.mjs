// End to end against antonnia-sandbox (and loopback servers that misbehave
// on purpose): the package as users call it, over Node's global fetch.
import { test, before, after } from 'node:test';
import { gzipSync } from 'node:zlib';
import assert from 'node:assert/strict';

import {
  Client, parseWebhook, outboundMessage, sent, isKnownEvent,
  AntonniaError, APIError, AuthenticationError, NotFoundError, ValidationError, RateLimitError,
  InvalidRequestError, TransportError, TimeoutError, PayloadTooLargeError, WebhookVerificationError,
} from '../pkg/index.js';
import { startSandbox, startWebhookSink, startServer, WEBHOOK_SECRET, uid, rejects } from './helpers.mjs';

let sandbox;
before(async () => {
  sandbox = await startSandbox('--time-scale', '0.01');
});
after(async () => {
  await sandbox?.stop();
});

const clientOf = (sb, extra = {}) => new Client({ token: sb.token, baseUrl: sb.baseUrl, ...extra });

async function collect(iter) {
  const out = [];
  for await (const x of iter) out.push(x);
  return out;
}

test('the Quick Start, with a signed webhook received by a node:http endpoint', async () => {
  const sink = await startWebhookSink();
  const sb = await startSandbox('--time-scale', '0.01', '--webhook-url', sink.url, '--webhook-secret', WEBHOOK_SECRET);
  try {
    const client = clientOf(sb);
    const session = await client.sessions.create({
      contact_id: 'user_123',
      contact_name: 'Jane Doe',
      agent_id: 'agent_abc',
      metadata: { channel_type: 'my_channel', channel_user_id: 'ext_user_456' },
    });
    assert.deepEqual(session.metadata, { channel_type: 'my_channel', channel_user_id: 'ext_user_456' });
    assert.equal(session.agent.id, 'agent_abc');
    const message = await client.sessions.messages.create(session.id, {
      content: { type: 'text', text: 'Hello, I need help with my order' },
      role: 'user',
      provider_message_id: 'ext_msg_001',
    });
    assert.equal(message.content.text, 'Hello, I need help with my order');
    await client.sessions.reply(session.id, { debounce_time: 3 });

    const { headers, body } = await sink.next((doc) => doc.type === 'message.created' && doc.data?.object?.role === 'assistant');
    const event = parseWebhook(body, { headers, secret: WEBHOOK_SECRET });
    assert.ok(isKnownEvent(event) && event.type === 'message.created');
    assert.equal(event.data.object.session_id, session.id);
    const outbound = outboundMessage(event);
    assert.ok(outbound && outbound.delivery_status === 'pending');
    const updated = await client.sessions.messages.update(session.id, outbound.id, sent('ext_msg_002'));
    assert.equal(updated.delivery_status, 'sent');
    assert.equal(updated.provider_message_id, 'ext_msg_002');
    assert.equal((await client.sessions.messages.get(session.id, outbound.id)).delivery_status, 'sent');
    // The same delivery with Headers, and as a string.
    assert.deepEqual(parseWebhook(body.toString('utf8'), { headers: new Headers(headers), secret: WEBHOOK_SECRET }), event);
    // A tampered body does not verify; a missing secret is an error, not a skip.
    const tampered = Buffer.concat([body, Buffer.from(' ')]);
    const e = await rejects((async () => parseWebhook(tampered, { headers, secret: WEBHOOK_SECRET }))(), WebhookVerificationError);
    assert.equal(e.reason, 'no_matching_signature');
    const m = await rejects((async () => parseWebhook(body, { headers, secret: undefined }))(), WebhookVerificationError);
    assert.equal(m.reason, 'missing_secret');

    // session.* events arrive signed and typed too.
    const created = await sink.next((doc) => doc.type === 'session.created' && doc.data?.object?.id === session.id);
    const ev = parseWebhook(created.body, { headers: created.headers, secret: WEBHOOK_SECRET });
    assert.ok(isKnownEvent(ev) && ev.type === 'session.created');
    assert.equal(ev.data.object.contact_id, 'user_123');
  } finally {
    await sb.stop();
    await sink.stop();
  }
});

test('every call', async () => {
  const client = clientOf(sandbox);
  const contact = `c_${uid()}`;
  const s = await client.sessions.create({ contact_id: contact, contact_name: 'Ana', metadata: { k: 'v' } });
  assert.deepEqual(await client.sessions.get(s.id), s);
  const s2 = await client.sessions.update(s.id, { metadata: { k: 'w' }, thread_id: 't1' });
  assert.deepEqual(s2.metadata, { k: 'w' });
  assert.equal(s2.thread_id, 't1');
  const s3 = await client.sessions.transfer(s.id, { agent_id: 'agent_abc', auto_reply: false });
  assert.equal(s3.agent.id, 'agent_abc');
  await client.sessions.reply(s.id, { debounce_time: 0 });
  const s4 = await client.sessions.transfer(s.id, { agent_id: null });
  assert.equal(s4.agent, undefined);
  assert.deepEqual((await client.sessions.search({ contact_id: contact })).map((x) => x.id), [s.id]);
  assert.deepEqual((await client.sessions.search({ metadata: { k: 'w' }, contact_id: contact })).map((x) => x.id), [s.id]);
  const when = new Date(Date.now() + 3600_000);
  const sched = await client.sessions.schedule(s.id, { scheduled_for: when, config: { type: 'message', message: { type: 'text', text: 'ping' } } });
  assert.equal(sched.session_id, s.id);
  assert.ok(Math.abs(new Date(sched.scheduled_for) - when) < 1000);
  const pid = `p_${uid()}`;
  const m = await client.sessions.messages.create(s.id, { content: { type: 'text', text: 'hi' }, provider_message_id: pid });
  assert.equal(m.role, 'user');
  assert.deepEqual(await client.sessions.messages.get(s.id, m.id), m);
  assert.ok((await client.sessions.messages.search({ session_id: s.id })).some((x) => x.id === m.id));
  assert.deepEqual((await client.sessions.messages.search({ provider_message_id: pid })).map((x) => x.id), [m.id]);
  const a = await client.agents.create({ name: 'Bot', type: 'ai', assistant_id: 'asst_1' });
  assert.equal(a.type, 'ai');
  assert.equal(a.assistant_id, 'asst_1');
  const h = await client.agents.create({ name: 'Ana', type: 'human', profile_id: 'prof_1' });
  assert.equal(h.profile_id, 'prof_1');
  assert.equal((await client.agents.get(a.id)).name, 'Bot');
  assert.equal((await client.agents.update(a.id, { name: 'Bot 2' })).name, 'Bot 2');
  assert.ok((await client.agents.search({ type: 'human' })).some((x) => x.id === h.id));
  assert.equal(await client.agents.delete(h.id), null);
  await rejects(client.agents.get(h.id), NotFoundError);
  const f = await client.sessions.finish(s.id, { ending_survey_id: 'survey_1' });
  assert.equal(f.status, 'closed');
  if (f.ending_survey_submission_id) {
    const sub = await client.sessions.surveySubmissions.get(s.id, f.ending_survey_submission_id);
    assert.equal(sub.session_id, s.id);
    await client.sessions.surveySubmissions.reply(s.id, sub.id);
    assert.equal((await client.sessions.surveySubmissions.cancel(s.id, sub.id)).status, 'cancelled');
  } else {
    await rejects(client.sessions.surveySubmissions.get(s.id, 'subm_missing'), NotFoundError);
  }
});

test('errors by status, and the token never in an error', async () => {
  const bad = clientOf(sandbox, { token: 'sk_wrong_token' });
  const client = clientOf(sandbox);
  const auth = await rejects(bad.sessions.get('sess_x'), AuthenticationError);
  assert.equal(auth.status, 401);
  assert.equal(auth.name, 'AuthenticationError');
  assert.ok(auth instanceof APIError && auth instanceof AntonniaError && auth instanceof Error);
  assert.ok(!JSON.stringify({ ...auth, message: auth.message, stack: auth.stack }).includes('sk_wrong_token'));
  const nf = await rejects(client.sessions.get('sess_does_not_exist'), NotFoundError);
  assert.equal(nf.status, 404);
  assert.equal(typeof nf.body, 'string');
  const inv = await rejects(client.sessions.reply('sess_x', { debounce_time: 61 }), InvalidRequestError);
  assert.equal(inv.field, 'debounce_time');
  const s = await client.sessions.create({ contact_id: `c_${uid()}`, contact_name: 'Ana' });
  await client.sessions.finish(s.id);
  const val = await rejects(client.sessions.reply(s.id, { debounce_time: 1 }), ValidationError);
  assert.equal(val.status, 422);
});

test('injected 429 / 503: the core decides what is retried', async () => {
  const s = await clientOf(sandbox).sessions.create({ contact_id: `c_${uid()}`, contact_name: 'Ana' });
  const failing = (spec, extra = {}) => clientOf(sandbox, { headers: { 'x-sandbox-fail': `${spec};id=${uid()}` }, ...extra });
  assert.equal((await failing('503;times=2').sessions.get(s.id)).id, s.id);
  const e503 = await rejects(failing('503;times=1', { maxRetries: 0 }).sessions.get(s.id), APIError);
  assert.equal(e503.status, 503);
  // A create is never repeated after a 503 (the server may have acted)...
  await rejects(failing('503;times=1').sessions.messages.create(s.id, { content: { type: 'text', text: 'x' } }), APIError);
  // ...but is after a 429, honouring Retry-After.
  const started = performance.now();
  const m = await failing('429;times=1;retry-after=1').sessions.messages.create(s.id, { content: { type: 'text', text: 'x' } });
  assert.ok(m.id && performance.now() - started >= 900);
  const rl = await rejects(failing('429;times=5;retry-after=0', { maxRetries: 1 }).sessions.get(s.id), RateLimitError);
  assert.equal(rl.retryAfter, 0);
  // Per-call options override the client's.
  const once = failing('503;times=1');
  await rejects(once.sessions.get(s.id, { maxRetries: 0 }), APIError);
  const hdr = `503;times=1;id=${uid()}`;
  assert.equal((await clientOf(sandbox).sessions.get(s.id, { headers: { 'x-sandbox-fail': hdr } })).id, s.id);
});

test('pagination', async () => {
  const client = clientOf(sandbox);
  const contact = `c_${uid()}`;
  const ids = [];
  for (let i = 0; i < 5; i++) ids.push((await client.sessions.create({ contact_id: contact, contact_name: `n${i}` })).id);
  assert.equal((await client.sessions.search({ contact_id: contact, limit: 2 })).length, 2);
  const all = await collect(client.sessions.iterSearch({ contact_id: contact, limit: 2 }));
  assert.deepEqual(all.map((x) => x.id).sort(), [...ids].sort());
  assert.deepEqual(await collect(client.sessions.messages.iterSearch({ session_id: ids[0], limit: 2 })), []);
});

test('200 concurrent calls on one client', async () => {
  const client = clientOf(sandbox);
  const s = await client.sessions.create({ contact_id: `c_${uid()}`, contact_name: 'Ana' });
  const created = await Promise.all(Array.from({ length: 200 }, (_, i) =>
    client.sessions.messages.create(s.id, { content: { type: 'text', text: `m${i}` } })));
  const got = await Promise.all(created.map((m) => client.sessions.messages.get(s.id, m.id)));
  assert.deepEqual(got.map((m) => m.id), created.map((m) => m.id));
  assert.equal(new Set(got.map((m) => m.id)).size, 200);
  assert.equal((await collect(client.sessions.messages.iterSearch({ session_id: s.id, limit: 30 }))).length, 200);
});

test('abort: before the call, during a retry wait, during the request', async () => {
  const client = clientOf(sandbox);
  const s = await client.sessions.create({ contact_id: `c_${uid()}`, contact_name: 'Ana' });
  const pre = new AbortController();
  pre.abort();
  const e1 = await rejects(client.sessions.get(s.id, { signal: pre.signal }), DOMException);
  assert.equal(e1.name, 'AbortError');
  // A 429 asking for 30 s: the abort ends the wait at once.
  const waiting = clientOf(sandbox, { headers: { 'x-sandbox-fail': `429;times=1;retry-after=30;id=${uid()}` } });
  const ctrl = new AbortController();
  const started = performance.now();
  setTimeout(() => ctrl.abort(), 100);
  const e2 = await rejects(waiting.sessions.get(s.id, { signal: ctrl.signal }), DOMException);
  assert.equal(e2.name, 'AbortError');
  assert.ok(performance.now() - started < 5000);
  // A server that never answers.
  const silent = await startServer(() => {});
  try {
    const c = new Client({ token: 't', baseUrl: silent.url });
    const ctrl2 = new AbortController();
    setTimeout(() => ctrl2.abort(new Error('user gave up')), 100);
    const e3 = await rejects(c.sessions.get('s', { signal: ctrl2.signal }), Error);
    assert.equal(e3.message, 'user gave up');
  } finally {
    await silent.stop();
  }
});

test('timeouts, transport failures and the body size cap', async () => {
  const silent = await startServer(() => {});
  const drip = await startServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"id":');
    // ...and never the rest.
  });
  const huge = await startServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"id":"s","x":"${'a'.repeat(2 * 1024 * 1024)}"}`);
  });
  // A small declared length that inflates past the cap: fetch decompresses,
  // so the cap must count what comes out, not what was declared.
  const bomb = await startServer((req, res) => {
    const packed = gzipSync(`{"id":"s","x":"${'a'.repeat(2 * 1024 * 1024)}"}`);
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': packed.length });
    res.end(packed);
  });
  try {
    const t0 = performance.now();
    const e = await rejects(new Client({ token: 't', baseUrl: silent.url, timeoutMs: 200, maxRetries: 0 }).sessions.get('s'), TimeoutError);
    assert.equal(e.kind, 'timeout');
    assert.ok(e instanceof TransportError);
    assert.ok(performance.now() - t0 < 5000);
    await rejects(new Client({ token: 't', baseUrl: drip.url, timeoutMs: 300, maxRetries: 0 }).sessions.get('s'), TimeoutError);
    // totalTimeoutMs bounds the retries too.
    const t1 = performance.now();
    await rejects(new Client({ token: 't', baseUrl: silent.url, timeoutMs: 200, totalTimeoutMs: 500, maxRetries: 10 }).sessions.get('s'), TimeoutError);
    assert.ok(performance.now() - t1 < 5000);
    const big = await rejects(new Client({ token: 't', baseUrl: huge.url, maxResponseBytes: 1024 * 1024 }).sessions.get('s'), PayloadTooLargeError);
    assert.equal(big.kind, 'payload_too_large');
    assert.equal((await new Client({ token: 't', baseUrl: huge.url }).sessions.get('s')).id, 's');
    await rejects(new Client({ token: 't', baseUrl: bomb.url, maxResponseBytes: 1024 * 1024 }).sessions.get('s'), PayloadTooLargeError);
    assert.equal((await new Client({ token: 't', baseUrl: bomb.url }).sessions.get('s')).id, 's');
  } finally {
    await Promise.all([silent.stop(), drip.stop(), huge.stop(), bomb.stop()]);
  }
  // Nothing listens there: a connection refused is a TransportError.
  const closed = await startServer(() => {});
  const url = closed.url;
  await closed.stop();
  const t = await rejects(new Client({ token: 't', baseUrl: url, maxRetries: 0 }).sessions.get('s'), TransportError);
  assert.equal(t.kind, 'transport');
  assert.ok(!(t instanceof TimeoutError));
});

test('a proxy: no token, custom headers, no Authorization sent', async () => {
  const seen = [];
  const proxy = await startServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"sess_1"}');
  });
  try {
    const c = new Client({ token: null, baseUrl: proxy.url, headers: { 'x-app': 'chat' } });
    assert.equal((await c.sessions.get('sess_1', { headers: { 'x-call': '1' } })).id, 'sess_1');
    assert.equal(seen[0].authorization, undefined);
    assert.equal(seen[0]['x-app'], 'chat');
    assert.equal(seen[0]['x-call'], '1');
    assert.match(seen[0]['user-agent'], /^antonnia-sdk\/[\d.]+ \(js\)/);
  } finally {
    await proxy.stop();
  }
});

test('the message stream yields the new user message, then the agent\'s answer', async () => {
  const client = clientOf(sandbox);
  const session = await client.sessions.create({ contact_id: `c_${uid()}`, contact_name: 'Ana', agent_id: 'agent_abc' });
  await client.sessions.messages.create(session.id, { content: { type: 'text', text: 'before' } });
  const ctrl = new AbortController();
  const seen = [];
  const consumer = (async () => {
    for await (const m of client.sessions.messages.stream(session.id, { pollIntervalMs: 50, maxPollIntervalMs: 200, signal: ctrl.signal })) {
      seen.push(m);
      if (m.role === 'assistant') return;
    }
  })();
  await new Promise((r) => setTimeout(r, 1000));
  await client.sessions.messages.create(session.id, { content: { type: 'text', text: 'where is my order?' } });
  await client.sessions.reply(session.id, { debounce_time: 1 });
  const timer = setTimeout(() => ctrl.abort(), 20_000);
  try {
    await consumer;
  } finally {
    clearTimeout(timer);
  }
  const texts = seen.filter((m) => m.content.type === 'text').map((m) => m.content.text);
  assert.equal(texts[0], 'where is my order?');
  assert.ok(!texts.includes('before'));
  assert.equal(seen.at(-1).role, 'assistant');
  assert.equal(new Set(seen.map((m) => m.id)).size, seen.length);
  // An aborted stream rejects with the AbortError.
  const stop = new AbortController();
  const it = client.sessions.messages.stream(session.id, { pollIntervalMs: 50, signal: stop.signal });
  setTimeout(() => stop.abort(), 200);
  const e = await rejects(it.next(), DOMException);
  assert.equal(e.name, 'AbortError');
});
