// A webhook receiver on node:http: verify and parse each delivery, deliver
// the assistant's pending messages on your channel once per message id, and
// report them `sent` (or `failed`).
//
//   ANTONNIA_TOKEN=sk_test_sandbox \
//   ANTONNIA_BASE_URL=http://127.0.0.1:41234/conversations/v2/api/v1 \
//   ANTONNIA_WEBHOOK_SECRET=whsec_... node examples/webhook-receiver.mjs   # listens on :9000
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

import {
  Client, parseWebhook, outboundMessage, deliverable, sent, failed, AntonniaError,
} from '../pkg/index.js';

const MAX_BODY = 1024 * 1024;

/**
 * The request handler. `deliver(message, what)` sends on your channel and
 * returns the channel's message id (or throws with a `code`).
 */
export function webhookHandler({ client, secret, deliver }) {
  const delivered = new Set(); // webhooks can arrive twice: deliver each id once
  return (req, res) => {
    if (req.method !== 'POST') return res.writeHead(405).end();
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', async () => {
      let event;
      try {
        // The raw bytes: the signature is over them, never re-encode the body.
        event = parseWebhook(Buffer.concat(chunks), { headers: req.headers, secret });
      } catch (e) {
        res.writeHead(e instanceof AntonniaError ? 400 : 500).end();
        return;
      }
      // Answer at once; deliver after (Antonnia retries slow endpoints).
      res.writeHead(204).end();
      const message = outboundMessage(event);
      if (!message || !message.session_id || delivered.has(message.id)) return;
      delivered.add(message.id);
      try {
        const providerId = await deliver(message, deliverable(message));
        await client.sessions.messages.update(message.session_id, message.id, sent(providerId));
      } catch (e) {
        const fields = e instanceof AntonniaError ? null : failed(typeof e.code === 'number' ? e.code : null, String(e.message));
        if (fields) await client.sessions.messages.update(message.session_id, message.id, fields).catch(console.error);
        else console.error(e);
      }
    });
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const client = new Client({ token: process.env.ANTONNIA_TOKEN, baseUrl: process.env.ANTONNIA_BASE_URL });
  const handler = webhookHandler({
    client,
    secret: process.env.ANTONNIA_WEBHOOK_SECRET,
    // Your channel's send function goes here.
    deliver: async (message, what) => {
      console.log(`deliver to ${message.session_id}: ${what.kind} ${what.text ?? what.mediaUrl ?? ''}`);
      return `ext_${message.id}`;
    },
  });
  const port = Number(process.env.PORT ?? 9000);
  createServer(handler).listen(port, () => console.log(`webhook receiver on http://127.0.0.1:${port}/webhooks`));
}
