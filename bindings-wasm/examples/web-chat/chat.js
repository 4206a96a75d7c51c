// A browser web chat on antonnia-sdk: one session per visitor, the user's
// messages sent with messages.create + sessions.reply, and every new message
// (the agent's answers included) shown as messages.stream yields it.
// (In an app: from 'antonnia-sdk', which browser bundlers resolve to this
// file, the package's browser build.)
import { Client, AntonniaError, isKnownContent } from '../../pkg/index.browser.js';

const query = new URLSearchParams(location.search);
const client = new Client({
  baseUrl: query.get('baseUrl') ?? `${location.origin}/conversations/v2/api/v1`,
  // Only for the local sandbox: in production a proxy adds the token
  // (null: no token, on purpose).
  token: query.get('token') ?? null,
});

const log = document.getElementById('log');
const status = document.getElementById('status');
const input = document.getElementById('text');
const button = document.getElementById('button');

function show(message) {
  const div = document.createElement('div');
  div.className = `msg ${message.role ?? 'unknown'}`;
  div.dataset.id = message.id;
  const c = message.content;
  div.textContent = isKnownContent(c) && c.type === 'text' ? c.text : `[${c.type}]`;
  log.append(div);
  log.scrollTop = log.scrollHeight;
}

function fail(e) {
  status.textContent = e instanceof AntonniaError ? `${e.name}: ${e.message}` : String(e);
  status.dataset.error = 'true';
}

const session = await client.sessions.create({
  contact_id: `web_${crypto.randomUUID()}`,
  contact_name: 'Web visitor',
  agent_id: query.get('agent') ?? 'agent_abc',
  metadata: { channel_type: 'web_chat' },
});
status.textContent = `session ${session.id}`;
input.disabled = button.disabled = false;

(async () => {
  for await (const message of client.sessions.messages.stream(session.id, { pollIntervalMs: 250, maxPollIntervalMs: 2000 })) {
    show(message);
  }
})().catch(fail);

document.getElementById('send').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  try {
    await client.sessions.messages.create(session.id, { content: { type: 'text', text }, role: 'user' });
    await client.sessions.reply(session.id, { debounce_time: 1 });
  } catch (e) {
    fail(e);
  }
});
