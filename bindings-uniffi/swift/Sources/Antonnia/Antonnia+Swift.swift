// The idiomatic Swift layer over the generated bindings (Antonnia.swift): a
// client initializer with labelled, defaulted arguments and the platform's
// transport, property-style access to the API tree, AsyncSequences over
// searches and the message stream, and typed accessors for errors,
// timestamps and metadata. Everything else is the generated code.
import Foundation

extension Client {
    /// A client of the Antonnia Conversations API.
    ///
    /// `token` is your `sk_...` key. Leave it out in an app: an app's binary
    /// is public, so the app calls your backend (`baseUrl`), which holds the
    /// token, with the app's own auth in `headers`. Timeouts, retries with
    /// backoff and `Retry-After` come from the SDK's core; `transport` only
    /// moves bytes (`URLSessionTransport` unless you pass another). Every call
    /// has an overall deadline, `totalTimeoutMs` (120 s by default).
    public convenience init(
        token: String? = nil,
        baseUrl: String? = nil,
        headers: [String: String] = [:],
        timeoutMs: Int64 = 60_000,
        totalTimeoutMs: Int64 = defaultTotalTimeoutMs(),
        maxRetries: Int32 = 2,
        maxResponseBytes: Int64 = 10 * 1024 * 1024,
        transport: HttpTransport = URLSessionTransport()
    ) throws {
        try self.init(
            transport: transport,
            sleeper: TaskSleeper(),
            options: ClientOptions(
                baseUrl: baseUrl, timeoutMs: timeoutMs, totalTimeoutMs: totalTimeoutMs,
                maxRetries: maxRetries, maxResponseBytes: maxResponseBytes),
            token: token,
            headers: headers)
    }
}

/// Items of every page of a search, fetched a page at a time as they are
/// iterated (the SDK's core says which page comes next). Each iteration
/// (`for try await`) runs the search again from its first page.
public struct SearchResults<Element: Sendable>: AsyncSequence, Sendable {
    public typealias Element = Element
    private let open: @Sendable () throws -> @Sendable () async throws -> [Element]?

    init(open: @escaping @Sendable () throws -> @Sendable () async throws -> [Element]?) {
        self.open = open
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let open: @Sendable () throws -> @Sendable () async throws -> [Element]?
        var nextPage: (@Sendable () async throws -> [Element]?)?
        var buffer: [Element] = []
        var index = 0
        var done = false

        public mutating func next() async throws -> Element? {
            while index == buffer.count {
                if done { return nil }
                if nextPage == nil { nextPage = try open() }
                guard let page = try await nextPage!() else {
                    done = true
                    return nil
                }
                buffer = page
                index = 0
            }
            defer { index += 1 }
            return buffer[index]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(open: open)
    }
}

/// A session's new messages as they come, each once, in order. It never
/// ends by itself: stop iterating (or cancel the Task) to stop polling; it
/// throws when the session or the token is no good. Each iteration opens a
/// new stream (from now, or from the start with `fromStart`).
public struct MessageUpdates: AsyncSequence, Sendable {
    public typealias Element = Message
    let open: @Sendable () throws -> MessageStream

    public struct AsyncIterator: AsyncIteratorProtocol {
        let open: @Sendable () throws -> MessageStream
        var stream: MessageStream?
        var buffer: [Message] = []
        var index = 0

        public mutating func next() async throws -> Message? {
            while index == buffer.count {
                try Task.checkCancellation()
                if stream == nil { stream = try open() }
                // The stream waits out failed polls, and a cancelled call's
                // transport fails: cancel() makes it stop instead.
                let stream = self.stream!
                buffer = try await withTaskCancellationHandler {
                    try await stream.next()
                } onCancel: {
                    stream.cancel()
                }
                index = 0
            }
            defer { index += 1 }
            return buffer[index]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(open: open)
    }
}

extension Client {
    /// `client.sessions.create(...)` and the other session calls.
    public var sessions: Sessions { sessionsApi() }
    /// `client.agents.create(...)` and the other agent calls.
    public var agents: Agents { agentsApi() }
}

extension Sessions {
    /// `client.sessions.messages.create(...)` and the other message calls.
    public var messages: Messages { messagesApi() }
    /// `client.sessions.surveySubmissions.get(...)`, `reply`, `cancel`.
    public var surveySubmissions: SurveySubmissions { surveySubmissionsApi() }

