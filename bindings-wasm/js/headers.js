// Headers into the core: the one text of `name:value` lines it reads a
// response's headers (index.js's Client) and a webhook's (index.js's
// parseWebhook, relay.js's handleWebhook) from, in one crossing.
import { invalid } from './errors.js';

/**
 * One of the caller's headers as a `name:value` line of the text the core
 * reads (cheaper than JSON for a webhook's three). A line break or NUL
 * anywhere, or a colon in a name, would change how the lines split, and is
 * no part of a real HTTP header: refused.
 */
export function headerLine(field, name, value) {
  if (/[\r\n\0:]/.test(name) || /[\r\n\0]/.test(value)) {
    throw invalid(field, `the header ${JSON.stringify(name)} has a line break or NUL (or a colon in its name), which no HTTP header can carry`);
  }
  return `${name}:${value}\n`;
}

/** The caller's header pairs as one text of `name:value` lines ({@link headerLine}). */
export function headerText(field, pairs) {
  let text = '';
  for (const [k, v] of pairs) text += headerLine(field, k, v);
  return text;
}

/** A `fetch` response's headers in the same form: `Headers` holds no line break or NUL, and no colon in a name. */
export function responseHeaderText(headers) {
  let text = '';
  for (const [k, v] of headers) text += `${k}:${v}\n`;
  return text;
}

const encoder = new TextEncoder();
// Reused for every delivery up to this size; a larger one gets a buffer of
// its own, so that one big body is not held for the process's life.
const KEPT_BYTES = 64 * 1024;
let kept = new Uint8Array(4096);

/**
 * A webhook delivery as the core's receivers take it: one buffer of the
 * headers' `name:value` lines, then the body (a string written as its UTF-8
 * bytes), and the lines' length in bytes. One buffer, so that the delivery
 * crosses into wasm in one copy, and a string is encoded straight into it.
 * The buffer is valid until the next call.
 */
export function deliveryBuffer(lines, body) {
  let text = typeof body === 'string';
  if (!text && lines === '') return [body, 0];
  let max = lines.length * 3 + (text ? body.length * 3 : body.byteLength);
  if (text && max > KEPT_BYTES) {
    // Not three bytes a character reserved for a large text: its own bytes.
    body = encoder.encode(body);
    text = false;
    max = lines.length * 3 + body.byteLength;
  }
  let buf = kept;
  if (buf.length < max) {
    buf = new Uint8Array(max);
    if (max <= KEPT_BYTES) kept = buf;
  }
  const headersLen = encoder.encodeInto(lines, buf).written;
  let end;
  if (text) {
    end = headersLen + encoder.encodeInto(body, buf.subarray(headersLen)).written;
  } else {
    buf.set(body, headersLen);
    end = headersLen + body.byteLength;
  }
  return [buf.subarray(0, end), headersLen];
}
