// Cancelling a Swift Task cancels the SDK call it awaits.
//
// uniffi's Swift async calls do not forward cancellation to Rust, so the
// call is cut short through the host side of its loop instead: every async
// call runs inside an `AntonniaCallScope` (the generated
// `uniffiRustCallAsync` is wrapped by `build-swift.sh`), which wakes the
// call's timer at once when the Task is cancelled. The core's loop then
// stops waiting, drops (and so cancels) the transport's request, and sends
// nothing more; the caller gets `CancellationError`.
import Foundation

/// One SDK call's cancellation state, visible to the timer and the default
/// transport through a task-local (uniffi runs them in unstructured tasks
/// started from the caller's task, which inherit task-locals).
final class AntonniaCallScope: @unchecked Sendable {
    @TaskLocal static var current: AntonniaCallScope?

    private let lock = NSLock()
    private var cancelled = false
    private var wakers: [UInt64: @Sendable () -> Void] = [:]
    private var nextKey: UInt64 = 0

    var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    func cancel() {
        lock.lock()
        cancelled = true
        let pending = wakers
        wakers = [:]
        lock.unlock()
        for wake in pending.values { wake() }
    }

    /// Runs `wake` on cancellation; `nil` (and `wake` not kept) when the
    /// scope is already cancelled.
    func onCancel(_ wake: @escaping @Sendable () -> Void) -> UInt64? {
        lock.lock()
        defer { lock.unlock() }
        if cancelled { return nil }
        nextKey += 1
        wakers[nextKey] = wake
        return nextKey
    }

    func forget(_ key: UInt64?) {
        guard let key else { return }
        lock.lock()
        wakers.removeValue(forKey: key)
        lock.unlock()
    }

    /// Runs one async SDK call so that cancelling the current Task ends it.
    static func run<T>(_ call: () async throws -> T) async throws -> T {
        let scope = AntonniaCallScope()
        do {
            return try await withTaskCancellationHandler {
                try await $current.withValue(scope) { try await call() }
            } onCancel: {
                scope.cancel()
            }
        } catch {
            if scope.isCancelled { throw CancellationError() }
            throw error
        }
    }
}

/// The default timer: a Dispatch timer, woken early when the call is
/// cancelled. (Not `Task.sleep`: a timer whose wake-up first needs a
/// cooperative thread to start it came late whenever the app's tasks kept
/// those threads busy, and with it every deadline of the SDK.)
public final class TaskSleeper: Sleeper, @unchecked Sendable {
    /// A timer.
    public init() {}

    private static let queue = DispatchQueue(label: "com.antonnia.sdk.timers", attributes: .concurrent)

    public func sleep(millis: Int64) async {
        let scope = AntonniaCallScope.current
        if scope?.isCancelled == true { return }
        let wait = OneShot()
        let timer = DispatchSource.makeTimerSource(queue: TaskSleeper.queue)
        timer.schedule(deadline: .now() + .milliseconds(Int(clamping: max(0, millis))), leeway: .milliseconds(1))
        timer.setEventHandler { wait.fire() }
        let key = scope?.onCancel { wait.fire() }
        if scope != nil && key == nil { wait.fire() }
        timer.resume()
        await withTaskCancellationHandler {
            await wait.value()
        } onCancel: {
            wait.fire()
        }
        timer.cancel()
        scope?.forget(key)
    }
}

/// A wait that ends once, at the first `fire()` (before or after `value()`
/// began waiting).
private final class OneShot: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false
    private var waiter: CheckedContinuation<Void, Never>?

    func fire() {
        lock.lock()
        fired = true
        let waiter = self.waiter
        self.waiter = nil
        lock.unlock()
        waiter?.resume()
    }

    func value() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            lock.lock()
            if fired {
                lock.unlock()
                c.resume()
                return
            }
            waiter = c
            lock.unlock()
        }
    }
}