    /// Every session a search matches, page after page.
    public func iterSearch(
        contactId: String? = nil, status: SessionStatus? = nil, metadata: String? = nil,
        offset: Int64? = nil, limit: Int64? = nil
    ) throws -> SearchResults<Session> {
        let open = { @Sendable () throws -> @Sendable () async throws -> [Session]? in
            let pages = try self.searchPages(
                contactId: contactId, status: status, metadata: metadata, offset: offset, limit: limit)
            return { try await pages.next() }
        }
        _ = try open()  // bad arguments fail here, before any iteration
        return SearchResults(open: open)
    }
}

extension Messages {
    /// Every message a search matches, page after page.
    public func iterSearch(
        sessionId: String? = nil, providerMessageId: String? = nil,
        repliedProviderMessageId: String? = nil, role: MessageRole? = nil,
        offset: Int64? = nil, limit: Int64? = nil
    ) throws -> SearchResults<Message> {
        let open = { @Sendable () throws -> @Sendable () async throws -> [Message]? in
            let pages = try self.searchPages(
                sessionId: sessionId, providerMessageId: providerMessageId,
                repliedProviderMessageId: repliedProviderMessageId, role: role, offset: offset, limit: limit)
            return { try await pages.next() }
        }
        _ = try open()
        return SearchResults(open: open)
    }

    /// A session's new messages as they come, each once, in order (polling:
    /// every `pollIntervalMs` while messages come, backing off to
    /// `maxPollIntervalMs` while idle and honouring `Retry-After`). `after`:
    /// start right after that message (the reply to it comes out even if it
    /// came before the first poll).
    public func stream(
        sessionId: String, pollIntervalMs: Int64 = 1_000, maxPollIntervalMs: Int64 = 30_000,
        pageSize: Int64 = 100, fromStart: Bool = false, after: String? = nil
    ) throws -> MessageUpdates {
        let open = { @Sendable () throws -> MessageStream in
            try self.openStream(
                sessionId: sessionId, pollIntervalMs: pollIntervalMs,
                maxPollIntervalMs: maxPollIntervalMs, pageSize: pageSize, fromStart: fromStart, after: after)
        }
        _ = try open()  // bad arguments fail here
        return MessageUpdates(open: open)
    }
}

extension Agents {
    /// Every agent a search matches, page after page.
    public func iterSearch(
        agentType: AgentType? = nil, assistantId: String? = nil, profileId: String? = nil,
        offset: Int64? = nil, limit: Int64? = nil
    ) throws -> SearchResults<Agent> {
        let open = { @Sendable () throws -> @Sendable () async throws -> [Agent]? in
            let pages = try self.searchPages(
                agentType: agentType, assistantId: assistantId, profileId: profileId, offset: offset,
                limit: limit)
            return { try await pages.next() }
        }
        _ = try open()
        return SearchResults(open: open)
    }
}

extension AntonniaError {
    /// The kind of error, as in the shared vectors (`not_found`, ...).
    public var kind: String {
        switch self {
        case .Authentication: return "authentication"
        case .PermissionDenied: return "permission_denied"
        case .NotFound: return "not_found"
        case .Conflict: return "conflict"
        case .Validation: return "validation"
        case .RateLimit: return "rate_limit"
        case .Api: return "api"
        case .InvalidRequest: return "invalid_request"
        case .Transport: return "transport"
        case .Timeout: return "timeout"
        case .Decode: return "decode"
        case .WebhookVerification: return "webhook_verification"
        case .PayloadTooLarge: return "payload_too_large"
        }
    }

