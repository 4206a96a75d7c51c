// Headers into the core: the one text of `name:value` lines it reads a
// response's headers (index.js's Client) and a webhook's (index.js's
// parseWebhook, relay.js's handleWebhook, through delivery.js) from, in one
// crossing.
import { signatureHeaders } from './core_constants.js';
import { invalid } from './errors.js';

const SIGNATURE_NAMES = new Set(signatureHeaders);
const SIGNATURE_LENGTHS = new Set(signatureHeaders.map((name) => name.length));

/**
 * One of a webhook's headers as a `name:value` line of the text the core
 * reads its signature from, when it may be one of the three the core reads
 * (its SIGNATURE_HEADERS, which it matches ignoring ASCII case); undefined
 * for any other header, which need not cross, nor cost a check or the
 * core's reading. Every ASCII-case form of the three passes (the length
 * first: cheaper than `toLowerCase`), and the core matches what passes by
 * its own rule. Such a name holds no colon, line break or NUL; a line break
 * or NUL in the value would change how the lines split, and is no part of a
 * real HTTP header: refused.
 */
export function signatureHeaderLine(field, name, value) {
  if (!SIGNATURE_LENGTHS.has(name.length) || !(SIGNATURE_NAMES.has(name) || SIGNATURE_NAMES.has(name.toLowerCase()))) {
    return undefined;
  }
  // Three searches: cheaper than a regex for a header's length.
  if (value.includes('\n') || value.includes('\r') || value.includes('\0')) {
    throw invalid(field, `the header ${JSON.stringify(name)} has a line break or NUL, which no HTTP header can carry`);
  }
  return `${name}:${value}\n`;
}

/** The signature's lines ({@link signatureHeaderLine}) of a webhook's header pairs, as one text. */
export function signatureHeaderText(field, pairs) {
  let text = '';
  for (const [k, v] of pairs) text += signatureHeaderLine(field, k, v) ?? '';
  return text;
}

/** A `fetch` response's headers in the same form: `Headers` holds no line break or NUL, and no colon in a name. */
export function responseHeaderText(headers) {
  let text = '';
  for (const [k, v] of headers) text += `${k}:${v}\n`;
  return text;
}
