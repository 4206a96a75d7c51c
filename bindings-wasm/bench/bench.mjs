// Size and speed of the npm package (BENCHMARKS.md, "JavaScript").
//   bash bindings-wasm/scripts/build.sh && (cd bindings-wasm && npm ci)
//   cargo build --release -p antonnia-sandbox
//   node bindings-wasm/bench/bench.mjs [--breakdown]
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import crypto, { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createRequire } from 'node:module';

import { Client, parseWebhook, signWebhook } from '../pkg/index.js';
import { seededRandom, startSandbox } from '../tests/helpers.mjs';
import { bench, timeAwaited } from './timing.mjs';

const here = fileURLToPath(new URL('..', import.meta.url));
const pkg = join(here, 'pkg');
const { Webhook } = createRequire(import.meta.url)('standardwebhooks');

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const size = (files) => {
  const bytes = Buffer.concat(files.map((f) => readFileSync(join(pkg, f))));
  return [bytes.length, gzipSync(bytes, { level: 9 }).length];
};
const wasm = size(['antonnia_wasm_bg.wasm']);
// What a browser loads: the main entry and its imports (the relay's files are
// server-only, behind antonnia-sdk/relay).
const glue = size(['index.js', 'errors.js', 'wasm.js', 'loader.js', 'core_constants.js', 'antonnia_wasm.js']);
const tgz = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: pkg, encoding: 'utf8' });
const packed = JSON.parse(tgz)[0];
console.log(`wasm: ${kib(wasm[0])} raw, ${kib(wasm[1])} gzip`);
console.log(`JS (glue + wrapper): ${kib(glue[0])} raw, ${kib(glue[1])} gzip`);
console.log(`npm tarball: ${kib(packed.size)} (unpacked ${kib(packed.unpackedSize)})`);

const body = readFileSync(join(here, '..', 'tests', 'fixtures', 'message_created_410.json'));
const text = body.toString('utf8');
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ts = Math.floor(Date.now() / 1000);
const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(secret, 'msg_1', ts, body) };
const wh = new Webhook(secret);
const ours = bench(() => parseWebhook(body, { headers, secret }), 20_000);
const theirs = bench(() => wh.verify(text, headers), 20_000);
console.log(`verify + parse the 410-byte message.created: parseWebhook ${ours.toFixed(2)} µs, standardwebhooks ${theirs.toFixed(2)} µs (${(theirs / ours).toFixed(1)}x)`);
// The same delivery with the headers a Node server's `req.headers` holds for
// one from a typical sender: the three signature headers among nine others.
const received = {
  host: 'hooks.example.com', 'user-agent': 'Svix-Webhooks/1.62.0 (sender-4k2Zq; +https://www.svix.com/http-sender/)',
  'content-length': String(body.length), accept: '*/*', 'accept-encoding': 'gzip', 'content-type': 'application/json',
  'x-forwarded-for': '44.228.126.217', 'x-forwarded-proto': 'https', 'x-request-id': '8d1f3c1e-6a8e-4c39-9a8e-1f2d3c4b5a69',
  ...headers,
};
const oursReceived = bench(() => parseWebhook(body, { headers: received, secret }), 20_000);
const theirsReceived = bench(() => wh.verify(text, received), 20_000);
console.log(`  (with the twelve headers of a typical delivery: parseWebhook ${oursReceived.toFixed(2)} µs, standardwebhooks ${theirsReceived.toFixed(2)} µs, ${(theirsReceived / oursReceived).toFixed(1)}x)`);
const unverified = bench(() => parseWebhook(body, { verify: false }), 20_000);
const bare = bench(() => JSON.parse(text), 20_000);
console.log(`parse only: parseWebhook(verify: false) ${unverified.toFixed(2)} µs, JSON.parse ${bare.toFixed(2)} µs (${(unverified / bare).toFixed(2)}x)`);
const decoded = bench(() => JSON.parse(new TextDecoder().decode(body)), 20_000);
console.log(`  (JSON.parse of the same bytes, decoded first: ${decoded.toFixed(2)} µs)`);
// The row above gives parseWebhook bytes and JSON.parse a string. With the
// body in the same form on both sides: a string (`await request.text()`), or
// bytes (`express.raw()`'s Buffer, which JSON.parse reads as its text).
const unverifiedText = bench(() => parseWebhook(text, { verify: false }), 20_000);
const bareBytes = bench(() => JSON.parse(body), 20_000);
console.log(`  (the same form on both sides: a string, parseWebhook ${unverifiedText.toFixed(2)} µs vs JSON.parse ${bare.toFixed(2)} µs, ${(unverifiedText / bare).toFixed(2)}x; `
  + `a Buffer, parseWebhook ${unverified.toFixed(2)} µs vs JSON.parse ${bareBytes.toFixed(2)} µs, ${(unverified / bareBytes).toFixed(2)}x)`);
