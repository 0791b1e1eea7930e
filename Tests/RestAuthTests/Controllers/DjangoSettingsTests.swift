import Fluent
import Foundation
import Testing
import Vapor

@testable import RestAuth

@Suite("OPTIONS metadata and the confirmation link's routes")
struct OptionsMetadataTests {
    @Test("OPTIONS answers DRF's SimpleMetadata: name, docstring, renders, parses, the serializer's fields")
    func loginMetadata() async throws {
        try await withRestAuthApp { _, client in
            let reply = try await client.request(.OPTIONS, "login/")
            #expect(reply.status == .ok)
            #expect(reply["name"] == "Login")
            #expect(
                reply["description"]?.stringValue?.hasPrefix("Check the credentials and return the REST Token\n")
                    == true)
            #expect(reply["renders"] == ["application/json", "text/html"])
            guard case .object(let actions)? = reply["actions"], case .object(let post)? = actions["POST"] else {
                Issue.record("no actions: \(reply.body)")
                return
            }
            #expect(post["email"] == ["type": "email", "required": false, "read_only": false, "label": "Email"])
            #expect(post["password"] == ["type": "string", "required": true, "read_only": false, "label": "Password"])
            // No serializer, no actions; verify-email's Allow is the one its view sets.
            #expect(try await client.request(.OPTIONS, "logout/")["actions"] == nil)
            let verify = try await client.request(.OPTIONS, "registration/verify-email/")
            #expect(verify.headers.first(name: .allow) == "POST, OPTIONS, HEAD")
            let get = try await client.get("logout/")
            #expect(get.status == .methodNotAllowed && get.json == ["detail": "Method \"GET\" not allowed."])
            #expect(get.headers.first(name: .allow) == "GET, POST, HEAD, OPTIONS")
        }
    }

    @Test("PUT user/ is described with the model's labels, its read-only fields and help text")
    func userMetadata() async throws {
        try await withRestAuthApp { _, client in
            let user = try await client.register()
            _ = try await client.logIn(user.username)
            let reply = try await client.request(.OPTIONS, "user/")
            guard case .object(let actions)? = reply["actions"], case .object(let put)? = actions["PUT"] else {
                Issue.record("no PUT actions: \(reply.body)")
                return
            }
            #expect(actions["POST"] == nil)
            #expect(put["pk"] == ["type": "integer", "required": false, "read_only": true, "label": "ID"])
            guard case .object(let email)? = put["email"] else { return }
            #expect(email["read_only"] == true && email["label"] == "Email address")
        }
    }

    @Test("The confirmation link's GET shows a page and leaves the key unused; the demo's redirect; Django's answers")
    func confirmationLink() async throws {
        let mail = MemoryEmailSender()
        // A key of its own (tests share the log, and the log-hygiene test looks for its keys).
        try await withRestAuthApp({
            $0.emailSender = mail
            $0.secretKey = "options-metadata-test-key-0123456789"
        }) { _, client in
            let user = try await client.register()
            let message = try #require(mail.messages(to: user.email).first)
            #expect(message.text.contains("http://localhost/dj-rest-auth/registration/account-confirm-email/"))
            let key = try confirmationKey(in: message)
            let path = "registration/account-confirm-email/\(key)/"
            let page = try await client.get(path)
            #expect(page.status == .ok && page.headers.contentType == .html && page.body.contains(key))
            #expect(try await client.request(.HEAD, path).status == .ok)
            let options = try await client.request(.OPTIONS, path)
            #expect(options.status == .ok && options.body.isEmpty)
            #expect(options.headers.first(name: .allow) == "GET, HEAD, OPTIONS")
            #expect(try await client.post(path, ["key": .string(key)]).status == .forbidden)  // CSRF first
            let csrf = "abcdefghijklmnopqrstuvwxyzABCDEF"
            client.cookies["csrftoken"] = csrf
            let post = try await client.post(path, ["key": .string(key)], headers: ["X-CSRFToken": csrf])
            #expect(post.status == .methodNotAllowed)
            let bare = try await client.get("/dj-rest-auth/registration/account-confirm-email/\(key)")
            #expect(bare.status == .movedPermanently)
            #expect(bare.headers.first(name: .location) == "/dj-rest-auth/\(path)")
            #expect(try await client.get("registration/account-confirm-email/not%20a%20key/").status == .notFound)
            #expect(try await client.get("registration/account-email-verification-sent/").status == .ok)
            // Nothing above confirmed the address.
            #expect(try await client.post("registration/verify-email/", ["key": .string(key)]).json == ["detail": "ok"])
        }
        try await withRestAuthApp({
            $0.emailSender = mail
            $0.secretKey = "options-metadata-test-key-0123456789"
            $0.emailConfirmationRedirect = "https://app.example.com/confirm/{key}"
        }) { _, client in
            let user = try await client.register()
            let key = try confirmationKey(in: try #require(mail.messages(to: user.email).last))
            let reply = try await client.get("registration/account-confirm-email/\(key)/")
            #expect(reply.status == .found)
            #expect(reply.headers.first(name: .location) == "https://app.example.com/confirm/\(key)")
        }
    }

    @Test("ACCOUNT_DEFAULT_HTTP_PROTOCOL=https: every link in mails is https on the request's host")
    func httpsLinks() async throws {
        let mail = MemoryEmailSender()
        try await withRestAuthApp({
            $0.emailSender = mail
            $0.defaultHTTPProtocol = "https"
        }) { app, client in
            let user = try await client.register()
            let confirmation = try #require(mail.messages(to: user.email).first)
            #expect(confirmation.text.contains("https://localhost/dj-rest-auth/registration/account-confirm-email/"))
            _ = try await client.post("password/reset/", ["email": .string(user.email)])
            await app.restAuth.deliverPendingEmail()
            let reset = try #require(mail.messages(to: user.email).last)
            #expect(reset.text.contains("https://localhost/password-reset/confirm/"))
            #expect(!reset.text.contains("http://"))
        }
    }
}

