import Fluent
import Foundation

/// dj-rest-auth's `PasswordResetSerializer` and `PasswordResetConfirmSerializer` with
/// allauth's token generator.
struct PasswordResetSerializer: Sendable {
    static let email = CharField.email("email")

    static let newPassword1 = CharField("new_password1", maxLength: 128)
    static let newPassword2 = CharField("new_password2", maxLength: 128)
    static let uid = CharField("uid")
    static let token = CharField("token")

    static func email(from fields: JSONObject) throws -> String {
        var errors = ValidationErrors()
        let email = Self.email.read(from: fields, into: &errors).string
        try errors.throwIfAny()
        return email ?? ""
    }

    struct Confirmation: Sendable {
        var user: AuthUser
        var newPassword: String
    }

    /// The user the uid names and the token proves, and the new password once Django's
    /// form accepts it.
    static func confirm(_ fields: JSONObject, state: RestAuthState, on database: any Database) async throws
        -> Confirmation
    {
        var errors = ValidationErrors()
        let new1 = newPassword1.read(from: fields, into: &errors).string
        let new2 = newPassword2.read(from: fields, into: &errors).string
        let uidText = uid.read(from: fields, into: &errors).string
        let tokenText = token.read(from: fields, into: &errors).string
        try errors.throwIfAny()
        guard let new1, let new2, let uidText, let tokenText else { throw errors }

        let candidates = try await users(forUID: uidText, on: database)
        guard !candidates.isEmpty else { throw ValidationErrors("uid", "Invalid value") }
        var matched: AuthUser?
        for user in candidates {
            let userState = try await state.users.resetState(of: user, on: database)
            if state.resetTokens.check(tokenText, for: userState) {
                matched = user
                break
            }
        }
        guard let user = matched else { throw ValidationErrors("token", "Invalid value") }
        PasswordChangeSerializer.checkNewPasswords(
            new1, new2, user: user, validators: state.configuration.passwordValidators, into: &errors)
        try errors.throwIfAny()
        return Confirmation(user: user, newPassword: new1)
    }

    /// allauth writes the uid in base 36; Django's own views in URL-safe base 64. Both are read.
    static func users(forUID text: String, on database: any Database) async throws -> [AuthUser] {
        guard text.utf8.count <= 64 else { return [] }
        var ids: [Int] = []
        if let id = Base36.decode(text) { ids.append(id) }
        if let bytes = DjangoSigner.b64Decode(Substring(text)), let id = Int(String(decoding: bytes, as: UTF8.self)),
            !ids.contains(id)
        {
            ids.append(id)
        }
        ids = ids.filter { $0 > 0 && $0 <= Int(Int32.max) * 1024 }
        guard !ids.isEmpty else { return [] }
        return try await AuthUser.query(on: database).filter(\.$id ~~ ids).all()
    }
}
