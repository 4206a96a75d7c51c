// The idiomatic Kotlin layer over the generated bindings (antonnia_uniffi.kt):
// a client factory with named, defaulted parameters and the platform's
// transport, property-style access to the API tree, Flows over searches and
// the message stream, the exception names of the SDK, and typed accessors
// for timestamps and metadata. Everything else is the generated code.
package com.antonnia.sdk

import java.time.Instant
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow

/** Every error of the SDK is an [AntonniaException]; these are its cases. */
typealias AuthenticationException = AntonniaException.Authentication
typealias PermissionDeniedException = AntonniaException.PermissionDenied
typealias NotFoundException = AntonniaException.NotFound
typealias ConflictException = AntonniaException.Conflict
typealias ValidationException = AntonniaException.Validation
typealias RateLimitException = AntonniaException.RateLimit
typealias ApiException = AntonniaException.Api
typealias InvalidRequestException = AntonniaException.InvalidRequest
typealias TransportException = AntonniaException.Transport
typealias ApiTimeoutException = AntonniaException.Timeout
@Deprecated("clashes with java.util.concurrent.TimeoutException", ReplaceWith("ApiTimeoutException"))
typealias TimeoutException = AntonniaException.Timeout
typealias DecodeException = AntonniaException.Decode
typealias WebhookVerificationException = AntonniaException.WebhookVerification
typealias PayloadTooLargeException = AntonniaException.PayloadTooLarge

/** The default overall deadline of a call (120 s), retries included. */
val DEFAULT_TOTAL_TIMEOUT_MS: Long = defaultTotalTimeoutMs()

/** The production API root. */
val DEFAULT_BASE_URL: String = defaultBaseUrl()

/** Waits with [delay]: no thread is blocked, and cancellation is immediate. */
object CoroutineSleeper : Sleeper {
    override suspend fun sleep(millis: Long) = delay(millis)
}

/**
 * A client of the Antonnia Conversations API.
 *
 * [token] is your `sk_...` key; leave it out behind your own backend (a
 * mobile app's binary is public: the app calls your server, which holds the
 * token), and pass that backend as [baseUrl] with your app's own auth in
 * [headers]. Timeouts, retries with backoff and `Retry-After` come from the
 * SDK's core; [transport] only moves bytes ([defaultTransport] when absent).
 */
fun Client(
    token: String? = null,
    baseUrl: String? = null,
    headers: Map<String, String> = emptyMap(),
    timeoutMs: Long = 60_000,
    totalTimeoutMs: Long = DEFAULT_TOTAL_TIMEOUT_MS,
    maxRetries: Int = 2,
    maxResponseBytes: Long = 10L * 1024 * 1024,
    transport: HttpTransport = defaultTransport(),
): Client = Client(
    GuardedTransport(transport),
    CoroutineSleeper,
    ClientOptions(
        baseUrl = baseUrl,
        timeoutMs = timeoutMs,
        totalTimeoutMs = totalTimeoutMs,
        maxRetries = maxRetries,
        maxResponseBytes = maxResponseBytes,
    ),
    token,
    headers,
)

/**
 * Whatever else the app's transport throws (an `Error` such as `TODO()`'s
 * NotImplementedError included) becomes a transport failure naming it,
 * instead of a coroutine that never completes (which read as a timeout).
 */
private class GuardedTransport(private val inner: HttpTransport) : HttpTransport {
    override suspend fun send(request: HttpRequest, timeoutMs: Long): HttpResponse = try {
        inner.send(request, timeoutMs)
    } catch (e: kotlinx.coroutines.CancellationException) {
        throw e
    } catch (e: HttpTransportException) {
        throw e
    } catch (e: Throwable) {
        throw HttpTransportException.Io("the transport failed: $e")
    }
}

/** `client.sessions.create(...)` and the other session calls. */
val Client.sessions: Sessions get() = sessionsApi()

/** `client.agents.create(...)` and the other agent calls. */
val Client.agents: Agents get() = agentsApi()

/** `client.sessions.messages.create(...)` and the other message calls. */
val Sessions.messages: Messages get() = messagesApi()

/** `client.sessions.surveySubmissions.get(...)`, `reply`, `cancel`. */
val Sessions.surveySubmissions: SurveySubmissions get() = surveySubmissionsApi()

/**
 * Every session a search matches, page after page (the SDK asks for each
 * page). A cold Flow: each collection runs the search again from its start.
 */
fun Sessions.iterSearch(
    contactId: String? = null,
    status: SessionStatus? = null,
    metadata: String? = null,
    offset: Long? = null,
    limit: Long? = null,
): Flow<Session> {
    searchPages(contactId, status, metadata, offset, limit) // bad arguments fail here, before any collection
    return flow { val pages = searchPages(contactId, status, metadata, offset, limit); while (true) (pages.next() ?: break).forEach { emit(it) } }
}

/** Every message a search matches, page after page. */
fun Messages.iterSearch(
    sessionId: String? = null,
    providerMessageId: String? = null,
    repliedProviderMessageId: String? = null,
    role: MessageRole? = null,
    offset: Long? = null,
    limit: Long? = null,
): Flow<Message> {
    searchPages(sessionId, providerMessageId, repliedProviderMessageId, role, offset, limit)
    return flow {
        val pages = searchPages(sessionId, providerMessageId, repliedProviderMessageId, role, offset, limit)
        while (true) (pages.next() ?: break).forEach { emit(it) }
    }
}

