// Replays every shared vector in tests/fixtures/ through the JS package, the
// way bindings-python/tests/test_vectors.py does: requests, responses,
// webhooks and channel helpers through the public API (the client over an
// injected fetch); retry, exchange and stream through the core's wasm
// objects that the client's loops drive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as relay from '../pkg/relay.js';
import * as relayWasm from '../pkg/relay_wasm.js';
import { deliveryCrossing, hostSha256 } from '../pkg/delivery.js';
import { bodyOf, textOf } from './helpers.mjs';

// ANTONNIA_SDK_BUILD=browser replays them through the browser build
// instead (index.browser.js, what the `browser` export condition resolves:
// built for size, without webhook signatures); only the default build's
// outcomes are written for `make parity`.
const BROWSER = process.env.ANTONNIA_SDK_BUILD === 'browser';
const sdk = await import(BROWSER ? '../pkg/index.browser.js' : '../pkg/index.js');
const wasm = await import(BROWSER ? '../pkg/wasm_web.js' : '../pkg/wasm.js');

// The form the wrapper hands response headers to the core in: `name:value` lines.
const headerLines = (headers) => Object.entries(headers ?? {}).map(([k, v]) => `${k}:${v}\n`).join('');

const FIXTURES = fileURLToPath(new URL('../../tests/fixtures/', import.meta.url));

const KIND_TO_CLASS = {
  authentication: sdk.AuthenticationError,
  permission_denied: sdk.PermissionDeniedError,
  not_found: sdk.NotFoundError,
  conflict: sdk.ConflictError,
  validation: sdk.ValidationError,
  rate_limit: sdk.RateLimitError,
  api: sdk.APIError,
  invalid_request: sdk.InvalidRequestError,
  decode: sdk.DecodeError,
  webhook_verification: sdk.WebhookVerificationError,
  payload_too_large: sdk.PayloadTooLargeError,
  timeout: sdk.TimeoutError,
  transport: sdk.TransportError,
};

// With PARITY_DIR set, each vector's outcome is appended to
// $PARITY_DIR/javascript.jsonl for `make parity`'s cross-language table.
async function vector(t, file, name, check) {
  let ok = false;
  await t.test(name, async () => {
    await check();
    ok = true;
  });
  const dir = process.env.PARITY_DIR;
  if (dir && !BROWSER) {
    mkdirSync(dir, { recursive: true });
    appendFileSync(join(dir, 'javascript.jsonl'), `${JSON.stringify({ file, name, ok })}\n`);
  }
}

export function load(name) {
  const doc = JSON.parse(readFileSync(FIXTURES + name, 'utf8'));
  const names = doc.vectors.map((v) => v.name);
  assert.equal(new Set(names).size, names.length, `${name}: duplicate vector names`);
  return [doc.defaults ?? {}, doc.vectors];
}

const JS_SPELLING = { 'verify=False': 'verify: false' };

export function checkError(e, want) {
  const Cls = KIND_TO_CLASS[want.kind];
  assert.ok(e instanceof Cls, `${e?.name}: ${e?.message} is not a ${Cls.name}`);
  assert.ok(e instanceof sdk.AntonniaError);
  assert.ok(e instanceof Error);
  assert.equal(e.name, Cls.name);
  assert.equal(e.kind, want.kind);
  if ('field' in want) assert.equal(e.field, want.field, e.message);
  if ('path' in want) assert.equal(e.path, want.path, e.message);
  if ('path_prefix' in want) assert.ok((e.path ?? '').startsWith(want.path_prefix), e.path);
  if ('reason' in want) assert.equal(e.reason, want.reason, e.message);
  // The vectors name options the Python way; JS spells them its own (errors.js).
  if ('message_contains' in want) assert.ok(e.message.includes(JS_SPELLING[want.message_contains] ?? want.message_contains), e.message);
  // The id to quote: the server's when it named one, else the one the SDK sent.
  if ('request_id' in want) assert.equal(e.requestId, want.request_id, e.message);
  if ('status' in want) assert.equal(e.status, want.status);
  if ('message' in want) assert.equal(e.detail ?? e.message, want.message);
  if ('retry_after' in want) assert.equal(e.retryAfter, want.retry_after);
  if ('problems' in want) assert.deepEqual(e.problems, want.problems);
  if ('data' in want) assert.deepEqual(e.data ?? null, want.data);
}

