// The event tape (core/src/tape.rs, js/delivery.js): the value parseWebhook
// builds from the core's tape is the value JSON.parse gives of the core's
// canonical text, key order and own properties included, for every webhook
// vector and for free-form JSON of every kind (an app.connection.created
// event keeps its `object` whole). The server build writes the tape; the
// browser build has none and parses the text (vectors.test.mjs runs there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { deliveryCrossing } from '../pkg/delivery.js';
import { tapeKeys } from '../pkg/core_constants.js';
import { bodyOf, seededRandom } from './helpers.mjs';

const BROWSER = process.env.ANTONNIA_SDK_BUILD === 'browser';
const sdk = await import('../pkg/index.js');
const wasm = await import('../pkg/wasm.js');
const FIXTURES = fileURLToPath(new URL('../../tests/fixtures/', import.meta.url));

const crossing = deliveryCrossing(wasm.coreMemory);
const receiver = new wasm.WebhookReceiver(undefined, false, undefined, undefined);

/** The core's canonical text of a body, its tape's length in words, and the value built from the tape. */
function receive(body) {
  const [len, headersLen] = crossing.write(receiver, '', body);
  const written = receiver.receive(len, headersLen, 0);
  const words = new Uint32Array(wasm.coreMemory().buffer)[receiver.tapeAt() >>> 2];
  const text = crossing.read(receiver, written);
  return { text, words, built: crossing.event(receiver, written) };
}

/** The same value as JSON.parse gives: equal, in the same key order, with the same own keys. */
function assertSameAsParse(text, built) {
  const parsed = JSON.parse(text);
  assert.deepStrictEqual(built, parsed);
  assert.equal(JSON.stringify(built), JSON.stringify(parsed));
  const walk = (a, b) => {
    if (typeof a !== 'object' || a === null) return;
    assert.equal(Object.getPrototypeOf(a), Object.getPrototypeOf(b));
    assert.deepEqual(Reflect.ownKeys(a), Reflect.ownKeys(b));
    for (const k of Reflect.ownKeys(b)) walk(a[k], b[k]);
  };
  walk(built, parsed);
}

test('every webhook vector: the event built from the tape is the one JSON.parse gives', { skip: BROWSER }, () => {
  const vectors = JSON.parse(readFileSync(`${FIXTURES}webhooks.json`, 'utf8')).vectors;
  let events = 0;
  for (const v of vectors) {
    if (!('event' in v) || 'sign' in v) continue;
    const { text, words, built } = receive(bodyOf(v));
    assert.ok(words > 0, `${v.name}: no tape`);
    assertSameAsParse(text, built);
    assert.deepEqual(built, v.event, v.name);
    events += 1;
  }
  assert.ok(events >= 10, `${events}`);
  const { words, built } = receive(readFileSync(`${FIXTURES}message_created_410.json`));
  assert.ok(words > 0);
  assert.equal(built.data.object.content.text, 'Order #4521 shipped; arrives Fri.');
  assert.equal(built.created_at, '2025-01-15T10:30:07.5Z');
});

test('free-form JSON of every kind: the same value, keys, order and prototype as JSON.parse', { skip: BROWSER }, () => {
  const rand = seededRandom();
  const strings = ['', 'a', 'Olá, você', 'emoji 😀 and € and ß', 'quote " and \\ backslash', 'line\nbreak\ttab',
    '\u0001 control', 'ключ', '__proto__', 'toString', 'constructor', '0', '17', 'id', 'type', 'created_at',
    'metadata', 'channel_type', '𝄞'.repeat(5), 'x'.repeat(40)];
  const numbers = [0, -0, 1, -1, 1.5, 1e300, -2.5e-300, 2 ** 53 + 2, 12345678901234567890, 0.1];
  const value = (depth) => {
    switch (depth > 3 ? rand(4) : rand(7)) {
      case 0: return strings[rand(strings.length)];
      case 1: return numbers[rand(numbers.length)];
      case 2: return [true, false, null][rand(3)];
      case 3: return strings[rand(strings.length)] + strings[rand(strings.length)];
      case 4: case 5: {
        const o = {};
        for (let n = rand(5); n > 0; n--) {
          Object.defineProperty(o, strings[rand(strings.length)],
            { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
        }
        return o;
      }
      default: return Array.from({ length: rand(4) }, () => value(depth + 1));
    }
  };
  for (let i = 0; i < 500; i++) {
    const object = value(0);
    const body = JSON.stringify({ id: `evt_${i}`, type: 'app.connection.created', data: { object } });
    const { text, words, built } = receive(rand(2) === 0 ? body : Buffer.from(body));
    assert.ok(words > 0, body);
    assertSameAsParse(text, built);
    assert.deepStrictEqual(built.data.object, JSON.parse(JSON.stringify(object)), body);
  }
  // `__proto__` is an own key, as JSON.parse makes it, and sets no prototype.
  const { built } = receive('{"type":"app.connection.created","data":{"object":{"__proto__":{"polluted":true}}}}');
  assert.ok(Object.hasOwn(built.data.object, '__proto__'));
  assert.equal(Object.getPrototypeOf(built.data.object), Object.prototype);
  assert.equal({}.polluted, undefined);
});

test('parseWebhook gives the tape-built event; deeper than the tape goes, the text is parsed', { skip: BROWSER }, () => {
  const deep = `{"type":"app.connection.created","data":{"object":${'['.repeat(70)}1${']'.repeat(70)}}}`;
  const { words, built, text } = receive(deep);
  assert.equal(words, 0);
  assertSameAsParse(text, built);
  assert.deepStrictEqual(sdk.parseWebhook(deep, { verify: false }), JSON.parse(text));
  const body = readFileSync(`${FIXTURES}message_created_410.json`);
  assert.deepStrictEqual(sdk.parseWebhook(body, { verify: false }), receive(body).built);
});

test('a setter on Object.prototype that parses a webhook of its own leaves the outer event whole', { skip: BROWSER }, () => {
  const body = readFileSync(`${FIXTURES}message_created_410.json`);
  const want = sdk.parseWebhook(body, { verify: false });
  const inner = [];
  Object.defineProperty(Object.prototype, 'run_id', {
    configurable: true,
    set(value) {
      inner.push(sdk.parseWebhook('{"type":"x","data":{"inner":"yes","n":[1,2]}}', { verify: false }));
      Object.defineProperty(this, 'run_id', { value, writable: true, enumerable: true, configurable: true });
    },
  });
  try {
    assert.deepStrictEqual(sdk.parseWebhook(body, { verify: false }), want);
  } finally {
    delete Object.prototype.run_id;
  }
  assert.equal(inner.length, 1);
  assert.deepEqual(inner[0].data, { inner: 'yes', n: [1, 2] });
});

test('the keys given by index are names JS keeps in place as own properties', () => {
  assert.ok(tapeKeys.length > 40);
  assert.equal(new Set(tapeKeys).size, tapeKeys.length);
  for (const k of tapeKeys) {
    assert.ok(!(k in Object.prototype), k);
    assert.ok(!/^\d+$/.test(k), k);
  }
  const o = Object.fromEntries(tapeKeys.map((k) => [k, 0]));
  assert.deepEqual(Object.keys(o), tapeKeys);
});
