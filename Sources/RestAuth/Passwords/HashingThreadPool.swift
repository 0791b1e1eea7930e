import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// Threads that do nothing but compute password hashes.
///
/// Hashes never run on an event loop, and not on the application's blocking pool either,
/// where they would queue in front of database work. The threads run at a lower
/// scheduling priority (nice 10), so that under a storm of logins the event loops still
/// get the CPU when they need it and authenticated requests keep their latency.
public final class HashingThreadPool: Sendable {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var head = 0
        var stopped = false
    }

    private let state = NIOLockedValueBox(State())
    private let available = DispatchSemaphore(value: 0)
    public let threadCount: Int

    public init(threads: Int, niceness: Int32 = 10) {
        self.threadCount = max(1, threads)
        for index in 0..<threadCount {
            let thread = Thread { [self] in
                Self.lowerPriority(by: niceness)
                self.work()
            }
            thread.name = "restauth-hash-\(index)"
            thread.start()
        }
    }

    private static func lowerPriority(by niceness: Int32) {
        #if os(Linux)
            // On Linux a "process" priority with who = 0 applies to the calling thread only.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
        #endif
    }

    private func work() {
        while true {
            available.wait()
            let job: (@Sendable () -> Void)? = state.withLockedValue { state in
                if state.head < state.jobs.count {
                    let job = state.jobs[state.head]
                    state.head += 1
                    if state.head > 64 && state.head * 2 > state.jobs.count {
                        state.jobs.removeFirst(state.head)
                        state.head = 0
                    }
                    return job
                }
                return nil
            }
            guard let job else { return }  // woken with no job: shutting down
            job()
        }
    }

    /// Runs `work` on one of the pool's threads and returns its result.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let accepted = state.withLockedValue { state -> Bool in
                guard !state.stopped else { return false }
                state.jobs.append { continuation.resume(with: Result { try work() }) }
                return true
            }
            if accepted {
                available.signal()
            } else {
                continuation.resume(throwing: CancellationError())
            }
        }
    }

    /// Lets queued work finish, then stops the threads.
    public func shutdown() {
        let alreadyStopped = state.withLockedValue { state -> Bool in
            defer { state.stopped = true }
            return state.stopped
        }
        guard !alreadyStopped else { return }
        for _ in 0..<threadCount { available.signal() }
    }
}