/** A fetch that records each request and answers with `respond(url, init)`. */
function fakeFetch(respond) {
  const sent = [];
  const f = async (url, init) => {
    sent.push({ url, init });
    const r = respond(url, init);
    return {
      status: r.status,
      type: 'basic',
      headers: new Headers(r.headers ?? {}),
      body: null,
      arrayBuffer: async () => bodyOf(r).buffer.slice(0),
    };
  };
  return { fetch: f, sent };
}

// How each call's vector arguments map onto the JS signature: path ids
// positional, then the params object (or, for sessions.update, `fields`).
const SIGNATURES = {
  'sessions.create': [[], 'params'],
  'sessions.get': [['session_id'], 'none'],
  'sessions.update': [['session_id'], 'fields'],
  'sessions.transfer': [['session_id'], 'params'],
  'sessions.finish': [['session_id'], 'params'],
  'sessions.reply': [['session_id'], 'params'],
  'sessions.search': [[], 'params'],
  'sessions.schedule': [['session_id'], 'params'],
  'messages.create': [['session_id'], 'params'],
  'messages.get': [['session_id', 'message_id'], 'none'],
  'messages.update': [['session_id', 'message_id'], 'params'],
  'messages.search': [[], 'params'],
  'agents.create': [[], 'params'],
  'agents.get': [['agent_id'], 'none'],
  'agents.update': [['agent_id'], 'params'],
  'agents.delete': [['agent_id'], 'none'],
  'agents.search': [[], 'params'],
  'survey_submissions.get': [['session_id', 'survey_submission_id'], 'none'],
  'survey_submissions.reply': [['session_id', 'survey_submission_id'], 'none'],
  'survey_submissions.cancel': [['session_id', 'survey_submission_id'], 'none'],
};

function methodOf(client, call) {
  const [resource, name] = call.split('.');
  const owner = {
    sessions: client.sessions,
    messages: client.sessions.messages,
    survey_submissions: client.sessions.surveySubmissions,
    agents: client.agents,
  }[resource];
  return owner[name].bind(owner);
}

/**
 * Calls the public method for a vector's arguments. Returns undefined when
 * the JS signature cannot carry them (an argument the method has no place
 * for): like Python's TypeError, that is only right for invalid_request vectors.
 */
export function invoke(client, call, args, search = 'search') {
  assert.ok(call in SIGNATURES, `no signature for ${call}`);
  const [ids, mode] = SIGNATURES[call];
  const rest = { ...args };
  const positional = ids.map((k) => {
    const v = rest[k];
    delete rest[k];
    return v;
  });
  let name = call.split('.')[1];
  if (name === 'search') name = search;
  const fn = methodOf(client, `${call.split('.')[0]}.${name}`);
  if (mode === 'none') {
    if (Object.keys(rest).length) return undefined;
    return () => fn(...positional);
  }
  if (mode === 'fields') {
    const { fields, ...others } = rest;
    if (Object.keys(others).length) return undefined;
    return () => fn(...positional, fields);
  }
  return () => fn(...positional, rest);
}

function checkRequest(sent, want) {
  const { url, init } = sent;
  assert.equal(init.method, want.method);
  assert.equal(url, want.url);
  const headers = init.headers;
  for (const [k, v] of Object.entries(want.headers)) assert.equal(headers.get(k), v, k);
  assert.ok(headers.get('user-agent').startsWith('antonnia-sdk/'));
  const body = init.body ? new TextDecoder().decode(init.body) : '';
  assert.equal(headers.has('content-type'), body.length > 0);
  assert.deepEqual(body ? JSON.parse(body) : null, want.body);
}

