import Foundation

// GNU gettext catalogs (`.mo` and `.po`), read as Python's `gettext` module reads them, and
// merged per language as Django's `trans_real.DjangoTranslation` merges them. Foundation only:
// no Vapor type, so the readers can be compiled into a fuzz target alone.

// MARK: - Errors

/// Why a gettext catalog, or a set of catalogs, could not be read.
public enum GettextError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `.mo` data ends inside its 20-byte header.
    case truncatedHeader
    /// The first four bytes are not gettext's magic number 0x950412de (in either byte order).
    case badMagic(UInt32)
    /// The major revision is neither 0 nor 1.
    case unsupportedRevision(UInt32)
    /// The original or translation string table runs past the end of the data.
    case tableOutOfBounds
    /// The string of entry `entry` (0-based) runs past the end of the data.
    case stringOutOfBounds(entry: Int)
    /// The entries' strings overlap so much that reading them would mean reading more than 16 times
    /// the data (at least 1 MiB). Python reads such a file, in time quadratic in its size; `msgfmt`
    /// never writes one.
    case excessiveOverlap
    /// The original string of entry `entry` holds more than one NUL (singular, NUL, plural).
    case malformedPluralKey(entry: Int)
    /// A string of entry `entry` is not valid text in the catalog's charset.
    case undecodableText(entry: Int, charset: String)
    /// The header names a charset this reader does not decode.
    case unsupportedCharset(String)
    /// The header entry cannot be read (what Python's `gettext` would fail on).
    case malformedHeader(String)
    /// The `plural=` expression of `Plural-Forms` is not one gettext accepts.
    case invalidPluralExpression(String)
    /// A `.po` text does not parse.
    case poSyntax(line: Int, reason: String)
    /// A `.po` text defines the same (context, msgid) twice, which `msgfmt` refuses.
    case duplicateMessage(line: Int)
    /// A catalog file could not be read or parsed.
    case unreadableFile(path: String, reason: String)
    /// No catalog was found for `LANGUAGE_CODE` (Django raises `OSError` the same way).
    case noCatalogForDefaultLanguage(String)

    public var description: String {
        switch self {
        case .truncatedHeader: return "gettext catalog: truncated header"
        case .badMagic(let magic): return "gettext catalog: bad magic number 0x" + String(magic, radix: 16)
        case .unsupportedRevision(let revision): return "gettext catalog: unsupported revision \(revision)"
        case .tableOutOfBounds: return "gettext catalog: string table out of bounds"
        case .excessiveOverlap: return "gettext catalog: strings overlap excessively"
        case .stringOutOfBounds(let entry): return "gettext catalog: string of entry \(entry) out of bounds"
        case .malformedPluralKey(let entry): return "gettext catalog: malformed plural msgid in entry \(entry)"
        case .undecodableText(let entry, let charset):
            return "gettext catalog: entry \(entry) is not valid \(charset)"
        case .unsupportedCharset(let charset): return "gettext catalog: unsupported charset \(charset)"
        case .malformedHeader(let reason): return "gettext catalog: malformed header: \(reason)"
        case .invalidPluralExpression(let reason): return "gettext catalog: invalid plural expression: \(reason)"
        case .poSyntax(let line, let reason): return "po file, line \(line): \(reason)"
        case .duplicateMessage(let line): return "po file, line \(line): duplicate message definition"
        case .unreadableFile(let path, let reason): return "\(path): \(reason)"
        case .noCatalogForDefaultLanguage(let code): return "No translation files found for default language \(code)."
        }
    }
}

// MARK: - Plural forms

/// The plural rule of a catalog: the C expression of its `Plural-Forms` header, compiled once.
///
/// The expression is read exactly as Python's `gettext.c2py` reads it (the subset of C that gettext
/// uses: `n`, decimal integer literals, `! * / % + - < > <= >= == != && || ?:` and parentheses; at
/// most 1,000 characters and 20 levels of parentheses once translated), and evaluated with Python's
/// semantics, since that is what Django runs: `/` and `%` floor as Python's `//` and `%` do, `&&` and
/// `||` yield an operand as Python's `and` and `or` do, and `!` covers what Python's `not` covers in
/// the translated text. Where Python would raise (division by zero), and where an intermediate
/// value leaves 64 bits (Python goes on with a big integer: `3*n` for `n` near `Int.max`, which no
/// request's count reaches), ``evaluate(_:)`` answers `nil` and ``index(for:)`` answers form 0.
public struct PluralForms: Sendable, CustomStringConvertible {
    /// The `plural=` expression as the header gives it.
    public let expression: String
    /// `nplurals` when the header states it as an integer (Python's `gettext` ignores it; so does
    /// the lookup here).
    public let formCount: Int?
    let program: PluralNode

    /// Germanic plurals, Python's default without a `Plural-Forms` header: `int(n != 1)`.
    public static let germanic = PluralForms(
        expression: "n != 1", formCount: 2, program: .comparison(.n, [(.notEqual, .literal(1))]))

    private init(expression: String, formCount: Int?, program: PluralNode) {
        self.expression = expression
        self.formCount = formCount
        self.program = program
    }

    /// Compiles a `plural=` expression.
    /// - Throws: ``GettextError/invalidPluralExpression(_:)`` where Python's `c2py` raises.
    public init(expression: String, formCount: Int? = nil) throws {
        self.expression = expression
        self.formCount = formCount
        self.program = try PluralCompiler.compile(expression)
    }

    /// Reads the value of a `Plural-Forms` header line as Python's `GNUTranslations` does: the
    /// expression is what follows `plural=` in the second `;`-separated field.
    init(headerValue value: String) throws {
        let fields = pythonSplit(value, ";")
        guard fields.count > 1 else {
            throw GettextError.malformedHeader("Plural-Forms without ';': \(value)")
        }
        let parts = pythonSplit(fields[1], "plural=")
        guard parts.count > 1 else {
            throw GettextError.malformedHeader("Plural-Forms without plural=: \(value)")
        }
        let first = fields[0].trimmingCharacters(in: .whitespaces)
        var count: Int?
        if hasPythonPrefix(first, "nplurals=") {
            count = Int(String(first.unicodeScalars.dropFirst(9)).trimmingCharacters(in: .whitespaces))
        }
        try self.init(expression: String(parts[1]), formCount: count)
    }

    /// The plural form for `n`, or `nil` where Python's evaluation raises (division by zero) or
    /// a value leaves 64-bit integers.
    public func evaluate(_ n: Int) -> Int? {
        program.evaluate(n)
    }

    /// The plural form for `n`; form 0 where ``evaluate(_:)`` has no answer.
    public func index(for n: Int) -> Int {
        program.evaluate(n) ?? 0
    }

    public var description: String { "plural=\(expression)" }
}

/// A compiled plural expression, in Python's terms (what `c2py` hands to Python).
indirect enum PluralNode: Sendable {
    enum Comparison: Sendable {
        case equal
        case notEqual
        case less
        case greater
        case lessOrEqual
        case greaterOrEqual
    }

    enum Arithmetic: Sendable {
        case add
        case subtract
        case multiply
        case floorDivide
        case modulo
    }

    case n
    case literal(Int)
    case not(PluralNode)
    case and(PluralNode, PluralNode)
    case or(PluralNode, PluralNode)
    /// A Python comparison chain: `a < b == c` is `a < b and b == c` (`c2py` breaks most chains).
    case comparison(PluralNode, [(Comparison, PluralNode)])
    case arithmetic(Arithmetic, PluralNode, PluralNode)
    /// `then if condition else otherwise`.
    case conditional(condition: PluralNode, then: PluralNode, otherwise: PluralNode)

    /// Python's value of the expression (booleans as 0 and 1), or `nil` where Python would raise
    /// `ZeroDivisionError` or where a 64-bit integer overflows.
    func evaluate(_ n: Int) -> Int? {
        switch self {
        case .n: return n
        case .literal(let value): return value
        case .not(let operand):
            guard let value = operand.evaluate(n) else { return nil }
            return value == 0 ? 1 : 0
        case .and(let left, let right):
            guard let value = left.evaluate(n) else { return nil }
            return value == 0 ? value : right.evaluate(n)
        case .or(let left, let right):
            guard let value = left.evaluate(n) else { return nil }
            return value != 0 ? value : right.evaluate(n)
        case .comparison(let first, let rest):
            guard var left = first.evaluate(n) else { return nil }
            for (op, node) in rest {
                guard let right = node.evaluate(n) else { return nil }
                let holds: Bool
                switch op {
                case .equal: holds = left == right
                case .notEqual: holds = left != right
                case .less: holds = left < right
                case .greater: holds = left > right
                case .lessOrEqual: holds = left <= right
                case .greaterOrEqual: holds = left >= right
                }
                if !holds { return 0 }
                left = right
            }
            return 1
        case .arithmetic(let op, let leftNode, let rightNode):
            guard let left = leftNode.evaluate(n), let right = rightNode.evaluate(n) else { return nil }
            return Self.apply(op, left, right)
        case .conditional(let condition, let then, let otherwise):
            guard let value = condition.evaluate(n) else { return nil }
            return value != 0 ? then.evaluate(n) : otherwise.evaluate(n)
        }
    }

    private static func apply(_ op: Arithmetic, _ left: Int, _ right: Int) -> Int? {
        switch op {
        case .add:
            let (value, overflow) = left.addingReportingOverflow(right)
            return overflow ? nil : value
        case .subtract:
            let (value, overflow) = left.subtractingReportingOverflow(right)
            return overflow ? nil : value
        case .multiply:
            let (value, overflow) = left.multipliedReportingOverflow(by: right)
            return overflow ? nil : value
        case .floorDivide:
            guard right != 0 else { return nil }
            let (quotient, overflow) = left.dividedReportingOverflow(by: right)
            if overflow { return nil }
            // Python floors; Swift truncates toward zero.
            if left % right != 0 && ((left < 0) != (right < 0)) { return quotient - 1 }
            return quotient
        case .modulo:
            guard right != 0 else { return nil }
            let (remainder, overflow) = left.remainderReportingOverflow(dividingBy: right)
            if overflow { return nil }
            // Python's remainder takes the sign of the divisor.
            if remainder != 0 && ((remainder < 0) != (right < 0)) { return remainder + right }
            return remainder
        }
    }
}

