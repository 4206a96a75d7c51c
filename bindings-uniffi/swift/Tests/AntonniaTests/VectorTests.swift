// Replays every file of tests/fixtures/ through the Swift API, as the Kotlin
// replay (bindings-uniffi/kotlin/tests/Vectors.kt) and the JavaScript one
// do: requests, responses, webhooks and channel helpers through the client
// (over a fake transport) and the exported functions; retry, exchange and
// stream through the core's step-by-step objects that the client's own
// loop drives. With ANTONNIA_PARITY_FILE set, each vector's outcome is one
// JSON line there (the swift column of `make parity`).
import Foundation
import XCTest

@testable import Antonnia

/// The vector files this replay covers; a file that names its `languages`
/// without Swift is another binding's business.
let vectorFiles = [
    "requests.json", "responses.json", "webhooks.json", "retry.json", "exchange.json", "stream.json", "channel.json",
]

private func load(_ name: String) throws -> (defaults: [String: JSON], vectors: [[String: JSON]]) {
    let doc = try JSON.parse(Data(contentsOf: fixtures.appendingPathComponent(name)))
    let vectors = (doc["vectors"]?.array ?? []).compactMap(\.object)
    try check(Set(vectors.compactMap { $0["name"]?.string }).count == vectors.count, "\(name): duplicate vector names")
    return (doc["defaults"]?.object ?? [:], vectors)
}

private func num(_ v: JSON?) -> Double { v?.number ?? .nan }

private func merged(_ a: JSON?, _ b: JSON?) -> [String: JSON] {
    (a?.object ?? [:]).merging(b?.object ?? [:]) { _, new in new }
}

func bodyOf(_ v: [String: JSON]) -> Data {
    if let s = v["body"]?.string { return Data(s.utf8) }
    if let j = v["body_json"] { return Data(j.description.utf8) }
    if let b = v["body_base64"]?.string { return Data(base64Encoded: b) ?? Data() }
    if let r = v["body_repeat"]?.object {
        return Data(String(repeating: r["text"]?.string ?? "", count: Int(num(r["count"]))).utf8)
    }
    return Data()
}

private func headersOf(_ v: JSON?) -> [HttpHeader] {
    (v?.object ?? [:]).sorted { $0.key < $1.key }.map { HttpHeader(name: $0.key, value: $0.value.string ?? $0.value.description) }
}

private func response(_ v: [String: JSON]) -> HttpResponse {
    HttpResponse(status: Int32(num(v["status"])), headers: headersOf(v["headers"]), body: bodyOf(v))
}

private func parsed(_ text: String?) throws -> JSON { try text.map(JSON.parse) ?? .null }

/// The error is the SDK's, of the vector's kind, with every field the vector pins.
func checkError(_ error: Error?, _ want: [String: JSON]) throws {
    guard let error else { throw Failure("no error, want \(JSON.object(want))") }
    guard let e = error as? AntonniaError else { throw Failure("threw \(error), want \(JSON.object(want))") }
    let message = e.message
    try eq(e.kind, want["kind"]?.string ?? "", "kind (\(message))")
    if let field = want["field"]?.string {
        guard case .InvalidRequest(_, let got, _) = e else { throw Failure("no field: \(message)") }
        try eq(got, field, "field (\(message))")
    }
    if want["path"] != nil || want["path_prefix"] != nil {
        guard case .Decode(_, let path, _) = e else { throw Failure("no path: \(message)") }
        if let p = want["path"]?.string { try eq(path, p, "path (\(message))") }
        if let p = want["path_prefix"]?.string { try check(path.hasPrefix(p), "path \(path), want \(p)…") }
    }
    if let reason = want["reason"]?.string {
        guard case .WebhookVerification(_, let got, _) = e else { throw Failure("no reason: \(message)") }
        try eq(got, reason, "reason (\(message))")
    }
    if let part = want["message_contains"]?.string { try check(message.contains(part), "message: \(message)") }
    if let status = want["status"] { try eq(e.httpStatus.map(Double.init), status.number, "status") }
    if let id = want["request_id"] { try eq(e.requestId, id.string, "requestId") }
    if let wanted = want["message"] {
        let detail: String?
        switch e {
        case .Authentication(_, _, let d, _, _, _), .PermissionDenied(_, _, let d, _, _, _), .NotFound(_, _, let d, _, _, _),
            .Conflict(_, _, let d, _, _, _), .Validation(_, _, let d, _, _, _, _), .RateLimit(_, _, let d, _, _, _, _),
            .Api(_, _, let d, _, _, _):
            detail = d
        case .PayloadTooLarge(_, _, let d, _): detail = d ?? message
        default: detail = message
        }
        try eq(detail, wanted.string, "message")
    }
    if let retryAfter = want["retry_after"] {
        guard case .RateLimit(_, _, _, let got, _, _, _) = e else { throw Failure("not a rate limit: \(message)") }
        try eq(got, retryAfter.number, "retryAfter")
    }
    if let problems = want["problems"] {
        guard case .Validation(_, _, _, let got, _, _, _) = e else { throw Failure("not a validation error: \(message)") }
        let tree = JSON.array(
            got.map { .object(["loc": .array($0.loc.map(JSON.string)), "msg": .string($0.msg), "type": .string($0.kind)]) })
        try check(tree.same(problems), "problems: got \(tree), want \(problems)")
    }
    if let data = want["data"] {
        let text: String?
        switch e {
        case .Authentication(_, _, _, let d, _, _), .Validation(_, _, _, _, let d, _, _), .Api(_, _, _, let d, _, _),
            .NotFound(_, _, _, let d, _, _), .RateLimit(_, _, _, _, let d, _, _):
            text = d
        default: text = nil
        }
        let got = try parsed(text)
        try check(got.same(data), "data: got \(got), want \(data)")
    }
}

