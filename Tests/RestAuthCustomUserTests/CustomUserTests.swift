import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import RestAuth
import RestAuthTesting
import Testing
import Vapor
import VaporTesting

let password = "Sturdy-Lantern-8412"
let newPassword = "Quiet-Harbor-5937"

/// An app on its own `Member` model: its migration first, then the package's.
func withMemberApp(
    _ adjust: (inout RestAuthConfiguration) -> Void = { _ in },
    _ test: (Application, RestAuthTestClient, MemoryEmailSender) async throws -> Void
) async throws {
    let mail = MemoryEmailSender()
    var configuration = RestAuthConfiguration(secretKey: "custom-user-test-secret-key-0123456789")
    configuration.userModel = Member.self
    configuration.loginMethods = [.email]
    configuration.passwordHashers = [PBKDF2PasswordHasher(iterations: 1000)]
    configuration.passwordHashingThreads = 2
    // Requests name localhost (the test client) or 127.0.0.1:port (live servers).
    configuration.debug = true
    configuration.emailSender = mail
    adjust(&configuration)
    let schema = "member_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
    try await withApp(configure: { app in
        app.threadPool = NIOThreadPool(numberOfThreads: 4)
        if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], url.hasPrefix("postgres") {
            var postgres = try SQLPostgresConfiguration(url: url)
            postgres.searchPath = [String(schema)]
            app.databases.use(.postgres(configuration: postgres, maxConnectionsPerEventLoop: 1), as: .psql)
            try await (app.db as! any SQLDatabase).raw("CREATE SCHEMA \(unsafeRaw: String(schema))").run()
        } else {
            app.databases.use(.sqlite(.memory), as: .sqlite)
        }
        app.migrations.add(CreateMember())
        try await app.restAuth.configure(configuration)
        try await app.autoMigrate()
        try app.restAuth.mount(at: "dj-rest-auth")
    }) { app in
        let client = RestAuthTestClient(app: app)
        do {
            try await test(app, client, mail)
        } catch {
            if ProcessInfo.processInfo.environment["DATABASE_URL"] != nil {
                try? await (app.db as! any SQLDatabase).raw("DROP SCHEMA \(unsafeRaw: String(schema)) CASCADE").run()
            }
            throw error
        }
        if ProcessInfo.processInfo.environment["DATABASE_URL"] != nil {
            try await (app.db as! any SQLDatabase).raw("DROP SCHEMA \(unsafeRaw: String(schema)) CASCADE").run()
        }
    }
}

func signUp(_ client: RestAuthTestClient, email: String) async throws -> RestAuthTestClient.Reply {
    try await RestAuthTestClient(app: client.app).post(
        "registration/", ["email": .string(email), "password1": .string(password), "password2": .string(password)])
}

@Suite("An app's own user model: UUID key, its own table, e-mail only")
struct CustomUserTests {
    @Test("Sign-up needs no username; the key is a UUID; the address is the identifier")
    func signup() async throws {
        try await withMemberApp { app, client, mail in
            let reply = try await signUp(client, email: "Ada@Example.com")
            #expect(reply.status == .created)
            let key = try #require(reply.string("key"))
            client.authorization = "Token \(key)"
            let me = try await client.get("user/")
            #expect(me.status == .ok)
            guard case .object(let body)? = me.json else {
                Issue.record("no body")
                return
            }
            #expect(Set(body.keys) == ["pk", "email"])
            #expect(UUID(uuidString: me.string("pk") ?? "") != nil)
            #expect(me.string("email") == "ada@example.com")
            let member = try #require(try await Member.query(on: app.db).first())
            #expect(member.displayName == "ada" && member.passwordHash.hasPrefix("pbkdf2_sha256$"))
            #expect(mail.messages(to: "ada@example.com").count == 1)
            let again = try await signUp(client, email: "ADA@example.com")
            #expect(again.json == ["email": ["A user is already registered with this e-mail address."]])
            #expect(try await signUp(client, email: "x@example.com").status == .created)
        }
    }

