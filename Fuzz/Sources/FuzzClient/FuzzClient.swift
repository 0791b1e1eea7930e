import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

// What RestAuthClient reads from a server (Wire.swift, JSON.swift, RestAuthError.swift,
// Models.swift), each the way AuthClient reads it. The first byte picks the parser, the
// rest is its input; each answers quickly, never crashes, and keeps what is said here:
//
//   0  Set-Cookie values (a NUL between headers) into a CookieJar: one cookie per name
//      and path, none expired, the same headers twice change nothing, a split line does
//      not split again; the Cookie header names exactly the cookies sent when read as a
//      server reads it (split at ";", then at "="), and has no CR or LF if the input had none
//   1  an HTTP date and Retry-After: a date reads back from its IMF-fixdate, a wait is
//      never negative, and the throttling message can be written
//   2  an ISO 8601 time (DRF's, any fraction): reads back from its own text to the millisecond
//   3  a JWT's exp (JWTPeek); the rest as a JWT's payload gives the exp its JSON has
//   4  a refusal's body (JSON): ErrorDetail and ValidationErrors, with at most one message
//      per leaf of the body (so FieldError.messages terminates); re-encoded, the body
//      decodes to an equal value and encodes the same again
//   5  a password-reset link: reads back from the query the client would build
//   6  RFC 6265 path matching (cookie path, NUL, request path): agrees with the RFC's
//      byte-wise rule on ASCII
//   7  a success answer (JSON): User from user/ and from a sign-in answer, the same as
//      User(fields:) makes; [SocialAccount] from socialaccounts/; expirations
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzClient(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    onClientStack(Input(bytes))
    return 0
}

/// AuthClient is an actor: on Apple platforms it reads answers on a Swift concurrency
/// thread, whose stack is 512 KB (Linux gives those threads 8 MB, like the main thread
/// libFuzzer calls in on). Each input runs on a thread of its own, with an 8 MB stack
/// whose next 64 KB past the first 512 KB are painted first: an input whose parsing
/// writes there needed more stack than an app's thread has, and fails here (saying how
/// much it used) where an app would crash.
private let appStackSize = 512 * 1024
private let paintedSize = 64 * 1024
private let threadStackSize = 8 * 1024 * 1024
private let paint: UInt64 = 0xA5A5_A5A5_A5A5_A5A5

