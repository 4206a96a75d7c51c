// End to end against antonnia-sandbox over real HTTP through the default
// URLSessionTransport: the Quick Start, every call, errors by status,
// injected 429/503 with retries, pagination, the message stream, Task
// cancellation and timeouts against a stalled server, 200 concurrent calls,
// malformed input of every kind followed by a good call on the same client,
// and the proxy mode. Every server started here is stopped here.
import Foundation
import XCTest

@testable import Antonnia

let token = "sk_test_sandbox"

func uid() -> String { String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(10)) }

/// The error `body` threw, checked to be the SDK's error of `kind`.
@discardableResult
func expectError(_ kind: String, _ what: String, _ body: () async throws -> Void) async throws -> AntonniaError {
    let error = await thrown(body)
    guard let e = error as? AntonniaError else { throw Failure("\(what): threw \(String(describing: error)), want \(kind)") }
    try check(e.kind == kind, "\(what): got \(e.kind) (\(e.message)), want \(kind)")
    return e
}

private struct HostBlewUp: Error, CustomStringConvertible {
    var description: String { "the host blew up" }
}

final class EndToEndTests: XCTestCase {
    private var sandbox: Sandbox!
    private var client: Client!
    private var base: String { sandbox.baseUrl }

    override func setUpWithError() throws {
        sandbox = try Sandbox()
        client = try Client(token: token, baseUrl: sandbox.baseUrl)
    }

    override func tearDown() {
        client = nil
        sandbox?.stop()
    }

    func testQuickStart() async throws {
        let session = try await client.sessions.create(
            contactId: "user_\(uid())", contactName: "Jane Doe", agentId: "agent_abc",
            metadata: try metadataJSON(["channel_type": "my_channel", "channel_user_id": "ext_user_456"]))
        XCTAssertEqual(session.metadataObject["channel_user_id"] as? String, "ext_user_456")
        XCTAssertNotNil(session.createdAtDate)
        // From the start: the reply may come before the stream's first poll.
        let updates = try client.sessions.messages.stream(sessionId: session.id, pollIntervalMs: 50, fromStart: true)
        let sent = try await client.sessions.messages.create(
            sessionId: session.id, content: .text(text: "Hello, I need help with my order"), role: .user,
            providerMessageId: "ext_msg_\(uid())")
        XCTAssertEqual(sent.role, .user)
        _ = try await client.sessions.reply(sessionId: session.id, debounceTime: 0)
        let reply = try await withDeadline(20) { () -> Message? in
            for try await message in updates where message.role == .assistant { return message }
            return nil
        }
        guard case .text(let text, _, _)? = reply?.content else { throw Failure("no assistant text: \(String(describing: reply))") }
        XCTAssertFalse(text.isEmpty)
        let out = try deliverable(message: reply!)
        XCTAssertEqual(out.kind, .text)
        let delivered = try await client.sessions.messages.reportDelivery(
            sessionId: session.id, messageId: reply!.id, report: .sent(providerMessageId: "wa_\(uid())"))
        XCTAssertEqual(delivered.deliveryStatus, .sent)
    }

