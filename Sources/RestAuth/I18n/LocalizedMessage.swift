import Vapor

/// A user-facing text, named by its gettext message id (the English text), as Django's
/// `gettext_lazy` names one: translated into the language of the request at hand when it is
/// read.
///
/// Every message the package shows a client or puts in a mail is one of these, declared once in
/// its area's message list (``RestAuthMessages``), so a test can list them all and the `.pot`
/// template is generated from them.
///
/// ```swift
/// throw ValidationErrors.nonField(RestAuthMessages.Login.unableToLogIn.text)
/// ```
public struct LocalizedMessage: Sendable, Hashable {
    /// Who wrote the message first, so whose catalogs translate it.
    public enum Origin: String, Sendable, Hashable, CaseIterable {
        /// Django itself (`django/conf/locale`, `django.contrib.auth`).
        case django
        /// Django REST framework.
        case djangoRestFramework
        /// django-allauth.
        case allauth
        /// dj-rest-auth.
        case djRestAuth
        /// djangorestframework-simplejwt.
        case simplejwt
        /// This package: no Django catalog has it; the package's own catalogs translate it
        /// whatever `LOCALE_PATHS` says.
        case restAuth
    }

    /// How arguments are written in the message: Django's `%(name)s` or DRF's `{name}`.
    public enum Placeholders: Sendable, Hashable {
        /// No arguments: the text is used as it is (a `%` is a `%`).
        case none
        /// Python's `%` formatting: `%(name)s`, `%(name)d`, `%%`.
        case percent
        /// Python's `str.format`: `{name}`, `{{`, `}}`.
        case brace
    }

    /// The message id: the English text, as it is in the code of its origin.
    public let id: String
    /// The English plural, for a message chosen by a number (`ngettext`).
    public let plural: String?
    /// The gettext context (`pgettext`), if any.
    public let context: String?
    /// Whose catalogs translate it.
    public let origin: Origin
    /// How its arguments are written.
    public let placeholders: Placeholders

    public init(
        _ id: String, plural: String? = nil, context: String? = nil, origin: Origin,
        placeholders: Placeholders = .none
    ) {
        self.id = id
        self.plural = plural
        self.context = context
        self.origin = origin
        self.placeholders = placeholders
    }

    /// The catalog key: the id, after the context and `\u{4}` when there is one.
    var key: String { context.map { $0 + "\u{4}" + id } ?? id }

    /// The message in the current request's language (English outside a request).
    public var text: String { Translation.current.translate(self) }

    /// The message in `request`'s language (for code that runs outside the request's task,
    /// as the future-based parts of the package do).
    public func text(for request: Request) -> String { request.restAuthTranslation.translate(self) }

    /// The form of a plural message for `count`, in the current request's language.
    public func text(count: Int) -> String { Translation.current.translate(self, count: count) }

    /// The message in the current request's language with its arguments filled in.
    public func format(_ arguments: KeyValuePairs<String, String>, count: Int? = nil) -> String {
        format(arguments, count: count, in: Translation.current)
    }

    /// The message in `request`'s language with its arguments filled in.
    public func format(_ arguments: KeyValuePairs<String, String>, count: Int? = nil, for request: Request) -> String {
        format(arguments, count: count, in: request.restAuthTranslation)
    }

    func format(_ arguments: KeyValuePairs<String, String>, count: Int?, in translation: Translation) -> String {
        let text = count.map { translation.translate(self, count: $0) } ?? translation.translate(self)
        var values: [String: String] = [:]
        for (name, value) in arguments { values[name] = value }
        switch placeholders {
        case .none: return text
        case .percent: return PythonFormat.percent(text, values)
        case .brace: return PythonFormat.brace(text, values)
        }
    }
}
