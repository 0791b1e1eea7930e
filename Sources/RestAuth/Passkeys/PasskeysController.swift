import Crypto
import Fluent
import Foundation
import Vapor

/// dj-rest-auth's `dj_rest_auth.passkeys.urls`: registration and login ceremonies, the user's
/// list, and one passkey's detail. Answers as the reference does (its paths, bodies and
/// messages); checks what it does not (see ``WebAuthnChecks``): the signature before the
/// counter and backup flags, the user handle and `allowCredentials` at login, `crossOrigin`,
/// challenges taken atomically, names within their column.
struct PasskeysController: Sendable {
    let state: RestAuthState
    let store: PasskeyStore

    /// The algorithms the creation options offer, in py_webauthn 3's order (EdDSA, ES256,
    /// RS256), and the only ones a registration may use.
    static let algorithms: [COSEKey.Algorithm] = [.eddsa, .es256, .rs256]
    static let challengeBytes = 64
    static let name = CharField("name", required: false, maxLength: PasskeyConfiguration.maximumNameLength)
    /// The update serializer's `name` (a model field: required on PUT).
    static let newName = CharField("name", maxLength: PasskeyConfiguration.maximumNameLength)
    static let username = CharField("username", required: false, allowBlank: true)
    static let email = CharField.email("email", required: false, allowBlank: true)
    static let sessionID = CharField("session_id")
    static var notFound: APIError { .detail(.notFound, "No WebAuthnCredential matches the given query.") }

    var settings: PasskeyConfiguration { state.configuration.passkeys }

    var endpoints: [Endpoint] {
        let passkey = OpenAPISchema.object(
            [
                "id": OpenAPISchema.integer, "name": OpenAPISchema.string, "credential_id": OpenAPISchema.string,
                "created_at": OpenAPISchema.dateTime,
                "last_used_at": ["type": ["string", "null"], "format": "date-time"],
                "transports": ["type": "array", "items": OpenAPISchema.string],
                "discoverable": OpenAPISchema.boolean,
            ],
            required: ["id", "name", "credential_id", "created_at", "last_used_at", "transports", "discoverable"])
        let credential: JSONValue = [
            "type": "object",
            "description":
                "The PublicKeyCredential as its toJSON() writes it (binary members in base64url without padding)",
        ]
        let nameSchema = OpenAPISchema.fields([Self.newName])
        return [
            Endpoint(
                ["passkeys", "register", "begin"], name: "Passkey Register Begin",
                description: "Creation options for a new passkey of the signed-in user.",
                permission: .isAuthenticated, handlers: [(.POST, .async(registerBegin))],
                operations: [
                    (
                        .POST,
                        RestAuthOperation(
                            summary: "PublicKeyCredentialCreationOptions (JSON) for navigator.credentials.create()",
                            request: OpenAPISchema.fields([CharField("name", required: false)]),
                            response: OpenAPISchema.object(
                                [
                                    "rp": OpenAPISchema.anyObject, "user": OpenAPISchema.anyObject,
                                    "challenge": OpenAPISchema.string,
                                ], required: ["rp", "user", "challenge"])
                        ).refusable()
                    )
                ]),
            Endpoint(
                ["passkeys", "register", "complete"], name: "Passkey Register Complete",
                description: "Verify the new credential and store the passkey.",
                permission: .isAuthenticated, handlers: [(.POST, .async(registerComplete))],
                operations: [
                    (
                        .POST,
                        RestAuthOperation(
                            summary: "The authenticator's RegistrationResponseJSON; answers the new passkey",
                            request: OpenAPISchema.object(
                                ["credential": credential, "name": OpenAPISchema.schema(for: Self.name)],
                                required: ["credential"]),
                            status: 201, response: passkey)
                    )
                ]),
            Endpoint(
                ["passkeys", "login", "begin"], name: "Passkey Login Begin",
                description: "Request options for a passkey login, and the session id that completes it.",
                permission: .allowAny, handlers: [(.POST, .async(loginBegin))],
                operations: [
                    (
                        .POST,
                        RestAuthOperation(
                            summary:
                                "PublicKeyCredentialRequestOptions (JSON) for navigator.credentials.get(), with session_id",
                            request: OpenAPISchema.fields([Self.username, Self.email]),
                            response: OpenAPISchema.object(
                                ["challenge": OpenAPISchema.string, "session_id": OpenAPISchema.string],
                                required: ["challenge", "session_id"]))
                    )
                ]),
            Endpoint(
                ["passkeys", "login", "complete"], name: "Passkey Login Complete",
                description: "Verify the assertion and log the passkey's owner in.",
                permission: .allowAny, handlers: [(.POST, .async(loginComplete))],
                operations: [
                    (
                        .POST,
                        RestAuthOperation(
                            summary:
                                "The authenticator's AuthenticationResponseJSON and the session id; answers login's body",
                            request: OpenAPISchema.object(
                                ["credential": credential, "session_id": OpenAPISchema.string],
                                required: ["credential", "session_id"]),
                            status: state.loginStatus, response: state.loginResponseSchema)
                    )
                ]),
            Endpoint(
                ["passkeys"], name: "Passkey List", description: "The signed-in user's passkeys, newest first.",
                permission: .isAuthenticated, appendSlash: true, handlers: [(.GET, .async(list))],
                operations: [
                    (
                        .GET,
                        RestAuthOperation(
                            summary: "The user's passkeys, newest first",
                            response: ["type": "array", "items": passkey])
                    )
                ]),
            Endpoint(
                ["passkeys", ":pk"], name: "Passkey Detail", description: "One of the user's passkeys.",
                permission: .isAuthenticated,
                handlers: [
                    (.GET, .async(detail)), (.PUT, .async(rename)), (.PATCH, .async(rename)),
                    (.DELETE, .async(delete)),
                ],
                operations: [
                    (.GET, RestAuthOperation(summary: "One passkey", response: passkey)),
                    (.PUT, RestAuthOperation(summary: "Rename it", request: nameSchema, response: nameSchema)),
                    (.PATCH, RestAuthOperation(summary: "Rename it", request: nameSchema, response: nameSchema)),
                    (.DELETE, RestAuthOperation(summary: "Delete it", status: 204)),
                ]),
        ]
    }