/// Python's `gettext.c2py`, in two steps: the C expression is translated into the token stream of
/// the Python expression `c2py` would write (its `_parse`, step for step), which is then parsed
/// with Python's own precedence. The two steps matter where C and Python disagree: `!n == 1` is
/// `not (n == 1)` to Python, and `n == !n` is a `SyntaxError`.
enum PluralCompiler {
    /// `c2py`'s limit on the expression's length, in characters.
    static let maximumLength = 1000
    /// `c2py`'s limit on the nesting of parentheses in the Python text.
    static let maximumParenthesisDepth = 20
    /// A bound on recursion in either step (an expression within `maximumLength` stays far below).
    static let maximumRecursion = 300

    enum PythonToken: Equatable {
        case number(Int)
        case n
        case open
        case close
        case not
        case and
        case or
        case ifKeyword
        case elseKeyword
        case comparison(PluralNode.Comparison)
        case arithmetic(PluralNode.Arithmetic)
    }

    static func compile(_ expression: String) throws -> PluralNode {
        let scalars = Array(expression.unicodeScalars)
        guard scalars.count <= maximumLength else {
            throw GettextError.invalidPluralExpression("plural form expression is too long")
        }
        var translator = CTranslator(tokens: try tokenize(scalars))
        let (python, rest) = try translator.parse(priority: -1)
        guard rest.isEmpty else { throw unexpected(rest) }
        var depth = 0
        for token in python {
            if token == .open {
                depth += 1
                if depth > maximumParenthesisDepth {
                    throw GettextError.invalidPluralExpression("plural form expression is too complex")
                }
            } else if token == .close {
                depth -= 1
            }
        }
        var parser = PythonParser(tokens: python)
        let node = try parser.expression()
        guard parser.position == python.count else {
            throw GettextError.invalidPluralExpression("invalid syntax")
        }
        return node
    }

    static func unexpected(_ token: String) -> GettextError {
        .invalidPluralExpression(
            token.isEmpty ? "unexpected end of plural form" : "unexpected token in plural form: \(token)")
    }

    /// `gettext._tokenize`: white space is spaces and tabs; a number or `n` must end at a word
    /// boundary; anything else is an invalid token. Ends with the empty token, as Python's does.
    static func tokenize(_ s: [Unicode.Scalar]) throws -> [String] {
        var tokens: [String] = []
        var i = 0
        func isWord(_ index: Int) -> Bool {
            guard index < s.count else { return false }
            let c = s[index]
            if c == "_" { return true }
            if c.isASCII {
                return ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
            }
            let properties = c.properties
            return properties.isAlphabetic || properties.numericType != nil
        }
        while i < s.count {
            let c = s[i]
            if c == " " || c == "\t" {
                i += 1
                continue
            }
            if ("0"..."9").contains(c) {
                var j = i
                while j < s.count, ("0"..."9").contains(s[j]) { j += 1 }
                if !isWord(j) {
                    tokens.append(String(String.UnicodeScalarView(s[i..<j])))
                    i = j
                    continue
                }
            } else if c == "n" && !isWord(i + 1) {
                tokens.append("n")
                i += 1
                continue
            } else if c == "(" || c == ")" || "-*/%+?:".unicodeScalars.contains(c) {
                tokens.append(String(c))
                i += 1
                continue
            } else if c == ">" || c == "<" || c == "!" {
                if i + 1 < s.count && s[i + 1] == "=" {
                    tokens.append(String(c) + "=")
                    i += 2
                } else {
                    tokens.append(String(c))
                    i += 1
                }
                continue
            } else if i + 1 < s.count && (c == "=" || c == "&" || c == "|") && s[i + 1] == c {
                tokens.append(String(c) + String(c))
                i += 2
                continue
            }
            throw GettextError.invalidPluralExpression("invalid token in plural form")
        }
        tokens.append("")
        return tokens
    }

    /// `gettext._parse`: precedence climbing over the C tokens, writing Python tokens.
    struct CTranslator {
        static let priorities: [String: Int] = [
            "||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4, "+": 5, "-": 5, "*": 6,
            "/": 6, "%": 6,
        ]

        let tokens: [String]
        var position = 0
        var recursion = 0
        var parentheses = 0

        init(tokens: [String]) {
            self.tokens = tokens
        }

        mutating func next() -> String {
            let token = position < tokens.count ? tokens[position] : ""
            position += 1
            return token
        }

        static func pythonOperator(_ token: String) -> PythonToken {
            switch token {
            case "||": return .or
            case "&&": return .and
            case "==": return .comparison(.equal)
            case "!=": return .comparison(.notEqual)
            case "<": return .comparison(.less)
            case ">": return .comparison(.greater)
            case "<=": return .comparison(.lessOrEqual)
            case ">=": return .comparison(.greaterOrEqual)
            case "+": return .arithmetic(.add)
            case "-": return .arithmetic(.subtract)
            case "*": return .arithmetic(.multiply)
            case "/": return .arithmetic(.floorDivide)
            default: return .arithmetic(.modulo)
            }
        }

        mutating func parse(priority: Int) throws -> ([PythonToken], String) {
            recursion += 1
            defer { recursion -= 1 }
            guard recursion <= PluralCompiler.maximumRecursion else {
                throw GettextError.invalidPluralExpression("plural form expression is too complex")
            }
            var result: [PythonToken] = []
            var token = next()
            while token == "!" {
                result.append(.not)
                token = next()
            }
            if token == "(" {
                // Python checks the depth of the whole text afterwards; deeper input can only fail.
                parentheses += 1
                guard parentheses <= PluralCompiler.maximumParenthesisDepth else {
                    throw GettextError.invalidPluralExpression("plural form expression is too complex")
                }
                let (inner, after) = try parse(priority: -1)
                parentheses -= 1
                guard after == ")" else {
                    throw GettextError.invalidPluralExpression("unbalanced parenthesis in plural form")
                }
                result.append(.open)
                result.append(contentsOf: inner)
                result.append(.close)
            } else if token == "n" {
                result.append(.n)
            } else {
                guard let value = decimal(token) else { throw PluralCompiler.unexpected(token) }
                result.append(.number(value))
            }
            token = next()
            var last = 100
            while let level = Self.priorities[token] {
                if level < priority { break }
                // Break chained comparisons.
                if (level == 3 || level == 4) && (last == 3 || last == 4) {
                    result = [.open] + result + [.close]
                }
                let op = Self.pythonOperator(token)
                let (right, after) = try parse(priority: level + 1)
                result.append(op)
                result.append(contentsOf: right)
                token = after
                last = level
            }
            if last == priority && priority == 4 {
                result = [.open] + result + [.close]
            }
            if token == "?" && priority <= 0 {
                let (ifTrue, colon) = try parse(priority: 0)
                guard colon == ":" else { throw PluralCompiler.unexpected(colon) }
                let (ifFalse, after) = try parse(priority: -1)
                result = ifTrue + [.ifKeyword] + result + [.elseKeyword] + ifFalse
                token = after
                if priority == 0 {
                    result = [.open] + result + [.close]
                }
            }
            return (result, token)
        }

        /// `int(token, 10)` for the digit strings the tokenizer yields; `nil` past 64 bits (where
        /// Python, with unbounded integers, would go on).
        private func decimal(_ token: String) -> Int? {
            guard !token.isEmpty, token.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            var value = 0
            for digit in token.utf8 {
                let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(Int(digit - 0x30))
                if overflow1 || overflow2 { return nil }
                value = sum
            }
            return value
        }
    }

    /// Python's expression grammar, for the tokens `c2py` writes:
    /// `expression: disjunction ['if' disjunction 'else' expression]`, then `or`, `and`, `not`,
    /// comparisons, `+ -`, `* // %`, and atoms (a number, `n`, or a parenthesised expression).
    struct PythonParser {
        let tokens: [PythonToken]
        var position = 0
        var recursion = 0

        init(tokens: [PythonToken]) {
            self.tokens = tokens
        }

        var current: PythonToken? { position < tokens.count ? tokens[position] : nil }

        static let syntaxError = GettextError.invalidPluralExpression("invalid syntax")

        mutating func expression() throws -> PluralNode {
            recursion += 1
            defer { recursion -= 1 }
            guard recursion <= PluralCompiler.maximumRecursion else {
                throw GettextError.invalidPluralExpression("plural form expression is too complex")
            }
            let body = try disjunction()
            guard current == .ifKeyword else { return body }
            position += 1
            let condition = try disjunction()
            guard current == .elseKeyword else { throw Self.syntaxError }
            position += 1
            let otherwise = try expression()
            return .conditional(condition: condition, then: body, otherwise: otherwise)
        }

        mutating func disjunction() throws -> PluralNode {
            var node = try conjunction()
            while current == .or {
                position += 1
                node = .or(node, try conjunction())
            }
            return node
        }

        mutating func conjunction() throws -> PluralNode {
            var node = try inversion()
            while current == .and {
                position += 1
                node = .and(node, try inversion())
            }
            return node
        }

        mutating func inversion() throws -> PluralNode {
            var count = 0
            while current == .not {
                position += 1
                count += 1
            }
            let node = try comparison()
            if count == 0 { return node }
            // `not not x` is bool(x): two levels say as much as any even number.
            return count % 2 == 1 ? .not(node) : .not(.not(node))
        }

        mutating func comparison() throws -> PluralNode {
            let first = try sum()
            var rest: [(PluralNode.Comparison, PluralNode)] = []
            while case .comparison(let op)? = current {
                position += 1
                rest.append((op, try sum()))
            }
            return rest.isEmpty ? first : .comparison(first, rest)
        }

        mutating func sum() throws -> PluralNode {
            var node = try term()
            while case .arithmetic(let op)? = current, op == .add || op == .subtract {
                position += 1
                node = .arithmetic(op, node, try term())
            }
            return node
        }

        mutating func term() throws -> PluralNode {
            var node = try atom()
            while case .arithmetic(let op)? = current, op == .multiply || op == .floorDivide || op == .modulo {
                position += 1
                node = .arithmetic(op, node, try atom())
            }
            return node
        }

        mutating func atom() throws -> PluralNode {
            switch current {
            case .number(let value)?:
                position += 1
                return .literal(value)
            case .n?:
                position += 1
                return .n
            case .open?:
                position += 1
                let inner = try expression()
                guard current == .close else { throw Self.syntaxError }
                position += 1
                return inner
            default:
                throw Self.syntaxError
            }
        }
    }
}

