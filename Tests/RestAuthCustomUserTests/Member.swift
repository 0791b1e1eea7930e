import Fluent
import Foundation
import RestAuth
import Vapor

/// An app's own user model, unlike Django's in every way the package must cope with: a
/// UUID key, another table and other column names, a field of its own, no username (the
/// e-mail address is the only identifier), no first or last name.
final class Member: Model, @unchecked Sendable {
    static let schema = "members"

    @ID(key: .id) var id: UUID?
    @Field(key: "email_address") var email: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "display_name") var displayName: String
    @Field(key: "active") var active: Bool
    @OptionalField(key: "last_seen") var lastSeen: Date?
    @Timestamp(key: "joined_at", on: .create) var joinedAt: Date?

    init() {}
}

extension Member: RestAuthUser {
    static let accountFields = RestAuthUserFields(
        keyType: .uuid, username: nil, email: "email_address", password: "password_hash", isActive: "active",
        lastLogin: "last_seen")

    var accountKey: UserKey? { id.map(UserKey.uuid) }

    var accountUsername: String? {
        get { nil }
        set {}
    }

    var accountEmail: String {
        get { email }
        set { email = newValue }
    }

    var accountPassword: String {
        get { passwordHash }
        set { passwordHash = newValue }
    }

    var accountIsActive: Bool { active }

    var accountLastLogin: Date? {
        get { lastSeen }
        set { lastSeen = newValue }
    }

    static func newAccount(username: String?, email: String, password: String) -> Member {
        let member = Member()
        member.email = email
        member.passwordHash = password
        member.displayName = String(email.split(separator: "@").first ?? "")
        member.active = true
        return member
    }
}

struct CreateMember: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Member.schema)
            .id()
            .field("email_address", .string, .required)
            .field("password_hash", .string, .required)
            .field("display_name", .string, .required)
            .field("active", .bool, .required)
            .field("last_seen", .datetime)
            .field("joined_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Member.schema).delete()
    }
}
