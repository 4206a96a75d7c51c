// antonnia-sdk: the Antonnia Conversations API client for JavaScript and
// TypeScript. The Rust core (in WebAssembly) builds every request, parses
// every response and webhook, and decides every retry; this file only moves
// bytes with `fetch`, sleeps, and converts values at the edge.
import * as wasm from './wasm.js';
import * as constants from './core_constants.js';
import { bodyBytes, deliveryCrossing } from './delivery.js';
import { responseHeaderText, signatureHeaderLine } from './headers.js';
// Loading the core by hand (edge runtimes, bundles without the .wasm file): README "Bundlers and runtimes".
export { init, InitError } from './wasm.js';
import { AntonniaError, core, invalid, unknownOption } from './errors.js';

export {
  AntonniaError, APIError, AuthenticationError, PermissionDeniedError, NotFoundError, ConflictError,
  ValidationError, RateLimitError, PayloadTooLargeError, InvalidRequestError, TransportError, TimeoutError,
  DecodeError, WebhookVerificationError,
} from './errors.js';

/** The SDK version (the workspace's). */
export const VERSION = constants.version;
/** The production API root. */
export const DEFAULT_BASE_URL = constants.defaultBaseUrl;
/** Each attempt's default deadline, in milliseconds (60 s). */
export const DEFAULT_TIMEOUT_MS = 60_000;
/**
 * A whole call's default deadline, in milliseconds, retries and the waits
 * between them included: 120 s (the core's `DEFAULT_TOTAL_TIMEOUT`).
 */
export const DEFAULT_TOTAL_TIMEOUT_MS = constants.defaultTotalTimeoutMs;
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

const PRODUCTION_HOST = new URL(DEFAULT_BASE_URL).host;

// ---------------------------------------------------------------- helpers

function isPlainObject(v) {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

// A shallow copy, read once: a getter or proxy that throws becomes an
// InvalidRequestError here rather than a foreign error later.
function params(field, value) {
  if (value === undefined || value === null) return {};
  try {
    if (!isPlainObject(value)) throw invalid(field, 'must be an object of named parameters');
    return { ...value };
  } catch (e) {
    if (e instanceof AntonniaError) throw e;
    throw invalid(field, `cannot be read: ${describe(e)}`);
  }
}

// The options each entry point takes: anything else is refused with the
// nearest valid name, so that a misspelling (`baseURL`, `apiKey`, `timeout`)
// is not silently ignored. The aliases map names other SDKs use.
const CLIENT_OPTIONS = [
  'token', 'baseUrl', 'timeoutMs', 'totalTimeoutMs', 'maxRetries', 'headers', 'fetch', 'maxResponseBytes',
  'dangerouslyAllowBrowser', 'logLevel', 'logger',
];
const CLIENT_ALIASES = {
  apikey: 'token', api_key: 'token', accesstoken: 'token', authtoken: 'token', bearertoken: 'token',
  timeout: 'timeoutMs', totaltimeout: 'totalTimeoutMs', defaultheaders: 'headers', retries: 'maxRetries',
};
const REQUEST_OPTIONS = ['signal', 'timeoutMs', 'maxRetries', 'headers'];
const REQUEST_ALIASES = { timeout: 'timeoutMs', retries: 'maxRetries', abortsignal: 'signal' };
const STREAM_OPTIONS = ['after', 'fromStart', 'pollIntervalMs', 'maxPollIntervalMs', 'pageSize', 'signal'];
const STREAM_ALIASES = { since: 'after', startafter: 'after', pollinterval: 'pollIntervalMs', abortsignal: 'signal' };
const WEBHOOK_OPTIONS = ['headers', 'secret', 'verify', 'toleranceSeconds', 'now', 'maxBodyBytes'];
const WEBHOOK_ALIASES = { tolerance: 'toleranceSeconds', webhooksecret: 'secret', signingsecret: 'secret' };

/** `params` for options objects: only the names in `known`. */
function checkedOptions(where, value, known, aliases) {
  const o = params('options', value);
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) throw unknownOption(where, k, known, aliases);
  }
  return o;
}

// setTimeout fires at once for delays past 2**31 - 1 ms (about 24.8 days).
const MAX_TIMER_MS = 2 ** 31 - 1;

