import Fluent
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor

@testable import RestAuth

@Suite("The FAQ: a user-details serializer with a nested profile")
struct ProfileSerializerTests {
    func withProfileApp(_ test: (Application, TestClient) async throws -> Void) async throws {
        try await withRestAuthApp({ $0.userDetailsSerializer = ProfileUserDetailsSerializer() }) { app, client in
            try await CreateUserProfile().prepare(on: app.db)
            try await test(app, client)
        }
    }

    @Test("GET nests the profile; PATCH and PUT update user and profile together")
    func nested() async throws {
        try await withProfileApp { app, client in
            let user = try await client.register()
            try await client.logIn(user.username)
            let me = try await client.get("user/")
            #expect(me["profile"] == ["company_name": ""])
            let patch = try await client.request(
                .PATCH, "user/", .json(["first_name": "Ada", "profile": ["company_name": "Analytical Engines"]]))
            #expect(patch.status == .ok)
            #expect(patch["profile"] == ["company_name": "Analytical Engines"] && patch.string("first_name") == "Ada")
            let put = try await client.request(
                .PUT, "user/", .json(["username": .string(user.username), "profile": ["company_name": "Babbage & Co"]]))
            #expect(put["profile"] == ["company_name": "Babbage & Co"])
            #expect(try await UserProfile.query(on: app.db).count() == 1)
        }
    }

    @Test("One transaction: a failing profile write leaves the user unchanged")
    func atomic() async throws {
        try await withProfileApp { app, client in
            let user = try await client.register()
            try await client.logIn(user.username)
            let reply = try await client.request(
                .PATCH, "user/", .json(["first_name": "Changed", "profile": ["company_name": "__fail__"]]))
            #expect(reply.status == .internalServerError)
            let row = try #require(try await AuthUser.query(on: app.db).filter(\.$username == user.username).first())
            #expect(row.firstName == "", "the user's change was rolled back with the profile's")
        }
    }

    @Test("Field errors of the user and of the profile together")
    func errors() async throws {
        try await withProfileApp { _, client in
            let user = try await client.register()
            try await client.logIn(user.username)
            let reply = try await client.request(
                .PATCH, "user/",
                .json(["username": "a b", "profile": ["company_name": .string(String(repeating: "x", count: 101))]]))
            #expect(reply.status == .badRequest)
            // DRF nests a nested serializer's errors under its field.
            #expect(reply["username"] != nil)
            #expect(reply["profile"] == ["company_name": ["Ensure this field has no more than 100 characters."]])
            let wrongType = try await client.request(.PATCH, "user/", .json(["profile": "not an object"]))
            #expect(wrongType.json == ["profile": ["Invalid data. Expected a dictionary."]])
        }
    }

    @Test("A username taken by another request during the transaction is the field's 400, not a 500")
    func racedUsername() async throws {
        do {
            try await DefaultUserDetailsSerializer.saving { throw TestConstraintFailure() }
            Issue.record("the constraint failure was not reported")
        } catch let errors as ValidationErrors {
            #expect(errors == ValidationErrors("username", "A user with that username already exists."))
        }
    }
}

/// What a database says when a unique constraint refused a write.
struct TestConstraintFailure: DatabaseError, Error {
    var isSyntaxError: Bool { false }
    var isConstraintFailure: Bool { true }
    var isConnectionClosed: Bool { false }
}

/// A sign-up with a field of its own, stored with the user.
struct NewsletterRegisterSerializer: RegisterSerializer {
    static let newsletter = CharField("newsletter", allowBlank: false)
    static let signups = NIOLockedValueBox<[String: String]>([:])

    func save(_ fields: JSONObject, context: RestAuthContext) async throws -> any RestAuthUser {
        var errors = ValidationErrors()
        let choice = Self.newsletter.read(from: fields, into: &errors).string
        guard choice == nil || ["yes", "no"].contains(choice!) else {
            throw ValidationErrors("newsletter", "Answer yes or no.")
        }
        do {
            _ = try await DefaultRegisterSerializer().validate(fields, context: context)
        } catch let failure as ValidationErrors {
            errors.merge(failure)
        }
        try errors.throwIfAny()
        let user = try await DefaultRegisterSerializer().save(fields, context: context)
        Self.signups.withLockedValue { $0[user.accountEmail] = choice }
        return user
    }
}

struct ClosedForTheNight: RegisterPermission {
    func check(_ context: RestAuthContext) async throws {
        if context.request.headers.first(name: "X-Time") == "night" {
            throw APIError.permissionDenied("Sign-ups are closed at night.")
        }
    }
}