// The same with 4 096 different bodies of about the same size (new ids,
// texts and timestamps), each given to both in turn: whether the ratio
// holds when neither side sees one body over and over (BENCHMARKS.md,
// "Stop 34").
const bodies = variedBodies(JSON.parse(text), 4096);
const buffers = bodies.map((b) => Buffer.from(b));
let next = 0;
const pick = () => (next = (next + 1) & 4095);
const variedText = bench(() => parseWebhook(bodies[pick()], { verify: false }), 20_000);
const variedBare = bench(() => JSON.parse(bodies[pick()]), 20_000);
const variedBytes = bench(() => parseWebhook(buffers[pick()], { verify: false }), 20_000);
const variedBareBytes = bench(() => JSON.parse(buffers[pick()]), 20_000);
const averageLength = Math.round(bodies.reduce((n, b) => n + b.length, 0) / bodies.length);
console.log(`  (4096 different bodies, ${averageLength} bytes on average: a string, parseWebhook ${variedText.toFixed(2)} µs vs JSON.parse ${variedBare.toFixed(2)} µs, ${(variedText / variedBare).toFixed(2)}x; `
  + `a Buffer, parseWebhook ${variedBytes.toFixed(2)} µs vs JSON.parse ${variedBareBytes.toFixed(2)} µs, ${(variedBytes / variedBareBytes).toFixed(2)}x)`);
// The cheapest HMAC Node offers over the same signed content, for comparison
// with the difference between the two parseWebhook rows (the core's in wasm).
const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
const signedPrefix = `${headers['webhook-id']}.${headers['webhook-timestamp']}.`;
const nodeHmac = bench(() => createHmac('sha256', key).update(signedPrefix).update(body).digest(), 20_000);
console.log(`  (HMAC-SHA256 of the same delivery through node:crypto: ${nodeHmac.toFixed(2)} µs)`);
if (typeof crypto.hash === 'function') {
  // The same HMAC as its two hashes (the padded key, then the inner digest),
  // each one-shot `crypto.hash` (Node >= 20.12): no Hmac object to set up.
  const block = Buffer.alloc(64);
  key.copy(block);
  const pad = (byte) => Buffer.from(block.map((b) => b ^ byte));
  const [ipad, opad] = [pad(0x36), pad(0x5c)];
  const inner = Buffer.concat([ipad, Buffer.from(signedPrefix), body]);
  const outer = Buffer.alloc(64 + 32);
  opad.copy(outer);
  const twoHashes = () => {
    body.copy(inner, 64 + signedPrefix.length);
    crypto.hash('sha256', inner, 'buffer').copy(outer, 64);
    return crypto.hash('sha256', outer, 'buffer');
  };
  if (!twoHashes().equals(createHmac('sha256', key).update(signedPrefix).update(body).digest())) throw new Error('two-hash HMAC differs');
  console.log(`  (the same HMAC as two one-shot crypto.hash calls: ${bench(twoHashes, 20_000).toFixed(2)} µs)`);
  // What parseWebhook asks Node for (delivery.js's hostSha256): the inner
  // hash alone, its digest as a latin1 string rather than a Buffer.
  const innerOnly = bench(() => crypto.hash('sha256', inner, 'latin1'), 20_000);
  const innerBuffer = bench(() => crypto.hash('sha256', inner, 'buffer'), 20_000);
  console.log(`  (the inner hash alone, as parseWebhook has Node compute it: ${innerOnly.toFixed(2)} µs with a latin1 digest, ${innerBuffer.toFixed(2)} µs with a Buffer)`);
}

// sessions.get over loopback against the release sandbox, vs a raw fetch + JSON.parse.
const meta = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], { cwd: join(here, '..') }));
process.env.ANTONNIA_SANDBOX_BIN ??= `${meta.target_directory}/release/antonnia-sandbox`;
const sb = await startSandbox();
try {
  const client = new Client({ token: sb.token, baseUrl: sb.baseUrl });
  const s = await client.sessions.create({ contact_id: 'bench', contact_name: 'Bench', metadata: { channel_type: 'web' } });
  const url = `${sb.baseUrl}/sessions/${s.id}`;
  const auth = { authorization: `Bearer ${sb.token}` };
  const raw = async () => JSON.parse(await (await fetch(url, { headers: auth })).text());
  const sdk = () => client.sessions.get(s.id);
  for (let i = 0; i < 300; i++) { await raw(); await sdk(); }
  const ratios = [];
  let a = 0;
  let b = 0;
  for (let r = 0; r < 25; r++) {
    const x = await timeAwaited(sdk, 100);
    const y = await timeAwaited(raw, 100);
    a += x;
    b += y;
    ratios.push(x / y);
  }
  ratios.sort((p, q) => p - q);
  console.log(`sessions.get over loopback: ${(a / 25).toFixed(1)} µs vs raw fetch ${(b / 25).toFixed(1)} µs (median ratio ${ratios[12].toFixed(3)}x)`);
  if (process.argv.includes('--breakdown')) await breakdown(sb, s.id, url, auth, raw, sdk);
} finally {
  await sb.stop();
}

