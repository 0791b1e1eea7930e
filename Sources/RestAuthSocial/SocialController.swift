import Fluent
import Foundation
import RestAuth
import SQLKit
import Vapor

/// dj-rest-auth's `SocialLoginView`, `SocialConnectView`, `SocialAccountListView` and
/// `SocialAccountDisconnectView`, with allauth's social sign-up.
struct SocialController: Sendable {
    let state: SocialState

    // In the request's language: the views run inside its work.
    static var incorrectInput: String { SocialMessages.incorrectInput.text }
    static var exchangeFailed: String { SocialMessages.exchangeFailed.text }
    static var incorrectValue: String { SocialMessages.incorrectValue.text }
    static var emailRegistered: String { RestAuthMessages.Registration.emailTakenSocial.text }
    static var connectedToOther: String { SocialMessages.connectedToOther.text }
    static var noPassword: String { SocialMessages.noPassword.text }
    static var noVerifiedEmail: String { SocialMessages.noVerifiedEmail.text }

    /// The views, with what the OpenAPI document says of them: social login answers as
    /// `login/` does with `restAuthConfiguration`.
    func endpoints(restAuthConfiguration: RestAuthConfiguration) -> [RestAuthEndpoint] {
        var endpoints: [RestAuthEndpoint] = []
        let loginResponse = OpenAPISchema.firstLoginStepResponse(restAuthConfiguration, social: true)
        let loginStatus = OpenAPISchema.loginStatus(restAuthConfiguration)
        for entry in state.configuration.entries {
            let name = Self.displayName(entry.provider.id)
            let request = OpenAPISchema.fields(Self.fields(for: entry.provider))
            endpoints.append(
                RestAuthEndpoint(
                    [.constant(entry.provider.id)], name: "\(name) Login", permission: .allowAny,
                    handlers: [(.POST, .async { try await login($0, entry: entry, connect: false) })],
                    operations: [
                        (
                            .POST,
                            RestAuthOperation(
                                summary: "Log in or sign up with a \(name) access token, code or id_token",
                                request: request,
                                status: loginStatus, response: loginResponse)
                        )
                    ]))
            endpoints.append(
                RestAuthEndpoint(
                    [.constant(entry.provider.id), "connect"], name: "\(name) Connect", permission: .isAuthenticated,
                    handlers: [(.POST, .async { try await login($0, entry: entry, connect: true) })],
                    operations: [
                        (
                            .POST,
                            RestAuthOperation(
                                summary: "Connect a \(name) account to the signed-in user", request: request,
                                status: loginStatus, response: OpenAPISchema.loginResponse(restAuthConfiguration))
                        )
                    ]))
        }
        if state.configuration.mountsAccountRoutes { endpoints += accountEndpoints() }
        return endpoints
    }

    /// `socialaccounts/` and `socialaccounts/<id>/disconnect/`: under the API's prefix, or
    /// wherever the app mounts them (dj-rest-auth's manual mounts its views at the project's
    /// URL conf).
    func accountEndpoints() -> [RestAuthEndpoint] {
        var endpoints: [RestAuthEndpoint] = []
        endpoints.append(
            RestAuthEndpoint(
                ["socialaccounts"], name: "Social Account List", permission: .isAuthenticated,
                handlers: [(.GET, .async(list))],
                operations: [
                    (
                        .GET,
                        RestAuthOperation(
                            summary: "The user's social accounts",
                            response: [
                                "type": "array",
                                "items": OpenAPISchema.object(
                                    [
                                        "id": OpenAPISchema.integer, "provider": OpenAPISchema.string,
                                        "uid": OpenAPISchema.string,
                                        "last_login": OpenAPISchema.dateTime, "date_joined": OpenAPISchema.dateTime,
                                    ], required: ["id", "provider", "uid", "last_login", "date_joined"]),
                            ])
                    )
                ]))
        endpoints.append(
            RestAuthEndpoint(
                ["socialaccounts", ":pk", "disconnect"], name: "Social Account Disconnect",
                permission: .isAuthenticated,
                handlers: [(.POST, .async(disconnect))],
                operations: [
                    (
                        .POST,
                        RestAuthOperation(
                            summary: "Disconnect one of the user's social accounts", response: OpenAPISchema.object([:])
                        )
                    )
                ]))
        return endpoints
    }

