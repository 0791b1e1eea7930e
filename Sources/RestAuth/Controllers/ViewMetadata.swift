/// What `OPTIONS` says of dj-rest-auth's views (DRF's `SimpleMetadata`): each view's
/// docstring, as DRF dedents it, and its serializer's fields with their labels. The fields
/// are given only where the configured serializer is the default one; an app's own
/// serializer is described from its request schema.
enum ViewMetadata {
    static let login = """
        Check the credentials and return the REST Token
        if the credentials are valid and authenticated.
        Calls Django Auth login method to register User ID
        in Django session framework

        Accept the following POST parameters: username, password
        Return the REST Framework Token Object's key.
        """
    static let logout = """
        Calls Django logout method and delete the Token object
        assigned to the current User object.

        Accepts/Returns nothing.
        """
    static let userDetails = """
        Reads and updates UserModel fields
        Accepts GET, PUT, PATCH methods.

        Default accepted fields: username, first_name, last_name
        Default display fields: pk, username, email, first_name, last_name
        Read-only fields: pk, email

        Returns UserModel fields.
        """
    static let passwordChange = """
        Calls Django Auth SetPasswordForm save method.

        Accepts the following POST parameters: new_password1, new_password2
        Returns the success/fail message.
        """
    static let passwordReset = """
        Calls Django Auth PasswordResetForm save method.

        Accepts the following POST parameters: email
        Returns the success/fail message.
        """
    static let passwordResetConfirm = """
        Password reset e-mail link is confirmed, therefore
        this resets the user's password.

        Accepts the following POST parameters: token, uid,
            new_password1, new_password2
        Returns the success/fail message.
        """
    static let register = """
        Registers a new user.

        Accepts the following POST parameters: username, email, password1, password2.
        """
    static let verifyEmail = """
        Verifies the email associated with the provided key.

        Accepts the following POST parameter: key.
        """
    static let resendEmail = """
        Resends another email to an unverified email.

        Accepts the following POST parameter: email.
        """
    static let tokenVerify = """
        Takes a token and indicates if it is valid.  This view provides no
        information about a token's fitness for a particular use.
        """
    static let tokenRefresh = """
        Takes a refresh type JSON web token and returns an access type JSON web
        token if the refresh token is valid.
        """

    /// `LoginSerializer`: all three fields, whatever the login methods.
    static let loginFields = [
        FieldMetadata(name: "username", required: false), FieldMetadata(name: "email", type: "email", required: false),
        FieldMetadata(name: "password"),
    ]

    /// `PasswordChangeSerializer`.
    static func passwordChangeFields(_ configuration: RestAuthConfiguration) -> [FieldMetadata] {
        var fields = [
            FieldMetadata(name: "new_password1", maxLength: 128), FieldMetadata(name: "new_password2", maxLength: 128),
        ]
        if configuration.oldPasswordFieldEnabled {
            fields.insert(FieldMetadata(name: "old_password", maxLength: 128), at: 0)
        }
        return fields
    }

    static let passwordResetFields = [FieldMetadata(name: "email", type: "email")]
    static let passwordResetConfirmFields = [
        FieldMetadata(name: "new_password1", maxLength: 128), FieldMetadata(name: "new_password2", maxLength: 128),
        FieldMetadata(name: "uid"), FieldMetadata(name: "token"),
    ]
    static let verifyEmailFields = [FieldMetadata(name: "key")]

    /// `RegisterSerializer`: the username's limits from the settings, each field's
    /// `required` from `ACCOUNT_SIGNUP_FIELDS` (a field it leaves out is required).
    static func registerFields(_ configuration: RestAuthConfiguration) -> [FieldMetadata] {
        var fields: [FieldMetadata] = []
        if configuration.userModel.accountFields.username != nil {
            fields.append(
                FieldMetadata(
                    name: "username", required: configuration.signupFields.usernameRequired,
                    minLength: configuration.usernameMinLength, maxLength: configuration.usernameMaxLength))
        }
        fields.append(FieldMetadata(name: "email", type: "email", required: configuration.signupFields.emailRequired))
        fields += [FieldMetadata(name: "password1"), FieldMetadata(name: "password2")]
        return fields
    }

    /// `ResendEmailVerificationSerializer`: `email`, required as sign-up's is.
    static func resendFields(_ configuration: RestAuthConfiguration) -> [FieldMetadata] {
        [FieldMetadata(name: "email", type: "email", required: configuration.signupFields.emailRequired)]
    }

    /// `UserDetailsSerializer` on Django's `User`: the model's labels and help text.
    static let userDetailsFields: [FieldMetadata] = {
        let names = RestAuthMessages.Passwords.self
        var fields = [
            FieldMetadata(name: "pk", type: "integer", required: false, readOnly: true, label: "ID"),
            FieldMetadata(name: "username", label: "Username", maxLength: 150),
            FieldMetadata(name: "email", type: "email", required: false, readOnly: true, label: "Email address"),
            FieldMetadata(name: "first_name", required: false, label: "First name", maxLength: 150),
            FieldMetadata(name: "last_name", required: false, label: "Last name", maxLength: 150),
        ]
        for (index, label) in [
            (1, names.usernameField), (2, names.emailField), (3, names.firstNameField), (4, names.lastNameField),
        ] {
            fields[index].translatedLabel = label
        }
        fields[1].translatedHelpText = RestAuthMessages.Fields.usernameHelpText
        return fields
    }()
}