    // MARK: Registration

    @Sendable func registerBegin(_ request: Request) async throws -> Response {
        let context = RestAuthContext(request: request, state: state)
        let user = try request.restAuth.requireUser()
        let key = try user.requireAccountKey()
        // `name` is read (and checked) as the reference's serializer reads it, and not kept.
        let fields = try RequestBody.parse(request).fields()
        var errors = ValidationErrors()
        _ = CharField("name", required: false, allowBlank: true).read(from: fields, into: &errors)
        try errors.throwIfAny()
        try requireRecentLogin(user, context: context)
        let now = Date()
        let challenge = SaltGenerator.randomBytes(Self.challengeBytes)
        let existing = try await store.passkeys(of: key, on: context.database)
        try await store.putChallenge(
            "reg:\(key)", challenge: challenge, user: key, expiresAt: now.addingTimeInterval(settings.challengeTimeout),
            now: now, on: context.database)
        let fullName = [user.accountFirstName ?? "", user.accountLastName ?? ""].joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
        let username = user.accountUsername ?? user.accountEmail ?? key.description
        let options: JSONValue = .object([
            "rp": ["name": .string(settings.rpName), "id": .string(settings.rpID)],
            "user": [
                "id": .string(DjangoSigner.b64Encode(Array(key.description.utf8))), "name": .string(username),
                "displayName": .string(fullName.isEmpty ? username : fullName),
            ],
            "challenge": .string(DjangoSigner.b64Encode(challenge)),
            "pubKeyCredParams": .array(Self.algorithms.map { ["type": "public-key", "alg": .int(Int($0.rawValue))] }),
            "timeout": .int(Int(settings.challengeTimeout * 1000)),
            "excludeCredentials": .array(
                existing.map { ["id": .string(DjangoSigner.b64Encode($0.credentialID)), "type": "public-key"] }),
            "authenticatorSelection": [
                "residentKey": "preferred", "requireResidentKey": false, "userVerification": "preferred",
            ],
            "attestation": "none",
        ])
        return .json(options)
    }