/// Adds a check to the default login: staff only.
struct StaffOnlyLogin: LoginSerializer {
    func authenticate(_ fields: JSONObject, context: RestAuthContext) async throws -> LoginResult {
        let result = try await DefaultLoginSerializer().authenticate(fields, context: context)
        guard (result.user as? AuthUser)?.isStaff == true else {
            throw ValidationErrors.nonField("Only staff may log in here.")
        }
        return result
    }
}

@Suite("Swappable serializers and permissions")
struct SwapPointTests {
    @Test("A register serializer with a field of its own; save returns the user")
    func register() async throws {
        try await withRestAuthApp({ $0.registerSerializer = NewsletterRegisterSerializer() }) { _, client in
            let missing = try await client.register("newsy")
            #expect(missing.reply.json == ["newsletter": ["This field is required."]])
            let body: JSONValue = [
                "username": "newsy", "email": "newsy@example.com", "password1": .string(password),
                "password2": .string(password), "newsletter": "yes",
            ]
            let reply = try await client.post("registration/", body)
            #expect(reply.status == .created && reply.string("key") != nil)
            #expect(NewsletterRegisterSerializer.signups.withLockedValue { $0["newsy@example.com"] } == "yes")
        }
    }

    @Test("A register permission refuses with its own message")
    func permission() async throws {
        try await withRestAuthApp({ $0.registerPermissions = [AllowAnyRegistration(), ClosedForTheNight()] }) {
            app, client in
            let reply = try await client.post(
                "registration/",
                [
                    "username": "owl", "email": "owl@example.com", "password1": .string(password),
                    "password2": .string(password),
                ],
                headers: ["X-Time": "night"])
            #expect(reply.status == .forbidden && reply.json == ["detail": "Sign-ups are closed at night."])
            #expect(try await AuthUser.query(on: app.db).count() == 0)
            #expect(try await client.register("lark").reply.status == .created)
        }
    }

    @Test("A login serializer that adds a check")
    func login() async throws {
        try await withRestAuthApp({ $0.loginSerializer = StaffOnlyLogin() }) { app, client in
            let user = try await client.register()
            #expect(try await client.logIn(user.username).json == ["non_field_errors": ["Only staff may log in here."]])
            try await AuthUser.query(on: app.db).set(\.$isStaff, to: true).update()
            #expect(try await client.logIn(user.username).status == .ok)
        }
    }

    @Test("Token and JWT serializers, claims, and the token creator are the configuration's")
    func responses() async throws {
        struct TokenWithUser: TokenSerializer {
            func representation(ofToken key: String, user: any RestAuthUser, context: RestAuthContext) async throws
                -> JSONValue
            {
                ["key": .string(key), "user": try await context.userRepresentation(user)]
            }
        }
        struct FixedPrefixToken: TokenCreator {
            func token(for user: any RestAuthUser, context: RestAuthContext) async throws -> String {
                let key =
                    "feed" + String(try await DefaultTokenCreator().token(for: user, context: context).dropFirst(4))
                try await AuthToken.query(on: context.database).filter(\.$userKey == user.requireAccountKey()).set(
                    \.$id, to: key
                ).update()
                return key
            }
        }
        try await withRestAuthApp({
            $0.tokenSerializer = TokenWithUser()
            $0.tokenCreator = FixedPrefixToken()
        }) { _, client in
            let user = try await client.register()
            let reply = try await client.logIn(user.username)
            #expect(reply["user"] != nil && reply.string("key")?.hasPrefix("feed") == true)
            #expect(try await client.get("user/").status == .ok, "the token the creator made authenticates")
        }
        struct Flat: JWTSerializer {
            func representation(of response: JWTLoginResponse, context: RestAuthContext) async throws -> JSONValue {
                ["token": .string(response.access)]
            }
        }
        try await withRestAuthApp({
            jwtProfile(&$0)
            $0.jwtSerializerWithExpiration = Flat()
            $0.jwtClaimsSerializer = JWTClaims { user, _ in ["email": .string(user.accountEmail)] }
        }) { _, client in
            let user = try await client.register()
            let reply = try await client.jwtLogIn(user.username)
            guard case .object(let body)? = reply.json else {
                Issue.record("no body")
                return
            }
            #expect(body.keys == ["token"])
            #expect(claims(of: reply.string("token")!)["email"] == .string(user.email))
        }
    }
}

/// An adapter that allows one domain, names new users, keeps what it sends and builds app links.
struct DomainAdapter: AccountAdapter {
    let sent: MemoryEmailSender

    func cleanEmail(_ email: String, context: RestAuthContext) async throws -> String {
        guard email.lowercased().hasSuffix("@example.com") else {
            throw ValidationMessage("Sign-up is open to example.com addresses only.")
        }
        return email
    }

