import Logging
import NIOConcurrencyHelpers

/// Delivers e-mail. The package ships an SMTP sender (``SMTPEmailSender``), a console
/// sender that writes the whole message to the log, and an in-memory sender for tests;
/// an app can bring its own (an HTTP API of a mail provider, say).
///
/// ```swift
/// struct PostmarkSender: EmailSender {
///     func send(_ message: EmailMessage) async throws {
///         try await client.post("https://api.postmarkapp.com/email", json: ...)
///     }
/// }
/// config.emailSender = PostmarkSender()
/// ```
public protocol EmailSender: Sendable {
    /// Delivers the message or throws; the package logs a failure and never lets it turn
    /// a request into a 500.
    func send(_ message: EmailMessage) async throws
}

/// Writes every message, whole, to the log (the demo's sender when `EMAIL_HOST` is unset).
public struct ConsoleEmailSender: EmailSender {
    let logger: Logger

    public init(logger: Logger = Logger(label: "restauth.email")) {
        self.logger = logger
    }

    public func send(_ message: EmailMessage) async throws {
        logger.notice("E-mail to \(message.to.joined(separator: ", ")):\n\(message.rendered())")
    }
}

/// Keeps every message in memory, for tests.
public final class MemoryEmailSender: EmailSender {
    private let box = NIOLockedValueBox<[EmailMessage]>([])

    public init() {}

    public func send(_ message: EmailMessage) async throws {
        box.withLockedValue { $0.append(message) }
    }

    /// Every message sent so far, oldest first.
    public var messages: [EmailMessage] { box.withLockedValue { $0 } }

    /// The messages to one address (compared without regard to case).
    public func messages(to address: String) -> [EmailMessage] {
        messages.filter { $0.to.contains { $0.lowercased() == address.lowercased() } }
    }
}
