// The client's options, request ids, raw responses, debug logging and
// deadlines (issue 17, items 8, 10 and 11 and the JS lows): against
// antonnia-sandbox and loopback servers over real HTTP, and a fake fetch
// where a browser's answer is needed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

import * as sdk from '../pkg/index.js';
import { Client, InvalidRequestError, NotFoundError, APIError, TimeoutError, TransportError, WebhookVerificationError } from '../pkg/index.js';
import { initSync } from '../pkg/antonnia_wasm.js';
import { startSandbox, startServer, uid, rejects } from './helpers.mjs';

let sandbox;
before(async () => {
  sandbox = await startSandbox('--time-scale', '0.01');
});
after(async () => {
  await sandbox?.stop();
});

const clientOf = (extra = {}) => new Client({ token: sandbox.token, baseUrl: sandbox.baseUrl, ...extra });
const REQUEST_ID = /^req_[0-9a-f]{32}$/;

// A fetch that must not be called: the options are refused before sending.
const noFetch = async () => {
  throw new Error('nothing should be sent');
};

// ------------------------------------------------------------ item 8

test('a misspelled client option is refused with the nearest valid name', () => {
  const cases = [
    [{ apiKey: 'sk_test_x' }, 'apiKey', 'token'],
    [{ token: 't', baseURL: 'https://api.test/v1' }, 'baseURL', 'baseUrl'],
    [{ token: 't', base_url: 'https://api.test/v1' }, 'base_url', 'baseUrl'],
    [{ token: 't', timeout: 5000 }, 'timeout', 'timeoutMs'],
    [{ token: 't', maxRetry: 1 }, 'maxRetry', 'maxRetries'],
  ];
  for (const [options, field, hint] of cases) {
    assert.throws(() => new Client({ fetch: noFetch, ...options }), (e) => {
      assert.ok(e instanceof InvalidRequestError, e.message);
      assert.equal(e.field, field);
      assert.ok(e.message.includes(`did you mean \`${hint}\`?`), e.message);
      return true;
    });
  }
});

test('a missing token is an error; token: null is the explicit choice of no token (a proxy)', async () => {
  const unset = process.env.ANTONNIA_TOKEN_THAT_IS_NOT_SET;
  for (const options of [{}, { token: unset }, { token: unset, baseUrl: 'https://proxy.example/api' }]) {
    assert.throws(() => new Client(options), (e) => {
      assert.ok(e instanceof InvalidRequestError);
      assert.equal(e.field, 'token');
      assert.match(e.message, /token: null/);
      return true;
    });
  }
  assert.throws(() => new Client(), (e) => e instanceof InvalidRequestError && e.field === 'token');
  // token: null against the sandbox sends no Authorization: the sandbox answers 401.
  const anonymous = new Client({ token: null, baseUrl: sandbox.baseUrl, maxRetries: 0 });
  const e = await rejects(anonymous.sessions.get('sess_x'), sdk.AuthenticationError);
  assert.equal(e.status, 401);
});

test('unknown per-call, stream and webhook options are refused, not ignored', async () => {
  const seen = [];
  const c = new Client({ token: 't', baseUrl: 'https://api.test/v1', fetch: async (url) => { seen.push(url); return new Response('{"id":"s"}'); } });
  let e = await rejects(c.sessions.get('s', { timeout: 5 }), InvalidRequestError);
  assert.equal(e.field, 'timeout');
  assert.ok(e.message.includes('did you mean `timeoutMs`?'), e.message);
  e = await rejects(c.sessions.messages.create('s', { content: { type: 'text', text: 'x' } }, { idempotencyKey: 'k' }), InvalidRequestError);
  assert.equal(e.field, 'idempotencyKey');
  assert.ok(e.message.includes('`signal`, `timeoutMs`, `maxRetries`, `headers`'), e.message);
  e = await rejects(c.sessions.messages.stream('s', { afterId: 'm' }).next(), InvalidRequestError);
  assert.ok(e.message.includes('did you mean `after`?'), e.message);
  assert.throws(() => sdk.parseWebhook('{}', { signingSecret: 'whsec_x' }),
    (x) => x instanceof InvalidRequestError && x.message.includes('did you mean `secret`?'));
  assert.deepEqual(seen, []);
  assert.equal((await c.sessions.get('s', { timeoutMs: 5000 })).id, 's');
});

// ------------------------------------------------------------ item 10

