// The Node channel relay's guarantees (docs/relay.md), each proven against
// antonnia-sandbox over real HTTP, with MemoryStore and with a real
// redis-server: the same tests as bindings-python/tests/test_relay.py.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { AntonniaError, Client, signWebhook } from '../pkg/index.js';
import * as wasm from '../pkg/relay_wasm.js';
import { deliveryCrossing } from '../pkg/delivery.js';
import {
  ChannelRelay, MemoryStore, RedisStore, DeliveryError, StoreUnavailableError, RelayError, LockTimeoutError,
  observeWithOpenTelemetry, observeWithPromClient,
} from '../pkg/relay.js';
import promClient from 'prom-client';
import { MeterProvider, MetricReader, AggregationTemporality } from '@opentelemetry/sdk-metrics';
import { startSandbox, startWebhookSink, startRedis, freePort, WEBHOOK_SECRET } from './helpers.mjs';

const sink = await startWebhookSink();
const sandbox = await startSandbox('--time-scale', '0.01', '--webhook-url', sink.url, '--webhook-secret', WEBHOOK_SECRET);
const redis = await startRedis(); // null when redis-server is missing (skipped unless ANTONNIA_REQUIRE_REDIS)
const client = new Client({ token: sandbox.token, baseUrl: sandbox.baseUrl });
after(async () => {
  await sandbox?.stop();
  await sink?.stop();
  await redis?.stop();
});

/** A fake channel: records every send; can refuse or stall. */
class Channel {
  sent = []; // [message id, user, redelivery, idempotency key]
  refuse = null;
  delayMs = 0;
  deliver = async (message, contact, attempt) => {
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.refuse !== null) throw new DeliveryError(this.refuse);
    this.sent.push([message.id, contact.channel_user_id, attempt.redelivery, attempt.idempotency_key]);
    return `wamid.${message.id}`;
  };
  ids() {
    return this.sent.map((s) => s[0]);
  }
}