    @Sendable func registerComplete(_ request: Request) async throws -> Response {
        let context = RestAuthContext(request: request, state: state)
        let user = try request.restAuth.requireUser()
        let key = try user.requireAccountKey()
        let fields = try RequestBody.parse(request).fields()
        var errors = ValidationErrors()
        let credential = Self.readJSONField("credential", from: fields, into: &errors)
        let name = Self.name.read(from: fields, into: &errors)
        try errors.throwIfAny()
        guard let credential else { throw errors }
        try requireRecentLogin(user, context: context)
        let now = Date()
        // Taken before anything is checked: a refused attempt spends it too.
        guard let pending = try await store.takeChallenge("reg:\(key)", now: now, on: context.database) else {
            context.audit("passkey_registration", outcome: "failure", user: user, metadata: ["reason": "no_challenge"])
            throw ValidationErrors.nonField(RestAuthMessages.Passkeys.registrationExpired.text)
        }
        let registered: RegisteredCredential
        do {
            let response = try WebAuthnCredentialJSON.registration(credential)
            registered = try WebAuthnChecks.verifyRegistration(
                clientDataJSON: response.clientDataJSON, attestationObject: response.attestationObject,
                expectation: expectation(pending.challenge), allowedAlgorithms: Self.algorithms)
            guard registered.credentialID == response.rawID else {
                throw WebAuthnCredentialJSON.Refusal("rawId was not the attested credential's id")
            }
        } catch let refusal as WebAuthnCredentialJSON.Refusal {
            throw refused(registration: true, refusal.message, reason: "malformed", user: user, context: context)
        } catch let failure as WebAuthnFailure {
            throw refused(
                registration: true, failure.message(registration: true, origins: settings.origins),
                reason: "\(failure)", user: user, context: context)
        }
        let transports = Self.transports(of: credential)
        guard
            let passkey = try await store.insert(
                registered, name: name.string ?? RestAuthMessages.Passkeys.defaultName.text, transports: transports,
                discoverable: Self.discoverable(credential), owner: key, at: now, on: context.database)
        else {
            context.audit(
                "passkey_registration", outcome: "failure", user: user, metadata: ["reason": "already_registered"])
            throw ValidationErrors.nonField(RestAuthMessages.Passkeys.alreadyRegistered.text)
        }
        context.audit(
            "passkey_registration", outcome: "success", user: user,
            metadata: [
                "passkey": "\(passkey.id)", "attestation": .string(registered.attestationFormat),
                "backup_eligible": "\(registered.backupEligible)",
            ])
        return .json(Self.representation(passkey), status: .created)
    }

    // MARK: Login

    @Sendable func loginBegin(_ request: Request) async throws -> Response {
        let context = RestAuthContext(request: request, state: state)
        let fields = try RequestBody.parse(request).fields()
        var errors = ValidationErrors()
        let username = Self.username.read(from: fields, into: &errors).string ?? ""
        let email = Self.email.read(from: fields, into: &errors).string ?? ""
        try errors.throwIfAny()
        // The reference looks the user up by USERNAME_FIELD, else EMAIL_FIELD; here with
        // allauth's case folding, by the same indexes as login.
        var owner: (any RestAuthUser)?
        if !username.isEmpty {
            owner = try await context.user(username: username)
        } else if !email.isEmpty {
            let users = try await context.users(email: email)
            owner = users.count == 1 ? users[0] : nil
        }
        var allowed: [PasskeyRecord] = []
        if let key = owner?.accountKey { allowed = try await store.passkeys(of: key, on: context.database) }
        let now = Date()
        let challenge = SaltGenerator.randomBytes(Self.challengeBytes)
        let sessionID = SaltGenerator.randomHex(bytes: 16)
        // Scoped to the user only when the options named their passkeys: a client told `[]`
        // uses a discoverable credential, whoever holds it.
        try await store.putChallenge(
            "auth:\(sessionID)", challenge: challenge, user: allowed.isEmpty ? nil : owner?.accountKey,
            expiresAt: now.addingTimeInterval(settings.challengeTimeout), now: now, on: context.database)
        return .json([
            "challenge": .string(DjangoSigner.b64Encode(challenge)),
            "timeout": .int(Int(settings.challengeTimeout * 1000)),
            "rpId": .string(settings.rpID),
            "allowCredentials": .array(
                allowed.map { ["id": .string(DjangoSigner.b64Encode($0.credentialID)), "type": "public-key"] }),
            "userVerification": "preferred",
            "session_id": .string(sessionID),
        ])
    }