    func newUser(username: String?, email: String, passwordHash: String, context: RestAuthContext) -> any RestAuthUser {
        AuthUser(username: username ?? "", email: email, password: passwordHash, firstName: "New", lastName: "Member")
    }

    func send(_ message: EmailMessage, purpose: String, waiting: Bool, context: RestAuthContext) async {
        var tagged = message
        tagged.subject = "[adapter] " + message.subject
        try? await sent.send(tagged)
    }

    func passwordResetURL(uid: String, token: String, site: String, context: RestAuthContext) -> String {
        "myapp://reset/\(uid)/\(token)"
    }

    func emailConfirmationURL(key: String, site: String, context: RestAuthContext) -> String {
        "myapp://confirm/\(key)"
    }
}

@Suite("Account adapter")
struct AdapterTests {
    @Test("Clean e-mail with an allow-list, populate the new user, send and build links")
    func adapter() async throws {
        let sent = MemoryEmailSender()
        try await withRestAuthApp({ $0.accountAdapter = DomainAdapter(sent: sent) }) { app, client in
            let refused = try await client.register("outsider", email: "outsider@elsewhere.org")
            #expect(refused.reply.json == ["email": ["Sign-up is open to example.com addresses only."]])
            let user = try await client.register("insider", email: "insider@example.com")
            #expect(user.reply.status == .created)
            let row = try #require(try await AuthUser.query(on: app.db).first())
            #expect(row.firstName == "New" && row.lastName == "Member")
            let confirmation = try #require(sent.messages(to: "insider@example.com").first)
            #expect(confirmation.subject.hasPrefix("[adapter] ") && confirmation.text.contains("myapp://confirm/"))
            _ = try await client.post("password/reset/", ["email": "insider@example.com"])
            let reset = try #require(sent.messages(to: "insider@example.com").last)
            #expect(reset.text.contains("myapp://reset/"))
        }
    }
}

/// The adapter's user methods: a username rule of the app's, and a save that adds to the default.
struct ReservedNamesAdapter: AccountAdapter {
    let saved: NIOLockedValueBox<[String]>

    func cleanUsername(_ username: String, excluding: UserKey?, context: RestAuthContext) async throws -> String {
        guard !username.lowercased().contains("admin") else { throw ValidationMessage("That name is reserved.") }
        return try await DefaultAccountAdapter().cleanUsername(username, excluding: excluding, context: context)
    }

    func saveUser(_ user: any RestAuthUser, email: String, context: RestAuthContext) async throws -> EmailAddress? {
        let address = try await DefaultAccountAdapter().saveUser(user, email: email, context: context)
        saved.withLockedValue { $0.append(user.accountUsername ?? "") }
        return address
    }
}

@Suite("Password and JWT serializers, and the adapter's user methods")
struct MoreSwapPointTests {
    struct CaptchaReset: PasswordResetSerializer {
        func save(_ fields: JSONObject, context: RestAuthContext) async throws {
            guard fields["captcha"] == "solved" else { throw ValidationErrors("captcha", "Solve the captcha.") }
            try await DefaultPasswordResetSerializer().save(fields, context: context)
        }
    }

    struct RecordingResetConfirm: PasswordResetConfirmSerializer {
        let users: NIOLockedValueBox<[String]>
        func save(_ fields: JSONObject, context: RestAuthContext) async throws -> any RestAuthUser {
            let user = try await DefaultPasswordResetConfirmSerializer().save(fields, context: context)
            users.withLockedValue { $0.append(user.accountUsername ?? "") }
            return user
        }
    }

    struct NoNameInPassword: PasswordChangeSerializer {
        func save(_ fields: JSONObject, user: any RestAuthUser, context: RestAuthContext) async throws {
            if let new = fields["new_password1"]?.stringValue, let name = user.accountUsername,
                new.lowercased().contains(name.lowercased())
            {
                throw ValidationErrors("new_password1", "Leave your name out of it.")
            }
            try await DefaultPasswordChangeSerializer().save(fields, user: user, context: context)
        }
    }