const user = () => `55${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;

function answer(sessionId) {
  return sink.next((doc) => doc.type === 'message.created' && doc.data?.object?.role === 'assistant'
    && doc.data.object.session_id === sessionId);
}

function resign(headers, body) {
  const ts = Number(headers['webhook-timestamp']);
  return { ...headers, 'webhook-signature': signWebhook(WEBHOOK_SECRET, headers['webhook-id'], ts, body) };
}

/** Relays sharing one store, as worker processes share one Redis (each Redis relay has its own connection). */
function relays(kind) {
  const prefix = `t${randomUUID().slice(0, 8)}`;
  const memory = new MemoryStore();
  const made = [];
  const make = async (channel, extra = {}) => {
    const store = extra.store ?? (kind === 'memory' ? memory : await RedisStore.fromUrl(redis.url));
    const relay = new ChannelRelay({
      client, channelType: 'whatsapp', agentId: 'agent_abc', deliver: channel.deliver,
      webhookSecret: WEBHOOK_SECRET, prefix, ...extra, store,
    });
    made.push(relay);
    return relay;
  };
  make.closeAll = () => Promise.all(made.map((r) => r.close()));
  return make;
}

/** A logger that keeps what it is given. */
function keeper() {
  const lines = [];
  return { lines, warn: (msg, details) => lines.push(['warn', msg, details]), error: (msg, details) => lines.push(['error', msg, details]) };
}

/** Claims the webhook's message the way a worker does (its recovery index entry too), then never settles it (it "died"). */
async function claimAsDeadWorker(relay, body, leaseMs) {
  const receiver = new wasm.WebhookReceiver(undefined, false);
  const [len, headersLen] = deliveryCrossing(wasm.coreMemory).write(receiver, '', body);
  const { event, action } = JSON.parse(receiver.receiveForRelay(len, headersLen, Date.now()));
  const message = event.data.object;
  const sid = message.session_id;
  const k = relay.keys;
  const result = await relay.store.claim({
    outboundKey: k.outbound(sid, message.id), queueKey: k.queue(sid), contactKey: k.contact(sid),
    messageId: message.id, createdAtMs: action.created_at_ms, messageJson: JSON.stringify(message),
    token: 'dead-worker', leaseMs, retentionMs: 60_000, channelType: 'whatsapp', sessionBase: k.sessionBase(sid),
    pendingKey: k.pending('whatsapp'), pendingMember: k.pendingMember(sid, message.id),
  });
  assert.equal(result.result, 'claimed', JSON.stringify(result));
  return message.id;
}

const idOf = (body) => JSON.parse(body.toString()).data.object.id;

for (const kind of ['memory', 'redis']) {
  describe(`${kind} store`, () => {
    const make = relays(kind);
    after(() => make.closeAll());
    const skip = kind === 'redis' && !redis && 'redis-server is not installed (scripts/ci/test-wasm.sh installs it)';
    const it = (name, fn) => test(name, { skip }, fn);

    it('one session per contact across concurrent receives', async () => {
      const ch = new Channel();
      const workers = [await make(ch), await make(ch)];
      const uid = user();
      const got = await Promise.all(Array.from({ length: 12 }, (_, i) => workers[i % 2].receive({
        channel_user_id: uid, contact_name: 'Jane', text: `m${i}`, provider_message_id: `${uid}.${i}`,
      })));
      assert.equal(new Set(got.map((r) => r.session_id)).size, 1);
      const sessions = await client.sessions.search({ metadata: { channel_type: 'whatsapp', channel_user_id: uid } });
      assert.deepEqual(sessions.map((s) => s.id), [got[0].session_id]);
      const texts = (await client.sessions.messages.search({ session_id: got[0].session_id, role: 'user' })).map((m) => m.content.text);
      assert.deepEqual(texts.sort(), Array.from({ length: 12 }, (_, i) => `m${i}`).sort());
    });

    it('a search by metadata finds a session the store forgot, the oldest of several', async () => {
      const uid = user();
      const existing = await client.sessions.create({
        contact_id: uid, contact_name: 'Jane', agent_id: 'agent_abc', metadata: { channel_type: 'whatsapp', channel_user_id: uid },
      });
      await new Promise((res) => setTimeout(res, 20));
      const newer = await client.sessions.create({
        contact_id: uid, contact_name: 'Jane', agent_id: 'agent_abc', metadata: { channel_type: 'whatsapp', channel_user_id: uid },
      });
      assert.ok(Date.parse(newer.created_at) > Date.parse(existing.created_at), `${existing.created_at} ${newer.created_at}`);
      // Of two open sessions (another integration opened one), the oldest is reused.
      const r = await (await make(new Channel())).receive({ channel_user_id: uid, text: 'hi', provider_message_id: `${uid}.1` });
      assert.equal(r.session_id, existing.id);
    });

    it('each user message is posted once; a repeated provider_message_id is not an error', async () => {
      const a = await make(new Channel());
      const b = await make(new Channel());
      const uid = user();
      const first = await a.receive({ channel_user_id: uid, text: 'Hello', provider_message_id: 'wamid.same' });
      const again = await Promise.all([a, b, a].map((w) => w.receive({ channel_user_id: uid, text: 'Hello', provider_message_id: 'wamid.same' })));
      assert.ok(!first.duplicate && again.every((r) => r.duplicate));
      assert.deepEqual(new Set(again.map((r) => r.message_id)), new Set([first.message_id]));
      const posted = await client.sessions.messages.search({ session_id: first.session_id, provider_message_id: 'wamid.same' });
      assert.equal(posted.length, 1);
    });

    it('a reply is requested, and delivered once across 20 duplicate webhooks on 3 workers', async () => {
      const ch = new Channel();
      const workers = [await make(ch), await make(ch), await make(ch)];
      const uid = user();
      const r = await workers[0].receive({ channel_user_id: uid, contact_name: 'Jane', text: 'Where is my order?', provider_message_id: `${uid}.1` });
      const { headers, body } = await answer(r.session_id); // the reply was requested: the agent answered
      const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => workers[i % 3].handleWebhook(body, headers)));
      assert.ok(replies.every((x) => x.status === 200), JSON.stringify(replies));
      assert.deepEqual(replies.map((x) => x.outcome).sort(), [...Array(19).fill('duplicate'), 'sent']);
      const id = idOf(body);
      assert.deepEqual(ch.sent, [[id, uid, false, id]]);
      const stored = await client.sessions.messages.get(r.session_id, id);
      assert.deepEqual([stored.delivery_status, stored.provider_message_id], ['sent', `wamid.${id}`]);
      const sent = replies.find((x) => x.outcome === 'sent');
      assert.deepEqual(JSON.parse(sent.body), { outcome: 'sent' });
      assert.deepEqual(sent.headers, { 'content-type': 'application/json' });
    });

    it('a refused delivery is reported failed with the channel code', async () => {
      const ch = new Channel();
      ch.refuse = 131047;
      const relay = await make(ch);
      const r = await relay.receive({ channel_user_id: user(), text: 'hi', provider_message_id: 'x.1' });
      const { headers, body } = await answer(r.session_id);
      const rep = await relay.handleWebhook(body, headers);
      assert.deepEqual([rep.status, rep.outcome], [200, 'failed']);
      const stored = await client.sessions.messages.get(r.session_id, idOf(body));
      assert.equal(stored.delivery_status, 'failed');
      assert.equal(stored.delivery_error_code, 131047);
      assert.match(stored.delivery_error_message ?? '', /24 hours/);
      assert.equal((await relay.handleWebhook(body, headers)).outcome, 'duplicate');
    });

    it("a dead worker's message is redelivered, flagged, once its lease expires", async () => {
      const ch = new Channel();
      const relay = await make(ch);
      const r = await relay.receive({ channel_user_id: user(), text: 'hi', provider_message_id: 'd.1' });
      const { headers, body } = await answer(r.session_id);
      const id = await claimAsDeadWorker(relay, body, 400);
      const started = performance.now();
      const rep = await relay.handleWebhook(body, headers); // waits out the lease, then takes it
      assert.ok(performance.now() - started >= 300);
      assert.deepEqual([rep.status, rep.outcome], [200, 'sent']);
      assert.deepEqual(ch.sent, [[id, ch.sent[0][1], true, id]]);
      assert.equal((await client.sessions.messages.get(r.session_id, id)).delivery_status, 'sent');
    });

    it('a message held past the wait budget gets a retryable 503', async () => {
      const ch = new Channel();
      const relay = await make(ch, { maxWaitMs: 200 });
      const r = await relay.receive({ channel_user_id: user(), text: 'hi', provider_message_id: 'b.1' });
      const { headers, body } = await answer(r.session_id);
      await claimAsDeadWorker(relay, body, 5000);
      const rep = await relay.handleWebhook(body, headers);
      assert.deepEqual([rep.status, rep.outcome], [503, 'busy']);
      assert.ok(Number(rep.headers['retry-after']) >= 1);
      assert.equal(JSON.parse(rep.body).retry_after, Number(rep.headers['retry-after']));
      assert.deepEqual(ch.sent, []);
    });

    it('messages of a session go out in created_at order', async () => {
      const ch = new Channel();
      const relay = await make(ch);
      const uid = user();
      const r = await relay.receive({ channel_user_id: uid, text: 'one', provider_message_id: `${uid}.1` });
      const first = await answer(r.session_id);
      await relay.receive({ channel_user_id: uid, text: 'two', provider_message_id: `${uid}.2` });
      const second = await answer(r.session_id);
      const firstId = await claimAsDeadWorker(relay, first.body, 300);
      // The later message waits for the earlier one; once its claim lapses
      // the waiting worker delivers the earlier one first.
      const rep = await relay.handleWebhook(second.body, second.headers);
      assert.equal(rep.outcome, 'sent');
      assert.deepEqual(ch.ids(), [firstId, idOf(second.body)]);
      assert.equal(ch.sent[0][2], true);
      assert.equal(ch.sent[1][2], false);
      // A slow delivery of the earlier message holds the later one back too.
      await relay.receive({ channel_user_id: uid, text: 'three', provider_message_id: `${uid}.3` });
      const third = await answer(r.session_id);
      await relay.receive({ channel_user_id: uid, text: 'four', provider_message_id: `${uid}.4` });
      const fourth = await answer(r.session_id);
      ch.delayMs = 200;
      const slow = relay.handleWebhook(third.body, third.headers);
      await new Promise((res) => setTimeout(res, 50));
      ch.delayMs = 0;
      await relay.handleWebhook(fourth.body, fourth.headers);
      await slow;
      assert.deepEqual(ch.ids().slice(2), [idOf(third.body), idOf(fourth.body)]);
    });

    it('401 for a bad signature; a user message is not an assistant message', async () => {
      const ch = new Channel();
      const relay = await make(ch);
      const uid = user();
      const r = await relay.receive({ channel_user_id: uid, text: 'hi', provider_message_id: `${uid}.1` });
      const { headers, body } = await answer(r.session_id);
      assert.equal((await relay.handleWebhook(Buffer.concat([body, Buffer.from(' ')]), headers)).status, 401);
      assert.equal((await relay.handleWebhook(body, { ...headers, 'webhook-signature': 'v1,AAAA' })).status, 401);
      assert.equal((await relay.handleWebhook(body, {})).status, 401);
      const userEvent = Buffer.from(body.toString().replace('"role":"assistant"', '"role":"user"'));
      const rep = await relay.handleWebhook(userEvent, resign(headers, userEvent));
      assert.deepEqual([rep.status, rep.outcome], [200, 'not_assistant']);
      const garbage = Buffer.from('{"nope":');
      assert.equal((await relay.handleWebhook(garbage, resign(headers, garbage))).status, 400);
      assert.deepEqual(ch.sent, []);
    });

    it("a session of another channel type is not ours", async () => {
      const ch = new Channel();
      const relay = await make(ch);
      const s = await client.sessions.create({
        contact_id: 'c', contact_name: 'n', agent_id: 'agent_abc', metadata: { channel_type: 'telegram', channel_user_id: '1' },
      });
      await client.sessions.messages.create(s.id, { content: { type: 'text', text: 'hi' } });
      await client.sessions.reply(s.id, { debounce_time: 0 });
      const { headers, body } = await answer(s.id);
      const rep = await relay.handleWebhook(body, headers);
      assert.deepEqual([rep.status, rep.outcome], [200, 'not_ours']);
      assert.deepEqual(ch.sent, []);
    });

    for (const withWebhook of [true, false]) {
      it(`a finished session is replaced (${withWebhook ? 'with' : 'without'} the session.finished webhook)`, async () => {
        const relay = await make(new Channel());
        const uid = user();
        const first = await relay.receive({ channel_user_id: uid, text: 'one', provider_message_id: `${uid}.1` });
        await client.sessions.finish(first.session_id);
        if (withWebhook) {
          const { headers, body } = await sink.next((d) => d.type === 'session.finished' && d.data?.object?.id === first.session_id);
          assert.equal((await relay.handleWebhook(body, headers)).outcome, 'forgotten');
        }
        const second = await relay.receive({ channel_user_id: uid, text: 'two', provider_message_id: `${uid}.2` });
        assert.notEqual(second.session_id, first.session_id);
        const open = await client.sessions.search({ status: 'open', metadata: { channel_type: 'whatsapp', channel_user_id: uid } });
        assert.deepEqual(open.map((s) => s.id), [second.session_id]);
        const texts = (await client.sessions.messages.search({ session_id: second.session_id, role: 'user' })).map((m) => m.content.text);
        assert.deepEqual(texts, ['two']);
      });
    }

    it('channel receipts are reported', async () => {
      const ch = new Channel();
      const relay = await make(ch);
      const r = await relay.receive({ channel_user_id: user(), text: 'hi', provider_message_id: 'r.1' });
      const { headers, body } = await answer(r.session_id);
      await relay.handleWebhook(body, headers);
      const id = idOf(body);
      const updated = await relay.report({ provider_message_id: `wamid.${id}`, status: 'read' });
      assert.equal(updated?.id, id);
      assert.equal(updated?.delivery_status, 'read');
      assert.equal(await relay.report({ provider_message_id: 'wamid.unknown', status: 'delivered' }), null);
    });

    it('a crashing deliver releases the claim and answers 503; the retry delivers', async () => {
      const ch = new Channel();
      const calls = [];
      const relay = await make(ch, {
        deliver: async (m, c, attempt) => {
          calls.push(attempt.redelivery);
          if (calls.length === 1) throw new Error('channel down');
          return ch.deliver(m, c, attempt);
        },
      });
      const r = await relay.receive({ channel_user_id: user(), text: 'hi', provider_message_id: 'c.1' });
      const { headers, body } = await answer(r.session_id);
      let rep = await relay.handleWebhook(body, headers);
      assert.deepEqual([rep.status, rep.outcome], [503, 'deliver_crashed']);
      rep = await relay.handleWebhook(body, headers); // the sender's retry: claimed again at once
      assert.deepEqual([rep.status, rep.outcome], [200, 'sent']);
      // The crashed call may have sent it: the next one is flagged.
      assert.deepEqual(calls, [false, true]);
      assert.equal(ch.sent.length, 1);
    });

    it('a contact lock held past lockWaitMs is a typed error', async () => {
      const relay = await make(new Channel(), { lockWaitMs: 200 });
      const uid = user();
      const lock = relay.keys.lock('whatsapp', uid);
      assert.equal(await relay.store.acquire(lock, 'another-worker', 10_000), true);
      await assert.rejects(relay.receive({ channel_user_id: uid, text: 'hi', provider_message_id: `${uid}.1` }), LockTimeoutError);
      await relay.store.release(lock, 'another-worker');
      assert.equal((await relay.receive({ channel_user_id: uid, text: 'hi', provider_message_id: `${uid}.1` })).duplicate, false);
    });

    it('a slow channel keeps its claim: a deliver three leases long is not handed to a second worker', async () => {
      const ch = new Channel();
      const slow = await make(ch, { claimLeaseMs: 300, maxWaitMs: 3000 });
      const other = await make(ch, { claimLeaseMs: 300, maxWaitMs: 3000 });
      const r = await slow.receive({ channel_user_id: user(), text: 'hi', provider_message_id: 'h.1' });
      const { headers, body } = await answer(r.session_id);
      ch.delayMs = 1000;
      const first = slow.handleWebhook(body, headers);
      await sleep(100);
      ch.delayMs = 0;
      const second = await other.handleWebhook(body, headers); // waits for the slow one to finish
      assert.deepEqual([(await first).outcome, second.outcome], ['sent', 'duplicate']);
      assert.equal(ch.sent.length, 1);
    });

    it("a dead worker's message is recovered with no further traffic (recover)", async () => {
      // Used to stay pending until a webhook retry or the contact's next message.
      const ch = new Channel();
      // Its own prefix: the recovery index holds every message of a prefix (other tests' too).
      const prefix = `r${randomUUID().slice(0, 8)}`;
      const relay = await make(ch, { claimLeaseMs: 400, prefix });
      const uid = user();
      const r = await relay.receive({ channel_user_id: uid, text: 'hi', provider_message_id: `${uid}.1` });
      const { body } = await answer(r.session_id);
      const id = await claimAsDeadWorker(relay, body, 400);
      assert.deepEqual(await relay.recover(), []); // not due: its claim still holds
      await sleep(500); // the claim lapses; no webhook, no message from the contact
      // A relay of another channel type sharing the store and prefix leaves it alone.
      const telegram = await make(ch, { channelType: 'telegram', prefix, store: relay.store });
      assert.deepEqual(await telegram.recover(), []);
      assert.deepEqual(ch.sent, []);
      assert.deepEqual(await relay.recover(), [{ session_id: r.session_id, message_id: id, outcome: 'sent' }]);
      assert.deepEqual(ch.sent, [[id, uid, true, id]]); // flagged: it may be out already
      assert.equal((await client.sessions.messages.get(r.session_id, id)).delivery_status, 'sent');
      assert.deepEqual(await relay.recover(), []);
    });

    it("the sweeper recovers a dead worker's message on its own", async () => {
      const ch = new Channel();
      const relay = await make(ch, { claimLeaseMs: 300, prefix: `r${randomUUID().slice(0, 8)}` });
      const r = await relay.receive({ channel_user_id: user(), text: 'hi', provider_message_id: 'sw.1' });
      const { body } = await answer(r.session_id);
      const stop = relay.startSweeper(100);
      try {
        const id = await claimAsDeadWorker(relay, body, 300);
        const started = performance.now();
        while (!ch.sent.length && performance.now() - started < 5000) await sleep(50);
        // At most the lease, plus a second (a held claim is looked at again after its Retry-After), plus the interval.
        assert.ok(performance.now() - started < 300 + 1000 + 100 + 1000, `${performance.now() - started} ms`);
        assert.deepEqual(ch.ids(), [id]);
        // The sweeper reports the delivery after `deliver` returns: wait for it.
        while ((await client.sessions.messages.get(r.session_id, id)).delivery_status !== 'sent') {
          assert.ok(performance.now() - started < 5000, 'the recovered delivery was never reported');
          await sleep(50);
        }
      } finally {
        stop();
      }
    });

    it('every deliver failure is logged, with ids and without the text or tokens', async () => {
      const ch = new Channel();
      const log = keeper();
      const relay = await make(ch, {
        logger: log,
        deliver: async (m) => {
          if (!log.lines.length) throw new TypeError(`channel down sending ${JSON.stringify(m.content)} with sk_live_secret`);
          throw new DeliveryError(131047);
        },
      });
      const r = await relay.receive({ channel_user_id: user(), text: 'my card is 4111', provider_message_id: 'l.1' });
      const { headers, body } = await answer(r.session_id);
      const id = idOf(body);
      assert.equal((await relay.handleWebhook(body, headers)).outcome, 'deliver_crashed');
      assert.equal((await relay.handleWebhook(body, headers)).outcome, 'failed');
      assert.deepEqual(log.lines.map((l) => l[0]), ['error', 'warn']);
      assert.match(log.lines[0][1], new RegExp(`${id}.*${r.session_id}.*TypeError`));
      assert.deepEqual(log.lines[0][2], { message_id: id, session_id: r.session_id, error: 'TypeError', redelivery: false });
      assert.match(log.lines[1][1], /131047/);
      const text = JSON.parse(body.toString()).data.object.content.text;
      const all = JSON.stringify(log.lines);
      assert.ok(!all.includes('sk_live_secret') && !all.includes(text) && !all.includes('4111'), all);
    });

    it("a session the store does not know is read from the API; one the API lacks is not ours", async () => {
      const ch = new Channel();
      const relay = await make(ch);
      const uid = user();
      // Opened elsewhere (another integration version, a store that was flushed).
      const s = await client.sessions.create({
        contact_id: uid, contact_name: 'Jane', agent_id: 'agent_abc', metadata: { channel_type: 'whatsapp', channel_user_id: uid },
      });
      await client.sessions.messages.create(s.id, { content: { type: 'text', text: 'hi' } });
      await client.sessions.reply(s.id, { debounce_time: 0 });
      const { headers, body } = await answer(s.id);
      const rep = await relay.handleWebhook(body, headers);
      assert.deepEqual([rep.status, rep.outcome], [200, 'sent']);
      assert.deepEqual(ch.sent.map((x) => x[1]), [uid]);
      const gone = Buffer.from(body.toString().replaceAll(s.id, 'sess_gone'));
      assert.equal((await relay.handleWebhook(gone, resign(headers, gone))).outcome, 'not_ours');
      assert.equal(ch.sent.length, 1);
    });

    it('the counters say what the relay did, as a snapshot, Prometheus text and OpenTelemetry counters', async () => {
      const ch = new Channel();
      const relay = await make(ch);
      const uid = user();
      const r = await relay.receive({ channel_user_id: uid, text: 'hi', provider_message_id: `${uid}.1` });
      assert.ok((await relay.receive({ channel_user_id: uid, text: 'hi', provider_message_id: `${uid}.1` })).duplicate);
      const { headers, body } = await answer(r.session_id);
      assert.equal((await relay.handleWebhook(body, headers)).outcome, 'sent');
      assert.equal((await relay.handleWebhook(body, headers)).outcome, 'duplicate');
      assert.equal((await relay.handleWebhook(body, { ...headers, 'webhook-signature': 'v1,AAAA' })).status, 401);
      ch.refuse = 131026;
      const uid2 = user();
      const r2 = await relay.receive({ channel_user_id: uid2, text: 'hi', provider_message_id: `${uid2}.1` });
      const second = await answer(r2.session_id);
      assert.equal((await relay.handleWebhook(second.body, second.headers)).outcome, 'failed');

      const stats = relay.stats();
      assert.equal(stats.channel_type, 'whatsapp');
      assert.deepEqual(stats.webhooks, { bad_signature: 1, duplicate: 1, failed: 1, sent: 1 });
      assert.deepEqual([stats.webhooks_received, stats.unavailable], [4, 0]);
      assert.deepEqual([stats.delivered, stats.redelivered, stats.failed, stats.crashed], [1, 0, 1, 0]);
      assert.deepEqual([stats.received, stats.received_duplicates], [3, 1]);

      const registry = new promClient.Registry();
      observeWithPromClient(relay, promClient, { registers: [registry] });
      const scraped = await registry.metrics();
      assert.ok(scraped.includes('antonnia_relay_webhooks_total{channel_type="whatsapp",outcome="sent",status="200"} 1\n'), scraped);
      assert.ok(scraped.includes('antonnia_relay_messages_received_total{channel_type="whatsapp",duplicate="true"} 1\n'), scraped);

      const text = relay.prometheusText();
      assert.ok(text.includes('antonnia_relay_webhooks_total{channel_type="whatsapp",outcome="bad_signature",status="401"} 1\n'), text);
      assert.ok(text.includes('antonnia_relay_deliveries_total{channel_type="whatsapp",result="refused"} 1\n'), text);

      class Reader extends MetricReader {
        constructor() {
          super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
        }
        async onForceFlush() {}
        async onShutdown() {}
      }
      const reader = new Reader();
      const provider = new MeterProvider({ readers: [reader] });
      observeWithOpenTelemetry(relay, provider.getMeter('test'));
      const { resourceMetrics } = await reader.collect();
      const points = new Map();
      for (const sm of resourceMetrics.scopeMetrics) {
        for (const m of sm.metrics) {
          for (const p of m.dataPoints) points.set(`${m.descriptor.name} ${JSON.stringify(p.attributes)}`, p.value);
        }
      }
      assert.equal(points.get('antonnia.relay.webhooks {"channel_type":"whatsapp","outcome":"duplicate","status":"200"}'), 1, [...points.keys()].join('\n'));
      assert.equal(points.get('antonnia.relay.deliveries {"channel_type":"whatsapp","result":"sent"}'), 1);
      await provider.shutdown();
    });
  });
}

class Broken extends MemoryStore {
  async claim() {
    throw new StoreUnavailableError('down');
  }
}

test('an unreachable store answers a retryable 503, never a 2xx', async () => {
  const ch = new Channel();
  const port = await freePort(); // nobody listens there
  const down = await RedisStore.fromUrl(`redis://127.0.0.1:${port}/0`, { connectTimeoutMs: 300 });
  const relay = new ChannelRelay({ client, channelType: 'whatsapp', agentId: 'agent_abc', deliver: ch.deliver, webhookSecret: WEBHOOK_SECRET, store: down });
  await assert.rejects(relay.receive({ channel_user_id: '1', text: 'hi', provider_message_id: 'u.1' }), StoreUnavailableError);
  const working = new ChannelRelay({ client, channelType: 'whatsapp', agentId: 'agent_abc', deliver: ch.deliver, webhookSecret: WEBHOOK_SECRET });
  const r = await working.receive({ channel_user_id: user(), text: 'hi', provider_message_id: 'u.2' });
  const { headers, body } = await answer(r.session_id);
  for (const store of [down, new Broken()]) {
    const failing = new ChannelRelay({ client, channelType: 'whatsapp', agentId: 'agent_abc', deliver: ch.deliver, webhookSecret: WEBHOOK_SECRET, store });
    const rep = await failing.handleWebhook(body, headers);
    assert.deepEqual([rep.status, rep.outcome, rep.headers['retry-after']], [503, 'store_unavailable', '1']);
  }
  assert.deepEqual(ch.sent, []);
  assert.ok(new StoreUnavailableError('x') instanceof RelayError);
  // One base for what the integrator answers 503 to: the SDK's errors and the relay's.
  assert.ok(new StoreUnavailableError('x') instanceof AntonniaError);
  assert.ok(new LockTimeoutError('x') instanceof AntonniaError);
  await down.close();
});