/// Arguments a typed Swift signature cannot carry (wrong JSON type, unknown name).
struct NoFit: Error {}

private final class Args {
    var rest: [String: JSON]
    init(_ m: [String: JSON]) { rest = m }
    func str(_ k: String) throws -> String? {
        guard let v = rest.removeValue(forKey: k), !v.isNull else { return nil }
        guard let s = v.string else { throw NoFit() }
        return s
    }
    func req(_ k: String) throws -> String {
        guard let s = try str(k) else { throw NoFit() }
        return s
    }
    func long(_ k: String) throws -> Int64? {
        guard let v = rest.removeValue(forKey: k), !v.isNull else { return nil }
        guard case .int(let i) = v else { throw NoFit() }
        return i
    }
    func bool(_ k: String) throws -> Bool? {
        guard let v = rest.removeValue(forKey: k), !v.isNull else { return nil }
        guard let b = v.bool else { throw NoFit() }
        return b
    }
    func json(_ k: String) -> String? { rest.removeValue(forKey: k).map(\.description) }
    func raw(_ k: String) -> JSON? { rest.removeValue(forKey: k) }
    func done() throws { if !rest.isEmpty { throw NoFit() } }
}

private func sessionStatus(_ s: String?) -> SessionStatus? {
    s.map { $0 == "open" ? .open : $0 == "closed" ? .closed : .other(value: $0) }
}
private func messageRole(_ s: String?) -> MessageRole? {
    s.map { $0 == "user" ? .user : $0 == "assistant" ? .assistant : .other(value: $0) }
}
private func agentType(_ s: String?) -> AgentType? {
    s.map { $0 == "ai" ? .ai : $0 == "human" ? .human : .other(value: $0) }
}
private func deliveryStatus(_ s: String?) -> DeliveryStatus? {
    s.map {
        switch $0 {
        case "pending": return .pending
        case "sent": return .sent
        case "delivered": return .delivered
        case "read": return .read
        case "failed": return .failed
        case "rejected": return .rejected
        default: return .other(value: $0)
        }
    }
}

private func scheduleConfig(_ v: JSON?) throws -> ScheduleConfig {
    guard let m = v?.object else { throw NoFit() }
    switch m["type"]?.string {
    case "node":
        guard let node = m["node_id"]?.string else { throw NoFit() }
        return .node(nodeId: node)
    case "message":
        return .message(message: try messageContentFromJson(json: (m["message"] ?? .null).description))
    default:
        return .unknown(configType: m["type"]?.string ?? (m["type"] ?? .null).description, rawJson: JSON.object(m).description)
    }
}

private func first<S: AsyncSequence>(_ s: S) async throws -> S.Element? {
    for try await x in s { return x }
    return nil
}

typealias Run = () async throws -> JSON

