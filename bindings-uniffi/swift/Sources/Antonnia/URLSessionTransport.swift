// The default transport: Foundation's URLSession (FoundationNetworking on
// Linux). It only moves bytes; timeouts, retries and their waits come from
// the SDK's core through the send loop.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Sends requests with `URLSession`. Redirects are not followed (they would
/// carry the token to another host), and a body longer than the request's
/// `maxResponseBytes()` stops being read one byte past it.
public final class URLSessionTransport: HttpTransport, @unchecked Sendable {
    private let session: URLSession
    private let tasks: TaskTable

    /// A transport over a session made from `configuration` (ephemeral by
    /// default: no cookies or cache shared with the app).
    public init(configuration: URLSessionConfiguration = .ephemeral) {
        let tasks = TaskTable()
        self.tasks = tasks
        session = URLSession(configuration: configuration, delegate: tasks, delegateQueue: nil)
    }

    deinit {
        session.invalidateAndCancel()
    }

    public func send(request: HttpRequest, timeoutMs: Int64) async throws -> HttpResponse {
        guard let url = URL(string: request.url) else {
            throw HttpTransportError.Io(description: "not a URL: \(request.url)")
        }
        if AntonniaCallScope.current?.isCancelled == true {
            throw HttpTransportError.Io(description: "the call was cancelled")
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method
        // The core's loop ends the attempt at `timeoutMs` itself; this is a
        // backstop a second later, in whole seconds because FoundationNetworking
        // truncates the interval to whole seconds (0.3 s would time out at once).
        urlRequest.timeoutInterval = (Double(max(0, timeoutMs)) / 1000).rounded(.up) + 1
        for header in request.headers {
            urlRequest.addValue(header.value, forHTTPHeaderField: header.name)
        }
        urlRequest.httpBody = request.body
        let task = session.dataTask(with: urlRequest)
        let cap = Int(clamping: request.maxResponseBytes)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                tasks.start(task, cap: cap, continuation: continuation)
            }
        } onCancel: {
            task.cancel()
        }
    }
}

/// Each running task's body and continuation, fed by the session's delegate.
private final class TaskTable: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private struct Entry {
        var continuation: CheckedContinuation<HttpResponse, Error>
        var cap: Int
        var response: HTTPURLResponse?
        var body = Data()
    }

    private let lock = NSLock()
    private var entries: [Int: Entry] = [:]

    func start(_ task: URLSessionDataTask, cap: Int, continuation: CheckedContinuation<HttpResponse, Error>) {
        lock.lock()
        entries[task.taskIdentifier] = Entry(continuation: continuation, cap: cap)
        lock.unlock()
        task.resume()
    }

    private func take(_ task: URLSessionTask) -> Entry? {
        lock.lock()
        defer { lock.unlock() }
        return entries.removeValue(forKey: task.taskIdentifier)
    }

    private static func response(_ entry: Entry) -> HttpResponse {
        var headers: [HttpHeader] = []
        for (name, value) in entry.response?.allHeaderFields ?? [:] {
            headers.append(HttpHeader(name: "\(name)", value: "\(value)"))
        }
        return HttpResponse(status: Int32(entry.response?.statusCode ?? 0), headers: headers, body: entry.body)
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        lock.lock()
        entries[dataTask.taskIdentifier]?.response = response as? HTTPURLResponse
        lock.unlock()
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        var over: Entry?
        if var entry = entries[dataTask.taskIdentifier] {
            entry.body.append(data)
            if entry.body.count > entry.cap {
                // Enough read to know it is too long: the core reports it.
                entries.removeValue(forKey: dataTask.taskIdentifier)
                over = entry
            } else {
                entries[dataTask.taskIdentifier] = entry
            }
        }
        lock.unlock()
        if let over {
            dataTask.cancel()
            over.continuation.resume(returning: Self.response(over))
        }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        // The 3xx itself is the answer: following it would send the token on.
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        guard let entry = take(task) else { return }
        guard let error else {
            entry.continuation.resume(returning: Self.response(entry))
            return
        }
        let description = (error as NSError).localizedDescription
        switch (error as? URLError)?.code {
        case .timedOut?:
            entry.continuation.resume(throwing: HttpTransportError.Timeout(description: description))
        case .cannotConnectToHost?, .cannotFindHost?, .dnsLookupFailed?, .notConnectedToInternet?:
            entry.continuation.resume(throwing: HttpTransportError.Connect(description: description))
        default:
            entry.continuation.resume(throwing: HttpTransportError.Io(description: description))
        }
    }
}
