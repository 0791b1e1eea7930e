import Foundation
import JWTKit
import Logging
import NIOConcurrencyHelpers
import Vapor

/// simplejwt's `JWK_URL`: the public keys of a JWKS document, for tokens whose header
/// names one of them by `kid`, as PyJWT's `PyJWKClient` finds them. The set is fetched
/// when a token first needs it and kept for ``lifespan``; a token naming a key id the set
/// lacks makes it fetched again, at most once every ``cooldown`` (so tokens with made-up
/// key ids cannot make the server flood the key server), and so does a stale set. Only
/// one fetch runs at a time; the requests that need it wait for it. When a fetch fails
/// the keys already held keep working until one succeeds.
///
/// Only the keys that fit `ALGORITHM` are kept (its key type and curve; the key's own
/// `alg`, when it names one, must be the same; `use` absent or `sig`), as PyJWT refuses a
/// key of another algorithm.
final class JWKSKeys: Sendable {
    /// PyJWKClient's `lifespan`: how long a fetched set is used.
    static let lifespan: TimeInterval = 300
    /// PyJWKClient's `cooldown_duration`: the shortest time between two fetches.
    static let cooldown: TimeInterval = 30
    /// A larger document is refused.
    static let maximumBody = 1 << 20

    let url: String
    let algorithm: JWTAlgorithm
    private let fetchDocument: @Sendable () async throws -> [UInt8]
    private let logger: Logger

    private struct State {
        var keys: [String: any JWTKit.JWTAlgorithm] = [:]
        /// The last fetch that succeeded, and the last one tried.
        var fetchedAt: Date?
        var attemptedAt: Date?
        var inFlight: Task<Void, Never>?
        var fetches = 0
    }
    private let state = NIOLockedValueBox(State())

    init(
        url: String, algorithm: JWTAlgorithm, logger: Logger,
        fetch: @escaping @Sendable () async throws -> [UInt8]
    ) {
        self.url = url
        self.algorithm = algorithm
        self.logger = logger
        self.fetchDocument = fetch
    }

    /// Keys fetched with an application's HTTP client (`app.client`, AsyncHTTPClient).
    convenience init(url: String, algorithm: JWTAlgorithm, application: Application) {
        let uri = URI(string: url)
        self.init(url: url, algorithm: algorithm, logger: application.logger) { [weak application] in
            guard let application else { throw Abort(.serviceUnavailable) }
            let response = try await application.client.get(uri) { request in
                request.headers.replaceOrAdd(name: .accept, value: "application/json")
                request.timeout = .seconds(30)
            }
            guard response.status == .ok else { throw JWKSError("answered \(response.status.code)") }
            guard let body = response.body, body.readableBytes <= Self.maximumBody else {
                throw JWKSError("answered no document, or one over \(Self.maximumBody) bytes")
            }
            return Array(body.readableBytesView)
        }
    }

    struct JWKSError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    enum Lookup {
        case key(any JWTKit.JWTAlgorithm)
        /// The set lacks the key, and may not be fetched again yet.
        case missing
        /// The set is stale or lacks the key, and may be fetched.
        case fetch
    }

    /// The key with this id as the cache has it, without waiting.
    func cached(_ kid: String, now: Date = Date()) -> Lookup {
        state.withLockedValue { state in
            let key = state.keys[kid]
            let fresh = state.fetchedAt.map { now.timeIntervalSince($0) < Self.lifespan } ?? false
            if let key, fresh { return .key(key) }
            if state.attemptedAt.map({ now.timeIntervalSince($0) >= Self.cooldown }) ?? true { return .fetch }
            return key.map(Lookup.key) ?? .missing
        }
    }

    /// The key with this id, fetching the set first when the cache is stale or lacks it
    /// and ``cooldown`` allows; nil when the set (as last fetched) has no such key.
    func key(_ kid: String) async -> (any JWTKit.JWTAlgorithm)? {
        switch cached(kid) {
        case .key(let key): return key
        case .missing: return nil
        case .fetch:
            await refresh()
            if case .key(let key) = cached(kid) { return key }
            return nil
        }
    }

    /// Fetches the set, or waits for the fetch under way.
    func refresh() async {
        let task = state.withLockedValue { state in
            if let running = state.inFlight { return running }
            let task = Task { await self.fetch() }
            state.inFlight = task
            return task
        }
        await task.value
    }

    /// How many fetches were made (for tests).
    var fetchCount: Int { state.withLockedValue { $0.fetches } }

    /// Moves the cache's memory back in time (tests pass the lifespan or the cooldown).
    func age(by seconds: TimeInterval) {
        state.withLockedValue { state in
            state.fetchedAt?.addTimeInterval(-seconds)
            state.attemptedAt?.addTimeInterval(-seconds)
        }
    }

    private func fetch() async {
        var keys: [String: any JWTKit.JWTAlgorithm]?
        do {
            keys = try await Self.keys(in: try await fetchDocument(), for: algorithm)
            if keys?.isEmpty == true {
                logger.warning(
                    "SIMPLE_JWT_JWK_URL: the key set at \(url) has no signing key with a kid for \(algorithm.rawValue)")
            }
        } catch {
            logger.warning("SIMPLE_JWT_JWK_URL: the key set at \(url) could not be fetched: \(error)")
        }
        state.withLockedValue { state in
            state.fetches += 1
            state.attemptedAt = Date()
            state.inFlight = nil
            if let keys {
                state.keys = keys
                state.fetchedAt = Date()
            }
        }
    }

    /// The keys of a JWKS document that fit `algorithm`, by key id (the first of a
    /// repeated id, as PyJWT's `match_kid` takes it); keys without an id are left out, as
    /// PyJWKClient leaves them out.
    static func keys(in document: [UInt8], for algorithm: JWTAlgorithm) async throws
        -> [String: any JWTKit.JWTAlgorithm]
    {
        guard case .object(let object)? = try? JSONParser.parse(document), case .array(let entries)? = object["keys"]
        else {
            throw JWKSError("the document is not a JWKS (a JSON object with a \"keys\" list)")
        }
        var keys: [String: any JWTKit.JWTAlgorithm] = [:]
        for case .object(let jwk) in entries {
            guard case .string(let kid)? = jwk["kid"], !kid.isEmpty, keys[kid] == nil else { continue }
            if let key = await JWTKeys.verifier(algorithm, jwk: jwk) { keys[kid] = key }
        }
        return keys
    }
}