// Arguments cross into wasm as JSON text. Values JSON cannot carry faithfully
// are refused rather than silently changed (NaN would become null, a function
// would vanish, a Map or Set would become {}, a lone surrogate would be
// refused by the core as bad JSON); undefined properties are left out, i.e.
// not passed. The error names the value's path (`metadata.tags`).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function unsendable(value) {
  if (typeof value === 'number' && !Number.isFinite(value)) return `${value} cannot be sent as JSON`;
  if (typeof value === 'function' || typeof value === 'symbol') return `a ${typeof value} cannot be sent as JSON`;
  if (typeof value === 'string' && LONE_SURROGATE.test(value)) {
    return 'contains a lone surrogate (half of a UTF-16 pair), which is not text and cannot be sent';
  }
  if (value instanceof Map || value instanceof Set) {
    return `a ${value instanceof Map ? 'Map' : 'Set'} cannot be sent as JSON (it would become {}): `
      + `pass ${value instanceof Map ? 'Object.fromEntries(map)' : 'an array ([...set])'}`;
  }
  return undefined;
}

// Whether every value of `args` is one JSON carries as it is (a string
// without a lone surrogate, a finite number, a boolean, null, or undefined,
// which is left out): most calls' arguments, written without the replacer's
// walk below (≈ 3 µs of a call).
function isFlatAndSendable(args) {
  if (!isPlainObject(args)) return false;
  for (const key of Object.keys(args)) {
    const v = args[key];
    switch (typeof v) {
      case 'string': if (LONE_SURROGATE.test(v)) return false; break;
      case 'number': if (!Number.isFinite(v)) return false; break;
      case 'boolean': case 'undefined': break;
      default: if (v !== null) return false;
    }
  }
  return true;
}