/// The public method for a vector's call and arguments, returning the
/// result's canonical JSON; nil when the Swift signature has no place for an
/// argument (only right for invalid_request vectors). `all` walks a search
/// through its AsyncSequence instead.
func invoke(_ client: Client, _ call: String, _ args: [String: JSON], all: Bool = false) throws -> Run? {
    let a = Args(args)
    func j(_ s: String) throws -> JSON { try JSON.parse(s) }
    let s = client.sessions
    do {
        switch call {
        case "sessions.create":
            let cid = try a.req("contact_id"), n = try a.req("contact_name"), ag = try a.str("agent_id")
            let st = sessionStatus(try a.str("status")), md = a.json("metadata")
            try a.done()
            return { try j(try await s.create(contactId: cid, contactName: n, agentId: ag, status: st, metadata: md).toJson()) }
        case "sessions.get":
            let id = try a.req("session_id")
            try a.done()
            return { try j(try await s.get(sessionId: id).toJson()) }
        case "sessions.update":
            let id = try a.req("session_id")
            guard let fields = a.raw("fields")?.object else { throw NoFit() }
            let f = Args(fields)
            let thread = try f.str("thread_id"), st = sessionStatus(try f.str("status")), ag = try f.str("agent_id")
            let ending = try f.str("ending_survey_submission_id"), md = f.json("metadata")
            try f.done()
            try a.done()
            return {
                try j(
                    try await s.update(
                        sessionId: id, threadId: thread, status: st, agentId: ag, endingSurveySubmissionId: ending,
                        metadata: md
                    ).toJson())
            }
        case "sessions.transfer":
            let id = try a.req("session_id"), ag = try a.str("agent_id"), ar = try a.bool("auto_reply")
            try a.done()
            return { try j(try await s.transfer(sessionId: id, agentId: ag, autoReply: ar).toJson()) }
        case "sessions.finish":
            let id = try a.req("session_id"), e = try a.str("ending_survey_id")
            try a.done()
            return { try j(try await s.finish(sessionId: id, endingSurveyId: e).toJson()) }
        case "sessions.reply":
            let id = try a.req("session_id"), d = try a.long("debounce_time"), n = try a.str("starting_node_id")
            try a.done()
            return { try j(try await s.reply(sessionId: id, debounceTime: d, startingNodeId: n).toJson()) }
        case "sessions.search":
            let c = try a.str("contact_id"), st = sessionStatus(try a.str("status")), md = a.json("metadata")
            let o = try a.long("offset"), l = try a.long("limit")
            try a.done()
            if all {
                return {
                    try await first(try s.iterSearch(contactId: c, status: st, metadata: md, offset: o, limit: l))
                        .map { try j($0.toJson()) } ?? .null
                }
            }
            return {
                .array(try await s.search(contactId: c, status: st, metadata: md, offset: o, limit: l).map { try j($0.toJson()) })
            }
        case "sessions.schedule":
            let id = try a.req("session_id"), at = try a.req("scheduled_for")
            let config = try scheduleConfig(a.raw("config"))
            try a.done()
            return { try j(try await s.schedule(sessionId: id, scheduledFor: at, config: config).toJson()) }
        case "messages.create":
            let id = try a.req("session_id")
            guard let c = a.raw("content") else { throw NoFit() }
            let r = messageRole(try a.str("role")), p = try a.str("provider_message_id")
            let rp = try a.str("replied_provider_message_id"), run = try a.str("run_id")
            try a.done()
            return {
                try j(
                    try await s.messages.create(
                        sessionId: id, content: try messageContentFromJson(json: c.description), role: r,
                        providerMessageId: p, repliedProviderMessageId: rp, runId: run
                    ).toJson())
            }
        case "messages.get":
            let id = try a.req("session_id"), m = try a.req("message_id")
            try a.done()
            return { try j(try await s.messages.get(sessionId: id, messageId: m).toJson()) }
        case "messages.update":
            let id = try a.req("session_id"), m = try a.req("message_id"), p = try a.str("provider_message_id")
            let rp = try a.str("replied_provider_message_id"), ds = deliveryStatus(try a.str("delivery_status"))
            let code = try a.long("delivery_error_code"), em = try a.str("delivery_error_message")
            let at = try a.str("delivered_at")
            try a.done()
            return {
                try j(
                    try await s.messages.update(
                        sessionId: id, messageId: m, providerMessageId: p, repliedProviderMessageId: rp,
                        deliveryStatus: ds, deliveryErrorCode: code, deliveryErrorMessage: em, deliveredAt: at
                    ).toJson())
            }
        case "messages.search":
            let id = try a.str("session_id"), p = try a.str("provider_message_id")
            let rp = try a.str("replied_provider_message_id"), r = messageRole(try a.str("role"))
            let o = try a.long("offset"), l = try a.long("limit")
            try a.done()
            if all {
                return {
                    try await first(
                        try s.messages.iterSearch(
                            sessionId: id, providerMessageId: p, repliedProviderMessageId: rp, role: r, offset: o,
                            limit: l)
                    ).map { try j($0.toJson()) } ?? .null
                }
            }
            return {
                .array(
                    try await s.messages.search(
                        sessionId: id, providerMessageId: p, repliedProviderMessageId: rp, role: r, offset: o, limit: l
                    ).map { try j($0.toJson()) })
            }
        case "agents.create":
            let n = try a.req("name")
            guard let t = agentType(try a.req("type")) else { throw NoFit() }
            let ai = try a.str("assistant_id"), pr = try a.str("profile_id")
            try a.done()
            return {
                try j(try await client.agents.create(name: n, agentType: t, assistantId: ai, profileId: pr).toJson())
            }
        case "agents.get":
            let id = try a.req("agent_id")
            try a.done()
            return { try j(try await client.agents.get(agentId: id).toJson()) }
        case "agents.update":
            let id = try a.req("agent_id"), n = try a.str("name"), ai = try a.str("assistant_id")
            let pr = try a.str("profile_id")
            try a.done()
            return {
                try j(try await client.agents.update(agentId: id, name: n, assistantId: ai, profileId: pr).toJson())
            }
        case "agents.delete":
            let id = try a.req("agent_id")
            try a.done()
            return {
                try await client.agents.delete(agentId: id)
                return .null
            }
        case "agents.search":
            let t = agentType(try a.str("type")), ai = try a.str("assistant_id"), pr = try a.str("profile_id")
            let o = try a.long("offset"), l = try a.long("limit")
            try a.done()
            if all {
                return {
                    try await first(
                        try client.agents.iterSearch(agentType: t, assistantId: ai, profileId: pr, offset: o, limit: l)
                    ).map { try j($0.toJson()) } ?? .null
                }
            }
            return {
                .array(
                    try await client.agents.search(agentType: t, assistantId: ai, profileId: pr, offset: o, limit: l)
                        .map { try j($0.toJson()) })
            }
        case "survey_submissions.get", "survey_submissions.reply", "survey_submissions.cancel":
            let id = try a.req("session_id"), sub = try a.req("survey_submission_id")
            try a.done()
            let ss = s.surveySubmissions
            switch call {
            case "survey_submissions.get":
                return { try j(try await ss.get(sessionId: id, surveySubmissionId: sub).toJson()) }
            case "survey_submissions.reply":
                return { try j(try await ss.reply(sessionId: id, surveySubmissionId: sub).toJson()) }
            default:
                return { try j(try await ss.cancel(sessionId: id, surveySubmissionId: sub).toJson()) }
            }
        default:
            throw Failure("no method for \(call)")
        }
    } catch is NoFit {
        return nil
    }
}