    /// The whole description (never with the token).
    public var message: String {
        switch self {
        case .Authentication(let d, _, _, _, _, _), .PermissionDenied(let d, _, _, _, _, _),
            .NotFound(let d, _, _, _, _, _), .Conflict(let d, _, _, _, _, _),
            .Validation(let d, _, _, _, _, _, _), .RateLimit(let d, _, _, _, _, _, _),
            .Api(let d, _, _, _, _, _), .PayloadTooLarge(let d, _, _, _):
            return d
        case .InvalidRequest(let d, _, _), .Transport(let d, _), .Timeout(let d, _), .Decode(let d, _, _),
            .WebhookVerification(let d, _, _):
            return d
        }
    }

    /// The call's request id: the server's `x-request-id` (or `request-id`),
    /// else the one the SDK sent with the call; nil when nothing was sent.
    public var requestId: String? {
        switch self {
        case .Authentication(_, _, _, _, _, let r), .PermissionDenied(_, _, _, _, _, let r),
            .NotFound(_, _, _, _, _, let r), .Conflict(_, _, _, _, _, let r),
            .Validation(_, _, _, _, _, _, let r), .RateLimit(_, _, _, _, _, _, let r),
            .Api(_, _, _, _, _, let r), .PayloadTooLarge(_, _, _, let r),
            .InvalidRequest(_, _, let r), .Transport(_, let r), .Timeout(_, let r), .Decode(_, _, let r),
            .WebhookVerification(_, _, let r):
            return r
        }
    }

    /// The HTTP status, for errors the server answered with.
    public var httpStatus: Int32? {
        switch self {
        case .Authentication(_, let s, _, _, _, _), .PermissionDenied(_, let s, _, _, _, _),
            .NotFound(_, let s, _, _, _, _), .Conflict(_, let s, _, _, _, _),
            .Validation(_, let s, _, _, _, _, _), .RateLimit(_, let s, _, _, _, _, _),
            .Api(_, let s, _, _, _, _), .PayloadTooLarge(_, let s?, _, _):
            return s
        default:
            return nil
        }
    }
}

/// A `metadata` argument (JSON object text) from a dictionary of JSON values
/// (`String`, numbers, `Bool`, `NSNull`, arrays, dictionaries).
public func metadataJSON(_ object: [String: Any]) throws -> String {
    guard JSONSerialization.isValidJSONObject(object) else {
        throw AntonniaError.InvalidRequest(
            description: "metadata: not made of JSON values", field: "metadata", requestId: nil)
    }
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
}

private func jsonObject(_ text: String?) -> [String: Any] {
    guard let text, let data = text.data(using: .utf8),
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return [:] }
    return object
}

private func instant(_ text: String?) -> Date? {
    guard let text else { return nil }
    let withFraction = ISO8601DateFormatter()
    withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let date = withFraction.date(from: text) { return date }
    return ISO8601DateFormatter().date(from: text)
}

extension Session {
    /// `metadata` as a dictionary of JSON values.
    public var metadataObject: [String: Any] { jsonObject(metadata) }
    /// `createdAt` as a `Date`.
    public var createdAtDate: Date? { instant(createdAt) }
    /// `updatedAt` as a `Date`.
    public var updatedAtDate: Date? { instant(updatedAt) }
}

extension Message {
    /// `createdAt` as a `Date`.
    public var createdAtDate: Date? { instant(createdAt) }
    /// `deliveredAt` as a `Date`.
    public var deliveredAtDate: Date? { instant(deliveredAt) }
}

extension Agent {
    /// `createdAt` as a `Date`.
    public var createdAtDate: Date? { instant(createdAt) }
}

extension WebhookEvent {
    /// `createdAt` as a `Date`.
    public var createdAtDate: Date? { instant(createdAt) }
}