// Python compares and searches text by code point, where Swift's `String` goes by character
// (`";" + U+0301` is one character): these helpers work on code points.

/// Python's `str.split(separator)`: every piece, empty ones included.
func pythonSplit(_ text: some StringProtocol, _ separator: String) -> [String] {
    let scalars = Array(text.unicodeScalars)
    let separator = Array(separator.unicodeScalars)
    var pieces: [String] = []
    var start = 0
    var index = 0
    while index + separator.count <= scalars.count {
        if scalars[index..<(index + separator.count)].elementsEqual(separator) {
            pieces.append(String(String.UnicodeScalarView(scalars[start..<index])))
            index += separator.count
            start = index
        } else {
            index += 1
        }
    }
    pieces.append(String(String.UnicodeScalarView(scalars[start...])))
    return pieces
}

/// The text before the first `separator`, and the text from it on (`separator` included).
func splitAtFirst(_ text: String, _ separator: Unicode.Scalar) -> (before: String, from: String)? {
    guard let index = text.unicodeScalars.firstIndex(of: separator) else { return nil }
    return (String(text.unicodeScalars[..<index]), String(text.unicodeScalars[index...]))
}

/// Python's `str.startswith`.
func hasPythonPrefix(_ text: some StringProtocol, _ prefix: String) -> Bool {
    text.unicodeScalars.starts(with: prefix.unicodeScalars)
}

/// Text as a dictionary key that compares by code point, as Python's `dict` does (a Swift `String`
/// compares by canonical equivalence: `"é"` equals `"e\u{301}"`, which Python keeps apart).
struct ExactText: Hashable, Sendable {
    let text: String

    init(_ text: String) {
        self.text = text
    }

    static func == (left: ExactText, right: ExactText) -> Bool {
        left.text.utf8.elementsEqual(right.text.utf8)
    }

    func hash(into hasher: inout Hasher) {
        let hashed: Void? = text.utf8.withContiguousStorageIfAvailable {
            hasher.combine(bytes: UnsafeRawBufferPointer($0))
        }
        if hashed == nil {
            for byte in text.utf8 { hasher.combine(byte) }
        }
    }
}

/// Python's `str.isspace()` for one character: Unicode white space and the four information
/// separators U+001C to U+001F.
func isPythonSpace(_ scalar: Unicode.Scalar) -> Bool {
    scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value)
}

/// Python's `str.strip()`.
func pythonStrip(_ text: some StringProtocol) -> String {
    let scalars = Array(text.unicodeScalars)
    var start = 0
    var end = scalars.count
    while start < end && isPythonSpace(scalars[start]) { start += 1 }
    while end > start && isPythonSpace(scalars[end - 1]) { end -= 1 }
    return String(String.UnicodeScalarView(scalars[start..<end]))
}

// MARK: - Catalog

/// One gettext catalog: a compiled `.mo` file (read as Python's `gettext.GNUTranslations` reads it)
/// or a `.po` text (compiled as GNU `msgfmt` compiles it).
///
/// Messages with a context are keyed `context + "\u{4}" + msgid`; plural entries by their singular
/// msgid, with one translation per plural form. An empty translation counts as untranslated.
public struct GettextCatalog: Sendable {
    /// The header entry's fields, keys lower-cased (Python's `GNUTranslations.info()`).
    public let headers: [String: String]
    /// The charset named by the header's `Content-Type` (for a `.mo` file, the one its text is in).
    public let charset: String?
    /// The catalog's plural rule (germanic, `n != 1`, without a `Plural-Forms` header).
    public let pluralForms: PluralForms
    let singulars: [ExactText: String]
    let plurals: [ExactText: [String]]
    /// Whether Python's catalog dictionary holds no key at all (not even the header): Django's
    /// `DjangoTranslation.merge` passes over such a catalog.
    let isEmptyForPython: Bool

    /// The number of messages (singular and plural), the header excluded.
    public var messageCount: Int { singulars.count + plurals.count }

    /// The translation of `msgid` (in `context`, if given), or `nil` if the catalog has none.
    ///
    /// As Python's `GNUTranslations.gettext`: a plural entry with that msgid answers its form for 1.
    public func translate(_ msgid: String, context: String? = nil) -> String? {
        let key = Self.key(msgid, context: context)
        if let text = singular(key) { return text }
        return pluralForm(key, pluralForms.index(for: 1))
    }

    /// The translation of a plural message for `count`, in the form the catalog's plural rule picks,
    /// or `nil` if the catalog has none. `plural` (the English plural) is not part of the lookup.
    public func translatePlural(_ singular: String, _ plural: String, count: Int, context: String? = nil) -> String? {
        pluralForm(Self.key(singular, context: context), pluralForms.index(for: count))
    }

    static func key(_ msgid: String, context: String?) -> String {
        guard let context else { return msgid }
        return context + "\u{4}" + msgid
    }

    /// A singular message's translation, by its full key.
    func singular(_ key: String) -> String? {
        guard let text = singulars[ExactText(key)], !text.isEmpty else { return nil }
        return text
    }

    /// Form `index` of a plural message, by its full key.
    func pluralForm(_ key: String, _ index: Int) -> String? {
        guard let forms = plurals[ExactText(key)], index >= 0, index < forms.count, !forms[index].isEmpty else {
            return nil
        }
        return forms[index]
    }
}

/// Messages as Python's catalog dictionary collects them: a later entry replaces an earlier one,
/// form by form for plurals.
private struct CatalogContents {
    var singulars: [ExactText: String] = [:]
    var plurals: [ExactText: [String]] = [:]
    var headers: [String: String] = [:]
    var charset: String?
    var pluralForms = PluralForms.germanic
    var isEmpty = true

    mutating func addSingular(_ key: String, _ text: String) {
        isEmpty = false
        // The header entry is metadata, not a message.
        if !key.isEmpty { singulars[ExactText(key)] = text }
    }

    mutating func addPlural(_ key: String, _ forms: [String]) {
        isEmpty = false
        let key = ExactText(key)
        if var existing = plurals[key], existing.count > forms.count {
            existing.replaceSubrange(0..<forms.count, with: forms)
            plurals[key] = existing
        } else {
            plurals[key] = forms
        }
    }

    /// The header entry's lines, as `GNUTranslations._parse` reads them: `key: value` lines
    /// (keys lower-cased), continuation lines, `Content-Type`'s charset and `Plural-Forms`.
    mutating func readHeader(lines: [String]) throws {
        var lastKey: String?
        for line in lines {
            let item = pythonStrip(line)
            if item.isEmpty { continue }
            let marker = "#-#-#-#-#".unicodeScalars
            if item.unicodeScalars.starts(with: marker)
                && item.unicodeScalars.reversed().starts(with: marker.reversed())
            {
                continue
            }
            guard let (name, rest) = splitAtFirst(item, ":") else {
                if let lastKey { headers[lastKey, default: ""] += "\n" + item }
                continue
            }
            let key = pythonStrip(name).lowercased()
            let value = pythonStrip(String(rest.unicodeScalars.dropFirst()))
            headers[key] = value
            lastKey = key
            if key == "content-type" {
                let parts = pythonSplit(value, "charset=")
                guard parts.count > 1 else { throw GettextError.malformedHeader("Content-Type without charset") }
                charset = String(parts[1])
            } else if key == "plural-forms" {
                pluralForms = try PluralForms(headerValue: value)
            }
        }
    }

    func catalog() -> GettextCatalog {
        GettextCatalog(
            headers: headers, charset: charset, pluralForms: pluralForms, singulars: singulars, plurals: plurals,
            isEmptyForPython: isEmpty)
    }
}

// MARK: - .mo files

extension GettextCatalog {
    /// The magic number that opens a `.mo` file, read in the file's byte order.
    public static let moMagic: UInt32 = 0x9504_12de

    /// Reads a compiled `.mo` catalog, in either byte order, revision 0 or 1.
    ///
    /// Checks what Python's `GNUTranslations._parse` checks, in the same order and with the same
    /// outcome: every table and string must lie inside the data (a string must end before the last
    /// byte), a plural msgid holds exactly one NUL, and every string decodes in the header's
    /// charset (ASCII until the header names one; UTF-8, ASCII and ISO-8859-1 are supported). The
    /// hash table is not used. One check more than Python's: strings that overlap so much that
    /// reading them would take quadratic time are refused (``GettextError/excessiveOverlap``).
    /// - Throws: a ``GettextError`` describing the first defect.
    public init(moData: Data) throws {
        let bytes = [UInt8](moData)
        let size = bytes.count
        guard size >= 4 else { throw GettextError.truncatedHeader }
        let bigEndian: Bool
        let magic = Self.word(bytes, 0, bigEndian: false)
        if magic == Self.moMagic {
            bigEndian = false
        } else if magic == Self.moMagic.byteSwapped {
            bigEndian = true
        } else {
            throw GettextError.badMagic(magic)
        }
        guard size >= 20 else { throw GettextError.truncatedHeader }
        let revision = Self.word(bytes, 4, bigEndian: bigEndian)
        let count = Int(Self.word(bytes, 8, bigEndian: bigEndian))
        let originals = Int(Self.word(bytes, 12, bigEndian: bigEndian))
        let translations = Int(Self.word(bytes, 16, bigEndian: bigEndian))
        guard revision >> 16 == 0 || revision >> 16 == 1 else { throw GettextError.unsupportedRevision(revision >> 16) }
        // 32-bit fields: these sums cannot overflow a 64-bit Int.
        guard count == 0 || (originals + 8 * count <= size && translations + 8 * count <= size) else {
            throw GettextError.tableOutOfBounds
        }
        var contents = CatalogContents()
        // A bound on the bytes decoded: linear time whatever the tables say.
        let budget = max(size, 1 << 16) * 16
        var spent = 0
        for entry in 0..<count {
            let originalLength = Int(Self.word(bytes, originals + 8 * entry, bigEndian: bigEndian))
            let originalOffset = Int(Self.word(bytes, originals + 8 * entry + 4, bigEndian: bigEndian))
            let translationLength = Int(Self.word(bytes, translations + 8 * entry, bigEndian: bigEndian))
            let translationOffset = Int(Self.word(bytes, translations + 8 * entry + 4, bigEndian: bigEndian))
            let originalEnd = originalOffset + originalLength
            let translationEnd = translationOffset + translationLength
            guard originalEnd < size && translationEnd < size else {
                throw GettextError.stringOutOfBounds(entry: entry)
            }
            spent += originalLength + translationLength
            guard spent <= budget else { throw GettextError.excessiveOverlap }
            let original = bytes[originalOffset..<originalEnd]
            let translation = bytes[translationOffset..<translationEnd]
            if originalLength == 0 {
                var lines: [String] = []
                for line in translation.split(separator: 0x0A, omittingEmptySubsequences: false) {
                    guard let text = Self.decode(line, charset: "utf-8") else {
                        throw GettextError.undecodableText(entry: entry, charset: "utf-8")
                    }
                    lines.append(text)
                }
                try contents.readHeader(lines: lines)
            }
            let charset = contents.charset ?? "ascii"
            guard Self.supports(charset) else { throw GettextError.unsupportedCharset(charset) }
            if let nul = original.firstIndex(of: 0) {
                guard !original[(nul + 1)...].contains(0) else { throw GettextError.malformedPluralKey(entry: entry) }
                // Python decodes the singular msgid only; the plural msgid is not part of the key.
                guard let msgid = Self.decode(original[..<nul], charset: charset) else {
                    throw GettextError.undecodableText(entry: entry, charset: charset)
                }
                var forms: [String] = []
                for form in translation.split(separator: 0, omittingEmptySubsequences: false) {
                    guard let text = Self.decode(form, charset: charset) else {
                        throw GettextError.undecodableText(entry: entry, charset: charset)
                    }
                    forms.append(text)
                }
                contents.addPlural(msgid, forms)
            } else {
                guard let msgid = Self.decode(original, charset: charset),
                    let text = Self.decode(translation, charset: charset)
                else { throw GettextError.undecodableText(entry: entry, charset: charset) }
                contents.addSingular(msgid, text)
            }
        }
        self = contents.catalog()
    }