/**
 * Where the full call's gap goes (`--breakdown`): the SDK against a fetch
 * that answers in-process, then a raw fetch loop with the SDK's steps added
 * one at a time, each the median of 41 interleaved rounds of 100 calls.
 */
async function breakdown(sb, sessionId, url, auth, raw, sdk) {
  const wasm = await import('../pkg/wasm.js');
  const answer = await (await fetch(url, { headers: auth })).text();
  const fakeFetch = async () => new Response(answer, { status: 200, headers: { 'content-type': 'application/json' } });
  const fake = new Client({ token: sb.token, baseUrl: sb.baseUrl, fetch: fakeFetch });
  const fakeRaw = async () => JSON.parse(await (await fakeFetch()).text());
  const config = new wasm.Config(sb.token, sb.baseUrl, '[]');
  const policy = new wasm.RetryPolicy(2);
  const args = JSON.stringify({ session_id: sessionId });
  // A raw fetch with a deadline, plus the SDK's steps up to `level`:
  // 1 the call from its arguments, 2 the exchange, 3 the request head from
  // the core, 4 the response read through the core.
  const upTo = (level) => async () => {
    const call = level >= 1 ? new wasm.Call('sessions.get', args) : undefined;
    const ex = level >= 2 ? new wasm.Exchange(call, config, policy, 60000, undefined, 1e7) : undefined;
    const req = level >= 3 ? JSON.parse(ex.requestJson()) : { url, headers: Object.entries(auth) };
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), 60000);
    try {
      const resp = await fetch(req.url, { headers: new Headers(req.headers), signal: ctrl.signal, redirect: 'manual' });
      const bytes = new Uint8Array(await resp.arrayBuffer());
      if (level < 4) return JSON.parse(new TextDecoder().decode(bytes));
      let lines = '';
      for (const [k, v] of resp.headers) lines += `${k}:${v}\n`;
      return JSON.parse(ex.onResponse(resp.status, lines, bytes, 1, Date.now(), Math.random()));
    } finally {
      clearTimeout(timer);
      ex?.free();
      call?.free();
    }
  };
  const loops = {
    'raw fetch': raw,
    '+ deadline (AbortController, timer)': upTo(0),
    '+ the call from its arguments': upTo(1),
    '+ the exchange': upTo(2),
    '+ the request head from the core': upTo(3),
    '+ the response read through the core': upTo(4),
    'client.sessions.get': sdk,
    'in-process fetch: raw': fakeRaw,
    'in-process fetch: client.sessions.get': () => fake.sessions.get(sessionId),
  };
  const runs = Object.fromEntries(Object.keys(loops).map((k) => [k, []]));
  for (const f of Object.values(loops)) for (let i = 0; i < 300; i++) await f();
  for (let r = 0; r < 41; r++) for (const [k, f] of Object.entries(loops)) runs[k].push(await timeAwaited(f, 100));
  console.log('breakdown (median µs per call):');
  for (const [k, xs] of Object.entries(runs)) console.log(`  ${k.padEnd(40)} ${xs.sort((p, q) => p - q)[20].toFixed(1)}`);
  config.free();
  policy.free();
}

/**
 * `n` variations of the message.created `event` as JSON text, the same on
 * every run: new ids, message texts of 20 to 50 characters, and timestamps
 * with and without trailing zeros in their fraction.
 */
function variedBodies(event, n) {
  const random = seededRandom();
  const digits = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const id = (prefix, length) => {
    let s = prefix;
    for (let i = 0; i < length; i++) s += digits[random(digits.length)];
    return s;
  };
  const words = ['Order', 'shipped', 'arrives', 'Friday', 'thanks', 'your', 'package', 'is', 'on', 'its', 'way', 'payment', 'received'];
  const time = () => `2025-0${1 + random(9)}-1${random(10)}T1${random(10)}:${10 + random(50)}:${10 + random(50)}.${String(random(1000)).padStart(3, '0')}Z`;
  const message = event.data.object;
  return Array.from({ length: n }, (_, i) => {
    let said = '';
    while (said.length < 20 + (i % 25)) said += `${words[random(words.length)]} `;
    return JSON.stringify({
      ...event,
      id: id('evt_', 10),
      created_at: time(),
      data: {
        object: {
          ...message,
          id: id('msg_', 10),
          session_id: id('sess_', 10),
          conversation_id: id('conv_', 10),
          content: { ...message.content, text: `${said.trim()}.` },
          run_id: id('run_', 8),
          created_at: time(),
        },
      },
    });
  });
}