    static func displayName(_ id: String) -> String {
        switch id {
        case "github": "GitHub"
        case "openid_connect": "OpenID Connect"
        default:
            id.split(whereSeparator: { $0 == "_" || $0 == "-" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }
                .joined(separator: " ")
        }
    }

    // MARK: Login and connect

    /// What the client sent, checked as dj-rest-auth's serializers check it.
    struct Input {
        var accessToken: String?
        var code: String?
        var idToken: String?
        var tokenSecret: String?
    }

    /// The body's fields: dj-rest-auth's TwitterLoginSerializer (both required) for
    /// OAuth 1.0a, its SocialLoginSerializer otherwise.
    static func fields(for provider: any SocialProvider) -> [CharField] {
        if provider.usesTokenSecret { return [CharField("access_token"), CharField("token_secret")] }
        return [
            CharField("access_token", required: false, allowBlank: true),
            CharField("code", required: false, allowBlank: true),
            CharField("id_token", required: false, allowBlank: true),
        ]
    }

    static func input(_ fields: JSONObject, provider: any SocialProvider) throws -> Input {
        var errors = ValidationErrors()
        var values: [String: String] = [:]
        for field in Self.fields(for: provider) {
            if case .value(let text) = field.read(from: fields, into: &errors), !text.isEmpty {
                values[field.name] = text
            }
        }
        var input = Input()
        input.accessToken = values["access_token"]
        input.code = values["code"]
        input.idToken = values["id_token"]
        input.tokenSecret = values["token_secret"]
        try errors.throwIfAny()
        return input
    }

    func login(_ request: Request, entry: SocialConfiguration.Entry, connect: Bool) async throws -> Response {
        let context = request.restAuth.context
        let provider = entry.provider
        let input = try Self.input(try RequestBody.parse(request).fields(), provider: provider)
        guard let app = try await state.credentials(for: entry, on: request.restAuth.database) else {
            request.logger.error(
                "social login with \(provider.id): no app in the configuration or in socialaccount_socialapp")
            throw APIError.detail(
                .serviceUnavailable, SocialMessages.notConfigured.format(["provider": provider.id]))
        }
        var social = SocialContext(
            http: state.configuration.httpClient ?? request.application.http.client.shared, app: app,
            logger: request.logger,
            keys: state.keys, timeout: state.configuration.providerTimeout)
        social.queryEmail = state.configuration.queryEmail

        let tokens: SocialTokens
        let profile: SocialProfile
        do {
            (tokens, profile) = try await verify(input, provider: provider, social: social)
            guard !profile.uid.isEmpty, profile.uid.count <= 191 else {
                throw ValidationErrors.nonField(Self.incorrectValue)
            }
        } catch {
            context.audit(
                connect ? "social_connect" : "social_login", outcome: "failure", user: request.restAuth.user,
                metadata: ["provider": .string(provider.id)])
            throw error
        }
        let store = SocialAccountStore(
            database: request.restAuth.database, storeTokens: state.configuration.storeTokens)
        if connect {
            let user = try request.restAuth.requireUser()
            try await self.connect(
                user, provider: provider.id, profile: profile, tokens: tokens, appID: app.appID, store: store,
                context: context)
            // Already signed in (both factors): connecting a provider is no new login.
            return try await context.logIn(user, secondFactor: false)
        }
        let user = try await signIn(
            provider: provider.id, profile: profile, tokens: tokens, appID: app.appID, store: store, context: context)
        guard user.accountIsActive else { throw ValidationErrors.nonField(RestAuthMessages.Login.accountDisabled.text) }
        if context.configuration.emailVerification == .mandatory, try await !context.hasVerifiedEmail(user) {
            throw ValidationErrors.nonField(RestAuthMessages.Login.emailNotVerified.text)
        }
        return try await context.logIn(user, secondFactor: context.configuration.mfa.socialLoginRequiresCode)
    }

    /// Turns what the client sent into the provider's tokens and profile, with
    /// dj-rest-auth's messages for what fails.
    func verify(_ input: Input, provider: any SocialProvider, social: SocialContext) async throws -> (
        SocialTokens, SocialProfile
    ) {
        func checked<T>(_ work: () async throws -> T) async throws -> T {
            do {
                return try await work()
            } catch let error as CancellationError {
                throw error
            } catch {
                social.logger.info("social login with \(provider.id) refused: \(error)")
                throw ValidationErrors.nonField(Self.incorrectValue)
            }
        }
        if let accessToken = input.accessToken {
            let tokens = SocialTokens(accessToken: accessToken, idToken: input.idToken, tokenSecret: input.tokenSecret)
            return (tokens, try await checked { try await provider.profile(for: tokens, context: social) })
        }
        if let code = input.code {
            guard social.app.callbackURL != nil else { throw ValidationErrors.nonField("Define callback_url in view") }
            let tokens: SocialTokens
            do {
                tokens = try await provider.exchange(code: code, context: social)
            } catch let error as CancellationError {
                throw error
            } catch {
                social.logger.info("social login with \(provider.id): the code exchange failed: \(error)")
                throw ValidationErrors.nonField(Self.exchangeFailed)
            }
            return (tokens, try await checked { try await provider.profile(for: tokens, context: social) })
        }
        if let idToken = input.idToken {
            // An id_token alone (Google One Tap, Sign in with Apple on a device): checked
            // against the provider's keys like any other.
            let profile = try await checked { try await provider.profile(forIDToken: idToken, context: social) }
            if let profile { return (SocialTokens(accessToken: idToken, idToken: idToken), profile) }
        }
        throw ValidationErrors.nonField(Self.incorrectInput)
    }

    /// allauth's login of a social account: the user linked to (provider, uid), or a new
    /// user. An e-mail address alone never links an account.
    func signIn(
        provider: String, profile: SocialProfile, tokens: SocialTokens, appID: Int?, store: SocialAccountStore,
        context: RestAuthContext
    ) async throws -> any RestAuthUser {
        for attempt in 0..<4 {
            if let account = try await store.account(provider: provider, uid: profile.uid) {
                try await store.update(account, profile: profile, tokens: tokens, appID: appID)
                guard let user = try await context.user(key: account.userKey) else {
                    throw ValidationErrors.nonField(Self.incorrectValue)
                }
                return user
            }
            let email = profile.email?.trimmingCharacters(in: .whitespaces) ?? ""
            if !email.isEmpty, profile.emailVerified, state.configuration.emailAuthentication,
                let owner = try await verifiedOwner(of: email, context: context)
            {
                // SOCIALACCOUNT_EMAIL_AUTHENTICATION: both sides verified the address.
                if state.configuration.emailAuthenticationAutoConnect {
                    do {
                        try await store.link(
                            provider: provider, profile: profile, to: owner.requireAccountKey(), tokens: tokens,
                            appID: appID)
                        await context.publish(.socialAccountAdded(provider: provider, uid: profile.uid, user: owner))
                    } catch let error as any DatabaseError where error.isConstraintFailure {
                        continue  // linked by a parallel request: found by uid on the next turn
                    }
                }
                context.audit(
                    "social_email_authentication", outcome: "success", user: owner,
                    metadata: ["provider": .string(provider)])
                return owner
            }
            if !email.isEmpty, context.configuration.uniqueEmail, try await context.emailRegistered(email) {
                // The address may be this very account's, signed up a moment ago by a
                // racing request (user, address and account commit together): look again.
                if try await store.account(provider: provider, uid: profile.uid) != nil { continue }
                throw ValidationErrors.nonField(Self.emailRegistered)
            }
            if email.isEmpty, context.configuration.userModel.accountFields.username == nil {
                // A user model without usernames knows its users by address only.
                throw ValidationErrors.nonField(SocialMessages.emailRequired.text)
            }
            let username = try await SocialUsernames.unique(for: profile, attempt: attempt, context: context)
            do {
                let (user, address) = try await store.signUp(
                    provider: provider, profile: profile, email: email, username: username, tokens: tokens,
                    appID: appID,
                    context: context)
                await context.publish(.userSignedUp(user))
                await context.publish(.socialAccountAdded(provider: provider, uid: profile.uid, user: user))
                if let address, context.configuration.emailVerification != .none {
                    await context.sendSignupConfirmation(for: address, user: user)
                }
                return user
            } catch let error as any DatabaseError where error.isConstraintFailure {
                // A race: the same account signing up twice, or the username or address
                // taken meanwhile. Look again.
                context.logger.debug("social sign-up raced (\(error)); retrying")
                continue
            }
        }
        throw ValidationErrors.nonField(Self.emailRegistered)
    }

    /// The one active account that has `email` verified, if exactly one has.
    func verifiedOwner(of email: String, context: RestAuthContext) async throws -> (any RestAuthUser)? {
        var owners: [any RestAuthUser] = []
        for user in try await context.users(email: email) where user.accountIsActive {
            guard let key = user.accountKey else { continue }
            let verified = try await EmailAddress.query(on: context.database).filter(\.$userKey == key)
                .filter(\.$verified == true).all()
                .contains { AccountCaseFolding.equal($0.email, email) }
            if verified { owners.append(user) }
        }
        return owners.count == 1 ? owners[0] : nil
    }

    /// allauth's connect: links the account to the signed-in user.
    func connect(
        _ user: any RestAuthUser, provider: String, profile: SocialProfile, tokens: SocialTokens, appID: Int?,
        store: SocialAccountStore, context: RestAuthContext
    ) async throws {
        let key = try user.requireAccountKey()
        for _ in 0..<2 {
            if let account = try await store.account(provider: provider, uid: profile.uid) {
                guard account.userKey == key else { throw ValidationErrors.nonField(Self.connectedToOther) }
                try await store.update(account, profile: profile, tokens: tokens, appID: appID)
                return
            }
            do {
                try await store.link(provider: provider, profile: profile, to: key, tokens: tokens, appID: appID)
                await context.publish(.socialAccountAdded(provider: provider, uid: profile.uid, user: user))
                return
            } catch let error as any DatabaseError where error.isConstraintFailure {
                continue
            }
        }
        throw ValidationErrors.nonField(Self.connectedToOther)
    }

    // MARK: List and disconnect

    static func representation(_ account: SocialAccount) -> JSONValue {
        [
            "id": account.id.map { .int($0) } ?? .null, "provider": .string(account.provider),
            "uid": .string(account.uid),
            "last_login": .string(DRFDateTime.string(account.lastLogin)),
            "date_joined": .string(DRFDateTime.string(account.dateJoined)),
        ]
    }

    @Sendable func list(_ request: Request) async throws -> Response {
        let key = try request.restAuth.requireUser().requireAccountKey()
        let accounts = try await SocialAccount.query(on: request.restAuth.database).filter(\.$userKey == key).sort(
            \.$id
        ).all()
        return .json(.array(accounts.map(Self.representation)))
    }

    /// dj-rest-auth's disconnect, with the checks allauth makes before it: the last social
    /// account of a user without a usable password (or, with mandatory verification,
    /// without a verified address) stays, or the user could never sign in again.
    @Sendable func disconnect(_ request: Request) async throws -> Response {
        let user = try request.restAuth.requireUser()
        let key = try user.requireAccountKey()
        guard let id = request.parameters.get("pk").flatMap(Int.init),
            let account = try await SocialAccount.query(on: request.restAuth.database).filter(\.$id == id).filter(
                \.$userKey == key
            )
            .first()
        else {
            throw APIError.notFound
        }
        let context = request.restAuth.context
        var lastProblem: String?
        if !user.hasUsablePassword {
            lastProblem = Self.noPassword
        } else if context.configuration.emailVerification == .mandatory, try await !context.hasVerifiedEmail(user) {
            lastProblem = Self.noVerifiedEmail
        }
        let store = SocialAccountStore(
            database: request.restAuth.database, storeTokens: state.configuration.storeTokens)
        let removed = try await store.remove(
            accountID: id, userKey: key, onlyIfOthersRemain: lastProblem != nil, context: context)
        guard removed else {
            if let lastProblem { throw ValidationErrors.nonField(lastProblem) }
            throw APIError.notFound
        }
        await context.publish(.socialAccountRemoved(provider: account.provider, uid: account.uid, user: user))
        // dj-rest-auth answers with its connect serializer over the deleted account, which
        // has none of that serializer's fields.
        return .json(.object(JSONObject()))
    }
}
