import Foundation
import Logging
import RestAuth

/// `SECRET_KEY` from the environment; when unset, one generated on the first start and
/// kept in a file beside the SQLite database (or in the working directory), so sessions,
/// reset links and tokens signed with it survive a restart.
enum SecretKeyFile {
    static func path(for database: DatabaseURL) -> String {
        if case .sqlite(let path) = database { return path + ".secret_key" }
        return ".restauth.secret_key"
    }

    static func secretKey(environment: [String: String], database: DatabaseURL, logger: Logger) throws -> String {
        if let key = environment["SECRET_KEY"], !key.isEmpty { return key }
        let file = path(for: database)
        if let stored = try? String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines),
            !stored.isEmpty
        {
            logger.warning("SECRET_KEY is not set; using the key stored in \(file)")
            return stored
        }
        let generated = (0..<50).map { _ in
            "abcdefghijklmnopqrstuvwxyz0123456789!@#%^&*(-_=+)".randomElement()!
        }
        let key = String(generated)
        do {
            try key.write(toFile: file, atomically: true, encoding: .utf8)
            _ = chmod(file, 0o600)
        } catch {
            throw ConfigurationError(
                setting: "SECRET_KEY", message: "is not set and \(file) cannot be written: \(error)")
        }
        logger.warning("SECRET_KEY is not set; generated one and stored it in \(file). Set SECRET_KEY in production.")
        return key
    }
}
