import Foundation
import RestAuthClient
import Testing

/// What the client must do against any dj-rest-auth server: each scenario runs against
/// the demo in this process (ClientDemoTests) and, when the environment names one,
/// against a running server such as the real dj-rest-auth (ClientExternalServerTests).
enum Scenarios {
    // MARK: Sign-in, user details, logout

    static func loginUserLogout(_ server: TestServer) async throws {
        let person = try await server.newUser()
        let client = server.client()
        let states = await client.sessionStates()
        var iterator = states.makeAsyncIterator()
        #expect(await iterator.next() == .signedOut(nil))

        let outcome = try await client.login(username: person.username, password: person.password)
        let signIn = try #require(outcome.signIn)
        #expect(signIn.mode == server.mode)
        #expect(await iterator.next() == .signedIn(server.mode))
        let credentials = try #require(await client.currentCredentials())
        switch server.mode {
        case .token: #expect(credentials.key?.isEmpty == false)
        case .jwt:
            #expect(credentials.access?.isEmpty == false && credentials.refresh?.isEmpty == false)
            #expect(credentials.accessExpiration.map { $0 > Date() } == true)
            #expect(signIn.user?.username == person.username)
        case .jwtCookie:
            #expect(credentials.refresh == nil)
            #expect(credentials.cookies.contains { $0.name == "jwt-refresh" })
        case .session: #expect(credentials.cookies.contains { $0.name == "sessionid" })
        }

        var user = try await client.user()
        #expect(user.username == person.username)
        #expect(user.email == person.email)
        #expect(user.pk != nil)

        // An unsafe method: in the cookie modes this needs the CSRF header.
        user = try await client.updateUser(UserUpdate(firstName: "Ada", lastName: "Lovelace"))
        #expect(user.firstName == "Ada" && user.lastName == "Lovelace")
        #expect(try await client.user().lastName == "Lovelace")
        // PUT with a new username: dj-rest-auth refuses a PUT that repeats the user's own
        // username ("A user with that username already exists."; allauth's clean_username).
        user = try await client.replaceUser(
            UserUpdate(username: person.username + "2", firstName: "Augusta", lastName: ""))
        #expect(user.firstName == "Augusta" && user.lastName == "" && user.username == person.username + "2")

        // The app's own request, with the same credential.
        let own = try await client.send("GET", path: "user/")
        #expect(own.status == 200)
        #expect(own.json?["username"]?.stringValue == person.username + "2")

        try await client.logout()
        #expect(await iterator.next() == .signedOut(.loggedOut))
        #expect(await client.currentCredentials() == nil)
        await #expect(throws: RestAuthError.notSignedIn) { try await client.user() }

        // The server forgot the credential too.
        switch server.mode {
        case .token:
            let reply = try await server.raw("GET", "user/", headers: ["Authorization": "Token \(credentials.key!)"])
            #expect(reply.status == 401)
        case .jwt:
            let reply = try await server.raw("POST", "token/refresh/", json: ["refresh": .string(credentials.refresh!)])
            #expect(reply.status == 401)
        case .jwtCookie, .session:
            let cookie = credentials.cookies.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
            let reply = try await server.raw("GET", "user/", headers: ["Cookie": cookie])
            if server.mode == .session { #expect(reply.status == 403 || reply.status == 401) }
        }
    }

    /// DRF's error shapes come back as values, never as a decoding failure.
    static func errorsAsValues(_ server: TestServer) async throws {
        let person = try await server.newUser()
        let client = server.client()
        do {
            _ = try await client.login(username: person.username, password: "wrong-password")
            Issue.record("a wrong password signed in")
        } catch let error as RestAuthError {
            #expect(error.status == 400)
            #expect(error.nonFieldErrors == ["Unable to log in with provided credentials."])
            #expect(error.message == "Unable to log in with provided credentials.")
        }
        do {
            _ = try await client.login(username: person.username, password: "")
            Issue.record("an empty password signed in")
        } catch let error as RestAuthError {
            #expect(error.fieldErrors["password"]?.messages == ["This field may not be blank."])
        }
        do {
            _ = try await client.signUp(SignUpRequest(username: person.username, email: "x@", password: "short"))
            Issue.record("a bad sign-up succeeded")
        } catch let error as RestAuthError {
            #expect(error.fieldErrors["username"]?.messages == ["A user with that username already exists."])
            #expect(error.fieldErrors["email"]?.messages == ["Enter a valid email address."])
        }
        await #expect(throws: RestAuthError.notSignedIn) { try await client.user() }
        // Anonymous calls of the app's own: statuses as they are.
        #expect(try await client.send("GET", path: "user/").status == 401 || server.mode == .session)
        let missing = try await client.send("GET", path: "no-such-route/", authenticated: false)
        #expect(missing.status == 404)
        // An authenticated call whose credential the server refuses ends the session once.
        _ = try await client.login(username: person.username, password: person.password)
        if server.mode == .token {
            var broken = try #require(await client.currentCredentials())
            broken.key = "0000000000000000000000000000000000000000"
            try await client.adopt(broken)
            await #expect(throws: RestAuthError.self) { try await client.user() }
            #expect(await client.currentCredentials() == nil)
        }
    }

    /// allauth's `login_failed` limit (5 per 5 minutes for one account): the sixth wrong
    /// password is a 429 whose wait the client reads. The reference runs with
    /// `ACCOUNT_RATE_LIMITS = False`, so this runs against the demo only.
    static func throttled(_ server: TestServer) async throws {
        guard server.inProcess else { try Test.cancel("the reference runs without rate limits") }
        let person = try await server.newUser()
        let client = server.client()
        var last: RestAuthError?
        for _ in 0..<6 {
            do {
                _ = try await client.login(username: person.username, password: "wrong")
            } catch let error as RestAuthError {
                last = error
            }
        }
        guard case .throttled(let wait, let detail)? = last else {
            Issue.record("expected a 429, got \(String(describing: last))")
            return
        }
        // The limit's window slides over two 5-minute slots: the wait is at most two of them.
        #expect(wait.map { $0 >= 1 && $0 <= 600 } == true, "Retry-After: \(String(describing: wait))")
        #expect(detail.detail?.isEmpty == false)
        #expect(last?.status == 429)
    }

    // MARK: Registration and mail

    static func signUpAndVerify(_ server: TestServer) async throws {
        let client = server.client()
        let name = "new\(UUID().uuidString.prefix(8).lowercased())"
        let email = "\(name)@example.com"
        let password = "Ca7-\(UUID().uuidString)"
        let since = Date()
        let outcome = try await client.signUp(SignUpRequest(username: name, email: email, password: password))
        switch outcome {
        case .signedIn(let signIn):
            #expect(signIn.mode == server.mode)
            #expect(try await client.user().username == name)
        case .verificationSent(let detail): #expect(detail == "Verification e-mail sent.")
        case .created:
            #expect(server.mode == .session)
        }
        let mail = try await server.mail(to: email, since: since)
        let link = try firstLink(in: mail)
        #expect(try await client.verifyEmail(link: link) == "ok")
        // A key used once is used: verifying again answers 404 or 400 (not a crash).
        do {
            try await client.verifyEmail(key: "not-a-key")
            Issue.record("a made-up key verified")
        } catch let error as RestAuthError {
            #expect(error.status == 404 || error.status == 400)
        }
        #expect(try await client.resendVerificationEmail(email) == "ok")
        // A mismatched confirmation is a non-field error.
        do {
            _ = try await client.signUp(
                SignUpRequest(
                    username: name + "x", email: "x" + email, password: password, confirmation: password + "!"))
            Issue.record("mismatched passwords signed up")
        } catch let error as RestAuthError {
            #expect(error.nonFieldErrors == ["The two password fields didn't match."])
        }
    }

    static func passwordReset(_ server: TestServer) async throws {
        let person = try await server.newUser()
        let client = server.client()
        let since = Date()
        #expect(try await client.requestPasswordReset(email: person.email) == "Password reset e-mail has been sent.")
        let mail = try await server.mail(to: person.email, since: since)
        let link = try firstLink(in: mail)
        let parts = try #require(PasswordResetLink(url: link))
        let newPassword = "Ne7-\(UUID().uuidString)"
        #expect(
            try await client.confirmPasswordReset(link: link, newPassword: newPassword)
                == "Password has been reset with the new password.")
        // The link is spent.
        do {
            try await client.confirmPasswordReset(uid: parts.uid, token: parts.token, newPassword: newPassword + "2")
            Issue.record("a reset link worked twice")
        } catch let error as RestAuthError {
            #expect(error.fieldErrors["token"]?.messages == ["Invalid value"])
        }
        #expect(try await client.login(username: person.username, password: newPassword).signIn != nil)
    }