    @Test("PASSWORD_RESET, PASSWORD_RESET_CONFIRM and PASSWORD_CHANGE serializers are the configuration's")
    func passwordSerializers() async throws {
        let mail = MemoryEmailSender()
        let confirmed = NIOLockedValueBox<[String]>([])
        try await withRestAuthApp({
            $0.emailSender = mail
            $0.passwordResetSerializer = CaptchaReset()
            $0.passwordResetConfirmSerializer = RecordingResetConfirm(users: confirmed)
            $0.passwordChangeSerializer = NoNameInPassword()
        }) { app, client in
            let user = try await client.register()
            let refused = try await client.post("password/reset/", ["email": .string(user.email)])
            #expect(refused.json == ["captcha": ["Solve the captcha."]])
            let sent = try await client.post("password/reset/", ["email": .string(user.email), "captcha": "solved"])
            #expect(sent.status == .ok)
            await app.restAuth.deliverPendingEmail()
            let (uid, token) = try resetLink(in: try #require(mail.messages(to: user.email).last))
            let reset = try await client.post(
                "password/reset/confirm/",
                [
                    "uid": .string(uid), "token": .string(token), "new_password1": .string(newPassword),
                    "new_password2": .string(newPassword),
                ])
            #expect(reset.status == .ok)
            #expect(confirmed.withLockedValue { $0 } == [user.username])

            try await client.logIn(user.username, password: newPassword)
            let withName = "\(user.username)-Lantern-8412"
            let change = try await client.post(
                "password/change/", ["new_password1": .string(withName), "new_password2": .string(withName)])
            #expect(change.json == ["new_password1": ["Leave your name out of it."]])
        }
    }

    @Test("JWT_SERIALIZER (without expiration) is the configuration's")
    func jwtSerializer() async throws {
        struct Flat: JWTSerializer {
            func representation(of response: JWTLoginResponse, context: RestAuthContext) async throws -> JSONValue {
                ["token": .string(response.access), "renew": .string(response.refresh)]
            }
        }
        try await withRestAuthApp({
            jwtProfile(&$0)
            $0.jwtAuthReturnExpiration = false
            $0.jwtSerializer = Flat()
        }) { _, client in
            let user = try await client.register()
            let reply = try await client.jwtLogIn(user.username)
            guard case .object(let body)? = reply.json else {
                Issue.record("no body")
                return
            }
            #expect(Set(body.keys) == ["token", "renew"])
        }
    }

    @Test("The adapter's cleanUsername and saveUser are used by sign-up, and by user/ for renames")
    func adapterUserMethods() async throws {
        let saved = NIOLockedValueBox<[String]>([])
        try await withRestAuthApp({ $0.accountAdapter = ReservedNamesAdapter(saved: saved) }) { _, client in
            let refused = try await client.register("sysadmin")
            #expect(refused.reply.json == ["username": ["That name is reserved."]])
            let user = try await client.register("grace")
            #expect(user.reply.status == .created)
            #expect(saved.withLockedValue { $0 } == ["grace"])
            try await client.logIn("grace")
            let rename = try await client.request(.PATCH, "user/", .json(["username": "admin-grace"]))
            #expect(rename.json == ["username": ["That name is reserved."]])
        }
    }
}

@Suite("Hooks")
struct HookTests {
    @Test("Every event, in order, after the change; a failing hook does not undo the request")
    func events() async throws {
        let seen = NIOLockedValueBox<[String]>([])
        let mail = MemoryEmailSender()
        try await withRestAuthApp({
            $0.emailSender = mail
            $0.hooks = [
                { event, _ in seen.withLockedValue { $0.append("first:\(event.name)") } },
                { event, _ in if case .userLoggedIn = event { throw Abort(.internalServerError, reason: "hook down") }
                },
                { event, _ in seen.withLockedValue { $0.append("third:\(event.name)") } },
            ]
        }) { app, client in
            let user = try await client.register()
            let key = try confirmationKey(in: try #require(mail.messages(to: user.email).first))
            _ = try await client.post("registration/verify-email/", ["key": .string(key)])
            let login = try await client.logIn(user.username)
            #expect(login.status == .ok, "a failing hook does not turn the login into an error")
            _ = try await client.post(
                "password/change/", ["new_password1": .string(newPassword), "new_password2": .string(newPassword)])
            _ = try await client.post("logout/")
            client.authorization = nil
            client.cookies = [:]
            _ = try await client.post("password/reset/", ["email": .string(user.email)])
            await app.restAuth.deliverPendingEmail()
            let (uid, token) = try resetLink(in: try #require(mail.messages(to: user.email).last))
            _ = try await client.post(
                "password/reset/confirm/",
                [
                    "uid": .string(uid), "token": .string(token), "new_password1": .string(password),
                    "new_password2": .string(password),
                ])
            let names = seen.withLockedValue { $0 }
            #expect(
                names == [
                    "first:user_signed_up", "third:user_signed_up", "first:email_confirmed", "third:email_confirmed",
                    "first:user_logged_in", "third:user_logged_in", "first:password_changed", "third:password_changed",
                    "first:user_logged_out", "third:user_logged_out", "first:password_reset", "third:password_reset",
                ])
        }
    }
}