    private static func word(_ bytes: [UInt8], _ offset: Int, bigEndian: Bool) -> UInt32 {
        let b0 = UInt32(bytes[offset])
        let b1 = UInt32(bytes[offset + 1])
        let b2 = UInt32(bytes[offset + 2])
        let b3 = UInt32(bytes[offset + 3])
        return bigEndian ? (b0 << 24 | b1 << 16 | b2 << 8 | b3) : (b3 << 24 | b2 << 16 | b1 << 8 | b0)
    }

    private enum Charset {
        case utf8
        case ascii
        case latin1
    }

    private static func charsetKind(_ name: String) -> Charset? {
        // Python's codec lookup ignores case and punctuation for these names.
        let folded = String(
            name.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) })
        switch folded {
        case "utf8", "u8", "utf": return .utf8
        case "ascii", "usascii", "646", "us": return .ascii
        case "latin1", "iso88591", "l1", "8859", "cp819", "latin", "iso885911987", "isoir100", "ibm819": return .latin1
        default: return nil
        }
    }

    private static func supports(_ charset: String) -> Bool {
        charsetKind(charset) != nil
    }

    /// Strict decoding, as Python's codecs decode: `nil` on any invalid byte.
    private static func decode(_ bytes: ArraySlice<UInt8>, charset: String) -> String? {
        switch charsetKind(charset) {
        case .utf8?:
            let text = String(decoding: bytes, as: UTF8.self)
            return text.utf8.elementsEqual(bytes) ? text : nil
        case .ascii?:
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        case .latin1?:
            var scalars = String.UnicodeScalarView()
            scalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
            return String(scalars)
        case nil:
            return nil
        }
    }
}

// MARK: - .po files

extension GettextCatalog {
    /// Compiles a `.po` text as GNU `msgfmt` does (without `--use-fuzzy`), then reads it as a `.mo`.
    ///
    /// Reads `msgctxt`, `msgid`, `msgid_plural`, `msgstr` and `msgstr[n]`, each with one or more
    /// `"..."` strings (C escapes: `\n \t \b \r \f \v \a \\ \"`, octal and `\x` hexadecimal bytes,
    /// the result being UTF-8). Comments are skipped, obsolete `#~` entries too. An entry whose
    /// first msgstr is empty is left out, and so is a `#, fuzzy` one, the header excepted. The
    /// header's `Plural-Forms` is read as for a `.mo` file.
    /// - Throws: ``GettextError/poSyntax(line:reason:)`` for text `msgfmt` rejects,
    ///   ``GettextError/duplicateMessage(line:)``, or a header error.
    public init(poText: String) throws {
        var reader = PoReader(bytes: Array(poText.utf8))
        var contents = CatalogContents()
        try reader.read { entry in
            let isHeader = entry.context == nil && entry.id.isEmpty
            guard let first = entry.strings.first, !first.isEmpty else { return }
            if entry.fuzzy && !isHeader { return }
            func text(_ bytes: [UInt8]) throws -> String {
                let string = String(decoding: bytes, as: UTF8.self)
                guard string.utf8.elementsEqual(bytes) else {
                    throw GettextError.poSyntax(line: entry.line, reason: "invalid UTF-8 in a string")
                }
                return string
            }
            var key = try text(entry.id)
            if let context = entry.context { key = try text(context) + "\u{4}" + key }
            let strings = try entry.strings.map(text)
            if isHeader {
                try contents.readHeader(lines: pythonSplit(strings[0], "\n"))
            }
            if entry.idPlural != nil {
                contents.addPlural(key, strings)
            } else {
                contents.addSingular(key, strings[0])
            }
        }
        self = contents.catalog()
    }
}

/// A line-oriented reader of `.po` syntax.
private struct PoReader {
    struct Entry {
        var context: [UInt8]?
        var id: [UInt8] = []
        var hasID = false
        var idPlural: [UInt8]?
        var strings: [[UInt8]] = []
        var fuzzy = false
        var line = 0
    }

    struct MessageKey: Hashable {
        let context: [UInt8]?
        let id: [UInt8]
    }

    enum Field {
        case context
        case id
        case idPlural
        case string(Int)
    }

    let bytes: [UInt8]
    var lineNumber = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    func failure(_ reason: String) -> GettextError {
        .poSyntax(line: lineNumber, reason: reason)
    }

    mutating func read(_ emit: (Entry) throws -> Void) throws {
        var entry: Entry?
        var field: Field?
        var pendingFuzzy = false
        var seen: Set<MessageKey> = []

        func finish(_ done: Entry) throws {
            guard !done.strings.isEmpty else {
                throw GettextError.poSyntax(line: done.line, reason: "missing msgstr")
            }
            guard seen.insert(MessageKey(context: done.context, id: done.id)).inserted else {
                throw GettextError.duplicateMessage(line: done.line)
            }
            try emit(done)
        }

        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            lineNumber += 1
            var lineEnd = end
            if lineEnd > start && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let nextStart = end + 1
            defer { start = nextStart }
            var p = start
            while p < lineEnd && (bytes[p] == 0x20 || bytes[p] == 0x09) { p += 1 }
            if p == lineEnd { continue }
            if bytes[p] == UInt8(ascii: "#") {
                if p + 1 < lineEnd && bytes[p + 1] == UInt8(ascii: ",") {
                    let flags = String(decoding: bytes[(p + 2)..<lineEnd], as: UTF8.self)
                    if flags.split(separator: ",").contains(where: { pythonStrip($0) == "fuzzy" }) {
                        pendingFuzzy = true
                    }
                }
                // Other comments, obsolete `#~` entries among them, say nothing msgfmt compiles.
                field = nil
                continue
            }
            if bytes[p] == UInt8(ascii: "\"") {
                guard let current = field, entry != nil else { throw failure("string without a keyword") }
                let text = try strings(from: p, to: lineEnd)
                append(text, to: current, in: &entry!)
                continue
            }
            var q = p
            while q < lineEnd && (Self.isKeywordByte(bytes[q])) { q += 1 }
            let keyword = String(decoding: bytes[p..<q], as: UTF8.self)
            var index: Int?
            if keyword == "msgstr" && q < lineEnd && bytes[q] == UInt8(ascii: "[") {
                var r = q + 1
                var value = 0
                while r < lineEnd && bytes[r] >= 0x30 && bytes[r] <= 0x39 && value < 1_000_000 {
                    value = value * 10 + Int(bytes[r] - 0x30)
                    r += 1
                }
                guard r > q + 1, r < lineEnd, bytes[r] == UInt8(ascii: "]") else { throw failure("bad plural index") }
                index = value
                q = r + 1
            }
            guard q < lineEnd, bytes[q] == 0x20 || bytes[q] == 0x09 || bytes[q] == UInt8(ascii: "\"") else {
                throw failure("keyword without a string")
            }
            let text = try strings(from: q, to: lineEnd)
            switch (keyword, index) {
            case ("msgctxt", nil):
                if let current = entry {
                    guard !current.strings.isEmpty else { throw failure("msgctxt inside an entry") }
                    try finish(current)
                }
                entry = Entry(context: text, fuzzy: pendingFuzzy, line: lineNumber)
                pendingFuzzy = false
                field = .context
            case ("msgid", nil):
                if let current = entry, current.hasID || !current.strings.isEmpty {
                    guard !current.strings.isEmpty else { throw failure("msgid without msgstr before it") }
                    try finish(current)
                    entry = nil
                }
                if entry == nil {
                    entry = Entry(fuzzy: pendingFuzzy, line: lineNumber)
                    pendingFuzzy = false
                }
                entry!.id = text
                entry!.hasID = true
                field = .id
            case ("msgid_plural", nil):
                guard var current = entry, current.hasID, current.idPlural == nil, current.strings.isEmpty else {
                    throw failure("msgid_plural out of place")
                }
                current.idPlural = text
                entry = current
                field = .idPlural
            case ("msgstr", nil):
                guard var current = entry, current.hasID, current.idPlural == nil, current.strings.isEmpty else {
                    throw failure("msgstr out of place")
                }
                current.strings = [text]
                entry = current
                field = .string(0)
            case ("msgstr", let form?):
                guard var current = entry, current.idPlural != nil, form == current.strings.count else {
                    throw failure("msgstr[\(form)] out of place")
                }
                current.strings.append(text)
                entry = current
                field = .string(form)
            default:
                throw failure("unknown keyword")
            }
        }
        if let current = entry {
            if !current.hasID { throw failure("msgctxt without msgid") }
            try finish(current)
        }
    }

    private static func isKeywordByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_")
    }

    private func append(_ text: [UInt8], to field: Field, in entry: inout Entry) {
        switch field {
        case .context: entry.context!.append(contentsOf: text)
        case .id: entry.id.append(contentsOf: text)
        case .idPlural: entry.idPlural!.append(contentsOf: text)
        case .string(let index): entry.strings[index].append(contentsOf: text)
        }
    }

    /// One or more `"..."` strings from `start` to the end of the line, concatenated.
    private func strings(from start: Int, to end: Int) throws -> [UInt8] {
        var result: [UInt8] = []
        var p = start
        var found = false
        while true {
            while p < end && (bytes[p] == 0x20 || bytes[p] == 0x09) { p += 1 }
            if p == end { break }
            guard bytes[p] == UInt8(ascii: "\"") else { throw failure("text after a string") }
            p += 1
            found = true
            var closed = false
            while p < end {
                let byte = bytes[p]
                p += 1
                if byte == UInt8(ascii: "\"") {
                    closed = true
                    break
                }
                guard byte == UInt8(ascii: "\\") else {
                    result.append(byte)
                    continue
                }
                guard p < end else { throw failure("unterminated string") }
                let escape = bytes[p]
                p += 1
                switch escape {
                case UInt8(ascii: "n"): result.append(0x0A)
                case UInt8(ascii: "t"): result.append(0x09)
                case UInt8(ascii: "b"): result.append(0x08)
                case UInt8(ascii: "r"): result.append(0x0D)
                case UInt8(ascii: "f"): result.append(0x0C)
                case UInt8(ascii: "v"): result.append(0x0B)
                case UInt8(ascii: "a"): result.append(0x07)
                case UInt8(ascii: "\\"), UInt8(ascii: "\""): result.append(escape)
                case UInt8(ascii: "0")...UInt8(ascii: "7"):
                    var value = Int(escape - 0x30)
                    var digits = 1
                    while digits < 3 && p < end && bytes[p] >= 0x30 && bytes[p] <= 0x37 {
                        value = value * 8 + Int(bytes[p] - 0x30)
                        p += 1
                        digits += 1
                    }
                    guard value <= 0xFF else { throw failure("octal escape beyond a byte") }
                    result.append(UInt8(value))
                case UInt8(ascii: "x"):
                    var value = 0
                    var digits = 0
                    while p < end, let digit = Self.hexValue(bytes[p]) {
                        value = value * 16 + digit
                        p += 1
                        digits += 1
                        guard value <= 0xFF else { throw failure("hexadecimal escape beyond a byte") }
                    }
                    guard digits > 0 else { throw failure("\\x without digits") }
                    result.append(UInt8(value))
                default:
                    throw failure("invalid escape sequence")
                }
            }
            guard closed else { throw failure("unterminated string") }
        }
        guard found else { throw failure("keyword without a string") }
        return result
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: return Int(byte - 0x30)
        case 0x41...0x46: return Int(byte - 0x41 + 10)
        case 0x61...0x66: return Int(byte - 0x61 + 10)
        default: return nil
        }
    }
}

