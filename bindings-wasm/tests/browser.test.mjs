// The package in a real headless Chromium (Debian's, driven by
// playwright-core), across origins: the page is served from one origin
// (localhost:A), the sandbox API is another (127.0.0.1:B) and answers with
// CORS. The web chat example runs the Quick Start through the stream; the
// rest checks webhooks, errors, abort and the secret-key guard in the browser,
// in the browser build (index.browser.js) and the full one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

import { signWebhook } from '../pkg/index.js';
import { startSandbox, startServer, WEBHOOK_SECRET } from './helpers.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
const skip = !existsSync(CHROMIUM) && !process.env.ANTONNIA_REQUIRE_BROWSER
  ? `no Chromium at ${CHROMIUM} (scripts/ci/test-wasm.sh installs it)` : false;

let sandbox;
let site;
let browser;

before(async () => {
  if (skip) return;
  const { chromium } = await import('playwright-core');
  sandbox = await startSandbox('--time-scale', '0.01');
  // bindings-wasm/ as static files (pkg/ and examples/), nothing outside it.
  site = await startServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const file = join(ROOT, path);
    if (!file.startsWith(ROOT) || path.includes('node_modules')) return res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
});

after(async () => {
  await browser?.close();
  await site?.stop();
  await sandbox?.stop();
});

// The page's origin differs from the API's (host and port).
const pageOrigin = () => new URL(site.url).origin.replace('127.0.0.1', 'localhost');