private func checkRequest(_ r: HttpRequest, _ want: [String: JSON]) throws {
    try eq(r.method, want["method"]?.string ?? "", "method")
    try eq(r.url, want["url"]?.string ?? "", "url")
    var headers: [String: [String]] = [:]
    for h in r.headers { headers[h.name.lowercased(), default: []].append(h.value) }
    for (k, v) in want["headers"]?.object ?? [:] {
        let got = headers[k.lowercased()]
        try check(got?.count == 1 && got?[0] == v.string, "header \(k): got \(got ?? []), want \(v)")
    }
    try check(headers["user-agent"]?.count == 1 && headers["user-agent"]![0].hasPrefix("antonnia-sdk/"), "user-agent \(headers["user-agent"] ?? [])")
    let body = r.body
    try eq(headers["content-type"] != nil, !(body ?? Data()).isEmpty, "content-type present")
    let got = try body.map(JSON.parse) ?? .null
    try check(got.same(want["body"] ?? .null), "body: got \(got), want \(want["body"] ?? .null)")
}

private let safetyArgs: [String: String] = [
    "sessions.get": #"{"session_id":"s"}"#,
    "messages.update": #"{"session_id":"s","message_id":"m"}"#,
    "agents.delete": #"{"agent_id":"a"}"#,
    "messages.create": #"{"session_id":"s","content":{"type":"text","text":"x"}}"#,
    "sessions.reply": #"{"session_id":"s"}"#,
    "sessions.create": #"{"contact_id":"c","contact_name":"n"}"#,
    "agents.create": #"{"name":"n","type":"ai"}"#,
    "survey_submissions.cancel": #"{"session_id":"s","survey_submission_id":"x"}"#,
]