    @Sendable func loginComplete(_ request: Request) async throws -> Response {
        let context = RestAuthContext(request: request, state: state)
        let fields = try RequestBody.parse(request).fields()
        var errors = ValidationErrors()
        let credential = Self.readJSONField("credential", from: fields, into: &errors)
        let sessionID = Self.sessionID.read(from: fields, into: &errors).string
        try errors.throwIfAny()
        guard let credential, let sessionID else { throw errors }
        let now = Date()
        guard sessionID.utf8.count <= 64,
            let pending = try await store.takeChallenge("auth:\(sessionID)", now: now, on: context.database)
        else {
            context.audit("passkey_login", outcome: "failure", metadata: ["reason": "no_challenge"])
            throw ValidationErrors.nonField(RestAuthMessages.Passkeys.authenticationExpired.text)
        }
        guard case .object(let object) = credential else {
            throw ValidationErrors.nonField(RestAuthMessages.Passkeys.invalidFormat.text)
        }
        // The reference finds the passkey by `rawId` (else `id`) before anything is verified.
        guard case .string(let rawText) = object["rawId"] ?? object["id"] ?? .string(""), rawText.utf8.count <= 2048,
            let credentialID = DjangoSigner.b64Decode(Substring(rawText))
        else {
            throw ValidationErrors.nonField(RestAuthMessages.Passkeys.invalidFormat.text)
        }
        guard let (passkey, ownerKey) = try await store.passkey(credentialID: credentialID, on: context.database)
        else {
            context.audit("passkey_login", outcome: "failure", metadata: ["reason": "unknown_credential"])
            throw ValidationErrors.nonField(RestAuthMessages.Passkeys.credentialNotFound.text)
        }
        let signCount: UInt32
        let data: AuthenticatorData
        do {
            let response = try WebAuthnCredentialJSON.assertion(credential)
            let publicKey: COSEKey
            do {
                publicKey = try COSEKey(try CBORDecoder.decode(passkey.publicKey), encoded: passkey.publicKey)
            } catch {
                throw WebAuthnFailure.badSignature
            }
            (signCount, data) = try WebAuthnChecks.verifyAssertion(
                clientDataJSON: response.clientDataJSON, authenticatorData: response.authenticatorData,
                signature: response.signature, publicKey: publicKey, storedSignCount: passkey.signCount,
                storedBackupEligible: passkey.backupEligible, expectation: expectation(pending.challenge))
            // §7.2 steps 5-6, which the reference skips: the passkey must be one the options
            // allowed, and the user handle (required when none were named) its owner's.
            if let scoped = pending.user, scoped != ownerKey {
                throw WebAuthnCredentialJSON.Refusal("Credential was not among the allowed credentials")
            }
            if let handle = response.userHandle {
                guard ConstantTime.equals(handle, Array(ownerKey.description.utf8)) else {
                    throw WebAuthnCredentialJSON.Refusal("User handle did not belong to the credential's owner")
                }
            } else if pending.user == nil {
                throw WebAuthnCredentialJSON.Refusal("Credential response missing required userHandle")
            }
        } catch let refusal as WebAuthnCredentialJSON.Refusal {
            throw refused(registration: false, refusal.message, reason: "refused", user: nil, context: context)
        } catch let failure as WebAuthnFailure {
            if case .clonedAuthenticator(let stored, let received) = failure {
                // §7.2 step 22: a signature that holds over a counter that does not grow.
                context.logger.warning(
                    "passkey \(passkey.id) of user \(ownerKey) signed with a counter that did not grow: a cloned authenticator?",
                    metadata: ["stored": "\(stored)", "received": "\(received)"])
                context.audit(
                    "passkey_cloned", outcome: "failure",
                    metadata: [
                        "passkey": "\(passkey.id)", "user": "\(ownerKey)", "stored": "\(stored)",
                        "received": "\(received)",
                    ])
            }
            throw refused(
                registration: false, failure.message(registration: false, origins: settings.origins),
                reason: "\(failure)", user: nil, context: context)
        }
        guard
            try await store.recordUse(
                of: passkey, signCount: signCount, backupEligible: data.backupEligible, at: now, on: context.database)
        else {
            // Another assertion moved the counter between the read and this write.
            throw refused(
                registration: false,
                WebAuthnFailure.clonedAuthenticator(stored: passkey.signCount, received: signCount).message(
                    registration: false, origins: settings.origins),
                reason: "counter_raced", user: nil, context: context)
        }
        guard let user = try await state.users.user(key: ownerKey, on: context.database) else {
            throw ValidationErrors.nonField(RestAuthMessages.Passkeys.credentialNotFound.text)
        }
        guard user.accountIsActive else {
            context.audit("passkey_login", outcome: "failure", user: user, metadata: ["reason": "user_inactive"])
            throw ValidationErrors.nonField(RestAuthMessages.Login.accountDisabled.text)
        }
        context.audit(
            "passkey_login", outcome: "success", user: user,
            metadata: ["passkey": "\(passkey.id)", "user_verified": "\(data.userVerified)"])
        // A passkey that verified its user (PIN, biometric) is two factors in one.
        let twoFactors = data.userVerified && settings.userVerificationSatisfiesMFA
        return try await context.logIn(user, secondFactor: !twoFactors)
    }

