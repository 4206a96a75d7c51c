// The Swift overhead figures of BENCHMARKS.md (run by
// bindings-uniffi/scripts/bench-swift.sh): one webhook parse and one
// build + parse round trip across the FFI, and a full `sessions.get` against
// the release sandbox ($ANTONNIA_BASE_URL) next to a raw URLSession call
// parsed with JSONSerialization. Medians of rounds, in µs per operation.
import Antonnia
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

/// µs per call of `body`, the median of `rounds` rounds of `n` calls.
func measure(rounds: Int = 7, _ n: Int, _ body: () throws -> Void) rethrows -> Double {
    for _ in 0..<max(1, n / 10) { try body() }
    var perRound: [Double] = []
    for _ in 0..<rounds {
        let t0 = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<n { try body() }
        perRound.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1000 / Double(n))
    }
    return median(perRound)
}

func measureAsync(rounds: Int = 9, _ n: Int, _ body: () async throws -> Void) async rethrows -> Double {
    for _ in 0..<max(1, n / 10) { try await body() }
    var perRound: [Double] = []
    for _ in 0..<rounds {
        let t0 = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<n { try await body() }
        perRound.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1000 / Double(n))
    }
    return median(perRound)
}

func row(_ what: String, _ us: Double, target: Double? = nil) {
    let verdict = target.map { us <= $0 ? " (target ≤ \($0) µs: met)" : " (target ≤ \($0) µs: missed)" } ?? ""
    print(what.padding(toLength: 72, withPad: " ", startingAt: 0) + String(format: "%9.2f µs", us) + verdict)
}

let env = ProcessInfo.processInfo.environment
let fixtures = env["ANTONNIA_FIXTURES"] ?? "tests/fixtures"
let body = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/message_created_410.json"))
precondition(body.count == 410, "the benchmark body is 410 bytes")

let receiver = try WebhookReceiver(secret: nil, verify: false)
let event = try receiver.receive(body: body, headers: [:])
precondition(event.eventType == "message.created", "the body parses as message.created")
row("one webhook parse (WebhookReceiver(verify: false).receive, 410 bytes)", try measure(20_000) {
    _ = try receiver.receive(body: body, headers: [:])
}, target: 20)

let canned = Data(#"{"id":"msg_1","session_id":"sess_1","role":"user","content":{"type":"text","text":"hi"},"delivery_status":"pending","created_at":"2025-01-15T10:30:00Z"}"#.utf8)
let settings = RetrySettings(maxAttempts: 1, initialBackoff: 0.5, maxBackoff: 8, maxRetryAfter: 60)
let args = #"{"session_id":"sess_1","content":{"type":"text","text":"hi"}}"#
row("one build + parse round trip (ApiCall + CallExchange + onResponse)", try measure(10_000) {
    let exchange = try CallExchange(
        call: ApiCall(name: "messages.create", argsJson: args), token: "sk_test_bench", baseUrl: nil,
        settings: settings, timeout: 60, totalTimeout: nil, maxResponseBytes: 10 << 20)
    guard case .done = try exchange.onResponse(status: 201, headers: [], body: canned, elapsed: 0, now: 0, jitter: 0.5)
    else { fatalError("not done") }
}, target: 20)

/// Answers every request at once with the same session: the SDK's own cost
/// of a call (the async loop, the host callbacks, the timer) without HTTP.
final class CannedTransport: HttpTransport, @unchecked Sendable {
    let body = Data(#"{"id":"sess_1","contact_id":"c","status":"open","metadata":{}}"#.utf8)
    func send(request: HttpRequest, timeoutMs: Int64) async throws -> HttpResponse {
        HttpResponse(status: 200, headers: [HttpHeader(name: "content-type", value: "application/json")], body: body)
    }
}
let inProcess = try Client(token: "sk_test_bench", transport: CannedTransport())
row("client.sessions.get over an in-process transport (no HTTP)", try await measureAsync(2_000) {
    let got = try await inProcess.sessions.get(sessionId: "sess_1")
    precondition(got.id == "sess_1")
})

guard let base = env["ANTONNIA_BASE_URL"] else {
    print("ANTONNIA_BASE_URL unset: no HTTP rows")
    exit(0)
}
let client = try Client(token: "sk_test_sandbox", baseUrl: base)
let session = try await client.sessions.create(contactId: "bench", contactName: "Bench")
let raw = URLSession(configuration: .ephemeral)
var request = URLRequest(url: URL(string: "\(base)/sessions/\(session.id)")!)
request.addValue("Bearer sk_test_sandbox", forHTTPHeaderField: "Authorization")
request.addValue("application/json", forHTTPHeaderField: "Accept")

var sdkRounds: [Double] = []
var rawRounds: [Double] = []
for _ in 0..<9 {
    // Interleaved so that load on the machine hits both sides alike.
    sdkRounds.append(try await measureAsync(rounds: 1, 200) {
        let got = try await client.sessions.get(sessionId: session.id)
        precondition(got.id == session.id)
    })
    rawRounds.append(try await measureAsync(rounds: 1, 200) {
        let (data, response) = try await raw.data(for: request)
        precondition((response as? HTTPURLResponse)?.statusCode == 200)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        precondition(object?["id"] as? String == session.id)
    })
}
let sdk = median(sdkRounds), plain = median(rawRounds)
row("sessions.get over loopback, the SDK (URLSessionTransport)", sdk)
row("the same request, raw URLSession + JSONSerialization", plain)
print(String(format: "ratio %.2f× (target ≤ 1.10×: %@)", sdk / plain, sdk / plain <= 1.10 ? "met" : "missed"))
