// Types of the npm package antonnia-sdk. Objects use the wire's snake_case
// names: they are the canonical JSON the Rust core produces (tests/fixtures/README.md).

/** Free-form JSON, as in `metadata`. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** Free-form metadata; channels keep `channel_type` and `channel_user_id` here. */
export type Metadata = { [key: string]: any };

/** A timestamp: RFC 3339 in UTC (`2025-01-15T10:30:00Z`) in results; a Date or an RFC 3339 string in parameters. */
export type Timestamp = string;
export type TimestampInput = string | Date;

/** An open enum: the known values, or any other string a newer API sends. */
type Open<T extends string> = T | (string & {});

// --- generated from core/src/schema by core/tests/generated.rs: begin ---
export type SessionStatus = Open<'open' | 'closed'>;
export type MessageRole = Open<'user' | 'assistant'>;
export type DeliveryStatus = Open<'pending' | 'sent' | 'delivered' | 'read' | 'failed' | 'rejected'>;
export type AgentType = Open<'ai' | 'human'>;
export type SurveySubmissionStatus = Open<'pending' | 'finished' | 'cancelled'>;
export type ScheduleStatus = Open<'scheduled' | 'completed' | 'failed'>;

export interface TextContent { type: 'text'; text: string; template_id?: string; template_parameters?: Metadata; }
export interface ImageContent { type: 'image'; url: string; }
export interface VideoContent { type: 'video'; url: string; }
export interface AudioContent { type: 'audio'; url: string; transcript?: string; }
export interface FileContent { type: 'file'; url: string; mime_type: string; name: string; }
/** The AI calling a tool (internal, never shown to users). */
export interface FunctionCallContent { type: 'function_call'; id: string; name: string; input: string; }
/** A tool's answer to a call (internal). */
export interface FunctionResultContent { type: 'function_result'; id: string; name: string; output: string; }
/** The AI's internal reasoning; a channel never shows it. */
export interface ThoughtContent { type: 'thought'; thought: string; }
/** Content of a type this SDK version does not know, kept whole. */
export interface UnknownContent { type: string; [key: string]: unknown }
/** What a message says, discriminated on `type`. */
export type MessageContent =
  | TextContent | ImageContent | VideoContent | AudioContent | FileContent | FunctionCallContent | FunctionResultContent | ThoughtContent;

/** An agent (AI or human) that can be put in charge of sessions. */
export interface Agent {
  /** The agent's id, e.g. `agent_abc`. */
  id: string;
  /** `ai` or `human` (or a type this SDK version does not know). */
  type: AgentType;
  /** The organization owning it. */
  organization_id?: string;
  /** Its display name. */
  name?: string;
  /** The AI assistant behind an `ai` agent. */
  assistant_id?: string;
  /** The person's profile, for a `human` agent. */
  profile_id?: string;
  /** When it was created. */
  created_at?: Timestamp;
}

/** A conversation between one contact and an agent. */
export interface Session {
  /** The session's id, e.g. `sess_abc123`. */
  id: string;
  /** The integrator's id for the contact. */
  contact_id?: string;
  /** The organization owning the session. */
  organization_id?: string;
  /** The conversation the session belongs to. */
  conversation_id?: string;
  /** An optional thread id. */
  thread_id?: string;
  /** `open` or `closed` (or a status this SDK version does not know). */
  status?: SessionStatus;
  /** The agent in charge, if any. */
  agent?: Agent;
  /** The satisfaction survey started when the session finished. */
  ending_survey_submission_id?: string;
  /** Free-form data; channels keep `channel_type` and `channel_user_id` here. Always present (`{}` when the server sent none). */
  metadata: Metadata;
  /** When it was created. */
  created_at?: Timestamp;
  /** When it last changed. */
  updated_at?: Timestamp;
}

