import Fluent
import Foundation
import RestAuth
import SQLKit

/// The `socialaccount_*` rows of logins, sign-ups, connects and disconnects; every change
/// that touches more than one row is one transaction.
struct SocialAccountStore: Sendable {
    let database: any Database
    let storeTokens: Bool

    func account(provider: String, uid: String) async throws -> SocialAccount? {
        try await SocialAccount.query(on: database).filter(\.$provider == provider).filter(\.$uid == uid).first()
    }

    /// A login with a linked account: allauth refreshes `extra_data`, `last_login` and the token.
    func update(_ account: SocialAccount, profile: SocialProfile, tokens: SocialTokens, appID: Int?) async throws {
        account.extraData = profile.extraData
        account.lastLogin = Date()
        let storeTokens = self.storeTokens
        try await database.transaction { database in
            try await account.update(on: database)
            if storeTokens, let id = account.id {
                try await Self.saveToken(tokens, accountID: id, appID: appID, on: database)
            }
        }
    }

    /// A new user with an unusable password, their address (verified only when the provider
    /// vouches for it), the social account and its token, in one transaction.
    func signUp(
        provider: String, profile: SocialProfile, email: String, username: String?, tokens: SocialTokens, appID: Int?,
        context: RestAuthContext
    ) async throws -> (any RestAuthUser, EmailAddress?) {
        // Django's columns: `email` VARCHAR(254), names VARCHAR(150), measured in code points
        // (what PostgreSQL counts), never in grapheme clusters (an emoji family is one
        // Character and several code points). An address too long to store is no address.
        let email = email.unicodeScalars.count <= 254 ? email : ""
        let user = context.adapter.newUser(
            username: username, email: email, passwordHash: PasswordService.unusable(), context: context)
        if let first = profile.firstName { user.accountFirstName = SocialUsernames.prefix(first, scalars: 150) }
        if let last = profile.lastName { user.accountLastName = SocialUsernames.prefix(last, scalars: 150) }
        let storeTokens = self.storeTokens
        let created = user
        let address: EmailAddress? =
            email.isEmpty
            ? nil : EmailAddress(email: email, verified: profile.emailVerified, primary: true, userKey: .int(0))
        try await database.transaction { database in
            try await created.create(on: database)
            let key = try created.requireAccountKey()
            if let address {
                address.userKey = key
                try await address.create(on: database)
            }
            let account = SocialAccount(
                provider: provider, uid: profile.uid, userKey: key, extraData: profile.extraData)
            try await account.create(on: database)
            if storeTokens, let id = account.id {
                try await Self.saveToken(tokens, accountID: id, appID: appID, on: database)
            }
        }
        return (created, address)
    }

    /// Links a new social account to an existing user.
    func link(provider: String, profile: SocialProfile, to key: UserKey, tokens: SocialTokens, appID: Int?) async throws
    {
        let storeTokens = self.storeTokens
        try await database.transaction { database in
            let account = SocialAccount(
                provider: provider, uid: profile.uid, userKey: key, extraData: profile.extraData)
            try await account.create(on: database)
            if storeTokens, let id = account.id {
                try await Self.saveToken(tokens, accountID: id, appID: appID, on: database)
            }
        }
    }

    /// One token per account and app, as allauth keeps them (a token of an app from the
    /// configuration has no app).
    static func saveToken(_ tokens: SocialTokens, accountID: Int, appID: Int?, on database: any Database) async throws {
        var query = SocialToken.query(on: database).filter(\.$accountID == accountID)
        query = appID.map { query.filter(\.$appID == $0) } ?? query.filter(\.$appID == nil)
        let token = try await query.first() ?? SocialToken()
        token.accountID = accountID
        token.appID = appID
        token.token = tokens.accessToken
        // allauth keeps an OAuth 2 refresh token in token_secret.
        token.tokenSecret = tokens.tokenSecret ?? tokens.refreshToken ?? token.$tokenSecret.value ?? ""
        token.expiresAt = tokens.expiresAt
        try await token.save(on: database)
    }

    private struct NotRemoved: Error {}