function captureClient(config) {
  const f = fakeFetch(() => ({ status: 599, body: 'captured' }));
  const client = new sdk.Client({ token: config.token, baseUrl: config.base_url, fetch: f.fetch, maxRetries: 0 });
  return [client, f.sent];
}

async function settle(p) {
  try {
    const r = await p;
    if (r && typeof r.next === 'function') await r.next();
    return { ok: true };
  } catch (e) {
    return { ok: false, e };
  }
}

test('requests.json', async (t) => {
  const [defaults, vectors] = load('requests.json');
  for (const v of vectors) {
    await vector(t, 'requests.json', v.name, async () => {
      const config = { ...defaults.config, ...(v.config ?? {}) };
      if ('config_error' in v) {
        assert.throws(() => new sdk.Client({ token: config.token, baseUrl: config.base_url }), (e) => {
          checkError(e, v.config_error);
          return true;
        });
        return;
      }
      const [client, sent] = captureClient(config);
      const isSearch = v.call.endsWith('.search');
      for (const search of isSearch ? ['search', 'iterSearch'] : ['search']) {
        sent.length = 0;
        const run = invoke(client, v.call, v.args, search);
        if (run === undefined) {
          assert.equal(v.error?.kind, 'invalid_request', 'the JS signature has no place for an argument');
          continue;
        }
        let result;
        try {
          const r = run();
          result = search === 'iterSearch' ? r.next() : r;
        } catch (e) {
          // Only the iterator's own synchronous checks may throw before a promise.
          result = Promise.reject(e);
        }
        const out = await settle(result);
        if ('error' in v) {
          assert.equal(sent.length, 0, `sent ${sent[0]?.url}, want ${JSON.stringify(v.error)}`);
          assert.ok(!out.ok, 'no error');
          checkError(out.e, v.error);
        } else {
          assert.equal(sent.length, 1, `nothing sent: ${out.e?.message}`);
          checkRequest(sent[0], v.request);
        }
      }
    });
  }
});

test('responses.json', async (t) => {
  const [, vectors] = load('responses.json');
  for (const v of vectors) {
    await vector(t, 'responses.json', v.name, async () => {
      const f = fakeFetch(() => v.response);
      const client = new sdk.Client({ token: 'sk_test_vectors', baseUrl: 'https://api.test/v1', fetch: f.fetch, maxRetries: 0 });
      const run = invoke(client, v.call, v.args);
      assert.ok(run, 'valid arguments fit the signature');
      let got;
      try {
        got = await run();
      } catch (e) {
        assert.ok('error' in v, `threw ${e.name}: ${e.message}, want ${JSON.stringify(v.result)}`);
        checkError(e, v.error);
        return;
      }
      assert.ok('result' in v, `parsed ${JSON.stringify(got)}, want an error`);
      assert.deepEqual(got, v.result);
    });
  }
});