test('at most two Redis round trips per delivered message, one per duplicate', { skip: !redis && 'redis-server is not installed' }, async () => {
  const ch = new Channel();
  const store = await RedisStore.fromUrl(redis.url);
  const relay = new ChannelRelay({
    client, channelType: 'whatsapp', agentId: 'agent_abc', deliver: ch.deliver, webhookSecret: WEBHOOK_SECRET, store, prefix: randomUUID(),
  });
  const commands = [];
  const original = store.client.sendCommand.bind(store.client);
  store.client.sendCommand = (args, ...rest) => {
    commands.push(String(args[0]));
    return original(args, ...rest);
  };
  const uid = user();
  for (let n = 0; n < 2; n++) {
    const r = await relay.receive({ channel_user_id: uid, text: `m${n}`, provider_message_id: `${uid}.${n}` });
    const { headers, body } = await answer(r.session_id);
    commands.length = 0;
    assert.equal((await relay.handleWebhook(body, headers)).outcome, 'sent');
    // The first time also loads the scripts (NOSCRIPT, then SCRIPT LOAD).
    // The claim's recovery index entry (ZADD) goes in the same write as the
    // claim script: one round trip for both.
    if (n === 1) assert.deepEqual(commands, ['ZADD', 'EVALSHA', 'EVALSHA']);
    commands.length = 0;
    assert.equal((await relay.handleWebhook(body, headers)).outcome, 'duplicate');
    assert.deepEqual(commands, ['ZADD', 'EVALSHA']);
  }
  await relay.close();
});

