import ArgumentParser
import Foundation
import RestAuthClient

/// The options every command takes: which server, and where its credential is kept.
///
/// The server is `--server`, else `$RESTAUTH_SERVER`, else the one the last successful
/// `restauth login` saved in ``Settings/lastServerFile``. The credential file is
/// `--credentials`, else `FileCredentialStore.standard(name: "<host>_<port>")`.
struct GlobalOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The API's base URL, e.g. https://example.com/dj-rest-auth/ (default: $RESTAUTH_SERVER, else the server "
                + "of the last login).",
            valueName: "url"))
    var server: String?

    @Option(
        help: ArgumentHelp(
            "The file that keeps the credential (default: ~/.config/restauth/<host>_<port>.json).",
            valueName: "path"))
    var credentials: String?

    /// The server to talk to.
    /// - Throws: ``CLIError`` when none is given anywhere, or the text is not an http(s) URL.
    func serverURL() throws -> URL {
        if let server { return try Self.parseServer(server, from: "--server") }
        if let server = ProcessInfo.processInfo.environment["RESTAUTH_SERVER"], !server.isEmpty {
            return try Self.parseServer(server, from: "RESTAUTH_SERVER")
        }
        if let server = Settings.lastServer() {
            return try Self.parseServer(server, from: Settings.lastServerFile.path)
        }
        throw CLIError(
            "No server: pass --server URL or set RESTAUTH_SERVER (`restauth login --server URL` remembers it).")
    }

    /// Where the credential for `server` is kept.
    func store(for server: URL) -> FileCredentialStore {
        if let credentials {
            let path = (credentials as NSString).expandingTildeInPath
            return FileCredentialStore(url: URL(fileURLWithPath: path))
        }
        return FileCredentialStore.standard(name: Self.storeName(for: server))
    }

    /// A client for `server` with its saved credential; `mode` forces how to authenticate.
    func makeClient(server: URL, mode: AuthMode? = nil) -> AuthClient {
        AuthClient(
            baseURL: server, store: store(for: server), configuration: AuthClient.Configuration(mode: mode))
    }

    /// A client for ``serverURL()`` with its saved credential.
    func makeClient() throws -> AuthClient {
        makeClient(server: try serverURL())
    }

    /// `<host>_<port>`, the port being the scheme's when the URL names none.
    static func storeName(for server: URL) -> String {
        let port = server.port ?? (server.scheme?.lowercased() == "https" ? 443 : 80)
        return "\(server.host ?? "localhost")_\(port)"
    }

    static func parseServer(_ text: String, from source: String) throws -> URL {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty
        else {
            throw CLIError("Not an http(s) URL (\(source)): \(text)")
        }
        return url
    }
}

/// The tool's own settings, beside the credential files: `~/.config/restauth/`, or
/// `$XDG_CONFIG_HOME/restauth/`.
enum Settings {
    /// The directory, as `FileCredentialStore.standard(name:)` chooses it.
    static var directory: URL {
        let environment = ProcessInfo.processInfo.environment
        let base =
            environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config")
        return base.appendingPathComponent("restauth")
    }

    /// The server of the last successful login, one URL on one line.
    static var lastServerFile: URL { directory.appendingPathComponent("last-server") }

    /// The server the last login saved, if any.
    static func lastServer() -> String? {
        guard let data = try? Data(contentsOf: lastServerFile) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// Remembers `server` for the commands run without `--server`.
    static func saveLastServer(_ server: URL) throws {
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try Data((server.absoluteString + "\n").utf8).write(to: lastServerFile, options: .atomic)
    }
}
