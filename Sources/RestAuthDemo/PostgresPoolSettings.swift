import FluentPostgresDriver
import Foundation
import NIOCore
import NIOSSL
import RestAuth

/// The PostgreSQL pool, from the environment: `DATABASE_POOL_SIZE` connections per event
/// loop (default 4), `DATABASE_POOL_TIMEOUT` seconds a request waits for a free connection
/// (default 10), `DATABASE_CONNECT_TIMEOUT` seconds to open one (default 10). TLS comes
/// from the URL: `?sslmode=disable|prefer|require|verify-full`; the server's certificate is
/// always verified (with `require` too, where libpq would not), against the system's CAs or
/// the one in `DATABASE_SSLROOTCERT` (or the URL's `sslrootcert=`), a managed database's
/// private CA for instance.
struct PostgresPoolSettings: Equatable {
    var connectionsPerEventLoop = 4
    var poolTimeout: TimeAmount = .seconds(10)
    var connectTimeout: TimeAmount = .seconds(10)

    init(environment env: [String: String]) throws {
        func number(_ name: String, range: ClosedRange<Double>) throws -> Double? {
            guard let text = env[name], !text.isEmpty else { return nil }
            guard let value = Double(text), range.contains(value) else {
                throw ConfigurationError(
                    setting: name,
                    message:
                        "expected a number from \(range.lowerBound) to \(range.upperBound), got \(text.debugDescription)"
                )
            }
            return value
        }
        if let size = try number("DATABASE_POOL_SIZE", range: 1...1000) {
            guard size == size.rounded() else {
                throw ConfigurationError(setting: "DATABASE_POOL_SIZE", message: "expected a whole number")
            }
            connectionsPerEventLoop = Int(size)
        }
        if let seconds = try number("DATABASE_POOL_TIMEOUT", range: 0.001...3600) {
            poolTimeout = .milliseconds(Int64(seconds * 1000))
        }
        if let seconds = try number("DATABASE_CONNECT_TIMEOUT", range: 0.001...3600) {
            connectTimeout = .milliseconds(Int64(seconds * 1000))
        }
    }
}

extension PostgresPoolSettings {
    /// Trusts the CA certificate (PEM) at `path` for the database's TLS.
    static func trustRootCertificate(_ path: String?, in configuration: inout SQLPostgresConfiguration) throws {
        guard let path, !path.isEmpty else { return }
        let tls = configuration.coreConfiguration.tls
        guard tls.isAllowed else {
            throw ConfigurationError(
                setting: "DATABASE_SSLROOTCERT", message: "needs TLS: sslmode=prefer, require or verify-full")
        }
        do {
            var settings = TLSConfiguration.makeClientConfiguration()
            settings.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
            let context = try NIOSSLContext(configuration: settings)
            configuration.coreConfiguration.tls = tls.isEnforced ? .require(context) : .prefer(context)
        } catch {
            throw ConfigurationError(
                setting: "DATABASE_SSLROOTCERT", message: "\(path) is not a readable PEM certificate: \(error)")
        }
    }

    /// A query parameter of a URL (`sslrootcert`, which the PostgreSQL driver does not read).
    static func queryValue(_ name: String, in url: String) -> String? {
        URLComponents(string: url)?.queryItems?.last { $0.name == name }?.value
    }
}