test('messages.stream({ after }) yields the answer that arrived before the first poll', async () => {
  const client = clientOf();
  const session = await client.sessions.create({ contact_id: `c_${uid()}`, contact_name: 'Ana', agent_id: 'agent_abc' });
  await client.sessions.messages.create(session.id, { content: { type: 'text', text: 'older' }, role: 'user' });
  const sent = await client.sessions.messages.create(session.id, { content: { type: 'text', text: 'where is my order?' }, role: 'user' });
  await client.sessions.reply(session.id, { debounce_time: 1 });
  // The answer is in the session before the stream starts (what a chat
  // window sees when the AI is faster than its first poll).
  const deadline = Date.now() + 20_000;
  while (!(await client.sessions.messages.search({ session_id: session.id, role: 'assistant' })).length) {
    assert.ok(Date.now() < deadline, 'the sandbox did not answer');
    await new Promise((r) => setTimeout(r, 50));
  }
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), 10_000);
  const seen = [];
  try {
    for await (const m of client.sessions.messages.stream(session.id, { after: sent.id, pollIntervalMs: 50, signal: ctrl.signal })) {
      seen.push(m);
      if (m.role === 'assistant') break;
    }
  } finally {
    clearTimeout(timer);
  }
  assert.equal(seen.at(-1).role, 'assistant');
  assert.ok(!seen.some((m) => m.id === sent.id || (m.content.type === 'text' && m.content.text === 'older')));
  // `after` must be a message id.
  await rejects(client.sessions.messages.stream(session.id, { after: 5 }).next(), InvalidRequestError);
});

// ------------------------------------------------------------ item 11

test('every call sends a fresh req_ id; errors carry it, or the server\'s own', async () => {
  const seen = [];
  let answer = (req, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"no"}');
  const server = await startServer((req, res) => {
    seen.push(req.headers['x-request-id']);
    answer(req, res);
  });
  try {
    const c = new Client({ token: 't', baseUrl: server.url, maxRetries: 1 });
    const a = await rejects(c.sessions.get('s1'), NotFoundError);
    const b = await rejects(c.sessions.get('s2'), NotFoundError);
    assert.match(a.requestId, REQUEST_ID);
    assert.deepEqual(seen, [a.requestId, b.requestId]);
    assert.notEqual(a.requestId, b.requestId);
    // A retry is the same request: the same id.
    seen.length = 0;
    answer = (req, res) => res.writeHead(503).end('busy');
    const r = await rejects(c.sessions.get('s3', { timeoutMs: 5000 }), APIError);
    assert.equal(seen.length, 2);
    assert.equal(seen[0], seen[1]);
    assert.equal(r.requestId, seen[0]);
    // The server's id wins; your own id per call is sent as is.
    answer = (req, res) => res.writeHead(500, { 'x-request-id': 'srv_77' }).end('{"detail":"boom"}');
    assert.equal((await rejects(c.sessions.get('s4', { maxRetries: 0 }), APIError)).requestId, 'srv_77');
    answer = (req, res) => res.writeHead(404).end('{}');
    seen.length = 0;
    const mine = await rejects(c.sessions.get('s5', { headers: { 'X-Request-Id': 'mine_1' } }), NotFoundError);
    assert.deepEqual(seen, ['mine_1']);
    assert.equal(mine.requestId, 'mine_1');
    // A timeout (no response) names the id that was sent.
    answer = () => {};
    seen.length = 0;
    const t = await rejects(c.sessions.get('s6', { timeoutMs: 100, maxRetries: 0 }), TimeoutError);
    assert.equal(t.requestId, seen[0]);
    assert.match(t.requestId, REQUEST_ID);
  } finally {
    await server.stop();
  }
  // Against the sandbox too.
  const e = await rejects(clientOf({ maxRetries: 0 }).sessions.get('sess_missing'), NotFoundError);
  assert.match(e.requestId, REQUEST_ID);
});

test('withRawResponse: the parsed result next to status, headers and request id', async () => {
  const client = clientOf();
  const session = await client.sessions.create({ contact_id: `c_${uid()}`, contact_name: 'Ana' });
  const raw = await client.withRawResponse.sessions.get(session.id);
  assert.deepEqual(raw.data, await client.sessions.get(session.id));
  assert.equal(raw.status, 200);
  assert.ok(raw.headers instanceof Headers);
  assert.match(raw.headers.get('content-type'), /json/);
  assert.match(raw.requestId, REQUEST_ID);
  const created = await client.withRawResponse.sessions.messages.create(session.id, { content: { type: 'text', text: 'hi' } });
  assert.equal(created.data.content.text, 'hi');
  assert.ok(created.status >= 200 && created.status < 300);
  const agents = await client.withRawResponse.agents.search({ limit: 1 });
  assert.ok(Array.isArray(agents.data));
  assert.equal(client.withRawResponse, client.withRawResponse);
  // Errors are the same typed errors.
  await rejects(client.withRawResponse.sessions.get('sess_missing'), NotFoundError);
});

