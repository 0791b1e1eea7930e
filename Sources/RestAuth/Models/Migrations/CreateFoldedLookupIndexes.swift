import Fluent
import SQLKit

/// Indexes for every case-insensitive lookup a request without credentials makes, so none
/// of them reads the whole table: the folded e-mail of the user table (login and password
/// reset by address, sign-up's check for models without usernames) and of
/// `account_emailaddress`, verified or not (login, reset, `resend-email`, sign-up's check).
/// The unique folded indexes cover usernames and verified addresses already, but a
/// partial index cannot serve a search of unverified rows.
///
/// On PostgreSQL it also replaces the unique `lower()` indexes of earlier versions with
/// ``FoldedIndex``'s `translate()` ones. `lower()` there follows the database's locale, so
/// it held `Émile` and `émile` for one username where SQLite and the application hold two,
/// and a sign-up that passed the application's check failed at the insert; each old index
/// is dropped once its replacement exists (not when existing rows keep the replacement from
/// being built, as under a Turkish locale where `lower('I')` is `ı`). Django reads and
/// writes the tables either way: the expressions are built-in functions.
struct CreateFoldedLookupIndexes: AsyncMigration {
    let users: UserTable
    /// `ACCOUNT_UNIQUE_EMAIL`: without it, no unique index on verified addresses.
    var uniqueEmail = true
    var name: String { "RestAuth.CreateFoldedLookupIndexes" }

    var uniqueIndexes: [FoldedIndex] {
        [CreateCaseInsensitiveUsernameIndex(users: users).index]
            + (uniqueEmail ? [CreateCaseInsensitiveVerifiedEmailIndex.index] : [])
    }

    /// The non-unique ones. Without usernames, the unique index already covers the user
    /// table's address.
    var lookupIndexes: [FoldedIndex] {
        var indexes = [FoldedIndex(base: "account_emailaddress_email", table: "account_emailaddress", column: "email")]
        if users.fields.username != nil {
            let email = users.fields.email.description
            indexes.append(FoldedIndex(base: "\(users.schema)_\(email)", table: users.schema, column: email))
        }
        return indexes
    }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for index in lookupIndexes { try await index.create(on: database) }
        guard FoldedIndex.isPostgres(sql) else { return }
        for index in uniqueIndexes {
            guard try await index.create(on: database), let legacy = index.legacyPostgresName else { continue }
            try await sql.raw("DROP INDEX IF EXISTS \(ident: legacy)").run()
        }
    }

    func revert(on database: any Database) async throws {
        for index in lookupIndexes { try await index.drop(on: database) }
    }
}