/// The thread's stack, used by one input at a time, above a guard page.
nonisolated(unsafe) private let threadStack: UnsafeMutableRawPointer = {
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    guard
        let memory = mmap(nil, threadStackSize + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
        memory != MAP_FAILED, mprotect(memory, page, PROT_NONE) == 0
    else { fatalError("no memory for the parsing thread's stack") }
    return memory + page
}()

private final class Input {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

private func onClientStack(_ input: Input) {
    // The stack grows down from its top: the painted words lie just past 512 KB of it.
    let painted = (threadStack + threadStackSize - appStackSize - paintedSize).bindMemory(
        to: UInt64.self, capacity: paintedSize / 8)
    painted.update(repeating: paint, count: paintedSize / 8)

    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setstack(&attributes, threadStack, threadStackSize)
    var thread = pthread_t()
    let context = Unmanaged.passRetained(input).toOpaque()
    let started = pthread_create(
        &thread, &attributes,
        { context in
            check(Unmanaged<Input>.fromOpaque(context!).takeRetainedValue().bytes)
            return nil
        }, context)
    guard started == 0 else { fatalError("pthread_create: \(started)") }
    pthread_join(thread, nil)

    if let deepest = (0..<paintedSize / 8).first(where: { painted[$0] != paint }) {
        let used = appStackSize + paintedSize - deepest * 8
        fatalError(
            "parsing used \(used >= appStackSize + paintedSize ? "more than " : "")\(used / 1024) KB of stack: "
                + "more than the \(appStackSize / 1024) KB of the thread an app's AuthClient parses on")
    }
}

private let now = Date(timeIntervalSince1970: 1_800_000_000)

private func check(_ bytes: [UInt8]) {
    guard let mode = bytes.first else { return }
    let rest = Array(bytes.dropFirst())
    let text = String(decoding: rest, as: UTF8.self)
    switch mode % 8 {
    case 0: cookies(rest)
    case 1: httpDate(text)
    case 2: iso8601(text)
    case 3: jwt(text, payload: rest)
    case 4: refusal(Data(rest))
    case 5: resetLink(text)
    case 6: paths(rest)
    default: answer(Data(rest))
    }
}

// MARK: 0: Set-Cookie

private func cookies(_ bytes: [UInt8]) {
    let headers = bytes.split(separator: 0, omittingEmptySubsequences: false).map {
        String(decoding: $0, as: UTF8.self)
    }
    var jar = CookieJar()
    jar.receive(setCookie: headers, now: now)

    var seen = Set<[String]>()
    for cookie in jar.cookies {
        guard seen.insert([cookie.name, cookie.path]).inserted else {
            fatalError("two cookies \(cookie.name.debugDescription) at \(cookie.path.debugDescription)")
        }
        guard cookie.expires.map({ $0 > now }) ?? true else { fatalError("expired cookie kept: \(cookie)") }
        guard !cookie.name.isEmpty, cookie.path.hasPrefix("/") else { fatalError("cookie \(cookie)") }
    }

    var again = jar
    again.receive(setCookie: headers, now: now)
    guard again == jar else { fatalError("the same headers twice changed the jar") }

    for header in headers {
        for line in CookieJar.split(header) {
            guard CookieJar.split(line) == [line] else {
                fatalError("split line splits again: \(line.debugDescription)")
            }
        }
    }

    let plain = !bytes.contains(0x0D) && !bytes.contains(0x0A)
    // The site's root and a few of the cookies' own paths (a few: each header is a pass
    // over the jar, and a large header sets thousands of cookies).
    let paths = Set(jar.cookies.map(\.path)).sorted().prefix(8)
    let urls = ["https://example.com/", "http://example.com/api/x"] + paths.map { "https://example.com\($0)" }
    for string in urls {
        guard let url = URL(string: string) else { continue }
        let path = url.path.isEmpty ? "/" : url.path
        let https = url.scheme == "https"
        let sent = jar.cookies.filter { (!$0.secure || https) && CookieJar.pathMatches($0.path, path) }
        guard let header = jar.header(for: url, now: now) else {
            guard sent.isEmpty else { fatalError("no Cookie header for \(sent.count) cookies at \(string)") }
            continue
        }
        if plain, header.utf8.contains(0x0D) || header.utf8.contains(0x0A) {
            fatalError("CR or LF in the Cookie header: \(header.debugDescription)")
        }
        // Read as a server reads it (Django's parse_cookie splits on ";", then on the
        // first "="): exactly the cookies the jar sends, by name.
        let pairs = header.unicodeScalars.split(separator: ";", omittingEmptySubsequences: false)
        guard pairs.count == sent.count else {
            fatalError("\(sent.count) cookies sent as \(pairs.count) in \(header.debugDescription)")
        }
        for (index, (pair, cookie)) in zip(pairs, sent).enumerated() {
            // After the first, each pair follows the "; " that joins them.
            let name = (index == 0 ? pair : pair.dropFirst()).prefix { $0 != "=" }
            guard name.elementsEqual(cookie.name.unicodeScalars) else {
                fatalError(
                    "cookie \(cookie.name.debugDescription) reads as \(String(Substring(name)).debugDescription)")
            }
        }
    }
}

// MARK: 1: HTTP dates and Retry-After

private func httpDate(_ text: String) {
    if let date = HTTPDate.parse(text) {
        guard date.timeIntervalSince1970.isFinite else { fatalError("date \(date)") }
        // In years IMF-fixdate can write (1601 to 9999), the date reads back from it.
        if (-11_644_473_600.0..<253_402_300_800).contains(date.timeIntervalSince1970) {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            let written = formatter.string(from: date)
            guard HTTPDate.parse(written) == date else {
                fatalError("\(text.debugDescription) is \(date), written \(written), which reads differently")
            }
        }
    }
    let wait = HTTPDate.retryAfter(text, now: now)
    if let wait {
        guard wait.isFinite, wait >= 0 else { fatalError("Retry-After \(text.debugDescription): \(wait)") }
    }
    if let seconds = Int(text.trimmingCharacters(in: .whitespaces)), seconds >= 0, wait != TimeInterval(seconds) {
        fatalError("Retry-After \(text.debugDescription) read as \(String(describing: wait))")
    }
    _ = RestAuthError.throttled(retryAfter: wait, ErrorDetail()).message
}

// MARK: 2: ISO 8601

private func iso8601(_ text: String) {
    guard let date = HTTPDate.iso8601(text) else { return }
    guard date.timeIntervalSince1970.isFinite else { fatalError("date \(date)") }
    // From 1900 to 9999, the time written back with milliseconds reads as the same.
    if (-2_208_988_800.0..<253_402_300_000).contains(date.timeIntervalSince1970) {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let written = formatter.string(from: date)
        guard let again = HTTPDate.iso8601(written), abs(again.timeIntervalSince(date)) < 0.001 else {
            fatalError("\(text.debugDescription) is \(date), written \(written), which reads differently")
        }
    }
}

// MARK: 3: JWT

private func jwt(_ token: String, payload: [UInt8]) {
    if let date = JWTPeek.expiration(token) {
        guard date.timeIntervalSince1970.isFinite else { fatalError("exp \(date)") }
    }
    // The input as a token's payload (base64url, unpadded, at most the 8192 characters
    // JWTPeek reads): the token's exp is the payload's.
    guard payload.count <= 6144 else { return }
    let encoded = Data(payload).base64EncodedString().replacingOccurrences(of: "=", with: "")
        .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    var expected: Date?
    if case .number(let exp)? = JSON(data: Data(payload))?["exp"], exp.isFinite {
        expected = Date(timeIntervalSince1970: exp)
    }
    let read = JWTPeek.expiration("eyJhbGciOiJIUzI1NiJ9.\(encoded).c2ln")
    guard read == expected else {
        fatalError("exp \(String(describing: read)), payload has \(String(describing: expected))")
    }
}

// MARK: 4: refusals

private func refusal(_ data: Data) {
    // Read as AuthClient reads a refusal (ErrorDetail, and ValidationErrors for a 400);
    // both keep the body as JSON(data:) reads it.
    let detail = ErrorDetail(data: data)
    let errors = ValidationErrors(data: data)
    let json = errors.body
    guard detail.body == json, detail.detail == json?["detail"]?.stringValue, detail.code == json?["code"]?.stringValue
    else { fatalError("ErrorDetail \(detail)") }
    guard errors.fields["detail"] == nil, errors.fields["non_field_errors"] == nil else {
        fatalError("ValidationErrors \(errors)")
    }
    if let json {
        let text = json.description
        guard let again = JSON(data: Data(text.utf8)), sameUpToParsing(again, json) else {
            fatalError("re-encoded as \(text), which decodes differently")
        }
        guard let third = JSON(data: Data(again.description.utf8)), sameUpToParsing(third, json) else {
            fatalError("second encoding differs from \(text)")
        }
    }

    // Every message comes from one leaf of the body (a string, or a number or boolean
    // written out), so there are never more than leaves; counting them terminates.
    let leaves = json.map(leafCount) ?? 0
    var messages = errors.nonFieldErrors.count
    for (_, field) in errors.fields { messages += field.messages.count }
    guard messages <= leaves else { fatalError("\(messages) messages from \(leaves) leaves") }
    if let json, let whole = FieldError(json) {
        guard whole.messages.count <= leaves else { fatalError("FieldError: more messages than leaves") }
    }
    for error in [
        RestAuthError.invalid(errors), .unauthorized(detail), .throttled(retryAfter: nil, detail),
        .sessionExpired(detail),
    ] {
        _ = error.message
        _ = error.description
        _ = error.fieldErrors
    }

}

private func leafCount(_ json: JSON) -> Int {
    switch json {
    case .array(let items): items.reduce(0) { $0 + leafCount($1) }
    case .object(let members): members.values.reduce(0) { $0 + leafCount($1) }
    default: 1
    }
}

// MARK: 5: password-reset links

private func resetLink(_ text: String) {
    guard let url = URL(string: text), let link = PasswordResetLink(url: url) else { return }
    guard !link.uid.isEmpty, !link.token.isEmpty else { fatalError("empty uid or token from \(text.debugDescription)") }
    var components = URLComponents(string: "https://app.example.com/reset")!
    components.queryItems = [
        URLQueryItem(name: "uid", value: link.uid), URLQueryItem(name: "token", value: link.token),
    ]
    guard let query = components.url, PasswordResetLink(url: query) == link else {
        fatalError("\(link) does not read back from \(String(describing: components.url))")
    }
    // dj-rest-auth's own path, for the characters a uid (base 64) and a token hold.
    let tokenCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
    if link.token.contains("-"), link.uid.allSatisfy(tokenCharacters.contains),
        link.token.allSatisfy(tokenCharacters.contains)
    {
        let path = URL(string: "https://api.example.com/password/reset/confirm/\(link.uid)/\(link.token)/")!
        guard PasswordResetLink(url: path) == link else { fatalError("\(link) does not read back from \(path)") }
    }
}

// MARK: 6: cookie paths

private func paths(_ bytes: [UInt8]) {
    let parts = bytes.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
    // Both begin with "/": the jar keeps only such paths, and a request's path is "/" at least.
    let cookiePath = [UInt8(ascii: "/")] + parts[0]
    let requestPath = [UInt8(ascii: "/")] + (parts.count > 1 ? parts[1] : [])
    let cookie = String(decoding: cookiePath, as: UTF8.self)
    let request = String(decoding: requestPath, as: UTF8.self)
    let matches = CookieJar.pathMatches(cookie, request)
    guard CookieJar.pathMatches(cookie, cookie), CookieJar.pathMatches("/", request) else {
        fatalError("a path does not match itself or \"/\"")
    }
    // RFC 6265 §5.1.4, byte-wise, where bytes and Swift's characters agree (ASCII without CR).
    guard bytes.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) else { return }
    let rfc =
        cookiePath == requestPath
        || requestPath.starts(with: cookiePath)
            && (cookiePath.last == UInt8(ascii: "/") || requestPath[cookiePath.count] == UInt8(ascii: "/"))
    guard matches == rfc else {
        fatalError("path \(cookie.debugDescription) for \(request.debugDescription): \(matches), RFC 6265: \(rfc)")
    }
}

// MARK: 7: success answers

private func answer(_ data: Data) {
    let json = JSON(data: data)
    // user/ (GET, PATCH, PUT): the body read as AuthClient.Response.decode reads a User, from
    // one JSONSerialization pass (JSONDecoder is only for an app's own types, after a depth check).
    if let user = json.flatMap(User.init(json:)) {
        guard case .object(let fields)? = json, user == User(fields: fields) else {
            fatalError("User \(user) is not the one its fields make")
        }
        guard user.username == fields["username"]?.stringValue, user.email == fields["email"]?.stringValue else {
            fatalError("User \(user)")
        }
    }
    // A sign-in answer's user, and its expirations.
    if let member = json?["user"], let user = member.objectValue.map(User.init(fields:)) {
        guard case .object(let fields) = member, user == User(fields: fields) else {
            fatalError("sign-in answer's User \(user) is not the one its fields make")
        }
    }
    for key in ["access_expiration", "refresh_expiration", "created_at", "last_used_at"] {
        if let date = json?[key]?.stringValue.flatMap(HTTPDate.iso8601), !date.timeIntervalSince1970.isFinite {
            fatalError("\(key) \(date)")
        }
    }
    // socialaccounts/: a list of accounts, each with what its fields say.
    if let accounts = json.flatMap([SocialAccount].init(json:)) {
        guard case .array(let items)? = json, items.count == accounts.count else { fatalError("\(accounts)") }
        for (account, item) in zip(accounts, items) {
            guard account.id == item["id"]?.intValue, account.provider == item["provider"]?.stringValue,
                account.uid == item["uid"]?.stringValue
            else { fatalError("SocialAccount \(account) from \(item)") }
        }
    }
}

/// Equal but for numbers, which may differ by a few units in the last place: Foundation's
/// JSONSerialization on Linux does not round decimal text correctly (measured: about a quarter of
/// random doubles, written shortest by JSONEncoder, read back 1 to 15 ulps away). Structure,
/// strings and booleans must match exactly.
func sameUpToParsing(_ a: JSON, _ b: JSON) -> Bool {
    switch (a, b) {
    case (.number(let x), .number(let y)):
        if x == y { return true }
        guard x.sign == y.sign, x.isFinite, y.isFinite else { return false }
        let (p, q) = (x.bitPattern, y.bitPattern)
        return (p > q ? p - q : q - p) <= 64
    case (.array(let x), .array(let y)):
        return x.count == y.count && zip(x, y).allSatisfy { sameUpToParsing($0, $1) }
    case (.object(let x), .object(let y)):
        return x.count == y.count && x.allSatisfy { key, value in y[key].map { sameUpToParsing(value, $0) } ?? false }
    default:
        return a == b
    }
}
