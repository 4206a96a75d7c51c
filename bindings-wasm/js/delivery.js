// A webhook delivery into the core, and its event back, through the core's
// own memory (index.js's parseWebhook, relay.js's handleWebhook). A receiver
// keeps two buffers there: JS encodes the delivery (its header lines, then
// its body) straight into one, and decodes the event from the other, where
// wasm-bindgen would allocate, copy and free both on every call.
import { tapeKeys, tapeOps } from './core_constants.js';
import { invalid } from './errors.js';

/**
 * The host's own SHA-256, when it has a fast one: `node:crypto`'s one-shot
 * `hash` (Node >= 20.12; Deno and Bun have it too), taken through
 * `process.getBuiltinModule` so that other hosts load this file unchanged.
 * Its digest comes back as a latin1 string, which costs Node half what a
 * Buffer does (bench.mjs, "the inner hash alone"). A verifying
 * receiver asks it for the HMAC's inner hash, nearly all of the HMAC's
 * work, instead of running SHA-256 in wasm, which has no SHA instructions
 * (BENCHMARKS.md, "Stop 31"); the core still decides what is hashed and
 * what matches. Checked once against a known digest: any other host, or a
 * `hash` that answers otherwise, leaves the whole HMAC to the core.
 */
export const hostSha256 = (() => {
  try {
    const hash = globalThis.process?.getBuiltinModule?.('node:crypto')?.hash;
    if (typeof hash !== 'function') return null;
    const sha256 = (bytes) => hash('sha256', bytes, 'latin1');
    // SHA-256 of "abc" (FIPS 180-2, appendix B.1).
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    const want = String.fromCharCode(...abc.match(/../g).map((h) => parseInt(h, 16)));
    return sha256(new Uint8Array([0x61, 0x62, 0x63])) === want ? sha256 : null;
  } catch {
    return null;
  }
})();

const encoder = new TextEncoder();
// The core writes only UTF-8.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
// A string body longer than this is encoded on its own first, so that the
// core is not asked for three bytes a character of it.
const RESERVED_TEXT = 64 * 1024;

