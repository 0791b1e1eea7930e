/// A message as a template renders it.
public struct RenderedEmail: Sendable, Equatable {
    public var subject: String
    public var text: String
    public var html: String?

    public init(subject: String, text: String, html: String? = nil) {
        self.subject = subject
        self.text = text
        self.html = html
    }
}

/// What a template may use, under allauth's names: `site_name`, `site_domain`, `username`,
/// `user_display`, `email`, and per message `password_reset_url`, `uid` and `token`, or
/// `activate_url` and `key`. `link` is the message's link whatever its kind.
public struct EmailContext: Sendable {
    public var values: [String: String]

    public init(values: [String: String]) { self.values = values }

    public subscript(_ name: String) -> String { values[name] ?? "" }
    public var link: String { self["link"] }
    public var siteName: String { self["site_name"] }
}

/// A replaceable e-mail: subject, plain text and optional HTML with `{{ name }}`
/// placeholders filled from the ``EmailContext`` (HTML-escaped in the HTML part), or any
/// rendering closure (Leaf, Mustache, a string builder).
///
/// ```swift
/// config.emailTemplates.passwordReset = EmailTemplate(
///     subject: "Reset your {{ site_name }} password",
///     text: "Hi {{ username }}, follow {{ password_reset_url }} to choose a new password.",
///     html: "<p>Hi {{ username }}, <a href=\"{{ password_reset_url }}\">choose a new password</a>.</p>")
/// ```
public struct EmailTemplate: Sendable {
    public let render: @Sendable (EmailContext) -> RenderedEmail

    public init(render: @escaping @Sendable (EmailContext) -> RenderedEmail) {
        self.render = render
    }

    public init(subject: String, text: String, html: String? = nil) {
        self.render = { context in
            RenderedEmail(
                subject: Self.fill(subject, context, escape: false).trimmingCharacters(in: .whitespacesAndNewlines),
                text: Self.fill(text, context, escape: false),
                html: html.map { Self.fill($0, context, escape: true) })
        }
    }

    /// Replaces `{{ name }}` (spaces optional) with the context's value; unknown names become "".
    static func fill(_ template: String, _ context: EmailContext, escape: Bool) -> String {
        var output = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                output += rest[open.lowerBound...]
                return output
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            let value = context[name]
            output += escape ? htmlEscaped(value) : value
            rest = rest[close.upperBound...]
        }
        return output + rest
    }

    static func htmlEscaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#x27;"
            default: out.append(character)
            }
        }
        return out
    }
}

/// The messages the package sends; replace any of them.
public struct EmailTemplates: Sendable {
    /// allauth's `account/email/password_reset_key`.
    public var passwordReset: EmailTemplate
    /// allauth's `account/email/email_confirmation_signup`, sent on sign-up.
    public var emailConfirmationSignup: EmailTemplate
    /// allauth's `account/email/email_confirmation`, sent on a resend.
    public var emailConfirmation: EmailTemplate

    public init(passwordReset: EmailTemplate, emailConfirmationSignup: EmailTemplate, emailConfirmation: EmailTemplate)
    {
        self.passwordReset = passwordReset
        self.emailConfirmationSignup = emailConfirmationSignup
        self.emailConfirmation = emailConfirmation
    }

    /// allauth's English texts, with an HTML alternative.
    public static var allauth: EmailTemplates {
        let confirmation = EmailTemplate(
            subject: "Please Confirm Your Email Address",
            text: """
                Hello from {{ site_name }}!

                You're receiving this email because user {{ user_display }} has given your email address to register an account on {{ site_domain }}.

                To confirm this is correct, go to {{ activate_url }}

                Thank you for using {{ site_name }}!
                {{ site_domain }}

                """,
            html: """
                <!doctype html><html><body>
                <p>Hello from {{ site_name }}!</p>
                <p>You're receiving this email because user {{ user_display }} has given your email address to register an account on {{ site_domain }}.</p>
                <p>To confirm this is correct, go to <a href="{{ activate_url }}">{{ activate_url }}</a></p>
                <p>Thank you for using {{ site_name }}!<br>{{ site_domain }}</p>
                </body></html>
                """)
        return EmailTemplates(
            passwordReset: EmailTemplate(
                subject: "Password Reset Email",
                text: """
                    Hello from {{ site_name }}!

                    You're receiving this email because you or someone else has requested a password reset for your user account.
                    It can be safely ignored if you did not request a password reset. Click the link below to reset your password.

                    {{ password_reset_url }}{{ username_reminder }}

                    Thank you for using {{ site_name }}!
                    {{ site_domain }}

                    """,
                html: """
                    <!doctype html><html><body>
                    <p>Hello from {{ site_name }}!</p>
                    <p>You're receiving this email because you or someone else has requested a password reset for your user account.
                    It can be safely ignored if you did not request a password reset. Click the link below to reset your password.</p>
                    <p><a href="{{ password_reset_url }}">{{ password_reset_url }}</a></p>
                    <p>{{ username_reminder }}</p>
                    <p>Thank you for using {{ site_name }}!<br>{{ site_domain }}</p>
                    </body></html>
                    """),
            emailConfirmationSignup: confirmation,
            emailConfirmation: confirmation)
    }
}