    @Test("Login by e-mail, sessions, logout, password change")
    func loginFlows() async throws {
        try await withMemberApp { app, client, _ in
            _ = try await signUp(client, email: "grace@example.com")
            let login = try await client.post("login/", ["email": "grace@example.com", "password": .string(password)])
            #expect(login.status == .ok && login.string("key") != nil)
            #expect(client.cookies["sessionid"] != nil)
            #expect(try await client.get("user/").string("email") == "grace@example.com", "the session authenticates")
            let member = try #require(try await Member.query(on: app.db).first())
            #expect(member.lastSeen != nil)
            client.authorization = "Token \(login.string("key")!)"
            let change = try await client.post(
                "password/change/", ["new_password1": .string(newPassword), "new_password2": .string(newPassword)])
            #expect(change.status == .ok)
            #expect(try await client.post("logout/").status == .ok)
            client.authorization = nil
            client.cookies = [:]
            let old = try await client.post("login/", ["email": "grace@example.com", "password": .string(password)])
            #expect(old.status == .badRequest)
            let new = try await client.post("login/", ["email": "grace@example.com", "password": .string(newPassword)])
            #expect(new.status == .ok)
            try await Member.query(on: app.db).set(\.$active, to: false).update()
            client.cookies = [:]
            let disabled = try await client.post(
                "login/", ["email": "grace@example.com", "password": .string(newPassword)])
            #expect(disabled.json == ["non_field_errors": ["User account is disabled."]])
        }
    }

