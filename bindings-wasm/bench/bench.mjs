// Size and speed of the npm package (BENCHMARKS.md, "JavaScript").
//   bash bindings-wasm/scripts/build.sh && (cd bindings-wasm && npm ci)
//   cargo build --release -p antonnia-sandbox
//   node bindings-wasm/bench/bench.mjs
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createRequire } from 'node:module';

import { Client, parseWebhook, signWebhook } from '../pkg/index.js';
import { startSandbox } from '../tests/helpers.mjs';

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
const glue = size(['index.js', 'errors.js', 'wasm.js', 'antonnia_wasm.js']);
const tgz = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: pkg, encoding: 'utf8' });
const packed = JSON.parse(tgz)[0];
console.log(`wasm: ${kib(wasm[0])} raw, ${kib(wasm[1])} gzip`);
console.log(`JS (glue + wrapper): ${kib(glue[0])} raw, ${kib(glue[1])} gzip`);
console.log(`npm tarball: ${kib(packed.size)} (unpacked ${kib(packed.unpackedSize)})`);

/** Best of 7 timed loops, in µs per operation. */
function bench(fn, n) {
  for (let i = 0; i < n; i++) fn();
  let best = Infinity;
  for (let r = 0; r < 7; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1000 / n);
  }
  return best;
}

const body = readFileSync(join(here, '..', 'tests', 'fixtures', 'message_created_410.json'));
const text = body.toString('utf8');
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ts = Math.floor(Date.now() / 1000);
const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(secret, 'msg_1', ts, body) };
const wh = new Webhook(secret);
const ours = bench(() => parseWebhook(body, { headers, secret }), 20_000);
const theirs = bench(() => wh.verify(text, headers), 20_000);
console.log(`verify + parse the 410-byte message.created: parseWebhook ${ours.toFixed(2)} µs, standardwebhooks ${theirs.toFixed(2)} µs (${(theirs / ours).toFixed(1)}x)`);
const unverified = bench(() => parseWebhook(body, { verify: false }), 20_000);
const bare = bench(() => JSON.parse(text), 20_000);
console.log(`parse only: parseWebhook(verify: false) ${unverified.toFixed(2)} µs, JSON.parse ${bare.toFixed(2)} µs (${(unverified / bare).toFixed(2)}x)`);
const decoded = bench(() => JSON.parse(new TextDecoder().decode(body)), 20_000);
console.log(`  (JSON.parse of the same bytes, decoded first: ${decoded.toFixed(2)} µs)`);

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
  const time = async (fn, n) => {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await fn();
    return Number(process.hrtime.bigint() - t) / 1000 / n;
  };
  for (let i = 0; i < 300; i++) { await raw(); await sdk(); }
  const ratios = [];
  let a = 0;
  let b = 0;
  for (let r = 0; r < 25; r++) {
    const x = await time(sdk, 100);
    const y = await time(raw, 100);
    a += x;
    b += y;
    ratios.push(x / y);
  }
  ratios.sort((p, q) => p - q);
  console.log(`sessions.get over loopback: ${(a / 25).toFixed(1)} µs vs raw fetch ${(b / 25).toFixed(1)} µs (median ratio ${ratios[12].toFixed(3)}x)`);
} finally {
  await sb.stop();
}