/** Every agent a search matches, page after page. */
fun Agents.iterSearch(
    agentType: AgentType? = null,
    assistantId: String? = null,
    profileId: String? = null,
    offset: Long? = null,
    limit: Long? = null,
): Flow<Agent> {
    searchPages(agentType, assistantId, profileId, offset, limit)
    return flow { val pages = searchPages(agentType, assistantId, profileId, offset, limit); while (true) (pages.next() ?: break).forEach { emit(it) } }
}

/**
 * A session's new messages as they come, each once, in order (polling; the
 * SDK decides when). Never completes by itself: cancel the collecting
 * coroutine to stop. Throws when the session or the token is no good. A cold
 * Flow: each collection opens a new stream (from now, from the start with
 * [fromStart], or right after the message [after]: the reply to the user's
 * message just sent comes out even if it arrived before the first poll).
 */
fun Messages.stream(
    sessionId: String,
    pollIntervalMs: Long = 1_000,
    maxPollIntervalMs: Long = 30_000,
    pageSize: Long = 100,
    fromStart: Boolean = false,
    after: String? = null,
): Flow<Message> {
    openStream(sessionId, pollIntervalMs, maxPollIntervalMs, pageSize, fromStart, after) // bad arguments fail here
    return flow {
        val cursor = openStream(sessionId, pollIntervalMs, maxPollIntervalMs, pageSize, fromStart, after)
        while (true) cursor.next().forEach { emit(it) }
    }
}

/** The `metadata` JSON text as a map of JSON values (see [Json]). */
val Session.metadataMap: Map<String, Any?>
    @Suppress("UNCHECKED_CAST")
    get() = Json.parse(metadata) as? Map<String, Any?> ?: emptyMap()

/** A `metadata` argument from a map of JSON values (String, Number, Boolean, null, lists, maps). */
fun metadataOf(vararg pairs: Pair<String, Any?>): String = Json.write(mapOf(*pairs))

val Session.createdAtInstant: Instant? get() = createdAt?.let(Instant::parse)
val Session.updatedAtInstant: Instant? get() = updatedAt?.let(Instant::parse)
val Message.createdAtInstant: Instant? get() = createdAt?.let(Instant::parse)
val Message.deliveredAtInstant: Instant? get() = deliveredAt?.let(Instant::parse)
val Agent.createdAtInstant: Instant? get() = createdAt?.let(Instant::parse)
val SurveySubmission.createdAtInstant: Instant? get() = createdAt?.let(Instant::parse)
val WebhookEvent.createdAtInstant: Instant? get() = createdAt?.let(Instant::parse)

/** The kind of error, as in the shared vectors (`not_found`, ...). */
val AntonniaException.kind: String
    get() = when (this) {
        is AntonniaException.Authentication -> "authentication"
        is AntonniaException.PermissionDenied -> "permission_denied"
        is AntonniaException.NotFound -> "not_found"
        is AntonniaException.Conflict -> "conflict"
        is AntonniaException.Validation -> "validation"
        is AntonniaException.RateLimit -> "rate_limit"
        is AntonniaException.Api -> "api"
        is AntonniaException.InvalidRequest -> "invalid_request"
        is AntonniaException.Transport -> "transport"
        is AntonniaException.Timeout -> "timeout"
        is AntonniaException.Decode -> "decode"
        is AntonniaException.WebhookVerification -> "webhook_verification"
        is AntonniaException.PayloadTooLarge -> "payload_too_large"
    }

/**
 * The call's request id: the server's `x-request-id` (or `request-id`),
 * else the one the SDK sent with the call; null when nothing was sent.
 * Quote it when you contact support.
 */
val AntonniaException.requestId: String?
    get() = when (this) {
        is AntonniaException.Authentication -> requestId
        is AntonniaException.PermissionDenied -> requestId
        is AntonniaException.NotFound -> requestId
        is AntonniaException.Conflict -> requestId
        is AntonniaException.Validation -> requestId
        is AntonniaException.RateLimit -> requestId
        is AntonniaException.Api -> requestId
        is AntonniaException.InvalidRequest -> requestId
        is AntonniaException.Transport -> requestId
        is AntonniaException.Timeout -> requestId
        is AntonniaException.Decode -> requestId
        is AntonniaException.WebhookVerification -> requestId
        is AntonniaException.PayloadTooLarge -> requestId
    }

/** The HTTP status, for errors the server answered with. */
val AntonniaException.httpStatus: Int?
    get() = when (this) {
        is AntonniaException.Authentication -> status
        is AntonniaException.PermissionDenied -> status
        is AntonniaException.NotFound -> status
        is AntonniaException.Conflict -> status
        is AntonniaException.Validation -> status
        is AntonniaException.RateLimit -> status
        is AntonniaException.Api -> status
        is AntonniaException.PayloadTooLarge -> status
        else -> null
    }

/** The webhook headers of a request, from any multi-valued header map (Ktor, servlets). */
fun webhookHeaders(headers: Map<String, List<String>>): Map<String, String> =
    headers.mapValues { (_, v) -> v.joinToString(", ") }