test('debug logging: a logger, or ANTONNIA_LOG=debug on stderr; never the token or a body', async () => {
  const lines = [];
  const c = clientOf({ logLevel: 'debug', logger: (l) => lines.push(l), maxRetries: 0 });
  const s = await c.sessions.create({ contact_id: `c_${uid()}`, contact_name: 'Secret Name' });
  await rejects(c.sessions.get('sess_missing'), NotFoundError);
  assert.equal(lines.length, 4, lines.join('\n'));
  assert.match(lines[0], /sessions\.create POST .* attempt 1 \(request id req_[0-9a-f]{32}\)/);
  assert.match(lines[1], /sessions\.create HTTP 20\d after .* done/);
  assert.match(lines[3], /sessions\.get HTTP 404 .* failed: not_found/);
  for (const l of lines) {
    assert.ok(!l.includes(sandbox.token) && !l.includes('Secret Name'), l);
  }
  assert.ok(s.id);
  // Off by default, and with logLevel: 'off'.
  const quiet = [];
  await clientOf({ logger: (l) => quiet.push(l) }).sessions.get(s.id);
  await clientOf({ logLevel: 'off', logger: (l) => quiet.push(l) }).sessions.get(s.id);
  assert.deepEqual(quiet, []);
  assert.throws(() => clientOf({ logLevel: 'verbose' }), InvalidRequestError);

  const script = `import { Client } from ${JSON.stringify(new URL('../pkg/index.js', import.meta.url).href)};
const c = new Client({ token: process.env.T, baseUrl: process.env.B });
await c.sessions.get(process.env.S);`;
  const run = (env) => spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, T: sandbox.token, B: sandbox.baseUrl, S: s.id, ...env }, encoding: 'utf8', timeout: 30_000,
  });
  const on = run({ ANTONNIA_LOG: 'debug' });
  assert.equal(on.status, 0, on.stderr);
  assert.match(on.stderr, /antonnia: sessions\.get GET .* attempt 1/);
  assert.ok(!on.stderr.includes(sandbox.token));
  const off = run({ ANTONNIA_LOG: '' });
  assert.equal(off.status, 0, off.stderr);
  assert.equal(off.stderr, '');
});

test('a default total timeout of 120 s bounds every call; totalTimeoutMs: null removes it', async () => {
  assert.equal(sdk.DEFAULT_TOTAL_TIMEOUT_MS, 120_000);
  // The attempt's timer shows the limit the core gave it: with an attempt
  // timeout of a day, the whole call's 120 s is what bounds it.
  const delays = [];
  const real = globalThis.setTimeout;
  const fetch = async () => new Response('{"id":"s"}');
  const limitOf = async (options) => {
    delays.length = 0;
    globalThis.setTimeout = (fn, ms, ...rest) => {
      delays.push(ms);
      return real(fn, ms, ...rest);
    };
    try {
      await new Client({ token: 't', baseUrl: 'https://api.test/v1', fetch, timeoutMs: 86_400_000, ...options }).sessions.get('s');
    } finally {
      globalThis.setTimeout = real;
    }
    return delays[0];
  };
  const byDefault = await limitOf({});
  assert.ok(byDefault > 119_000 && byDefault <= 120_000, String(byDefault));
  assert.equal(await limitOf({ totalTimeoutMs: null }), 86_400_000);
  const given = await limitOf({ totalTimeoutMs: 5000 });
  assert.ok(given > 4900 && given <= 5000, String(given));
});

// ------------------------------------------------------------ the lows

test('the missing-secret error spells the JS option: verify: false', () => {
  assert.throws(() => sdk.parseWebhook('{}', { headers: {} }), (e) => {
    assert.ok(e instanceof WebhookVerificationError);
    assert.equal(e.reason, 'missing_secret');
    assert.ok(e.message.includes('verify: false') && !e.message.includes('verify=False'), e.message);
    return true;
  });
});

