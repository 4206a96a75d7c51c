// The default transport: Foundation's URLSession (FoundationNetworking on
// Linux). It only moves bytes; timeouts, retries and their waits come from
// the SDK's core through the send loop.
//
// Deadlines hold under load. FoundationNetworking makes, starts and cancels
// a task synchronously on the session's own serial queue, which is also
// where it runs every connection's I/O: called from Swift's cooperative
// threads (a handful, one per core), those calls held them up behind the
// network work of hundreds of requests, and so every timer and continuation
// of the SDK's calls came late (a 1 s timeout ended after 2.5 s at the
// median under 300 concurrent calls). So nothing here blocks the calling
// thread: the session is only touched on a queue of our own, each attempt
// has its deadline on a Dispatch timer (not a Task), and its continuation is
// resumed exactly once, by whichever comes first: the response, the
// deadline, or the caller's cancellation.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Sends requests with `URLSession`. Redirects are not followed (they would
/// carry the token to another host), and a body longer than the request's
/// `maxResponseBytes()` stops being read one byte past it. Each attempt ends
/// with `HttpTransportError.Timeout` at `timeoutMs`, however busy the app's
/// tasks are.
public final class URLSessionTransport: HttpTransport, @unchecked Sendable {
    private let session: URLSession
    private let attempts: AttemptTable
    /// Where the session is called (make, resume, cancel a task): never a
    /// cooperative thread.
    private let queue = DispatchQueue(label: "com.antonnia.sdk.urlsession")

    /// A transport over a session made from `configuration` (ephemeral by
    /// default: no cookies or cache shared with the app).
    public init(configuration: URLSessionConfiguration = .ephemeral) {
        let attempts = AttemptTable()
        self.attempts = attempts
        session = URLSession(configuration: configuration, delegate: attempts, delegateQueue: nil)
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
        // The attempt's own timer ends it at `timeoutMs`; this is a backstop
        // a second later, in whole seconds because FoundationNetworking
        // truncates the interval to whole seconds (0.3 s would time out at once).
        urlRequest.timeoutInterval = (Double(max(0, timeoutMs)) / 1000).rounded(.up) + 1
        for header in request.headers {
            urlRequest.addValue(header.value, forHTTPHeaderField: header.name)
        }
        urlRequest.httpBody = request.body
        let attempt = Attempt(cap: Int(clamping: request.maxResponseBytes), timeoutMs: timeoutMs, queue: queue)
        let prepared = urlRequest
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard attempt.begin(continuation) else { return }  // cancelled already
                // `self` is kept until then: its session is invalidated when it goes.
                queue.async {
                    let task = self.session.dataTask(with: prepared)
                    // Never started when the attempt already ended: nothing is sent.
                    if self.attempts.register(task, for: attempt) { task.resume() } else { task.cancel() }
                }
            }
        } onCancel: {
            attempt.finish(.failure(HttpTransportError.Io(description: "the call was cancelled")))
        }
    }
}

/// One attempt: its continuation, its deadline, its task and what has been
/// read. `finish` resumes the continuation once; later outcomes are dropped.
private final class Attempt: @unchecked Sendable {
    let cap: Int
    private let timeoutMs: Int64
    /// The session's queue, where a task still running is cancelled.
    private let queue: DispatchQueue
    private let lock = NSLock()
    private var continuation: CheckedContinuation<HttpResponse, Error>?
    private var timer: DispatchSourceTimer?
    private var finished = false
    private(set) var task: URLSessionTask?
    var response: HTTPURLResponse?
    var body = Data()

    /// Deadlines fire on this queue: Dispatch's own threads, not Swift's pool.
    private static let timers = DispatchQueue(label: "com.antonnia.sdk.deadlines", attributes: .concurrent)

    init(cap: Int, timeoutMs: Int64, queue: DispatchQueue) {
        self.cap = cap
        self.timeoutMs = timeoutMs
        self.queue = queue
    }