    func testEveryCall() async throws {
        let contact = "c_\(uid())"
        let sessions = client.sessions
        let s = try await sessions.create(contactId: contact, contactName: "Ana", metadata: #"{"k":"v"}"#)
        let got = try await sessions.get(sessionId: s.id)
        XCTAssertEqual(got, s)
        let s2 = try await sessions.update(sessionId: s.id, threadId: "t1", metadata: #"{"k":"w"}"#)
        XCTAssertEqual(s2.metadataObject as? [String: String], ["k": "w"])
        XCTAssertEqual(s2.threadId, "t1")
        let moved = try await sessions.transfer(sessionId: s.id, agentId: "agent_abc", autoReply: false)
        XCTAssertEqual(moved.agent?.id, "agent_abc")
        _ = try await sessions.reply(sessionId: s.id, debounceTime: 0)
        let unassigned = try await sessions.transfer(sessionId: s.id)
        XCTAssertNil(unassigned.agent)
        let found = try await sessions.search(contactId: contact)
        XCTAssertEqual(found.map(\.id), [s.id])
        let byMetadata = try await sessions.search(contactId: contact, metadata: try metadataJSON(["k": "w"]))
        XCTAssertEqual(byMetadata.map(\.id), [s.id])
        let at = Date().addingTimeInterval(3600)
        let sched = try await sessions.schedule(
            sessionId: s.id, scheduledFor: ISO8601DateFormatter().string(from: at),
            config: .message(message: .text(text: "ping")))
        XCTAssertEqual(sched.sessionId, s.id)
        let when = try XCTUnwrap(sched.scheduledFor.flatMap { ISO8601DateFormatter().date(from: String($0.prefix(19)) + "Z") })
        XCTAssertLessThanOrEqual(abs(when.timeIntervalSince(at)), 1.5)

        let pid = "p_\(uid())"
        let m = try await sessions.messages.create(sessionId: s.id, content: .text(text: "hi"), providerMessageId: pid)
        XCTAssertEqual(m.role, .user)
        let again = try await sessions.messages.get(sessionId: s.id, messageId: m.id)
        XCTAssertEqual(again, m)
        let inSession = try await sessions.messages.search(sessionId: s.id)
        XCTAssert(inSession.map(\.id).contains(m.id))
        let acrossSessions = try await sessions.messages.search(providerMessageId: pid)
        XCTAssertEqual(acrossSessions.map(\.id), [m.id])
        let upd = try await sessions.messages.update(
            sessionId: s.id, messageId: m.id, deliveryStatus: .delivered, deliveredAt: "2025-01-15T10:30:00Z")
        XCTAssertEqual(upd.deliveryStatus, .delivered)
        XCTAssertEqual(upd.deliveredAtDate, ISO8601DateFormatter().date(from: "2025-01-15T10:30:00Z"))

        let a = try await client.agents.create(name: "Bot", agentType: .ai, assistantId: "asst_1")
        XCTAssertEqual(a.assistantId, "asst_1")
        let h = try await client.agents.create(name: "Ana", agentType: .human, profileId: "prof_1")
        let fetched = try await client.agents.get(agentId: a.id)
        XCTAssertEqual(fetched.name, "Bot")
        let renamed = try await client.agents.update(agentId: a.id, name: "Bot 2")
        XCTAssertEqual(renamed.name, "Bot 2")
        let humans = try await client.agents.search(agentType: .human, limit: 1000)
        XCTAssert(humans.map(\.id).contains(h.id))
        try await client.agents.delete(agentId: h.id)
        try await expectError("not_found", "deleted agent") { _ = try await self.client.agents.get(agentId: h.id) }

        let f = try await sessions.finish(sessionId: s.id, endingSurveyId: "survey_1")
        XCTAssertEqual(f.status, .closed)
        let subId = try XCTUnwrap(f.endingSurveySubmissionId)
        let sub = try await sessions.surveySubmissions.get(sessionId: s.id, surveySubmissionId: subId)
        XCTAssertEqual(sub.sessionId, s.id)
        _ = try await sessions.surveySubmissions.reply(sessionId: s.id, surveySubmissionId: subId)
        let cancelled = try await sessions.surveySubmissions.cancel(sessionId: s.id, surveySubmissionId: subId)
        XCTAssertEqual(cancelled.status, .cancelled)
    }

    func testErrorsByStatus() async throws {
        let bad = try Client(token: "sk_test_wrong_token_123", baseUrl: base)
        let auth = try await expectError("authentication", "401") { _ = try await bad.sessions.get(sessionId: "sess_x") }
        XCTAssertEqual(auth.httpStatus, 401)
        XCTAssertFalse(auth.message.contains("sk_test_wrong_token_123"))
        XCTAssertFalse("\(auth)".contains("sk_test_wrong_token_123"))
        let nf = try await expectError("not_found", "404") { _ = try await self.client.sessions.get(sessionId: "sess_missing_\(uid())") }
        XCTAssert(nf.message.contains("GET \(base)/sessions/"), nf.message)
        for (status, kind) in [
            (403, "permission_denied"), (409, "conflict"), (422, "validation"), (400, "api"), (500, "api"),
            (413, "payload_too_large"),
        ] {
            let c = try Client(token: token, baseUrl: base, headers: ["x-sandbox-fail": "\(status);id=\(uid())"], maxRetries: 0)
            let e = try await expectError(kind, "\(status)") { _ = try await c.agents.get(agentId: "agent_abc") }
            XCTAssertEqual(e.httpStatus, Int32(status))
        }
        let v = try await expectError("validation", "a real 422") {
            _ = try await self.client.sessions.messages.create(
                sessionId: "sess_\(uid())", content: .unknown(contentType: "bogus", rawJson: #"{"type":"bogus"}"#))
        }
        guard case .Validation(_, 422, _, _, _, _, _) = v else { throw Failure("not a 422: \(v)") }
    }

    func testInjected429And503AreRetried() async throws {
        let started = Date()
        let c429 = try Client(token: token, baseUrl: base, headers: ["x-sandbox-fail": "429;times=1;retry-after=1;id=\(uid())"])
        let a = try await c429.agents.get(agentId: "agent_abc")
        XCTAssertEqual(a.id, "agent_abc")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.95, "Retry-After honoured")
        let twice = try Client(token: token, baseUrl: base, headers: ["x-sandbox-fail": "429;times=2;retry-after=0;id=\(uid())"])
        let b = try await twice.agents.get(agentId: "agent_abc")
        XCTAssertEqual(b.id, "agent_abc")
        let c503 = try Client(token: token, baseUrl: base, headers: ["x-sandbox-fail": "503;times=1;retry-after=0;id=\(uid())"])
        let c = try await c503.agents.get(agentId: "agent_abc")
        XCTAssertEqual(c.id, "agent_abc")
        // A create is not sent again after a 503 (the server may have acted) ...
        let c503c = try Client(token: token, baseUrl: base, headers: ["x-sandbox-fail": "503;times=1;retry-after=0;id=\(uid())"])
        try await expectError("api", "create after a 503") {
            _ = try await c503c.sessions.create(contactId: "c_\(uid())", contactName: "n")
        }
        // ... but is after a 429 (it certainly did not).
        let c429c = try Client(token: token, baseUrl: base, headers: ["x-sandbox-fail": "429;times=1;retry-after=0;id=\(uid())"])
        _ = try await c429c.sessions.create(contactId: "c_\(uid())", contactName: "n")
        // Out of retries: the rate limit, with its Retry-After.
        let always = try Client(
            token: token, baseUrl: base, headers: ["x-sandbox-fail": "429;times=5;retry-after=0;id=\(uid())"], maxRetries: 1)
        let e = try await expectError("rate_limit", "429 x5") { _ = try await always.agents.get(agentId: "agent_abc") }
        guard case .RateLimit(_, 429, _, let retryAfter, _, _, _) = e else { throw Failure("\(e)") }
        XCTAssertEqual(retryAfter, 0)
    }

    func testPagination() async throws {
        let contact = "c_\(uid())"
        var ids: [String] = []
        for i in 1...7 { ids.append(try await client.sessions.create(contactId: contact, contactName: "n\(i)").id) }
        let page = try await client.sessions.search(contactId: contact, limit: 3)
        XCTAssertEqual(page.count, 3)
        var all: [String] = []
        for try await s in try client.sessions.iterSearch(contactId: contact, limit: 3) { all.append(s.id) }
        XCTAssertEqual(all.sorted(), ids.sorted())
        for i in 0..<5 { _ = try await client.sessions.messages.create(sessionId: ids[0], content: .text(text: "m\(i)")) }
        var count = 0
        for try await _ in try client.sessions.messages.iterSearch(sessionId: ids[0], limit: 2) { count += 1 }
        XCTAssertEqual(count, 5)
        var agents = 0
        for try await _ in try client.agents.iterSearch(limit: 1) { agents += 1 }
        XCTAssertGreaterThan(agents, 0)
    }

    func testMessageStream() async throws {
        let s = try await client.sessions.create(contactId: "c_\(uid())", contactName: "n").id
        _ = try await client.sessions.messages.create(sessionId: s, content: .text(text: "before"))
        let updates = try client.sessions.messages.stream(sessionId: s, pollIntervalMs: 50)
        let reader = Task { () -> [String] in
            var texts: [String] = []
            for try await m in updates {
                if case .text(let t, _, _) = m.content { texts.append(t) }
                if texts.count == 3 { break }
            }
            return texts
        }
        try await Task.sleep(nanoseconds: 300_000_000)
        for i in 0..<3 { _ = try await client.sessions.messages.create(sessionId: s, content: .text(text: "new\(i)")) }
        let texts = try await withDeadline(20) { try await reader.value }
        XCTAssertEqual(texts, ["new0", "new1", "new2"])
        // Cancelling the Task that iterates ends the stream promptly.
        let idle = try client.sessions.messages.stream(sessionId: s, pollIntervalMs: 50)
        let waiting = Task { () -> Int in
            var n = 0
            for try await _ in idle { n += 1 }
            return n
        }
        try await Task.sleep(nanoseconds: 200_000_000)
        let t0 = Date()
        waiting.cancel()
        let ended = try await withDeadline(5) { await waiting.result }
        XCTAssertLessThan(Date().timeIntervalSince(t0), 2)
        guard case .failure(let error) = ended, error is CancellationError else { throw Failure("\(ended)") }
        let gone = try client.sessions.messages.stream(sessionId: "sess_missing_\(uid())", pollIntervalMs: 50)
        try await expectError("not_found", "stream of an unknown session") {
            for try await _ in gone { break }
        }
    }

    func test200ConcurrentCallsOnOneClient() async throws {
        let s = try await client.sessions.create(contactId: "c_\(uid())", contactName: "n")
        let client = self.client!
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<200 { group.addTask { try await client.sessions.get(sessionId: s.id).id } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(ids.count, 200)
        XCTAssertEqual(Set(ids), [s.id])
    }

    func testMalformedInputThenAGoodCall() async throws {
        let s = try await client.sessions.create(contactId: "c_\(uid())", contactName: "n")
        let c = client!, sessions = c.sessions
        let thought = Message(
            id: "m", sessionId: nil, conversationId: nil, organizationId: nil, role: .assistant,
            content: .thought(thought: "hmm"), providerMessageId: nil, repliedProviderMessageId: nil, runId: nil,
            createdAt: nil, deliveryStatus: .pending, deliveryErrorCode: nil, deliveryErrorMessage: nil, deliveredAt: nil,
            updatedAt: nil)
        var garbled = s
        garbled.metadata = "garbage"
        let bad: [(String, () async throws -> Void)] = [
            ("empty id", { _ = try await sessions.get(sessionId: "") }),
            ("blank id", { _ = try await sessions.get(sessionId: " \t") }),
            ("huge id", { _ = try await sessions.get(sessionId: String(repeating: "s", count: 100_000)) }),
            ("NUL in id", { _ = try await sessions.get(sessionId: "a\u{0}b") }),
            ("metadata not JSON", { _ = try await sessions.create(contactId: "c", contactName: "n", metadata: "{nope") }),
            ("metadata not an object", { _ = try await sessions.create(contactId: "c", contactName: "n", metadata: "[1,2]") }),
            ("metadata nested deep", {
                _ = try await sessions.create(contactId: "c", contactName: "n", metadata: String(repeating: "[", count: 100_000))
            }),
            ("metadata huge", {
                _ = try await sessions.create(
                    contactId: "c", contactName: "n", metadata: #"{"k":""# + String(repeating: "x", count: 11 << 20) + #""}"#)
            }),
            ("metadata of non-JSON values", { _ = try metadataJSON(["d": Date()]) }),
            ("search metadata bool", { _ = try await sessions.search(metadata: #"{"flag":true}"#) }),
            ("negative limit", { _ = try await sessions.search(limit: -1) }),
            ("negative offset", { _ = try await c.agents.search(offset: Int64.min) }),
            ("debounce 61", { _ = try await sessions.reply(sessionId: s.id, debounceTime: 61) }),
            ("debounce huge", { _ = try await sessions.reply(sessionId: s.id, debounceTime: Int64.max) }),
            ("no fields", { _ = try await sessions.update(sessionId: s.id) }),
            ("bad timestamp", {
                _ = try await sessions.messages.update(sessionId: s.id, messageId: "m", deliveredAt: "2025-02-30T00:00:00Z")
            }),
            ("timestamp without offset", {
                _ = try await sessions.schedule(sessionId: s.id, scheduledFor: "2025-01-16T09:00:00", config: .node(nodeId: "n"))
            }),
            ("unknown content raw not JSON", {
                _ = try await sessions.messages.create(sessionId: s.id, content: .unknown(contentType: "x", rawJson: "{"))
            }),
            ("unknown content raw not an object", {
                _ = try await sessions.messages.create(sessionId: s.id, content: .unknown(contentType: "x", rawJson: "42"))
            }),
            ("template parameters not JSON", {
                _ = try await sessions.messages.create(sessionId: s.id, content: .text(text: "hi", templateParameters: "{{"))
            }),
            ("content JSON garbage", { _ = try messageContentFromJson(json: "\u{0}\u{FFFF}") }),
            ("content without type", { _ = try messageContentFromJson(json: #"{"text":"hi"}"#) }),
            ("agent without assistant", { _ = try await c.agents.create(name: "n", agentType: .ai) }),
            ("schedule config raw garbage", {
                _ = try await sessions.schedule(
                    sessionId: s.id, scheduledFor: "2030-01-01T00:00:00Z", config: .unknown(configType: "x", rawJson: "nope"))
            }),
            ("report with a bad time", {
                _ = try await sessions.messages.reportDelivery(sessionId: s.id, messageId: "m", report: .read(at: "yesterday"))
            }),
            ("stream page size 0", { for try await _ in try sessions.messages.stream(sessionId: s.id, pageSize: 0) { break } }),
            ("stream poll interval 0", {
                for try await _ in try sessions.messages.stream(sessionId: s.id, pollIntervalMs: 0) { break }
            }),
            ("stream negative interval", {
                for try await _ in try sessions.messages.stream(sessionId: s.id, pollIntervalMs: -5) { break }
            }),
            ("record with metadata garbage", { _ = try garbled.toJson() }),
            ("webhook garbage", {
                _ = try WebhookReceiver(secret: nil, verify: false).receive(
                    body: Data((0..<300).map { UInt8(truncatingIfNeeded: $0 * 7) }), headers: [:])
            }),
            ("webhook huge", {
                _ = try WebhookReceiver(secret: nil, verify: false).receive(body: Data(repeating: 0x5B, count: 2 << 20), headers: [:])
            }),
            ("webhook deep", {
                _ = try WebhookReceiver(secret: nil, verify: false).receive(body: Data(repeating: 0x5B, count: 50_000), headers: [:])
            }),
            ("webhook forged", {
                _ = try WebhookReceiver(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").receive(
                    body: Data(#"{"type":"message.created"}"#.utf8),
                    headers: ["webhook-id": "x", "webhook-timestamp": "\(Int(Date().timeIntervalSince1970))", "webhook-signature": "v1,AAAA"])
            }),
            ("webhook garbage headers", {
                _ = try WebhookReceiver(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").receive(
                    body: Data("{}".utf8),
                    headers: ["webhook-id": String(repeating: "\u{0}", count: 10), "webhook-timestamp": "-1e999", "webhook-signature": "v1,"])
            }),
            ("webhook without secret", { _ = try WebhookReceiver(secret: nil) }),
            ("webhook bad secret", { _ = try WebhookReceiver(secret: "whsec_!!!") }),
            ("webhook now NaN", {
                _ = try WebhookReceiver(secret: nil, verify: false).receive(body: Data("{}".utf8), headers: [:], nowUnixSeconds: .nan)
            }),
            ("webhook negative tolerance", { _ = try WebhookReceiver(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", toleranceSeconds: -1) }),
            ("options negative timeout", { _ = try Client(token: token, baseUrl: self.base, timeoutMs: -1) }),
            // Int64.max ("no limit") used to overflow the hosts' timers: limits end at 2^31 - 1 ms.
            ("options timeout of Int64.max", { _ = try Client(token: token, baseUrl: self.base, timeoutMs: .max) }),
            ("options total timeout of Int64.max", { _ = try Client(token: token, baseUrl: self.base, totalTimeoutMs: .max) }),
            ("options negative retries", { _ = try Client(token: token, baseUrl: self.base, maxRetries: -1) }),
            ("bad base URL", { _ = try Client(token: token, baseUrl: "not a url") }),
            ("base URL of another scheme", { _ = try Client(token: token, baseUrl: "ftp://example.com/") }),
            ("token with a newline", { _ = try Client(token: "sk_\nx", baseUrl: self.base) }),
            ("header with a newline", { _ = try Client(token: token, baseUrl: self.base, headers: ["x-a": "b\r\nx: y"]) }),
            ("deliverable of a thought", { _ = try deliverable(message: thought) }),
            ("sign with a bad secret", { _ = try signWebhook(secret: "whsec_!!!", id: "id", timestamp: 0, body: Data()) }),
            ("exchange with NaN", {
                _ = try CallExchange(
                    call: ApiCall(name: "sessions.get", argsJson: #"{"session_id":"s"}"#), token: nil, baseUrl: nil,
                    settings: RetrySettings(maxAttempts: 1, initialBackoff: .nan, maxBackoff: 1, maxRetryAfter: 1), timeout: 1,
                    totalTimeout: nil, maxResponseBytes: 1)
            }),
            ("unknown call", { _ = try ApiCall(name: "sessions.explode", argsJson: "{}") }),
            ("call args garbage", { _ = try ApiCall(name: "sessions.get", argsJson: "\u{1}") }),
            ("cursor with garbage page", {
                _ = try MessageCursor(sessionId: "s", pollInterval: 1, maxPollInterval: 1, pageSize: 1, fromStart: false)
                    .onPage(pageJson: "[{]")
            }),
        ]
        for (what, body) in bad {
            let error = await thrown(body)
            guard error is AntonniaError else {
                XCTFail("\(what): \(error.map { "threw a non-SDK \($0)" } ?? "accepted")")
                continue
            }
        }
        XCTAssertNil(try ApiCall(name: "sessions.search", argsJson: "{}").nextPage(returned: -1))

        // Garbage from the transport itself.
        let transports: [(String, FakeTransport)] = [
            ("status 0", FakeTransport { _ in HttpResponse(status: 0, headers: [], body: Data()) }),
            ("status 99999", FakeTransport { _ in HttpResponse(status: 99999, headers: [], body: Data()) }),
            ("binary body", FakeTransport { _ in HttpResponse(status: 200, headers: [], body: Data((0..<1000).map { UInt8($0 % 256) })) }),
            ("bad Retry-After", FakeTransport { _ in
                HttpResponse(status: 429, headers: [HttpHeader(name: "retry-after", value: "\u{0}soon")], body: Data())
            }),
            ("body over the cap", FakeTransport { _ in HttpResponse(status: 200, headers: [], body: Data(count: 2048)) }),
            ("throws a non-SDK error", FakeTransport { _ in throw HostBlewUp() }),
        ]
        for (what, t) in transports {
            let other = try Client(
                transport: t, sleeper: TaskSleeper(),
                options: ClientOptions(baseUrl: base, maxRetries: 0, maxResponseBytes: 1024), token: token)
            let error = await thrown { _ = try await other.sessions.get(sessionId: s.id) }
            guard let e = error as? AntonniaError else {
                XCTFail("\(what): \(error.map { "threw a non-SDK \($0)" } ?? "accepted")")
                continue
            }
            if what == "throws a non-SDK error" {
                XCTAssertEqual(e.kind, "transport")
                XCTAssert(e.message.contains("the host blew up"), e.message)
            }
            if what == "body over the cap" { XCTAssertEqual(e.kind, "payload_too_large") }
        }
        let good = try await client.sessions.get(sessionId: s.id)
        XCTAssertEqual(good.id, s.id, "a good call afterwards")
    }

    func testSecretsNeverPrinted() async throws {
        let secret = "sk_live_supersecret"
        let c = try Client(token: secret, baseUrl: base, headers: ["x-app-session": "app_123"])
        for text in [c.description, c.debugDescription, String(describing: c), "\(c)", String(reflecting: c)] {
            XCTAssertFalse(text.contains("supersecret"), text)
        }
        let t = FakeTransport { _ in HttpResponse(status: 200, headers: [], body: Data(#"{"id":"a","type":"ai"}"#.utf8)) }
        let fake = try Client(
            transport: t, sleeper: TaskSleeper(), options: ClientOptions(baseUrl: base), token: secret,
            headers: ["x-app-session": "app_123"])
        _ = try await fake.agents.get(agentId: "a")
        let r = try XCTUnwrap(t.sent.first)
        XCTAssert(r.headers.contains { $0.name.lowercased() == "authorization" && $0.value == "Bearer \(secret)" })
        for text in [r.description, r.debugDescription, String(describing: r), "\(r)"] {
            XCTAssertFalse(text.contains("supersecret"), text)
        }
        // A failed call's error does not carry it either.
        let refused = try Client(token: secret, baseUrl: base)
        let e = try await expectError("authentication", "wrong token") { _ = try await refused.agents.get(agentId: "agent_abc") }
        XCTAssertFalse("\(e) \(e.message) \(e.localizedDescription)".contains("supersecret"))
    }

    func testReadmeProxySnippetRuns() async throws {
        // The README's proxy snippet, as written: the app's own Authorization reaches its backend.
        let backend = try LoopbackServer(answer: httpResponse(200, #"{"id":"agent_abc","type":"ai","name":"Bot"}"#))
        defer { backend.stop() }
        let app = try readmeProxyClient(backendUrl: backend.url, appSessionToken: "app_session_123")
        let agent = try await app.agents.get(agentId: "agent_abc")
        XCTAssertEqual(agent.name, "Bot")
        let head = try XCTUnwrap(backend.requests.first).lowercased()
        XCTAssert(head.contains("authorization: bearer app_session_123"), head)
        XCTAssertFalse("\(app)".contains("app_session_123"))
        // With a token, an Authorization header is still refused.
        try await expectError("invalid_request", "token and Authorization") {
            _ = try Client(token: token, baseUrl: self.base, headers: ["Authorization": "Bearer x"])
        }
    }

    func testIterSearchAndStreamRestartOnEachIteration() async throws {
        let contact = "c_\(uid())"
        var ids: [String] = []
        for i in 0..<5 { ids.append(try await client.sessions.create(contactId: contact, contactName: "n\(i)").id) }
        let results = try client.sessions.iterSearch(contactId: contact, limit: 2)
        var first: [String] = []
        for try await s in results { first.append(s.id) }
        var second: [String] = []
        for try await s in results { second.append(s.id) }
        XCTAssertEqual(first.sorted(), ids.sorted())
        XCTAssertEqual(second.sorted(), ids.sorted(), "a second iteration runs the search again")
        _ = try await client.sessions.messages.create(sessionId: ids[0], content: .text(text: "one"), role: .user)
        let updates = try client.sessions.messages.stream(sessionId: ids[0], pollIntervalMs: 50, fromStart: true)
        let a = try await withDeadline(20) { () -> Message? in for try await m in updates { return m }; return nil }
        let b = try await withDeadline(20) { () -> Message? in for try await m in updates { return m }; return nil }
        XCTAssertNotNil(a)
        XCTAssertEqual(a?.id, b?.id, "a second iteration of the stream starts again")
    }

    func testErrorsCarryTheRequestIdAndReadAsTheirMessage() async throws {
        let e = try await expectError("not_found", "404") { _ = try await self.client.sessions.get(sessionId: "sess_missing_\(uid())") }
        XCTAssert(e.requestId?.hasPrefix("req_") == true, String(describing: e.requestId))
        XCTAssertEqual(e.localizedDescription, e.message)
        let t = FakeTransport { _ in HttpResponse(status: 404, headers: [HttpHeader(name: "x-request-id", value: "srv_42")], body: Data()) }
        let fake = try Client(baseUrl: base, transport: t)
        let f = try await expectError("not_found", "fake 404") { _ = try await fake.agents.get(agentId: "a") }
        XCTAssertEqual(f.requestId, "srv_42")
        XCTAssert(t.sent.first?.headers.contains { $0.name == "x-request-id" && $0.value.hasPrefix("req_") } == true)
    }

    func testWithRawResponseGivesTheValueWithStatusHeadersAndRequestId() async throws {
        let raw = client.withRawResponse
        let created = try await raw.sessions.create(contactId: "c_\(uid())", contactName: "n")
        XCTAssert((200..<300).contains(created.status), "status \(created.status)")
        let got = try await raw.sessions.get(sessionId: created.data.id)
        XCTAssertEqual(got.status, 200)
        let plain = try await client.sessions.get(sessionId: created.data.id)
        XCTAssertEqual(got.data, plain, "the same value as the ordinary call")
        XCTAssert(got.header("Content-Type")?.contains("application/json") == true, "\(got.headers)")
        XCTAssert(got.requestId?.hasPrefix("req_") == true, String(describing: got.requestId))
        let page = try await raw.sessions.messages.search(sessionId: created.data.id, limit: 5)
        XCTAssertEqual(page.status, 200)
        try await expectError("not_found", "404 through the view") { _ = try await raw.sessions.get(sessionId: "sess_missing_\(uid())") }
        let flaky = try Client(token: token, baseUrl: base, headers: ["x-sandbox-fail": "503;times=1;retry-after=0;id=\(uid())"])
        let retried = try await flaky.withRawResponse.agents.get(agentId: "agent_abc")
        XCTAssertEqual(retried.status, 200, "the response the call ended with, after a retried 503")
        let t = FakeTransport { _ in
            HttpResponse(
                status: 201, headers: [HttpHeader(name: "X-Request-ID", value: "srv_7"), HttpHeader(name: "x-ratelimit-remaining", value: "41")],
                body: Data(#"{"id":"a","type":"ai"}"#.utf8))
        }
        let r = try await Client(baseUrl: base, transport: t).withRawResponse.agents.get(agentId: "a")
        XCTAssertEqual(r.status, 201)
        XCTAssertEqual(r.requestId, "srv_7")
        XCTAssertEqual(r.header("X-RateLimit-Remaining"), "41")
        XCTAssertEqual(r.data.id, "a")
        let gone = FakeTransport { _ in HttpResponse(status: 204, headers: [], body: Data()) }
        let deleted = try await Client(baseUrl: base, transport: gone).withRawResponse.agents.delete(agentId: "a")
        XCTAssertEqual(deleted.status, 204)
    }

    func testRecordsAreCodableAsTheWireJSON() async throws {
        let s = try await client.sessions.create(
            contactId: "c_\(uid())", contactName: "n", metadata: try metadataJSON(["k": ["a", 1, true]]))
        let data = try JSONEncoder().encode(s)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(object["contact_id"] as? String, s.contactId, "the wire's field names")
        XCTAssertNil(object["contactId"], "not Swift's names")
        XCTAssertNotNil(object["metadata"] as? [String: Any], "metadata as a JSON object")
        XCTAssertEqual(try JSONDecoder().decode(Session.self, from: data), s, "round trip")
        let m = try await client.sessions.messages.create(sessionId: s.id, content: .text(text: "hi"), role: .user)
        let again = try JSONDecoder().decode([Message].self, from: try JSONEncoder().encode([m]))
        XCTAssertEqual(again, [m])
        let wire = try JSONSerialization.jsonObject(with: JSONEncoder().encode(m)) as? [String: Any]
        XCTAssertEqual((wire?["content"] as? [String: Any])?["type"] as? String, "text")
        let bad = Data(#"{"id": 5}"#.utf8)
        XCTAssertThrowsError(try JSONDecoder().decode(Session.self, from: bad)) { error in
            guard case DecodingError.dataCorrupted = error else { return XCTFail("\(error)") }
        }
    }

    func testProxyModeSendsNoTokenAndTheAppsHeaders() async throws {
        // The sandbox (standing in for the API) refuses a call without a token ...
        let anonymous = try Client(baseUrl: base, headers: ["x-app-session": "app_123"])
        try await expectError("authentication", "no token to the API itself") {
            _ = try await anonymous.agents.get(agentId: "agent_abc")
        }
        // ... while the integrator's backend gets the app's own auth over real HTTP, and no Authorization.
        let backend = try LoopbackServer(answer: httpResponse(200, #"{"id":"agent_abc","type":"ai","name":"Bot"}"#))
        defer { backend.stop() }
        let app = try Client(baseUrl: backend.url, headers: ["x-app-session": "app_123"])
        let agent = try await app.agents.get(agentId: "agent_abc")
        XCTAssertEqual(agent.name, "Bot")
        let head = try XCTUnwrap(backend.requests.first).lowercased()
        XCTAssert(head.hasPrefix("get /conversations/v2/api/v1/agents/agent_abc http/1.1"), head)
        XCTAssert(head.contains("x-app-session: app_123"), head)
        XCTAssertFalse(head.contains("authorization"), head)
    }
}

/// Scenarios against a server of our own that accepts and never answers.
final class StalledServerTests: XCTestCase {
    func testCancellingTheTaskCancelsTheHttpCall() async throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        let c = try Client(token: token, baseUrl: server.url)
        let call = Task { try await c.sessions.get(sessionId: "sess_1") }
        let accepted = await server.accepted.waitAsync(5)
        XCTAssert(accepted, "the call reached the server")
        let t0 = Date()
        call.cancel()
        let result = await call.result
        let took = Date().timeIntervalSince(t0)
        guard case .failure(let error) = result, error is CancellationError else {
            throw Failure("want CancellationError, got \(result)")
        }
        XCTAssertLessThan(took, 1, "the Task ended promptly")
        let closed = await server.closed.waitAsync(5)
        XCTAssert(closed, "the server saw the connection close")
    }

    func testCancelledBeforeItStartsSendsNothing() async throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        let c = try Client(token: token, baseUrl: server.url)
        let call = Task { () -> Session in
            withUnsafeCurrentTask { $0?.cancel() }
            return try await c.sessions.get(sessionId: "sess_1")
        }
        let result = await call.result
        guard case .failure(let error) = result, error is CancellationError else {
            throw Failure("want CancellationError, got \(result)")
        }
        let connected = await server.accepted.waitAsync(0.3)
        XCTAssertFalse(connected, "a call cancelled before it started connected")
    }

    func testAStalledServerTimesOutPerAttemptAndPerCall() async throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        let c = try Client(token: token, baseUrl: server.url, timeoutMs: 300, maxRetries: 0)
        let t0 = Date()
        let e = try await expectError("timeout", "attempt timeout") { _ = try await c.sessions.get(sessionId: "sess_1") }
        let took = Date().timeIntervalSince(t0)
        XCTAssert((0.25...3).contains(took), "took \(took) s")
        XCTAssert(e.message.contains("0.3 s"), e.message)
        let closed = await server.closed.waitAsync(5)
        XCTAssert(closed, "the timed-out connection was closed")
        let total = try Client(token: token, baseUrl: server.url, timeoutMs: 10_000, totalTimeoutMs: 400)
        let t1 = Date()
        try await expectError("timeout", "total timeout") { _ = try await total.agents.get(agentId: "a") }
        XCTAssertLessThan(Date().timeIntervalSince(t1), 3)
    }

    /// How long each of `calls` concurrent calls of `client` to a stalled
    /// server took to fail, sorted; each must fail with the SDK's timeout.
    private func concurrentTimeouts(_ client: Client, calls: Int) async throws -> [Double] {
        try await withThrowingTaskGroup(of: Double.self) { group in
            for _ in 0..<calls {
                group.addTask {
                    let t0 = Date()
                    try await expectError("timeout", "a call to a stalled server") { _ = try await client.agents.get(agentId: "a") }
                    return Date().timeIntervalSince(t0)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }.sorted()
        }
    }

    // The per-attempt and total deadlines are the SDK's promise, under load
    // too. URLSession (FoundationNetworking on Linux) used to be called on
    // Swift's cooperative threads, where its synchronous calls held them up:
    // on a 2-core box 2000 concurrent calls with a 1 s timeout took 3.4 s at
    // the fastest and 4.5 s at the slowest (1.1 s now).
    func testConcurrentCallsToAStalledServerEachFailWithinTheirDeadline() async throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        let calls = 2000
        let perAttempt = try Client(token: token, baseUrl: server.url, timeoutMs: 1_000, maxRetries: 0)
        let took = try await concurrentTimeouts(perAttempt, calls: calls)
        print("\(calls) calls, 1 s per attempt: median \(took[calls / 2]) s, slowest \(took.last!) s")
        XCTAssertGreaterThanOrEqual(took.first!, 0.95, "no call ends before its deadline")
        XCTAssertLessThanOrEqual(took.last!, 2.5, "every call fails within 1 s + 1.5 s")
        let total = try Client(token: token, baseUrl: server.url, timeoutMs: 30_000, totalTimeoutMs: 1_000)
        let tookTotal = try await concurrentTimeouts(total, calls: calls)
        print("\(calls) calls, 1 s in total: median \(tookTotal[calls / 2]) s, slowest \(tookTotal.last!) s")
        XCTAssertLessThanOrEqual(tookTotal.last!, 2.5, "every call fails within 1 s + 1.5 s")
    }

    func testNothingListeningIsATransportError() async throws {
        let server = try LoopbackServer()
        let url = server.url
        server.stop()
        let c = try Client(token: token, baseUrl: url, maxRetries: 1)
        let e = try await expectError("transport", "refused") { _ = try await c.sessions.get(sessionId: "s") }
        XCTAssert(e.message.contains("sessions.get"), e.message)
    }
}

/// `body`'s result, or a failure when it takes longer than `seconds`.
func withDeadline<T>(_ seconds: Double, _ body: @escaping () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw Failure("no result within \(seconds) s") }
        return value
    }
}
