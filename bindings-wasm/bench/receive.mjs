// One 410-byte webhook through a built package: unverified, the wasm's
// WebhookReceiver.receive alone, the same + JSON.parse, and parseWebhook;
// then parseWebhook verifying its signature.
// For comparing two builds on the same day (BENCHMARKS.md, JavaScript):
//   node bindings-wasm/bench/receive.mjs [path/to/pkg]   (default: bindings-wasm/pkg)
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { bench } from './timing.mjs';

const here = fileURLToPath(new URL('..', import.meta.url));
const pkg = pathToFileURL(resolve(process.argv[2] ?? `${here}/pkg`)).href;
const sdk = await import(`${pkg}/index.js`);
const glue = await import(`${pkg}/antonnia_wasm.js`);
const body = readFileSync(new URL('../../tests/fixtures/message_created_410.json', import.meta.url));

const receiver = new glue.WebhookReceiver(undefined, false, undefined, undefined);
const now = Date.now();
const receive = bench(() => receiver.receive(body, '', now));
const parsed = bench(() => JSON.parse(receiver.receive(body, '', now)));
const parseWebhook = bench(() => sdk.parseWebhook(body, { verify: false }));
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ts = Math.floor(now / 1000);
const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': sdk.signWebhook(secret, 'msg_1', ts, body) };
const verified = bench(() => sdk.parseWebhook(body, { headers, secret }));
console.log(`${pkg}: wasm receive ${receive.toFixed(2)} µs, + JSON.parse ${parsed.toFixed(2)} µs, parseWebhook ${parseWebhook.toFixed(2)} µs, verified ${verified.toFixed(2)} µs`);
