// One 410-byte webhook through a built package: unverified, the wasm's
// WebhookReceiver.receive alone (and, for scale, a 21-byte event), the same
// + JSON.parse (and JSON.parse of its event alone), the same event built
// from the core's tape instead (stop 35's packages), and parseWebhook,
// without and with the three headers; then parseWebhook verifying its
// signature, and the same verified parse without parseWebhook's JS.
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
// The wasm receive: bytes in, the event's canonical JSON text out. Since
// stop 30 the delivery is written into, and the event read from, the core's
// memory (delivery.js); in stop 29 it crossed as one buffer, headers first
// (their length in bytes second); before, the header text was its own string.
// `crossing` is that memory's (null for the earlier packages).
let receiveText;
let crossing = null;
if ('deliveryAt' in glue.WebhookReceiver.prototype) {
  const { deliveryCrossing } = await import(`${pkg}/delivery.js`);
  crossing = deliveryCrossing(glue.coreMemory);
  receiveText = (bytes) => {
    const [len, headersLen] = crossing.write(receiver, '', bytes);
    return crossing.read(receiver, receiver.receive(len, headersLen, now));
  };
} else {
  const noHeaders = glue.WebhookReceiver.prototype.receive.toString().includes('headers_len') ? 0 : '';
  receiveText = (bytes) => receiver.receive(bytes, noHeaders, now);
}
// For scale, the smallest of bodies: a 21-byte event of a type the core does
// not know (read generically, as a JSON value), so mostly the crossing.
const tiny = new TextEncoder().encode('{"type":"x","data":1}');
const floor = bench(() => receiveText(tiny));
const receive = bench(() => receiveText(body));
const parsed = bench(() => JSON.parse(receiveText(body)));
// JSON.parse of the same event text alone: the receive and it, timed apart,
// add up to less than the two timed together (each loop alone keeps its own
// code and branches hot; BENCHMARKS.md, "Stop 33").
const eventText = receiveText(body);
const parsedAlone = bench(() => JSON.parse(eventText));
// The event as the package makes it since stop 35: built from the tape the
// receiver writes beside the text (delivery.js's `event`).
const built = crossing?.event !== undefined && 'tapeAt' in glue.WebhookReceiver.prototype
  ? `${bench(() => {
    const [len, headersLen] = crossing.write(receiver, '', body);
    return crossing.event(receiver, receiver.receive(len, headersLen, now));
  }).toFixed(2)} µs`
  : 'no tape in this build';
const parseWebhook = bench(() => sdk.parseWebhook(body, { verify: false }));
// The three Standard Webhooks headers, passed but not verified: what
// handing them over costs (JS joins and checks them, wasm splits them).
const ts = Math.floor(now / 1000);
const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=' };
const withHeaders = bench(() => sdk.parseWebhook(body, { verify: false, headers }));
let verified = 'not in the browser build';
if (!browser) {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const signed = { ...headers, 'webhook-signature': sdk.signWebhook(secret, 'msg_1', ts, body) };
  verified = `${bench(() => sdk.parseWebhook(body, { headers: signed, secret })).toFixed(2)} µs`;
  // The same verified parse without parseWebhook's own JS (its option
  // checks, and picking and checking the signature headers): their lines
  // built once, beforehand. What parseWebhook would cost if all that were
  // free (BENCHMARKS.md, "Stop 34").
  if (crossing !== null) {
    const checking = new glue.WebhookReceiver(secret, true, undefined, undefined, crossing.hostSha256);
    const lines = Object.entries(signed).map(([k, v]) => `${k}:${v}\n`).join('');
    const bare = bench(() => {
      const [len, headersLen] = crossing.write(checking, lines, body);
      const written = checking.receive(len, headersLen, Date.now());
      return crossing.event ? crossing.event(checking, written) : JSON.parse(crossing.read(checking, written));
    });
    verified += ` (without parseWebhook's JS: ${bare.toFixed(2)} µs)`;
  }
}
console.log(`${pkg}${browser ? ' (browser build)' : ''}: wasm receive ${receive.toFixed(2)} µs (21-byte unknown event ${floor.toFixed(2)} µs), + JSON.parse ${parsed.toFixed(2)} µs (JSON.parse of the event alone ${parsedAlone.toFixed(2)} µs), built from its tape instead ${built}, parseWebhook ${parseWebhook.toFixed(2)} µs, with the three headers unverified ${withHeaders.toFixed(2)} µs, verified ${verified}`);
