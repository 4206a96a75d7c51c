// The SDK's errors: one class per core error kind, chosen by `kind` alone
// from the core's ErrorInfo (see docs/architecture.md). Names are set
// explicitly so that minifiers cannot change them.

/** The root of every error the SDK throws (an aborted call rejects with the standard AbortError instead). */
export class AntonniaError extends Error {
  constructor(message, info = {}) {
    super(message);
    /** The language-neutral kind shared by every binding (`not_found`, `rate_limit`, ...). */
    this.kind = info.kind ?? 'antonnia';
    /** The HTTP status, for errors the server answered with. */
    this.status = info.status ?? undefined;
    /** What the server said (its `detail`), for errors it answered with. */
    this.detail = info.detail ?? undefined;
    /** The raw error body (first 8 KiB), for errors the server answered with. */
    this.body = info.body ?? undefined;
    /** The error body as JSON, when it was JSON. */
    this.data = info.data ?? undefined;
    /** FastAPI-style validation problems: `[{loc, msg, type}]`. */
    this.problems = info.problems ?? [];
    /** For InvalidRequestError: the argument at fault. */
    this.field = info.field ?? undefined;
    /** For DecodeError: where in the document parsing failed. */
    this.path = info.path ?? undefined;
    /** For WebhookVerificationError: why (`no_matching_signature`, ...). */
    this.reason = info.reason ?? undefined;
    /** Seconds the server asked to wait (RateLimitError). */
    this.retryAfter = info.retry_after ?? undefined;
    /**
     * The request's id, to quote to support: the server's (`x-request-id`
     * or the like) when it named one, else the `req_...` the SDK sent.
     */
    this.requestId = info.request_id ?? undefined;
  }
}
AntonniaError.prototype.name = 'AntonniaError';

/** Any other non-2xx answer (5xx, and 4xx without a class of its own). */
export class APIError extends AntonniaError {}
APIError.prototype.name = 'APIError';
/** 401: the token is missing, malformed or revoked. */
export class AuthenticationError extends APIError {}
AuthenticationError.prototype.name = 'AuthenticationError';
/** 403: the token lacks access to this resource. */
export class PermissionDeniedError extends APIError {}
PermissionDeniedError.prototype.name = 'PermissionDeniedError';
/** 404: no such session, message, agent or survey submission. */
export class NotFoundError extends APIError {}
NotFoundError.prototype.name = 'NotFoundError';
/** 409: a conflict, such as a duplicate `provider_message_id`. */
export class ConflictError extends APIError {}
ConflictError.prototype.name = 'ConflictError';
/** 422: the server rejected the request's content (see `problems`). */
export class ValidationError extends APIError {}
ValidationError.prototype.name = 'ValidationError';
/** 429: too many requests; `retryAfter` is the wait the server asked for, in seconds. */
export class RateLimitError extends APIError {}
RateLimitError.prototype.name = 'RateLimitError';
/** 413, or a response or webhook body over this side's limit. */
export class PayloadTooLargeError extends APIError {}
PayloadTooLargeError.prototype.name = 'PayloadTooLargeError';
/** Arguments refused before anything was sent (see `field`). */
export class InvalidRequestError extends AntonniaError {}
InvalidRequestError.prototype.name = 'InvalidRequestError';
/** The connection failed. */
export class TransportError extends AntonniaError {}
TransportError.prototype.name = 'TransportError';
/** No complete response in time. */
export class TimeoutError extends TransportError {}
TimeoutError.prototype.name = 'TimeoutError';
/** A 2xx or webhook body that is not what the contract says (see `path`). */
export class DecodeError extends AntonniaError {}
DecodeError.prototype.name = 'DecodeError';
/** A webhook whose signature does not verify (see `reason`). */
export class WebhookVerificationError extends AntonniaError {}
WebhookVerificationError.prototype.name = 'WebhookVerificationError';

const BY_KIND = {
  api: APIError,
  authentication: AuthenticationError,
  permission_denied: PermissionDeniedError,
  not_found: NotFoundError,
  conflict: ConflictError,
  validation: ValidationError,
  rate_limit: RateLimitError,
  payload_too_large: PayloadTooLargeError,
  invalid_request: InvalidRequestError,
  transport: TransportError,
  timeout: TimeoutError,
  decode: DecodeError,
  webhook_verification: WebhookVerificationError,
};

/** The error for a core ErrorInfo (plain object). */
export function fromInfo(info) {
  const Cls = Object.hasOwn(BY_KIND, info.kind) ? BY_KIND[info.kind] : AntonniaError;
  // The core's text names the option the Python way; JS spells it `verify: false`.
  const message = String(info.message ?? info.kind).replace('(verify=False)', '(verify: false)');
  return new Cls(message, info);
}

