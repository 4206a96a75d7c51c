// Garbage of every kind through every public entry point: each call throws
// (or rejects with) an AntonniaError — never a string, a foreign error or a
// wasm trap — and afterwards the module still works.
import { test } from 'node:test';
import assert from 'node:assert/strict';

// ANTONNIA_SDK_BUILD=browser: the same through the browser build (index.browser.js).
const sdk = await import(process.env.ANTONNIA_SDK_BUILD === 'browser' ? '../pkg/index.browser.js' : '../pkg/index.js');

const cyclic = {};
cyclic.self = cyclic;
let deep = {};
for (let i = 0; i < 100_000; i++) deep = { d: deep };
let deepArr = [];
for (let i = 0; i < 300; i++) deepArr = [deepArr];

const GARBAGE = [
  undefined, null, true, 0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 64, 10n, '', ' ', '\0', 'x'.repeat(5000),
  '\ud800', '../..', '%00', 'sess_1\r\nx-evil: 1', Symbol('s'), () => 1, [], [1, 'a'], {}, { a: undefined },
  { toJSON() { throw new Error('boom'); } }, cyclic, deep, deepArr, new Date(NaN), new Map([[1, 2]]),
  new Uint8Array([0xff, 0xfe]), new ArrayBuffer(3), Object.create(null), new Proxy({}, { get() { throw new Error('trap'); } }),
  { content: { type: 'text', text: NaN } }, { metadata: cyclic }, { debounce_time: 1e300 }, { limit: -5, offset: 2 ** 70 },
  { contact_id: 1, contact_name: ['x'] }, { content: 'hi' }, { scheduled_for: 'yesterday', config: {} },
];

function isAllowed(e) {
  // An SDK error, or the built-in TypeError a JS method raises for an
  // argument of the wrong kind before the SDK sees it (never a string, never a trap).
  return e instanceof sdk.AntonniaError;
}

function okSession(url) {
  return { status: 200, body: JSON.stringify({ id: url.split('/').pop() || 'sess_ok' }) };
}

function client() {
  return new sdk.Client({
    token: 'sk_test_garbage',
    baseUrl: 'https://api.test/conversations/v2/api/v1',
    maxRetries: 0,
    fetch: async (url) => {
      const r = okSession(url);
      return new Response(r.body, { status: r.status, headers: { 'content-type': 'application/json' } });
    },
  });
}

async function outcome(fn) {
  try {
    const r = fn();
    if (r && typeof r.next === 'function') await r.next();
    else await r;
    return null;
  } catch (e) {
    return e;
  }
}