test('the relay refuses what it cannot work with', async () => {
  const base = { client, channelType: 'whatsapp', deliver: async () => 'x', webhookSecret: WEBHOOK_SECRET };
  assert.throws(() => new ChannelRelay({ ...base, deliver: undefined }), /deliver/);
  assert.throws(() => new ChannelRelay({ ...base, deliver: 'send' }), /deliver/);
  assert.throws(() => new ChannelRelay({ ...base, logger: {} }), /logger/);
  // A sync deliver is fine in JS (its result is awaited either way).
  new ChannelRelay({ ...base, deliver: () => 'wamid.1' });
  assert.throws(() => new ChannelRelay({ ...base, channelType: '' }), /channelType/);
  assert.throws(() => new ChannelRelay({ ...base, webhookSecret: undefined }), /secret/i);
  assert.throws(() => new ChannelRelay({ ...base, prefix: 'a{b' }), /prefix/);
  const relay = new ChannelRelay(base);
  await assert.rejects(relay.receive({ channel_user_id: 'u', provider_message_id: 'p' }), /text or content/);
  await assert.rejects(relay.receive({ channel_user_id: 'u', text: 'a', content: { type: 'text', text: 'a' }, provider_message_id: 'p' }), /exactly one/);
  assert.ok(!String(relay).includes(WEBHOOK_SECRET));
});