// MARK: - Locating catalogs

/// Where Python's `gettext.find` looks for a locale's catalog: `locale.normalize`, then
/// `_expand_lang`'s variants, most specific first.
public enum GettextLocale {
    /// The folders `gettext.find` tries for `locale` (e.g. `pt_BR`), in its order, before `C`.
    ///
    /// `ru` normalizes to `ru_RU.UTF-8`, so it reads `ru_RU.UTF-8`, `ru_RU`, `ru.UTF-8` and `ru`;
    /// `pt_BR` reads `pt_BR.ISO8859-1`, `pt_BR`, `pt.ISO8859-1` and `pt`.
    public static func searchOrder(_ locale: String) -> [String] {
        var order: [String] = []
        for name in expand(locale) where !order.contains(name) {
            if name == "C" { break }
            order.append(name)
        }
        return order
    }

    /// Python's `gettext._expand_lang`: the normalized locale split into language, territory,
    /// codeset and modifier, and every combination that keeps the language, most specific first.
    public static func expand(_ locale: String) -> [String] {
        var rest = normalize(locale)
        var modifier = ""
        var codeset = ""
        var territory = ""
        if let (before, from) = splitAtFirst(rest, "@") {
            (rest, modifier) = (before, from)
        }
        if let (before, from) = splitAtFirst(rest, ".") {
            (rest, codeset) = (before, from)
        }
        if let (before, from) = splitAtFirst(rest, "_") {
            (rest, territory) = (before, from)
        }
        var mask = 0
        if !modifier.isEmpty { mask |= 4 }
        if !codeset.isEmpty { mask |= 1 }
        if !territory.isEmpty { mask |= 2 }
        var result: [String] = []
        for combination in (0...mask).reversed() where combination & ~mask == 0 {
            var name = rest
            if combination & 2 != 0 { name += territory }
            if combination & 1 != 0 { name += codeset }
            if combination & 4 != 0 { name += modifier }
            result.append(name)
        }
        return result
    }

    /// Python's `locale.normalize` for locale names without a codeset (all that Django's
    /// `to_locale` produces): the alias of `name` (or of `name@modifier`), else `name` unchanged.
    /// A name with a codeset is looked up as a whole only.
    public static func normalize(_ name: String) -> String {
        var code = String(String.UnicodeScalarView(name.lowercased().unicodeScalars.map { $0 == ":" ? "." : $0 }))
        var modifier = ""
        if let (before, from) = splitAtFirst(code, "@") {
            code = before
            modifier = String(from.unicodeScalars.dropFirst())
        }
        var langname = code
        var encoding = ""
        if code.unicodeScalars.contains(".") {
            let parts = pythonSplit(code, ".")
            langname = parts[0]
            encoding = parts[1]
        }
        var languageAndEncoding = langname
        if !encoding.isEmpty {
            languageAndEncoding += "." + String(encoding.unicodeScalars.filter { $0 != "-" && $0 != "_" })
        }
        let lookup = modifier.isEmpty ? languageAndEncoding : languageAndEncoding + "@" + modifier
        if let alias = aliases[lookup] { return alias }
        if !modifier.isEmpty, let alias = aliases[languageAndEncoding] {
            guard let (_, aliasModifier) = splitAtFirst(alias, "@") else { return appendModifier(alias, modifier) }
            if String(aliasModifier.unicodeScalars.dropFirst()).lowercased() == modifier { return alias }
        }
        return name
    }

    /// `locale._append_modifier`: `@euro` becomes an ISO 8859-15 codeset.
    private static func appendModifier(_ code: String, _ modifier: String) -> String {
        if modifier == "euro" {
            guard let (language, encoding) = splitAtFirst(code, ".") else { return code + ".ISO8859-15" }
            if encoding == ".ISO8859-15" || encoding == ".UTF-8" { return code }
            if encoding == ".ISO8859-1" { return language + ".ISO8859-15" }
        }
        return code + "@" + modifier
    }