test('webhooks.json', async (t) => {
  const [defaults, vectors] = load('webhooks.json');
  for (const v of vectors) {
    await vector(t, 'webhooks.json', v.name, () => {
      const verify = v.verify ?? ('secret' in v);
      if (BROWSER && ('sign' in v || verify)) {
        // The browser build neither signs nor verifies, and says so, naming the argument.
        const refused = (e) => e instanceof sdk.InvalidRequestError && e.field === ('sign' in v ? 'secret' : 'verify')
          && e.message.includes("antonnia-sdk's browser build") && e.message.includes('verify: false');
        if ('sign' in v) assert.throws(() => sdk.signWebhook(v.secret, v.id, v.timestamp, v.body), refused);
        else assert.throws(() => sdk.parseWebhook(bodyOf(v), { headers: v.headers ?? {}, secret: v.secret }), refused);
        return;
      }
      if ('sign' in v) {
        assert.equal(sdk.signWebhook(v.secret, v.id, v.timestamp, v.body), v.signature);
        return;
      }
      const parse = (body) => sdk.parseWebhook(body, {
        headers: v.headers ?? {},
        secret: v.secret,
        verify,
        toleranceSeconds: v.tolerance ?? defaults.tolerance,
        maxBodyBytes: v.max_body_bytes ?? defaults.max_body_bytes,
        now: v.now ?? 0,
      });
      // A text body is replayed as a string too (it crosses by its own
      // path, encoded straight into the delivery's buffer): the same event,
      // or the same error.
      const text = textOf(v);
      for (const body of text === undefined ? [bodyOf(v)] : [bodyOf(v), text]) {
        let event;
        try {
          event = parse(body);
        } catch (e) {
          assert.ok('error' in v, `threw ${e.name}: ${e.message}`);
          checkError(e, v.error);
          continue;
        }
        assert.ok('event' in v, `parsed ${JSON.stringify(event)}, want ${JSON.stringify(v.error)}`);
        assert.deepEqual(event, v.event);
        if ('outbound' in v) assert.equal(sdk.outboundMessage(event) !== null, v.outbound);
      }
    });
  }
});

// parseWebhook on Node (>= 20.12) hands the HMAC's inner hash to Node's
// SHA-256 (delivery.js's hostSha256). Every verified vector again, straight
// through the server build's receiver: with the core's own HMAC, with the
// host's hash, with a host hash that throws (delivery.js's crossing catches
// it) and with a host that answers that it could not hash (the core hashes
// instead in both): the same event or the same error each time; and a host
// digest that is wrong fails every vector that verifies, so the host's
// digest is the one compared.
test('webhooks.json: the host SHA-256 and the core HMAC agree', { skip: BROWSER }, async (t) => {
  assert.equal(hostSha256 === null, typeof (await import('node:crypto')).hash !== 'function');
  const [defaults, vectors] = load('webhooks.json');
  const hosts = {
    core: undefined,
    host: deliveryCrossing(wasm.coreMemory).hostSha256,
    throwing: deliveryCrossing(wasm.coreMemory, () => { throw new Error('no hash here'); }).hostSha256,
    unable: { sha256() { return false; } },
    // Says it wrote the digest, and left the 32 bytes as they were (zeros).
    wrong: { sha256() { return true; } },
  };
  let verified = 0;
  for (const v of vectors) {
    const verify = v.verify ?? ('secret' in v);
    if ('sign' in v || !verify) continue;
    await t.test(v.name, () => {
      const outcome = (host) => {
        try {
          const receiver = core(() => new wasm.WebhookReceiver(v.secret, true, v.tolerance ?? defaults.tolerance,
            v.max_body_bytes ?? defaults.max_body_bytes, host));
          const crossing = deliveryCrossing(wasm.coreMemory);
          const lines = Object.entries(v.headers ?? {}).map(([k, x]) => `${k}:${x}\n`).join('');
          const [len, headersLen] = crossing.write(receiver, lines, bodyOf(v));
          return JSON.parse(crossing.read(receiver, core(() => receiver.receive(len, headersLen, (v.now ?? 0) * 1000))));
        } catch (e) {
          return { error: convert(e).kind, reason: convert(e).reason };
        }
      };
      const got = Object.fromEntries(Object.entries(hosts).map(([k, h]) => [k, outcome(h)]));
      if ('event' in v) assert.deepEqual(got.core, v.event);
      else assert.equal(got.core.error, v.error.kind);
      assert.deepEqual(got.host, got.core);
      assert.deepEqual(got.throwing, got.core);
      assert.deepEqual(got.unable, got.core);
      if ('event' in v) {
        assert.deepEqual(got.wrong, { error: 'webhook_verification', reason: 'no_matching_signature' });
        verified += 1;
      }
    });
  }
  assert.ok(verified >= 3, `${verified}`);
});

