// Deno and Bun (both from npm, devDependencies): the packed package
// installed into an app folder the way a user installs it, imported as
// 'antonnia-sdk', making real calls against antonnia-sandbox.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { startSandbox } from './helpers.mjs';

const run = promisify(execFile);
const HERE = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(HERE, 'node_modules', '.bin');

let sandbox;
let app;

before(async () => {
  sandbox = await startSandbox();
  app = await mkdtemp(join(tmpdir(), 'antonnia-runtimes-'));
  await run('npm', ['pack', '--silent', '--pack-destination', app], { cwd: join(HERE, 'pkg') });
  const tarball = (await readdir(app)).find((f) => f.endsWith('.tgz'));
  await writeFile(join(app, 'package.json'), '{"name":"app","private":true,"type":"module"}');
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', join(app, tarball)], { cwd: app });
  // No environment variables read by the script: Deno runs it without --allow-env.
  await writeFile(join(app, 'main.mjs'), `
import { Client, NotFoundError, VERSION, parseWebhook, signWebhook } from 'antonnia-sdk';
const client = new Client({ token: ${JSON.stringify(sandbox.token)}, baseUrl: ${JSON.stringify(sandbox.baseUrl)}, maxRetries: 0 });
const s = await client.sessions.create({ contact_id: 'runtime', contact_name: 'Ana' });
const raw = await client.withRawResponse.sessions.get(s.id);
let notFound;
try { await client.sessions.get('sess_missing'); } catch (e) { notFound = [e.name, e instanceof NotFoundError, /^req_[0-9a-f]{32}$/.test(e.requestId)]; }
// A signed webhook verifies, and a forged one does not, whichever SHA-256
// the runtime offers the receiver (its own, or the core's in wasm).
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const body = JSON.stringify({ type: 'message.created', data: { object: { id: 'msg_1', session_id: s.id, content: { type: 'text', text: 'hi' } } } });
const ts = Math.floor(Date.now() / 1000);
const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(secret, 'msg_1', ts, body) };
const verified = parseWebhook(body, { headers, secret }).data.object.id;
let forged;
try { parseWebhook(body.replace('hi', 'ho'), { headers, secret }); } catch (e) { forged = [e.name, e.reason]; }
console.log(JSON.stringify({ version: VERSION, roundTrip: raw.data.id === s.id, status: raw.status, notFound, verified, forged }));
`);
});

after(async () => {
  await sandbox?.stop();
  if (app) await rm(app, { recursive: true, force: true });
});

async function check(cmd, args) {
  const { stdout } = await run(join(BIN, cmd), args, { cwd: app, timeout: 60_000 });
  const out = JSON.parse(stdout.trim().split('\n').at(-1));
  assert.equal(out.roundTrip, true);
  assert.equal(out.status, 200);
  assert.deepEqual(out.notFound, ['NotFoundError', true, true]);
  assert.match(out.version, /^\d+\.\d+\.\d+/);
  assert.equal(out.verified, 'msg_1');
  assert.deepEqual(out.forged, ['WebhookVerificationError', 'no_matching_signature']);
}

test('Bun: the installed package makes real calls', async () => {
  await check('bun', ['main.mjs']);
});

test('Deno: the installed package makes real calls (network and read permissions only)', async () => {
  const host = new URL(sandbox.baseUrl).host;
  await check('deno', ['run', '--quiet', `--allow-net=${host}`, '--allow-read', 'main.mjs']);
});