    /// The entries of CPython 3.11's `locale.locale_alias` whose key is an ISO 639 language code,
    /// optionally with a territory or script and a modifier (`de`, `pt_br`, `sr@latin`), plus `c`
    /// and `posix`: every name Django's `to_locale` can give for a language code. The table's other
    /// entries (`german`, `english_uk`, codeset names) never come up. Pairs of key and alias.
    private static let aliasTable = """
        aa_dj aa_DJ.ISO8859-1 aa_er aa_ER.UTF-8 aa_et aa_ET.UTF-8 af af_ZA.ISO8859-1 af_za af_ZA.ISO8859-1
        agr_pe agr_PE.UTF-8 ak_gh ak_GH.UTF-8 am am_ET.UTF-8 am_et am_ET.UTF-8 an_es an_ES.ISO8859-15
        anp_in anp_IN.UTF-8 ar ar_AA.ISO8859-6 ar_aa ar_AA.ISO8859-6 ar_ae ar_AE.ISO8859-6 ar_bh ar_BH.ISO8859-6
        ar_dz ar_DZ.ISO8859-6 ar_eg ar_EG.ISO8859-6 ar_in ar_IN.UTF-8 ar_iq ar_IQ.ISO8859-6
        ar_jo ar_JO.ISO8859-6 ar_kw ar_KW.ISO8859-6 ar_lb ar_LB.ISO8859-6 ar_ly ar_LY.ISO8859-6
        ar_ma ar_MA.ISO8859-6 ar_om ar_OM.ISO8859-6 ar_qa ar_QA.ISO8859-6 ar_sa ar_SA.ISO8859-6
        ar_sd ar_SD.ISO8859-6 ar_ss ar_SS.UTF-8 ar_sy ar_SY.ISO8859-6 ar_tn ar_TN.ISO8859-6
        ar_ye ar_YE.ISO8859-6 as as_IN.UTF-8 as_in as_IN.UTF-8 ast_es ast_ES.ISO8859-15 ayc_pe ayc_PE.UTF-8
        az az_AZ.ISO8859-9E az_az az_AZ.ISO8859-9E az_ir az_IR.UTF-8 be be_BY.CP1251 be@latin be_BY.UTF-8@latin
        be_by be_BY.CP1251 be_by@latin be_BY.UTF-8@latin bem_zm bem_ZM.UTF-8 ber_dz ber_DZ.UTF-8
        ber_ma ber_MA.UTF-8 bg bg_BG.CP1251 bg_bg bg_BG.CP1251 bho_in bho_IN.UTF-8 bho_np bho_NP.UTF-8
        bi_vu bi_VU.UTF-8 bn_bd bn_BD.UTF-8 bn_in bn_IN.UTF-8 bo_cn bo_CN.UTF-8 bo_in bo_IN.UTF-8
        br br_FR.ISO8859-1 br_fr br_FR.ISO8859-1 brx_in brx_IN.UTF-8 bs bs_BA.ISO8859-2 bs_ba bs_BA.ISO8859-2
        byn_er byn_ER.UTF-8 c C ca ca_ES.ISO8859-1 ca_ad ca_AD.ISO8859-1 ca_es ca_ES.ISO8859-1
        ca_es@valencia ca_ES.UTF-8@valencia ca_fr ca_FR.ISO8859-1 ca_it ca_IT.ISO8859-1 ce_ru ce_RU.UTF-8
        chr_us chr_US.UTF-8 ckb_iq ckb_IQ.UTF-8 cmn_tw cmn_TW.UTF-8 crh_ua crh_UA.UTF-8 cs cs_CZ.ISO8859-2
        cs_cs cs_CZ.ISO8859-2 cs_cz cs_CZ.ISO8859-2 csb_pl csb_PL.UTF-8 cv_ru cv_RU.UTF-8 cy cy_GB.ISO8859-1
        cy_gb cy_GB.ISO8859-1 cz cs_CZ.ISO8859-2 cz_cz cs_CZ.ISO8859-2 da da_DK.ISO8859-1 da_dk da_DK.ISO8859-1
        de de_DE.ISO8859-1 de_at de_AT.ISO8859-1 de_be de_BE.ISO8859-1 de_ch de_CH.ISO8859-1
        de_de de_DE.ISO8859-1 de_it de_IT.ISO8859-1 de_lu de_LU.ISO8859-1 doi_in doi_IN.UTF-8 dv_mv dv_MV.UTF-8
        dz_bt dz_BT.UTF-8 ee ee_EE.ISO8859-4 ee_ee ee_EE.ISO8859-4 el el_GR.ISO8859-7 el_cy el_CY.ISO8859-7
        el_gr el_GR.ISO8859-7 el_gr@euro el_GR.ISO8859-15 en en_US.ISO8859-1 en_ag en_AG.UTF-8
        en_au en_AU.ISO8859-1 en_be en_BE.ISO8859-1 en_bw en_BW.ISO8859-1 en_ca en_CA.ISO8859-1
        en_dk en_DK.ISO8859-1 en_gb en_GB.ISO8859-1 en_hk en_HK.ISO8859-1 en_ie en_IE.ISO8859-1
        en_il en_IL.UTF-8 en_in en_IN.ISO8859-1 en_ng en_NG.UTF-8 en_nz en_NZ.ISO8859-1 en_ph en_PH.ISO8859-1
        en_sg en_SG.ISO8859-1 en_uk en_GB.ISO8859-1 en_us en_US.ISO8859-1 en_za en_ZA.ISO8859-1
        en_zm en_ZM.UTF-8 en_zw en_ZW.ISO8859-1 eng_gb en_GB.ISO8859-1 eo eo_XX.ISO8859-3 eo_eo eo_EO.ISO8859-3
        eo_xx eo_XX.ISO8859-3 es es_ES.ISO8859-1 es_ar es_AR.ISO8859-1 es_bo es_BO.ISO8859-1
        es_cl es_CL.ISO8859-1 es_co es_CO.ISO8859-1 es_cr es_CR.ISO8859-1 es_cu es_CU.UTF-8
        es_do es_DO.ISO8859-1 es_ec es_EC.ISO8859-1 es_es es_ES.ISO8859-1 es_gt es_GT.ISO8859-1
        es_hn es_HN.ISO8859-1 es_mx es_MX.ISO8859-1 es_ni es_NI.ISO8859-1 es_pa es_PA.ISO8859-1
        es_pe es_PE.ISO8859-1 es_pr es_PR.ISO8859-1 es_py es_PY.ISO8859-1 es_sv es_SV.ISO8859-1
        es_us es_US.ISO8859-1 es_uy es_UY.ISO8859-1 es_ve es_VE.ISO8859-1 et et_EE.ISO8859-15
        et_ee et_EE.ISO8859-15 eu eu_ES.ISO8859-1 eu_es eu_ES.ISO8859-1 eu_fr eu_FR.ISO8859-1 fa fa_IR.UTF-8
        fa_ir fa_IR.UTF-8 ff_sn ff_SN.UTF-8 fi fi_FI.ISO8859-15 fi_fi fi_FI.ISO8859-15 fil_ph fil_PH.UTF-8
        fo fo_FO.ISO8859-1 fo_fo fo_FO.ISO8859-1 fr fr_FR.ISO8859-1 fr_be fr_BE.ISO8859-1 fr_ca fr_CA.ISO8859-1
        fr_ch fr_CH.ISO8859-1 fr_fr fr_FR.ISO8859-1 fr_lu fr_LU.ISO8859-1 fre_fr fr_FR.ISO8859-1
        fur_it fur_IT.UTF-8 fy_de fy_DE.UTF-8 fy_nl fy_NL.UTF-8 ga ga_IE.ISO8859-1 ga_ie ga_IE.ISO8859-1
        gd gd_GB.ISO8859-1 gd_gb gd_GB.ISO8859-1 ger_de de_DE.ISO8859-1 gez_er gez_ER.UTF-8 gez_et gez_ET.UTF-8
        gl gl_ES.ISO8859-1 gl_es gl_ES.ISO8859-1 gu_in gu_IN.UTF-8 gv gv_GB.ISO8859-1 gv_gb gv_GB.ISO8859-1
        ha_ng ha_NG.UTF-8 hak_tw hak_TW.UTF-8 he he_IL.ISO8859-8 he_il he_IL.ISO8859-8 hi hi_IN.ISCII-DEV
        hi_in hi_IN.ISCII-DEV hif_fj hif_FJ.UTF-8 hne hne_IN.UTF-8 hne_in hne_IN.UTF-8 hr hr_HR.ISO8859-2
        hr_hr hr_HR.ISO8859-2 hsb_de hsb_DE.ISO8859-2 ht_ht ht_HT.UTF-8 hu hu_HU.ISO8859-2 hu_hu hu_HU.ISO8859-2
        hy_am hy_AM.UTF-8 ia ia.UTF-8 ia_fr ia_FR.UTF-8 id id_ID.ISO8859-1 id_id id_ID.ISO8859-1
        ig_ng ig_NG.UTF-8 ik_ca ik_CA.UTF-8 in id_ID.ISO8859-1 in_id id_ID.ISO8859-1 is is_IS.ISO8859-1
        is_is is_IS.ISO8859-1 it it_IT.ISO8859-1 it_ch it_CH.ISO8859-1 it_it it_IT.ISO8859-1 iu iu_CA.NUNACOM-8
        iu_ca iu_CA.NUNACOM-8 iw he_IL.ISO8859-8 iw_il he_IL.ISO8859-8 ja ja_JP.eucJP ja_jp ja_JP.eucJP
        jp_jp ja_JP.eucJP ka ka_GE.GEORGIAN-ACADEMY ka_ge ka_GE.GEORGIAN-ACADEMY kab_dz kab_DZ.UTF-8
        kk_kz kk_KZ.ptcp154 kl kl_GL.ISO8859-1 kl_gl kl_GL.ISO8859-1 km_kh km_KH.UTF-8 kn kn_IN.UTF-8
        kn_in kn_IN.UTF-8 ko ko_KR.eucKR ko_kr ko_KR.eucKR kok_in kok_IN.UTF-8 ks ks_IN.UTF-8 ks_in ks_IN.UTF-8
        ku_tr ku_TR.ISO8859-9 kw kw_GB.ISO8859-1 kw_gb kw_GB.ISO8859-1 ky ky_KG.UTF-8 ky_kg ky_KG.UTF-8
        lb_lu lb_LU.UTF-8 lg_ug lg_UG.ISO8859-10 li_be li_BE.UTF-8 li_nl li_NL.UTF-8 lij_it lij_IT.UTF-8
        ln_cd ln_CD.UTF-8 lo lo_LA.MULELAO-1 lo_la lo_LA.MULELAO-1 lt lt_LT.ISO8859-13 lt_lt lt_LT.ISO8859-13
        lv lv_LV.ISO8859-13 lv_lv lv_LV.ISO8859-13 lzh_tw lzh_TW.UTF-8 mag_in mag_IN.UTF-8 mai mai_IN.UTF-8
        mai_in mai_IN.UTF-8 mai_np mai_NP.UTF-8 mfe_mu mfe_MU.UTF-8 mg_mg mg_MG.ISO8859-15 mhr_ru mhr_RU.UTF-8
        mi mi_NZ.ISO8859-1 mi_nz mi_NZ.ISO8859-1 miq_ni miq_NI.UTF-8 mjw_in mjw_IN.UTF-8 mk mk_MK.ISO8859-5
        mk_mk mk_MK.ISO8859-5 ml ml_IN.UTF-8 ml_in ml_IN.UTF-8 mn_mn mn_MN.UTF-8 mni_in mni_IN.UTF-8
        mr mr_IN.UTF-8 mr_in mr_IN.UTF-8 ms ms_MY.ISO8859-1 ms_my ms_MY.ISO8859-1 mt mt_MT.ISO8859-3
        mt_mt mt_MT.ISO8859-3 my_mm my_MM.UTF-8 nan_tw nan_TW.UTF-8 nb nb_NO.ISO8859-1 nb_no nb_NO.ISO8859-1
        nds_de nds_DE.UTF-8 nds_nl nds_NL.UTF-8 ne_np ne_NP.UTF-8 nhn_mx nhn_MX.UTF-8 niu_nu niu_NU.UTF-8
        niu_nz niu_NZ.UTF-8 nl nl_NL.ISO8859-1 nl_aw nl_AW.UTF-8 nl_be nl_BE.ISO8859-1 nl_nl nl_NL.ISO8859-1
        nn nn_NO.ISO8859-1 nn_no nn_NO.ISO8859-1 no no_NO.ISO8859-1 no@nynorsk ny_NO.ISO8859-1
        no_no no_NO.ISO8859-1 nr nr_ZA.ISO8859-1 nr_za nr_ZA.ISO8859-1 nso nso_ZA.ISO8859-15
        nso_za nso_ZA.ISO8859-15 ny ny_NO.ISO8859-1 ny_no ny_NO.ISO8859-1 oc oc_FR.ISO8859-1
        oc_fr oc_FR.ISO8859-1 om_et om_ET.UTF-8 om_ke om_KE.ISO8859-1 or or_IN.UTF-8 or_in or_IN.UTF-8
        os_ru os_RU.UTF-8 pa pa_IN.UTF-8 pa_in pa_IN.UTF-8 pa_pk pa_PK.UTF-8 pap_an pap_AN.UTF-8
        pap_aw pap_AW.UTF-8 pap_cw pap_CW.UTF-8 pd pd_US.ISO8859-1 pd_de pd_DE.ISO8859-1 pd_us pd_US.ISO8859-1
        ph ph_PH.ISO8859-1 ph_ph ph_PH.ISO8859-1 pl pl_PL.ISO8859-2 pl_pl pl_PL.ISO8859-2 posix C
        pp pp_AN.ISO8859-1 pp_an pp_AN.ISO8859-1 ps_af ps_AF.UTF-8 pt pt_PT.ISO8859-1 pt_br pt_BR.ISO8859-1
        pt_pt pt_PT.ISO8859-1 quz_pe quz_PE.UTF-8 raj_in raj_IN.UTF-8 ro ro_RO.ISO8859-2 ro_ro ro_RO.ISO8859-2
        ru ru_RU.UTF-8 ru_ru ru_RU.UTF-8 ru_ua ru_UA.KOI8-U rw rw_RW.ISO8859-1 rw_rw rw_RW.ISO8859-1
        sa_in sa_IN.UTF-8 sat_in sat_IN.UTF-8 sc_it sc_IT.UTF-8 sd sd_IN.UTF-8 sd_in sd_IN.UTF-8
        sd_pk sd_PK.UTF-8 se_no se_NO.UTF-8 sgs_lt sgs_LT.UTF-8 sh sr_RS.UTF-8@latin sh_hr sh_HR.ISO8859-2
        sh_sp sr_CS.ISO8859-2 sh_yu sr_RS.UTF-8@latin shn_mm shn_MM.UTF-8 shs_ca shs_CA.UTF-8 si si_LK.UTF-8
        si_lk si_LK.UTF-8 sid_et sid_ET.UTF-8 sk sk_SK.ISO8859-2 sk_sk sk_SK.ISO8859-2 sl sl_SI.ISO8859-2
        sl_cs sl_CS.ISO8859-2 sl_si sl_SI.ISO8859-2 sm_ws sm_WS.UTF-8 so_dj so_DJ.ISO8859-1 so_et so_ET.UTF-8
        so_ke so_KE.ISO8859-1 so_so so_SO.ISO8859-1 sp sr_CS.ISO8859-5 sp_yu sr_CS.ISO8859-5 sq sq_AL.ISO8859-2
        sq_al sq_AL.ISO8859-2 sq_mk sq_MK.UTF-8 sr sr_RS.UTF-8 sr@cyrillic sr_RS.UTF-8 sr@latn sr_CS.UTF-8@latin
        sr_cs sr_CS.UTF-8 sr_cs@latn sr_CS.UTF-8@latin sr_me sr_ME.UTF-8 sr_rs sr_RS.UTF-8
        sr_rs@latn sr_RS.UTF-8@latin sr_sp sr_CS.ISO8859-2 sr_yu sr_RS.UTF-8@latin sr_yu@cyrillic sr_RS.UTF-8
        ss ss_ZA.ISO8859-1 ss_za ss_ZA.ISO8859-1 st st_ZA.ISO8859-1 st_za st_ZA.ISO8859-1 sv sv_SE.ISO8859-1
        sv_fi sv_FI.ISO8859-1 sv_se sv_SE.ISO8859-1 sw_ke sw_KE.UTF-8 sw_tz sw_TZ.UTF-8 szl_pl szl_PL.UTF-8
        ta ta_IN.TSCII-0 ta_in ta_IN.TSCII-0 ta_lk ta_LK.UTF-8 te te_IN.UTF-8 te_in te_IN.UTF-8 tg tg_TJ.KOI8-C
        tg_tj tg_TJ.KOI8-C th th_TH.ISO8859-11 th_th th_TH.ISO8859-11 the_np the_NP.UTF-8 ti_er ti_ER.UTF-8
        ti_et ti_ET.UTF-8 tig_er tig_ER.UTF-8 tk_tm tk_TM.UTF-8 tl tl_PH.ISO8859-1 tl_ph tl_PH.ISO8859-1
        tn tn_ZA.ISO8859-15 tn_za tn_ZA.ISO8859-15 to_to to_TO.UTF-8 tpi_pg tpi_PG.UTF-8 tr tr_TR.ISO8859-9
        tr_cy tr_CY.ISO8859-9 tr_tr tr_TR.ISO8859-9 ts ts_ZA.ISO8859-1 ts_za ts_ZA.ISO8859-1 tt tt_RU.TATAR-CYR
        tt_ru tt_RU.TATAR-CYR tt_ru@iqtelif tt_RU.UTF-8@iqtelif ug_cn ug_CN.UTF-8 uk uk_UA.KOI8-U
        uk_ua uk_UA.KOI8-U unm_us unm_US.UTF-8 ur ur_PK.CP1256 ur_in ur_IN.UTF-8 ur_pk ur_PK.CP1256
        uz uz_UZ.UTF-8 uz_uz uz_UZ.UTF-8 uz_uz@cyrillic uz_UZ.UTF-8 ve ve_ZA.UTF-8 ve_za ve_ZA.UTF-8
        vi vi_VN.TCVN vi_vn vi_VN.TCVN wa wa_BE.ISO8859-1 wa_be wa_BE.ISO8859-1 wae_ch wae_CH.UTF-8
        wal_et wal_ET.UTF-8 wo_sn wo_SN.UTF-8 xh xh_ZA.ISO8859-1 xh_za xh_ZA.ISO8859-1 yi yi_US.CP1255
        yi_us yi_US.CP1255 yo_ng yo_NG.UTF-8 yue_hk yue_HK.UTF-8 yuw_pg yuw_PG.UTF-8 zh zh_CN.eucCN
        zh_cn zh_CN.gb2312 zh_hk zh_HK.big5hkscs zh_sg zh_SG.GB2312 zh_tw zh_TW.big5 zu zu_ZA.ISO8859-1
        zu_za zu_ZA.ISO8859-1
        """

