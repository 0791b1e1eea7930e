import Foundation
import Vapor

/// The two routes of dj-rest-auth's registration URL conf that exist so e-mail links can
/// be built: `registration/account-confirm-email/<key>/` (the link in a confirmation
/// mail, allauth's `account_confirm_email`) and `registration/account-email-verification-sent/`.
/// In dj-rest-auth they are template-less `TemplateView`s (a GET is Django's 500); here a
/// GET answers a small page, or redirects where ``RestAuthConfiguration/emailConfirmationRedirect``
/// says (the client that confirms the key), and never uses the key up: only
/// `POST registration/verify-email/` confirms. They are plain Django views: OPTIONS answers
/// an empty 200, unsafe methods meet Django's CSRF check (403) before the 405, and the
/// link without its slash is redirected (`APPEND_SLASH`).
struct ConfirmationLinkRoutes: Sendable {
    let state: RestAuthState
    static let allow = "GET, HEAD, OPTIONS"

    func register(on routes: any RoutesBuilder) {
        for method in Endpoint.dispatchedMethods {
            routes.on(method, "registration", "account-confirm-email", ":key") { request async throws -> Response in
                try await confirmEmail(request)
            }
            routes.on(method, "registration", "account-email-verification-sent") { request async throws -> Response in
                try answer(request) { verificationSentPage() }
            }
        }
    }

    /// allauth's key pattern, `[-:\w]+`.
    static func isKey(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ":" }
    }

    private func confirmEmail(_ request: Request) async throws -> Response {
        guard let key = request.parameters.get("key"), Self.isKey(key) else { throw APIError.notFound }
        _ = try RequestHost.validated(request, allowed: state.mailer.allowedHosts)
        // Django's CommonMiddleware (APPEND_SLASH): the route is only there with its slash.
        if let redirect = Response.appendingSlash(to: request) { return redirect }
        return try answer(request) {
            if let template = state.configuration.emailConfirmationRedirect {
                let response = Response(status: .found)
                response.headers.replaceOrAdd(name: .location, value: Mailer.fill(template, ["key": key]))
                return response
            }
            return confirmationPage(key: key)
        }
    }

    /// OPTIONS, then GET and HEAD through `page`; other methods meet CSRF, then 405.
    private func answer(_ request: Request, page: () -> Response) throws -> Response {
        _ = try RequestHost.validated(request, allowed: state.mailer.allowedHosts)
        switch request.method {
        case .OPTIONS:
            let response = Response(status: .ok)
            response.headers.replaceOrAdd(name: .allow, value: Self.allow)
            response.headers.replaceOrAdd(name: .contentLength, value: "0")
            return response
        case .GET, .HEAD:
            return page()
        default:
            if request.method != .TRACE {
                try state.csrf.enforce(request)
            }
            let response = APIError.methodNotAllowed(request.method, allowed: [.GET, .HEAD, .OPTIONS], for: request)
                .response()
            response.headers.replaceOrAdd(name: .allow, value: Self.allow)
            return response
        }
    }

    private func confirmationPage(key: String) -> Response {
        html(
            title: "Confirm your e-mail address",
            body: """
                <p>This link confirms an e-mail address when the app that sent it posts its key to \
                <code>registration/verify-email/</code>.</p>
                <form method="post" action="../../verify-email/">
                <input type="hidden" name="key" value="\(key)">
                <button type="submit">Confirm the address</button>
                </form>
                """)
    }

    private func verificationSentPage() -> Response {
        html(
            title: "Verify your e-mail address",
            body: "<p>A confirmation e-mail is on its way. Follow its link to confirm the address.</p>")
    }

    private func html(title: String, body: String) -> Response {
        let page = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title)</title></head>
            <body><h1>\(title)</h1>
            \(body)
            </body></html>
            """
        var headers = HTTPHeaders()
        headers.contentType = .html
        headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'none'; form-action 'self'")
        headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        return Response(status: .ok, headers: headers, body: .init(string: page))
    }
}