@Suite("ACCOUNT_SIGNUP_FIELDS and ACCOUNT_UNIQUE_EMAIL")
struct SignupFieldsTests {
    @Test("The setting's syntax: * marks required, an omitted field stays required, passwords always are")
    func parsing() throws {
        #expect(
            try SignupFields(["username*", "email", "password1*", "password2*"]) == SignupFields(emailRequired: false))
        #expect(try SignupFields(["email*", "password1*", "password2*"]) == SignupFields())
        #expect(try SignupFields(["username", "email*"]) == SignupFields(usernameRequired: false))
        for bad in [["phone*"], ["email*", "email"], ["password1"]] {
            #expect(throws: ConfigurationError.self) { try SignupFields(bad) }
        }
        let fromJSON = try RestAuthConfiguration(environment: [
            "SECRET_KEY": "s", "ACCOUNT_SIGNUP_FIELDS": #"["username*", "email", "password1*", "password2*"]"#,
        ])
        #expect(!fromJSON.signupFields.emailRequired && fromJSON.signupFields.usernameRequired)
        let deprecated = try RestAuthConfiguration(environment: ["SECRET_KEY": "s", "ACCOUNT_EMAIL_REQUIRED": "false"])
        #expect(!deprecated.signupFields.emailRequired)
        #expect(RestAuthConfiguration.deprecatedSettings(in: ["ACCOUNT_EMAIL_REQUIRED": "false"]).count == 1)
    }

    @Test("An optional address left out: no address row, no mail, no login by e-mail; blank or null is refused")
    func optionalEmail() async throws {
        let mail = MemoryEmailSender()
        try await withRestAuthApp({
            $0.emailSender = mail
            $0.signupFields = SignupFields(emailRequired: false)
        }) { app, client in
            for username in ["noaddress1", "noaddress2"] {
                let reply = try await TestClient(app: app).post(
                    "registration/",
                    ["username": .string(username), "password1": .string(password), "password2": .string(password)])
                #expect(reply.status == .created, "\(reply.body)")
            }
            #expect(try await EmailAddress.query(on: app.db).count() == 0)
            #expect(mail.messages.isEmpty)
            let user = try #require(try await AuthUser.query(on: app.db).filter(\.$username == "noaddress1").first())
            #expect(user.email == "")
            let blank = try await client.post(
                "registration/",
                ["username": "x1", "email": "", "password1": .string(password), "password2": .string(password)])
            #expect(blank.json == ["email": ["This field may not be blank."]])
            let resend = try await client.post("registration/resend-email/", [:])
            #expect(resend.json == ["detail": "ok"])
        }
    }

    @Test("An optional username left out is made from the address, and kept unique")
    func optionalUsername() async throws {
        try await withRestAuthApp({ $0.signupFields = SignupFields(usernameRequired: false) }) { app, _ in
            for email in ["grace.hopper@example.com", "Grace.Hopper@example.org"] {
                let reply = try await TestClient(app: app).post(
                    "registration/",
                    ["email": .string(email), "password1": .string(password), "password2": .string(password)])
                #expect(reply.status == .created, "\(reply.body)")
            }
            let names = try await AuthUser.query(on: app.db).all().map(\.username).sorted()
            #expect(names.count == 2 && names.allSatisfy { $0.lowercased().hasPrefix("grace.hopper") })
            #expect(Set(names.map { $0.lowercased() }).count == 2)
        }
    }

    @Test("Shared addresses: e-mail login is refused at start-up; each account verifies its own copy")
    func sharedAddresses() async throws {
        var invalid = testConfiguration { $0.uniqueEmail = false }
        #expect(throws: ConfigurationError.self) { try invalid.validate() }
        invalid.loginMethods = [.username]
        try invalid.validate()
        let mail = MemoryEmailSender()
        try await withRestAuthApp({
            $0.emailSender = mail
            $0.uniqueEmail = false
            $0.loginMethods = [.username]
        }) { app, client in
            for name in ["share1", "share2"] {
                let reply = try await client.register(name, email: "shared@example.com")
                #expect(reply.reply.status == .created, "\(reply.reply.body)")
            }
            let keys = try mail.messages(to: "shared@example.com").map(confirmationKey(in:))
            #expect(keys.count == 2 && Set(keys).count == 2)
            for key in keys {
                #expect(
                    try await client.post("registration/verify-email/", ["key": .string(key)]).json == ["detail": "ok"])
            }
            #expect(try await EmailAddress.query(on: app.db).filter(\.$verified == true).count() == 2)
        }
    }

    @Test("List settings read a JSON list as well as commas; a JSON list of other things is an error")
    func jsonLists() throws {
        let json = try RestAuthConfiguration(environment: [
            "SECRET_KEY": "s", "ALLOWED_HOSTS": #"["api.example.com", ".example.org"]"#,
            "PASSWORD_HASHERS": #"["django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher"]"#,
        ])
        #expect(json.allowedHosts == ["api.example.com", ".example.org"])
        #expect(json.passwordHashers.first?.algorithm == "pbkdf2_sha1")
        let commas = try RestAuthConfiguration(environment: [
            "SECRET_KEY": "s", "ALLOWED_HOSTS": "a.example, b.example",
        ])
        #expect(commas.allowedHosts == ["a.example", "b.example"])
        #expect(throws: ConfigurationError.self) {
            try RestAuthConfiguration(environment: ["SECRET_KEY": "s", "ALLOWED_HOSTS": #"["a", 1]"#])
        }
    }
}