    static let aliases: [String: String] = {
        var table: [String: String] = [:]
        let words = aliasTable.split(whereSeparator: { $0 == " " || $0 == "\n" })
        var index = 0
        while index + 1 < words.count {
            table[String(words[index])] = String(words[index + 1])
            index += 2
        }
        return table
    }()
}

// MARK: - Catalogs merged as Django merges them

/// The merged translation of one language, as Django's `DjangoTranslation` builds it: the
/// catalogs found for the language in each directory, most important first, each with its own
/// plural rule, then the chain of fallback catalogs.
public struct DjangoTranslation: Sendable {
    enum Link: Sendable {
        /// A plain `GNUTranslations` (a less specific variant found beside a catalog).
        case catalog(GettextCatalog)
        /// Another `DjangoTranslation` (the default language's).
        case merged([GettextCatalog], PluralForms)
    }

    /// The language code the translation was built for (`pt-br`).
    public let language: String
    let catalogs: [GettextCatalog]
    /// The plural rule of the first catalog merged (Django's `self.plural`).
    let plural: PluralForms
    let chain: [Link]

    /// Django's `gettext`: line ends made `\n`, the empty message stays empty, an untranslated
    /// message is answered as it is.
    public func gettext(_ message: String) -> String {
        var scalars = String.UnicodeScalarView()
        var afterReturn = false
        for scalar in message.unicodeScalars {
            if scalar == "\r" {
                scalars.append("\n")
            } else if !(scalar == "\n" && afterReturn) {
                scalars.append(scalar)
            }
            afterReturn = scalar == "\r"
        }
        let message = String(scalars)
        if message.isEmpty { return "" }
        return lookup(message) ?? message
    }

    /// Django's `ngettext`: the plural form of the first catalog that translates the message (each
    /// by its own plural rule), else the fallbacks', else `singular` for 1 and `plural` otherwise.
    public func ngettext(_ singular: String, _ plural: String, _ count: Int) -> String {
        lookupPlural(singular, count) ?? (count == 1 ? singular : plural)
    }

    /// Django's `pgettext`.
    public func pgettext(_ context: String, _ message: String) -> String {
        let result = gettext(context + "\u{4}" + message)
        return result.unicodeScalars.contains("\u{4}") ? message : result
    }

    /// Django's `npgettext`: without a translation in the context, the message's translation
    /// without context.
    public func npgettext(_ context: String, _ singular: String, _ plural: String, _ count: Int) -> String {
        let result = ngettext(context + "\u{4}" + singular, context + "\u{4}" + plural, count)
        return result.unicodeScalars.contains("\u{4}") ? ngettext(singular, plural, count) : result
    }

    /// The translation of `message` (a full key) anywhere in the merge or its fallbacks.
    func lookup(_ message: String) -> String? {
        if let text = Self.lookup(message, catalogs, plural) { return text }
        for link in chain {
            switch link {
            case .catalog(let catalog):
                if let text = catalog.translate(message) { return text }
            case .merged(let catalogs, let plural):
                if let text = Self.lookup(message, catalogs, plural) { return text }
            }
        }
        return nil
    }

    func lookupPlural(_ singular: String, _ count: Int) -> String? {
        if let text = Self.lookupPlural(singular, count, catalogs) { return text }
        for link in chain {
            switch link {
            case .catalog(let catalog):
                if let text = catalog.pluralForm(singular, catalog.pluralForms.index(for: count)) { return text }
            case .merged(let catalogs, _):
                if let text = Self.lookupPlural(singular, count, catalogs) { return text }
            }
        }
        return nil
    }

    /// `GNUTranslations.gettext` over Django's `TranslationCatalog`: a singular entry in any
    /// catalog, then a plural entry's form for 1 by the merge's own plural rule.
    private static func lookup(_ message: String, _ catalogs: [GettextCatalog], _ plural: PluralForms) -> String? {
        for catalog in catalogs {
            if let text = catalog.singular(message) { return text }
        }
        if catalogs.isEmpty { return nil }
        let form = plural.index(for: 1)
        for catalog in catalogs {
            if let text = catalog.pluralForm(message, form) { return text }
        }
        return nil
    }

    /// `TranslationCatalog.plural`: each catalog by its own plural rule.
    private static func lookupPlural(_ singular: String, _ count: Int, _ catalogs: [GettextCatalog]) -> String? {
        for catalog in catalogs {
            if let text = catalog.pluralForm(singular, catalog.pluralForms.index(for: count)) { return text }
        }
        return nil
    }
}