test('a redirect in a browser (an opaqueredirect Response, status 0) is named as a redirect', async () => {
  const browserRedirect = async () => ({ type: 'opaqueredirect', status: 0, headers: new Headers(), body: null, arrayBuffer: async () => new ArrayBuffer(0) });
  const c = new Client({ token: 't', baseUrl: 'https://api.test/v1', fetch: browserRedirect, maxRetries: 0 });
  const e = await rejects(c.sessions.get('s'), TransportError);
  assert.match(e.message, /redirect/);
  assert.ok(!e.message.includes('not a Response'), e.message);
});

test('values JSON cannot carry are refused naming their path: lone surrogates, Map, Set', async () => {
  const c = new Client({ token: 't', baseUrl: 'https://api.test/v1', fetch: noFetch, maxRetries: 0 });
  const cases = [
    [{ contact_id: 'c', contact_name: 'Ana \ud800' }, 'contact_name', /lone surrogate/],
    [{ contact_id: 'c', contact_name: 'Ana', metadata: { tags: ['ok', 'x\udc00'] } }, 'metadata.tags[1]', /lone surrogate/],
    [{ contact_id: 'c', contact_name: 'Ana', metadata: { prefs: new Map([['a', 1]]) } }, 'metadata.prefs', /Map/],
    [{ contact_id: 'c', contact_name: 'Ana', metadata: { seen: new Set([1]) } }, 'metadata.seen', /Set/],
  ];
  for (const [params, field, message] of cases) {
    const e = await rejects(c.sessions.create(params), InvalidRequestError);
    assert.equal(e.field, field, e.message);
    assert.match(e.message, message);
  }
  // A well-formed pair (an emoji) is text.
  const ok = new Client({ token: 't', baseUrl: 'https://api.test/v1', fetch: async (u, init) => new Response(JSON.stringify({ id: 's', ...JSON.parse(new TextDecoder().decode(init.body)) })), maxRetries: 0 });
  assert.equal((await ok.sessions.create({ contact_id: 'c', contact_name: 'Ana 😀' })).contact_id, 'c');
});

test('distinct per-call maxRetries values do not grow the wasm memory', async () => {
  const c = new Client({ token: 't', baseUrl: 'https://api.test/v1', fetch: async () => new Response('{"id":"s"}'), maxRetries: 0 });
  // The loaded instance's exports (initSync returns them once loaded).
  const memory = () => initSync({}).memory.buffer.byteLength;
  for (let i = 0; i < 2000; i++) await c.sessions.get('s', { maxRetries: i });
  const before = memory();
  for (let i = 2000; i < 30_000; i++) await c.sessions.get('s', { maxRetries: i });
  assert.equal(memory(), before);
});

test('deliverable() refuses content without what a channel sends, naming the field; an empty text is returned as is', () => {
  const cases = [
    [{ type: 'text' }, 'content.text'],
    [{ id: 'm', content: { type: 'text', text: null } }, 'message.content.text'],
    [{ type: 'image' }, 'content.url'],
    [{ type: 'file', url: 'https://x/y.pdf', name: 'y.pdf' }, 'content.mime_type'],
  ];
  for (const [message, field] of cases) {
    assert.throws(() => sdk.deliverable(message), (e) => {
      assert.ok(e instanceof InvalidRequestError, e.message);
      assert.equal(e.field, field, e.message);
      return true;
    });
  }
  assert.deepEqual(sdk.deliverable({ type: 'text', text: '' }).text, '');
  assert.equal(sdk.deliverable({ type: 'file', url: 'u', mime_type: 'application/pdf', name: 'y.pdf' }).filename, 'y.pdf');
});