/** One message in a session. */
export interface Message {
  /** The message's id, e.g. `msg_xyz789`. */
  id: string;
  /** The session it belongs to. */
  session_id?: string;
  /** The conversation it belongs to. */
  conversation_id?: string;
  /** The organization owning it. */
  organization_id?: string;
  /** `user` or `assistant` (or a role this SDK version does not know). */
  role?: MessageRole;
  /** What it says: one content kind per `type`. */
  content: AnyMessageContent;
  /** The channel's id for it. */
  provider_message_id?: string;
  /** The channel's id of the message it replies to. */
  replied_provider_message_id?: string;
  /** The AI run that produced it. */
  run_id?: string;
  /** When it was created. */
  created_at?: Timestamp;
  /** How far it got on the channel: `pending` (also when absent), `sent`, `delivered`, `read`, `failed` or `rejected`. Always present (`pending` when the server sent none). */
  delivery_status: DeliveryStatus;
  /** The channel's error code when delivery failed (e.g. WhatsApp's 131047). */
  delivery_error_code?: number;
  /** The channel's error message when delivery failed. */
  delivery_error_message?: string;
  /** When the channel delivered it. */
  delivered_at?: Timestamp;
  /** When it last changed. */
  updated_at?: Timestamp;
}

/** A satisfaction survey sent to the contact when a session finished. */
export interface SurveySubmission {
  /** The submission's id. */
  id: string;
  /** The survey answered. */
  survey_id?: string;
  /** The session it follows. */
  session_id?: string;
  /** The organization owning it. */
  organization_id?: string;
  /** `pending`, `finished` or `cancelled` (or a status this SDK version does not know). */
  status?: SurveySubmissionStatus;
  /** When it was created. */
  created_at?: Timestamp;
  /** When it stops accepting answers. */
  expires_at?: Timestamp;
  /** When it was answered. */
  finished_at?: Timestamp;
  /** When it last changed. */
  updated_at?: Timestamp;
}

/** What a schedule does when its time comes. */
export type ScheduleConfig =
  | { type: 'message'; message: MessageContent }
  | { type: 'node'; node_id: string };

/** An action scheduled on a session for a later time. */
export interface SessionSchedule {
  /** The schedule's id. */
  id: string;
  /** The session it acts on. */
  session_id?: string;
  /** The organization owning it. */
  organization_id?: string;
  /** When it runs. */
  scheduled_for?: Timestamp;
  /** What it does. */
  config?: ScheduleConfig | { type: string & {}; [key: string]: unknown };
  /** `scheduled`, `completed` or `failed` (or a status this SDK version does not know). */
  status?: ScheduleStatus;
  /** When it was created. */
  created_at?: Timestamp;
}

interface EventBase { id?: string; created_at?: Timestamp }
export interface MessageCreatedEvent extends EventBase { type: 'message.created'; data: { object: Message } }
export interface SessionCreatedEvent extends EventBase { type: 'session.created'; data: { object: Session } }
export interface SessionTransferredEvent extends EventBase { type: 'session.transferred'; data: { object: Session } }
/** `action`: why, when not closed by a call (`expired` after inactivity). */
export interface SessionFinishedEvent extends EventBase { type: 'session.finished'; data: { object: Session; action?: string } }
/** The connection as sent (its shape is not specified). */
export interface AppConnectionCreatedEvent extends EventBase { type: 'app.connection.created'; data: { object: JsonValue } }
export interface UnknownEvent { type: string; [key: string]: unknown }
export type KnownEvent =
  | MessageCreatedEvent | SessionCreatedEvent | SessionTransferredEvent | SessionFinishedEvent | AppConnectionCreatedEvent;
// --- generated from core/src/schema by core/tests/generated.rs: end ---

/**
 * Content as results carry it: a known kind, or an unknown one kept whole.
 * Narrow with `isKnownContent(content)` first, then by `type`.
 */
export type AnyMessageContent = MessageContent | UnknownContent;
/** Whether content is of a kind this SDK version knows (then `type` narrows it). */
export function isKnownContent(content: AnyMessageContent): content is MessageContent;

// ------------------------------------------------------------ parameters

/**
 * The client's options. An option the SDK does not know (`apiKey`,
 * `baseURL`) is refused with InvalidRequestError naming the nearest valid one.
 */
