// One 410-byte webhook, unverified, through a built package: the wasm's
// WebhookReceiver.receive alone, the same + JSON.parse, and parseWebhook.
// For comparing two builds on the same day (BENCHMARKS.md, JavaScript):
//   node bindings-wasm/bench/receive.mjs [path/to/pkg]   (default: bindings-wasm/pkg)
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const here = fileURLToPath(new URL('..', import.meta.url));
const pkg = pathToFileURL(resolve(process.argv[2] ?? `${here}/pkg`)).href;
const sdk = await import(`${pkg}/index.js`);
const glue = await import(`${pkg}/antonnia_wasm.js`);
const body = readFileSync(new URL('../../tests/fixtures/message_created_410.json', import.meta.url));

/** Best of 7 timed loops of 20 000, in µs per operation. */
function bench(fn, n = 20_000) {
  for (let i = 0; i < n; i++) fn();
  let best = Infinity;
  for (let r = 0; r < 7; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1000 / n);
  }
  return best;
}

const receiver = new glue.WebhookReceiver(undefined, false, undefined, undefined);
const now = Date.now();
const receive = bench(() => receiver.receive(body, [], now));
const parsed = bench(() => JSON.parse(receiver.receive(body, [], now)));
const parseWebhook = bench(() => sdk.parseWebhook(body, { verify: false }));
console.log(`${pkg}: wasm receive ${receive.toFixed(2)} µs, + JSON.parse ${parsed.toFixed(2)} µs, parseWebhook ${parseWebhook.toFixed(2)} µs`);