    /// Deletes the user's account (and its tokens); with `onlyIfOthersRemain`, only when
    /// the user keeps another one. Concurrent disconnects cannot both take the last two:
    /// PostgreSQL locks the user's accounts first, and SQLite runs one writer at a time.
    func remove(accountID: Int, userKey: UserKey, onlyIfOthersRemain: Bool, context: RestAuthContext) async throws
        -> Bool
    {
        do {
            try await database.transaction { database in
                guard let sql = database as? any SQLDatabase else { throw NotRemoved() }
                if onlyIfOthersRemain, sql.dialect.name == "postgresql" {
                    try await sql.raw(
                        "SELECT id FROM socialaccount_socialaccount WHERE user_id = \(bind: userKey) FOR UPDATE"
                    ).run()
                }
                try await sql.raw("DELETE FROM socialaccount_socialtoken WHERE account_id = \(bind: accountID)").run()
                let others: SQLQueryString =
                    onlyIfOthersRemain
                    ? " AND EXISTS (SELECT 1 FROM socialaccount_socialaccount o WHERE o.user_id = \(bind: userKey) AND o.id <> \(bind: accountID))"
                    : ""
                let rows = try await sql.raw(
                    "DELETE FROM socialaccount_socialaccount WHERE id = \(bind: accountID) AND user_id = \(bind: userKey)\(others) RETURNING id"
                ).all()
                if rows.isEmpty { throw NotRemoved() }
            }
            return true
        } catch is NotRemoved {
            return false
        }
    }
}

/// allauth's `generate_unique_username`: a username from what the provider said, made
/// unique.
enum SocialUsernames {
    /// allauth's `_generate_unique_username_base`: ASCII, word characters and `@.+-`,
    /// lower case, the part before `@`, spaces as `_`.
    static func clean(_ text: String) -> String {
        let ascii = text.decomposedStringWithCompatibilityMapping.unicodeScalars.filter(\.isASCII)
        var out = ""
        for scalar in ascii {
            let c = Character(scalar)
            if c.isLetter || c.isNumber || c == "_" || c == "@" || c == "+" || c == "." || c == "-" || c == " "
                || c == "\t"
            {
                out.append(c)
            }
        }
        out = out.lowercased()
        out = String(out.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        out = out.trimmingCharacters(in: .whitespaces)
        return out.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: "_")
    }

    /// The first `count` code points: the unit Django's `max_length` and PostgreSQL's
    /// `VARCHAR(n)` count in.
    static func prefix(_ text: String, scalars count: Int) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: text.unicodeScalars.prefix(max(0, count)))
        return String(view)
    }

    static func base(for profile: SocialProfile) -> String {
        let sources =
            profile.username.map { [$0] } ?? [profile.firstName, profile.lastName, profile.email].compactMap { $0 }
        for source in sources {
            let cleaned = clean(source)
            if !cleaned.isEmpty { return cleaned }
        }
        return "user"
    }

    /// A username nobody has (without regard to case), or nil for a model without usernames.
    static func unique(for profile: SocialProfile, attempt: Int, context: RestAuthContext) async throws -> String? {
        let configuration = context.configuration
        guard configuration.userModel.accountFields.username != nil else { return nil }
        let maximum = max(configuration.usernameMaxLength, 8)
        var base = prefix(base(for: profile), scalars: maximum)
        while base.unicodeScalars.count < configuration.usernameMinLength { base += String(Int.random(in: 0...9)) }
        func suffixed(_ digits: Int) -> String {
            let number = String(Int.random(in: 0..<Int(pow(10, Double(digits)))))
            return prefix(base, scalars: maximum - number.count) + number
        }
        var candidates = attempt == 0 ? [base] : []
        candidates += [suffixed(2), suffixed(3), suffixed(4), suffixed(4), suffixed(6)]
        let blacklist = configuration.usernameBlacklist
        for candidate in candidates where !blacklist.contains(where: { AccountCaseFolding.equal($0, candidate) }) {
            if try await !context.usernameTaken(candidate) { return candidate }
        }
        return suffixed(9)
    }
}