    // MARK: Management

    @Sendable func list(_ request: Request) async throws -> Response {
        let context = RestAuthContext(request: request, state: state)
        let key = try request.restAuth.requireUser().requireAccountKey()
        let passkeys = try await store.passkeys(of: key, on: context.database)
        return .json(.array(passkeys.map(Self.representation)))
    }

    @Sendable func detail(_ request: Request) async throws -> Response {
        let context = RestAuthContext(request: request, state: state)
        let key = try request.restAuth.requireUser().requireAccountKey()
        guard let id = Self.pk(request), let passkey = try await store.passkey(id: id, of: key, on: context.database)
        else { throw Self.notFound }
        return .json(Self.representation(passkey))
    }

    @Sendable func rename(_ request: Request) async throws -> Response {
        let context = RestAuthContext(request: request, state: state)
        let key = try request.restAuth.requireUser().requireAccountKey()
        guard let id = Self.pk(request) else { throw Self.notFound }
        let fields = try RequestBody.parse(request).fields()
        var errors = ValidationErrors()
        let name = Self.newName.read(from: fields, into: &errors, partial: request.method == .PATCH)
        if errors.isEmpty, let value = name.string {
            // One statement: the update finds the user's passkey or nothing.
            guard try await store.rename(id: id, of: key, to: value, on: context.database) else { throw Self.notFound }
            return .json(["name": .string(value)])
        }
        // DRF finds the object before it validates: another user's passkey is a 404 first.
        guard let passkey = try await store.passkey(id: id, of: key, on: context.database) else { throw Self.notFound }
        try errors.throwIfAny()
        return .json(["name": .string(passkey.name)])
    }

    @Sendable func delete(_ request: Request) async throws -> Response {
        let context = RestAuthContext(request: request, state: state)
        let user = try request.restAuth.requireUser()
        let key = try user.requireAccountKey()
        guard let id = Self.pk(request), try await store.passkey(id: id, of: key, on: context.database) != nil else {
            throw Self.notFound
        }
        try requireRecentLogin(user, context: context)
        guard try await store.delete(id: id, of: key, on: context.database) else { throw Self.notFound }
        context.audit("passkey_deleted", outcome: "success", user: user, metadata: ["passkey": "\(id)"])
        return Response(status: .noContent)
    }