const SAFETY_ARGS = {
  'sessions.get': { session_id: 's' },
  'messages.update': { session_id: 's', message_id: 'm' },
  'agents.delete': { agent_id: 'a' },
  'messages.create': { session_id: 's', content: { type: 'text', text: 'x' } },
  'sessions.reply': { session_id: 's' },
  'sessions.create': { contact_id: 'c', contact_name: 'n' },
  'agents.create': { name: 'n', type: 'ai' },
  'survey_submissions.cancel': { session_id: 's', survey_submission_id: 'x' },
};

function policyOf(p, module = wasm) {
  return new module.RetryPolicy(p.max_attempts - 1, p.initial_backoff, p.max_backoff, p.max_retry_after);
}

// Whether two calls are the same: the same request on the wire (method, URL,
// headers, body), as the shipped wasm builds it.
function sameCall(a, b) {
  const config = new wasm.Config('sk_test', undefined, '[]');
  const policy = new wasm.RetryPolicy(0);
  const request = (call) => {
    const ex = new wasm.Exchange(call, config, policy, 60000, undefined, 1e7);
    try {
      return [ex.requestJson(), Buffer.from(ex.requestBody() ?? []).toString('base64')];
    } finally {
      ex.free();
    }
  };
  try {
    return JSON.stringify(request(a)) === JSON.stringify(request(b));
  } finally {
    config.free();
    policy.free();
  }
}

test('retry.json', async (t) => {
  const [defaults, vectors] = load('retry.json');
  for (const v of vectors) {
    await vector(t, 'retry.json', v.name, () => {
      // The retry decision alone is exported by the relay's build only
      // (the browser's wasm reaches it through Exchange).
      const policy = policyOf({ ...defaults.policy, ...(v.policy ?? {}) }, relayWasm);
      let idempotent;
      if ('safety' in v) idempotent = v.safety === 'idempotent';
      else idempotent = new relayWasm.Call(v.call, JSON.stringify(SAFETY_ARGS[v.call] ?? {})).idempotent;
      const outcome = typeof v.outcome === 'number' ? { status: v.outcome } : v.outcome;
      const got = policy.decide(idempotent, v.attempt, JSON.stringify(outcome), v.jitter);
      if (v.decision === 'stop') assert.equal(got, undefined);
      else assert.ok(Math.abs(got - v.decision.retry_after) < 1e-9, `${got} != ${v.decision.retry_after}`);
    });
  }
});

test('exchange.json', async (t) => {
  const [defaults, vectors] = load('exchange.json');
  for (const v of vectors) {
    await vector(t, 'exchange.json', v.name, () => {
      const config = { ...defaults.config, ...(v.config ?? {}) };
      const limits = { ...defaults.limits, ...(v.limits ?? {}) };
      const exchange = new wasm.Exchange(
        new wasm.Call(v.call, JSON.stringify(v.args)),
        new wasm.Config(config.token, config.base_url, '[]'),
        policyOf({ ...defaults.policy, ...(v.policy ?? {}) }),
        limits.timeout * 1000,
        limits.total_timeout === null ? undefined : limits.total_timeout * 1000,
        limits.max_response_bytes,
      );
      if ('request_id' in v) exchange.setRequestId(v.request_id);
      v.steps.forEach((step, i) => {
        const last = i + 1 === v.steps.length;
        const field = (k) => (k in step ? step[k] : defaults[k]);
        if ('attempt_timeout' in step) {
          const got = exchange.attemptTimeoutMs(field('elapsed') * 1000) / 1000;
          assert.ok(Math.abs(got - step.attempt_timeout) < 1e-6, `step ${i}: attempt timeout ${got}`);
        }
        const want = step.expect;
        let result;
        try {
          if ('response' in step) {
            const r = step.response;
            const value = exchange.onResponse(r.status, headerLines(r.headers), bodyOf(r),
              field('elapsed') * 1000, field('now') * 1000, field('jitter'));
            result = value === undefined ? { done: false, retryAfterMs: exchange.retryAfterMs }
              : { done: true, value, requestId: exchange.responseRequestId };
          } else {
            const ms = exchange.onFailure(step.failure, step.detail ?? '', field('elapsed') * 1000,
              field('jitter'), step.received ?? 0);
            result = { done: false, retryAfterMs: ms };
          }
        } catch (thrown) {
          const e = convert(thrown);
          assert.ok(last && 'error' in want, `step ${i}: threw ${e.message}, want ${JSON.stringify(want)}`);
          checkError(e, want.error);
          return;
        }
        if (result.done) {
          assert.ok(last && 'result' in want, `step ${i}: done, want ${JSON.stringify(want)}`);
          assert.deepEqual(JSON.parse(result.value), want.result);
        } else {
          assert.ok(!last && 'retry_after' in want, `step ${i}: retry, want ${JSON.stringify(want)}`);
          assert.ok(Math.abs(result.retryAfterMs / 1000 - want.retry_after) < 1e-9, `step ${i}: ${result.retryAfterMs}`);
        }
      });
    });
  }
});

