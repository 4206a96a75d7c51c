#!/usr/bin/env bash
# `npm pack` of bindings-wasm/pkg yields a tarball that installs into an
# empty folder (no registry needed: the package has no dependencies) and
# works there with no build step, from Node as ESM and from TypeScript
# through package.json `exports` (antonnia-sdk/relay too, without its
# optional peer node-redis).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$here/pkg" && npm pack --silent --pack-destination "$tmp" >/dev/null)
tarball="$(ls "$tmp"/antonnia-sdk-*.tgz)"
echo "packed $(basename "$tarball"): $(wc -c < "$tarball") bytes"
mkdir "$tmp/app"
cd "$tmp/app"
echo '{"name":"app","private":true,"type":"module"}' > package.json
npm install --offline --no-audit --no-fund --loglevel=error "$tarball"
cat > main.mjs <<'JS'
import { Client, parseWebhook, signWebhook, outboundMessage, NotFoundError, VERSION } from 'antonnia-sdk';
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const body = JSON.stringify({ id: 'evt_1', type: 'message.created', created_at: '2025-01-15T10:30:00Z',
  data: { object: { id: 'msg_1', session_id: 'sess_1', role: 'assistant', content: { type: 'text', text: 'Hi' } } } });
const ts = Math.floor(Date.now() / 1000);
const headers = { 'webhook-id': 'evt_1', 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(secret, 'evt_1', ts, body) };
const event = parseWebhook(body, { headers, secret });
if (event.type !== 'message.created' || outboundMessage(event)?.id !== 'msg_1') throw new Error('webhook round trip failed');
const client = new Client({ token: 'sk_test_x', baseUrl: 'https://api.test/v1', maxRetries: 0,
  fetch: async () => new Response('{"detail":"Session not found"}', { status: 404 }) });
try { await client.sessions.get('sess_x'); throw new Error('no error'); }
catch (e) { if (!(e instanceof NotFoundError) || e.detail !== 'Session not found') throw e; }
console.log(`antonnia-sdk ${VERSION} works from the installed tarball`);
// The server-only relay entry resolves; node-redis is an optional peer, not installed here.
const { ChannelRelay, MemoryStore, RedisStore, RelayError } = await import('antonnia-sdk/relay');
new ChannelRelay({ client, channelType: 'whatsapp', deliver: async () => 'x', verify: false, store: new MemoryStore() });
try { await RedisStore.fromUrl('redis://127.0.0.1:1/0'); throw new Error('no error without redis'); }
catch (e) { if (!(e instanceof RelayError) || !e.message.includes('npm install redis')) throw e; }
console.log('antonnia-sdk/relay works without node-redis installed, and names it when RedisStore needs it');
JS
node main.mjs
# The browser build (what the `browser` export condition resolves) is in the
# tarball and works: it parses a delivery its server verified, and refuses to verify.
cat > browser-build.mjs <<'JS'
import { parseWebhook, InvalidRequestError } from './node_modules/antonnia-sdk/index.browser.js';
const body = JSON.stringify({ id: 'evt_1', type: 'message.created', created_at: '2025-01-15T10:30:00Z',
  data: { object: { id: 'msg_1', session_id: 'sess_1', role: 'assistant', content: { type: 'text', text: 'Hi' } } } });
if (parseWebhook(body, { verify: false }).data.object.id !== 'msg_1') throw new Error('the browser build did not parse');
try { parseWebhook(body, { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }); throw new Error('the browser build verified'); }
catch (e) { if (!(e instanceof InvalidRequestError) || e.field !== 'verify') throw e; }
console.log('the browser build (index.browser.js, antonnia_web_bg.wasm) works from the installed tarball');
JS
node browser-build.mjs
# CommonJS: require('antonnia-sdk') from the installed tarball makes a call;
# require('antonnia-sdk/relay') (ESM only) fails naming the import to write.
cat > main.cjs <<'JS'
const { Client, NotFoundError, VERSION } = require('antonnia-sdk');
const client = new Client({ token: 'sk_test_x', baseUrl: 'https://api.test/v1', maxRetries: 0,
  fetch: async () => new Response('{"detail":"Session not found"}', { status: 404 }) });
client.sessions.get('sess_x').then(() => { throw new Error('no error'); }, (e) => {
  if (!(e instanceof NotFoundError) || !/^req_[0-9a-f]{32}$/.test(e.requestId)) throw e;
  let relayError;
  try { require('antonnia-sdk/relay'); } catch (x) { relayError = x; }
  if (!relayError || !relayError.message.includes("import { ChannelRelay, RedisStore } from 'antonnia-sdk/relay'")) {
    throw new Error(`require('antonnia-sdk/relay') should name the ESM import, got: ${relayError?.message}`);
  }
  console.log(`require('antonnia-sdk') ${VERSION} works from the installed tarball; require('antonnia-sdk/relay') names the import`);
});
JS
node main.cjs
cat > main.ts <<'TS'
import { Client, parseWebhook, isKnownEvent, type WebhookEvent, type Session } from 'antonnia-sdk';
const client = new Client({ token: 'sk_test_x' });
const s: Promise<Session> = client.sessions.get('sess_1');
const e: WebhookEvent = parseWebhook('{}', { verify: false });
if (isKnownEvent(e) && e.type === 'message.created') { const id: string = e.data.object.id; void id; }
void s;
import { ChannelRelay, MemoryStore, type Received } from 'antonnia-sdk/relay';
const relay = new ChannelRelay({ client, channelType: 'web', deliver: async () => null, verify: false, store: new MemoryStore() });
const got: Promise<Received> = relay.receive({ channel_user_id: 'u', text: 'hi', provider_message_id: 'p' });
void got;
TS
"$here/node_modules/.bin/tsc" --strict --noEmit --module nodenext --moduleResolution nodenext --target es2022 --lib es2022,dom main.ts
echo "types resolve through package.json exports"
