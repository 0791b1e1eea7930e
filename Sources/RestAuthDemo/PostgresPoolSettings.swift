import NIOCore
import RestAuth

/// The PostgreSQL pool, from the environment: `DATABASE_POOL_SIZE` connections per event
/// loop (default 4), `DATABASE_POOL_TIMEOUT` seconds a request waits for a free connection
/// (default 10), `DATABASE_CONNECT_TIMEOUT` seconds to open one (default 10). TLS comes
/// from the URL: `?sslmode=disable|prefer|require|verify-full`.
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
