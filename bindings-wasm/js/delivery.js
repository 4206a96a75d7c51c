// A webhook delivery into the core, and its event back, through the core's
// own memory (index.js's parseWebhook, relay.js's handleWebhook). A receiver
// keeps two buffers there: JS encodes the delivery (its header lines, then
// its body) straight into one, and decodes the event from the other, where
// wasm-bindgen would allocate, copy and free both on every call.
import { invalid } from './errors.js';

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

/**
 * The crossing for one build's wasm: `coreMemory` is its export of the same
 * name, called once the wasm is loaded.
 */
export function deliveryCrossing(coreMemory) {
  let memory = null;
  let bytes = new Uint8Array(0);
  // The memory's bytes, viewed again when it has grown (growing detaches
  // the old view, which then has no bytes).
  const view = () => {
    if (bytes.byteLength === 0) bytes = new Uint8Array((memory ??= coreMemory()).buffer);
    return bytes;
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
    /** The event `receiver.receive` left in its buffer, `len` bytes long. */
    read(receiver, len) {
      const at = receiver.eventAt();
      return decoder.decode(view().subarray(at, at + len));
    },
  };
}
