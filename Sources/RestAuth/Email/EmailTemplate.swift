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
/// As in Django's templates, `{% blocktrans %}...{% endblocktrans %}` marks a text to
/// translate into the language of the request that sends the mail: its message id is the
/// text with each `{{ name }}` written `%(name)s` (allauth's ids are so), looked up in the
/// catalogs, then filled. `{% trans "text" %}` translates a text without placeholders.
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

    /// Translates the `{% blocktrans %}` blocks and `{% trans %}` tags, then replaces
    /// `{{ name }}` (spaces optional) with the context's value; unknown names become "".
    static func fill(_ template: String, _ context: EmailContext, escape: Bool) -> String {
        guard template.contains("{%") else { return substitute(template, context, escape: escape) }
        var output = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{%") {
            output += substitute(String(rest[..<open.lowerBound]), context, escape: escape)
            guard let close = rest[open.upperBound...].range(of: "%}") else {
                output += rest[open.lowerBound...]
                return output
            }
            let tag = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            rest = rest[close.upperBound...]
            if tag == "blocktrans" || tag == "blocktranslate" {
                let end = rest.range(of: "{% endblocktrans %}") ?? rest.range(of: "{% endblocktranslate %}")
                let body = end.map { rest[..<$0.lowerBound] } ?? rest
                rest = end.map { rest[$0.upperBound...] } ?? ""
                output += translateBlock(String(body), context, escape: escape)
            } else if tag.hasPrefix("trans ") || tag.hasPrefix("translate ") {
                let quoted = tag.drop(while: { $0 != "\"" && $0 != "'" })
                let text = String(quoted.dropFirst().dropLast())
                let translated = LocalizedMessage(text, origin: .allauth).text
                output += escape ? htmlEscaped(translated) : translated
            }
            // Any other tag is dropped, as an unknown variable is.
        }
        return output + substitute(String(rest), context, escape: escape)
    }

    /// A `{% blocktrans %}` body: its id (`{{ name }}` as `%(name)s`, `%` as `%%`), translated,
    /// then filled (values escaped in HTML; the translation is trusted, as Django trusts it).
    static func translateBlock(_ body: String, _ context: EmailContext, escape: Bool) -> String {
        var id = ""
        var names: [String] = []
        var rest = Substring(body)
        while let open = rest.range(of: "{{") {
            id += rest[..<open.lowerBound].replacingOccurrences(of: "%", with: "%%")
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            names.append(name)
            id += "%(\(name))s"
            rest = rest[close.upperBound...]
        }
        id += rest.replacingOccurrences(of: "%", with: "%%")
        var values: [String: String] = [:]
        for name in names { values[name] = escape ? htmlEscaped(context[name]) : context[name] }
        let translated = LocalizedMessage(id, origin: .allauth, placeholders: .percent).text
        return PythonFormat.percent(translated, values)
    }

    static func substitute(_ template: String, _ context: EmailContext, escape: Bool) -> String {
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

    /// allauth's texts (`account/email/*.txt`), translated as allauth's templates are, with an
    /// HTML alternative.
    public static var allauth: EmailTemplates {
        let hello = "{% blocktrans %}Hello from {{ site_name }}!{% endblocktrans %}"
        let thanks = "{% blocktrans %}Thank you for using {{ site_name }}!\n{{ site_domain }}{% endblocktrans %}"
        let confirmation = EmailTemplate(
            subject: "{% blocktrans %}Please Confirm Your Email Address{% endblocktrans %}",
            text: """
                \(hello)

                {% blocktrans %}You're receiving this email because user {{ user_display }} has given your email address to register an account on {{ site_domain }}.{% endblocktrans %}

                {% blocktrans %}To confirm this is correct, go to {{ activate_url }}{% endblocktrans %}

                \(thanks)

                """,
            html: """
                <!doctype html><html><body>
                <p>\(hello)</p>
                <p>{% blocktrans %}You're receiving this email because user {{ user_display }} has given your email address to register an account on {{ site_domain }}.{% endblocktrans %}</p>
                <p>{% blocktrans %}To confirm this is correct, go to {{ activate_url }}{% endblocktrans %}</p>
                <p><a href="{{ activate_url }}">{{ activate_url }}</a></p>
                <p>\(thanks)</p>
                </body></html>
                """)
        return EmailTemplates(
            passwordReset: EmailTemplate(
                subject: "{% blocktrans %}Password Reset Email{% endblocktrans %}",
                text: """
                    \(hello)

                    {% blocktrans %}You're receiving this email because you or someone else has requested a password reset for your user account.
                    It can be safely ignored if you did not request a password reset. Click the link below to reset your password.{% endblocktrans %}

                    {{ password_reset_url }}{{ username_reminder }}

                    \(thanks)

                    """,
                html: """
                    <!doctype html><html><body>
                    <p>\(hello)</p>
                    <p>{% blocktrans %}You're receiving this email because you or someone else has requested a password reset for your user account.
                    It can be safely ignored if you did not request a password reset. Click the link below to reset your password.{% endblocktrans %}</p>
                    <p><a href="{{ password_reset_url }}">{{ password_reset_url }}</a></p>
                    <p>{{ username_reminder }}</p>
                    <p>\(thanks)</p>
                    </body></html>
                    """),
            emailConfirmationSignup: confirmation,
            emailConfirmation: confirmation)
    }
}
