// Types of antonnia-sdk/relay (Node only): the channel relay, the same as
// Python's antonnia_sdk.relay, sharing its Redis keys and records (docs/relay.md).
import type { Client, Message, MessageContent, DeliveryStatus, TimestampInput } from './index.js';
import { AntonniaError } from './index.js';

/** The key prefix when none is given (`antonnia:relay`). */
export const DEFAULT_PREFIX: string;

/** Who a session talks to on the channel (handed to `deliver`). */
export interface Contact {
  channel_type: string;
  channel_user_id: string;
  contact_name: string | null;
  session_id: string;
}

/**
 * How `deliver` is called for a message. `redelivery` is true when an
 * earlier claim on it expired (its worker died or overran its lease) and it
 * may already be on the channel: pass `idempotency_key` (the message id) to a
 * channel that supports one, or check the channel before sending again.
 */
export interface DeliveryAttempt {
  redelivery: boolean;
  idempotency_key: string;
}

/**
 * Sends a message on your channel and resolves to the channel's id for it.
 * Throw `DeliveryError` for a definitive refusal (reported `failed`);
 * anything else thrown releases the claim and answers the webhook 503.
 * A function of the Quick Start's `(message, contact)` is one too: `attempt`
 * is for channels that take an idempotency key. Its claim is extended every
 * third of `claimLeaseMs` while it runs. A plain (not async) function works
 * too: its result is awaited either way.
 */
export type Deliver = (message: Message, contact: Contact, attempt: DeliveryAttempt) =>
  Promise<string | null | undefined> | string | null | undefined;

/** What `receive` did. */
export interface Received {
  /** The session the message is in. */
  session_id: string;
  /** The API's id for the message. */
  message_id: string | null;
  /** It had been posted before (a repeated `provider_message_id`, not an error). */
  duplicate: boolean;
}

/** What happened to a webhook (the `outcome` of `handleWebhook`). */
export type WebhookOutcome =
  | 'sent' | 'failed' | 'duplicate' | 'not_ours' | 'not_assistant' | 'other_event' | 'forgotten'
  | 'bad_signature' | 'bad_request' | 'busy' | 'store_unavailable' | 'api_unavailable' | 'deliver_crashed';

/** The HTTP answer for a webhook. */
export interface WebhookReply {
  /** 200 once handled or skipped; 401 bad signature; 400 unparseable; 503 retry (with `retry-after`). */
  status: number;
  /** JSON: `{"outcome": ..., "retry_after"?: seconds}`. */
  body: string;
  /** `content-type`, and `retry-after` on a 503. */
  headers: Record<string, string>;
  outcome: WebhookOutcome;
  /** Seconds the sender should wait before trying again (503 only). */
  retryAfter: number | undefined;
}

export interface ReceiveParams {
  channel_user_id: string;
  /** The channel's id for the message; a repeated one is recognised and not posted again. */
  provider_message_id: string;
  contact_name?: string;
  /** The message's text, or `content` (exactly one). */
  text?: string;
  content?: MessageContent;
}

export interface ReportParams {
  /** The channel's id for the assistant message (the one `deliver` returned). */
  provider_message_id: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  at?: TimestampInput;
  code?: number;
  message?: string;
}

export interface ChannelRelayOptions {
  client: Client;
  /** `metadata.channel_type` of the sessions this relay owns (`whatsapp`). */
  channelType: string;
  /** The agent new sessions go to. */
  agentId?: string;
  deliver: Deliver;
  /** The webhook endpoint's secret (`whsec_...`); required unless `verify: false`. */
  webhookSecret?: string;
  /** Default: a new MemoryStore (one process). Several processes: RedisStore. */
  store?: RelayStore;
  /** `debounce_time` of each reply request, in seconds (default 3). */
  debounce?: number;
  /** Key prefix (default `antonnia:relay`; no `{` or `}`); workers that share a store use the same one. */
  prefix?: string;
  /** The contact lock's lease (default 30 000). */
  lockLeaseMs?: number;
  /** How long `receive` waits for a contact's lock (default 10 000). */
  lockWaitMs?: number;
  /** A delivery claim's lease, extended every third of it while `deliver` runs (default 30 000). */
  claimLeaseMs?: number;
  /** How long one webhook waits for a busy or earlier message before answering 503 (default 5 000). */
  maxWaitMs?: number;
  /** How long records are kept, i.e. a duplicate is recognised (default 7 days). */
  retentionMs?: number;
  /** Verify signatures (default true). */
  verify?: boolean;
  /** Deliver a session's earlier pending messages (read from the API) first (default true). */
  strictOrder?: boolean;
  /** How far back `strictOrder` looks (default 1 hour). */
  orderWindowMs?: number;
  /**
   * Where `deliver` failures and sweeps are logged (default `console`): message
   * and session ids and the error's name, never a message's text or a token.
   */
  logger?: RelayLogger;
}

