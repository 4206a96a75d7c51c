// Headers into the core: the one text of `name:value` lines it reads a
// response's headers (index.js's Client) and a webhook's (index.js's
// parseWebhook, relay.js's handleWebhook, through delivery.js) from, in one
// crossing.
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
