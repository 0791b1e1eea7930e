import Foundation
import Logging
import NIOConcurrencyHelpers

/// Every log line of the process, kept in memory, for tests that check what is logged
/// (that no password, token or key ever is). swift-log is bootstrapped once per process:
/// the first use installs the capture for every logger made afterwards, at trace level,
/// still printing lines at `printLevel` and above.
///
/// ```swift
/// let capture = LogCapture.shared
/// let mark = capture.mark()
/// // ... run the flows ...
/// #expect(capture.lines(since: mark).allSatisfy { !$0.contains(secret) })
/// ```
public final class LogCapture: Sendable {
    public static let shared = LogCapture()

    private let storage = NIOLockedValueBox<[String]>([])
    /// Lines at or above this level also go to standard error.
    public let printLevel: Logger.Level = .notice

    private init() {
        let capture = self
        LoggingSystem.bootstrap { label in
            MultiplexLogHandler([
                CapturingLogHandler(label: label, capture: capture),
                {
                    var handler = StreamLogHandler.standardError(label: label)
                    handler.logLevel = capture.printLevel
                    return handler
                }(),
            ])
        }
    }

    /// Where the capture stands now, for ``lines(since:)``.
    public func mark() -> Int { storage.withLockedValue { $0.count } }

    /// The lines logged after `mark`, each with its level, label, message and metadata.
    public func lines(since mark: Int = 0) -> [String] {
        storage.withLockedValue { Array($0[min(mark, $0.count)...]) }
    }

    fileprivate func append(_ line: String) {
        storage.withLockedValue { $0.append(line) }
    }
}

private struct CapturingLogHandler: LogHandler {
    let label: String
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        let rendered = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        capture.append("\(event.level) \(label): \(event.message) \(rendered)")
    }
}
