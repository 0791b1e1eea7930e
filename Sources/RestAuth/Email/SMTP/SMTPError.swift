/// Why a message could not be delivered over SMTP. A struct over a private enum, so cases
/// can be added without breaking callers.
public struct SMTPError: Error, CustomStringConvertible, Sendable, Equatable {
    private enum Code: Equatable, Sendable {
        case connectionFailed(String)
        case timedOut(String)
        case rejected(command: String, code: Int, message: String)
        case startTLSUnsupported
        case authUnsupported
        case connectionClosed
        case invalidAddress(String)
    }

    private let code: Code

    private init(_ code: Code) { self.code = code }

    static func connectionFailed(_ reason: String) -> SMTPError { .init(.connectionFailed(reason)) }
    static func timedOut(_ stage: String) -> SMTPError { .init(.timedOut(stage)) }
    static func rejected(command: String, code: Int, message: String) -> SMTPError {
        .init(.rejected(command: command, code: code, message: message))
    }
    static let startTLSUnsupported = SMTPError(.startTLSUnsupported)
    static let authUnsupported = SMTPError(.authUnsupported)
    static let connectionClosed = SMTPError(.connectionClosed)
    static func invalidAddress(_ address: String) -> SMTPError { .init(.invalidAddress(address)) }

    /// The server's reply code when it refused a command.
    public var replyCode: Int? {
        if case .rejected(_, let code, _) = self.code { return code }
        return nil
    }

    /// Whether the server refused a command (as opposed to the connection failing).
    public var isRejection: Bool { replyCode != nil }

    public var description: String {
        switch code {
        case .connectionFailed(let reason): "SMTP connection failed: \(reason)"
        case .timedOut(let stage): "SMTP server did not answer in time (\(stage))"
        case .rejected(let command, let code, let message): "SMTP server refused \(command): \(code) \(message)"
        case .startTLSUnsupported: "STARTTLS extension not supported by server."
        case .authUnsupported: "SMTP AUTH extension not supported by server."
        case .connectionClosed: "SMTP server closed the connection"
        case .invalidAddress(let address): "not a deliverable address: \(address.debugDescription)"
        }
    }
}
