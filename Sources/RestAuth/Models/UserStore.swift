import Fluent
import FluentSQL
import Foundation
import SQLKit

/// The queries the endpoints make about users, with allauth's matching rules: usernames
/// and e-mail addresses compare case-insensitively, verified addresses win.
struct UserStore: Sendable {
    let configuration: RestAuthConfiguration

    private func sql(_ database: any Database) -> any SQLDatabase {
        guard let sql = database as? any SQLDatabase else {
            preconditionFailure("RestAuth needs an SQL database (SQLite or PostgreSQL)")
        }
        return sql
    }

    private static func lower(_ column: String, table: String? = nil) -> SQLFunction {
        SQLFunction("lower", args: table.map { SQLColumn(column, table: $0) } ?? SQLColumn(column))
    }

    /// allauth's `get_user_by_username`: the one user whose username matches without
    /// regard to case; when legacy data holds several, the exact match (Django's
    /// `ModelBackend`), else none.
    func user(username: String, on database: any Database) async throws -> AuthUser? {
        let matches = try await sql(database).select().column("*").from(AuthUser.schema)
            .where(Self.lower("username"), .equal, SQLBind(username.lowercased()))
            .limit(5)
            .all(decodingFluent: AuthUser.self)
        if matches.count == 1 { return matches[0] }
        return matches.first { $0.username == username }
    }

    /// allauth's `filter_users_by_email`: the users with an address equal to `email`, in
    /// `account_emailaddress` or `auth_user.email`. With `preferVerified` (login), only the
    /// users with that address verified, when there are any.
    func users(email: String, preferVerified: Bool = true, on database: any Database) async throws -> [AuthUser] {
        let email = email.lowercased()
        let db = sql(database)
        let rows = try await db.select()
            .column(SQLColumn(SQLLiteral.all, table: SQLIdentifier(AuthUser.schema)))
            .column(SQLColumn("verified", table: EmailAddress.schema), as: "restauth_verified")
            .from(EmailAddress.schema)
            .join(
                AuthUser.schema, method: SQLJoinMethod.inner,
                on: SQLColumn("user_id", table: EmailAddress.schema), .equal,
                SQLColumn("id", table: AuthUser.schema)
            )
            .where(Self.lower("email", table: EmailAddress.schema), .equal, SQLBind(email))
            .limit(10)
            .all()
        var verified: [AuthUser] = []
        var unverified: [AuthUser] = []
        for row in rows {
            let user = try row.decode(fluentModel: AuthUser.self)
            if (try? row.decode(column: "restauth_verified", as: Bool.self)) == true {
                verified.append(user)
            } else {
                unverified.append(user)
            }
        }
        if preferVerified && !verified.isEmpty { return verified }
        let byColumn = try await db.select().column("*").from(AuthUser.schema)
            .where(Self.lower("email"), .equal, SQLBind(email))
            .limit(10)
            .all(decodingFluent: AuthUser.self)
        var seen = Set<Int>()
        return (verified + unverified + byColumn).filter { user in
            guard let id = user.id else { return false }
            return seen.insert(id).inserted
        }
    }

    /// allauth's `username_taken` check, case-insensitive; `excluding` leaves out the user
    /// who is renaming themselves.
    func usernameTaken(_ username: String, excluding userID: Int? = nil, on database: any Database) async throws -> Bool
    {
        var query = sql(database).select().column(SQLColumn("id")).from(AuthUser.schema)
            .where(Self.lower("username"), .equal, SQLBind(username.lowercased()))
        if let userID { query = query.where(SQLColumn("id"), .notEqual, SQLBind(userID)) }
        return try await query.limit(1).first() != nil
    }

    /// Whether a verified address equal to `email` exists (dj-rest-auth's unique-email check).
    func verifiedEmailExists(_ email: String, on database: any Database) async throws -> Bool {
        try await sql(database).select().column(SQLColumn("id")).from(EmailAddress.schema)
            .where(Self.lower("email"), .equal, SQLBind(email.lowercased()))
            .where(SQLColumn("verified"), .equal, SQLLiteral.boolean(true))
            .limit(1)
            .first() != nil
    }

    /// Whether the user's own address (`auth_user.email`) is verified, as login under
    /// mandatory verification asks.
    func hasVerifiedEmail(_ user: AuthUser, on database: any Database) async throws -> Bool {
        let userID = try user.requireID()
        return try await sql(database).select().column(SQLColumn("id")).from(EmailAddress.schema)
            .where(SQLColumn("user_id"), .equal, SQLBind(userID))
            .where(Self.lower("email"), .equal, SQLBind(user.email.lowercased()))
            .where(SQLColumn("verified"), .equal, SQLLiteral.boolean(true))
            .limit(1)
            .first() != nil
    }

    /// DRF's `Token.objects.get_or_create(user=user)`, safe against parallel logins: the
    /// unique `user_id` decides which insert wins and the loser reads the winner's key.
    func tokenKey(for user: AuthUser, on database: any Database) async throws -> String {
        let userID = try user.requireID()
        for _ in 0..<3 {
            if let existing = try await AuthToken.query(on: database).filter(\.$user.$id == userID).first(),
                let key = existing.id
            {
                return key
            }
            let token = AuthToken(userID: userID)
            do {
                try await token.create(on: database)
                return token.id!
            } catch let error as any DatabaseError where error.isConstraintFailure {
                continue
            }
        }
        throw APIError.detail(.serviceUnavailable, "Could not issue a token; try again.")
    }

    /// What a reset token is bound to: the user's pk, password hash, last login and addresses.
    func resetState(of user: AuthUser, on database: any Database) async throws -> PasswordResetTokenGenerator.UserState
    {
        let userID = try user.requireID()
        let addresses = try await EmailAddress.query(on: database).filter(\.$user.$id == userID).all(\.$email)
        return .init(
            pk: userID, password: user.password, lastLogin: user.lastLogin, email: user.email, addresses: addresses)
    }

    /// Replaces the password hash only if it is still `expected`: of two requests racing
    /// with one reset token, exactly one wins.
    func replacePassword(of userID: Int, expected: String, with newHash: String, on database: any Database) async throws
        -> Bool
    {
        try await sql(database).update(AuthUser.schema)
            .set("password", to: newHash)
            .where("id", .equal, userID)
            .where("password", .equal, expected)
            .returning("id")
            .all()
            .count == 1
    }

    /// The address row for `email`, compared without regard to case; unverified rows first.
    func emailAddress(_ email: String, on database: any Database) async throws -> EmailAddress? {
        try await sql(database).select().column("*").from(EmailAddress.schema)
            .where(Self.lower("email"), .equal, SQLBind(email.lowercased()))
            .orderBy("verified")
            .limit(1)
            .first(decodingFluent: EmailAddress.self)
    }

    /// Marks an address verified if it was not; false when it already was, or when another
    /// account holds it verified (the unique index decides races).
    func markVerified(addressID: Int, on database: any Database) async throws -> Bool {
        do {
            return try await sql(database).update(EmailAddress.schema)
                .set("verified", to: SQLLiteral.boolean(true))
                .where("id", .equal, addressID)
                .where("verified", .equal, SQLLiteral.boolean(false))
                .returning("id")
                .all()
                .count == 1
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return false
        }
    }

    func deleteTokens(ofUser userID: Int, on database: any Database) async throws {
        try await AuthToken.query(on: database).filter(\.$user.$id == userID).delete()
    }
}