export interface ClientOptions {
  /**
   * The API token (`sk_live_...`; `sk_test_sandbox` for the sandbox), or
   * `null` for none: behind your own proxy (`baseUrl`) that adds it.
   * Required: `undefined` (e.g. an unset environment variable) throws
   * InvalidRequestError rather than sending calls without a token.
   */
  token?: string | null;
  /** The API root (default: production). A proxy's URL works too. */
  baseUrl?: string;
  /** Each attempt's deadline, from sending to the last byte of the body (default 60 000). */
  timeoutMs?: number;
  /**
   * The whole call's deadline, retries and the waits between them included
   * (default 120 000, `DEFAULT_TOTAL_TIMEOUT_MS`; `null`: none, each attempt
   * still bounded by `timeoutMs`).
   */
  totalTimeoutMs?: number | null;
  /** How many times a failed call is sent again when the core deems it safe (default 2). */
  maxRetries?: number;
  /** Headers sent with every request. */
  headers?: Record<string, string> | Headers;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
  /** Responses over this are refused with PayloadTooLargeError (default 10 MiB). */
  maxResponseBytes?: number;
  /** Lets a client with a token call the production API from a browser, where every visitor can read the token. */
  dangerouslyAllowBrowser?: boolean;
  /**
   * `'debug'`: one line per attempt and one per outcome (call, method, URL,
   * attempt, status, request id; never a header value or a body). Default:
   * the environment's `ANTONNIA_LOG` (Node, Deno, Bun), else off.
   */
  logLevel?: 'debug' | 'off';
  /** Where debug lines go (default: `console.error`). */
  logger?: (line: string) => void;
}

/** Per-call options, the last argument of every method (other names are refused). */
export interface RequestOptions {
  /** Aborting rejects the call with the signal's reason (the standard AbortError by default). */
  signal?: AbortSignal;
  timeoutMs?: number;
  maxRetries?: number;
  /** Extra headers; an `x-request-id` among them is sent instead of the SDK's own `req_...` id. */
  headers?: Record<string, string> | Headers;
}

// --- generated from core/src/schema (call parameters) by core/tests/generated.rs: begin ---
/** The parameters of `sessions.create`. */
export interface SessionCreateParams {
  contact_id: string;
  contact_name: string;
  agent_id?: string;
  status?: SessionStatus;
  metadata?: Metadata;
}
/** The parameters of `sessions.update`. */
export interface SessionUpdateFields {
  thread_id?: string;
  status?: SessionStatus;
  agent_id?: string;
  ending_survey_submission_id?: string;
  metadata?: Metadata;
}
/** The parameters of `sessions.transfer`. */
export interface SessionTransferParams {
  agent_id: string | null;
  auto_reply?: boolean;
}
/** The parameters of `sessions.finish`. */
export interface SessionFinishParams {
  ending_survey_id?: string;
}
/** The parameters of `sessions.reply`. */
export interface SessionReplyParams {
  debounce_time?: number;
  starting_node_id?: string;
}
/** The parameters of `sessions.search`. */
export interface SessionSearchParams {
  contact_id?: string;
  status?: SessionStatus;
  metadata?: Metadata;
  offset?: number;
  limit?: number;
}
/** The parameters of `sessions.schedule`. */
export interface SessionScheduleParams {
  scheduled_for: TimestampInput;
  config: ScheduleConfig;
}
/** The parameters of `messages.create`. */
export interface MessageCreateParams {
  content: MessageContent;
  role?: MessageRole;
  provider_message_id?: string;
  replied_provider_message_id?: string;
  run_id?: string;
}
/** The parameters of `messages.update`. */
export interface MessageUpdateFields {
  provider_message_id?: string;
  replied_provider_message_id?: string;
  delivery_status?: DeliveryStatus;
  delivery_error_code?: number;
  delivery_error_message?: string;
  delivered_at?: TimestampInput;
}
/** The parameters of `messages.search`. */
export interface MessageSearchParams {
  session_id?: string;
  provider_message_id?: string;
  replied_provider_message_id?: string;
  role?: MessageRole;
  offset?: number;
  limit?: number;
}
/** The parameters of `agents.create`. */
export interface AgentCreateParams {
  name: string;
  type: AgentType;
  assistant_id?: string;
  profile_id?: string;
}
/** The parameters of `agents.update`. */
export interface AgentUpdateFields {
  name?: string;
  assistant_id?: string;
  profile_id?: string;
}
/** The parameters of `agents.search`. */
export interface AgentSearchParams {
  type?: AgentType;
  assistant_id?: string;
  profile_id?: string;
  limit?: number;
  offset?: number;
}
// --- generated from core/src/schema (call parameters) by core/tests/generated.rs: end ---

