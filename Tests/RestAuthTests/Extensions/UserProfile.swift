import Fluent
import Foundation
import RestAuth
import Vapor

/// The FAQ's profile model: one per user, with a company name.
final class UserProfile: Model, @unchecked Sendable {
    static let schema = "test_userprofile"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "user_id") var userID: Int
    @Field(key: "company_name") var companyName: String

    init() {}

    init(userID: Int, companyName: String = "") {
        self.userID = userID
        self.companyName = companyName
    }

    /// The user's profile, made on first use.
    static func of(_ user: any RestAuthUser, on database: any Database) async throws -> UserProfile {
        guard case .int(let id)? = user.accountKey else { throw Abort(.internalServerError) }
        if let profile = try await UserProfile.query(on: database).filter(\.$userID == id).first() { return profile }
        return UserProfile(userID: id)
    }
}

struct CreateUserProfile: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(UserProfile.schema)
            .field("id", .int, .identifier(auto: true))
            .field("user_id", .int, .required, .references("auth_user", "id", onDelete: .cascade))
            .field("company_name", .string, .required)
            .unique(on: "user_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(UserProfile.schema).delete()
    }
}

/// The FAQ's serializer: the default fields plus a nested `profile`, updated with the user
/// in one transaction.
struct ProfileUserDetailsSerializer: UserDetailsSerializer {
    let base = DefaultUserDetailsSerializer()
    static let companyName = CharField("company_name", required: false, allowBlank: true, maxLength: 100)

    func representation(of user: any RestAuthUser, context: RestAuthContext) async throws -> JSONValue {
        guard case .object(var body) = try await base.representation(of: user, context: context) else { return .null }
        let profile = try await UserProfile.of(user, on: context.database)
        body["profile"] = ["company_name": .string(profile.companyName)]
        return .object(body)
    }

    func update(_ user: any RestAuthUser, with fields: JSONObject, partial: Bool, context: RestAuthContext) async throws
    {
        var errors = ValidationErrors()
        do {
            try await base.apply(fields, to: user, partial: partial, context: context)
        } catch let failure as ValidationErrors {
            errors.merge(failure)
        }
        let profile = try await UserProfile.of(user, on: context.database)
        switch fields["profile"] {
        case .object(let nested)?:
            var nestedErrors = ValidationErrors()
            if let company = Self.companyName.read(from: nested, into: &nestedErrors, partial: true).string {
                profile.companyName = company
            }
            errors.add("profile", nested: nestedErrors)
        case nil:
            break
        default:
            errors.add("profile", "Invalid data. Expected a dictionary.")
        }
        try errors.throwIfAny()
        try await DefaultUserDetailsSerializer.saving {
            try await context.database.transaction { database in
                try await user.save(on: database)
                if profile.companyName == "__fail__" { throw Abort(.internalServerError, reason: "profile refused") }
                try await profile.save(on: database)
            }
        }
    }
}