/// Valid arguments for every call: each must fit a typed Swift method.
let signatureSamples: [String: String] = [
    "sessions.create": #"{"contact_id":"c","contact_name":"n"}"#,
    "sessions.get": #"{"session_id":"s"}"#,
    "sessions.update": #"{"session_id":"s","fields":{"status":"open"}}"#,
    "sessions.transfer": #"{"session_id":"s"}"#,
    "sessions.finish": #"{"session_id":"s"}"#,
    "sessions.reply": #"{"session_id":"s"}"#,
    "sessions.search": "{}",
    "sessions.schedule": #"{"session_id":"s","scheduled_for":"2025-01-01T00:00:00Z","config":{"type":"node","node_id":"n"}}"#,
    "messages.create": #"{"session_id":"s","content":{"type":"text","text":"x"}}"#,
    "messages.get": #"{"session_id":"s","message_id":"m"}"#,
    "messages.update": #"{"session_id":"s","message_id":"m","delivery_status":"sent"}"#,
    "messages.search": "{}",
    "agents.create": #"{"name":"n","type":"ai","assistant_id":"a"}"#,
    "agents.get": #"{"agent_id":"a"}"#,
    "agents.update": #"{"agent_id":"a","name":"n"}"#,
    "agents.delete": #"{"agent_id":"a"}"#,
    "agents.search": "{}",
    "survey_submissions.get": #"{"session_id":"s","survey_submission_id":"x"}"#,
    "survey_submissions.reply": #"{"session_id":"s","survey_submission_id":"x"}"#,
    "survey_submissions.cancel": #"{"session_id":"s","survey_submission_id":"x"}"#,
]

private func settings(_ p: [String: JSON]) -> RetrySettings {
    RetrySettings(
        maxAttempts: UInt32(num(p["max_attempts"])), initialBackoff: num(p["initial_backoff"]),
        maxBackoff: num(p["max_backoff"]), maxRetryAfter: num(p["max_retry_after"]))
}

func fakeClient(_ token: String?, _ baseUrl: String?, _ respond: @escaping @Sendable (HttpRequest) throws -> HttpResponse)
    throws -> (Client, FakeTransport)
{
    let t = FakeTransport(respond)
    let c = try Client(
        transport: t, sleeper: TaskSleeper(), options: ClientOptions(baseUrl: baseUrl, timeoutMs: 60_000, totalTimeoutMs: nil, maxRetries: 0, maxResponseBytes: 10 << 20),
        token: token)
    return (c, t)
}

private let captured: @Sendable (HttpRequest) -> HttpResponse = { _ in
    HttpResponse(status: 599, headers: [], body: Data("captured".utf8))
}

private func close(_ a: Double?, _ b: Double?, _ eps: Double = 1e-9) -> Bool {
    guard let a, let b else { return false }
    return abs(a - b) < eps
}

final class VectorTests: XCTestCase {
    private var failures: [String] = []
    private var parity: FileHandle?

    override func setUp() {
        failures = []
        if let path = ProcessInfo.processInfo.environment["ANTONNIA_PARITY_FILE"] {
            _ = FileManager.default.createFile(atPath: path, contents: Data())
            parity = FileHandle(forWritingAtPath: path)
        }
    }

    override func tearDown() {
        try? parity?.close()
    }

    private func vector(_ file: String, _ v: [String: JSON], _ body: () async throws -> Void) async {
        let name = v["name"]?.string ?? "?"
        var ok = true
        do {
            try await body()
        } catch {
            ok = false
            failures.append("\(file):\(name): \(error)")
        }
        let line = JSON.object(["file": .string(file), "name": .string(name), "ok": .bool(ok)]).description + "\n"
        parity?.write(Data(line.utf8))
    }