    // MARK: Helpers

    func expectation(_ challenge: [UInt8]) -> WebAuthnExpectation {
        WebAuthnExpectation(
            challenge: challenge, rpID: settings.rpID, origins: settings.origins, userVerificationRequired: false,
            allowCrossOrigin: settings.allowCrossOrigin)
    }

    private func refused(
        registration: Bool, _ message: String, reason: String, user: (any RestAuthUser)?, context: RestAuthContext
    ) -> ValidationErrors {
        context.audit(
            registration ? "passkey_registration" : "passkey_login", outcome: "failure", user: user,
            metadata: ["reason": .string(reason)])
        let template =
            registration ? RestAuthMessages.Passkeys.registrationFailed : RestAuthMessages.Passkeys.authenticationFailed
        return .nonField(template.format(["error": message]))
    }

    /// allauth's reauthentication: adding or removing a passkey needs a login within
    /// ``PasskeyConfiguration/reauthenticationTimeout`` (read from `last_login`, which every
    /// login sets: password, passkey, social, the MFA step).
    func requireRecentLogin(_ user: any RestAuthUser, context: RestAuthContext) throws {
        let timeout = settings.reauthenticationTimeout
        // A user model without `last_login` cannot tell: nothing is asked.
        guard timeout > 0, state.configuration.userModel.accountFields.lastLogin != nil else { return }
        guard let last = user.accountLastLogin, Date().timeIntervalSince(last) <= timeout else {
            context.audit("passkey_reauthentication", outcome: "failure", user: user)
            throw APIError.detail(.forbidden, RestAuthMessages.Passkeys.reauthenticationRequired.text)
        }
    }

    static func pk(_ request: Request) -> Int? {
        guard let text = request.parameters.get("pk"), !text.isEmpty, text.utf8.count <= 18,
            text.utf8.allSatisfy({ (0x30...0x39).contains($0) })
        else { return nil }
        return Int(text)
    }

    /// DRF's `JSONField`: any JSON value, required, not null.
    static func readJSONField(_ name: String, from fields: JSONObject, into errors: inout ValidationErrors)
        -> JSONValue?
    {
        switch fields[name] {
        case nil:
            errors.add(name, RestAuthMessages.Fields.required.text)
            return nil
        case .null?:
            errors.add(name, RestAuthMessages.Fields.null.text)
            return nil
        case let value?:
            return value
        }
    }

    /// The transports, where dj-rest-auth reads them (beside `response`), else where browsers
    /// put them (`response.transports`); strings only, at most 16 of at most 32 characters.
    static func transports(of credential: JSONValue) -> [String] {
        guard case .object(let object) = credential else { return [] }
        let list: [JSONValue]
        if case .array(let items)? = object["transports"] {
            list = items
        } else if case .object(let response)? = object["response"], case .array(let items)? = response["transports"] {
            list = items
        } else {
            list = []
        }
        return Array(list.compactMap(\.stringValue).filter { !$0.isEmpty && $0.utf8.count <= 32 }.prefix(16))
    }

    /// Discoverable unless the `credProps` extension said otherwise (the reference says true).
    static func discoverable(_ credential: JSONValue) -> Bool {
        guard case .object(let object) = credential, case .object(let results)? = object["clientExtensionResults"],
            case .object(let props)? = results["credProps"], case .bool(let rk)? = props["rk"]
        else { return true }
        return rk
    }

    static func representation(_ passkey: PasskeyRecord) -> JSONValue {
        [
            "id": .int(passkey.id), "name": .string(passkey.name),
            "credential_id": .string(DjangoSigner.b64Encode(passkey.credentialID)),
            "created_at": .string(DRFDateTime.string(passkey.createdAt)),
            "last_used_at": passkey.lastUsedAt.map { .string(DRFDateTime.string($0)) } ?? .null,
            "transports": .array(passkey.transports.map(JSONValue.string)),
            "discoverable": .bool(passkey.discoverable),
        ]
    }
}
