import Fluent
import FluentSQL
import Foundation
import SQLKit

/// The database side of refresh tokens: outstanding and blacklisted tokens (simplejwt's
/// tables) and refresh families (this package's). Every check and change that two
/// requests could race for is settled by a unique constraint.
struct RefreshTokenStore: Sendable {
    private func sql(_ database: any Database) -> any SQLDatabase {
        database as! any SQLDatabase
    }

    /// Records a new family (at login).
    func startFamily(_ family: String, userKey: UserKey, expiresAt: Date, on database: any Database) async throws {
        try await RefreshFamily(family: family, userKey: userKey, expiresAt: expiresAt).create(on: database)
    }

    /// A rotation keeps the family alive as long as its newest token.
    func extendFamily(_ family: String, to expiresAt: Date, on database: any Database) async throws {
        try await RefreshFamily.query(on: database).filter(\.$id == family).set(\.$expiresAt, to: expiresAt).update()
    }

    /// simplejwt's `OutstandingToken.objects.create(...)` for an issued refresh token.
    func recordOutstanding(jti: String, token: String, userKey: UserKey?, expiresAt: Date, on database: any Database)
        async throws
    {
        try await sql(database).insert(into: OutstandingToken.schema)
            .columns("token", "created_at", "expires_at", "user_id", "jti")
            .values(
                SQLBind(JWTTokens.storedForm(token)), SQLBind(Date()), SQLBind(expiresAt), SQLBind(userKey),
                SQLBind(jti)
            )
            .ignoringConflicts(with: ["jti"])
            .run()
    }

    /// Whether a refresh token is blacklisted or its family revoked: one query.
    func isRevoked(jti: String, family: String?, on database: any Database) async throws -> Bool {
        let row = try await sql(database).raw(
            """
            SELECT (SELECT COUNT(*) FROM "token_blacklist_blacklistedtoken" b JOIN "token_blacklist_outstandingtoken" o ON o."id" = b."token_id" WHERE o."jti" = \(bind: jti)) AS "blacklisted", (SELECT COUNT(*) FROM "restauth_refreshfamily" WHERE "family" = \(bind: family ?? "") AND "revoked_at" IS NOT NULL) AS "revoked"
            """
        ).first()
        guard let row else { return false }
        return try row.decode(column: "blacklisted", as: Int.self) > 0
            || row.decode(column: "revoked", as: Int.self) > 0
    }

    /// Whether a family (an access token's login) was revoked.
    func isFamilyRevoked(_ family: String, on database: any Database) async throws -> Bool {
        try await RefreshFamily.query(on: database).filter(\.$id == family).filter(\.$revokedAt != nil).count() > 0
    }

    /// Blacklists a refresh token (recording it as outstanding first when it was issued
    /// elsewhere). False when it already was: another request got there first.
    func blacklist(jti: String, userKey: UserKey?, expiresAt: Date, on database: any Database) async throws -> Bool {
        try await sql(database).insert(into: OutstandingToken.schema)
            .columns("token", "created_at", "expires_at", "user_id", "jti")
            .values(SQLBind(""), SQLBind(Date()), SQLBind(expiresAt), SQLBind(userKey), SQLBind(jti))
            .ignoringConflicts(with: ["jti"])
            .run()
        guard let outstanding = try await OutstandingToken.query(on: database).filter(\.$jti == jti).first(),
            let id = outstanding.id
        else {
            return false
        }
        do {
            try await BlacklistedToken(tokenID: id).create(on: database)
            return true
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return false
        }
    }

    /// When a refresh token was blacklisted (rotated or logged out); nil when it is not.
    func blacklistedAt(jti: String, on database: any Database) async throws -> Date? {
        let row = try await sql(database).raw(
            """
            SELECT b."blacklisted_at" FROM "token_blacklist_blacklistedtoken" b JOIN "token_blacklist_outstandingtoken" o ON o."id" = b."token_id" WHERE o."jti" = \(bind: jti)
            """
        ).first()
        return try row?.decode(column: "blacklisted_at", as: Date.self)
    }

    func revoke(family: String, on database: any Database) async throws {
        try await RefreshFamily.query(on: database).filter(\.$id == family).filter(\.$revokedAt == nil)
            .set(\.$revokedAt, to: Date()).update()
    }

    /// Revokes every family of a user but `kept` (the caller's own, on a password change),
    /// and blacklists the user's refresh tokens that belong to no family: those simplejwt
    /// issued on a database shared with Django, which it stores as the token itself (this
    /// package stores a hash, "sha256:...").
    func revokeFamilies(of userKey: UserKey, except kept: String?, on database: any Database) async throws {
        var query = RefreshFamily.query(on: database).filter(\.$userKey == userKey).filter(\.$revokedAt == nil)
        if let kept { query = query.filter(\.$id != kept) }
        try await query.set(\.$revokedAt, to: Date()).update()
        let now = Date()
        try await sql(database).raw(
            """
            INSERT INTO "token_blacklist_blacklistedtoken" ("blacklisted_at", "token_id") SELECT \(bind: now), o."id" FROM "token_blacklist_outstandingtoken" o WHERE o."user_id" = \(bind: userKey) AND o."expires_at" > \(bind: now) AND o."token" <> '' AND o."token" NOT LIKE 'sha256:%' AND NOT EXISTS (SELECT 1 FROM "token_blacklist_blacklistedtoken" b WHERE b."token_id" = o."id") ON CONFLICT ("token_id") DO NOTHING
            """
        ).run()
    }

    /// simplejwt's `flushexpiredtokens`: outstanding (and so blacklisted) tokens past their
    /// expiry, and families no token can name any more. A family outlives its last refresh
    /// token by `accessTokenGrace` (the access lifetime plus the leeway): an access token
    /// made just before the refresh token expired still names the family, and a revoked
    /// family that is gone would let it through again.
    @discardableResult
    func deleteExpired(accessTokenGrace: TimeInterval, now: Date = Date(), on database: any Database) async throws
        -> Int
    {
        let expired = try await OutstandingToken.query(on: database).filter(\.$expiresAt < now).count()
        try await OutstandingToken.query(on: database).filter(\.$expiresAt < now).delete()
        try await RefreshFamily.query(on: database)
            .filter(\.$expiresAt < now.addingTimeInterval(-max(0, accessTokenGrace))).delete()
        return expired
    }
}
