// Type-checked (tsc --strict, never run): every call of the package with
// its parameter and result types, the options, the errors, and an event
// narrowed by `type`. `@ts-expect-error` lines prove the types refuse misuse.
import {
  Client, parseWebhook, isKnownEvent, isKnownContent, outboundMessage, deliverable, sent, delivered, read, failed,
  whatsappErrorDescription, signWebhook, AntonniaError, NotFoundError, RateLimitError, ValidationError,
  WebhookVerificationError, InvalidRequestError, TimeoutError, TransportError, APIError,
  type Session, type Message, type Agent, type SurveySubmission, type SessionSchedule, type WebhookEvent,
  type MessageContent, type DeliveryFields,
} from '../../pkg/index.js';
import {
  ChannelRelay, MemoryStore, RedisStore, RelayKeys, DeliveryError, StoreUnavailableError, LockTimeoutError, RelayError,
  decodeRecord, encodeRecord, DEFAULT_PREFIX,
  type Deliver, type Contact, type DeliveryAttempt, type Received, type WebhookReply, type RelayStore, type RedisClientLike, type RedisClusterLike, type RedisSentinelLike,
  type Recovered, type RelayStatsSnapshot, observeWithOpenTelemetry, observeWithPromClient,
} from '../../pkg/relay.js';

export async function everyCall(token: string, signal: AbortSignal): Promise<void> {
  const client = new Client({ token, baseUrl: 'http://127.0.0.1:1/conversations/v2/api/v1', timeoutMs: 5000, maxRetries: 1, headers: { 'x-trace': '1' }, fetch });
  const opts = { signal, timeoutMs: 1000, maxRetries: 0, headers: { 'x-call': '1' } };

  const s: Session = await client.sessions.create({ contact_id: 'c', contact_name: 'Jane', agent_id: 'agent_abc', status: 'open', metadata: { channel_type: 'web' } }, opts);
  const g: Session = await client.sessions.get(s.id);
  const u: Session = await client.sessions.update(s.id, { status: 'closed', metadata: { a: 1 } });
  const t: Session = await client.sessions.transfer(s.id, { agent_id: 'agent_2', auto_reply: true });
  const f: Session = await client.sessions.finish(s.id, { ending_survey_id: 'srv' });
  const f2: Session = await client.sessions.finish(s.id);
  const r: Session = await client.sessions.reply(s.id, { debounce_time: 3, starting_node_id: 'n1' });
  const r2: Session = await client.sessions.reply(s.id);
  const found: Session[] = await client.sessions.search({ contact_id: 'c', status: 'open', metadata: { k: 'v' }, offset: 0, limit: 10 });
  for await (const each of client.sessions.iterSearch({ contact_id: 'c' })) { const id: string = each.id; void id; }
  const sched: SessionSchedule = await client.sessions.schedule(s.id, { scheduled_for: new Date(), config: { type: 'message', message: { type: 'text', text: 'hi' } } });
  await client.sessions.schedule(s.id, { scheduled_for: '2030-01-01T00:00:00Z', config: { type: 'node', node_id: 'n' } });

  const content: MessageContent = { type: 'file', url: 'https://x/y.pdf', mime_type: 'application/pdf', name: 'y.pdf' };
  const m: Message = await client.sessions.messages.create(s.id, { content, role: 'user', provider_message_id: 'p1', replied_provider_message_id: 'p0' });
  const mg: Message = await client.sessions.messages.get(s.id, m.id);
  const mu: Message = await client.sessions.messages.update(s.id, m.id, { delivery_status: 'sent', provider_message_id: 'p2', delivered_at: new Date() });
  const ms: Message[] = await client.sessions.messages.search({ session_id: s.id, role: 'assistant', limit: 5 });
  for await (const each of client.sessions.messages.iterSearch({ session_id: s.id })) { const c = each.content; void c; }
  for await (const live of client.sessions.messages.stream(s.id, { pollIntervalMs: 500, signal })) {
    if (isKnownContent(live.content) && live.content.type === 'text') { const text: string = live.content.text; void text; }
    break;
  }

  const sub: SurveySubmission = await client.sessions.surveySubmissions.get(s.id, 'sub_1');
  await client.sessions.surveySubmissions.reply(s.id, 'sub_1');
  await client.sessions.surveySubmissions.cancel(s.id, 'sub_1', opts);

  const a: Agent = await client.agents.create({ name: 'Bot', type: 'ai', assistant_id: 'asst' });
  const ag: Agent = await client.agents.get(a.id);
  const au: Agent = await client.agents.update(a.id, { name: 'Bot 2' });
  const gone: null = await client.agents.delete(a.id);
  const as: Agent[] = await client.agents.search({ type: 'human', limit: 3 });
  for await (const each of client.agents.iterSearch()) { const ty: string = each.type; void ty; }

  void [g, u, t, f, f2, r, r2, found, sched, mg, mu, ms, sub, ag, au, gone, as];

  // Raw responses, the stream after a sent message, request ids, logging.
  const raw = await client.withRawResponse.sessions.get(s.id);
  const rawSession: Session = raw.data;
  const rawStatus: number = raw.status;
  const rawHeaders: Headers = raw.headers;
  const rawId: string | undefined = raw.requestId;
  const rawMessage: Message = (await client.withRawResponse.sessions.messages.create(s.id, { content: { type: 'text', text: 'x' } })).data;
  const rawAgents: Agent[] = (await client.withRawResponse.agents.search()).data;
  for await (const each of client.withRawResponse.sessions.messages.stream(s.id, { after: m.id })) { const id: string = each.id; void id; break; }
  void [rawSession, rawStatus, rawHeaders, rawId, rawMessage, rawAgents];
  const proxied = new Client({ token: null, baseUrl: 'https://example.com/antonnia', totalTimeoutMs: null, logLevel: 'debug', logger: (line: string) => console.log(line) });
  void proxied;
  // @ts-expect-error baseURL is not an option (baseUrl is)
  new Client({ token, baseURL: 'https://x' });
  // @ts-expect-error after is a message id
  client.sessions.messages.stream(s.id, { after: 5 });
  try { await client.sessions.get('x'); } catch (e) { if (e instanceof AntonniaError) { const id: string | undefined = e.requestId; void id; } }

  // @ts-expect-error contact_name is required
  await client.sessions.create({ contact_id: 'c' });
  // @ts-expect-error content must be a known kind
  await client.sessions.messages.create(s.id, { content: { type: 'text' } });
  // @ts-expect-error ids are positional strings
  await client.sessions.get({ session_id: 's' });
}

