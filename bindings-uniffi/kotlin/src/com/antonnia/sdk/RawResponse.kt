// The raw response next to the parsed result: `client.withRawResponse` is a
// view of the client whose methods return a RawResponse. Each method only
// names the typed call it stands for; `raw` runs that very call on the
// client's capturing twin (the same settings, transport and timer; the one
// send loop records the response the call ended with), so nothing about
// requests, retries or parsing is restated here.
package com.antonnia.sdk

/**
 * A call's parsed result ([data]) with the HTTP response it ended with: its
 * [status], its [headers] (as received) and the call's [requestId] (the
 * server's `x-request-id`, else the one the SDK sent).
 */
class RawResponse<out T>(
    /** The parsed result, as the ordinary method returns it. */
    val data: T,
    /** The status code. */
    val status: Int,
    /** The response's headers, as received. */
    val headers: List<HttpHeader>,
    /** The server's request id, else the one the SDK sent with the call. */
    val requestId: String?,
) {
    /** The first value of the header [name] (any case), or null. */
    fun header(name: String): String? = headers.firstOrNull { it.name.equals(name, ignoreCase = true) }?.value

    override fun toString(): String = "RawResponse(status=$status, requestId=$requestId, data=$data)"
}

/** Runs [call] on a capturing twin of [client] and pairs its result with the response. */
internal suspend fun <T> raw(client: Client, call: suspend (Client) -> T): RawResponse<T> {
    val capture = ResponseCapture()
    val data = call(client.capturing(capture))
    val r = capture.response() ?: throw IllegalStateException("the call returned without a response")
    return RawResponse(data, r.status, r.headers, r.requestId)
}

/**
 * The same calls as the client's, each returning a [RawResponse]: the
 * parsed value (`data`) with the response's status, headers and request id.
 * `client.withRawResponse.sessions.get(id).headers`.
 */
val Client.withRawResponse: RawClient get() = RawClient(this)

/** [Client] whose calls return [RawResponse]s (see [withRawResponse]). */
class RawClient internal constructor(private val client: Client) {
    /** `sessions.*`, `sessions.messages.*`, `sessions.surveySubmissions.*`. */
    val sessions: RawSessions get() = RawSessions(client)

    /** `agents.*`. */
    val agents: RawAgents get() = RawAgents(client)
}

/** [Sessions] returning [RawResponse]s. */
class RawSessions internal constructor(private val c: Client) {
    /** `messages.*`. */
    val messages: RawMessages get() = RawMessages(c)

    /** `surveySubmissions.*`. */
    val surveySubmissions: RawSurveySubmissions get() = RawSurveySubmissions(c)

    /** [Sessions.create]. */
    suspend fun create(contactId: String, contactName: String, agentId: String? = null, status: SessionStatus? = null, metadata: String? = null) =
        raw(c) { it.sessions.create(contactId, contactName, agentId, status, metadata) }

    /** [Sessions.get]. */
    suspend fun get(sessionId: String) = raw(c) { it.sessions.get(sessionId) }

    /** [Sessions.update]. */
    suspend fun update(sessionId: String, threadId: String? = null, status: SessionStatus? = null, agentId: String? = null, endingSurveySubmissionId: String? = null, metadata: String? = null) =
        raw(c) { it.sessions.update(sessionId, threadId, status, agentId, endingSurveySubmissionId, metadata) }

    /** [Sessions.transfer]. */
    suspend fun transfer(sessionId: String, agentId: String? = null, autoReply: Boolean? = null) =
        raw(c) { it.sessions.transfer(sessionId, agentId, autoReply) }

    /** [Sessions.finish]. */
    suspend fun finish(sessionId: String, endingSurveyId: String? = null) = raw(c) { it.sessions.finish(sessionId, endingSurveyId) }

    /** [Sessions.reply]. */
    suspend fun reply(sessionId: String, debounceTime: Long? = null, startingNodeId: String? = null) =
        raw(c) { it.sessions.reply(sessionId, debounceTime, startingNodeId) }