@Suite("Settings that look applied but are not")
struct UnreadSettingsTests {
    @Test("Every prefix and every Django setting is checked; what the package (or the social package) reads is not")
    func unread() {
        let env = [
            "SESSION_ENGINE": "django.contrib.sessions.backends.cache", "TIME_ZONE": "Europe/Paris",
            "ACCOUNT_EMAIL_SUBJECT_PREFX": "[x]", "CORS_ALLOW_PRIVATE_NETWORK": "true", "REST_AUTH_USE_JTW": "true",
            "SOCIALACCOUNT_GOOGLE_CLIENT_ID": "id", "SOCIALACCOUNT_QUERY_EMAIL": "true",
            "SECRET_KEY": "s", "SECRET_KEY_FALLBACKS": "[]", "ACCOUNT_SIGNUP_FIELDS": "[]", "CORS_ALLOWED_ORIGINS": "",
            "DATABASE_URL": "sqlite://x", "PATH": "/usr/bin",
        ]
        let social: (String) -> Bool = { $0 == "SOCIALACCOUNT_GOOGLE_CLIENT_ID" }
        #expect(
            RestAuthConfiguration.unrecognisedSettings(in: env, alsoRead: social) == [
                "ACCOUNT_EMAIL_SUBJECT_PREFX", "CORS_ALLOW_PRIVATE_NETWORK", "REST_AUTH_USE_JTW", "SESSION_ENGINE",
                "SOCIALACCOUNT_QUERY_EMAIL", "TIME_ZONE",
            ])
        #expect(RestAuthConfiguration.djangoSettings.count > 140)
        #expect(RestAuthConfiguration.environmentSettings.allSatisfy { !$0.isEmpty })
    }
}