const METHODS = (c) => [
  ['sessions.create', (a, b) => c.sessions.create(a, b)],
  ['sessions.get', (a, b) => c.sessions.get(a, b)],
  ['sessions.update', (a, b) => c.sessions.update(a, b)],
  ['sessions.update/fields', (a) => c.sessions.update('s', a)],
  ['sessions.transfer', (a, b) => c.sessions.transfer(a, b)],
  ['sessions.finish', (a, b) => c.sessions.finish(a, b)],
  ['sessions.reply', (a, b) => c.sessions.reply(a, b)],
  ['sessions.reply/params', (a) => c.sessions.reply('s', a)],
  ['sessions.search', (a, b) => c.sessions.search(a, b)],
  ['sessions.iterSearch', (a, b) => c.sessions.iterSearch(a, b)],
  ['sessions.schedule', (a, b) => c.sessions.schedule(a, b)],
  ['sessions.schedule/params', (a) => c.sessions.schedule('s', a)],
  ['messages.create', (a, b) => c.sessions.messages.create(a, b)],
  ['messages.create/params', (a) => c.sessions.messages.create('s', a)],
  ['messages.get', (a, b) => c.sessions.messages.get(a, b)],
  ['messages.update', (a, b) => c.sessions.messages.update('s', a, b)],
  ['messages.search', (a, b) => c.sessions.messages.search(a, b)],
  ['messages.iterSearch', (a, b) => c.sessions.messages.iterSearch(a, b)],
  ['messages.stream', (a, b) => c.sessions.messages.stream(a, b)],
  ['messages.stream/options', (a) => c.sessions.messages.stream('s', a)],
  ['surveys.get', (a, b) => c.sessions.surveySubmissions.get(a, b)],
  ['surveys.reply', (a, b) => c.sessions.surveySubmissions.reply('s', a, b)],
  ['surveys.cancel', (a, b) => c.sessions.surveySubmissions.cancel(a, 'x', b)],
  ['agents.create', (a, b) => c.agents.create(a, b)],
  ['agents.get', (a, b) => c.agents.get(a, b)],
  ['agents.update', (a, b) => c.agents.update(a, b)],
  ['agents.delete', (a, b) => c.agents.delete(a, b)],
  ['agents.search', (a, b) => c.agents.search(a, b)],
  ['agents.iterSearch', (a, b) => c.agents.iterSearch(a, b)],
  ['options', (a) => c.sessions.get('s', a)],
  ['options.signal', (a) => c.sessions.get('s', { signal: a })],
  ['options.timeoutMs', (a) => c.sessions.get('s', { timeoutMs: a })],
  ['options.maxRetries', (a) => c.sessions.get('s', { maxRetries: a })],
  ['options.headers', (a) => c.sessions.get('s', { headers: a })],
  ['options.headers.value', (a) => c.sessions.get('s', { headers: { 'x-a': a } })],
  ['options.headers.name', (a) => c.sessions.get('s', { headers: { [typeof a === 'string' ? a : 'bad name']: 'v' } })],
];