test('only the signature headers cross: no other header can smuggle one in, and a line break in theirs is refused', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const body = '{"type":"message.created","data":{"object":{"id":"m1","session_id":"s1","role":"assistant","content":{"type":"text","text":"hi"}}}}';
  const ts = Math.floor(Date.now() / 1000);
  const signature = sdk.signWebhook(secret, 'msg_1', ts, body);
  const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': signature };
  const { 'webhook-signature': _, ...unsigned } = headers;
  const verifies = (h) => assert.equal(sdk.parseWebhook(body, { headers: h, secret }).data.object.id, 'm1');
  const missing = (h, name) => assert.throws(() => sdk.parseWebhook(body, { headers: h, secret }),
    (e) => e instanceof WebhookVerificationError && e.message.includes(name), JSON.stringify(h));
  verifies(headers);
  // In any ASCII case, as the core matches them; a request's other headers,
  // whatever they hold, are not read.
  verifies({ 'WEBHOOK-ID': 'msg_1', 'Webhook-Timestamp': String(ts), 'webhook-SIGNATURE': signature });
  verifies(new Headers(headers));
  verifies({ ...headers, 'x:y': 'z', 'x-note': 'a\nb', 'x-nul': '\0' });
  // A valid signature under any other name, or behind a line break in
  // another header's value or name, is not the signature.
  missing({ ...unsigned, 'x-note': `a\nwebhook-signature:${signature}` }, 'webhook-signature');
  missing({ ...unsigned, [`x\nwebhook-signature`]: signature }, 'webhook-signature');
  missing({ ...unsigned, 'webhook-signature:': signature }, 'webhook-signature');
  // The Kelvin sign lowercases to `k` in JS, but is not ASCII: not the core's webhook-id.
  const { 'webhook-id': __, ...anonymous } = headers;
  missing({ ...anonymous, 'webhoo\u212A-id': 'msg_1' }, 'webhook-id');
  // A line break or NUL in a signature header's value would split the lines differently.
  for (const bad of [
    { ...headers, 'webhook-id': 'msg_1\0' },
    { ...headers, 'Webhook-Signature': `v1,AAAA\nwebhook-signature:${signature}` },
    { ...headers, 'webhook-timestamp': `${ts}\r` },
  ]) {
    assert.throws(() => sdk.parseWebhook(body, { headers: bad, secret }), (e) => e instanceof InvalidRequestError && e.field === 'headers');
    // Unverified, the headers are not handed to the core, but still checked.
    assert.throws(() => sdk.parseWebhook(body, { headers: bad, verify: false }), (e) => e instanceof InvalidRequestError && e.field === 'headers');
  }
});

test('a delivery verifies and parses alike in every body form and size, one after another', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const ts = Math.floor(Date.now() / 1000);
  const delivery = (text) => {
    const body = `{"type":"message.created","data":{"object":{"id":"m1","session_id":"s1","role":"assistant","content":{"type":"text","text":${JSON.stringify(text)}}}}}`;
    return { body, headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': sdk.signWebhook(secret, 'msg_1', ts, body) } };
  };
  // Each body is written into one buffer with the headers before it crosses;
  // a smaller delivery after a larger one must not read the larger one's
  // bytes, and a text that is not ASCII is signed and read as its UTF-8.
  const texts = ['hi', 'Olá, ação — 你好 👋', 'x'.repeat(30_000), 'é'.repeat(40_000), 'y', ''];
  for (const text of texts) {
    const { body, headers } = delivery(text);
    const bytes = new TextEncoder().encode(body);
    const forms = [body, bytes, bytes.buffer, Buffer.from(bytes)];
    for (const form of forms) {
      for (const h of [headers, new Headers(headers), { ...headers, 'x-forwarded-for': ['10.0.0.1', '10.0.0.2'] }]) {
        const event = sdk.parseWebhook(form, { headers: h, secret, maxBodyBytes: 1 << 20 });
        assert.equal(event.data.object.content.text, text);
      }
      assert.equal(sdk.parseWebhook(form, { verify: false, maxBodyBytes: 1 << 20 }).data.object.content.text, text);
    }
    // The signature covers exactly these bytes: one changed character fails.
    const forged = body.replace('"m1"', '"m2"');
    assert.throws(() => sdk.parseWebhook(forged, { headers, secret, maxBodyBytes: 1 << 20 }), WebhookVerificationError);
  }
});

test('a fetch of your own gets a Headers in init.headers; the platform fetch sends the same headers', async () => {
  let init;
  const own = new Client({ token: 't', baseUrl: 'https://api.test/v1', fetch: async (u, i) => { init = i; return new Response('{"id":"s"}'); } });
  await own.sessions.get('s');
  assert.ok(init.headers instanceof Headers);
  assert.equal(init.headers.get('authorization'), 'Bearer t');
  // The platform's fetch is handed the core's pairs as they are: what reaches
  // a server is the same, token and request id included.
  const seen = [];
  const server = await startServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"id":"s"}');
  });
  try {
    const platform = new Client({ token: 't', baseUrl: server.url, headers: { 'x-team': 'support' } });
    await platform.sessions.get('s');
    await platform.sessions.get('s', { headers: { 'x-trace': '1' } });
    assert.equal(seen.length, 2);
    for (const h of seen) {
      assert.equal(h.authorization, 'Bearer t');
      assert.equal(h['x-team'], 'support');
      assert.match(h['x-request-id'], REQUEST_ID);
      assert.ok(h['user-agent'].startsWith('antonnia-sdk/'));
    }
    assert.equal(seen[1]['x-trace'], '1');
  } finally {
    await server.stop();
  }
});
