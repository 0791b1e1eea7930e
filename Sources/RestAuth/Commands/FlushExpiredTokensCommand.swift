import ConsoleKit
import Vapor

/// `flushexpiredtokens`, as simplejwt's: deletes refresh tokens past their expiry (and
/// their blacklist rows), expired refresh families, and expired sessions (Django's
/// `clearsessions`, folded in). Run it from cron.
public struct FlushExpiredTokensCommand: AsyncCommand {
    public struct Signature: CommandSignature {
        public init() {}
    }

    public init() {}

    public var help: String { "Deletes expired refresh tokens, refresh families and sessions." }

    public func run(using context: CommandContext, signature: Signature) async throws {
        let state = context.application.restAuth.state
        let configuration = state.configuration
        let tokens = try await state.refreshTokens.deleteExpired(
            accessTokenGrace: configuration.jwtAccessTokenLifetime + configuration.jwtLeeway,
            on: context.application.db)
        try await state.sessions.deleteExpired(on: context.application.db)
        context.console.print("Deleted \(tokens) expired refresh token(s) and the expired sessions.")
    }
}