function argsJson(args) {
  // Paths by object, filled in as JSON.stringify descends (it visits a
  // parent before its children).
  const paths = new Map();
  function replacer(key, value) {
    const parent = paths.get(this);
    const path = parent === undefined ? key
      : Array.isArray(this) ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;
    const why = unsendable(value);
    if (why !== undefined) throw invalid(path || 'arguments', why);
    if (value !== null && typeof value === 'object') paths.set(value, path);
    return value;
  }
  try {
    // A getter or proxy that throws lands in the catch below either way.
    if (isFlatAndSendable(args)) return JSON.stringify(args);
    return JSON.stringify(args, replacer);
  } catch (e) {
    if (e instanceof AntonniaError) throw e;
    // Cycles, BigInt, a throwing toJSON, nesting deeper than the stack.
    throw invalid('arguments', `cannot be sent as JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

// Random bytes for request ids, drawn 4 KiB at a time: one getRandomValues
// per 256 calls instead of one per call (in Node, one per call was the
// largest cost of the SDK's own time per call: BENCHMARKS.md, "Stop 25").
const RANDOM_POOL = new Uint8Array(4096);
let randomUsed = RANDOM_POOL.length;

function randomBytes16() {
  if (randomUsed + 16 > RANDOM_POOL.length) {
    if (typeof globalThis.crypto?.getRandomValues === 'function') {
      globalThis.crypto.getRandomValues(RANDOM_POOL);
    } else {
      for (let i = 0; i < RANDOM_POOL.length; i++) RANDOM_POOL[i] = Math.floor(Math.random() * 256);
    }
    randomUsed = 0;
  }
  randomUsed += 16;
  return RANDOM_POOL.subarray(randomUsed - 16, randomUsed);
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** A fresh id for a call's `x-request-id`: `req_` and 32 hex digits (the form Kotlin and Swift send). */
function newRequestId() {
  let hex = 'req_';
  for (const b of randomBytes16()) hex += HEX[b];
  return hex;
}

// `ANTONNIA_LOG=debug` in the environment (Node, Deno, Bun) turns debug logging on.
function envLogLevel() {
  try {
    return globalThis.process?.env?.ANTONNIA_LOG;
  } catch {
    return undefined; // Deno without --allow-env
  }
}

function makeCall(name, args) {
  const json = argsJson(args);
  return core(() => new wasm.Call(name, json));
}

function millis(field, v, dflt) {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw invalid(field, 'must be a non-negative, finite number of milliseconds');
  }
  return v;
}

function whole(field, v, dflt) {
  if (v === undefined) return dflt;
  if (!Number.isSafeInteger(v) || v < 0) throw invalid(field, 'must be a whole number, 0 or more');
  return v;
}

// The caller's headers — a Headers, a plain object of name: value (values
// may be arrays, as Node's IncomingMessage gives repeated headers), or
// none — handed to `use(name, value)` one by one.
function eachHeader(field, headers, use) {
  if (headers === undefined || headers === null) return;
  if (typeof Headers !== 'undefined' && headers instanceof Headers) {
    for (const [k, v] of headers) use(k, v);
    return;
  }
  if (!isPlainObject(headers)) throw invalid(field, 'must be a Headers or a plain object of name: value');
  for (const k of Object.keys(headers)) {
    const v = headers[k];
    if (v === undefined) continue;
    const value = Array.isArray(v) ? v.join(', ') : v;
    if (typeof value !== 'string') throw invalid(field, `the value of ${k} must be a string`);
    use(k, value);
  }
}

function headerPairs(field, headers) {
  const out = [];
  eachHeader(field, headers, (k, v) => out.push([k, v]));
  return out;
}

function abortError(signal) {
  if (signal.reason !== undefined) return signal.reason;
  return new DOMException('This operation was aborted', 'AbortError');
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.min(ms, MAX_TIMER_MS));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const now = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now();

class AttemptFailed {
  constructor(kind, detail, received = 0) {
    this.kind = kind;
    this.detail = detail;
    this.received = received;
  }
}

// Node's fetch (undici) names the cause; a refused or unresolved connection
// never reached the server, so even calls with side effects may retry it.
const CONNECT_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT',
]);

function failureOf(e) {
  let c = e;
  for (let i = 0; i < 4 && c; i++) {
    if (c.code && CONNECT_CODES.has(c.code)) return 'connect_failed';
    c = c.cause;
  }
  return 'transport_failed';
}

function describe(e) {
  const parts = [];
  let c = e;
  for (let i = 0; i < 4 && c; i++) {
    parts.push(c instanceof Error ? c.message : String(c));
    c = c.cause;
  }
  return parts.join(': ');
}

function isBrowser() {
  return (typeof window !== 'undefined' && typeof window.document !== 'undefined')
    || (typeof self !== 'undefined' && typeof self.importScripts === 'function');
}

// ---------------------------------------------------------------- client

/** A client of the Antonnia Conversations API. */
export class Client {
  #config;
  #policy;
  #fetch;
  #platformFetch;
  #log;
  #raw;
  #timeoutMs;
  #totalTimeoutMs;
  #maxResponseBytes;
  #maxRetries;

  constructor(options = {}) {
    const o = checkedOptions('client options', options, CLIENT_OPTIONS, CLIENT_ALIASES);
    const token = o.token;
    if (token === undefined) {
      // `token: process.env.X` with X unset lands here, not at a 401 later.
      throw invalid('token', 'is missing (undefined: is its environment variable set?). Pass the API token, '
        + 'or token: null to send none, when baseUrl is your own proxy that adds it');
    }
    if (token !== null && typeof token !== 'string') throw invalid('token', 'must be a string, or null for none');
    const baseUrl = o.baseUrl;
    if (baseUrl !== undefined && typeof baseUrl !== 'string') throw invalid('baseUrl', 'must be a string');
    const headers = headerPairs('headers', o.headers);
    this.#config = core(() => new wasm.Config(token ?? undefined, baseUrl, JSON.stringify(headers)));
    if (token !== null && isBrowser() && !o.dangerouslyAllowBrowser
        && new URL(this.#config.baseUrl).host === PRODUCTION_HOST) {
      this.#config.free();
      throw invalid('dangerouslyAllowBrowser',
        'this code runs in a browser, where a secret API token is visible to every visitor. '
        + 'Call the API from your server, or through a proxy (baseUrl) that adds the token; '
        + 'pass dangerouslyAllowBrowser: true if you really mean to');
    }
    this.#timeoutMs = millis('timeoutMs', o.timeoutMs, DEFAULT_TIMEOUT_MS);
    // null: no deadline for the whole call (each attempt still has timeoutMs).
    this.#totalTimeoutMs = o.totalTimeoutMs === null ? undefined
      : millis('totalTimeoutMs', o.totalTimeoutMs, DEFAULT_TOTAL_TIMEOUT_MS);
    this.#maxResponseBytes = whole('maxResponseBytes', o.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES);
    this.#maxRetries = whole('maxRetries', o.maxRetries, DEFAULT_MAX_RETRIES);
    this.#policy = core(() => new wasm.RetryPolicy(this.#maxRetries));
    const level = o.logLevel === undefined ? envLogLevel() : o.logLevel;
    if (o.logLevel !== undefined && o.logLevel !== 'debug' && o.logLevel !== 'off') {
      throw invalid('logLevel', "must be 'debug' or 'off'");
    }
    if (o.logger !== undefined && typeof o.logger !== 'function') throw invalid('logger', 'must be a function of one line of text');
    // The core writes the lines: the call, method, URL, attempt, status and
    // request id, never a header value (the token) or a body.
    this.#log = level === 'debug' ? (o.logger ?? ((line) => console.error(line))) : undefined;
    if (o.fetch !== undefined && typeof o.fetch !== 'function') throw invalid('fetch', 'must be a function');
    const f = o.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') throw invalid('fetch', 'no global fetch here: pass one');
    // Browsers refuse a fetch called on another `this` ("Illegal invocation").
    this.#fetch = o.fetch ? f : f.bind(globalThis);
    this.#platformFetch = !o.fetch;
    this.sessions = new Sessions(this);
    this.agents = new Agents(this);
  }

  /** The API root requests are sent to. */
  get baseUrl() {
    return this.#config.baseUrl;
  }

  /** The User-Agent the SDK sends. */
  get userAgent() {
    return this.#config.userAgent;
  }

  toString() {
    return `Client(baseUrl=${this.baseUrl})`;
  }

  /**
   * The same calls, each resolving to `{ data, status, headers, requestId }`:
   * the parsed result next to the final response's status and headers.
   */
  get withRawResponse() {
    if (this.#raw === undefined) {
      const view = {
        _request: (name, args, options) => this._request(name, args, options, true),
        _paginate: (name, args, options) => this._paginate(name, args, options),
        _sendCall: (call, options) => this._sendCall(call, options),
      };
      this.#raw = Object.freeze({ sessions: new Sessions(view), agents: new Agents(view) });
    }
    return this.#raw;
  }

  #emit(line) {
    if (line === undefined) return;
    try {
      this.#log(line);
    } catch {
      // A failing logger does not fail the call.
    }
  }

  /** @internal One call by name, with the wire's argument names. */
  async _request(name, args, options, raw = false) {
    const call = makeCall(name, args);
    try {
      return await this._sendCall(call, options, raw);
    } finally {
      call.free();
    }
  }

  /** @internal Every page of a search, item by item. */
  async *_paginate(name, args, options) {
    let call = makeCall(name, args);
    try {
      while (call) {
        const page = await this._sendCall(call, options);
        for (const item of page) yield item;
        const next = core(() => call.nextPage(page.length));
        call.free();
        call = next;
      }
    } finally {
      call?.free();
    }
  }

  /**
   * @internal One call to its end: the core's exchange decides each
   * attempt's limit, retries and the final error; this loop only sends and sleeps.
   */
  async _sendCall(call, options, raw = false) {
    const o = checkedOptions('request options', options, REQUEST_OPTIONS, REQUEST_ALIASES);
    const signal = o.signal;
    if (signal !== undefined && !(typeof AbortSignal !== 'undefined' && signal instanceof AbortSignal)) {
      throw invalid('signal', 'must be an AbortSignal');
    }
    if (signal?.aborted) throw abortError(signal);
    const timeoutMs = millis('timeoutMs', o.timeoutMs, this.#timeoutMs);
    // A per-call maxRetries other than the client's gets a policy of its
    // own for this call only (freed below): nothing is kept per value.
    const retries = o.maxRetries === undefined ? this.#maxRetries : whole('maxRetries', o.maxRetries);
    const policy = retries === this.#maxRetries ? this.#policy : core(() => new wasm.RetryPolicy(retries));
    let requestId;
    const extra = [];
    try {
      for (const [k, v] of headerPairs('headers', o.headers)) {
        const name = k.toLowerCase();
        if (name === 'authorization') throw invalid('headers', 'set the token instead of an Authorization header');
        // Your own id for the call is sent (and named in errors) instead of a random one.
        if (name === 'x-request-id') requestId = v;
        else extra.push([k, v]);
      }
    } catch (e) {
      if (policy !== this.#policy) policy.free();
      throw e;
    }
    let exchange;
    try {
      exchange = core(() => new wasm.Exchange(
        call, this.#config, policy, timeoutMs, this.#totalTimeoutMs, this.#maxResponseBytes));
    } finally {
      if (policy !== this.#policy) policy.free();
    }
    try {
      core(() => exchange.setRequestId(requestId ?? newRequestId()));
      const log = this.#log !== undefined;
      if (log) exchange.enableLog();
      const started = now();
      const elapsed = () => Math.max(0, now() - started);
      for (;;) {
        const limit = core(() => exchange.attemptTimeoutMs(elapsed()));
        if (log) this.#emit(exchange.logAttempt());
        let wait;
        try {
          let r;
          try {
            r = await this.#attempt(exchange, limit, signal, extra);
          } catch (e) {
            if (!(e instanceof AttemptFailed)) throw e;
            wait = core(() => exchange.onFailure(e.kind, e.detail, elapsed(), Math.random(), e.received));
          }
          if (r !== undefined) {
            const value = core(() => exchange.onResponse(r.status, r.headers, r.body, elapsed(), Date.now(), Math.random()));
            if (value !== undefined) {
              const data = JSON.parse(value);
              if (!raw) return data;
              return { data, status: r.status, headers: r.responseHeaders, requestId: exchange.responseRequestId };
            }
            wait = exchange.retryAfterMs;
          }
        } finally {
          if (log) this.#emit(exchange.takeLog());
        }
        await sleep(wait, signal);
      }
    } finally {
      exchange.free();
    }
  }

  /** Sends the request once and reads the whole body within `limitMs` and the size cap. */
  async #attempt(exchange, limitMs, signal, extra) {
    const req = JSON.parse(exchange.requestJson());
    // The platform's fetch gets the core's own headers (the token, the
    // client's default headers, which the core checked) as the pairs they
    // are: a Headers built here first was copied again by fetch. A call's own
    // headers, which nothing has checked yet, go through Headers, so that a
    // bad one is an InvalidRequestError naming `headers` rather than a failed
    // attempt; so do all of them for a fetch of your own, which may expect a
    // Headers in `init.headers`.
    let headers = req.headers;
    if (extra.length > 0 || !this.#platformFetch) {
      try {
        headers = new Headers(req.headers);
        for (const [k, v] of extra) headers.set(k, v);
      } catch (e) {
        throw invalid('headers', describe(e));
      }
    }
    const body = exchange.requestBody();
    const cap = this.#maxResponseBytes;
    const ctrl = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort();
    }, Math.min(limitMs, MAX_TIMER_MS));
    const onAbort = () => ctrl.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const failed = (e) => {
      if (signal?.aborted) return abortError(signal);
      if (timedOut) return new AttemptFailed('timed_out', `no whole response within ${Math.round(limitMs)} ms`);
      return new AttemptFailed(failureOf(e), describe(e));
    };
    try {
      let resp;
      try {
        // Redirects are not followed: they would carry the token elsewhere.
        resp = await this.#fetch(req.url, {
          method: req.method, headers, body, signal: ctrl.signal, redirect: 'manual',
        });
      } catch (e) {
        throw failed(e);
      }
      // Before the status check: a browser gives a redirect as status 0.
      if (resp !== null && typeof resp === 'object' && resp.type === 'opaqueredirect') {
        throw new AttemptFailed('transport_failed',
          'the server answered with a redirect, which the SDK does not follow (it would carry the token elsewhere): '
          + 'set baseUrl to the final URL');
      }
      if (resp === null || typeof resp !== 'object' || !Number.isInteger(resp.status)
          || resp.status < 100 || resp.status > 999 || typeof resp.headers?.[Symbol.iterator] !== 'function') {
        throw new AttemptFailed('transport_failed', 'fetch returned something that is not a Response');
      }
      let pairs;
      try {
        pairs = responseHeaderText(resp.headers);
      } catch (e) {
        throw new AttemptFailed('transport_failed', `unreadable response headers: ${describe(e)}`);
      }
      let bytes;
      try {
        bytes = await readCapped(resp, cap);
      } catch (e) {
        if (e instanceof AttemptFailed) throw e;
        throw failed(e);
      }
      return { status: resp.status, headers: pairs, body: bytes, responseHeaders: resp.headers };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

async function readCapped(resp, cap) {
  if (!resp.body) return new Uint8Array(await resp.arrayBuffer());
  // A declared, uncompressed length within the cap is read in one piece
  // (fetch stops at the declared length); anything else is counted as it
  // streams, so that neither a lying server nor a gzip bomb gets past the cap.
  const declared = resp.headers.get('content-length');
  if (declared !== null && /^\d{1,15}$/.test(declared) && Number(declared) <= cap
      && (resp.headers.get('content-encoding') ?? 'identity') === 'identity') {
    return new Uint8Array(await resp.arrayBuffer());
  }
  const reader = resp.body.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!(value instanceof Uint8Array)) throw new TypeError('the response body stream gave something other than bytes');
    total += value.byteLength;
    if (total > cap) {
      reader.cancel().catch(() => {});
      throw new AttemptFailed('body_too_large', `the response body exceeds ${cap} bytes`, total);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

class Sessions {
  #c;
  constructor(client) {
    this.#c = client;
    this.messages = new Messages(client);
    this.surveySubmissions = new SurveySubmissions(client);
  }
  create(p, options) {
    return this.#c._request('sessions.create', { ...params('params', p) }, options);
  }
  get(sessionId, options) {
    return this.#c._request('sessions.get', { session_id: sessionId }, options);
  }
  update(sessionId, fields, options) {
    return this.#c._request('sessions.update', { session_id: sessionId, fields: params('fields', fields) }, options);
  }
  transfer(sessionId, p, options) {
    return this.#c._request('sessions.transfer', { ...params('params', p), session_id: sessionId }, options);
  }
  finish(sessionId, p, options) {
    return this.#c._request('sessions.finish', { ...params('params', p), session_id: sessionId }, options);
  }
  reply(sessionId, p, options) {
    return this.#c._request('sessions.reply', { ...params('params', p), session_id: sessionId }, options);
  }
  search(p, options) {
    return this.#c._request('sessions.search', { ...params('params', p) }, options);
  }
  iterSearch(p, options) {
    return this.#c._paginate('sessions.search', { ...params('params', p) }, options);
  }
  schedule(sessionId, p, options) {
    return this.#c._request('sessions.schedule', { ...params('params', p), session_id: sessionId }, options);
  }
}

class Messages {
  #c;
  constructor(client) {
    this.#c = client;
  }
  create(sessionId, p, options) {
    return this.#c._request('messages.create', { ...params('params', p), session_id: sessionId }, options);
  }
  get(sessionId, messageId, options) {
    return this.#c._request('messages.get', { session_id: sessionId, message_id: messageId }, options);
  }
  update(sessionId, messageId, fields, options) {
    return this.#c._request('messages.update',
      { ...params('fields', fields), session_id: sessionId, message_id: messageId }, options);
  }
  search(p, options) {
    return this.#c._request('messages.search', { ...params('params', p) }, options);
  }
  iterSearch(p, options) {
    return this.#c._paginate('messages.search', { ...params('params', p) }, options);
  }

  /**
   * The session's messages as they arrive: an async iterator over the core's
   * cursor (it decides each poll, what is new and how long to wait).
   */
  async *stream(sessionId, options) {
    const o = checkedOptions('stream options', options, STREAM_OPTIONS, STREAM_ALIASES);
    const signal = o.signal;
    if (o.after !== undefined && typeof o.after !== 'string') {
      throw invalid('after', 'must be the id of a message of the session (e.g. the one just sent)');
    }
    const cursor = core(() => new wasm.MessageStream(
      sessionId,
      millis('pollIntervalMs', o.pollIntervalMs, 1000),
      millis('maxPollIntervalMs', o.maxPollIntervalMs, 30_000),
      whole('pageSize', o.pageSize, 100),
      Boolean(o.fromStart)));
    try {
      // Right after the message just sent: an answer that arrives before
      // the first poll is yielded too, not taken for history.
      if (o.after !== undefined) core(() => cursor.startAfter(o.after));
      for (;;) {
        const call = cursor.nextCall();
        let fresh = [];
        let wait;
        try {
          const page = await this.#c._sendCall(call, { signal });
          const poll = JSON.parse(core(() => cursor.onPage(JSON.stringify(page))));
          fresh = poll.messages;
          wait = poll.waitMs;
        } catch (e) {
          if (!(e instanceof AntonniaError)) throw e;
          wait = cursor.onFailedPoll(e.kind, e.status, e.retryAfter);
          if (wait === undefined) throw e;
        } finally {
          call.free();
        }
        for (const m of fresh) yield m;
        await sleep(wait, signal);
      }
    } finally {
      cursor.free();
    }
  }
}

class SurveySubmissions {
  #c;
  constructor(client) {
    this.#c = client;
  }
  get(sessionId, submissionId, options) {
    return this.#c._request('survey_submissions.get', { session_id: sessionId, survey_submission_id: submissionId }, options);
  }
  reply(sessionId, submissionId, options) {
    return this.#c._request('survey_submissions.reply', { session_id: sessionId, survey_submission_id: submissionId }, options);
  }
  cancel(sessionId, submissionId, options) {
    return this.#c._request('survey_submissions.cancel', { session_id: sessionId, survey_submission_id: submissionId }, options);
  }
}

class Agents {
  #c;
  constructor(client) {
    this.#c = client;
  }
  create(p, options) {
    return this.#c._request('agents.create', { ...params('params', p) }, options);
  }
  get(agentId, options) {
    return this.#c._request('agents.get', { agent_id: agentId }, options);
  }
  update(agentId, fields, options) {
    return this.#c._request('agents.update', { ...params('fields', fields), agent_id: agentId }, options);
  }
  delete(agentId, options) {
    return this.#c._request('agents.delete', { agent_id: agentId }, options);
  }
  search(p, options) {
    return this.#c._request('agents.search', { ...params('params', p) }, options);
  }
  iterSearch(p, options) {
    return this.#c._paginate('agents.search', { ...params('params', p) }, options);
  }
}

// ---------------------------------------------------------------- webhooks

// Pure: a page that never parses a webhook leaves the crossing (and the
// event tape's builder) out of its bundle.
const crossing = /* @__PURE__ */ deliveryCrossing(wasm.coreMemory);
let receiverCache = null;

function receiverFor(secret, verify, tolerance, maxBodyBytes) {
  const c = receiverCache;
  if (c && c.secret === secret && c.verify === verify && c.tolerance === tolerance && c.maxBodyBytes === maxBodyBytes) {
    return c.receiver;
  }
  const receiver = core(() => new wasm.WebhookReceiver(secret, verify, tolerance, maxBodyBytes, crossing.hostSha256));
  c?.receiver.free();
  receiverCache = { secret, verify, tolerance, maxBodyBytes, receiver };
  return receiver;
}

/**
 * Verifies (Standard Webhooks) and parses one webhook delivery from its raw
 * body and headers. Skipping verification takes `verify: false`; with
 * verification (the default) a missing secret is an error.
 */
export function parseWebhook(body, options) {
  const o = checkedOptions('webhook options', options, WEBHOOK_OPTIONS, WEBHOOK_ALIASES);
  // A string is encoded once, straight into the buffer that crosses.
  const raw = typeof body === 'string' ? body : bodyBytes(body);
  const verify = o.verify === undefined ? true : o.verify;
  if (typeof verify !== 'boolean') throw invalid('verify', 'must be a boolean');
  const secret = o.secret ?? undefined;
  if (secret !== undefined && typeof secret !== 'string') throw invalid('secret', 'must be a string');
  const tolerance = o.toleranceSeconds === undefined ? undefined : o.toleranceSeconds;
  if (tolerance !== undefined && (typeof tolerance !== 'number' || !(tolerance >= 0))) {
    throw invalid('toleranceSeconds', 'must be a non-negative number of seconds');
  }
  const maxBodyBytes = whole('maxBodyBytes', o.maxBodyBytes, undefined);
  let nowMs;
  // Unverified, the core reads no clock: Date.now() is left out.
  if (o.now === undefined) nowMs = verify ? Date.now() : 0;
  else if (o.now instanceof Date) nowMs = o.now.getTime();
  else if (typeof o.now === 'number') nowMs = o.now * 1000;
  else throw invalid('now', 'must be a Date or Unix seconds');
  if (!Number.isFinite(nowMs)) throw invalid('now', 'must be a valid time');
  // Only the signature's headers cross, checked either way; sent only to
  // be verified (unverified, the core does not read them). The others need
  // only be headers.
  let lines = '';
  eachHeader('headers', o.headers, (k, v) => {
    const line = signatureHeaderLine('headers', k, v);
    if (verify && line !== undefined) lines += line;
  });
  const receiver = receiverFor(secret, verify, tolerance, maxBodyBytes);
  return core(() => {
    const [len, headersLen] = crossing.write(receiver, lines, raw);
    return crossing.event(receiver, receiver.receive(len, headersLen, nowMs));
  });
}

/** The event types this SDK version knows (the core's KNOWN_EVENT_TYPES). */
export const KNOWN_EVENT_TYPES = Object.freeze(constants.knownEventTypes);

/** Whether the event is of a type this SDK version knows. */
export function isKnownEvent(event) {
  return isPlainObject(event) && KNOWN_EVENT_TYPES.includes(event.type);
}

// Every content kind the core knows, with the fields each must carry to be sent.
const FIELDS_TO_SEND = Object.freeze(constants.contentFieldsToSend);
const KNOWN_CONTENT = new Set(Object.keys(FIELDS_TO_SEND));

/** Whether message content is of a kind this SDK version knows. */
export function isKnownContent(content) {
  return isPlainObject(content) && KNOWN_CONTENT.has(content.type);
}

/** The Standard Webhooks signature (`v1,<base64>`) of a delivery, for tests and senders. */
export function signWebhook(secret, id, timestamp, body) {
  if (typeof secret !== 'string') throw invalid('secret', 'must be a string');
  if (typeof id !== 'string') throw invalid('id', 'must be a string');
  if (typeof timestamp !== 'number') throw invalid('timestamp', 'must be Unix seconds');
  const bytes = bodyBytes(body);
  return core(() => wasm.signWebhook(secret, id, timestamp, bytes));
}

// ---------------------------------------------------------------- channel

/**
 * The message your channel must deliver, when the event is a
 * `message.created` for a pending assistant message with content a user may
 * see; otherwise null. Webhooks can arrive twice: deliver each id once.
 */
export function outboundMessage(event) {
  const e = params('event', event);
  if (e.type !== 'message.created') return null;
  const data = params('event.data', e.data);
  const message = data.object;
  if (!isPlainObject(message)) return null;
  const json = argsJson(message);
  return core(() => wasm.isOutbound(json)) ? message : null;
}

// The AI's own content, never delivered (the core's is_deliverable).
const INTERNAL_CONTENT = new Set(['thought', 'function_call', 'function_result']);

/**
 * What to send for an outbound message, in one shape for every content kind.
 * An empty text (`''`) is returned as is: whether the channel can send it is
 * the channel's (WhatsApp refuses it: report it with `failed`).
 * Throws InvalidRequestError for the AI's internal content.
 */
export function deliverable(message) {
  const m = params('message', message);
  const content = isPlainObject(m.content) ? params('message.content', m.content) : m;
  if (typeof content.type !== 'string') throw invalid('message', 'must be a Message or its content');
  // What a channel sends must be there: a hand-built `{ type: 'text' }`
  // would otherwise become a deliverable with no text.
  const at = content === m ? 'content' : 'message.content';
  if (INTERNAL_CONTENT.has(content.type)) {
    throw invalid('message', `${content.type} content is the AI's own and is never delivered`);
  }
  for (const field of FIELDS_TO_SEND[content.type] ?? []) {
    if (typeof content[field] !== 'string') throw invalid(`${at}.${field}`, `must be a string: ${content.type} content without it cannot be delivered`);
  }
  switch (content.type) {
    case 'text':
      return { kind: 'text', content, text: content.text, templateId: content.template_id, templateParameters: content.template_parameters };
    case 'image':
    case 'video':
      return { kind: content.type, content, mediaUrl: content.url };
    case 'audio':
      return { kind: 'audio', content, mediaUrl: content.url, transcript: content.transcript };
    case 'file':
      return { kind: 'file', content, mediaUrl: content.url, mimeType: content.mime_type, filename: content.name };
    default:
      return { kind: 'unknown', content };
  }
}

function atString(at) {
  if (at === undefined || at === null) return undefined;
  if (at instanceof Date) {
    if (Number.isNaN(at.getTime())) throw invalid('at', 'is an invalid Date');
    return at.toISOString();
  }
  return at;
}

function report(r) {
  return JSON.parse(core(() => wasm.deliveryFields(argsJson(r))));
}

/** The `messages.update` fields reporting that the channel sent the message. */
export function sent(providerMessageId, at) {
  return report({ status: 'sent', provider_message_id: providerMessageId ?? undefined, at: atString(at) });
}
/** ... that the contact's device received it. */
export function delivered(providerMessageId, at) {
  return report({ status: 'delivered', provider_message_id: providerMessageId ?? undefined, at: atString(at) });
}
/** ... that the contact read it. */
export function read(providerMessageId, at) {
  return report({ status: 'read', provider_message_id: providerMessageId ?? undefined, at: atString(at) });
}
/** ... that delivery failed, with the channel's error code and message (a known WhatsApp code is described when no message is given). */
export function failed(code, message) {
  return report({ status: 'failed', code: code ?? undefined, message: message ?? undefined });
}

/** A readable description of a WhatsApp Cloud API error code, or null. */
export function whatsappErrorDescription(code) {
  return WHATSAPP_DESCRIPTIONS.get(code) ?? null;
}

// The core's table (a Map: its keys are the codes as numbers, so 131000.5 or
// '131000' find nothing).
const WHATSAPP_DESCRIPTIONS = new Map(constants.whatsappErrors);

/** The WhatsApp Cloud API error codes the SDK describes. */
export const WHATSAPP_ERRORS = Object.freeze(Object.fromEntries(constants.whatsappErrors));

/** Every call name the core knows (`sessions.get`, ...). */
export const CALL_NAMES = Object.freeze(constants.callNames);

