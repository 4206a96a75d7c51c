// antonnia-sdk/relay (Node only): the channel relay, the Quick Start loop as
// one object that stays correct across concurrent calls and worker processes
// sharing Redis. The same relay as Python's antonnia_sdk.relay, reading and
// writing the same keys and records with the same Lua scripts, all from the
// Rust crate antonnia-relay (docs/relay.md): this file only performs the
// effects its webhook procedure (RelayRun) and decisions name, against the API
// and a store. Browser bundles never load it: the
// package's main entry does not import it, the relay's exports are in their
// own wasm build (relay_wasm.js), and node-redis is an optional peer
// dependency loaded on first use of RedisStore.fromUrl.
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import * as wasm from './relay_wasm.js';
import { bodyBytes, deliveryCrossing } from './delivery.js';
import { signatureHeaderText } from './headers.js';
import {
  AntonniaError, DecodeError, NotFoundError, PayloadTooLargeError, ValidationError,
  WebhookVerificationError, DeliveryError, LockTimeoutError, RelayError, StoreUnavailableError, core, invalid,
} from './errors.js';

export { DeliveryError, LockTimeoutError, RelayError, StoreUnavailableError } from './errors.js';

const CONSTANTS = JSON.parse(wasm.relayConstants());
const crossing = deliveryCrossing(wasm.coreMemory);
/** The key prefix when none is given. */
export const DEFAULT_PREFIX = CONSTANTS.defaultPrefix;
/** The Lua scripts Redis runs (from antonnia-relay; never restated here). */
const SCRIPTS = Object.freeze({
  claim: CONSTANTS.claim, finish: CONSTANTS.finish, extend: CONSTANTS.extend, unlock: CONSTANTS.unlock, forget: CONSTANTS.forget,
});

const token = () => randomBytes(16).toString('hex');
const monotonic = () => performance.now();

// The effects that end a run (antonnia_relay::run::Effect).
const ENDS = new Set(['done', 'received', 'recovered', 'failed']);

// How an effect failed, as the core's runs name it (HostError).
function errorKind(e) {
  if (e instanceof StoreUnavailableError) return 'store_unavailable';
  if (e instanceof NotFoundError) return 'not_found';
  if (e instanceof ValidationError) return 'rejected';
  if (e instanceof AntonniaError) return 'api_unavailable';
  return 'other';
}

// The error a run's `failed` end throws: the host's own failure that caused
// it, else the error the core names.
function failureOf(effect, failures) {
  const cause = failures.get(effect.cause ?? '');
  if (cause !== undefined) return cause;
  const detail = effect.detail ?? `the relay's run failed (${effect.error})`;
  return effect.error === 'lock_timeout' ? new LockTimeoutError(detail) : new RelayError(detail);
}

/** A stored record (`session`, `contact`, `inbound`, `outbound`) from its JSON text; throws DecodeError for a malformed or newer one. */
export function decodeRecord(recordType, text) {
  return JSON.parse(core(() => wasm.relayDecodeRecord(recordType, text)));
}

/** A record as the exact JSON text every worker (any language) writes. */
export function encodeRecord(recordType, record) {
  return core(() => wasm.relayEncodeRecord(recordType, JSON.stringify(record)));
}

