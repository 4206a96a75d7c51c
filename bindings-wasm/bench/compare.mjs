// Two builds of the package in one process, for an A/B of the SDK's own
// per-call work (BENCHMARKS.md, JavaScript): `client.sessions.get` against
// an in-process fetch, so that no socket or server adds its noise, in
// interleaved rounds whose order alternates (the loop that runs second in a
// round tends to be slower, whichever build it is). Prints the median of
// each, and the same loop around the bare fetch for scale. Then
// `parseWebhook` of the 410-byte webhook in both builds, the body as bytes
// and as a string, unverified and verified (best of 7 loops, the builds
// alternating over 6 rounds; the median round).
//   node bindings-wasm/bench/compare.mjs path/to/pkg-A path/to/pkg-B
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bench, timeAwaited } from './timing.mjs';

const [a, b] = process.argv.slice(2);
if (!a || !b) {
  console.error('usage: node bindings-wasm/bench/compare.mjs path/to/pkg-A path/to/pkg-B');
  process.exit(2);
}
const load = (dir) => import(`${pathToFileURL(resolve(dir)).href}/index.js`);
const [A, B] = [await load(a), await load(b)];

// A session as the sandbox answers one, with both timestamp forms.
const answer = JSON.stringify({
  id: 'sess_01JH8Z5K2M', contact_id: 'bench', organization_id: 'org_01JH80AB', conversation_id: 'conv_01JH8Z5K2N',
  status: 'open', metadata: { channel_type: 'web' }, created_at: '2025-01-15T10:30:07.500Z', updated_at: '2025-01-15T10:30:07.412Z',
});
const headers = { 'content-type': 'application/json', 'content-length': String(answer.length), date: 'Mon, 07 Dec 2026 05:24:40 GMT' };
const fakeFetch = async () => new Response(answer, { status: 200, headers });
// Installed as the global fetch, so that the clients take the path they take
// by default (no `fetch` option), which hands fetch the core's header pairs.
globalThis.fetch = fakeFetch;
const client = (M) => new M.Client({ token: 'sk_test_bench', baseUrl: 'http://127.0.0.1:1' });
const [ca, cb] = [client(A), client(B)];
const loops = {
  A: () => ca.sessions.get('sess_01JH8Z5K2M'),
  B: () => cb.sessions.get('sess_01JH8Z5K2M'),
  'bare fetch + JSON.parse': async () => JSON.parse(await (await fakeFetch()).text()),
};
for (const fn of Object.values(loops)) for (let i = 0; i < 3000; i++) await fn();
const runs = { A: [], B: [], 'bare fetch + JSON.parse': [] };
for (let r = 0; r < 41; r++) {
  const order = r % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
  for (const k of [...order, 'bare fetch + JSON.parse']) runs[k].push(await timeAwaited(loops[k], 300));
}
const median = (xs) => xs.sort((p, q) => p - q)[20].toFixed(1);
console.log(`in-process client.sessions.get (median of 41 rounds of 300): A ${median(runs.A)} µs (${a}), B ${median(runs.B)} µs (${b}), bare fetch + JSON.parse ${median(runs['bare fetch + JSON.parse'])} µs`);

const body = readFileSync(new URL('../../tests/fixtures/message_created_410.json', import.meta.url));
const text = body.toString('utf8');
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ts = Math.floor(Date.now() / 1000);
const webhookHeaders = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': A.signWebhook(secret, 'msg_1', ts, body) };
const webhooks = {
  'bytes, verify: false': (M) => () => M.parseWebhook(body, { verify: false }),
  'string, verify: false': (M) => () => M.parseWebhook(text, { verify: false }),
  'bytes + the three headers, verify: false': (M) => () => M.parseWebhook(body, { verify: false, headers: webhookHeaders }),
  'bytes, verified': (M) => () => M.parseWebhook(body, { headers: webhookHeaders, secret }),
  'string, verified': (M) => () => M.parseWebhook(text, { headers: webhookHeaders, secret }),
};
const rounds = Object.fromEntries(Object.keys(webhooks).map((k) => [k, { A: [], B: [] }]));
for (let r = 0; r < 6; r++) {
  for (const [k, make] of Object.entries(webhooks)) {
    for (const side of r % 2 === 0 ? ['A', 'B'] : ['B', 'A']) rounds[k][side].push(bench(make(side === 'A' ? A : B), 10_000));
  }
}
const mid = (xs) => xs.sort((p, q) => p - q)[3].toFixed(2);
console.log('parseWebhook, 410-byte message.created (µs):');
for (const [k, { A: xa, B: xb }] of Object.entries(rounds)) console.log(`  ${k.padEnd(42)} A ${mid(xa)}  B ${mid(xb)}`);
