import Fluent
import FluentSQL
import SQLKit
import Vapor

/// DRF's `TokenAuthentication`: `Authorization: Token <key>`. The token and its user come
/// back in one query.
struct TokenAuthenticator: RestAuthenticator {
    let keyword = "token"
    var challenge: String? { "Token" }

    func authenticate(_ request: Request) async throws -> Authentication? {
        guard let header = request.headers.first(name: .authorization) else { return nil }
        let parts = header.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let first = parts.first, first.lowercased() == keyword else { return nil }
        guard parts.count > 1 else {
            throw Self.failed("Invalid token header. No credentials provided.")
        }
        guard parts.count == 2 else {
            throw Self.failed("Invalid token header. Token string should not contain spaces.")
        }
        let key = String(parts[1])
        // DRF's keys are 40 characters: a longer one cannot match, and is not worth a query.
        guard key.utf8.count <= 40, let user = try await Self.user(forKey: key, on: request.db) else {
            throw Self.failed("Invalid token.")
        }
        guard user.isActive else {
            throw Self.failed("User inactive or deleted.")
        }
        return Authentication(user: user, credential: .token(key: key))
    }

    static func failed(_ message: String) -> APIError {
        .detail(.unauthorized, message, headers: ["WWW-Authenticate": "Token"])
    }

    /// `SELECT auth_user.* FROM authtoken_token JOIN auth_user ... WHERE key = ?`.
    static func user(forKey key: String, on database: any Database) async throws -> AuthUser? {
        guard let sql = database as? any SQLDatabase else {
            return try await AuthToken.query(on: database).filter(\.$id == key).with(\.$user).first()?.user
        }
        return try await sql.select()
            .column(SQLColumn(SQLLiteral.all, table: SQLIdentifier(AuthUser.schema)))
            .from(AuthToken.schema)
            .join(
                AuthUser.schema, method: SQLJoinMethod.inner,
                on: SQLColumn("user_id", table: AuthToken.schema), .equal, SQLColumn("id", table: AuthUser.schema)
            )
            .where(SQLColumn("key", table: AuthToken.schema), .equal, SQLBind(key))
            .first(decodingFluent: AuthUser.self)
    }
}