// The wasm objects throw the core's error; the package converts it the same
// way for every public call (errors.js fromThrown).
import { core, fromThrown as convert } from '../pkg/errors.js';


test('stream.json', async (t) => {
  const [defaults, vectors] = load('stream.json');
  for (const v of vectors) {
    await vector(t, 'stream.json', v.name, () => {
      const o = { ...defaults.options, ...(v.options ?? {}) };
      let cursor;
      try {
        cursor = new wasm.MessageStream(v.session_id ?? defaults.session_id, o.poll_interval * 1000,
          o.max_poll_interval * 1000, o.page_size, o.from_start);
        if ('after' in v) cursor.startAfter(v.after);
      } catch (thrown) {
        assert.ok('start_error' in v, `threw ${thrown.message}`);
        checkError(convert(thrown), v.start_error);
        return;
      }
      assert.ok(!('start_error' in v));
      v.steps.forEach((step, i) => {
        assert.ok(sameCall(cursor.nextCall(), new wasm.Call('messages.search', JSON.stringify(step.call))), `step ${i}: call`);
        const want = step.expect;
        if ('page' in step) {
          const poll = JSON.parse(cursor.onPage(JSON.stringify(step.page)));
          assert.deepEqual(poll.messages.map((m) => m.id), want.messages, `step ${i}`);
          assert.ok(Math.abs(poll.waitMs / 1000 - want.wait) < 1e-9, `step ${i}: wait ${poll.waitMs}`);
          return;
        }
        const e = step.error;
        let failure;
        if ('failure' in e) {
          failure = new sdk.TransportError('connection reset', { kind: 'transport' });
        } else {
          const ex = new wasm.Exchange(new wasm.Call('sessions.get', '{"session_id":"s"}'),
            new wasm.Config('sk_test', undefined, '[]'), new wasm.RetryPolicy(0), 60000, undefined, 1e7);
          assert.throws(() => ex.onResponse(e.status, headerLines(e.headers), bodyOf(e), 0, 0, 0.5), (x) => {
            failure = convert(x);
            return true;
          });
        }
        const got = cursor.onFailedPoll(failure.kind, failure.status, failure.retryAfter);
        if ('stop' in want) {
          assert.equal(got, undefined, `step ${i}`);
          checkError(failure, want.stop);
        } else {
          assert.ok(Math.abs(got / 1000 - want.wait) < 1e-9, `step ${i}: wait ${got}`);
        }
      });
    });
  }
});

