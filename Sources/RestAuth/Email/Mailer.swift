import Foundation
import Vapor

/// Builds and posts the package's messages: the site a link points to, the template's
/// context, the message; the account adapter builds the link and sends.
struct Mailer: Sendable {
    let configuration: RestAuthConfiguration
    /// `ALLOWED_HOSTS` (or DEBUG's list), read once.
    let allowedHosts: AllowedHosts

    init(configuration: RestAuthConfiguration) {
        self.configuration = configuration
        self.allowedHosts = AllowedHosts(configuration.effectiveAllowedHosts)
    }

    /// The site's base URL (`{site}`), its name and domain, for a request: built from the
    /// request's `Host` as Django's `get_host()` validates it (its parsed domain and port,
    /// never the raw header), or from the configured site domain when reset links must use
    /// it or the request names no host; nil when neither can be trusted. A request with a
    /// forged `Host` never gets here: every endpoint answers it with a 400 first.
    func site(for request: Request, forPasswordReset: Bool = false) -> (base: String, name: String, domain: String)? {
        // allauth's build_absolute_uri: ACCOUNT_DEFAULT_HTTP_PROTOCOL=https forces https;
        // otherwise the request's scheme (TLS, or a trusted proxy's X-Forwarded-Proto).
        let secure =
            configuration.defaultHTTPProtocol == "https"
            || ClientAddress(trustedProxies: configuration.trustedProxies).isSecure(request)
        let scheme = secure ? "https" : "http"
        let useSite = forPasswordReset && configuration.passwordResetUseSitesDomain
        let base: String
        let domain: String
        if !useSite, let host = try? RequestHost.validated(request, allowed: allowedHosts) {
            base = "\(scheme)://\(host.authority)"
            domain = host.authority
        } else if let siteDomain = configuration.siteDomain, !siteDomain.isEmpty {
            let bare = siteDomain.components(separatedBy: "://").last ?? siteDomain
            base = siteDomain.contains("://") ? siteDomain : "\(scheme)://\(siteDomain)"
            domain = bare.hasSuffix("/") ? String(bare.dropLast()) : bare
        } else {
            request.logger.error(
                "no e-mail sent: the request names no valid, allowed host and SITE_DOMAIN is not set")
            return nil
        }
        return (base.hasSuffix("/") ? String(base.dropLast()) : base, configuration.siteName ?? domain, domain)
    }

    static func fill(_ template: String, _ values: [String: String]) -> String {
        var out = template
        for (name, value) in values { out = out.replacingOccurrences(of: "{\(name)}", with: value) }
        return out
    }

    /// Renders and sends a message: in the background, or (`waiting`) before returning.
    func send(
        _ template: EmailTemplate, values: [String: String], to address: String,
        site: (base: String, name: String, domain: String),
        purpose: String, waiting: Bool, context: RestAuthContext
    ) async {
        var values = values
        values["site_name"] = site.name
        values["site_domain"] = site.domain
        let rendered = template.render(EmailContext(values: values))
        let message = EmailMessage(
            from: configuration.defaultFromEmail, to: [address],
            subject: (configuration.emailSubjectPrefix ?? "[\(site.name)] ") + rendered.subject, text: rendered.text,
            html: rendered.html)
        await context.adapter.send(message, purpose: purpose, waiting: waiting, context: context)
    }

    /// A reset mail leaves in the background: the answer's timing must not tell whether the address is known.
    func sendPasswordReset(
        to address: String, user: any RestAuthUser, uid: String, token: String, context: RestAuthContext
    ) async {
        guard let site = site(for: context.request, forPasswordReset: true) else { return }
        let link = context.adapter.passwordResetURL(uid: uid, token: token, site: site.base, context: context)
        let display = user.accountUsername ?? user.accountEmail
        var values = [
            "password_reset_url": link, "link": link, "uid": uid, "token": token, "email": address,
            "user_display": display, "username": user.accountUsername ?? "", "username_reminder": "",
        ]
        if configuration.loginMethods != [.email], let username = user.accountUsername {
            values["username_reminder"] =
                "\n\n" + RestAuthMessages.Email.usernameReminder.format(["username": username])
        }
        await send(
            configuration.emailTemplates.passwordReset, values: values, to: address, site: site,
            purpose: "password reset",
            waiting: false, context: context)
    }

    /// The sign-up confirmation is sent before the sign-up answers, as allauth does (a
    /// client may read its mailbox right after); a resend leaves in the background.
    /// `countLimit` false: the caller counted `confirm_email` already (resend-email counts
    /// it before its look-ups).
    func sendConfirmation(
        to address: String, user: any RestAuthUser, key: String, signup: Bool, countLimit: Bool = true,
        context: RestAuthContext
    ) async {
        guard let site = site(for: context.request) else { return }
        // allauth's `confirm_email` limit: over it the mail is not sent and the answer does
        // not change, so a flood of resends neither fills a mailbox nor tells anything.
        do {
            if countLimit { try await context.consumeRateLimit("confirm_email", key: address) }
        } catch let error as APIError where error.status == .tooManyRequests {
            return
        } catch {
            context.logger.error("RestAuth: the confirm_email rate limit could not be checked: \(error)")
            return
        }
        let link = context.adapter.emailConfirmationURL(key: key, site: site.base, context: context)
        let values = [
            "activate_url": link, "link": link, "key": key, "email": address,
            "user_display": user.accountUsername ?? user.accountEmail, "username": user.accountUsername ?? "",
        ]
        let template =
            signup
            ? configuration.emailTemplates.emailConfirmationSignup : configuration.emailTemplates.emailConfirmation
        await send(
            template, values: values, to: address, site: site, purpose: "confirmation", waiting: signup,
            context: context)
    }
}
