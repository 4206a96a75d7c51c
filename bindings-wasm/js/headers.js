// Headers into the core: the one text of `name:value` lines its webhook
// receivers read (index.js's parseWebhook and relay.js's handleWebhook).
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
