// The raw response next to the parsed result: `client.withRawResponse` is a
// view of the client whose methods return a `RawResponse`. Each method only
// names the typed call it stands for; `raw` runs that very call on the
// client's capturing twin (the same settings, transport and timer; the one
// send loop records the response the call ended with), so nothing about
// requests, retries or parsing is restated here.
import Foundation

/// A call's parsed result (`data`) with the HTTP response it ended with: its
/// `status`, its `headers` (as received) and the call's `requestId` (the
/// server's `x-request-id`, else the one the SDK sent).
public struct RawResponse<T> {
    /// The parsed result, as the ordinary method returns it.
    public let data: T
    /// The status code.
    public let status: Int32
    /// The response's headers, as received.
    public let headers: [HttpHeader]
    /// The server's request id, else the one the SDK sent with the call.
    public let requestId: String?

    /// The first value of the header `name` (any case), or nil.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

extension RawResponse: Sendable where T: Sendable {}

/// Runs `call` on a capturing twin of `client` and pairs its result with the response.
func raw<T>(_ client: Client, _ call: (Client) async throws -> T) async throws -> RawResponse<T> {
    let capture = ResponseCapture()
    let data = try await call(client.capturing(capture: capture))
    guard let r = capture.response() else {
        throw AntonniaError.Transport(description: "the call returned without a response", requestId: nil)
    }
    return RawResponse(data: data, status: r.status, headers: r.headers, requestId: r.requestId)
}

extension Client {
    /// The same calls as the client's, each returning a `RawResponse`: the
    /// parsed value (`data`) with the response's status, headers and request
    /// id. `try await client.withRawResponse.sessions.get(sessionId: id).headers`.
    public var withRawResponse: RawClient { RawClient(client: self) }
}

/// A `Client` whose calls return `RawResponse`s (see `Client.withRawResponse`).
public struct RawClient: Sendable {
    let client: Client
    /// `sessions.*`, `sessions.messages.*`, `sessions.surveySubmissions.*`.
    public var sessions: RawSessions { RawSessions(c: client) }
    /// `agents.*`.
    public var agents: RawAgents { RawAgents(c: client) }
}

/// `Sessions` returning `RawResponse`s.
public struct RawSessions: Sendable {
    let c: Client
    /// `messages.*`.
    public var messages: RawMessages { RawMessages(c: c) }
    /// `surveySubmissions.*`.
    public var surveySubmissions: RawSurveySubmissions { RawSurveySubmissions(c: c) }

    /// `Sessions.create`.
    public func create(
        contactId: String, contactName: String, agentId: String? = nil, status: SessionStatus? = nil, metadata: String? = nil
    ) async throws -> RawResponse<Session> {
        try await raw(c) {
            try await $0.sessions.create(
                contactId: contactId, contactName: contactName, agentId: agentId, status: status, metadata: metadata)
        }
    }

    /// `Sessions.get`.
    public func get(sessionId: String) async throws -> RawResponse<Session> {
        try await raw(c) { try await $0.sessions.get(sessionId: sessionId) }
    }

    /// `Sessions.update`.
    public func update(
        sessionId: String, threadId: String? = nil, status: SessionStatus? = nil, agentId: String? = nil,
        endingSurveySubmissionId: String? = nil, metadata: String? = nil
    ) async throws -> RawResponse<Session> {
        try await raw(c) {
            try await $0.sessions.update(
                sessionId: sessionId, threadId: threadId, status: status, agentId: agentId,
                endingSurveySubmissionId: endingSurveySubmissionId, metadata: metadata)
        }
    }

    /// `Sessions.transfer`.
    public func transfer(sessionId: String, agentId: String? = nil, autoReply: Bool? = nil) async throws -> RawResponse<Session> {
        try await raw(c) { try await $0.sessions.transfer(sessionId: sessionId, agentId: agentId, autoReply: autoReply) }
    }

    /// `Sessions.finish`.
    public func finish(sessionId: String, endingSurveyId: String? = nil) async throws -> RawResponse<Session> {
        try await raw(c) { try await $0.sessions.finish(sessionId: sessionId, endingSurveyId: endingSurveyId) }
    }

    /// `Sessions.reply`.
    public func reply(sessionId: String, debounceTime: Int64? = nil, startingNodeId: String? = nil) async throws -> RawResponse<Session> {
        try await raw(c) { try await $0.sessions.reply(sessionId: sessionId, debounceTime: debounceTime, startingNodeId: startingNodeId) }
    }

    /// `Sessions.search` (one page).
    public func search(
        contactId: String? = nil, status: SessionStatus? = nil, metadata: String? = nil, offset: Int64? = nil, limit: Int64? = nil
    ) async throws -> RawResponse<[Session]> {
        try await raw(c) {
            try await $0.sessions.search(contactId: contactId, status: status, metadata: metadata, offset: offset, limit: limit)
        }
    }

    /// `Sessions.schedule`.
    public func schedule(sessionId: String, scheduledFor: String, config: ScheduleConfig) async throws -> RawResponse<SessionSchedule> {
        try await raw(c) { try await $0.sessions.schedule(sessionId: sessionId, scheduledFor: scheduledFor, config: config) }
    }
}

/// `Messages` returning `RawResponse`s.
public struct RawMessages: Sendable {
    let c: Client

