// One 410-byte webhook through a built package: unverified, the wasm's
// WebhookReceiver.receive alone, the same + JSON.parse, and parseWebhook;
// then parseWebhook verifying its signature.
// For comparing two builds on the same day (BENCHMARKS.md, JavaScript):
//   node bindings-wasm/bench/receive.mjs [path/to/pkg] [--browser]   (default: bindings-wasm/pkg)
// --browser measures the browser build (index.browser.js: opt-level z, no
// verification, so no verified row).
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { bench } from './timing.mjs';

const here = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const browser = args.includes('--browser');
const pkg = pathToFileURL(resolve(args.find((a) => a !== '--browser') ?? `${here}/pkg`)).href;
const sdk = await import(`${pkg}/${browser ? 'index.browser.js' : 'index.js'}`);
const glue = await import(`${pkg}/${browser ? 'antonnia_web.js' : 'antonnia_wasm.js'}`);
const body = readFileSync(new URL('../../tests/fixtures/message_created_410.json', import.meta.url));

const receiver = new glue.WebhookReceiver(undefined, false, undefined, undefined);
const now = Date.now();
const receive = bench(() => receiver.receive(body, '', now));
const parsed = bench(() => JSON.parse(receiver.receive(body, '', now)));
const parseWebhook = bench(() => sdk.parseWebhook(body, { verify: false }));
let verified = 'not in the browser build';
if (!browser) {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const ts = Math.floor(now / 1000);
  const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': sdk.signWebhook(secret, 'msg_1', ts, body) };
  verified = `${bench(() => sdk.parseWebhook(body, { headers, secret })).toFixed(2)} µs`;
}
console.log(`${pkg}${browser ? ' (browser build)' : ''}: wasm receive ${receive.toFixed(2)} µs, + JSON.parse ${parsed.toFixed(2)} µs, parseWebhook ${parseWebhook.toFixed(2)} µs, verified ${verified}`);
