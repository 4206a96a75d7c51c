// The examples run: the Node webhook receiver delivers the agent's answer
// and reports it sent; the README's JavaScript Quick Start runs as written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

import { Client } from '../pkg/index.js';
import { webhookHandler } from '../examples/webhook-receiver.mjs';
import { startSandbox, WEBHOOK_SECRET, uid } from './helpers.mjs';

test('examples/webhook-receiver.mjs delivers the answer once and reports it sent', async () => {
  const deliveries = [];
  let client;
  const server = createServer((req, res) => handler(req, res));
  let handler = () => {};
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${server.address().port}/webhooks`;
  const sb = await startSandbox('--time-scale', '0.01', '--webhook-url', url, '--webhook-secret', WEBHOOK_SECRET,
    '--duplicate-webhooks', '1');
  try {
    client = new Client({ token: sb.token, baseUrl: sb.baseUrl });
    handler = webhookHandler({
      client,
      secret: WEBHOOK_SECRET,
      deliver: async (message, what) => {
        deliveries.push([message.id, what.kind, what.text]);
        return `ext_${message.id}`;
      },
    });
    const s = await client.sessions.create({ contact_id: `c_${uid()}`, contact_name: 'Ana', agent_id: 'agent_abc' });
    await client.sessions.messages.create(s.id, { content: { type: 'text', text: 'Hello' } });
    await client.sessions.reply(s.id, { debounce_time: 1 });
    let answer;
    for (let i = 0; i < 200 && !answer; i++) {
      await new Promise((r) => setTimeout(r, 100));
      answer = (await client.sessions.messages.search({ session_id: s.id, role: 'assistant' }))
        .find((m) => m.delivery_status === 'sent');
    }
    assert.ok(answer, 'the answer was never reported sent');
    assert.equal(answer.provider_message_id, `ext_${answer.id}`);
    await new Promise((r) => setTimeout(r, 500)); // the duplicate delivery has arrived by now
    assert.deepEqual(deliveries.map((d) => d[0]), [answer.id]);
    assert.equal(deliveries[0][1], 'text');
  } finally {
    server.closeAllConnections();
    server.close();
    await sb.stop();
  }
});

test("the README's JavaScript Quick Start runs against the sandbox", async () => {
  const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  const block = /## JavaScript \/ TypeScript Quick Start[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README.md has a JavaScript Quick Start block');
  const sb = await startSandbox('--time-scale', '0.01');
  try {
    // The snippet's free names: the environment, and the webhook request it handles.
    const body = JSON.stringify({ id: 'evt_1', type: 'message.created', created_at: new Date().toISOString(),
      data: { object: { id: 'msg_1', session_id: 'sess_1', role: 'assistant', content: { type: 'text', text: 'Hi' } } } });
    const sdk = await import('../pkg/index.js');
    const ts = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': 'evt_1', 'webhook-timestamp': String(ts), 'webhook-signature': sdk.signWebhook(WEBHOOK_SECRET, 'evt_1', ts, body) };
    const sentOn = [];
    const myChannel = { send: async (what) => { sentOn.push(what); return 'ext_msg_002'; } };
    const env = { ANTONNIA_TOKEN: sb.token, ANTONNIA_BASE_URL: sb.baseUrl, ANTONNIA_WEBHOOK_SECRET: WEBHOOK_SECRET };
    const code = block[1]
      .replace(/^import .*$/gm, '')
      .replaceAll('process.env', 'env');
    const run = new Function('sdk', 'env', 'body', 'headers', 'myChannel',
      `const { Client, parseWebhook, outboundMessage, deliverable, sent } = sdk;
       return (async () => { ${code} })();`);
    await assert.rejects(run(sdk, env, body, headers, myChannel), (e) => {
      // msg_1 in sess_1 is not in the sandbox: the update's 404 proves the snippet got that far.
      assert.ok(e instanceof sdk.NotFoundError, `${e.name}: ${e.message}`);
      return true;
    });
    assert.equal(sentOn.length, 1);
    assert.equal(sentOn[0].text, 'Hi');
  } finally {
    await sb.stop();
  }
});