/** A webhook's raw body as bytes: a string as its UTF-8, a Uint8Array (or Buffer) as it is, or an ArrayBuffer. */
export function bodyBytes(body) {
  if (typeof body === 'string') return encoder.encode(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw invalid('body', 'must be the raw body: a string, a Uint8Array (or Buffer) or an ArrayBuffer');
}

// The core's event tape (core/src/tape.rs): the value its words describe,
// built from slices of the event's text. JSON.parse of the text gives the
// same value, in more than twice the time (BENCHMARKS.md, "Stop 35"): most
// of JSON.parse's work is finding each key in V8's string table, which a
// key given by index skips. The reading state is the module's, so that
// the items need no closure.
const { bits: BITS, object: OBJECT, array: ARRAY, key: KEY, keyText: KEY_TEXT, string: STRING,
  stringEscaped: STRING_ESCAPED, number: NUMBER, true: TRUE, false: FALSE, null: NULL } = tapeOps;
const KIND = (1 << BITS) - 1;
let keyNames = null;
let src = '';
let words = null;
let next = 0;

/** The value the tape at `words[at]` (after its count) describes, of `text`. */
function fromTape(text, tape, at) {
  // Each key as a property name JS already holds (Object.keys gives the
  // string-table copy): setting one then takes no lookup. None is an
  // integer or a name Object.prototype has (core/src/tape.rs), so each
  // keeps its place and sets an own property.
  keyNames ??= Object.keys(Object.fromEntries(tapeKeys.map((k) => [k, 0])));
  // Kept and put back: a setter someone put on Object.prototype could
  // parse a webhook of its own while this one is being built.
  const [outerText, outerWords, outerNext] = [src, words, next];
  src = text;
  words = tape;
  next = at;
  const value = item();
  [src, words, next] = [outerText, outerWords, outerNext];
  return value;
}

function item() {
  const w = words[next++];
  switch (w & KIND) {
    case STRING: return slice();
    case OBJECT: {
      const o = {};
      for (let n = w >>> BITS; n > 0; n--) {
        const k = words[next++];
        if ((k & KIND) === KEY) {
          o[keyNames[k >>> BITS]] = item();
        } else {
          const name = (k & KIND) === KEY_TEXT ? slice() : JSON.parse(slice());
          // Defined, as JSON.parse defines it: `__proto__` an own key, and a
          // name Object.prototype holds (read-only where it is frozen) too.
          Object.defineProperty(o, name, { value: item(), writable: true, enumerable: true, configurable: true });
        }
      }
      return o;
    }
    case ARRAY: {
      const a = [];
      for (let n = w >>> BITS; n > 0; n--) a.push(item());
      return a;
    }
    case STRING_ESCAPED: return JSON.parse(slice());
    // JSON's number grammar is a part of JS's: the same value, rounded alike.
    case NUMBER: return +slice();
    case TRUE: return true;
    case FALSE: return false;
    case NULL: return null;
    default: throw new Error(`antonnia-sdk: the core's event tape has an item of kind ${w & KIND}`);
  }
}

function slice() {
  const s = src.slice(words[next], words[next + 1]);
  next += 2;
  return s;
}

/**
 * The crossing for one build's wasm: `coreMemory` is its export of the same
 * name, called once the wasm is loaded. `sha256` (bytes to their latin1
 * digest, or null) is the one its `hostSha256` uses: the host's by default.
 */
export function deliveryCrossing(coreMemory, sha256 = hostSha256) {
  let memory = null;
  let bytes = new Uint8Array(0);
  let wordView = new Uint32Array(0);
  // The memory's bytes, viewed again when it has grown (growing detaches
  // the old view, which then has no bytes).
  const view = () => {
    if (bytes.byteLength === 0) bytes = new Uint8Array((memory ??= coreMemory()).buffer);
    return bytes;
  };
  // The same memory as four-byte words, for the event's tape.
  const wordsOf = () => {
    if (wordView.byteLength === 0) wordView = new Uint32Array((memory ??= coreMemory()).buffer);
    return wordView;
  };
  return {
    /**
     * Writes the header lines and the body (a string, written as its UTF-8
     * bytes, or bytes) into `receiver`'s delivery buffer: the arguments its
     * `receive` takes, [the delivery's length, the lines' length].
     */
    write(receiver, lines, body) {
      let text = typeof body === 'string';
      if (text && body.length > RESERVED_TEXT) {
        body = encoder.encode(body);
        text = false;
      }
      const max = lines.length * 3 + (text ? body.length * 3 : body.byteLength);
      const at = receiver.deliveryAt(max);
      const buf = view().subarray(at, at + max);
      const headersLen = lines === '' ? 0 : encoder.encodeInto(lines, buf).written;
      if (text) return [headersLen + encoder.encodeInto(body, buf.subarray(headersLen)).written, headersLen];
      buf.set(body, headersLen);
      return [headersLen + body.byteLength, headersLen];
    },
    /**
     * The receiver's SHA-256 (the wasm `WebhookReceiver`'s last argument):
     * hashes the bytes the core points at, into the core's memory; `false`
     * if the host's hash fails, which leaves the hashing to the core. It
     * must not throw: the core calls it without a `catch`.
     * Undefined without a host SHA-256.
     */
    hostSha256: sha256 === null ? undefined : {
      sha256(at, len, out) {
        try {
          const mem = view();
          const digest = sha256(mem.subarray(at, at + len));
          for (let i = 0; i < 32; i++) mem[out + i] = digest.charCodeAt(i);
          return true;
        } catch {
          return false;
        }
      },
    },
    /** The event `receiver.receive` left in its buffer, `len` bytes long. */
    read(receiver, len) {
      const at = receiver.eventAt();
      return decoder.decode(view().subarray(at, at + len));
    },
    /**
     * The same event as a value: built from its tape where the receiver
     * wrote one (not in the browser build, which has no `tapeAt`), parsed
     * from its text otherwise.
     */
    event(receiver, len) {
      const text = this.read(receiver, len);
      if (receiver.tapeAt === undefined) return JSON.parse(text);
      const tape = wordsOf();
      const at = receiver.tapeAt() >>> 2;
      return tape[at] === 0 ? JSON.parse(text) : fromTape(text, tape, at + 1);
    },
  };
}