    @Test("Reset with a UUID uid, e-mail verification, mandatory verification")
    func mailFlows() async throws {
        try await withMemberApp({ $0.emailVerification = .mandatory }) { app, client, mail in
            let reply = try await signUp(client, email: "hedy@example.com")
            #expect(reply.json == ["detail": "Verification e-mail sent."])
            let confirmation = try #require(mail.messages(to: "hedy@example.com").first)
            let key = try #require(
                confirmation.text.range(of: #"account-confirm-email/[-:\w]+/"#, options: .regularExpression))
            let keyText = String(confirmation.text[key].split(separator: "/")[1])
            let unverified = try await client.post(
                "login/", ["email": "hedy@example.com", "password": .string(password)])
            #expect(unverified.json == ["non_field_errors": ["E-mail is not verified."]])
            #expect(try await client.post("registration/verify-email/", ["key": .string(keyText)]).status == .ok)
            let verified = try await client.post(
                "login/", ["email": "hedy@example.com", "password": .string(password)])
            #expect(verified.status == .ok)

            client.cookies = [:]
            let resetReply = try await client.post("password/reset/", ["email": "hedy@example.com"])
            #expect(resetReply.status == .ok, "\(resetReply.body)")
            await app.restAuth.deliverPendingEmail()
            let reset = try #require(mail.messages(to: "hedy@example.com").last)
            let link = try #require(
                reset.text.range(of: #"password-reset/confirm/[^/\s]+/[^/\s]+/"#, options: .regularExpression))
            let parts = reset.text[link].split(separator: "/")
            let uid = String(parts[2])
            #expect(uid.count == 32 && uid.allSatisfy(\.isHexDigit), "allauth writes a UUID as 32 hex digits")
            let confirm = try await client.post(
                "password/reset/confirm/",
                [
                    "uid": .string(uid), "token": .string(String(parts[3])), "new_password1": .string(newPassword),
                    "new_password2": .string(newPassword),
                ])
            #expect(confirm.status == .ok)
            client.cookies = [:]
            let after = try await client.post(
                "login/", ["email": "hedy@example.com", "password": .string(newPassword)])
            #expect(after.status == .ok)
        }
    }

    @Test("JWT: the user id claim is the UUID")
    func jwt() async throws {
        try await withMemberApp({
            $0.useJWT = true
            $0.sessionLogin = false
            $0.jwtAuthHTTPOnly = false
        }) { app, client, _ in
            let reply = try await signUp(client, email: "jwt@example.com")
            let access = try #require(reply.string("access"))
            let payload = try #require(DjangoSignerProbe.claims(access))
            let member = try #require(try await Member.query(on: app.db).first())
            #expect(payload["user_id"] == .string(member.id!.uuidString.lowercased()))
            client.authorization = "Bearer \(access)"
            #expect(try await client.get("user/").status == .ok)
            let refresh = try await RestAuthTestClient(app: app).post(
                "token/refresh/", ["refresh": .string(reply.string("refresh")!)])
            #expect(refresh.status == .ok)
        }
    }

    @Test("user/ PUT and PATCH, resend-email, and verify-email on the app's model")
    func userAndResend() async throws {
        // allauth's confirm_email limit (one mail per address per 3 minutes) would hold the
        // resend back right after the sign-up's mail.
        try await withMemberApp({ $0.rateLimits = nil }) { app, client, mail in
            let key = try #require(try await signUp(client, email: "ida@example.com").string("key"))
            client.authorization = "Token \(key)"
            // The serializer's fields are the model's: pk and email, both read-only here.
            let patch = try await client.request(.PATCH, "user/", .json(["email": "other@example.com"]))
            #expect(patch.status == .ok && patch.string("email") == "ida@example.com")
            let put = try await client.request(.PUT, "user/", .json([:]))
            #expect(put.status == .ok && put.string("pk") == patch.string("pk"))
            let wrong = try await client.request(.PATCH, "user/", .raw("{", contentType: "application/json"))
            #expect(wrong.status == .badRequest)

            client.authorization = nil
            let resend = try await client.post("registration/resend-email/", ["email": "IDA@example.com"])
            #expect(resend.json == ["detail": "ok"])
            await app.restAuth.deliverPendingEmail()
            let messages = mail.messages(to: "ida@example.com")
            #expect(messages.count == 2)
            let last = try #require(messages.last)
            let range = try #require(
                last.text.range(of: #"account-confirm-email/[-:\w]+/"#, options: .regularExpression))
            let confirmation = String(last.text[range].split(separator: "/")[1])
            #expect(try await client.post("registration/verify-email/", ["key": .string(confirmation)]).status == .ok)
            let member = try #require(try await Member.query(on: app.db).first())
            let address = try #require(try await EmailAddress.query(on: app.db).first())
            #expect(address.verified && address.userKey == .uuid(member.id!))
        }
    }

    @Test("JWT with a UUID key: verify, logout blacklists, a password change revokes the other logins")
    func jwtLifecycle() async throws {
        try await withMemberApp({
            $0.useJWT = true
            $0.sessionLogin = false
            $0.jwtAuthHTTPOnly = false
            $0.jwtRotateRefreshTokens = true
            $0.jwtBlacklistAfterRotation = true
        }) { app, client, _ in
            _ = try await signUp(client, email: "joan@example.com")
            func logIn() async throws -> (access: String, refresh: String) {
                let reply = try await RestAuthTestClient(app: app).post(
                    "login/", ["email": "joan@example.com", "password": .string(password)])
                return (try #require(reply.string("access")), try #require(reply.string("refresh")))
            }
            let first = try await logIn()
            let second = try await logIn()
            #expect(try await client.post("token/verify/", ["token": .string(first.access)]).json == [:])

            client.authorization = "Bearer \(first.access)"
            #expect(try await client.post("logout/", ["refresh": .string(first.refresh)]).status == .ok)
            client.authorization = nil
            let refused = try await client.post("token/refresh/", ["refresh": .string(first.refresh)])
            #expect(refused.status == .unauthorized)
            #expect(try await client.post("token/verify/", ["token": .string(first.access)]).status == .unauthorized)

            let third = try await logIn()
            client.authorization = "Bearer \(third.access)"
            let change = try await client.post(
                "password/change/", ["new_password1": .string(newPassword), "new_password2": .string(newPassword)])
            #expect(change.status == .ok)
            client.authorization = nil
            let other = try await client.post("token/refresh/", ["refresh": .string(second.refresh)])
            #expect(other.status == .unauthorized, "another login of the user ends with the password")
            let own = try await client.post("token/refresh/", ["refresh": .string(third.refresh)])
            #expect(own.status == .ok, "the caller's login survives")
        }
    }

    @Test("createsuperuser with the app's model: the address is the identifier")
    func createSuperuser() async throws {
        try await withMemberApp { app, client, _ in
            let admin = AccountAdministration(application: app)
            #expect(!admin.hasUsernames)
            #expect(try await admin.problems(username: "", email: "") == ["Email address: This field cannot be blank."])
            let user = try await admin.createSuperuser(username: "", email: "Boss@Example.com", password: password)
            #expect(user is Member && user.accountEmail == "boss@example.com")
            #expect(
                try await admin.problems(username: "", email: "BOSS@example.com") == [
                    "Error: That email address is already taken."
                ])
            let login = try await client.post("login/", ["email": "boss@example.com", "password": .string(password)])
            #expect(login.status == .ok)
            try await admin.changePassword(username: "boss@example.com", to: newPassword)
            client.cookies = [:]
            let after = try await client.post(
                "login/", ["email": "boss@example.com", "password": .string(newPassword)])
            #expect(after.status == .ok)
        }
    }

    @Test("Two sign-ups racing with one address: one account")
    func race() async throws {
        try await withMemberApp { app, client, _ in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        try await signUp(client, email: index % 2 == 0 ? "race@example.com" : "RACE@example.com").status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1)
            #expect(try await Member.query(on: app.db).count() == 1)
        }
    }

    @Test("A username login method is refused for a model without usernames")
    func configurationCheck() {
        var configuration = RestAuthConfiguration(secretKey: "k")
        configuration.userModel = Member.self
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
    }
}

/// Reads a JWT's claims as a client would.
enum DjangoSignerProbe {
    static func claims(_ token: String) -> JSONObject? {
        var part = String(token.split(separator: ".")[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(
            of: "_", with: "/")
        while part.count % 4 != 0 { part += "=" }
        guard let data = Data(base64Encoded: part),
            case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: data)
        else { return nil }
        return object
    }
}