    static func passwordChange(_ server: TestServer) async throws {
        let person = try await server.newUser()
        let client = server.client()
        _ = try await client.login(username: person.username, password: person.password)
        do {
            try await client.changePassword(newPassword: "Ne7-first", confirmation: "Ne7-second")
            Issue.record("mismatched new passwords were saved")
        } catch let error as RestAuthError {
            #expect(error.fieldErrors["new_password2"]?.messages == ["The two password fields didn’t match."])
        }
        let newPassword = "Ne7-\(UUID().uuidString)"
        #expect(try await client.changePassword(newPassword: newPassword) == "New password has been saved.")
        try? await client.logout()
        #expect(try await client.login(username: person.username, password: newPassword).signIn != nil)
    }

    // MARK: Two factors

    static func mfaLogin(_ server: TestServer) async throws {
        guard await server.offersMFA() else { try Test.cancel("the server has no mfa/ routes") }
        let person = try await server.newUser()
        let client = server.client()
        _ = try await client.login(username: person.username, password: person.password)
        #expect(try await client.mfaStatus().enabled == false)
        let setup = try await client.beginTOTPActivation()
        #expect(setup.totpURL.hasPrefix("otpauth://totp/"))
        do {
            _ = try await client.activateTOTP(setup, code: "12345x")
            Issue.record("a wrong code turned TOTP on")
        } catch let error as RestAuthError {
            #expect(error.status == 400)
        }
        let first = try await TOTPCode.next(setup.secret, after: nil)
        let recovery = try await client.activateTOTP(setup, code: first.code)
        #expect(!recovery.isEmpty)
        let status = try await client.mfaStatus()
        #expect(status.enabled && status.createdAt != nil)
        try await client.logout()

        // The second step: a refused code, then a TOTP code.
        guard
            case .mfaRequired(let challenge) = try await client.login(
                username: person.username, password: person.password)
        else {
            Issue.record("no second step")
            return
        }
        #expect(await client.currentCredentials() == nil)
        await #expect(throws: RestAuthError.self) { try await client.verifyMFA(challenge, code: "12345x") }
        let verified = try await TOTPCode.next(setup.secret, after: first.step)
        let signIn = try await client.verifyMFA(challenge, code: verified.code)
        #expect(signIn.mode == server.mode)
        #expect(try await client.user().username == person.username)
        #expect(try await client.recoveryCodes().count == recovery.count)
        try await client.logout()

        // A recovery code, once.
        guard
            case .mfaRequired(let second) = try await client.login(username: person.username, password: person.password)
        else { throw TestFailure("no second step") }
        _ = try await client.verifyMFA(second, code: recovery[0])
        let left = try await client.recoveryCodes()
        #expect(!left.contains(recovery[0]) && left.count == recovery.count - 1)
        let fresh = try await client.regenerateRecoveryCodes()
        #expect(fresh.count == recovery.count && Set(fresh).isDisjoint(with: recovery))
        #expect(
            try await client.deactivateTOTP(code: TOTPCode.next(setup.secret, after: verified.step).code)
                == "TOTP has been deactivated.")
        #expect(try await client.mfaStatus().enabled == false)
    }

    // MARK: Passkeys

    /// Register a passkey, sign in with it, list, rename, delete; a forged assertion is a
    /// 400 with the server's words. The authenticator is a P-256 key of the test's own,
    /// answering as a browser's `toJSON()` does for the origin the server's settings list.
    static func passkeys(_ server: TestServer) async throws {
        guard await server.offersPasskeys() else { try Test.cancel("the server has no passkeys/ routes") }
        let person = try await server.newUser()
        let client = server.client()
        _ = try await client.login(username: person.username, password: person.password)
        let device = TestPasskey()
        let options = try await client.beginPasskeyRegistration()
        #expect(options["rp"]?["id"]?.stringValue == "localhost")
        let created = try await client.completePasskeyRegistration(try device.registration(options), name: "Laptop")
        #expect(created.name == "Laptop" && created.credentialID == TestPasskey.b64(device.credentialID))
        #expect(try await client.passkeys() == [created])
        try await client.logout()

        let challenge = try await client.beginPasskeyLogin(username: person.username)
        #expect(challenge.options["allowCredentials"]?.arrayValue?.count == 1)
        let forged = try device.assertion(challenge.options, tamper: true)
        do {
            _ = try await client.completePasskeyLogin(challenge, credential: forged)
            Issue.record("a forged assertion signed in")
        } catch let error as RestAuthError {
            #expect(error.status == 400)
            #expect(
                error.nonFieldErrors == [
                    "Authentication verification failed: Could not verify authentication signature"
                ])
        }
        let again = try await client.beginPasskeyLogin()
        guard
            case .signedIn(let signIn) = try await client.completePasskeyLogin(
                again, credential: try device.assertion(again.options))
        else { throw TestFailure("no sign-in with the passkey") }
        #expect(signIn.mode == server.mode)
        #expect(try await client.user().username == person.username)
        #expect(try await client.renamePasskey(id: created.id, name: "Phone") == "Phone")
        let listed = try await client.passkeys()
        #expect(listed.map(\.name) == ["Phone"] && listed.first?.lastUsedAt != nil)
        try await client.deletePasskey(id: created.id)
        #expect(try await client.passkeys().isEmpty)
        try await client.logout()
    }

    // MARK: JWT refresh

    /// Many calls that find the access token expired make one refresh between them.
    static func singleFlightRefresh(_ server: TestServer) async throws {
        let person = try await server.newUser()
        let client = server.client(leeway: 5)
        _ = try await client.login(username: person.username, password: person.password)
        let before = try #require(await client.currentCredentials())
        let countBefore = server.refreshRequests

        // Proactive: the client knows the access token has expired.
        var expired = before
        expired.accessExpiration = Date().addingTimeInterval(-1)
        try await client.adopt(expired)
        try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<24 { group.addTask { try await client.user().username } }
            for try await name in group { #expect(name == person.username) }
        }
        let renewed = try #require(await client.currentCredentials())
        #expect(renewed.accessExpiration.map { $0 > Date() } == true)
        if server.mode == .jwt { #expect(renewed.access != before.access) }
        if let countBefore { #expect(server.refreshRequests == countBefore + 1) }

        // Reactive: the server refuses the access token the client believed good.
        var refused = renewed
        refused.access = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2lnbmF0dXJl"
        refused.accessExpiration = Date().addingTimeInterval(3600)
        if server.mode == .jwtCookie {
            refused.cookies = refused.cookies.map { cookie in
                var cookie = cookie
                if cookie.name == "jwt-auth" { cookie.value = refused.access! }
                return cookie
            }
        }
        try await client.adopt(refused)
        try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<24 { group.addTask { try await client.user().username } }
            for try await name in group { #expect(name == person.username) }
        }
        if let countBefore { #expect(server.refreshRequests == countBefore + 2) }
        #expect(await client.isSignedIn())
    }

    /// A refused refresh signs out once, however many calls were waiting for it.
    static func revokedRefreshSignsOut(_ server: TestServer) async throws {
        let person = try await server.newUser()
        let client = server.client(leeway: 5)
        _ = try await client.login(username: person.username, password: person.password)
        let credentials = try #require(await client.currentCredentials())
        let refresh = try #require(
            credentials.refresh ?? credentials.cookies.first { $0.name == "jwt-refresh" }?.value)
        // Logged out elsewhere: the refresh token is blacklisted.
        // (dj-rest-auth reads the refresh token from its cookie when it has one.)
        var headers = ["Authorization": "Bearer \(credentials.access ?? "")"]
        if server.mode == .jwtCookie { headers["Cookie"] = "jwt-refresh=\(refresh)" }
        let other = try await server.raw("POST", "logout/", json: ["refresh": .string(refresh)], headers: headers)
        #expect(other.status == 200, "\(String(decoding: other.body, as: UTF8.self))")

        let states = await client.sessionStates()
        let collector = Task { () -> [SessionState] in
            var seen: [SessionState] = []
            for await state in states {
                seen.append(state)
                if case .signedOut = state { break }
            }
            return seen
        }
        var expired = credentials
        expired.accessExpiration = Date().addingTimeInterval(-1)
        try await client.adopt(expired)
        let failures = try await withThrowingTaskGroup(of: RestAuthError?.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    do {
                        _ = try await client.user()
                        return nil
                    } catch let error as RestAuthError {
                        return error
                    }
                }
            }
            return try await group.reduce(into: [RestAuthError?]()) { $0.append($1) }
        }
        for failure in failures {
            switch failure {
            case .sessionExpired?, .notSignedIn?: break
            default: Issue.record("expected the session to end, got \(String(describing: failure))")
            }
        }
        // However it went, stop listening after a while: a missing state fails, not hangs.
        let watchdog = Task {
            try await Task.sleep(nanoseconds: 5_000_000_000)
            collector.cancel()
        }
        let seen = await collector.value
        watchdog.cancel()
        #expect(seen.last == .signedOut(.refreshRejected))
        #expect(seen.filter { if case .signedOut = $0 { true } else { false } }.count == 1)
        #expect(await client.currentCredentials() == nil)
    }

    // MARK: Sessions across launches

    static func savedSession(_ server: TestServer) async throws {
        let person = try await server.newUser()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("restauth-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let first = server.client(store: FileCredentialStore(url: file))
        _ = try await first.login(username: person.username, password: person.password)
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        // The next launch: a new client on the same file is signed in.
        let second = server.client(store: FileCredentialStore(url: file))
        #expect(await second.isSignedIn())
        #expect(try await second.user().username == person.username)
        try await second.logout()
        #expect(!FileManager.default.fileExists(atPath: file.path))
    }

    // MARK: Social accounts

    static func socialAccounts(_ server: TestServer) async throws {
        guard server.inProcess else { try Test.cancel("the social provider is the in-process demo's fake GitHub") }
        let client = server.client()
        let login = "octo\(UUID().uuidString.prefix(6).lowercased())"
        let outcome = try await client.socialLogin("github", .accessToken("tok-\(login)"))
        #expect(outcome.signIn?.mode == server.mode)
        var accounts = try await client.socialAccounts()
        #expect(accounts.map(\.provider) == ["github"])
        #expect(try await client.user().email == "\(login)@users.example.com")
        // The only way in and no password: the server refuses to disconnect it.
        do {
            try await client.disconnectSocialAccount(id: accounts[0].id)
            Issue.record("the last way in was disconnected")
        } catch let error as RestAuthError {
            #expect(error.status == 400)
        }
        try await client.logout()

        // A password user connects a GitHub account with a code, then disconnects it.
        let person = try await server.newUser()
        _ = try await client.login(username: person.username, password: person.password)
        try await client.connectSocial("github/connect/", .code("\(login)x"))
        accounts = try await client.socialAccounts()
        #expect(accounts.count == 1)
        #expect(await client.isSignedIn())
        try await client.disconnectSocialAccount(id: accounts[0].id)
        #expect(try await client.socialAccounts().isEmpty)
        // A token GitHub never issued.
        await #expect(throws: RestAuthError.self) { try await client.socialLogin("github/", .accessToken("forged")) }
    }
}
