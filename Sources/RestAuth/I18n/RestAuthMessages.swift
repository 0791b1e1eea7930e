/// Every text the package shows a client or puts in a mail, by area: the message ids of the
/// gettext catalogs. Each id is the English text exactly as its origin (Django, DRF, allauth,
/// dj-rest-auth, simplejwt) writes it, so that the catalogs of those packages translate it; the
/// package's own texts are ``LocalizedMessage/Origin/restAuth``.
///
/// `Locale/restauth.pot` is generated from ``all`` (and the social views' messages) by the
/// catalog test (`UPDATE_CATALOGS=1 swift test --filter Catalog`), which otherwise checks that
/// it is current.
public enum RestAuthMessages {
    /// Every message of the package, for the `.pot` template and its test.
    public static var all: [LocalizedMessage] {
        Fields.all + Errors.all + Authentication.all + Login.all + Registration.all + Passwords.all
            + PasswordReset.all + JWT.all + MFA.all + Passkeys.all + Email.all
    }

    /// DRF's field and serializer messages.
    public enum Fields {
        public static let required = LocalizedMessage("This field is required.", origin: .djangoRestFramework)
        public static let null = LocalizedMessage("This field may not be null.", origin: .djangoRestFramework)
        public static let blank = LocalizedMessage("This field may not be blank.", origin: .djangoRestFramework)
        public static let notAString = LocalizedMessage("Not a valid string.", origin: .djangoRestFramework)
        public static let invalidEmail = LocalizedMessage(
            "Enter a valid email address.", origin: .djangoRestFramework)
        public static let maxLength = LocalizedMessage(
            "Ensure this field has no more than {max_length} characters.", origin: .djangoRestFramework,
            placeholders: .brace)
        public static let minLength = LocalizedMessage(
            "Ensure this field has at least {min_length} characters.", origin: .djangoRestFramework,
            placeholders: .brace)
        /// Django's `ProhibitNullCharactersValidator`, which DRF's fields use.
        public static let nullCharacters = LocalizedMessage("Null characters are not allowed.", origin: .django)
        public static let notADictionary = LocalizedMessage(
            "Invalid data. Expected a dictionary, but got {datatype}.", origin: .djangoRestFramework,
            placeholders: .brace)
        /// Django's `UnicodeUsernameValidator`.
        public static let invalidUsername = LocalizedMessage(
            "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.",
            origin: .django)
        /// Django's `AbstractUser.username` help text (in the answer to `OPTIONS user/`).
        public static let usernameHelpText = LocalizedMessage(
            "Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.", origin: .django)
        /// Django's `AbstractUser.username` uniqueness message.
        public static let usernameTaken = LocalizedMessage(
            "A user with that username already exists.", origin: .django)

        static let all = [
            required, null, blank, notAString, invalidEmail, maxLength, minLength, nullCharacters, notADictionary,
            invalidUsername, usernameHelpText, usernameTaken,
        ]
    }

    /// DRF's exceptions, and the package's own answers to requests it cannot serve.
    public enum Errors {
        public static let notFound = LocalizedMessage("Not found.", origin: .djangoRestFramework)
        public static let methodNotAllowed = LocalizedMessage(
            #"Method "{method}" not allowed."#, origin: .djangoRestFramework, placeholders: .brace)
        public static let unsupportedMediaType = LocalizedMessage(
            #"Unsupported media type "{media_type}" in request."#, origin: .djangoRestFramework,
            placeholders: .brace)
        public static let serverError = LocalizedMessage("A server error occurred.", origin: .djangoRestFramework)
        public static let permissionDenied = LocalizedMessage(
            "You do not have permission to perform this action.", origin: .djangoRestFramework)
        /// DRF translates this part of a throttled answer; the part that says how long to wait
        /// it looks up already formatted, so no catalog has it and it stays English.
        public static let throttled = LocalizedMessage("Request was throttled.", origin: .djangoRestFramework)
        public static let payloadTooLarge = LocalizedMessage(
            "Request body is larger than the limit of %(limit)s bytes.", origin: .restAuth, placeholders: .percent)
        public static let tokenUnavailable = LocalizedMessage(
            "Could not issue a token; try again.", origin: .restAuth)
        public static let sessionUnavailable = LocalizedMessage("Could not create a session.", origin: .restAuth)

        static let all = [
            notFound, methodNotAllowed, unsupportedMediaType, serverError, permissionDenied, throttled,
            payloadTooLarge, tokenUnavailable, sessionUnavailable,
        ]
    }