/** An InvalidRequestError naming the argument at fault. */
export function invalid(field, message) {
  return fromInfo({ kind: 'invalid_request', message: `invalid argument ${field}: ${message}`, field });
}

/** An InvalidRequestError for an option the SDK does not know, with the nearest valid name. */
export function unknownOption(where, name, known, aliases = {}) {
  const hint = nearest(name, known, aliases);
  const tail = hint !== undefined ? `did you mean \`${hint}\`?` : `the ${where} are ${known.map((k) => `\`${k}\``).join(', ')}`;
  return fromInfo({ kind: 'invalid_request', message: `unknown ${where.replace(/s$/, '')} \`${name}\`: ${tail}`, field: name });
}

function nearest(name, known, aliases) {
  const lower = name.toLowerCase();
  if (Object.hasOwn(aliases, lower)) return aliases[lower];
  let best;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = k.toLowerCase() === lower ? 0 : distance(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(Math.max(name.length, best.length) / 3)) ? best : undefined;
}

// Levenshtein distance, for "did you mean".
function distance(a, b) {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * Converts what the wasm side threw into the SDK's error. The core throws an
 * Error named `AntonniaCoreError` carrying the ErrorInfo as JSON; anything
 * else (a trap, a wasm-bindgen type check) becomes an AntonniaError too, so
 * that callers never see a foreign error or a string.
 */
export function fromThrown(e) {
  if (e instanceof AntonniaError) return e;
  if (e instanceof Error && e.name === 'AntonniaCoreError') {
    try {
      return fromInfo(JSON.parse(e.message));
    } catch {
      // fall through: not an ErrorInfo after all
    }
  }
  const err = new AntonniaError(`internal error in the SDK's core: ${e instanceof Error ? e.message : String(e)}`);
  err.cause = e;
  return err;
}

/**
 * The SDK's WebAssembly is not loaded: loading it on import failed (an edge
 * runtime that cannot fetch it, a bundle that left the .wasm file behind)
 * and `init()` has not been called with it. `cause` is the load's failure.
 */
export class InitError extends AntonniaError {
  constructor(message) {
    super(message, { kind: 'init' });
  }
}
InitError.prototype.name = 'InitError';

// Set by loader.js while the core's WebAssembly is not loaded: a function
// making the InitError that every core call throws until it is.
let unloadedError = null;
export function setUnloaded(makeError) {
  unloadedError = makeError;
}

/** Runs a core function, converting whatever it throws. */
export function core(fn) {
  if (unloadedError !== null) throw unloadedError();
  try {
    return fn();
  } catch (e) {
    throw fromThrown(e);
  }
}

// ---------------------------------------------------------------- relay
// The channel relay's own errors (antonnia-sdk/relay). RelayError is an
// AntonniaError, so one `catch (e) { if (e instanceof AntonniaError) ... }`
// answers 503 for everything `receive` throws (the relay itself tells a
// store failure from an API one by the subclass). DeliveryError is thrown by
// your code, not the SDK's, and is not one.

/** The root of the channel relay's own errors (kind `relay`, or `store_unavailable`, `lock_timeout`). */
export class RelayError extends AntonniaError {
  constructor(message, info = {}) {
    super(message, { kind: new.target.kind ?? 'relay', ...info });
  }
}
RelayError.prototype.name = 'RelayError';

/**
 * The relay's store (Redis) could not be reached or failed: nothing was
 * decided, and `handleWebhook` answers a retryable 503 so the sender tries again.
 */
export class StoreUnavailableError extends RelayError {}
StoreUnavailableError.prototype.name = 'StoreUnavailableError';
StoreUnavailableError.kind = 'store_unavailable';

/** The contact's lock stayed held by another worker longer than `lockWaitMs`. */
export class LockTimeoutError extends RelayError {}
LockTimeoutError.prototype.name = 'LockTimeoutError';
LockTimeoutError.kind = 'lock_timeout';

/**
 * Throw it from `deliver` when the channel refused the message: the relay
 * reports it `failed` with `code` (e.g. WhatsApp's 131047) and `detail`, and
 * does not try again. Anything else thrown by `deliver` means "unknown": the
 * claim is released and the webhook answered 503.
 */
export class DeliveryError extends Error {
  constructor(code, detail) {
    super(detail ?? (code != null ? `delivery failed with code ${code}` : 'delivery failed'));
    /** The channel's error code. */
    this.code = code ?? undefined;
    /** The channel's explanation (without one, a known WhatsApp code is described). */
    this.detail = detail ?? undefined;
  }
}
DeliveryError.prototype.name = 'DeliveryError';