/** What the relay logs through: `console`, or any logger with `warn` and `error`. */
export interface RelayLogger {
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/** `relay.stats()`: the relay's counters in this process (antonnia_relay::stats). */
export interface RelayStatsSnapshot {
  channel_type: string;
  /** Webhooks answered, all outcomes. */
  webhooks_received: number;
  /** Webhooks by outcome (`sent`, `duplicate`, `busy`, `bad_signature`, ...). */
  webhooks: Record<string, number>;
  /** Webhooks answered 503 (the sender retries). */
  unavailable: number;
  /** Messages sent by `deliver` for the first time. */
  delivered: number;
  /** Messages sent again after a claim lapsed (`attempt.redelivery`). */
  redelivered: number;
  /** Messages `deliver` refused (reported `failed`). */
  failed: number;
  /** `deliver` calls that threw. */
  crashed: number;
  /** User messages received, and how many repeated a `provider_message_id`. */
  received: number;
  received_duplicates: number;
  /** Webhooks that waited for a claim another worker held, and how long in all (ms). */
  claim_waits: number;
  claim_wait_ms: number;
  /** `receive` calls that waited for a contact's lock, and how long in all (ms). */
  lock_waits: number;
  lock_wait_ms: number;
  /** Sweeps of the recovery index completed, and what they found by outcome. */
  sweeps: number;
  recovered: Record<string, number>;
}

/** The part of an OpenTelemetry `Meter` (`@opentelemetry/api`) the relay uses. */
export interface OpenTelemetryMeter {
  createObservableCounter(name: string, options?: { description?: string; unit?: string }): {
    addCallback(callback: (result: { observe(value: number, attributes?: Record<string, string>): void }) => void): void;
  };
}

/** Registers a relay's counters as observable counters of an OpenTelemetry meter; returns the instruments. */
export declare function observeWithOpenTelemetry<M extends OpenTelemetryMeter>(
  relay: ChannelRelay, meter: M,
): ReturnType<M['createObservableCounter']>[];

/** The part of the prom-client module the relay uses. */
export interface PromClientModule {
  Counter: new (config: {
    name: string; help: string; labelNames: readonly string[]; registers?: unknown[];
    collect?: (this: { reset(): void; inc(labels: Record<string, string>, value: number): void }) => void;
  }) => unknown;
}

/** Registers a relay's counters with prom-client (one Counter per metric, read at each scrape); returns the counters. */
export declare function observeWithPromClient(
  relay: ChannelRelay, promClient: PromClientModule, options?: { registers?: unknown[] },
): unknown[];

/** A message `recover()` found stranded and ran through the webhook's path again. */
export interface Recovered {
  session_id: string;
  message_id: string;
  /** As for a webhook: `sent`, `failed`, `duplicate` (settled); `busy`, `deliver_crashed`, `api_unavailable` (looked at again later). */
  outcome: WebhookOutcome;
}

/**
 * The Quick Start loop as one object, safe across concurrent calls and
 * worker processes (Node or Python) sharing a store.
 */
export class ChannelRelay {
  constructor(options: ChannelRelayOptions);
  /** The store the relay uses. */
  readonly store: RelayStore;
  /** Records a user message (one open session per contact, posted once) and asks for a reply. */
  receive(params: ReceiveParams): Promise<Received>;
  /** Handles one webhook delivery from its raw body and headers; never rejects for the sender's faults or an outage. */
  handleWebhook(rawBody: string | Uint8Array | ArrayBuffer, headers?: Record<string, string | string[] | undefined> | Headers): Promise<WebhookReply>;
  /** Passes a channel receipt on; null when no assistant message has that provider id. */
  report(params: ReportParams): Promise<Message | null>;
  /**
   * Delivers the messages whose worker died mid-send (their claim lapsed
   * unsettled), without waiting for a webhook retry; safe on many workers.
   */
  recover(options?: { limit?: number }): Promise<Recovered[]>;
  /** Calls `recover()` every `intervalMs` (default 5 000) until `close()` or the returned function is called. */
  startSweeper(intervalMs?: number): () => void;
  /** The relay's counters in this process since it started. */
  stats(): RelayStatsSnapshot;
  /** The counters in the Prometheus text format (serve it beside your registry's `metrics()`). */
  prometheusText(): string;
  /** Stops the sweeper and closes the store (not the client). */
  close(): Promise<void>;
}

/** The store's claim operation's inputs (the claim Lua script's KEYS and ARGV, by name). */
export interface ClaimArgs {
  outboundKey: string;
  queueKey: string;
  contactKey: string;
  messageId: string;
  createdAtMs: number;
  messageJson: string;
  token: string;
  leaseMs: number;
  retentionMs: number;
  channelType: string;
  sessionBase: string;
  /** The recovery index (`RelayKeys.pending(channelType)`) and the message's entry in it; absent: not indexed. */
  pendingKey?: string;
  pendingMember?: string;
}

/** What a claim found (docs/relay.md, "Atomic operations"). */
export type ClaimResult =
  | { result: 'claimed'; attempt: number; contact: string; message?: string }
  | { result: 'busy'; lease_ms: number }
  | { result: 'earlier'; message_id: string; lease_ms: number; message?: string }
  | { result: 'done' }
  | { result: 'unreported'; attempt: number; outcome: Outcome; contact: string }
  | { result: 'unknown_session' }
  | { result: 'not_ours' };

/** What became of a delivered message. */
export interface Outcome {
  status: 'sent' | 'failed' | DeliveryStatus;
  provider_message_id?: string;
  code?: number;
  message?: string;
}

/** The operations a relay store provides, all atomic (MemoryStore and RedisStore implement it). */
export interface RelayStore {
  acquire(key: string, owner: string, leaseMs: number): Promise<boolean>;
  release(key: string, owner: string): Promise<void>;
  getMany(keys: string[]): Promise<(string | null)[]>;
  put(key: string, value: string, ttlMs: number): Promise<void>;
  forget(key: string, sessionId: string): Promise<boolean>;
  claim(args: ClaimArgs): Promise<ClaimResult>;
  /** Extends a live `pending` claim of `owner` by `leaseMs` from now; false when it is not (any more) theirs. */
  extend(outboundKey: string, owner: string, leaseMs: number): Promise<boolean>;
  finish(outboundKey: string, queueKey: string, messageId: string, owner: string,
    state: 'done' | 'delivered' | 'released', outcome: Outcome | null, retentionMs: number): Promise<boolean>;
  /** The recovery index: add or move an entry (a sorted set member, its score `dueMs`). */
  indexPut(key: string, member: string, dueMs: number): Promise<void>;
  /** The recovery index's entries due by `nowMs`, soonest first, at most `limit`: `[member, dueMs]`. */
  indexDue(key: string, nowMs: number, limit: number): Promise<[string, number][]>;
  /** Removes entries from the recovery index. */
  indexDrop(key: string, members: string[]): Promise<void>;
  close(): Promise<void>;
}

/** The store in this process's memory: one process, any number of concurrent calls. */
export class MemoryStore implements RelayStore {
  constructor();
  acquire(key: string, owner: string, leaseMs: number): Promise<boolean>;
  release(key: string, owner: string): Promise<void>;
  getMany(keys: string[]): Promise<(string | null)[]>;
  put(key: string, value: string, ttlMs: number): Promise<void>;
  forget(key: string, sessionId: string): Promise<boolean>;
  claim(args: ClaimArgs): Promise<ClaimResult>;
  /** Extends a live `pending` claim of `owner` by `leaseMs` from now; false when it is not (any more) theirs. */
  extend(outboundKey: string, owner: string, leaseMs: number): Promise<boolean>;
  finish(outboundKey: string, queueKey: string, messageId: string, owner: string,
    state: 'done' | 'delivered' | 'released', outcome: Outcome | null, retentionMs: number): Promise<boolean>;
  /** The recovery index: add or move an entry (a sorted set member, its score `dueMs`). */
  indexPut(key: string, member: string, dueMs: number): Promise<void>;
  /** The recovery index's entries due by `nowMs`, soonest first, at most `limit`: `[member, dueMs]`. */
  indexDue(key: string, nowMs: number, limit: number): Promise<[string, number][]>;
  /** Removes entries from the recovery index. */
  indexDrop(key: string, members: string[]): Promise<void>;
  close(): Promise<void>;
}

export interface RedisStoreOptions {
  /** How long an operation waits for a connection before StoreUnavailableError (default 5 000). */
  connectTimeoutMs?: number;
  /** How long an operation waits for Redis's answer before StoreUnavailableError (default 5 000). */
  commandTimeoutMs?: number;
}

/**
 * A node-redis client (v4 or v5): only `sendCommand`, `isReady`, `isOpen`
 * and the `ready` event are used, so the redis package's types stay optional.
 */
export interface RedisClientLike {
  sendCommand(args: string[]): Promise<unknown>;
  readonly isReady: boolean;
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  on(event: 'ready' | 'error', listener: (...args: any[]) => void): unknown;
  off(event: 'ready' | 'error', listener: (...args: any[]) => void): unknown;
}

/**
 * A node-redis cluster client (`createCluster`, v4 or v5): only
 * `sendCommand(firstKey, isReadonly, args)`, `getSlotRandomNode` (how the
 * store tells it from a single-node client), `isOpen` and `connect` are used.
 */
export interface RedisClusterLike {
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: string[]): Promise<unknown>;
  getSlotRandomNode(slot: number): unknown;
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  on(event: 'error', listener: (...args: any[]) => void): unknown;
}