    /// DRF's authentication failures.
    public enum Authentication {
        public static let notAuthenticated = LocalizedMessage(
            "Authentication credentials were not provided.", origin: .djangoRestFramework)
        public static let invalidToken = LocalizedMessage("Invalid token.", origin: .djangoRestFramework)
        public static let tokenHeaderEmpty = LocalizedMessage(
            "Invalid token header. No credentials provided.", origin: .djangoRestFramework)
        public static let tokenHeaderSpaces = LocalizedMessage(
            "Invalid token header. Token string should not contain spaces.", origin: .djangoRestFramework)

        static let all = [notAuthenticated, invalidToken, tokenHeaderEmpty, tokenHeaderSpaces]
    }

    /// dj-rest-auth's login and logout.
    public enum Login {
        public static let unableToLogIn = LocalizedMessage(
            "Unable to log in with provided credentials.", origin: .djRestAuth)
        public static let mustIncludeEmail = LocalizedMessage(
            #"Must include "email" and "password"."#, origin: .djRestAuth)
        public static let mustIncludeUsername = LocalizedMessage(
            #"Must include "username" and "password"."#, origin: .djRestAuth)
        public static let mustIncludeEither = LocalizedMessage(
            #"Must include either "username" or "email" and "password"."#, origin: .djRestAuth)
        public static let accountDisabled = LocalizedMessage("User account is disabled.", origin: .djRestAuth)
        public static let emailNotVerified = LocalizedMessage("E-mail is not verified.", origin: .djRestAuth)
        public static let loggedOut = LocalizedMessage("Successfully logged out.", origin: .djRestAuth)
        public static let logoutWithoutToken = LocalizedMessage(
            "You should be logged in to logout. Check whether the token is passed.", origin: .djRestAuth)

        static let all = [
            unableToLogIn, mustIncludeEmail, mustIncludeUsername, mustIncludeEither, accountDisabled,
            emailNotVerified, loggedOut, logoutWithoutToken,
        ]
    }

    /// dj-rest-auth's and allauth's sign-up and e-mail verification.
    public enum Registration {
        public static let emailTaken = LocalizedMessage(
            "A user is already registered with this e-mail address.", origin: .djRestAuth)
        public static let emailTakenSocial = LocalizedMessage(
            "User is already registered with this e-mail address.", origin: .djRestAuth)
        public static let passwordsDiffer = LocalizedMessage(
            "The two password fields didn't match.", origin: .djRestAuth)
        public static let usernameBlacklisted = LocalizedMessage(
            "Username can not be used. Please use other username.", origin: .allauth)
        public static let verificationSent = LocalizedMessage("Verification e-mail sent.", origin: .djRestAuth)
        public static let ok = LocalizedMessage("ok", origin: .djRestAuth)

        static let all = [emailTaken, emailTakenSocial, passwordsDiffer, usernameBlacklisted, verificationSent, ok]
    }

    /// Django's password validators and dj-rest-auth's password change.
    public enum Passwords {
        public static let tooShort = LocalizedMessage(
            "This password is too short. It must contain at least %d character.",
            plural: "This password is too short. It must contain at least %d characters.",
            origin: .django, placeholders: .percent)
        public static let tooCommon = LocalizedMessage("This password is too common.", origin: .django)
        public static let entirelyNumeric = LocalizedMessage("This password is entirely numeric.", origin: .django)
        public static let tooSimilar = LocalizedMessage(
            "The password is too similar to the %(verbose_name)s.", origin: .django, placeholders: .percent)
        /// The names of the user's fields, as `tooSimilar` names them (Django's `verbose_name`s).
        public static let usernameField = LocalizedMessage("username", origin: .django)
        public static let firstNameField = LocalizedMessage("first name", origin: .django)
        public static let lastNameField = LocalizedMessage("last name", origin: .django)
        public static let emailField = LocalizedMessage("email address", origin: .django)
        /// Django's `SetPasswordForm` (a typographic apostrophe, unlike dj-rest-auth's sign-up).
        public static let mismatch = LocalizedMessage("The two password fields didn\u{2019}t match.", origin: .django)
        public static let oldPasswordWrong = LocalizedMessage(
            "Your old password was entered incorrectly. Please enter it again.", origin: .django)
        public static let saved = LocalizedMessage("New password has been saved.", origin: .djRestAuth)

        static let all = [
            tooShort, tooCommon, entirelyNumeric, tooSimilar, usernameField, firstNameField, lastNameField,
            emailField, mismatch, oldPasswordWrong, saved,
        ]
    }

    /// dj-rest-auth's password reset.
    public enum PasswordReset {
        public static let sent = LocalizedMessage("Password reset e-mail has been sent.", origin: .djRestAuth)
        public static let done = LocalizedMessage(
            "Password has been reset with the new password.", origin: .djRestAuth)
        public static let invalidValue = LocalizedMessage("Invalid value", origin: .djRestAuth)

        static let all = [sent, done, invalidValue]
    }

    /// simplejwt's and dj-rest-auth's JWT messages.
    public enum JWT {
        public static let tokenInvalid = LocalizedMessage("Token is invalid", origin: .simplejwt)
        public static let tokenExpired = LocalizedMessage("Token is expired", origin: .simplejwt)
        public static let tokenBlacklisted = LocalizedMessage("Token is blacklisted", origin: .simplejwt)
        public static let tokenHasWrongType = LocalizedMessage("Token has wrong type", origin: .simplejwt)
        public static let tokenHasNoType = LocalizedMessage("Token has no type", origin: .simplejwt)
        public static let tokenHasNoID = LocalizedMessage("Token has no id", origin: .simplejwt)
        public static let tokenClaimMissing = LocalizedMessage(
            "Token has no '{}' claim", origin: .simplejwt, placeholders: .brace)
        public static let tokenClaimExpired = LocalizedMessage(
            "Token '{}' claim has expired", origin: .simplejwt, placeholders: .brace)
        public static let notValidForAnyType = LocalizedMessage(
            "Given token not valid for any token type", origin: .simplejwt)
        public static let noUserIdentification = LocalizedMessage(
            "Token contained no recognizable user identification", origin: .simplejwt)
        public static let userNotFound = LocalizedMessage("User not found", origin: .simplejwt)
        public static let userInactive = LocalizedMessage("User is inactive", origin: .simplejwt)
        public static let noActiveAccount = LocalizedMessage(
            "No active account found for the given token.", origin: .simplejwt)
        public static let noValidRefreshToken = LocalizedMessage("No valid refresh token found.", origin: .djRestAuth)
        public static let refreshNotInCookie = LocalizedMessage(
            "Refresh token was not included in cookie data.", origin: .djRestAuth)
        public static let refreshNotInRequest = LocalizedMessage(
            "Refresh token was not included in request data.", origin: .djRestAuth)
        public static let authorizationHeaderParts = LocalizedMessage(
            "Authorization header must contain two space-delimited values", origin: .simplejwt)

        static let all = [
            tokenInvalid, tokenExpired, tokenBlacklisted, tokenHasWrongType, tokenHasNoType, tokenHasNoID,
            tokenClaimMissing, tokenClaimExpired, notValidForAnyType, noUserIdentification, userNotFound,
            userInactive, noActiveAccount, noValidRefreshToken, refreshNotInCookie, refreshNotInRequest,
            authorizationHeaderParts,
        ]
    }

    /// dj-rest-auth 7.2's MFA package.
    public enum MFA {
        public static let invalidOrExpiredToken = LocalizedMessage("Invalid or expired token.", origin: .djRestAuth)
        public static let invalidCode = LocalizedMessage("Invalid code.", origin: .djRestAuth)
        public static let invalidActivationToken = LocalizedMessage(
            "Invalid or expired activation token.", origin: .djRestAuth)
        public static let activationTokenOtherUser = LocalizedMessage(
            "Invalid activation token for this user.", origin: .djRestAuth)
        public static let invalidTOTPCode = LocalizedMessage(
            "Invalid code. Please check your authenticator app and try again.", origin: .djRestAuth)
        public static let notEnabled = LocalizedMessage("MFA is not enabled.", origin: .djRestAuth)
        public static let alreadyEnabled = LocalizedMessage(
            "MFA is already enabled. Deactivate it before activating again.", origin: .djRestAuth)
        public static let deactivated = LocalizedMessage("TOTP has been deactivated.", origin: .djRestAuth)

        static let all = [
            invalidOrExpiredToken, invalidCode, invalidActivationToken, activationTokenOtherUser, invalidTOTPCode,
            notEnabled, alreadyEnabled, deactivated,
        ]
    }

    /// dj-rest-auth's passkeys (`dj_rest_auth.passkeys`). The failed checks' details after
    /// "verification failed: " are py_webauthn's English words, as the reference sends them.
    public enum Passkeys {
        public static let registrationExpired = LocalizedMessage(
            "Registration challenge has expired. Please start over.", origin: .djRestAuth)
        public static let authenticationExpired = LocalizedMessage(
            "Authentication challenge has expired. Please start over.", origin: .djRestAuth)
        public static let registrationFailed = LocalizedMessage(
            "Registration verification failed: %(error)s", origin: .djRestAuth, placeholders: .percent)
        public static let authenticationFailed = LocalizedMessage(
            "Authentication verification failed: %(error)s", origin: .djRestAuth, placeholders: .percent)
        public static let alreadyRegistered = LocalizedMessage(
            "This credential is already registered.", origin: .djRestAuth)
        public static let credentialNotFound = LocalizedMessage("Credential not found.", origin: .djRestAuth)
        public static let invalidFormat = LocalizedMessage("Invalid credential format.", origin: .djRestAuth)
        public static let defaultName = LocalizedMessage("Passkey", origin: .djRestAuth)
        /// Adding or removing a passkey long after the last sign-in (allauth's reauthentication).
        public static let reauthenticationRequired = LocalizedMessage(
            "Please sign in again: adding or removing a passkey needs a recent sign-in.", origin: .restAuth)

        static let all = [
            registrationExpired, authenticationExpired, registrationFailed, authenticationFailed, alreadyRegistered,
            credentialNotFound, invalidFormat, defaultName, reauthenticationRequired,
        ]
    }

    /// allauth's mail templates (`account/email/*.txt`): each `{% blocktrans %}` block's id.
    public enum Email {
        public static let passwordResetSubject = LocalizedMessage("Password Reset Email", origin: .allauth)
        public static let confirmationSubject = LocalizedMessage(
            "Please Confirm Your Email Address", origin: .allauth)
        public static let hello = LocalizedMessage(
            "Hello from %(site_name)s!", origin: .allauth, placeholders: .percent)
        public static let thanks = LocalizedMessage(
            "Thank you for using %(site_name)s!\n%(site_domain)s", origin: .allauth, placeholders: .percent)
        public static let passwordResetBody = LocalizedMessage(
            """
            You're receiving this email because you or someone else has requested a password reset for your user account.
            It can be safely ignored if you did not request a password reset. Click the link below to reset your password.
            """, origin: .allauth)
        public static let usernameReminder = LocalizedMessage(
            "In case you forgot, your username is %(username)s.", origin: .allauth, placeholders: .percent)
        public static let confirmationBody = LocalizedMessage(
            "You're receiving this email because user %(user_display)s has given your email address to register an account on %(site_domain)s.",
            origin: .allauth, placeholders: .percent)
        public static let confirmationLink = LocalizedMessage(
            "To confirm this is correct, go to %(activate_url)s", origin: .allauth, placeholders: .percent)

        static let all = [
            passwordResetSubject, confirmationSubject, hello, thanks, passwordResetBody, usernameReminder,
            confirmationBody, confirmationLink,
        ]
    }
}