    /** [Sessions.search] (one page). */
    suspend fun search(contactId: String? = null, status: SessionStatus? = null, metadata: String? = null, offset: Long? = null, limit: Long? = null) =
        raw(c) { it.sessions.search(contactId, status, metadata, offset, limit) }

    /** [Sessions.schedule]. */
    suspend fun schedule(sessionId: String, scheduledFor: String, config: ScheduleConfig) =
        raw(c) { it.sessions.schedule(sessionId, scheduledFor, config) }
}

/** [Messages] returning [RawResponse]s. */
class RawMessages internal constructor(private val c: Client) {
    /** [Messages.create]. */
    suspend fun create(sessionId: String, content: MessageContent, role: MessageRole? = null, providerMessageId: String? = null, repliedProviderMessageId: String? = null, runId: String? = null) =
        raw(c) { it.sessions.messages.create(sessionId, content, role, providerMessageId, repliedProviderMessageId, runId) }

    /** [Messages.get]. */
    suspend fun get(sessionId: String, messageId: String) = raw(c) { it.sessions.messages.get(sessionId, messageId) }

    /** [Messages.update]. */
    suspend fun update(
        sessionId: String, messageId: String, providerMessageId: String? = null, repliedProviderMessageId: String? = null,
        deliveryStatus: DeliveryStatus? = null, deliveryErrorCode: Long? = null, deliveryErrorMessage: String? = null, deliveredAt: String? = null,
    ) = raw(c) {
        it.sessions.messages.update(sessionId, messageId, providerMessageId, repliedProviderMessageId, deliveryStatus, deliveryErrorCode, deliveryErrorMessage, deliveredAt)
    }

    /** [Messages.reportDelivery]. */
    suspend fun reportDelivery(sessionId: String, messageId: String, report: DeliveryReport) =
        raw(c) { it.sessions.messages.reportDelivery(sessionId, messageId, report) }

    /** [Messages.search] (one page). */
    suspend fun search(sessionId: String? = null, providerMessageId: String? = null, repliedProviderMessageId: String? = null, role: MessageRole? = null, offset: Long? = null, limit: Long? = null) =
        raw(c) { it.sessions.messages.search(sessionId, providerMessageId, repliedProviderMessageId, role, offset, limit) }
}

/** [SurveySubmissions] returning [RawResponse]s. */
class RawSurveySubmissions internal constructor(private val c: Client) {
    /** [SurveySubmissions.get]. */
    suspend fun get(sessionId: String, surveySubmissionId: String) = raw(c) { it.sessions.surveySubmissions.get(sessionId, surveySubmissionId) }

    /** [SurveySubmissions.reply]. */
    suspend fun reply(sessionId: String, surveySubmissionId: String) = raw(c) { it.sessions.surveySubmissions.reply(sessionId, surveySubmissionId) }

    /** [SurveySubmissions.cancel]. */
    suspend fun cancel(sessionId: String, surveySubmissionId: String) = raw(c) { it.sessions.surveySubmissions.cancel(sessionId, surveySubmissionId) }
}

/** [Agents] returning [RawResponse]s. */
class RawAgents internal constructor(private val c: Client) {
    /** [Agents.create]. */
    suspend fun create(name: String, agentType: AgentType, assistantId: String? = null, profileId: String? = null) =
        raw(c) { it.agents.create(name, agentType, assistantId, profileId) }

    /** [Agents.get]. */
    suspend fun get(agentId: String) = raw(c) { it.agents.get(agentId) }

    /** [Agents.update]. */
    suspend fun update(agentId: String, name: String? = null, assistantId: String? = null, profileId: String? = null) =
        raw(c) { it.agents.update(agentId, name, assistantId, profileId) }

    /** [Agents.delete]: `data` is Unit. */
    suspend fun delete(agentId: String) = raw(c) { it.agents.delete(agentId) }

    /** [Agents.search] (one page). */
    suspend fun search(agentType: AgentType? = null, assistantId: String? = null, profileId: String? = null, offset: Long? = null, limit: Long? = null) =
        raw(c) { it.agents.search(agentType, assistantId, profileId, offset, limit) }
}
