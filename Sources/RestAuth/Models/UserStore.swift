import Fluent
import FluentSQL
import Foundation
import SQLKit

/// The queries the endpoints make about users, with allauth's matching rules: usernames
/// and e-mail addresses compare case-insensitively (folded as ``AccountCaseFolding``
/// folds, on indexed expressions), verified addresses win. They name the configured user
/// model's table and columns, so an app's own model works as Django's `auth_user` does.
///
/// Each lookup a request without credentials makes is built by a `...Query` method, so the
/// tests can ask the database for the plan of the very statement the lookup runs.
struct UserStore: Sendable {
    let configuration: RestAuthConfiguration
    let userType: any RestAuthUser.Type
    let fields: RestAuthUserFields
    let table: String
    /// The table and key column, quoted for the fixed statements of the hot paths
    /// (SQLite and PostgreSQL quote identifiers alike).
    private let quotedTable: String
    private let quotedID: String

    init(configuration: RestAuthConfiguration) {
        self.configuration = configuration
        self.userType = configuration.userModel
        self.fields = userType.accountFields
        self.table = userType.schema
        self.quotedTable = Self.quote(table)
        self.quotedID = Self.quote(fields.id.description)
    }

    static func quote(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private func sql(_ database: any Database) -> any SQLDatabase {
        guard let sql = database as? any SQLDatabase else {
            preconditionFailure("RestAuth needs an SQL database (SQLite or PostgreSQL)")
        }
        return sql
    }

    private static func fold(_ column: String, table: String? = nil) -> FoldedColumn {
        FoldedColumn(column, table: table)
    }

    /// A row of the user table as the configured model.
    func decode(_ row: any SQLRow) throws -> any RestAuthUser {
        try Self.decode(row, as: userType)
    }

    private static func decode<User: RestAuthUser>(_ row: any SQLRow, as _: User.Type) throws -> any RestAuthUser {
        try row.decode(fluentModel: User.self)
    }

    /// The user with this key.
    func user(key: UserKey, on database: any Database) async throws -> (any RestAuthUser)? {
        try await userQuery(key: key, on: sql(database)).all().first.map(decode)
    }

    func userQuery(key: UserKey, on db: any SQLDatabase) -> SQLSelectBuilder {
        db.select().column("*").from(table)
            .where(SQLColumn(fields.id.description), .equal, SQLBind(key.bindable))
            .limit(1)
    }

    /// The users with these keys.
    func users(keys: [UserKey], on database: any Database) async throws -> [any RestAuthUser] {
        guard !keys.isEmpty else { return [] }
        return try await sql(database).select().column("*").from(table)
            .where(SQLColumn(fields.id.description), .in, SQLBind.group(keys.map(\.bindable)))
            .all()
            .map(decode)
    }

    /// allauth's `get_user_by_username`: the one user whose username matches without
    /// regard to case; when legacy data holds several, the exact match (Django's
    /// `ModelBackend`), else none.
    func user(username: String, on database: any Database) async throws -> (any RestAuthUser)? {
        guard let query = usernameQuery(username, on: sql(database)) else { return nil }
        let matches = try await query.all().map(decode)
        if matches.count == 1 { return matches[0] }
        return matches.first { $0.accountUsername?.utf8.elementsEqual(username.utf8) == true }
    }

    func usernameQuery(_ username: String, on db: any SQLDatabase) -> SQLSelectBuilder? {
        guard let column = fields.username?.description else { return nil }
        return db.select().column("*").from(table)
            .where(Self.fold(column), .equal, SQLBind(AccountCaseFolding.fold(username)))
            .limit(5)
    }

    /// allauth's `filter_users_by_email`: the users with an address equal to `email`, in
    /// `account_emailaddress` or the user table. With `preferVerified` (login), only the
    /// users with that address verified, when there are any.
    func users(email: String, preferVerified: Bool = true, on database: any Database) async throws -> [any RestAuthUser]
    {
        let db = sql(database)
        let rows = try await addressUsersQuery(email, on: db).all()
        var verified: [any RestAuthUser] = []
        var unverified: [any RestAuthUser] = []
        for row in rows {
            let user = try decode(row)
            if (try? row.decode(column: "restauth_verified", as: Bool.self)) == true {
                verified.append(user)
            } else {
                unverified.append(user)
            }
        }
        if preferVerified && !verified.isEmpty { return verified }
        let byColumn = try await emailColumnUsersQuery(email, on: db).all().map(decode)
        var seen = Set<UserKey>()
        return (verified + unverified + byColumn).filter { user in
            guard let key = user.accountKey else { return false }
            return seen.insert(key).inserted
        }
    }

    /// The users with `email` in `account_emailaddress`, and whether it is verified there.
    func addressUsersQuery(_ email: String, on db: any SQLDatabase) -> SQLSelectBuilder {
        db.select()
            .column(SQLColumn(SQLLiteral.all, table: SQLIdentifier(table)))
            .column(SQLColumn("verified", table: EmailAddress.schema), as: "restauth_verified")
            .from(EmailAddress.schema)
            .join(
                table, method: SQLJoinMethod.inner,
                on: SQLColumn("user_id", table: EmailAddress.schema), .equal,
                SQLColumn(fields.id.description, table: table)
            )
            .where(Self.fold("email", table: EmailAddress.schema), .equal, SQLBind(AccountCaseFolding.fold(email)))
            .limit(10)
    }

    /// The users whose own e-mail column is `email`.
    func emailColumnUsersQuery(_ email: String, on db: any SQLDatabase) -> SQLSelectBuilder {
        db.select().column("*").from(table)
            .where(Self.fold(fields.email.description), .equal, SQLBind(AccountCaseFolding.fold(email)))
            .limit(10)
    }

    /// allauth's `username_taken` check, case-insensitive; `excluding` leaves out the user
    /// who is renaming themselves.
    func usernameTaken(_ username: String, excluding key: UserKey? = nil, on database: any Database) async throws
        -> Bool
    {
        guard let query = usernameTakenQuery(username, excluding: key, on: sql(database)) else { return false }
        return try await query.first() != nil
    }

    func usernameTakenQuery(_ username: String, excluding key: UserKey? = nil, on db: any SQLDatabase)
        -> SQLSelectBuilder?
    {
        guard let column = fields.username?.description else { return nil }
        var query = db.select().column(SQLColumn(fields.id.description)).from(table)
            .where(Self.fold(column), .equal, SQLBind(AccountCaseFolding.fold(username)))
        if let key { query = query.where(SQLColumn(fields.id.description), .notEqual, SQLBind(key.bindable)) }
        return query.limit(1)
    }

    /// Whether a verified address equal to `email` exists (dj-rest-auth's unique-email check).
    func verifiedEmailExists(_ email: String, on database: any Database) async throws -> Bool {
        try await verifiedEmailQuery(email, on: sql(database)).first() != nil
    }

    func verifiedEmailQuery(_ email: String, on db: any SQLDatabase) -> SQLSelectBuilder {
        db.select().column(SQLColumn("id")).from(EmailAddress.schema)
            .where(Self.fold("email"), .equal, SQLBind(AccountCaseFolding.fold(email)))
            .where(SQLColumn("verified"), .equal, SQLLiteral.boolean(true))
            .limit(1)
    }

    /// Whether any address, verified or not, equals `email` (for models whose e-mail
    /// column is their identifier, and must be unique).
    func emailTaken(_ email: String, on database: any Database) async throws -> Bool {
        try await emailTakenQuery(email, on: sql(database)).first() != nil
    }

    func emailTakenQuery(_ email: String, on db: any SQLDatabase) -> SQLSelectBuilder {
        db.select().column(SQLColumn(fields.id.description)).from(table)
            .where(Self.fold(fields.email.description), .equal, SQLBind(AccountCaseFolding.fold(email)))
            .limit(1)
    }

    /// Whether the user's own address is verified, as login under mandatory
    /// verification asks.
    func hasVerifiedEmail(_ user: any RestAuthUser, on database: any Database) async throws -> Bool {
        try await hasVerifiedEmailQuery(user, on: sql(database)).first() != nil
    }

    func hasVerifiedEmailQuery(_ user: any RestAuthUser, on db: any SQLDatabase) throws -> SQLSelectBuilder {
        let key = try user.requireAccountKey()
        return db.select().column(SQLColumn("id")).from(EmailAddress.schema)
            .where(SQLColumn("user_id"), .equal, SQLBind(key.bindable))
            .where(Self.fold("email"), .equal, SQLBind(AccountCaseFolding.fold(user.accountEmail)))
            .where(SQLColumn("verified"), .equal, SQLLiteral.boolean(true))
            .limit(1)
    }

    /// Sets `last_login` and, when the login asks for it, the upgraded hash, in one UPDATE
    /// that touches nothing else. With
    /// `verifiedHash` (the hash the login's password was checked against) the write happens
    /// only where that hash is still stored: a login whose check began before a password
    /// change or reset finds it gone and is refused (false), and an upgrade can never undo
    /// the change. One statement either way.
    func recordLogin(
        _ user: any RestAuthUser, at date: Date, upgradedPassword: String?, verifiedHash: String?,
        on database: any Database
    ) async throws -> Bool {
        let key = try user.requireAccountKey()
        guard fields.lastLogin != nil || upgradedPassword != nil || verifiedHash != nil else { return true }
        let password = fields.password.description
        var update = sql(database).update(table)
        if let column = fields.lastLogin?.description { update = update.set(column, to: SQLBind(date)) }
        if let upgradedPassword { update = update.set(password, to: SQLBind(upgradedPassword)) }
        if fields.lastLogin == nil && upgradedPassword == nil {
            // Nothing to write but the check: a no-op assignment keeps it one UPDATE.
            update = update.set(password, to: SQLColumn(password))
        }
        update = update.where(SQLColumn(fields.id.description), .equal, SQLBind(key.bindable))
        guard let verifiedHash else {
            try await update.run()
            return true
        }
        return try await update.where(SQLColumn(password), .equal, SQLBind(verifiedHash))
            .returning(SQLColumn(fields.id.description)).all().count == 1
    }

    /// Whether the user's stored hash is still `hash`.
    func hasPassword(_ key: UserKey, _ hash: String, on database: any Database) async throws -> Bool {
        try await sql(database).select().column(SQLColumn(fields.id.description)).from(table)
            .where(SQLColumn(fields.id.description), .equal, SQLBind(key.bindable))
            .where(SQLColumn(fields.password.description), .equal, SQLBind(hash))
            .first() != nil
    }

    /// Replaces the password hash only if it is still `expected`: of two requests racing
    /// with one reset token, exactly one wins.
    func replacePassword(of key: UserKey, expected: String, with newHash: String, on database: any Database)
        async throws -> Bool
    {
        try await sql(database).update(table)
            .set(fields.password.description, to: SQLBind(newHash))
            .where(SQLColumn(fields.id.description), .equal, SQLBind(key.bindable))
            .where(SQLColumn(fields.password.description), .equal, SQLBind(expected))
            .returning(SQLColumn(fields.id.description))
            .all()
            .count == 1
    }

    /// Sets a user's password hash, and nothing else.
    func setPassword(of key: UserKey, to newHash: String, on database: any Database) async throws {
        try await sql(database).update(table)
            .set(fields.password.description, to: SQLBind(newHash))
            .where(SQLColumn(fields.id.description), .equal, SQLBind(key.bindable))
            .run()
    }

    /// DRF's `Token.objects.get_or_create(user=user)`, safe against parallel logins: the
    /// unique `user_id` decides which insert wins and the loser reads the winner's key.
    func tokenKey(for user: any RestAuthUser, on database: any Database) async throws -> String {
        let key = try user.requireAccountKey()
        for _ in 0..<3 {
            if let token = try await tokenQuery(of: key, on: sql(database)).first()?.decode(
                column: "key", as: String.self)
            {
                return token
            }
            let token = AuthToken(userKey: key)
            do {
                try await token.create(on: database)
                return token.id!
            } catch let error as any DatabaseError where error.isConstraintFailure {
                continue
            }
        }
        throw APIError.detail(.serviceUnavailable, RestAuthMessages.Errors.tokenUnavailable.text)
    }

    func tokenQuery(of key: UserKey, on db: any SQLDatabase) -> SQLSelectBuilder {
        db.select().column("key").from(AuthToken.schema)
            .where(SQLColumn("user_id"), .equal, SQLBind(key.bindable))
            .limit(1)
    }

    func deleteTokens(of key: UserKey, on database: any Database) async throws {
        try await AuthToken.query(on: database).filter(\.$userKey == key).delete()
    }

    /// What a reset token is bound to: the user's pk, password hash, last login and addresses.
    func resetState(of user: any RestAuthUser, on database: any Database) async throws
        -> PasswordResetTokenGenerator.UserState
    {
        let key = try user.requireAccountKey()
        let addresses = try await addressesQuery(of: key, on: sql(database)).all().map {
            try $0.decode(column: "email", as: String.self)
        }
        return .init(
            pk: key.description, password: user.accountPassword, lastLogin: user.accountLastLogin,
            email: user.accountEmail, addresses: addresses)
    }

    func addressesQuery(of key: UserKey, on db: any SQLDatabase) -> SQLSelectBuilder {
        db.select().column("email").from(EmailAddress.schema)
            .where(SQLColumn("user_id"), .equal, SQLBind(key.bindable))
    }

    /// The address row for `email`, compared without regard to case; unverified rows first.
    func emailAddress(_ email: String, on database: any Database) async throws -> EmailAddress? {
        try await emailAddressQuery(email, on: sql(database)).first(decodingFluent: EmailAddress.self)
    }

    func emailAddressQuery(_ email: String, on db: any SQLDatabase) -> SQLSelectBuilder {
        db.select().column("*").from(EmailAddress.schema)
            .where(Self.fold("email"), .equal, SQLBind(AccountCaseFolding.fold(email)))
            .orderBy("verified")
            .limit(1)
    }

    /// The unverified address with this id (what a confirmation key names).
    func unverifiedAddress(id: Int, on database: any Database) async throws -> EmailAddress? {
        try await unverifiedAddressQuery(id: id, on: sql(database)).first(decodingFluent: EmailAddress.self)
    }

    func unverifiedAddressQuery(id: Int, on db: any SQLDatabase) -> SQLSelectBuilder {
        db.select().column("*").from(EmailAddress.schema)
            .where(SQLColumn("id"), .equal, SQLBind(id))
            .where(SQLColumn("verified"), .equal, SQLLiteral.boolean(false))
            .limit(1)
    }

    /// Whether the user has a primary address (allauth's `set_as_primary(conditional=True)`).
    func hasPrimaryAddress(_ key: UserKey, on database: any Database) async throws -> Bool {
        try await primaryAddressQuery(of: key, on: sql(database)).first() != nil
    }

    func primaryAddressQuery(of key: UserKey, on db: any SQLDatabase) -> SQLSelectBuilder {
        db.select().column(SQLColumn("id")).from(EmailAddress.schema)
            .where(SQLColumn("user_id"), .equal, SQLBind(key.bindable))
            .where(SQLColumn("primary"), .equal, SQLLiteral.boolean(true))
            .limit(1)
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

    /// The user a DRF token names, in one statement.
    func user(forToken token: String, on database: any Database) -> EventLoopFuture<(any RestAuthUser)?> {
        let u = quotedTable
        let id = quotedID
        return sql(database).raw(
            """
            SELECT \(unsafeRaw: u).* FROM "authtoken_token" INNER JOIN \(unsafeRaw: u) ON \(unsafeRaw: u).\(unsafeRaw: id) = "authtoken_token"."user_id" WHERE "authtoken_token"."key" = \(bind: token) LIMIT 1
            """
        ).first().flatMapThrowing { row in try row.map(decode) }
    }

    /// The user a JWT names, and whether the token's family was revoked, in one statement.
    /// A username or address that matches several users names none (Django's `get`
    /// raises `MultipleObjectsReturned`).
    func user(_ reference: UserReference, family: String?, on database: any Database)
        -> EventLoopFuture<(any RestAuthUser, Bool)?>
    {
        let u = quotedTable
        let (column, value) = lookup(reference)
        return sql(database).raw(
            """
            SELECT \(unsafeRaw: u).*, (SELECT COUNT(*) FROM "restauth_refreshfamily" WHERE "family" = \(bind: family ?? "") AND "revoked_at" IS NOT NULL) AS "restauth_revoked" FROM \(unsafeRaw: u) WHERE \(unsafeRaw: column) = \(bind: value) LIMIT 2
            """
        ).all().flatMapThrowing { rows in
            guard rows.count == 1, let row = rows.first else { return nil }
            let revoked = (try? row.decode(column: "restauth_revoked", as: Int.self)) ?? 0
            return (try decode(row), revoked > 0)
        }
    }

    /// The user a JWT names (see ``user(_:family:on:)``).
    func user(_ reference: UserReference, on database: any Database) async throws -> (any RestAuthUser)? {
        if case .key(let key) = reference { return try await user(key: key, on: database) }
        let (column, value) = lookup(reference)
        let rows = try await sql(database).raw(
            "SELECT * FROM \(unsafeRaw: quotedTable) WHERE \(unsafeRaw: column) = \(bind: value) LIMIT 2"
        ).all()
        guard rows.count == 1 else { return nil }
        return try decode(rows[0])
    }

    /// The quoted column and the value a reference matches exactly.
    private func lookup(_ reference: UserReference) -> (String, any Encodable & Sendable) {
        switch reference {
        case .key(let key): (quotedID, key.bindable)
        // `USER_ID_FIELD=username` is refused at start-up for a model without usernames.
        case .username(let name): (Self.quote(fields.username?.description ?? fields.id.description), name)
        case .email(let address): (Self.quote(fields.email.description), address)
        }
    }
}

/// How a JWT names its user (`USER_ID_FIELD`): by key, username or e-mail address.
enum UserReference: Sendable, Equatable {
    case key(UserKey)
    case username(String)
    case email(String)
}