test('browser bundles never pull in the relay or node-redis', async () => {
  const { readFileSync } = await import('node:fs');
  const pkg = new URL('../pkg/', import.meta.url);
  for (const file of ['index.js', 'wasm.js', 'errors.js', 'antonnia_wasm.js']) {
    // The browser's wasm has none of the relay's exports (they are in antonnia_relay_bg.wasm).
    const src = readFileSync(new URL(file, pkg), 'utf8');
    assert.doesNotMatch(src, /from ['"](\.\/relay(_wasm)?\.js|redis|node:[a-z]+)['"]/, file);
    assert.doesNotMatch(src, /relayDecide|RelayKeys/, file);
  }
  const manifest = JSON.parse(readFileSync(new URL('package.json', pkg), 'utf8'));
  // Only the `node` condition: a browser bundler cannot resolve antonnia-sdk/relay at all.
  assert.deepEqual(Object.keys(manifest.exports['./relay']).sort(), ['node', 'types']);
  assert.deepEqual(manifest.peerDependenciesMeta, { redis: { optional: true } });
  assert.equal(manifest.dependencies, undefined);
});

test('the oldest open session is reused even when its timestamp does not sort as text', async () => {
  // `10:30:00Z` is older than `10:30:00.5Z` but sorts after it as text.
  const posted = [];
  const api = async (url, init) => {
    const path = new URL(url).pathname;
    if (path.endsWith('/sessions/search')) {
      return Response.json([
        { id: 'sess_new', created_at: '2025-01-15T10:30:00.5Z', metadata: {} },
        { id: 'sess_old', created_at: '2025-01-15T10:30:00Z', metadata: {} },
      ]);
    }
    if (path.endsWith('/messages') && init.method === 'POST') {
      posted.push(path);
      return Response.json({ id: 'msg_1', content: { type: 'text', text: 'hi' } });
    }
    if (path.endsWith('/reply')) return Response.json({ id: 'sess_old', metadata: {} });
    return Response.json({ detail: 'unexpected' }, { status: 500 });
  };
  const relay = new ChannelRelay({
    client: new Client({ token: 't', baseUrl: 'http://api.test/v1', fetch: api, maxRetries: 0 }),
    channelType: 'whatsapp', deliver: async () => 'x', verify: false,
  });
  const r = await relay.receive({ channel_user_id: 'u', text: 'hi', provider_message_id: 'p' });
  assert.equal(r.session_id, 'sess_old');
  assert.deepEqual(posted, ['/v1/sessions/sess_old/messages']);
});