/** The store's key names under one prefix (the core's; shared with every language). */
export class RelayKeys {
  #k;
  constructor(prefix = DEFAULT_PREFIX) {
    if (typeof prefix !== 'string') throw invalid('prefix', 'must be a string');
    this.#k = core(() => new wasm.RelayKeys(prefix));
  }
  get prefix() { return this.#k.prefix; }
  lock(channelType, channelUserId) { return this.#k.lock(channelType, channelUserId); }
  session(channelType, channelUserId) { return this.#k.session(channelType, channelUserId); }
  inbound(channelType, channelUserId, providerMessageId) {
    return this.#k.inbound(channelType, channelUserId, providerMessageId);
  }
  contact(sessionId) { return this.#k.contact(sessionId); }
  queue(sessionId) { return this.#k.queue(sessionId); }
  outbound(sessionId, messageId) { return this.#k.outbound(sessionId, messageId); }
  sessionBase(sessionId) { return this.#k.sessionBase(sessionId); }
  /** The recovery index of a channel type's relays: claims by when they lapse (docs/relay.md). */
  pending(channelType) { return this.#k.pending(channelType); }
  /** A message's entry in the recovery index. */
  pendingMember(sessionId, messageId) { return this.#k.pendingMember(sessionId, messageId); }
  /** The outbound record an entry of the recovery index stands for (undefined for text no relay wrote). */
  pendingOutbound(member) { return this.#k.pendingOutbound(member) ?? undefined; }
}

// ---------------------------------------------------------------- stores

/**
 * The relay's store in this process's memory: for one process (any number of
 * concurrent calls; each operation runs without an await inside, so it is
 * atomic). Several processes need RedisStore. The semantics are those of the
 * core's Lua scripts.
 */
export class MemoryStore {
  // The atomic operations are the core's (antonnia_relay::memory: the Lua
  // scripts' semantics); JS runs one call at a time, so each is atomic.
  #data = new wasm.RelayMemory();

  async acquire(key, owner, leaseMs) {
    return this.#data.acquire(key, owner, leaseMs, Date.now());
  }

  async release(key, owner) {
    this.#data.release(key, owner, Date.now());
  }

  async getMany(keys) {
    return JSON.parse(core(() => this.#data.getMany(JSON.stringify(keys), Date.now())));
  }

  async put(key, value, ttlMs) {
    this.#data.put(key, value, ttlMs ?? undefined, Date.now());
  }

  async forget(key, sessionId) {
    return this.#data.forget(key, sessionId, Date.now());
  }

  async indexPut(key, member, dueMs) {
    this.#data.indexPut(key, member, dueMs);
  }

  async indexDue(key, nowMs, limit) {
    return JSON.parse(core(() => this.#data.indexDue(key, nowMs, limit)));
  }

  async indexDrop(key, members) {
    core(() => this.#data.indexDrop(key, JSON.stringify(members)));
  }

  async claim(a) {
    const args = {
      outbound_key: a.outboundKey, queue_key: a.queueKey, contact_key: a.contactKey, message_id: a.messageId,
      created_at_ms: a.createdAtMs, message_json: a.messageJson, token: a.token, lease_ms: a.leaseMs,
      retention_ms: a.retentionMs, channel_type: a.channelType, session_base: a.sessionBase,
      pending_key: a.pendingKey ?? '', pending_member: a.pendingMember ?? '',
    };
    return JSON.parse(core(() => this.#data.claim(JSON.stringify(args), Date.now())));
  }

  async extend(outboundKey, owner, leaseMs) {
    return this.#data.extend(outboundKey, owner, leaseMs, Date.now());
  }

  async finish(outboundKey, queueKey, messageId, owner, state, outcome, retentionMs) {
    return core(() => this.#data.finish(outboundKey, queueKey, messageId, owner, state, JSON.stringify(outcome ?? null),
      retentionMs, Date.now()));
  }

  async close() {}
}

function storeError(what, e) {
  if (e instanceof StoreUnavailableError) return e;
  const name = e?.constructor?.name ?? 'Error';
  // node-redis messages name the command's failure, never the URL or its password.
  return new StoreUnavailableError(`redis ${what} failed: ${name}: ${e instanceof Error ? e.message : String(e)}`);
}

// The option through which fromClusterUrl hands the store a way to make a new client.
const REMAKE = Symbol('remake');

// A reply Redis sent (WRONGTYPE, NOSCRIPT, ...), not a lost connection.
function isErrorReply(e) {
  for (let p = e; p; p = Object.getPrototypeOf(p)) if (p.constructor?.name === 'ErrorReply') return true;
  return false;
}

async function loadRedis() {
  try {
    return await import('redis');
  } catch (e) {
    if (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') {
      throw new RelayError("RedisStore needs node-redis, an optional peer dependency of antonnia-sdk: npm install redis");
    }
    throw e;
  }
}

/**
 * The relay's store on Redis (node-redis v4 or v5), shared by every worker
 * process, in any language, that uses the same prefix. Claims and
 * compare-and-delete are the core's Lua scripts (EVALSHA, loaded on
 * NOSCRIPT; one round trip each); locks are `SET NX PX`. Any Redis failure,
 * including no answer within `commandTimeoutMs`, throws StoreUnavailableError.
 *
 * `await RedisStore.fromUrl('redis://127.0.0.1:6379/0')`, or
 * `new RedisStore(client)` around a node-redis client of your own (connected).
 * On Redis Cluster: `await RedisStore.fromClusterUrl('redis://any-node:6379')`
 * (or a `createCluster` client of your own): every script's keys share one
 * hash slot (docs/relay.md, Keys). Behind Redis Sentinel:
 * `await RedisStore.fromSentinel({ sentinels: [{ host, port }], name })` (or a
 * `createSentinel` client of your own, node-redis v5).
 */
export class RedisStore {
  #client;
  #owned;
  #cluster;
  #sentinel;
  #remake;
  #remaking = null;
  #remadeAt = 0;
  #connected = null;
  #connectTimeoutMs;
  #commandTimeoutMs;
  #connecting = null;
  #waiting = null;
  #sha = {};

  constructor(client, options = {}) {
    if (client === null || typeof client !== 'object' || typeof client.sendCommand !== 'function') {
      throw invalid('client', 'must be a node-redis client (createClient, createCluster or createSentinel from the redis package)');
    }
    this.#client = client;
    this.#owned = Boolean(options.owned);
    // A createCluster client: sendCommand(firstKey, isReadonly, args), no isReady.
    this.#cluster = typeof client.getSlotRandomNode === 'function';
    // A createSentinel client (node-redis v5): sendCommand(isReadonly, args, options).
    this.#sentinel = !this.#cluster && typeof client.getMasterNode === 'function' && typeof client.getSentinelNode === 'function';
    this.#remake = options[REMAKE] ?? null;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.#commandTimeoutMs = options.commandTimeoutMs ?? 5000;
    for (const [name, src] of Object.entries(SCRIPTS)) this.#sha[name] = createHash('sha1').update(src).digest('hex');
  }

  /**
   * A store on a new node-redis client for `url` (`redis://`, `rediss://`);
   * it connects on first use. Needs `npm install redis`. `close()` closes it.
   */
  static async fromUrl(url, options = {}) {
    if (typeof url !== 'string') throw invalid('url', 'must be a string');
    const { createClient } = await loadRedis();
    const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    const client = createClient({
      url,
      // Without a connection, commands fail at once (a 503 now) instead of
      // queueing until Redis comes back.
      disableOfflineQueue: true,
      socket: { connectTimeout: connectTimeoutMs, reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 1000) },
    });
    // node-redis emits 'error' on every failed (re)connection; without a
    // listener Node would crash the process. Failures reach callers as
    // StoreUnavailableError instead.
    client.on('error', () => {});
    return new RedisStore(client, { ...options, connectTimeoutMs, owned: true });
  }

  /**
   * A store on a new node-redis cluster client (`createCluster`) that
   * discovers a Redis Cluster from the node at `url` (`redis://host:port`);
   * it connects on first use; `close()` closes it. node-redis re-reads the
   * cluster's layout only on MOVED/ASK, which a dead master never sends, so
   * after a connection failure this store makes a new client from every node
   * it knew: a failover's new master is found once the cluster promoted it.
   */
  static async fromClusterUrl(url, options = {}) {
    if (typeof url !== 'string') throw invalid('url', 'must be a string');
    const { createCluster } = await loadRedis();
    const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    const make = (rootNodes) => {
      const cluster = createCluster({
        rootNodes,
        defaults: {
          disableOfflineQueue: true,
          socket: { connectTimeout: connectTimeoutMs, reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 1000) },
        },
      });
      cluster.on('error', () => {});
      return cluster;
    };
    const remake = (old) => {
      const known = [...(old.masters ?? []), ...(old.replicas ?? [])]
        .filter((n) => n.host && n.port)
        .map((n) => ({ socket: { host: n.host, port: n.port } }));
      return make([...known, { url }]);
    };
    return new RedisStore(make([{ url }]), { ...options, connectTimeoutMs, owned: true, [REMAKE]: remake });
  }

  /**
   * A store on a new node-redis v5 Sentinel client (`createSentinel`) for the
   * master the sentinels at `sentinels` (`[{ host, port }]`; any of them may
   * be down) know as `name`; it connects on first use; `close()` closes it.
   * `nodeClientOptions` / `sentinelClientOptions` (password, TLS, ...) go to
   * node-redis for the master's and the sentinels' connections. The client
   * follows the sentinels' announcements to a failover's new master.
   */
  static async fromSentinel(options = {}) {
    const { sentinels, name, nodeClientOptions = {}, sentinelClientOptions = {}, ...storeOptions } = options ?? {};
    if (!Array.isArray(sentinels) || sentinels.length === 0
      || !sentinels.every((n) => n && typeof n.host === 'string' && Number.isInteger(n.port))) {
      throw invalid('sentinels', 'must be a non-empty array of { host: string, port: number }');
    }
    if (typeof name !== 'string' || name === '') throw invalid('name', "must be the master's name the sentinels watch");
    const { createSentinel } = await loadRedis();
    if (typeof createSentinel !== 'function') {
      throw new RelayError('RedisStore.fromSentinel needs node-redis v5 (createSentinel): npm install redis@5');
    }
    const connectTimeoutMs = storeOptions.connectTimeoutMs ?? 5000;
    const socket = (o) => ({ connectTimeout: connectTimeoutMs, ...o.socket });
    const client = createSentinel({
      name,
      sentinelRootNodes: sentinels.map(({ host, port }) => ({ host, port })),
      // Without a connection, commands fail at once (a 503 now) instead of
      // queueing until Redis comes back; the Sentinel client itself finds
      // the new master and retries a command sent to a demoted one.
      nodeClientOptions: { disableOfflineQueue: true, ...nodeClientOptions, socket: socket(nodeClientOptions) },
      sentinelClientOptions: { ...sentinelClientOptions, socket: socket(sentinelClientOptions) },
    });
    client.on('error', () => {});
    return new RedisStore(client, { ...storeOptions, connectTimeoutMs, owned: true });
  }

  /** The node-redis client. */
  get client() {
    return this.#client;
  }

  async #ready() {
    const c = this.#client;
    if (this.#cluster || this.#sentinel) return this.#clusterReady(c);
    if (c.isReady) return;
    if (!c.isOpen) {
      if (!this.#owned) throw new StoreUnavailableError('redis client is not connected: call client.connect() first');
      this.#connecting ??= c.connect().catch(() => {}).finally(() => { this.#connecting = null; });
    }
    // One wait (and one 'ready' listener) however many calls arrive meanwhile.
    this.#waiting ??= new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        c.off('ready', done);
        resolve();
      };
      const timer = setTimeout(() => {
        c.off('ready', done);
        reject(new StoreUnavailableError(`redis is not reachable within ${this.#connectTimeoutMs} ms`));
      }, this.#connectTimeoutMs);
      c.on('ready', done);
      if (c.isReady) done();
    }).finally(() => { this.#waiting = null; });
    await this.#waiting;
  }

  async #clusterReady(c) {
    if (this.#connected === c) return;
    const kind = this.#cluster ? 'cluster' : 'sentinel';
    if (!this.#owned) {
      if (c.isOpen) return;
      throw new StoreUnavailableError(`redis ${kind} client is not connected: call client.connect() first`);
    }
    // isOpen turns true when connect() starts, before the cluster's slots are
    // known: only a connect() that finished makes the client usable.
    let timer;
    if (!this.#connecting) {
      // Cleared only if it is still this client's (a remade client has its own).
      const connecting = c.connect()
        .then(() => { if (this.#client === c) this.#connected = c; })
        .finally(() => { if (this.#connecting === connecting) this.#connecting = null; });
      connecting.catch(() => {}); // a caller that timed out first no longer awaits it
      this.#connecting = connecting;
    }
    try {
      await Promise.race([this.#connecting, new Promise((_, reject) => {
        timer = setTimeout(() => reject(new StoreUnavailableError(`redis ${kind} is not reachable within ${this.#connectTimeoutMs} ms`)),
          this.#connectTimeoutMs);
      })]);
    } finally {
      clearTimeout(timer);
    }
  }

  // An owned cluster client that lost a node: a new one from every node the
  // old one knew (at most one at a time, one per 250 ms).
  #remakeCluster() {
    if (!this.#remake || this.#remaking || Date.now() - this.#remadeAt < 250) return;
    const old = this.#client;
    this.#remadeAt = Date.now();
    this.#client = this.#remake(old);
    this.#connecting = null;
    this.#remaking = Promise.resolve().then(() => old.destroy?.()).catch(() => {}).finally(() => { this.#remaking = null; });
  }

  async #send(what, args, firstKey) {
    let timer;
    // A Sentinel client holds a command while it looks for a master (a
    // failover): one given up on here must not run later.
    const abort = this.#sentinel ? new AbortController() : null;
    try {
      await this.#ready();
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => {
          abort?.abort();
          reject(new StoreUnavailableError(`redis ${what}: no answer within ${this.#commandTimeoutMs} ms`));
        }, this.#commandTimeoutMs);
      });
      const sent = this.#cluster ? this.#client.sendCommand(firstKey, false, args)
        : this.#sentinel ? this.#client.sendCommand(false, args, { abortSignal: abort.signal })
          : this.#client.sendCommand(args);
      sent.catch(() => {}); // rejected after the timeout won: nobody awaits it
      return await Promise.race([sent, timeout]);
    } catch (e) {
      if (this.#cluster && !isErrorReply(e)) this.#remakeCluster();
      throw storeError(what, e);
    } finally {
      clearTimeout(timer);
    }
  }

  async #script(name, keys, argv) {
    const args = [String(keys.length), ...keys, ...argv.map(String)];
    try {
      return await this.#send(name, ['EVALSHA', this.#sha[name], ...args], keys[0]);
    } catch (e) {
      if (!String(e?.message).includes('NOSCRIPT')) throw e;
      // On a cluster, to the node that answered NOSCRIPT: the one of keys[0].
      await this.#send('SCRIPT LOAD', ['SCRIPT', 'LOAD', SCRIPTS[name]], keys[0]);
      return this.#send(name, ['EVALSHA', this.#sha[name], ...args], keys[0]);
    }
  }

  async acquire(key, owner, leaseMs) {
    return (await this.#send('SET NX', ['SET', key, owner, 'NX', 'PX', String(leaseMs)], key)) !== null;
  }

  async release(key, owner) {
    await this.#script('unlock', [key], [owner]);
  }

  async getMany(keys) {
    // A sweep reads the records of many sessions, in many slots: on a
    // cluster, one GET each, all at once.
    const out = this.#cluster
      ? await Promise.all(keys.map((k) => this.#send('GET', ['GET', k], k)))
      : await this.#send('MGET', ['MGET', ...keys]);
    return out.map((v) => (v === undefined ? null : v === null ? null : String(v)));
  }

  async put(key, value, ttlMs) {
    await this.#send('SET', ['SET', key, value, 'PX', String(ttlMs)], key);
  }

  async forget(key, sessionId) {
    return Number(await this.#script('forget', [key], [sessionId])) === 1;
  }

  async claim(a) {
    // The recovery index has no hash tag of the message's (one key finds
    // every claim), so it cannot be a key of the script (Redis Cluster): it
    // is its own command, sent in the same tick as the script (one write,
    // one round trip). Missing it only delays recovery to the webhook's retry.
    const indexed = a.pendingKey
      ? this.indexPut(a.pendingKey, a.pendingMember, Date.now() + a.leaseMs).catch(() => {})
      : null;
    const [, raw] = await Promise.all([indexed, this.#script('claim', [a.outboundKey, a.queueKey, a.contactKey],
      [a.messageId, a.createdAtMs, a.messageJson, a.token, a.leaseMs, a.retentionMs, a.channelType, a.sessionBase])]);
    return JSON.parse(String(raw));
  }

  async indexPut(key, member, dueMs) {
    await this.#send('ZADD', ['ZADD', key, String(dueMs), member], key);
  }

  async indexDue(key, nowMs, limit) {
    const flat = await this.#send('ZRANGEBYSCORE', ['ZRANGEBYSCORE', key, '-inf', String(nowMs), 'WITHSCORES', 'LIMIT', '0', String(limit)], key);
    const out = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push([String(flat[i]), Number(flat[i + 1])]);
    return out;
  }

  async indexDrop(key, members) {
    if (members.length) await this.#send('ZREM', ['ZREM', key, ...members], key);
  }

  async extend(outboundKey, owner, leaseMs) {
    return Number(await this.#script('extend', [outboundKey], [owner, leaseMs])) === 1;
  }

  async finish(outboundKey, queueKey, messageId, owner, state, outcome, retentionMs) {
    const encoded = outcome == null ? '' : JSON.stringify(outcome);
    return Number(await this.#script('finish', [outboundKey, queueKey], [messageId, owner, state, encoded, retentionMs])) === 1;
  }

  /** Closes the client if this store created it (fromUrl); a client you passed in stays yours. */
  async close() {
    if (!this.#owned) return;
    const c = this.#client;
    try {
      await this.#remaking;
      if (this.#cluster || this.#sentinel) {
        // Not while it connects (its sockets would outlive destroy()); then
        // destroy(): a cluster with a dead node never closes politely.
        await this.#connecting?.catch(() => {});
        await c.destroy();
        return;
      }
      if (c.isReady) await (typeof c.close === 'function' ? c.close() : c.quit());
      else if (c.isOpen) await (typeof c.destroy === 'function' ? c.destroy() : c.disconnect());
    } catch {
      // already closed
    }
  }
}

// ---------------------------------------------------------------- relay

// `r`: the core's answer for the outcome (RelayStats.respond, which counts it).
function reply(r, outcome) {
  const answer = { outcome };
  if (r.retry_after != null) answer.retry_after = r.retry_after;
  const headers = { 'content-type': 'application/json' };
  if (r.retry_after != null) headers['retry-after'] = String(r.retry_after);
  return { status: r.status, body: JSON.stringify(answer), headers, outcome, retryAfter: r.retry_after ?? undefined };
}

function headerPairs(headers) {
  if (headers === undefined || headers === null) return [];
  const entries = typeof headers.entries === 'function' && !(Object.getPrototypeOf(headers) === Object.prototype)
    ? [...headers.entries()] : Object.entries(headers);
  const out = [];
  for (const [k, v] of entries) {
    if (v === undefined) continue;
    // Node's IncomingMessage gives repeated headers as arrays.
    out.push([String(k), Array.isArray(v) ? v.join(', ') : String(v)]);
  }
  return out;
}

// Extends a claim every `everyMs` while `deliver` runs, so a slow channel
// does not let the lease lapse and the message go out twice; returns the
// function that stops it. An extend that arrives after the claim was settled
// is refused by the store (only a live `pending` claim of its owner is
// extended), so the stop need not wait for one in flight.
function heartbeat(store, args, everyMs) {
  let stopped = false;
  let timer;
  const beat = async () => {
    try {
      if (!(await store.extend(args.outboundKey, args.token, args.leaseMs))) return; // lost: nothing to keep
    } catch (e) {
      // The store is down: the lease may lapse, as if this worker had died.
      if (!(e instanceof RelayError)) return;
    }
    if (!stopped) timer = setTimeout(beat, everyMs);
  };
  timer = setTimeout(beat, everyMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

const errorName = (e) => (e instanceof Error ? e.name : typeof e);

function positive(field, v, dflt) {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw invalid(field, 'must be a non-negative, finite number');
  return v;
}

/**
 * The Quick Start loop as one object, safe across concurrent calls and
 * worker processes sharing a store (docs/relay.md). `receive` records a user
 * message (one open session per contact, each message posted once, a reply
 * requested); `handleWebhook` hands each pending assistant message to
 * `deliver` once, in order, and reports it; `report` passes receipts on.
 */
export class ChannelRelay {
  #client;
  #channelType;
  #deliver;
  #receiver;
  #store;
  #keys;
  #claimLeaseMs;
  #runConfig;
  #stats;
  #logger;
  #sweeper = null;

  constructor(options) {
    const o = options ?? {};
    if (typeof o.deliver !== 'function') {
      throw invalid('deliver', 'ChannelRelay needs deliver: the function that sends a message on your channel');
    }
    if (typeof o.channelType !== 'string' || o.channelType === '') throw invalid('channelType', 'must be a non-empty string');
    if (o.client === null || typeof o.client !== 'object' || typeof o.client.sessions !== 'object') {
      throw invalid('client', 'must be an antonnia-sdk Client');
    }
    this.#client = o.client;
    this.#channelType = o.channelType;
    this.#deliver = o.deliver;
    const verify = o.verify ?? true;
    if (typeof verify !== 'boolean') throw invalid('verify', 'must be a boolean');
    const secret = o.webhookSecret ?? undefined;
    if (secret !== undefined && typeof secret !== 'string') throw invalid('webhookSecret', 'must be a string');
    this.#receiver = core(() => new wasm.WebhookReceiver(secret, verify, undefined, undefined, crossing.hostSha256));
    this.#store = o.store ?? new MemoryStore();
    this.#keys = new RelayKeys(o.prefix ?? DEFAULT_PREFIX);
    const debounce = positive('debounce', o.debounce, 3);
    if (!Number.isInteger(debounce)) throw invalid('debounce', 'must be a whole number of seconds');
    this.#claimLeaseMs = Math.round(positive('claimLeaseMs', o.claimLeaseMs, 30_000));
    // What every run of the core needs (antonnia_relay::run::RunConfig).
    this.#runConfig = {
      prefix: this.#keys.prefix,
      channel_type: this.#channelType,
      claim_lease_ms: this.#claimLeaseMs,
      retention_ms: Math.round(positive('retentionMs', o.retentionMs, 7 * 24 * 3600 * 1000)),
      strict_order: Boolean(o.strictOrder ?? true),
      order_window_ms: Math.round(positive('orderWindowMs', o.orderWindowMs, 3600 * 1000)),
      policy: { max_wait_ms: Math.round(positive('maxWaitMs', o.maxWaitMs, 5000)), poll_ms: 100 },
      lock_lease_ms: Math.round(positive('lockLeaseMs', o.lockLeaseMs, 30_000)),
      lock_wait_ms: Math.round(positive('lockWaitMs', o.lockWaitMs, 10_000)),
      debounce,
      agent_id: o.agentId ?? null,
    };
    this.#stats = new wasm.RelayStats(this.#channelType);
    const logger = o.logger ?? console;
    if (logger === null || typeof logger !== 'object' || typeof logger.warn !== 'function' || typeof logger.error !== 'function') {
      throw invalid('logger', 'must have warn() and error() methods (console, pino, winston, ...)');
    }
    this.#logger = logger;
  }

  /** The store the relay uses. */
  get store() {
    return this.#store;
  }

  /** @internal The key names (tests). */
  get keys() {
    return this.#keys;
  }

  toString() {
    return `ChannelRelay(channelType=${this.#channelType}, store=${this.#store.constructor?.name})`;
  }

  // -- inbound --------------------------------------------------------

  /**
   * Records a user message from the channel and asks for a reply: `text` or
   * `content`. Throws StoreUnavailableError, LockTimeoutError or the API's
   * error; calling again with the same `provider_message_id` is safe.
   */
  async receive(params) {
    const p = params ?? {};
    const { channel_user_id: uid, provider_message_id: providerId, contact_name: contactName } = p;
    if (typeof uid !== 'string' || uid === '') throw invalid('channel_user_id', 'must be a non-empty string');
    if (typeof providerId !== 'string' || providerId === '') throw invalid('provider_message_id', 'must be a non-empty string');
    if ((p.text === undefined) === (p.content === undefined)) throw invalid('text', 'receive() takes text or content, exactly one');
    const content = p.content !== undefined ? p.content : { type: 'text', text: String(p.text) };
    // The procedure (lock, read, find or create the session, post once,
    // reply, replace a closed session) is the core's InboundRun
    // (antonnia_relay::run::inbound); the message's content stays here.
    const done = await this.#drive('inbound', {
      channel_user_id: uid, provider_message_id: providerId, contact_name: contactName ?? null,
    }, { content });
    return { session_id: done.session_id, message_id: done.message_id ?? null, duplicate: Boolean(done.duplicate) };
  }

  // -- outbound -------------------------------------------------------

  /**
   * Handles one webhook delivery: `{ status, body, headers, outcome }` to
   * answer with. Never throws for what the sender did or for an outage:
   * 401 for a bad signature, 200 once handled or skipped, 503 with
   * `retry-after` when it is in hand elsewhere, the store or the API is
   * unreachable, or `deliver` crashed.
   */
  async handleWebhook(rawBody, headers) {
    const lines = signatureHeaderText('headers', headerPairs(headers));
    // A string is encoded once, straight into the core's buffer.
    const body = typeof rawBody === 'string' ? rawBody : bodyBytes(rawBody);
    let parsed;
    try {
      parsed = JSON.parse(core(() => {
        const [len, headersLen] = crossing.write(this.#receiver, lines, body);
        return this.#receiver.receiveForRelay(len, headersLen, Date.now());
      }));
    } catch (e) {
      if (e instanceof WebhookVerificationError) return this.#reply('bad_signature');
      if (e instanceof DecodeError || e instanceof PayloadTooLargeError) return this.#reply('bad_request');
      throw e;
    }
    const { event, action } = parsed;
    if (action.action === 'skip') return this.#reply(action.reason);
    let done;
    try {
      if (action.action === 'forget') {
        done = await this.#drive('forget', { session_id: action.session_id }, {});
      } else {
        const message = event.data.object;
        const text = JSON.stringify(message);
        done = await this.#drive('webhook', {
          session_id: action.session_id, message: text, created_at_ms: action.created_at_ms,
        }, { known: new Map([[text, message]]) });
      }
    } catch (e) {
      // A run the core would not start (a message it cannot read): the
      // sender retries rather than the message being dropped.
      if (e instanceof AntonniaError) return this.#reply('api_unavailable');
      throw e;
    }
    return this.#reply(done.outcome, done.retry_after ?? undefined);
  }

  #reply(outcome, retryAfter) {
    return reply(JSON.parse(this.#stats.respond(outcome, retryAfter ?? undefined)), outcome);
  }

  // Every procedure (a webhook's delivery, a sweep, receive, forget) is one
  // of the core's runs (antonnia_relay::run, docs/relay.md): this loop only
  // performs the effects it names and hands back what each gave, or how it
  // failed. Resolves to the run's end.
  async #drive(kind, input, context) {
    const run = core(() => new wasm.RelayRun(kind, JSON.stringify({ ...input, config: this.#runConfig, token: token() })));
    const ctx = { started: monotonic(), known: context.known ?? new Map(), claims: new Map(), content: context.content };
    const failures = new Map();
    try {
      let effect = JSON.parse(run.next());
      while (!ENDS.has(effect.effect)) {
        let answer;
        try {
          answer = (await this.#perform(effect, ctx)) ?? null;
        } catch (e) {
          const error = errorKind(e);
          if (!failures.has(error)) failures.set(error, e);
          answer = { error, name: errorName(e) };
        }
        effect = JSON.parse(core(() => run.resume(JSON.stringify(answer))));
      }
      if (effect.effect === 'failed') throw failureOf(effect, failures);
      return effect;
    } finally {
      this.#stats.add(run);
      run.free();
    }
  }

  async #perform(effect, ctx) {
    const store = this.#store;
    const api = this.#client.sessions;
    const waited = () => Math.floor(monotonic() - ctx.started);
    switch (effect.effect) {
      case 'claim': {
        const a = effect.args;
        const args = {
          outboundKey: a.outbound_key, queueKey: a.queue_key, contactKey: a.contact_key, messageId: a.message_id,
          createdAtMs: a.created_at_ms, messageJson: a.message_json, token: a.token, leaseMs: a.lease_ms,
          retentionMs: a.retention_ms, channelType: a.channel_type, sessionBase: a.session_base,
          pendingKey: a.pending_key, pendingMember: a.pending_member,
        };
        ctx.claims.set(args.token, args);
        const result = await store.claim(args);
        return { result, waited_ms: waited() };
      }
      case 'sleep':
        await sleep(effect.ms);
        return null;
      case 'acquire':
        return { acquired: await store.acquire(effect.key, effect.token, effect.lease_ms), waited_ms: waited() };
      case 'release':
        await store.release(effect.key, effect.token);
        return null;
      case 'get_many':
        return { values: await store.getMany(effect.keys) };
      case 'put':
        await store.put(effect.key, effect.value, effect.ttl_ms);
        return null;
      case 'forget':
        await store.forget(effect.key, effect.session_id);
        return null;
      case 'extend':
        return { held: await store.extend(effect.outbound_key, effect.token, effect.lease_ms) };
      case 'finish':
        await store.finish(effect.outbound_key, effect.queue_key, effect.message_id, effect.token, effect.state,
          effect.outcome ?? null, effect.retention_ms);
        return null;
      case 'index_due': {
        const due = await store.indexDue(effect.key, Date.now(), effect.limit);
        return { members: due.map(([member]) => member) };
      }
      case 'index_put':
        await store.indexPut(effect.key, effect.member, Date.now() + effect.due_in_ms);
        return null;
      case 'index_drop':
        await store.indexDrop(effect.key, effect.members);
        return null;
      case 'fetch_session': {
        const session = await api.get(effect.session_id);
        return { metadata: session.metadata ?? null, status: session.status ?? '' };
      }
      case 'search_sessions': {
        const sessions = await api.search({ status: effect.status, metadata: effect.metadata });
        return { sessions: sessions.map((s) => (s.created_at ? { id: s.id, created_at: s.created_at } : { id: s.id })) };
      }
      case 'create_session': {
        const session = await api.create({
          contact_id: effect.contact_id, contact_name: effect.contact_name, agent_id: effect.agent_id ?? undefined,
          metadata: effect.metadata,
        });
        return { id: session.id };
      }
      case 'find_posted': {
        const found = await api.messages.search({
          session_id: effect.session_id, provider_message_id: effect.provider_message_id, limit: 1,
        });
        return { message_id: found.length ? found[0].id : null };
      }
      case 'post_message': {
        const posted = await api.messages.create(effect.session_id, {
          content: ctx.content, role: effect.role, provider_message_id: effect.provider_message_id,
        });
        return { id: posted.id };
      }
      case 'reply':
        await api.reply(effect.session_id, { debounce_time: effect.debounce_time });
        return null;
      case 'list_messages': {
        const texts = [];
        for await (const m of api.messages.iterSearch({ session_id: effect.session_id, role: 'assistant' })) {
          const listed = JSON.stringify(m);
          ctx.known.set(listed, m);
          texts.push(listed);
        }
        return { messages: texts };
      }
      case 'get_message': {
        const current = await api.messages.get(effect.session_id, effect.message_id);
        return { delivery_status: current.delivery_status ?? '' };
      }
      case 'deliver':
        return this.#deliverOnce(effect, ctx.known, ctx.claims.get(effect.token));
      case 'report': {
        const o = effect.outcome;
        const report = o.status === 'sent'
          ? { status: 'sent', provider_message_id: o.provider_message_id ?? undefined }
          : { status: 'failed', code: o.code ?? undefined, message: o.message ?? undefined };
        const fields = JSON.parse(core(() => wasm.deliveryFields(JSON.stringify(report))));
        await api.messages.update(effect.session_id, effect.message_id, fields);
        return null;
      }
      default:
        throw new RelayError(`the relay's run asked for an effect this SDK does not know: ${effect.effect}`);
    }
  }

  async #deliverOnce(effect, known, args) {
    const text = effect.message;
    const message = known.has(text) ? known.get(text) : JSON.parse(text);
    const c = effect.contact;
    const contact = {
      channel_type: c.channel_type, channel_user_id: c.channel_user_id, contact_name: c.contact_name ?? null, session_id: c.session_id,
    };
    const redelivery = Boolean(effect.redelivery);
    try {
      let providerId;
      const stop = heartbeat(this.#store, args, this.#claimLeaseMs / 3);
      try {
        providerId = await this.#deliver(message, contact, { redelivery, idempotency_key: effect.idempotency_key });
      } finally {
        stop();
      }
      return { delivery: 'sent', provider_message_id: providerId == null ? null : String(providerId) };
    } catch (e) {
      // Ids and the error's name only: its text may quote the message or a token.
      const details = { message_id: message.id, session_id: contact.session_id, error: errorName(e), redelivery };
      if (e instanceof DeliveryError) {
        this.#logger.warn(`antonnia-sdk relay: deliver refused message ${message.id} of session ${contact.session_id} `
          + `(DeliveryError, code ${e.code ?? 'none'}): reported failed`, { ...details, code: e.code ?? null });
        return { delivery: 'refused', code: e.code ?? null, message: e.detail ?? null };
      }
      this.#logger.error(`antonnia-sdk relay: deliver failed for message ${message.id} of session ${contact.session_id} `
        + `(${details.error}): claim released, webhook answered 503`, details);
      return { delivery: 'crashed' };
    }
  }

  // -- recovery -------------------------------------------------------

  /**
   * Delivers the messages whose worker died mid-send, without waiting for a
   * webhook retry or the contact's next message: every claim is indexed by
   * when its lease lapses; the due entries are checked with the claim script
   * and run through the webhook's path (claimed again, never while another
   * worker holds it; read from the API; handed to `deliver` with
   * `attempt.redelivery` unless it was reported already). Resolves to what
   * it found, `[{ session_id, message_id, outcome }]` (`busy` and the other
   * retryable outcomes are looked at again later). Safe on any number of
   * workers at once. Rejects with StoreUnavailableError when the store fails.
   */
  async recover(options = {}) {
    const limit = options.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1) throw invalid('limit', 'must be a positive integer');
    const done = await this.#drive('recover', { limit }, {});
    return done.found.map((f) => {
      if (f.outcome === 'api_unavailable') {
        this.#logger.warn(`antonnia-sdk relay: recovering message ${f.message_id} of session ${f.session_id} failed `
          + `(${f.error}): looked at again later`, { message_id: f.message_id, session_id: f.session_id, error: f.error });
      }
      return { session_id: f.session_id, message_id: f.message_id, outcome: f.outcome };
    });
  }

  /**
   * Calls `recover()` every `intervalMs` (default 5000) until `close()` or
   * the function it returns is called. A failed sweep is logged and the next
   * one tried. The timer does not keep the process alive. A stranded message
   * goes out at most `claimLeaseMs` + 1 s + `intervalMs` after its worker died.
   */
  startSweeper(intervalMs = 5000) {
    if (typeof intervalMs !== 'number' || !(intervalMs > 0) || !Number.isFinite(intervalMs)) {
      throw invalid('intervalMs', 'must be a positive, finite number');
    }
    this.#sweeper?.();
    let stopped = false;
    let timer;
    const sweep = async () => {
      try {
        await this.recover();
      } catch (e) {
        this.#logger.warn(`antonnia-sdk relay: sweep failed (${errorName(e)}); the next one in ${intervalMs} ms`, { error: errorName(e) });
      }
      if (!stopped) {
        timer = setTimeout(sweep, intervalMs);
        timer.unref?.();
      }
    };
    timer = setTimeout(sweep, intervalMs);
    timer.unref?.();
    const stop = () => {
      stopped = true;
      clearTimeout(timer);
      if (this.#sweeper === stop) this.#sweeper = null;
    };
    this.#sweeper = stop;
    return stop;
  }

  // -- counters -------------------------------------------------------

  /**
   * The relay's counters in this process since it started: webhooks by
   * outcome (`unavailable`: answered 503), messages delivered, redelivered,
   * refused (`failed`) and crashed, user messages received, time spent
   * waiting for claims and locks, sweeps and what they recovered.
   */
  stats() {
    return JSON.parse(this.#stats.snapshot());
  }

  /** The counters in the Prometheus text format, to serve beside your other metrics. */
  prometheusText() {
    return this.#stats.prometheusText();
  }

  /** @internal The counters as `[metric index, labels, value]` samples (observeWithOpenTelemetry). */
  samples() {
    return JSON.parse(this.#stats.samples());
  }

  // -- receipts -------------------------------------------------------

  /**
   * Passes a channel receipt on (`delivered`, `read`, `failed`) for the
   * assistant message the channel knows as `provider_message_id`; resolves
   * to the updated message, or null when no message has that id.
   */
  async report(params) {
    const p = params ?? {};
    const providerId = p.provider_message_id;
    if (typeof providerId !== 'string' || providerId === '') throw invalid('provider_message_id', 'must be a non-empty string');
    const found = await this.#client.sessions.messages.search({ provider_message_id: providerId, role: 'assistant', limit: 1 });
    if (!found.length || found[0].session_id == null) return null;
    const target = found[0];
    const at = p.at instanceof Date ? p.at.toISOString() : p.at;
    const report = {
      status: p.status,
      provider_message_id: p.status !== 'failed' ? providerId : undefined,
      at: at ?? undefined,
      code: p.code ?? undefined,
      message: p.message ?? undefined,
    };
    const fields = JSON.parse(core(() => wasm.deliveryFields(JSON.stringify(report))));
    return this.#client.sessions.messages.update(target.session_id, target.id, fields);
  }

  /** Stops the sweeper and closes the store (not the client, which is yours). */
  async close() {
    this.#sweeper?.();
    await this.#store.close();
  }
}

/** Each counter's names, unit and description (antonnia_relay::stats::METRICS). */
const METRICS = JSON.parse(wasm.relayMetrics());

/**
 * Registers a relay's counters as observable counters of an OpenTelemetry
 * meter (`metrics.getMeter(...)` from `@opentelemetry/api`), read at each
 * collection; returns the instruments.
 */
export function observeWithOpenTelemetry(relay, meter) {
  if (!(relay instanceof ChannelRelay)) throw invalid('relay', 'must be a ChannelRelay');
  if (meter === null || typeof meter !== 'object' || typeof meter.createObservableCounter !== 'function') {
    throw invalid('meter', 'must be an OpenTelemetry Meter (createObservableCounter)');
  }
  return METRICS.map((m, i) => {
    const counter = meter.createObservableCounter(m.otel, { description: m.help, unit: m.unit });
    counter.addCallback((result) => {
      for (const [metric, labels, value] of relay.samples()) {
        if (metric === i) result.observe(value, Object.fromEntries(labels));
      }
    });
    return counter;
  });
}

/**
 * Registers a relay's counters with prom-client (`import client from
 * 'prom-client'`): one Counter per metric, read from the relay at each
 * scrape; `registers` as prom-client takes it (default: its global
 * registry). Returns the counters.
 */
export function observeWithPromClient(relay, promClient, options = {}) {
  if (!(relay instanceof ChannelRelay)) throw invalid('relay', 'must be a ChannelRelay');
  if (promClient === null || typeof promClient !== 'object' || typeof promClient.Counter !== 'function') {
    throw invalid('promClient', 'must be the prom-client module');
  }
  return METRICS.map((m, i) => new promClient.Counter({
    name: m.prometheus,
    help: m.help,
    labelNames: m.labels,
    ...(options.registers !== undefined ? { registers: options.registers } : {}),
    // prom-client calls it at each scrape: the relay's totals replace the last ones.
    collect() {
      this.reset();
      for (const [metric, labels, value] of relay.samples()) {
        if (metric === i) this.inc(Object.fromEntries(labels), value);
      }
    },
  }));
}