const FUNCTIONS = [
  ['Client', (a) => new sdk.Client(a)],
  ['Client.token', (a) => new sdk.Client({ token: a })],
  ['Client.baseUrl', (a) => new sdk.Client({ token: 't', baseUrl: a })],
  ['Client.headers', (a) => new sdk.Client({ token: 't', headers: a })],
  ['Client.timeoutMs', (a) => new sdk.Client({ token: 't', timeoutMs: a })],
  ['Client.maxRetries', (a) => new sdk.Client({ token: 't', maxRetries: a })],
  ['Client.fetch', (a) => new sdk.Client({ token: 't', fetch: a })],
  ['parseWebhook.body', (a) => sdk.parseWebhook(a, { verify: false })],
  ['parseWebhook.options', (a) => sdk.parseWebhook('{}', a)],
  ['parseWebhook.headers', (a) => sdk.parseWebhook('{}', { headers: a, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' })],
  ['parseWebhook.secret', (a) => sdk.parseWebhook('{}', { headers: {}, secret: a })],
  ['parseWebhook.now', (a) => sdk.parseWebhook('{}', { verify: false, now: a })],
  ['parseWebhook.tolerance', (a) => sdk.parseWebhook('{}', { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', toleranceSeconds: a })],
  ['signWebhook', (a) => sdk.signWebhook(a, a, a, a)],
  ['signWebhook.body', (a) => sdk.signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'id', 1, a)],
  ['outboundMessage', (a) => sdk.outboundMessage(a)],
  ['outboundMessage.object', (a) => sdk.outboundMessage({ type: 'message.created', data: { object: a } })],
  ['deliverable', (a) => sdk.deliverable(a)],
  ['sent', (a) => sdk.sent(a, a)],
  ['delivered.at', (a) => sdk.delivered('p', a)],
  ['failed', (a) => sdk.failed(a, a)],
  ['whatsappErrorDescription', (a) => sdk.whatsappErrorDescription(a)],
];

test('garbage into every method rejects with an AntonniaError, then a good call works', async () => {
  const c = client();
  const bad = [];
  for (const [name, fn] of METHODS(c)) {
    for (const g of GARBAGE) {
      for (const args of [[g], [g, g], ['s', g]]) {
        const e = await outcome(() => fn(...args));
        if (e !== null && !isAllowed(e)) bad.push(`${name}(${String(typeof g === 'symbol' ? 'symbol' : typeof g)}): ${e?.name ?? typeof e}: ${e?.message ?? e}`);
      }
    }
  }
  assert.deepEqual(bad, []);
  assert.equal((await c.sessions.get('sess_ok')).id, 'sess_ok');
});

test('garbage into every function throws an AntonniaError (or returns), then a good call works', async () => {
  const bad = [];
  for (const [name, fn] of FUNCTIONS) {
    for (const g of GARBAGE) {
      const e = await outcome(() => fn(g));
      if (e !== null && !isAllowed(e)) bad.push(`${name}(${typeof g}): ${e?.name ?? typeof e}: ${e?.message ?? e}`);
    }
  }
  assert.deepEqual(bad, []);
  assert.equal((await client().sessions.get('sess_ok')).id, 'sess_ok');
  assert.equal(sdk.parseWebhook('{"type":"x.y"}', { verify: false }).type, 'x.y');
});

test('garbage responses and webhook bodies: typed errors, then a good call works', async () => {
  const bodies = [
    '', 'null', '[]', '{', '<html>', '{"id":1}', '{"id":"s","metadata":[]}', '{"id":"s","agent":{"type":5}}',
    '\xff\xfe', '{"id":"s","id":"t"}', '[['.repeat(10_000), `{"id":"${'a'.repeat(100_000)}"}`, '{"id":"s","created_at":"not a date"}',
  ];
  const bad = [];
  for (const status of [200, 201, 204, 301, 400, 401, 404, 413, 418, 422, 429, 500, 503, 599]) {
    for (const body of bodies) {
      const c = new sdk.Client({
        token: 't', baseUrl: 'https://api.test/v1', maxRetries: 0,
        fetch: async () => ({ status, type: 'basic', headers: new Headers({ 'retry-after': 'soon' }), body: null, arrayBuffer: async () => new TextEncoder().encode(body).buffer }),
      });
      const e = await outcome(() => c.sessions.get('s'));
      if (e !== null && !isAllowed(e)) bad.push(`${status} ${body.slice(0, 20)}: ${e?.name}: ${e?.message}`);
      const w = await outcome(() => sdk.parseWebhook(body, { verify: false }));
      if (w !== null && !isAllowed(w)) bad.push(`webhook ${body.slice(0, 20)}: ${w?.name}: ${w?.message}`);
    }
  }
  // fetch itself misbehaving: throwing a string, returning garbage.
  for (const f of [async () => { throw 'a string'; }, async () => null, async () => ({}), async () => ({ status: 'x' }), () => 5]) {
    const c = new sdk.Client({ token: 't', baseUrl: 'https://api.test/v1', maxRetries: 0, fetch: f });
    const e = await outcome(() => c.sessions.get('s'));
    if (!isAllowed(e)) bad.push(`fetch ${f}: ${e?.name ?? typeof e}: ${e?.message ?? e}`);
  }
  assert.deepEqual(bad, []);
  assert.equal((await client().sessions.get('sess_ok')).id, 'sess_ok');
});

test('a browser-like global refuses a token aimed at production unless opted in', () => {
  const saved = globalThis.window;
  globalThis.window = { document: {} };
  try {
    assert.throws(() => new sdk.Client({ token: 'sk_live_x' }), (e) => e instanceof sdk.InvalidRequestError && e.field === 'dangerouslyAllowBrowser');
    assert.ok(new sdk.Client({ token: 'sk_live_x', dangerouslyAllowBrowser: true }));
    assert.ok(new sdk.Client({ token: 'sk_test_sandbox', baseUrl: 'http://127.0.0.1:1/conversations/v2/api/v1' }));
    assert.ok(new sdk.Client({ token: null, baseUrl: 'https://proxy.example/api' }));
  } finally {
    if (saved === undefined) delete globalThis.window;
    else globalThis.window = saved;
  }
});