test('channel.json', async (t) => {
  const [defaults, vectors] = load('channel.json');
  for (const v of vectors) {
    await vector(t, 'channel.json', v.name, async () => {
      if (v.kind === 'whatsapp') {
        assert.equal(sdk.whatsappErrorDescription(v.code), v.description);
        if (v.description !== null) assert.equal(sdk.WHATSAPP_ERRORS[v.code], v.description);
      } else if (v.kind === 'delivery') {
        const r = v.report;
        const fields = r.status === 'failed'
          ? sdk.failed(r.code, r.message)
          : { sent: sdk.sent, delivered: sdk.delivered, read: sdk.read }[r.status](r.provider_message_id, r.at);
        const config = { ...defaults.config, ...(v.config ?? {}) };
        const [client, sent] = captureClient(config);
        await settle(client.sessions.messages.update(v.session_id, v.message_id, fields));
        assert.equal(sent.length, 1);
        checkRequest(sent[0], v.request);
      } else if (v.kind === 'next_page') {
        const next = new wasm.Call(v.call, JSON.stringify(v.args)).nextPage(v.returned);
        if (v.next_args === null) assert.equal(next, undefined);
        else assert.ok(sameCall(next, new wasm.Call(v.call, JSON.stringify(v.next_args))));
      } else {
        assert.fail(`unknown kind ${v.kind}`);
      }
    });
  }
});

// The channel relay's keys, records and decisions through antonnia-sdk/relay
// (its exports) and the core's wasm functions it calls, as
// bindings-python/tests/test_vectors.py replays them through antonnia_sdk.relay.
test('relay.json', async (t) => {
  const [, vectors] = load('relay.json');
  for (const v of vectors) {
    await vector(t, 'relay.json', v.name, () => {
      let got;
      try {
        if (v.kind === 'keys') {
          const k = new relay.RelayKeys(v.prefix);
          const [ct, user, sid] = [v.channel_type, v.channel_user_id, v.session_id];
          got = {
            lock: k.lock(ct, user),
            session: k.session(ct, user),
            inbound: k.inbound(ct, user, v.provider_message_id),
            contact: k.contact(sid),
            queue: k.queue(sid),
            outbound: k.outbound(sid, v.message_id),
            session_base: k.sessionBase(sid),
            pending: k.pending(ct),
            pending_member: k.pendingMember(sid, v.message_id),
          };
          assert.deepEqual(got, v.keys);
        } else if (v.kind === 'record') {
          const record = relay.decodeRecord(v.type, v.text);
          assert.deepEqual(record, v.record);
          assert.equal(relay.encodeRecord(v.type, record), v.encoded);
        } else if (v.kind === 'event') {
          const receiver = new relayWasm.WebhookReceiver(undefined, false);
          const [len, headersLen] = deliveryCrossing(relayWasm.coreMemory).write(receiver, '', bodyOf(v));
          const { action } = JSON.parse(receiver.receiveForRelay(len, headersLen, Date.now()));
          assert.deepEqual(action, v.action);
        } else if (v.kind === 'decide') {
          assert.deepEqual(JSON.parse(relayWasm.relayDecide(v.decision, JSON.stringify(v.input))), v.output);
        } else {
          assert.fail(`unknown kind ${v.kind}`);
        }
      } catch (thrown) {
        if (thrown instanceof assert.AssertionError) throw thrown;
        assert.ok('error' in v, `threw ${thrown.message}`);
        checkError(convert(thrown), v.error);
        return;
      }
      assert.ok(!('error' in v), 'no error');
    });
  }
});

test('every vector file is replayed', () => {
  const files = ['requests.json', 'responses.json', 'webhooks.json', 'retry.json', 'channel.json', 'exchange.json', 'stream.json', 'relay.json'];
  const total = files.reduce((n, f) => n + load(f)[1].length, 0);
  assert.ok(total >= 120);
  const body = readFileSync(FIXTURES + 'message_created_410.json');
  assert.equal(body.length, 410);
  assert.ok(load('webhooks.json')[1].some((v) => v.body === body.toString('utf8')));
});

test('every call the core knows has a client method', () => {
  // A call added to the core's registry (for_each_call!) must get a method here.
  assert.deepEqual(Object.keys(SIGNATURES).sort(), [...sdk.CALL_NAMES].sort());
  const client = new sdk.Client({ token: 't', fetch: async () => new Response('null') });
  for (const name of sdk.CALL_NAMES) assert.equal(typeof methodOf(client, name), 'function', name);
});