    func withLock<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    /// Starts waiting: false (and the continuation resumed) when the attempt
    /// was cancelled before it began.
    func begin(_ c: CheckedContinuation<HttpResponse, Error>) -> Bool {
        lock.lock()
        if finished {
            lock.unlock()
            c.resume(throwing: HttpTransportError.Io(description: "the call was cancelled"))
            return false
        }
        continuation = c
        let timer = DispatchSource.makeTimerSource(queue: Attempt.timers)
        let ms = Int(clamping: max(0, timeoutMs))
        timer.schedule(deadline: .now() + .milliseconds(ms), leeway: .milliseconds(1))
        // The handler keeps the attempt until it fires or finish() cancels it.
        timer.setEventHandler {
            self.finish(.failure(HttpTransportError.Timeout(description: "no complete response within \(ms) ms")))
        }
        self.timer = timer
        lock.unlock()
        timer.resume()
        return true
    }

    /// Records the started task; false when the attempt has ended already.
    func attach(_ task: URLSessionTask) -> Bool {
        withLock {
            if finished { return false }
            self.task = task
            return true
        }
    }

    /// Ends the attempt with `result` (the first call only). Unless the task
    /// completed, it is cancelled on the session's queue, never on the
    /// caller's thread.
    func finish(_ result: Result<HttpResponse, Error>, completed: Bool = false) {
        lock.lock()
        if finished {
            lock.unlock()
            return
        }
        finished = true
        let (continuation, timer, task) = (self.continuation, self.timer, self.task)
        self.continuation = nil
        self.timer = nil
        lock.unlock()
        timer?.cancel()
        if let task, !completed {
            queue.async { task.cancel() }
        }
        continuation?.resume(with: result)
    }
}

/// The running attempts by task, fed by the session's delegate.
private final class AttemptTable: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var byTask: [Int: Attempt] = [:]

    /// Called on the session's queue with the task just made: false when the
    /// attempt has ended meanwhile (the task is then never started).
    func register(_ task: URLSessionTask, for attempt: Attempt) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard attempt.attach(task) else { return false }
        byTask[task.taskIdentifier] = attempt
        return true
    }

    private func attempt(_ task: URLSessionTask, remove: Bool = false) -> Attempt? {
        lock.lock()
        defer { lock.unlock() }
        return remove ? byTask.removeValue(forKey: task.taskIdentifier) : byTask[task.taskIdentifier]
    }

    private static func response(_ attempt: Attempt) -> HttpResponse {
        attempt.withLock {
            var headers: [HttpHeader] = []
            for (name, value) in attempt.response?.allHeaderFields ?? [:] {
                headers.append(HttpHeader(name: "\(name)", value: "\(value)"))
            }
            return HttpResponse(status: Int32(attempt.response?.statusCode ?? 0), headers: headers, body: attempt.body)
        }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        if let attempt = attempt(dataTask) {
            attempt.withLock { attempt.response = response as? HTTPURLResponse }
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let attempt = attempt(dataTask) else { return }
        let over = attempt.withLock { () -> Bool in
            attempt.body.append(data)
            return attempt.body.count > attempt.cap
        }
        if over {
            // Enough read to know it is too long: the core reports it.
            _ = self.attempt(dataTask, remove: true)
            attempt.finish(.success(Self.response(attempt)))
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
        guard let attempt = attempt(task, remove: true) else { return }
        guard let error else {
            attempt.finish(.success(Self.response(attempt)), completed: true)
            return
        }
        let description = (error as NSError).localizedDescription
        switch (error as? URLError)?.code {
        case .timedOut?:
            attempt.finish(.failure(HttpTransportError.Timeout(description: description)), completed: true)
        case .cannotConnectToHost?, .cannotFindHost?, .dnsLookupFailed?, .notConnectedToInternet?:
            attempt.finish(.failure(HttpTransportError.Connect(description: description)), completed: true)
        default:
            attempt.finish(.failure(HttpTransportError.Io(description: description)), completed: true)
        }
    }
}