/// The catalogs of several locale directories, merged per language exactly as Django merges
/// `LOCALE_PATHS` (see `django/utils/translation/trans_real.py`, `DjangoTranslation.__init__`).
///
/// For a language, Django's `DjangoTranslation` merges, lowest precedence first: Django's own
/// catalog (`django/conf/locale`), each installed app's `locale` folder from the last app to the
/// first, then `LOCALE_PATHS` from the last to the first; a later merge takes precedence. In each
/// directory, `gettext.translation` finds every variant of the locale that has a `<domain>.mo`
/// (for `ru`: `ru_RU`, then `ru`); the first becomes the merged catalog, the others join the
/// translation's fallback chain, which is consulted only after every merged catalog. Last in the
/// chain comes the translation of `LANGUAGE_CODE` (not for `LANGUAGE_CODE` itself, nor for a code
/// starting with `en`). Each merged catalog keeps its own plural rule.
public struct CatalogSet: Sendable {
    /// A locale directory, as the set reads it: which locale folders hold a catalog, and how to
    /// load one.
    struct Directory: Sendable {
        let path: String
        let folders: Set<String>
        let load: @Sendable (String) throws -> GettextCatalog
    }

    /// `LANGUAGE_CODE`.
    public let languageCode: String
    let directories: [Directory]
    let mergeOrder: [Int]
    let translations: [String: DjangoTranslation]

    /// Reads the catalogs of `localePaths` (Django's `LOCALE_PATHS`, highest precedence first) for
    /// each of `languages` and for `languageCode`.
    ///
    /// - Parameters:
    ///   - localePaths: directories of `<locale>/LC_MESSAGES/<domain>.mo` files.
    ///   - languages: the language codes to build (Django's `LANGUAGES`).
    ///   - languageCode: Django's `LANGUAGE_CODE`, the last fallback of every other language.
    ///   - djangoLocalePath: Django's own catalogs (`django/conf/locale`), which Django merges first
    ///     of all, beneath everything else, whatever `LOCALE_PATHS` says; `nil` when the caller
    ///     lists that folder in `localePaths` instead (it then ranks where it is listed).
    ///   - installedAppPaths: the `locale` folders of installed apps, in `INSTALLED_APPS` order;
    ///     they rank beneath every `LOCALE_PATHS` folder.
    ///   - domain: the catalog's file name without `.mo`; Django's is `django` (`djangojs` is the
    ///     JavaScript catalog).
    /// - Throws: ``GettextError/unreadableFile(path:reason:)`` for a catalog that does not parse,
    ///   ``GettextError/noCatalogForDefaultLanguage(_:)`` when no directory has one for
    ///   `languageCode`, as Django raises.
    public init(
        localePaths: [URL], languages: [String], languageCode: String = "en-us", djangoLocalePath: URL? = nil,
        installedAppPaths: [URL] = [], domain: String = "django"
    ) throws {
        let all = (djangoLocalePath.map { [$0] } ?? []) + localePaths + installedAppPaths
        let directories = all.map { Self.directory(at: $0, domain: domain) }
        try self.init(
            directories: directories, localePathCount: localePaths.count,
            hasDjangoPath: djangoLocalePath != nil, languages: languages, languageCode: languageCode)
    }

    /// Builds a set from catalogs already in memory: each directory maps locale folder names
    /// (`pt_BR`) to their catalog. Ranked as in
    /// ``init(localePaths:languages:languageCode:djangoLocalePath:installedAppPaths:domain:)``.
    public init(
        localeCatalogs: [[String: GettextCatalog]], languages: [String], languageCode: String = "en-us",
        djangoCatalogs: [String: GettextCatalog]? = nil, installedAppCatalogs: [[String: GettextCatalog]] = []
    ) throws {
        let all = (djangoCatalogs.map { [$0] } ?? []) + localeCatalogs + installedAppCatalogs
        let directories = all.enumerated().map { index, catalogs in Self.directory(path: "#\(index)", catalogs) }
        try self.init(
            directories: directories, localePathCount: localeCatalogs.count, hasDjangoPath: djangoCatalogs != nil,
            languages: languages, languageCode: languageCode)
    }

    /// `LOCALE_PATHS` read from files above catalogs in memory that stand where Django's own
    /// catalogs stand, beneath everything (the package's English one).
    init(localePaths: [URL], languages: [String], languageCode: String, baseCatalogs: [String: GettextCatalog]) throws {
        try self.init(
            directories: [Self.directory(path: "(built in)", baseCatalogs)]
                + localePaths.map { Self.directory(at: $0, domain: "django") },
            localePathCount: localePaths.count, hasDjangoPath: true, languages: languages, languageCode: languageCode)
    }

    private init(
        directories: [Directory], localePathCount: Int, hasDjangoPath: Bool, languages: [String], languageCode: String
    ) throws {
        self.languageCode = languageCode
        self.directories = directories
        // all_locale_paths() order is Django's, the LOCALE_PATHS, the apps; merge order differs.
        let djangoIndices = hasDjangoPath ? [0] : []
        let localeIndices = Array(djangoIndices.count..<(djangoIndices.count + localePathCount))
        let appIndices = Array((djangoIndices.count + localePathCount)..<directories.count)
        let mergeOrder = djangoIndices + appIndices.reversed() + localeIndices.reversed()
        self.mergeOrder = mergeOrder

        var loaded: [String: GettextCatalog] = [:]
        func catalog(_ directory: Int, _ folder: String) throws -> GettextCatalog {
            let key = "\(directory)/\(folder)"
            if let catalog = loaded[key] { return catalog }
            let entry = directories[directory]
            let catalog: GettextCatalog
            do {
                catalog = try entry.load(folder)
            } catch let error as GettextError {
                if case .unreadableFile = error { throw error }
                throw GettextError.unreadableFile(path: entry.path + "/" + folder, reason: error.description)
            }
            loaded[key] = catalog
            return catalog
        }
        func build(_ language: String, fallback: DjangoTranslation?) throws -> DjangoTranslation {
            let order = GettextLocale.searchOrder(LanguageNegotiation.toLocale(language))
            var catalogs: [GettextCatalog] = []
            var plural: PluralForms?
            var chain: [DjangoTranslation.Link] = []
            for index in mergeOrder {
                let found = order.filter { directories[index].folders.contains($0) }
                guard let first = found.first else { continue }
                let primary = try catalog(index, first)
                // DjangoTranslation.merge: `if not getattr(other, "_catalog", None): return`.
                if primary.isEmptyForPython { continue }
                if plural == nil { plural = primary.pluralForms }
                catalogs.insert(primary, at: 0)
                for folder in found.dropFirst() { chain.append(.catalog(try catalog(index, folder))) }
            }
            if language == languageCode && catalogs.isEmpty {
                throw GettextError.noCatalogForDefaultLanguage(languageCode)
            }
            if let fallback {
                chain.append(.merged(fallback.catalogs, fallback.plural))
                chain += fallback.chain
            }
            return DjangoTranslation(
                language: language, catalogs: catalogs, plural: plural ?? .germanic, chain: chain)
        }

        let defaultTranslation = try build(languageCode, fallback: nil)
        var translations = [LanguageNegotiation.toLanguage(languageCode): defaultTranslation]
        for code in languages {
            let language = LanguageNegotiation.toLanguage(code)
            if translations[language] != nil { continue }
            let needsFallback = !(language == languageCode || hasPythonPrefix(language, "en"))
            translations[language] = try build(language, fallback: needsFallback ? defaultTranslation : nil)
        }
        self.translations = translations
    }

    /// A directory of catalogs already in memory, by locale folder name.
    private static func directory(path: String, _ catalogs: [String: GettextCatalog]) -> Directory {
        Directory(
            path: path, folders: Set(catalogs.keys),
            load: { folder in
                guard let catalog = catalogs[folder] else {
                    throw GettextError.unreadableFile(path: folder, reason: "no catalog")
                }
                return catalog
            })
    }

    /// A directory of `<locale>/LC_MESSAGES/<domain>.mo` files. Where a locale has no `.mo` but a
    /// `<domain>.po`, the `.po` is read instead (a convenience Django does not offer: it needs
    /// `compilemessages` first).
    private static func directory(at url: URL, domain: String) -> Directory {
        let path = url.path
        let manager = FileManager.default
        let names = (try? manager.contentsOfDirectory(atPath: path)) ?? []
        let mo = "LC_MESSAGES/" + domain + ".mo"
        let po = "LC_MESSAGES/" + domain + ".po"
        let folders = names.filter {
            manager.fileExists(atPath: path + "/" + $0 + "/" + mo)
                || manager.fileExists(atPath: path + "/" + $0 + "/" + po)
        }
        return Directory(
            path: path, folders: Set(folders),
            load: { folder in
                let compiled = manager.fileExists(atPath: path + "/" + folder + "/" + mo)
                let filePath = path + "/" + folder + "/" + (compiled ? mo : po)
                let data: Data
                do {
                    data = try Data(contentsOf: URL(fileURLWithPath: filePath))
                } catch {
                    throw GettextError.unreadableFile(path: filePath, reason: "cannot be read")
                }
                do {
                    if compiled { return try GettextCatalog(moData: data) }
                    guard let text = String(data: data, encoding: .utf8) else {
                        throw GettextError.unreadableFile(path: filePath, reason: "is not UTF-8")
                    }
                    return try GettextCatalog(poText: text)
                } catch let error as GettextError {
                    if case .unreadableFile = error { throw error }
                    throw GettextError.unreadableFile(path: filePath, reason: error.description)
                }
            })
    }

    /// The languages built, as `to_language` writes them.
    public var languages: [String] { translations.keys.sorted() }

    /// The translation for `language` (`pt-br`, `pt-BR` or `pt_BR`), if it was built.
    public func translation(for language: String) -> DjangoTranslation? {
        translations[language] ?? translations[LanguageNegotiation.toLanguage(language)]
    }

    /// Django's `check_for_language`: whether any directory has a catalog for `languageCode`
    /// (checked against `language_code_re` and the 500-character limit first).
    public func hasCatalog(for languageCode: String) -> Bool {
        guard languageCode.unicodeScalars.count <= LanguageNegotiation.languageCodeMaxLength,
            LanguageNegotiation.isLanguageCode(languageCode)
        else { return false }
        let order = GettextLocale.searchOrder(LanguageNegotiation.toLocale(languageCode))
        return directories.contains { directory in order.contains { directory.folders.contains($0) } }
    }
}
