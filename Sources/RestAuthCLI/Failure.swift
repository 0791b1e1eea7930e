import Foundation
import RestAuthClient

/// A failure of the tool itself (no server given, no input left), reported as its text.
struct CLIError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}

/// How failures are shown: on standard error, the server's message first, then its errors
/// by field, one per line; the command then exits with status 1.
enum Failure {
    /// Prints `error` when it is one the tool explains (``RestAuthError``, ``CLIError``);
    /// `false` leaves it to ArgumentParser (usage errors, `ExitCode`).
    static func report(_ error: any Error) -> Bool {
        let lines: [String]
        switch error {
        case let error as RestAuthError: lines = Self.lines(for: error)
        case let error as CLIError: lines = [error.description]
        default: return false
        }
        for line in lines { Terminal.error(line) }
        return true
    }

    /// The lines that explain `error`:
    ///
    /// ```
    /// The request was refused.
    ///   new_password2: This password is too short. It must contain at least 8 characters.
    ///   new_password2: This password is too common.
    /// ```
    ///
    /// `RestAuthError.message` heads them, except when it is itself the first field error
    /// (a refusal with field errors only): then a plain sentence does, so that the field's
    /// message is not printed twice.
    static func lines(for error: RestAuthError) -> [String] {
        switch error {
        case .notSignedIn:
            return ["Not signed in: run `restauth login --server URL`"]
        case .unauthorized, .sessionExpired:
            // The client has forgotten the credential the server refused.
            return [error.message, "Sign in again: run `restauth login`"]
        case .notFound:
            return [
                error.message,
                "Check the server URL: it is the API's base (such as https://example.com/dj-rest-auth/), "
                    + "and the server must have this feature turned on.",
            ]
        case .invalid(let errors):
            var lines: [String] = []
            let fromFields = errors.nonFieldErrors.isEmpty && errors.detail == nil && !errors.fields.isEmpty
            lines.append(fromFields ? "The request was refused." : error.message)
            lines += errors.nonFieldErrors.dropFirst().map { "  \($0)" }
            for (name, fieldError) in errors.fields.sorted(by: { $0.key < $1.key }) {
                lines += fieldError.messages.map { "  \(name): \($0)" }
            }
            return lines
        default:
            return [error.message]
        }
    }
}