async function openPage(path) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${pageOrigin()}${path}`);
  return { page, errors };
}

test('the web chat example: the Quick Start in the browser, answered through the stream', { skip }, async () => {
  const q = new URLSearchParams({ baseUrl: sandbox.baseUrl, token: sandbox.token });
  const { page, errors } = await openPage(`/examples/web-chat/index.html?${q}`);
  try {
    await page.waitForSelector('#text:not([disabled])', { timeout: 30_000 });
    await page.fill('#text', 'Hello, I need help with my order');
    await page.press('#text', 'Enter');
    await page.waitForSelector('.msg.assistant', { timeout: 30_000 });
    const shown = await page.$$eval('.msg', (els) => els.map((e) => [e.className, e.textContent]));
    assert.deepEqual(shown[0], ['msg user', 'Hello, I need help with my order']);
    assert.equal(shown.at(-1)[0], 'msg assistant');
    assert.ok(shown.at(-1)[1].length > 0);
    assert.equal(await page.$eval('#status', (e) => e.dataset.error ?? null), null);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

for (const entry of ['index.browser.js', 'index.js']) test(`webhooks, errors, abort and the secret-key guard in the browser (${entry})`, { skip }, async () => {
  // index.browser.js, the browser build (what browser bundlers resolve),
  // parses webhooks a server verified and refuses to verify; index.js, the
  // full build, also verifies in a page.
  const full = entry === 'index.js';
  const body = JSON.stringify({
    id: 'evt_1', type: 'message.created', created_at: '2025-01-15T10:30:00Z',
    data: { object: { id: 'msg_1', session_id: 'sess_1', role: 'assistant', content: { type: 'text', text: 'Hi' } } },
  });
  const ts = Math.floor(Date.now() / 1000);
  const headers = { 'Webhook-Id': 'evt_1', 'Webhook-Timestamp': String(ts), 'Webhook-Signature': signWebhook(WEBHOOK_SECRET, 'evt_1', ts, body) };
  const { page, errors } = await openPage('/pkg/package.json');
  try {
    const got = await page.evaluate(async ({ baseUrl, token, body, headers, secret, entry, full }) => {
      const sdk = await import(`/pkg/${entry}`);
      const out = {};
      const event = sdk.parseWebhook(new TextEncoder().encode(body), full ? { headers: new Headers(headers), secret } : { verify: false });
      out.event = [event.type, sdk.outboundMessage(event)?.id];
      try {
        sdk.parseWebhook(body + ' ', { headers, secret });
      } catch (e) {
        out.tampered = [e.name, e.reason ?? e.field, e instanceof (full ? sdk.WebhookVerificationError : sdk.InvalidRequestError)];
      }
      try {
        new sdk.Client({ token: 'sk_live_secret' });
      } catch (e) {
        out.guard = [e.name, e.field];
      }
      out.optIn = new sdk.Client({ token: 'sk_live_secret', dangerouslyAllowBrowser: true }).baseUrl;
      const client = new sdk.Client({ token, baseUrl });
      try {
        await client.sessions.get('sess_missing');
      } catch (e) {
        out.notFound = [e.name, e.status, e instanceof sdk.NotFoundError, e instanceof sdk.AntonniaError];
      }
      const s = await client.sessions.create({ contact_id: 'browser', contact_name: 'Ana' });
      out.roundTrip = (await client.sessions.get(s.id)).id === s.id;
      const ctrl = new AbortController();
      ctrl.abort();
      try {
        await client.sessions.get(s.id, { signal: ctrl.signal });
      } catch (e) {
        out.abort = e.name;
      }
      const limited = new sdk.Client({ token, baseUrl, headers: { 'x-sandbox-fail': `429;times=1;retry-after=0;id=${s.id}` } });
      out.retried = (await limited.sessions.get(s.id)).id === s.id;
      return out;
    }, { baseUrl: sandbox.baseUrl, token: sandbox.token, body, headers, secret: WEBHOOK_SECRET, entry, full });
    assert.deepEqual(got.event, ['message.created', 'msg_1']);
    assert.deepEqual(got.tampered, full ? ['WebhookVerificationError', 'no_matching_signature', true] : ['InvalidRequestError', 'verify', true]);
    assert.deepEqual(got.guard, ['InvalidRequestError', 'dangerouslyAllowBrowser']);
    assert.equal(got.optIn, 'https://services.antonnia.com/conversations/v2/api/v1');
    assert.deepEqual(got.notFound, ['NotFoundError', 404, true, true]);
    assert.equal(got.roundTrip, true);
    assert.equal(got.abort, 'AbortError');
    assert.equal(got.retried, true);
    // Chromium logs the 404 and the 429 as failed resources; nothing else went wrong.
    assert.ok(errors.every((e) => /status of (404|429)/.test(e)), errors.join('\n'));
  } finally {
    await page.close();
  }
});

test('in the browser: a redirect is named as one, errors carry the request id, raw responses', { skip }, async () => {
  // Answers the preflight, then a redirect to elsewhere (with CORS, so the
  // page sees it as the opaque redirect fetch gives for redirect: 'manual').
  const cors = {
    'access-control-allow-origin': '*', 'access-control-allow-headers': '*', 'access-control-allow-methods': '*',
  };
  const redirecting = await startServer((req, res) => {
    if (req.method === 'OPTIONS') return res.writeHead(204, { ...cors, 'access-control-allow-headers': 'authorization, x-request-id' }).end();
    res.writeHead(302, { ...cors, location: 'http://127.0.0.1:9/elsewhere' }).end();
  });
  const { page } = await openPage('/pkg/package.json');
  try {
    const got = await page.evaluate(async ({ baseUrl, token, redirectUrl }) => {
      const sdk = await import('/pkg/index.browser.js');
      const out = {};
      try {
        await new sdk.Client({ token, baseUrl: redirectUrl, maxRetries: 0 }).sessions.get('s');
      } catch (e) {
        out.redirect = [e.name, e.message];
      }
      const client = new sdk.Client({ token, baseUrl, maxRetries: 0 });
      try {
        await client.sessions.get('sess_missing');
      } catch (e) {
        out.requestId = e.requestId;
      }
      const s = await client.sessions.create({ contact_id: 'browser-raw', contact_name: 'Ana' });
      const raw = await client.withRawResponse.sessions.get(s.id);
      out.raw = [raw.data.id === s.id, raw.status, raw.headers instanceof Headers, raw.requestId];
      return out;
    }, { baseUrl: sandbox.baseUrl, token: sandbox.token, redirectUrl: redirecting.url });
    assert.equal(got.redirect[0], 'TransportError');
    assert.match(got.redirect[1], /redirect/);
    assert.ok(!got.redirect[1].includes('not a Response'), got.redirect[1]);
    assert.match(got.requestId, /^req_[0-9a-f]{32}$/);
    assert.deepEqual(got.raw.slice(0, 3), [true, 200, true]);
    assert.match(got.raw[3], /^req_[0-9a-f]{32}$/);
  } finally {
    await page.close();
    await redirecting.stop();
  }
});
