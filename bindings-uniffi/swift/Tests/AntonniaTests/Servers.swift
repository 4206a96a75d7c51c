// The servers the end-to-end tests talk to: antonnia-sandbox as a child
// process, and a loopback socket server of our own that either never
// answers (a stalled server) or answers every request with a canned
// response while recording what it was sent. Each is stopped by its test.
import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// antonnia-sandbox on a free loopback port (`--port 0`), stopped by `stop()`.
final class Sandbox {
    let process = Process()
    let baseUrl: String

    static var binary: String {
        ProcessInfo.processInfo.environment["ANTONNIA_SANDBOX_BIN"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../lib/antonnia-sandbox").standardized.path
    }

    init(_ args: [String] = []) throws {
        guard FileManager.default.isExecutableFile(atPath: Sandbox.binary) else {
            throw Failure("no sandbox at \(Sandbox.binary): run scripts/ci/test-swift.sh, which builds it")
        }
        let out = Pipe()
        process.executableURL = URL(fileURLWithPath: Sandbox.binary)
        process.arguments = ["--port", "0", "--time-scale", "0.01"] + args
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "listening on ") else {
            process.terminate()
            throw Failure("the sandbox said \(text.debugDescription)")
        }
        baseUrl = String(text[range.upperBound...].prefix { !$0.isWhitespace })
        // Whatever else it prints is drained so that it never blocks on a full pipe.
        let reader = out.fileHandleForReading
        Thread.detachNewThread { _ = reader.readDataToEndOfFile() }
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}

/// A one-shot event a test can wait for from async code.
final class Signal: @unchecked Sendable {
    private let condition = NSCondition()
    private var fired = false

    func fire() {
        condition.lock()
        fired = true
        condition.broadcast()
        condition.unlock()
    }

    /// True when it fired within `seconds`.
    func wait(_ seconds: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !fired {
            if !condition.wait(until: deadline) { return fired }
        }
        return true
    }

    func waitAsync(_ seconds: Double) async -> Bool {
        await withCheckedContinuation { c in
            Thread.detachNewThread { c.resume(returning: self.wait(seconds)) }
        }
    }
}

/// A loopback HTTP server on raw sockets. With `answer` nil it accepts,
/// reads, and never answers; `closed` fires when a client closes its end
/// (a cancelled or timed-out call must). With `answer` it replies to each
/// request with that full HTTP response and records the request's head.
final class LoopbackServer: @unchecked Sendable {
    let accepted = Signal()
    let closed = Signal()
    let port: UInt16
    private let listener: Int32
    private let answer: String?
    private let lock = NSLock()
    private var heads: [String] = []

    var url: String { "http://127.0.0.1:\(port)/conversations/v2/api/v1" }
    var requests: [String] { lock.withLock { heads } }

    init(answer: String? = nil) throws {
        self.answer = answer
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure("socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr = in_addr(s_addr: UInt32(0x7f00_0001).bigEndian)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Bool in
                bind(fd, p, length) == 0 && listen(fd, 1024) == 0 && getsockname(fd, p, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw Failure("bind/listen: \(errno)")
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            accepted.fire()
            Thread.detachNewThread { [self] in serve(client) }
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        var head = Data()
        while true {
            let n = recv(client, &buffer, buffer.count, 0)
            if n <= 0 {
                closed.fire()
                return
            }
            guard let answer else { continue }
            head.append(contentsOf: buffer[0..<n])
            if let end = head.range(of: Data("\r\n\r\n".utf8)) {
                lock.withLock { heads.append(String(decoding: head[..<end.lowerBound], as: UTF8.self)) }
                let bytes = Array(answer.utf8)
                _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, bytes.count, 0) }
                return
            }
        }
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}

/// An HTTP/1.1 response with a JSON body, closing the connection.
func httpResponse(_ status: Int, _ json: String) -> String {
    "HTTP/1.1 \(status) X\r\ncontent-type: application/json\r\ncontent-length: \(json.utf8.count)\r\nconnection: close\r\n\r\n\(json)"
}