export function webhooks(body: string, headers: Record<string, string>, secret: string): void {
  const event: WebhookEvent = parseWebhook(body, { headers, secret, toleranceSeconds: 60, now: new Date() });
  const unverified = parseWebhook(new TextEncoder().encode(body), { verify: false });
  void unverified;
  if (isKnownEvent(event)) {
    switch (event.type) {
      case 'message.created': {
        const m: Message = event.data.object;
        void m;
        break;
      }
      case 'session.finished': {
        const why: string | undefined = event.data.action;
        const s: Session = event.data.object;
        void why; void s;
        break;
      }
      case 'session.created':
      case 'session.transferred': {
        const s: Session = event.data.object;
        void s;
        break;
      }
      case 'app.connection.created':
        break;
      default: {
        const never: never = event;
        void never;
      }
    }
  } else {
    const t: string = event.type;
    void t;
  }
  const out: Message | null = outboundMessage(event);
  if (out) {
    const d = deliverable(out);
    if (d.kind === 'file') { const name: string = d.filename; void name; }
    const fields: DeliveryFields[] = [sent('p'), delivered('p', new Date()), read(null, '2025-01-01T00:00:00Z'), failed(131047), failed(null, 'boom')];
    void fields;
  }
  const desc: string | null = whatsappErrorDescription(131047);
  const sig: string = signWebhook(secret, 'msg_1', 1700000000, body);
  void desc; void sig;
}

export function errors(e: unknown): string {
  if (e instanceof RateLimitError) return `wait ${e.retryAfter ?? 0} s (status ${e.status ?? 429})`;
  if (e instanceof ValidationError) return e.problems.map((p) => `${p.loc.join('.')}: ${p.msg}`).join('; ');
  if (e instanceof NotFoundError) return e.detail ?? e.message;
  if (e instanceof WebhookVerificationError) return e.reason ?? 'unverified';
  if (e instanceof InvalidRequestError) return e.field ?? '';
  if (e instanceof TimeoutError || e instanceof TransportError) return e.name;
  if (e instanceof APIError) return `${e.status}: ${e.body ?? ''}`;
  if (e instanceof AntonniaError) return e.kind;
  if (e instanceof DOMException && e.name === 'AbortError') return 'aborted';
  return String(e);
}

