// Shared test helpers: a fake transport, checks with messages, and the
// fixtures directory.
import Foundation
import XCTest

@testable import Antonnia

let fixtures = URL(
    fileURLWithPath: ProcessInfo.processInfo.environment["ANTONNIA_FIXTURES"]
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../../tests/fixtures").standardized.path)

/// A failed expectation inside a vector or a scenario, with what went wrong.
struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func check(_ ok: Bool, _ what: @autoclosure () -> String) throws {
    if !ok { throw Failure(what()) }
}

func eq<T: Equatable>(_ got: T, _ want: T, _ what: String) throws {
    if got != want { throw Failure("\(what): got \(got), want \(want)") }
}

/// A transport answering every request with `respond`, recording what was sent.
final class FakeTransport: HttpTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [HttpRequest] = []
    let respond: @Sendable (HttpRequest) throws -> HttpResponse

    init(_ respond: @escaping @Sendable (HttpRequest) throws -> HttpResponse) { self.respond = respond }

    var sent: [HttpRequest] { lock.withLock { requests } }

    func send(request: HttpRequest, timeoutMs: Int64) async throws -> HttpResponse {
        lock.withLock { requests.append(request) }
        return try respond(request)
    }
}

/// What `body` threw, or nil when it returned.
func thrown(_ body: () async throws -> Void) async -> Error? {
    do {
        try await body()
        return nil
    } catch {
        return error
    }
}

func thrownSync(_ body: () throws -> Void) -> Error? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}
