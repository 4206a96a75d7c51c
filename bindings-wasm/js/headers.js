// Headers into the core: the one text of `name:value` lines it reads a
// response's headers (index.js's Client) and a webhook's (index.js's
// parseWebhook, relay.js's handleWebhook) from, in one crossing.
import { invalid } from './errors.js';

/**
 * The caller's header pairs as one text of `name:value` lines, the form the
 * core reads in one crossing (cheaper than JSON for a webhook's three). A line
 * break or NUL anywhere, or a colon in a name, would change how the lines
 * split, and is no part of a real HTTP header: refused.
 */
export function headerText(field, pairs) {
  let text = '';
  for (const [k, v] of pairs) {
    if (/[\r\n\0:]/.test(k) || /[\r\n\0]/.test(v)) {
      throw invalid(field, `the header ${JSON.stringify(k)} has a line break or NUL (or a colon in its name), which no HTTP header can carry`);
    }
    text += `${k}:${v}\n`;
  }
  return text;
}

/** A `fetch` response's headers in the same form: `Headers` holds no line break or NUL, and no colon in a name. */
export function responseHeaderText(headers) {
  let text = '';
  for (const [k, v] of headers) text += `${k}:${v}\n`;
  return text;
}