// antonnia-sdk/relay: the channel relay, its stores and errors.
export async function relayUsage(client: Client, rawBody: Uint8Array, headers: Record<string, string | string[] | undefined>,
  redisClient: RedisClientLike, redisCluster: RedisClusterLike, redisSentinel: RedisSentinelLike): Promise<void> {
  const deliver: Deliver = async (message: Message, contact: Contact, attempt: DeliveryAttempt) => {
    const d = deliverable(message);
    if (d.kind !== 'text') throw new DeliveryError(131053, 'media not supported');
    const key: string = attempt.idempotency_key;
    const again: boolean = attempt.redelivery;
    void key; void again;
    return `wamid.${contact.channel_user_id}.${message.id}`;
  };
  const relay = new ChannelRelay({
    client, channelType: 'whatsapp', agentId: 'agent_abc', deliver, webhookSecret: 'whsec_x',
    store: await RedisStore.fromUrl('redis://127.0.0.1:6379/0', { connectTimeoutMs: 500 }),
    debounce: 3, claimLeaseMs: 30_000, maxWaitMs: 5000, strictOrder: true,
  });
  // The Quick Start's two-argument channel function is a Deliver as it is.
  const simple = async (message: Message, contact: Contact): Promise<string> => `${contact.channel_user_id}.${message.id}`;
  const local = new ChannelRelay({ client, channelType: 'web', deliver: simple, verify: false, store: new MemoryStore() });
  const extended: boolean = await local.store.extend('k', 'owner', 1000);
  void extended;
  const own = new RedisStore(redisClient, { commandTimeoutMs: 1000 });
  const onCluster: RedisStore = await RedisStore.fromClusterUrl('redis://127.0.0.1:7000', { connectTimeoutMs: 500 });
  const ownCluster = new RedisStore(redisCluster);
  void onCluster; void ownCluster;
  const behindSentinels: RedisStore = await RedisStore.fromSentinel({
    sentinels: [{ host: '10.0.0.5', port: 26379 }, { host: '10.0.0.6', port: 26379 }], name: 'mymaster',
    nodeClientOptions: { password: 'secret' }, commandTimeoutMs: 2000,
  });
  const ownSentinel = new RedisStore(redisSentinel);
  // @ts-expect-error: the master's name is required
  await RedisStore.fromSentinel({ sentinels: [{ host: '10.0.0.5', port: 26379 }] });
  void behindSentinels; void ownSentinel;
  const got: Received = await relay.receive({ channel_user_id: 'ext_user_456', contact_name: 'Jane', text: 'Hello', provider_message_id: 'wamid.1' });
  await local.receive({ channel_user_id: 'u', content: { type: 'image', url: 'https://x/y.png' }, provider_message_id: 'p' });
  const sid: string = got.session_id;
  const dup: boolean = got.duplicate;
  const { status, body, headers: answerHeaders, outcome }: WebhookReply = await relay.handleWebhook(rawBody, headers);
  const code: number = status;
  const text: string = body;
  const retry: string | undefined = answerHeaders['retry-after'];
  if (outcome === 'store_unavailable' || outcome === 'busy') void retry;
  const receipt: Message | null = await relay.report({ provider_message_id: 'wamid.2', status: 'delivered', at: new Date() });
  await relay.report({ provider_message_id: 'wamid.3', status: 'failed', code: 131047 });
  const store: RelayStore = relay.store;
  const k = new RelayKeys(DEFAULT_PREFIX);
  const lockKey: string = k.lock('whatsapp', 'u');
  const rec = decodeRecord('session', encodeRecord('session', { v: 1, session_id: sid }));
  void dup; void code; void text; void receipt; void store; void lockKey; void rec; void own;
  try {
    await relay.receive({ channel_user_id: 'u', text: 'x', provider_message_id: 'p' });
  } catch (e) {
    if (e instanceof StoreUnavailableError || e instanceof LockTimeoutError) { const r: RelayError = e; void r; }
    if (e instanceof RelayError) { const base: AntonniaError = e; void base; }
    if (e instanceof DeliveryError) { const c: number | undefined = e.code; void c; }
  }
  // @ts-expect-error: receive takes the channel's user id
  await relay.receive({ text: 'x', provider_message_id: 'p' });
  // @ts-expect-error: deliver is required
  new ChannelRelay({ client, channelType: 'whatsapp' });
  const recovered: Recovered[] = await relay.recover({ limit: 50 });
  for (const r of recovered) { const what: string = `${r.session_id} ${r.message_id} ${r.outcome}`; void what; }
  const stopSweeper: () => void = relay.startSweeper(5000);
  stopSweeper();
  const stats: RelayStatsSnapshot = relay.stats();
  const sent: number = stats.delivered + stats.redelivered + (stats.webhooks['busy'] ?? 0);
  const metricsText: string = relay.prometheusText();
  void sent; void metricsText;
  // A structural OpenTelemetry meter and the prom-client module's shape.
  const counters = observeWithOpenTelemetry(relay, {
    createObservableCounter: (_name: string, _options?: { description?: string; unit?: string }) => ({
      addCallback: (cb: (r: { observe(value: number, attributes?: Record<string, string>): void }) => void) => { void cb; },
    }),
  });
  void counters;
  class FakeCounter { constructor(config: { name: string; help: string; labelNames: readonly string[] }) { void config; } }
  observeWithPromClient(relay, { Counter: FakeCounter }, { registers: [] });
  // @ts-expect-error: not a meter
  observeWithOpenTelemetry(relay, {});
  new ChannelRelay({ client, channelType: 'whatsapp', deliver: () => 'wamid.1', logger: console });
  // @ts-expect-error: a logger needs warn and error
  new ChannelRelay({ client, channelType: 'whatsapp', deliver: () => 'wamid.1', logger: { info() {} } });
  await relay.close();
}