    /// `Messages.create`.
    public func create(
        sessionId: String, content: MessageContent, role: MessageRole? = nil, providerMessageId: String? = nil,
        repliedProviderMessageId: String? = nil, runId: String? = nil
    ) async throws -> RawResponse<Message> {
        try await raw(c) {
            try await $0.sessions.messages.create(
                sessionId: sessionId, content: content, role: role, providerMessageId: providerMessageId,
                repliedProviderMessageId: repliedProviderMessageId, runId: runId)
        }
    }

    /// `Messages.get`.
    public func get(sessionId: String, messageId: String) async throws -> RawResponse<Message> {
        try await raw(c) { try await $0.sessions.messages.get(sessionId: sessionId, messageId: messageId) }
    }

    /// `Messages.update`.
    public func update(
        sessionId: String, messageId: String, providerMessageId: String? = nil, repliedProviderMessageId: String? = nil,
        deliveryStatus: DeliveryStatus? = nil, deliveryErrorCode: Int64? = nil, deliveryErrorMessage: String? = nil,
        deliveredAt: String? = nil
    ) async throws -> RawResponse<Message> {
        try await raw(c) {
            try await $0.sessions.messages.update(
                sessionId: sessionId, messageId: messageId, providerMessageId: providerMessageId,
                repliedProviderMessageId: repliedProviderMessageId, deliveryStatus: deliveryStatus,
                deliveryErrorCode: deliveryErrorCode, deliveryErrorMessage: deliveryErrorMessage, deliveredAt: deliveredAt)
        }
    }

    /// `Messages.reportDelivery`.
    public func reportDelivery(sessionId: String, messageId: String, report: DeliveryReport) async throws -> RawResponse<Message> {
        try await raw(c) { try await $0.sessions.messages.reportDelivery(sessionId: sessionId, messageId: messageId, report: report) }
    }

    /// `Messages.search` (one page).
    public func search(
        sessionId: String? = nil, providerMessageId: String? = nil, repliedProviderMessageId: String? = nil,
        role: MessageRole? = nil, offset: Int64? = nil, limit: Int64? = nil
    ) async throws -> RawResponse<[Message]> {
        try await raw(c) {
            try await $0.sessions.messages.search(
                sessionId: sessionId, providerMessageId: providerMessageId,
                repliedProviderMessageId: repliedProviderMessageId, role: role, offset: offset, limit: limit)
        }
    }
}

/// `SurveySubmissions` returning `RawResponse`s.
public struct RawSurveySubmissions: Sendable {
    let c: Client

    /// `SurveySubmissions.get`.
    public func get(sessionId: String, surveySubmissionId: String) async throws -> RawResponse<SurveySubmission> {
        try await raw(c) { try await $0.sessions.surveySubmissions.get(sessionId: sessionId, surveySubmissionId: surveySubmissionId) }
    }

    /// `SurveySubmissions.reply`.
    public func reply(sessionId: String, surveySubmissionId: String) async throws -> RawResponse<SurveySubmission> {
        try await raw(c) { try await $0.sessions.surveySubmissions.reply(sessionId: sessionId, surveySubmissionId: surveySubmissionId) }
    }

    /// `SurveySubmissions.cancel`.
    public func cancel(sessionId: String, surveySubmissionId: String) async throws -> RawResponse<SurveySubmission> {
        try await raw(c) { try await $0.sessions.surveySubmissions.cancel(sessionId: sessionId, surveySubmissionId: surveySubmissionId) }
    }
}

/// `Agents` returning `RawResponse`s.
public struct RawAgents: Sendable {
    let c: Client

    /// `Agents.create`.
    public func create(name: String, agentType: AgentType, assistantId: String? = nil, profileId: String? = nil) async throws -> RawResponse<Agent> {
        try await raw(c) { try await $0.agents.create(name: name, agentType: agentType, assistantId: assistantId, profileId: profileId) }
    }

    /// `Agents.get`.
    public func get(agentId: String) async throws -> RawResponse<Agent> {
        try await raw(c) { try await $0.agents.get(agentId: agentId) }
    }

    /// `Agents.update`.
    public func update(agentId: String, name: String? = nil, assistantId: String? = nil, profileId: String? = nil) async throws -> RawResponse<Agent> {
        try await raw(c) { try await $0.agents.update(agentId: agentId, name: name, assistantId: assistantId, profileId: profileId) }
    }

    /// `Agents.delete`: `data` is `()`.
    public func delete(agentId: String) async throws -> RawResponse<Void> {
        try await raw(c) { try await $0.agents.delete(agentId: agentId) }
    }

    /// `Agents.search` (one page).
    public func search(
        agentType: AgentType? = nil, assistantId: String? = nil, profileId: String? = nil, offset: Int64? = nil, limit: Int64? = nil
    ) async throws -> RawResponse<[Agent]> {
        try await raw(c) {
            try await $0.agents.search(agentType: agentType, assistantId: assistantId, profileId: profileId, offset: offset, limit: limit)
        }
    }
}