    func testEveryVectorFileIsReplayed() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: fixtures.path)
            .filter { $0.hasSuffix(".json") && $0 != "message_created_410.json" }
        var ours: Set<String> = []
        for name in names {
            let doc = try JSON.parse(Data(contentsOf: fixtures.appendingPathComponent(name)))
            if let languages = doc["languages"]?.array, !languages.contains(.string("swift")) { continue }
            ours.insert(name)
        }
        XCTAssertEqual(ours, Set(vectorFiles))
        XCTAssertEqual(try Data(contentsOf: fixtures.appendingPathComponent("message_created_410.json")).count, 410)
    }

    func testEveryCallHasAClientMethod() throws {
        let (client, _) = try fakeClient("t", nil, captured)
        let names = callNames()
        XCTAssertEqual(names.count, signatureSamples.count)
        for name in names {
            let sample = try XCTUnwrap(signatureSamples[name], "no sample for \(name)")
            XCTAssertNotNil(try invoke(client, name, JSON.parse(sample).object ?? [:]), "no Swift method for \(name)")
        }
    }

    func testReplayEveryVector() async throws {
        var count = 0
        let (reqDefaults, requests) = try load("requests.json")
        for v in requests {
            count += 1
            await vector("requests.json", v) {
                let config = merged(reqDefaults["config"], v["config"])
                if let want = v["config_error"]?.object {
                    let e = thrownSync { _ = try Client(token: config["token"]?.string, baseUrl: config["base_url"]?.string) }
                    try checkError(e, want)
                    return
                }
                let call = v["call"]?.string ?? ""
                for all in call.hasSuffix(".search") ? [false, true] : [false] {
                    let (client, t) = try fakeClient(config["token"]?.string, config["base_url"]?.string, captured)
                    guard let run = try invoke(client, call, v["args"]?.object ?? [:], all: all) else {
                        try eq(v["error"]?["kind"]?.string, "invalid_request", "the Swift signature has no place for an argument")
                        continue
                    }
                    let e = await thrown { _ = try await run() }
                    if let want = v["error"]?.object {
                        try eq(t.sent.count, 0, "requests sent")
                        try checkError(e, want)
                    } else {
                        try check(t.sent.count == 1, "nothing sent: \(String(describing: e))")
                        try checkRequest(t.sent[0], v["request"]?.object ?? [:])
                    }
                }
            }
        }

        let (_, responses) = try load("responses.json")
        for v in responses {
            count += 1
            await vector("responses.json", v) {
                let r = response(v["response"]?.object ?? [:])
                let (client, _) = try fakeClient("sk_test_vectors", "https://api.test/v1") { _ in r }
                guard let run = try invoke(client, v["call"]?.string ?? "", v["args"]?.object ?? [:]) else {
                    throw Failure("valid arguments must fit the signature")
                }
                let got: JSON
                do {
                    got = try await run()
                } catch let e as AntonniaError {
                    guard let want = v["error"]?.object else { throw Failure("threw \(e.message), want \(v["result"] ?? .null)") }
                    try checkError(e, want)
                    return
                }
                guard let want = v["result"] else { throw Failure("parsed \(got), want an error") }
                try check(got.same(want), "result: got \(got), want \(want)")
            }
        }

        let (whDefaults, webhooks) = try load("webhooks.json")
        for v in webhooks {
            count += 1
            await vector("webhooks.json", v) {
                if v["sign"] != nil {
                    let sig = try signWebhook(
                        secret: v["secret"]?.string ?? "", id: v["id"]?.string ?? "", timestamp: Int64(num(v["timestamp"])),
                        body: Data((v["body"]?.string ?? "").utf8))
                    try eq(sig, v["signature"]?.string ?? "", "signature")
                    return
                }
                let verify = v["verify"]?.bool ?? (v["secret"] != nil)
                var headers: [String: String] = [:]
                for (k, x) in v["headers"]?.object ?? [:] { headers[k] = x.string ?? x.description }
                let event: WebhookEvent
                do {
                    event = try WebhookReceiver(
                        secret: v["secret"]?.string, verify: verify,
                        toleranceSeconds: Int64(num(v["tolerance"] ?? whDefaults["tolerance"])),
                        maxBodyBytes: Int64(num(v["max_body_bytes"] ?? whDefaults["max_body_bytes"]))
                    ).receive(body: bodyOf(v), headers: headers, nowUnixSeconds: v["now"]?.number ?? 0)
                } catch let e as AntonniaError {
                    guard let want = v["error"]?.object else { throw Failure("threw \(e.message)") }
                    try checkError(e, want)
                    return
                }
                guard let want = v["event"] else { throw Failure("parsed \(try event.toJson()), want \(v["error"] ?? .null)") }
                let got = try JSON.parse(event.toJson())
                try check(got.same(want), "event: got \(got), want \(want)")
                if let outbound = v["outbound"]?.bool { try eq(try outboundMessage(event: event) != nil, outbound, "outbound") }
            }
        }

        let (rDefaults, retries) = try load("retry.json")
        for v in retries {
            count += 1
            await vector("retry.json", v) {
                let policy = settings(merged(rDefaults["policy"], v["policy"]))
                let call = v["call"]?.string ?? ""
                let idempotent =
                    v["safety"] != nil
                    ? v["safety"]?.string == "idempotent"
                    : try ApiCall(name: call, argsJson: safetyArgs[call] ?? "{}").idempotent()
                let outcome: String
                if let status = v["outcome"]?.number {
                    outcome = JSON.object(["status": .int(Int64(status))]).description
                } else {
                    outcome = (v["outcome"] ?? .null).description
                }
                let got = try retryDecision(
                    settings: policy, idempotent: idempotent, attempt: UInt32(num(v["attempt"])), outcomeJson: outcome,
                    jitter: num(v["jitter"]))
                if v["decision"]?.string == "stop" {
                    try check(got == nil, "decision \(String(describing: got)), want stop")
                } else {
                    try check(close(got, v["decision"]?["retry_after"]?.number), "decision \(String(describing: got)), want \(v["decision"] ?? .null)")
                }
            }
        }

        let (xDefaults, exchanges) = try load("exchange.json")
        for v in exchanges {
            count += 1
            await vector("exchange.json", v) {
                let config = merged(xDefaults["config"], v["config"])
                let limits = merged(xDefaults["limits"], v["limits"])
                let ex = try CallExchange(
                    call: ApiCall(name: v["call"]?.string ?? "", argsJson: (v["args"] ?? .null).description),
                    token: config["token"]?.string, baseUrl: config["base_url"]?.string,
                    settings: settings(merged(xDefaults["policy"], v["policy"])), timeout: num(limits["timeout"]),
                    totalTimeout: limits["total_timeout"]?.number, maxResponseBytes: Int64(num(limits["max_response_bytes"])))
                if let id = v["request_id"]?.string { try ex.setRequestId(requestId: id) }
                let steps = (v["steps"]?.array ?? []).compactMap(\.object)
                for (i, step) in steps.enumerated() {
                    let last = i + 1 == steps.count
                    func field(_ k: String) -> Double { num(step[k] ?? xDefaults[k]) }
                    if let want = step["attempt_timeout"] {
                        let got = try ex.attemptTimeout(elapsed: field("elapsed"))
                        try check(close(got, want.number, 1e-6), "step \(i): attempt timeout \(got)")
                    }
                    let want = step["expect"]?.object ?? [:]
                    let result: ExchangeStep
                    do {
                        if let r = step["response"]?.object {
                            result = try ex.onResponse(
                                status: Int32(num(r["status"])), headers: headersOf(r["headers"]), body: bodyOf(r),
                                elapsed: field("elapsed"), now: field("now"), jitter: field("jitter"))
                        } else {
                            result = try ex.onFailure(
                                failure: step["failure"]?.string ?? "", detail: step["detail"]?.string ?? "",
                                elapsed: field("elapsed"), jitter: field("jitter"),
                                received: Int64(step["received"]?.number ?? 0))
                        }
                    } catch let e as AntonniaError {
                        try check(last && want["error"] != nil, "step \(i): threw \(e.message), want \(JSON.object(want))")
                        try checkError(e, want["error"]?.object ?? [:])
                        continue
                    }
                    switch result {
                    case .done(let resultJson):
                        try check(last && want["result"] != nil, "step \(i): done, want \(JSON.object(want))")
                        let got = try JSON.parse(resultJson)
                        try check(got.same(want["result"]!), "step \(i) result: got \(got), want \(want["result"]!)")
                    case .retry(let after):
                        try check(!last && want["retry_after"] != nil, "step \(i): retry, want \(JSON.object(want))")
                        try check(close(after, want["retry_after"]?.number), "step \(i): wait \(after)")
                    }
                }
            }
        }

        let (sDefaults, streams) = try load("stream.json")
        for v in streams {
            count += 1
            await vector("stream.json", v) {
                let o = merged(sDefaults["options"], v["options"])
                let cursor: MessageCursor
                do {
                    cursor = try MessageCursor(
                        sessionId: (v["session_id"] ?? sDefaults["session_id"])?.string ?? "",
                        pollInterval: num(o["poll_interval"]), maxPollInterval: num(o["max_poll_interval"]),
                        pageSize: Int64(num(o["page_size"])), fromStart: o["from_start"]?.bool ?? false)
                    if let after = v["after"]?.string { try cursor.startAfter(messageId: after) }
                } catch let e as AntonniaError {
                    guard let want = v["start_error"]?.object else { throw Failure("threw \(e.message)") }
                    try checkError(e, want)
                    return
                }
                try check(v["start_error"] == nil, "no start error")
                for (i, step) in (v["steps"]?.array ?? []).compactMap(\.object).enumerated() {
                    let wantCall = try ApiCall(name: "messages.search", argsJson: (step["call"] ?? .null).description)
                    try check(cursor.nextCall() == wantCall, "step \(i): call \(cursor.nextCall()), want \(wantCall)")
                    let want = step["expect"]?.object ?? [:]
                    if let page = step["page"] {
                        let poll = try cursor.onPage(pageJson: page.description)
                        let ids = JSON.array(poll.messageIds.map(JSON.string))
                        try check(ids.same(want["messages"] ?? .null), "step \(i) messages: \(ids)")
                        try check(close(poll.waitSeconds, want["wait"]?.number), "step \(i): wait \(poll.waitSeconds)")
                        continue
                    }
                    let e = step["error"]?.object ?? [:]
                    let failure: AntonniaError
                    if e["failure"] != nil {
                        failure = .Transport(description: "transport error: connection reset", requestId: nil)
                    } else {
                        let ex = try CallExchange(
                            call: ApiCall(name: "sessions.get", argsJson: #"{"session_id":"s"}"#), token: "sk_test",
                            baseUrl: nil,
                            settings: RetrySettings(maxAttempts: 1, initialBackoff: 0.5, maxBackoff: 8, maxRetryAfter: 60),
                            timeout: 60, totalTimeout: nil, maxResponseBytes: 10_000_000)
                        let err = thrownSync {
                            _ = try ex.onResponse(
                                status: Int32(num(e["status"])), headers: headersOf(e["headers"]), body: bodyOf(e),
                                elapsed: 0, now: 0, jitter: 0.5)
                        }
                        guard let err = err as? AntonniaError else { throw Failure("step \(i): no error") }
                        failure = err
                    }
                    let got = cursor.onFailedPoll(error: failure)
                    if let stop = want["stop"]?.object {
                        try check(got == nil, "step \(i): wait \(String(describing: got)), want stop")
                        try checkError(failure, stop)
                    } else {
                        try check(close(got, want["wait"]?.number), "step \(i): wait \(String(describing: got))")
                    }
                }
            }
        }

        let (cDefaults, channel) = try load("channel.json")
        var known: [Int64: String] = [:]
        for w in whatsappErrors() { known[w.code] = w.description }
        for v in channel {
            count += 1
            await vector("channel.json", v) {
                switch v["kind"]?.string {
                case "whatsapp":
                    let code = Int64(num(v["code"]))
                    try eq(whatsappErrorDescription(code: code), v["description"]?.string, "description")
                    if let d = v["description"]?.string { try eq(known[code], d, "table") }
                case "delivery":
                    let r = v["report"]?.object ?? [:]
                    let pid = r["provider_message_id"]?.string, at = r["at"]?.string
                    let report: DeliveryReport
                    switch r["status"]?.string {
                    case "sent": report = .sent(providerMessageId: pid, at: at)
                    case "delivered": report = .delivered(providerMessageId: pid, at: at)
                    case "read": report = .read(providerMessageId: pid, at: at)
                    default: report = .failed(code: r["code"]?.number.map { Int64($0) }, message: r["message"]?.string)
                    }
                    let config = merged(cDefaults["config"], v["config"])
                    let (client, t) = try fakeClient(config["token"]?.string, config["base_url"]?.string, captured)
                    _ = await thrown {
                        _ = try await client.sessions.messages.reportDelivery(
                            sessionId: v["session_id"]?.string ?? "", messageId: v["message_id"]?.string ?? "", report: report)
                    }
                    try eq(t.sent.count, 1, "requests sent")
                    try checkRequest(t.sent[0], v["request"]?.object ?? [:])
                case "next_page":
                    let call = v["call"]?.string ?? ""
                    let next = try ApiCall(name: call, argsJson: (v["args"] ?? .null).description)
                        .nextPage(returned: Int64(num(v["returned"])))
                    if let nextArgs = v["next_args"], !nextArgs.isNull {
                        let want = try ApiCall(name: call, argsJson: nextArgs.description)
                        try check(next == want, "next page \(String(describing: next)), want \(want)")
                    } else {
                        try check(next == nil, "next page \(String(describing: next)), want none")
                    }
                default:
                    throw Failure("unknown kind \(v["kind"] ?? .null)")
                }
            }
        }

        XCTAssertGreaterThan(count, 300, "vectors replayed")
        XCTAssert(failures.isEmpty, "\(failures.count) of \(count) vectors failed:\n" + failures.joined(separator: "\n"))
    }
}