export interface MessageStreamOptions {
  /**
   * The id of a message of the session (the one just sent): the stream
   * starts right after it, so an answer that arrived before the first poll
   * is yielded too. Overrides `fromStart`.
   */
  after?: string;
  /** The wait between polls while messages keep coming (default 1000). */
  pollIntervalMs?: number;
  /** The longest wait while the session is idle (default 30 000). */
  maxPollIntervalMs?: number;
  /** Messages asked for per poll (default 100). */
  pageSize?: number;
  /** Whether the messages already in the session come first (default: only new ones). */
  fromStart?: boolean;
  /** Ends the stream: the iterator rejects with the signal's reason. */
  signal?: AbortSignal;
}

// ------------------------------------------------------------ client

/** A call's result next to the final response (`client.withRawResponse`). */
export interface RawResponse<T> {
  /** The parsed result, as the plain call returns it. */
  data: T;
  /** The HTTP status. */
  status: number;
  /** The response headers. */
  headers: Headers;
  /** The server's id for the request when it named one, else the `req_...` the SDK sent. */
  requestId: string | undefined;
}

/** The same methods, each resolving to a RawResponse (iterators and streams unchanged). */
export type WithRawResponse<T> = {
  readonly [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R>
    ? (...args: A) => Promise<RawResponse<R>>
    : T[K] extends (...args: any[]) => any ? T[K] : WithRawResponse<T[K]>;
};

export class Client {
  /** Throws InvalidRequestError for an unknown option or a missing (undefined) token. */
  constructor(options?: ClientOptions);
  /** The API root requests are sent to. */
  readonly baseUrl: string;
  /** The User-Agent the SDK sends. */
  readonly userAgent: string;
  readonly sessions: Sessions;
  readonly agents: Agents;
  /** `client.withRawResponse.sessions.get(id)` → `{ data, status, headers, requestId }`. */
  readonly withRawResponse: { readonly sessions: WithRawResponse<Sessions>; readonly agents: WithRawResponse<Agents> };
}

export interface Sessions {
  readonly messages: Messages;
  readonly surveySubmissions: SurveySubmissions;
  create(params: SessionCreateParams, options?: RequestOptions): Promise<Session>;
  get(sessionId: string, options?: RequestOptions): Promise<Session>;
  update(sessionId: string, fields: SessionUpdateFields, options?: RequestOptions): Promise<Session>;
  transfer(sessionId: string, params: SessionTransferParams, options?: RequestOptions): Promise<Session>;
  finish(sessionId: string, params?: SessionFinishParams, options?: RequestOptions): Promise<Session>;
  reply(sessionId: string, params?: SessionReplyParams, options?: RequestOptions): Promise<Session>;
  search(params?: SessionSearchParams, options?: RequestOptions): Promise<Session[]>;
  iterSearch(params?: SessionSearchParams, options?: RequestOptions): AsyncGenerator<Session, void, undefined>;
  schedule(sessionId: string, params: SessionScheduleParams, options?: RequestOptions): Promise<SessionSchedule>;
}

export interface Messages {
  create(sessionId: string, params: MessageCreateParams, options?: RequestOptions): Promise<Message>;
  get(sessionId: string, messageId: string, options?: RequestOptions): Promise<Message>;
  update(sessionId: string, messageId: string, fields: MessageUpdateFields, options?: RequestOptions): Promise<Message>;
  search(params?: MessageSearchParams, options?: RequestOptions): Promise<Message[]>;
  iterSearch(params?: MessageSearchParams, options?: RequestOptions): AsyncGenerator<Message, void, undefined>;
  /** The session's messages as they arrive (polling decided by the core). */
  stream(sessionId: string, options?: MessageStreamOptions): AsyncGenerator<Message, never, undefined>;
}

export interface SurveySubmissions {
  get(sessionId: string, submissionId: string, options?: RequestOptions): Promise<SurveySubmission>;
  reply(sessionId: string, submissionId: string, options?: RequestOptions): Promise<SurveySubmission>;
  cancel(sessionId: string, submissionId: string, options?: RequestOptions): Promise<SurveySubmission>;
}

export interface Agents {
  create(params: AgentCreateParams, options?: RequestOptions): Promise<Agent>;
  get(agentId: string, options?: RequestOptions): Promise<Agent>;
  update(agentId: string, fields: AgentUpdateFields, options?: RequestOptions): Promise<Agent>;
  delete(agentId: string, options?: RequestOptions): Promise<null>;
  search(params?: AgentSearchParams, options?: RequestOptions): Promise<Agent[]>;
  iterSearch(params?: AgentSearchParams, options?: RequestOptions): AsyncGenerator<Agent, void, undefined>;
}

// ------------------------------------------------------------ webhooks

/**
 * A webhook event, discriminated on `type` (unknown types kept whole).
 * TypeScript cannot subtract the known types from `string`, so narrow in two
 * steps: `if (isKnownEvent(event)) switch (event.type) { ... }`.
 */
export type WebhookEvent = KnownEvent | UnknownEvent;
/** Whether the event is of a type this SDK version knows (then `type` narrows it). */
export function isKnownEvent(event: WebhookEvent): event is KnownEvent;
/** The event types this SDK version knows. */
export const KNOWN_EVENT_TYPES: readonly KnownEvent['type'][];

export interface ParseWebhookOptions {
  /** The request's headers: a plain object (any letter case; Node's arrays joined) or a Headers. */
  headers?: Record<string, string | string[] | undefined> | Headers;
  /** The endpoint's secret (`whsec_...`). Required unless `verify: false`. */
  secret?: string;
  /** `false` skips the signature check (by name only: a missing secret is otherwise an error). */
  verify?: boolean;
  /** How far the signature's timestamp may be from now, either way (default 300). */
  toleranceSeconds?: number;
  /** The clock: a Date or Unix seconds (default: now). */
  now?: Date | number;
  /** Larger bodies are refused before any HMAC work (default 1 MiB). */
  maxBodyBytes?: number;
}

/**
 * Verifies and parses one webhook delivery from its raw body. Throws WebhookVerificationError, DecodeError, PayloadTooLargeError.
 * The browser build (what browser bundlers resolve) only parses, with `verify: false`: a page cannot keep the
 * signing secret, so verification there throws InvalidRequestError (`field` `verify`); verify on your server.
 */
export function parseWebhook(body: string | Uint8Array | ArrayBuffer, options: ParseWebhookOptions): WebhookEvent;
/** The Standard Webhooks signature (`v1,<base64>`) of a delivery. Not in the browser build (InvalidRequestError, `field` `secret`). */
export function signWebhook(secret: string, id: string, timestamp: number, body: string | Uint8Array | ArrayBuffer): string;

// ------------------------------------------------------------ channel

/** The message to deliver for a `message.created` of a pending assistant message with visible content; else null. */
export function outboundMessage(event: WebhookEvent): Message | null;

export type Deliverable =
  | { kind: 'text'; content: TextContent; text: string; templateId?: string; templateParameters?: Metadata }
  | { kind: 'image' | 'video'; content: ImageContent | VideoContent; mediaUrl: string }
  | { kind: 'audio'; content: AudioContent; mediaUrl: string; transcript?: string }
  | { kind: 'file'; content: FileContent; mediaUrl: string; mimeType: string; filename: string }
  | { kind: 'unknown'; content: UnknownContent };
/**
 * What to send for an outbound message, one shape for every kind. Throws
 * InvalidRequestError for the AI's internal content, and for content without
 * what its kind sends (`content.text`, `content.url`, ...). An empty text is
 * returned as is: whether it can be sent is the channel's call.
 */
export function deliverable(message: Message | AnyMessageContent): Deliverable;

/** The fields of `client.sessions.messages.update` reporting a delivery outcome. */
export interface DeliveryFields extends MessageUpdateFields {}
export function sent(providerMessageId?: string | null, at?: TimestampInput | null): DeliveryFields;
export function delivered(providerMessageId?: string | null, at?: TimestampInput | null): DeliveryFields;
export function read(providerMessageId?: string | null, at?: TimestampInput | null): DeliveryFields;
export function failed(code?: number | null, message?: string | null): DeliveryFields;
export function whatsappErrorDescription(code: number): string | null;
export const WHATSAPP_ERRORS: Readonly<Record<string, string>>;

export const VERSION: string;
export const DEFAULT_BASE_URL: string;
/** Each attempt's default deadline: 60 000 ms. */
export const DEFAULT_TIMEOUT_MS: number;
/** A whole call's default deadline, retries and waits included: 120 000 ms. */
export const DEFAULT_TOTAL_TIMEOUT_MS: number;
export const DEFAULT_MAX_RETRIES: number;
export const DEFAULT_MAX_RESPONSE_BYTES: number;
export const CALL_NAMES: readonly string[];

/**
 * What `init()` loads the core's WebAssembly from: a compiled module
 * (Cloudflare Workers, Vercel Edge: `import wasm from 'antonnia-sdk/antonnia_wasm_bg.wasm'`),
 * its bytes, a `Response`, a URL or a path (Node), or a promise of one.
 */
export type InitInput = WebAssembly.Module | BufferSource | Response | URL | string;
/**
 * Loads the core's WebAssembly. The package does so by itself on import in
 * Node, browsers, Vite and webpack; call this where it cannot (edge runtimes,
 * esbuild bundles), before anything else. Without `input`, retries the
 * package's own file. Does nothing once loaded; a `WebAssembly.Module` is
 * instantiated before this returns. Rejects with InitError.
 */
export function init(input?: InitInput | Promise<InitInput>): Promise<void>;

// ------------------------------------------------------------ errors

export type ErrorKind =
  | 'authentication' | 'permission_denied' | 'not_found' | 'conflict' | 'validation' | 'rate_limit'
  | 'payload_too_large' | 'api' | 'invalid_request' | 'transport' | 'timeout' | 'decode'
  | 'webhook_verification' | 'antonnia';

export interface ValidationProblem { loc: string[]; msg: string; type: string }

/** The root of every error the SDK throws. */
export class AntonniaError extends Error {
  /** The language-neutral kind shared by every binding. */
  readonly kind: ErrorKind | (string & {});
  /** The HTTP status, for errors the server answered with. */
  readonly status: number | undefined;
  /** What the server said (its `detail`). */
  readonly detail: string | undefined;
  /** The raw error body (first 8 KiB). */
  readonly body: string | undefined;
  /** The error body as JSON, when it was JSON. */
  readonly data: JsonValue | undefined;
  readonly problems: ValidationProblem[];
  /** For InvalidRequestError: the argument at fault. */
  readonly field: string | undefined;
  /** For DecodeError: where parsing failed. */
  readonly path: string | undefined;
  /** For WebhookVerificationError: why. */
  readonly reason: string | undefined;
  /** Seconds the server asked to wait. */
  readonly retryAfter: number | undefined;
  /**
   * The request's id, to quote to support: the server's when it named one,
   * else the `req_...` the SDK sent (undefined for errors before sending).
   */
  readonly requestId: string | undefined;
}
export class APIError extends AntonniaError {}
export class AuthenticationError extends APIError {}
export class PermissionDeniedError extends APIError {}
export class NotFoundError extends APIError {}
export class ConflictError extends APIError {}
export class ValidationError extends APIError {}
export class RateLimitError extends APIError {}
export class PayloadTooLargeError extends APIError {}
export class InvalidRequestError extends AntonniaError {}
export class TransportError extends AntonniaError {}
export class TimeoutError extends TransportError {}
export class DecodeError extends AntonniaError {}
/** The core's WebAssembly is not loaded (kind `init`): call `init()` with it first; `cause` says why loading failed. */
export class InitError extends AntonniaError {}
export class WebhookVerificationError extends AntonniaError {
  readonly reason:
    | 'missing_header' | 'invalid_timestamp' | 'timestamp_out_of_tolerance' | 'invalid_secret'
    | 'no_matching_signature' | 'missing_secret' | (string & {}) | undefined;
}