/**
 * A node-redis v5 Sentinel client (`createSentinel`): only
 * `sendCommand(isReadonly, args, options)`, `getMasterNode` and
 * `getSentinelNode` (how the store tells it from the other clients),
 * `isOpen` and `connect` are used.
 */
export interface RedisSentinelLike {
  sendCommand(isReadonly: boolean | undefined, args: string[], options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  getMasterNode(): unknown;
  getSentinelNode(): unknown;
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  on(event: 'error', listener: (...args: any[]) => void): unknown;
}

/** `RedisStore.fromSentinel`'s options: where the sentinels are, which master, and the store's timeouts. */
export interface RedisSentinelStoreOptions extends RedisStoreOptions {
  /** Some or all of the sentinels (any of them may be down). */
  sentinels: { host: string; port: number }[];
  /** The master's name the sentinels watch (`sentinel monitor <name> ...`). */
  name: string;
  /** node-redis client options for the master's connections (password, TLS, ...; not `url`). */
  nodeClientOptions?: Record<string, unknown>;
  /** node-redis client options for the sentinels' connections. */
  sentinelClientOptions?: Record<string, unknown>;
}

/** The store on Redis, shared by every worker (Node or Python) that uses the same prefix. */
export class RedisStore implements RelayStore {
  /**
   * Around a node-redis client, or a `createCluster` client, of your own
   * (connected; `close()` leaves it open). node-redis re-reads a cluster's
   * layout only on MOVED/ASK: after a master dies, a cluster client of your
   * own keeps failing until you replace it; `fromClusterUrl` does so itself.
   */
  constructor(client: RedisClientLike | RedisClusterLike | RedisSentinelLike, options?: RedisStoreOptions);
  /** A store on a new client for `url` (connects on first use; `close()` closes it). Needs `npm install redis`. */
  static fromUrl(url: string, options?: RedisStoreOptions): Promise<RedisStore>;
  /**
   * A store on a new cluster client that discovers a Redis Cluster from the
   * node at `url` (connects on first use; `close()` closes it; after a lost
   * connection it makes a new client from every node it knew, so that it
   * finds a failover's new master). Needs `npm install redis`.
   */
  static fromClusterUrl(url: string, options?: RedisStoreOptions): Promise<RedisStore>;
  /**
   * A store on a new node-redis v5 Sentinel client (`createSentinel`) for the
   * master the sentinels know as `name` (connects on first use; `close()`
   * closes it). The client follows the sentinels to a failover's new master;
   * the store reloads its scripts there. Needs `npm install redis@5`.
   */
  static fromSentinel(options: RedisSentinelStoreOptions): Promise<RedisStore>;
  readonly client: RedisClientLike | RedisClusterLike | RedisSentinelLike;
  acquire(key: string, owner: string, leaseMs: number): Promise<boolean>;
  release(key: string, owner: string): Promise<void>;
  getMany(keys: string[]): Promise<(string | null)[]>;
  put(key: string, value: string, ttlMs: number): Promise<void>;
  forget(key: string, sessionId: string): Promise<boolean>;
  claim(args: ClaimArgs): Promise<ClaimResult>;
  /** Extends a live `pending` claim of `owner` by `leaseMs` from now; false when it is not (any more) theirs. */
  extend(outboundKey: string, owner: string, leaseMs: number): Promise<boolean>;
  finish(outboundKey: string, queueKey: string, messageId: string, owner: string,
    state: 'done' | 'delivered' | 'released', outcome: Outcome | null, retentionMs: number): Promise<boolean>;
  /** The recovery index: add or move an entry (a sorted set member, its score `dueMs`). */
  indexPut(key: string, member: string, dueMs: number): Promise<void>;
  /** The recovery index's entries due by `nowMs`, soonest first, at most `limit`: `[member, dueMs]`. */
  indexDue(key: string, nowMs: number, limit: number): Promise<[string, number][]>;
  /** Removes entries from the recovery index. */
  indexDrop(key: string, members: string[]): Promise<void>;
  close(): Promise<void>;
}

/** The store's key names under one prefix (the core's; shared with every language). */
export class RelayKeys {
  constructor(prefix?: string);
  readonly prefix: string;
  lock(channelType: string, channelUserId: string): string;
  session(channelType: string, channelUserId: string): string;
  inbound(channelType: string, channelUserId: string, providerMessageId: string): string;
  contact(sessionId: string): string;
  queue(sessionId: string): string;
  outbound(sessionId: string, messageId: string): string;
  sessionBase(sessionId: string): string;
  /** The recovery index of a channel type's relays (`<prefix>:pending:<channel_type>`): claims by when they lapse. */
  pending(channelType: string): string;
  /** A message's entry in the recovery index. */
  pendingMember(sessionId: string, messageId: string): string;
  /** The outbound record an entry stands for (undefined for text no relay wrote). */
  pendingOutbound(member: string): string | undefined;
}

export type RecordType = 'session' | 'contact' | 'inbound' | 'outbound';
/** A stored record from its JSON text; throws DecodeError for a malformed or newer one. */
export function decodeRecord(recordType: RecordType, text: string): Record<string, unknown>;
/** A record as the exact JSON text every worker writes. */
export function encodeRecord(recordType: RecordType, record: Record<string, unknown>): string;

/** The root of the relay's own errors; an AntonniaError, so one `instanceof AntonniaError` answers 503 for all `receive` throws. */
export class RelayError extends AntonniaError {}
/** The store could not be reached or failed (`handleWebhook` answers 503). */
export class StoreUnavailableError extends RelayError {}
/** The contact's lock stayed held longer than `lockWaitMs`. */
export class LockTimeoutError extends RelayError {}
/** Throw it from `deliver` when the channel refused the message: reported `failed`, never retried. */
export class DeliveryError extends Error {
  constructor(code?: number | null, detail?: string | null);
  /** The channel's error code (e.g. WhatsApp's 131047). */
  readonly code: number | undefined;
  /** The channel's explanation (without one, a known WhatsApp code is described). */
  readonly detail: string | undefined;
}
