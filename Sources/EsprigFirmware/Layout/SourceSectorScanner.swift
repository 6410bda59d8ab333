import Foundation
import EsprigProtocol

/// Finds the certificate sectors and the TLS buffer size compiled into firmware C sources:
/// `espconn_secure_ca_enable(level, sector)`, `espconn_secure_cert_req_enable(level, sector)` and
/// `espconn_secure_set_size(level, bytes)`, with literal arguments (`0x77`, `119`, `6*1024`) or
/// macros resolved from the config header and the file's own `#define`s. Commented-out calls
/// (the SDK demo's `//espconn_secure_set_size(0x01,6*1024)`) do not count.
public struct SourceSectorScanner: Sendable {
    public struct Call: Sendable, Hashable {
        public enum Function: String, Sendable, Hashable, CaseIterable {
            case caEnable = "espconn_secure_ca_enable"
            case clientCertificateEnable = "espconn_secure_cert_req_enable"
            case setSize = "espconn_secure_set_size"
        }

        public var function: Function
        /// The second argument's value: a sector number, or a buffer size in bytes for `setSize`.
        public var value: Int
        /// The second argument as written, whitespace collapsed.
        public var argument: String
        public var file: String
        /// 1-based line of the function name.
        public var line: Int

        public init(function: Function, value: Int, argument: String, file: String, line: Int) {
            self.function = function
            self.value = value
            self.argument = argument
            self.file = file
            self.line = line
        }

        public var location: String { "\(file):\(line)" }
        /// `file:line (espconn_secure_ca_enable(…, CA_CERT_FLASH_ADDRESS))`.
        public var described: String { "\(location) (\(function.rawValue)(…, \(argument)))" }
    }

    /// Integer macros available to arguments, e.g. the header's `CA_CERT_FLASH_ADDRESS`.
    public var macros: [String: Int]

    /// espconn.h's connection levels, so `ESPCONN_CLIENT` needs no header.
    public static let sdkMacros: [String: Int] = ["ESPCONN_CLIENT": 1, "ESPCONN_SERVER": 2, "ESPCONN_BOTH": 3]

    public init(macros: [String: Int] = [:]) {
        self.macros = SourceSectorScanner.sdkMacros.merging(macros) { _, new in new }
    }

    /// Resolves arguments through the integer `#define`s of a (patched) config header.
    public init(header: ConfigHeader) {
        var macros: [String: Int] = [:]
        for entry in header.entries where entry.form == .define {
            if case .integer(let number) = entry.value { macros[entry.name] = number }
        }
        self.init(macros: macros)
    }

    /// Every call in `text` (the contents of `file`), in order. Throws `.unresolvedArgument`
    /// naming `file:line` when an argument is neither a number nor a known macro.
    public func scan(_ text: String, file: String) throws -> [Call] {
        let code = SourceSectorScanner.blankCommentsAndLiterals(Array(text.utf8))
        let lines = SourceSectorScanner.split(code)
        var known = macros
        for line in lines where line.isDirective {
            if let (name, body) = SourceSectorScanner.objectLikeDefine(line.text), known[name] == nil,
               let value = try? IntegerExpression.value(of: body, macros: known) {
                known[name] = value
            }
        }
        var calls: [Call] = []
        var previousToken = ""
        for token in SourceSectorScanner.tokens(lines.filter { !$0.isDirective }) {
            defer { previousToken = token.text }
            guard let function = Call.Function(rawValue: token.text), token.arguments != nil else { continue }
            // `bool espconn_secure_ca_enable(uint8 level, uint32 sector);` declares, it does not call.
            if let first = previousToken.utf8.first, ConfigValue.isIdentifierHead(first), !["return", "else", "do"].contains(previousToken) { continue }
            let arguments = token.arguments ?? []
            guard arguments.count == 2 else {
                throw FirmwareConfigError(.unresolvedArgument, "\(file):\(token.line): \(function.rawValue) takes 2 arguments, found \(arguments.count)")
            }
            let argument = arguments[1].split(whereSeparator: \.isWhitespace).joined(separator: " ")
            guard let value = try? IntegerExpression.value(of: argument, macros: known) else {
                throw FirmwareConfigError(.unresolvedArgument, "\(file):\(token.line): cannot work out \(function.rawValue)'s argument `\(argument)`",
                                          hint: "use a number or a macro the config header defines as a number")
            }
            calls.append(Call(function: function, value: value, argument: argument, file: file, line: token.line))
        }
        return calls
    }

    /// Every call in the `.c` files under `directory` (hidden folders skipped), files in path
    /// order; each call's file is `directory/relative path`.
    public func scan(directory: String) throws -> [Call] {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles]) else {
            throw FirmwareConfigError(.sourcesUnreadable, "cannot list the firmware sources in \(directory)")
        }
        var files: [String] = []
        for case let url as URL in walker where url.pathExtension == "c" {
            files.append(String(url.standardizedFileURL.path.dropFirst(root.path.count).drop { $0 == "/" }))
        }
        return try files.sorted().flatMap { relative -> [Call] in
            let path = (directory as NSString).appendingPathComponent(relative)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw FirmwareConfigError(.sourcesUnreadable, "cannot read \(path)")
            }
            return try scan(String(decoding: data, as: UTF8.self), file: path)
        }
    }
}

extension SourceSectorScanner {
    /// The certificate sectors the firmware compiles in: the calls' sectors, which must agree
    /// with each other and with the header's (`FirmwareSectors(header:path:)`). A buffer size
    /// outside the SDK's 2048...8192 is refused too, since `espconn_secure_set_size` ignores it.
    /// The result names the call sites, so a plan that disagrees points at the line to change.
    public static func sectors(_ calls: [Call], header: FirmwareSectors) throws -> FirmwareSectors {
        func agreed(_ function: Call.Function, _ compiled: FirmwareSectors.Sector?, _ what: String) throws -> FirmwareSectors.Sector? {
            var agreed = compiled
            for call in calls where call.function == function {
                if let known = agreed, known.number != call.value {
                    throw FirmwareConfigError(.sectorMismatch, "\(call.described) uses \(what) sector \(sectorText(call.value)), but \(known.source) says \(sectorText(known.number))",
                                              hint: "make both name the same sector")
                }
                if agreed == nil || agreed == compiled { agreed = FirmwareSectors.Sector(number: call.value, source: call.described) }
            }
            return agreed
        }
        for call in calls where call.function == .setSize && !(2048...8192).contains(call.value) {
            throw FirmwareConfigError(.secureSizeOutOfRange, "\(call.described) sets a TLS buffer of \(call.value) bytes; the SDK accepts 2048...8192 and ignores anything else",
                                      hint: "use a size between 2048 and 8192")
        }
        return FirmwareSectors(caCertificates: try agreed(.caEnable, header.caCertificates, "CA"),
                               clientCertificate: try agreed(.clientCertificateEnable, header.clientCertificate, "client certificate"),
                               configLocation: header.configLocation)
    }

    /// Every certificate item in `plan` sits where each call reads it; an error names the call's
    /// `file:line`, its compiled address and the planned one.
    public static func check(_ calls: [Call], against plan: FlashLayoutPlan) throws {
        for call in calls {
            let role: FlashLayoutPlan.Item.Role
            switch call.function {
            case .caEnable: role = .caCertificates
            case .clientCertificateEnable: role = .clientCertificate
            case .setSize: continue
            }
            for item in plan.items where item.role == role && item.address != call.value * FlashGeometry.sectorSize {
                throw FirmwareConfigError(.sectorMismatch, "\(call.described) reads sector \(sectorText(call.value)) at \(formatAddress(call.value * FlashGeometry.sectorSize)), but the plan writes \(item.file) at \(formatAddress(item.address))",
                                          hint: "write \(item.file) at \(formatAddress(call.value * FlashGeometry.sectorSize)) or change the firmware and rebuild")
            }
        }
    }

    static func sectorText(_ number: Int) -> String { "0x" + String(number, radix: 16, uppercase: true) }
}

// MARK: - Just enough C lexing to find calls

extension SourceSectorScanner {
    struct Line {
        var number: Int
        var text: [UInt8]
        /// A preprocessor line (or a continuation of one).
        var isDirective: Bool
    }

    struct Token {
        var text: String
        var line: Int
        /// The top-level comma-separated arguments when `(` follows the identifier.
        var arguments: [String]?
    }

    /// `bytes` with every comment and string or character literal replaced by spaces; newlines
    /// are kept so line numbers stay right.
    static func blankCommentsAndLiterals(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        var i = 0
        func blank(_ range: Range<Int>) { for j in range where out[j] != 0x0A { out[j] = 0x20 } }
        while i < bytes.count {
            if CLexer.hasPrefix(bytes, at: i, "//") {
                var end = i
                // A backslash-newline continues a line comment.
                while end < bytes.count, bytes[end] != 0x0A || (end > 0 && bytes[end - 1] == UInt8(ascii: "\\")) { end += 1 }
                blank(i..<end)
                i = end
            } else if CLexer.hasPrefix(bytes, at: i, "/*") {
                var end = i + 2
                while end < bytes.count, !CLexer.hasPrefix(bytes, at: end, "*/") { end += 1 }
                end = min(end + 2, bytes.count)
                blank(i..<end)
                i = end
            } else if bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") {
                let quote = bytes[i]
                var end = i + 1
                while end < bytes.count, bytes[end] != quote, bytes[end] != 0x0A {
                    end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
                }
                end = min(end + 1, bytes.count)
                blank(i..<end)
                i = end
            } else {
                i += 1
            }
        }
        return out
    }

    static func split(_ code: [UInt8]) -> [Line] {
        var lines: [Line] = []
        var continuesDirective = false
        for (index, content) in code.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let text = Array(content)
            let start = CLexer.skipSpace(text, from: 0)
            let isDirective = continuesDirective || (start < text.count && text[start] == UInt8(ascii: "#"))
            continuesDirective = isDirective && text.last(where: { !CLexer.isSpace($0) && $0 != 0x0D }) == UInt8(ascii: "\\")
            lines.append(Line(number: index + 1, text: text, isDirective: isDirective))
        }
        return lines
    }

    /// `#define NAME body` without parameters: the name and the body text.
    static func objectLikeDefine(_ text: [UInt8]) -> (String, String)? {
        var i = CLexer.skipSpace(text, from: 0)
        guard i < text.count, text[i] == UInt8(ascii: "#") else { return nil }
        i = CLexer.skipSpace(text, from: i + 1)
        guard CLexer.hasWord(text, at: i, "define") else { return nil }
        let nameStart = CLexer.skipSpace(text, from: i + 6)
        guard let nameEnd = CLexer.identifierEnd(text, from: nameStart),
              nameEnd == text.count || text[nameEnd] != UInt8(ascii: "(") else { return nil }
        return (String(decoding: text[nameStart..<nameEnd], as: UTF8.self),
                String(decoding: text[nameEnd...], as: UTF8.self).trimmingCharacters(in: .whitespaces))
    }

    /// Identifiers and single punctuation characters of `lines`; an identifier followed by `(`
    /// carries its arguments (which may span lines).
    static func tokens(_ lines: [Line]) -> [Token] {
        // One stream with line numbers per byte, so a call split over lines is still read whole.
        var bytes: [UInt8] = []
        var lineOf: [Int] = []
        for line in lines {
            bytes += line.text + [0x0A]
            lineOf += Array(repeating: line.number, count: line.text.count + 1)
        }
        var tokens: [Token] = []
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if let end = CLexer.identifierEnd(bytes, from: i) {
                let text = String(decoding: bytes[i..<end], as: UTF8.self)
                var next = end
                while next < bytes.count, CLexer.isSpace(bytes[next]) || bytes[next] == 0x0A || bytes[next] == 0x0D { next += 1 }
                var arguments: [String]?
                if next < bytes.count, bytes[next] == UInt8(ascii: "("), let parsed = parenthesized(bytes, from: next) {
                    arguments = parsed
                }
                tokens.append(Token(text: text, line: lineOf[i], arguments: arguments))
                i = end
            } else if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                i += 1
            } else if ConfigValue.isIdentifierBody(c) {
                // A number: skip it whole so `0x77` is not read as `x77`.
                while i < bytes.count, ConfigValue.isIdentifierBody(bytes[i]) { i += 1 }
                tokens.append(Token(text: "0", line: lineOf[i - 1], arguments: nil))
            } else {
                tokens.append(Token(text: String(UnicodeScalar(c)), line: lineOf[i], arguments: nil))
                i += 1
            }
        }
        return tokens
    }

    /// The top-level arguments between the `(` at `open` and its `)`, or nil if unbalanced.
    private static func parenthesized(_ bytes: [UInt8], from open: Int) -> [String]? {
        var depth = 0
        var arguments: [String] = []
        var current: [UInt8] = []
        var i = open
        while i < bytes.count {
            let c = bytes[i]
            switch c {
            case UInt8(ascii: "("):
                depth += 1
                if depth > 1 { current.append(c) }
            case UInt8(ascii: ")"):
                depth -= 1
                if depth == 0 {
                    let last = String(decoding: current, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    if !(arguments.isEmpty && last.isEmpty) { arguments.append(last) }
                    return arguments
                }
                current.append(c)
            case UInt8(ascii: ",") where depth == 1:
                arguments.append(String(decoding: current, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
                current = []
            default:
                current.append(c)
            }
            i += 1
        }
        return nil
    }
}

/// A C integer constant expression of numbers, macros, `+ - * / << >> |`, unary minus and
/// parentheses, which covers how firmware spells sector numbers and sizes (`0x77`, `6*1024`).
struct IntegerExpression {
    private let tokens: [String]
    private let macros: [String: Int]
    private var position = 0

    struct Unresolved: Error {}

    static func value(of text: String, macros: [String: Int]) throws -> Int {
        var expression = IntegerExpression(text, macros: macros)
        return try expression.evaluate()
    }

    private init(_ text: String, macros: [String: Int]) {
        var tokens: [String] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if CLexer.isSpace(c) { i += 1; continue }
            if ConfigValue.isIdentifierBody(c) {
                let start = i
                while i < bytes.count, ConfigValue.isIdentifierBody(bytes[i]) { i += 1 }
                tokens.append(String(decoding: bytes[start..<i], as: UTF8.self))
            } else if (c == UInt8(ascii: "<") || c == UInt8(ascii: ">")) && i + 1 < bytes.count && bytes[i + 1] == c {
                tokens.append(String(decoding: bytes[i...i + 1], as: UTF8.self))
                i += 2
            } else {
                tokens.append(String(UnicodeScalar(c)))
                i += 1
            }
        }
        self.tokens = tokens
        self.macros = macros
    }

    private mutating func evaluate() throws -> Int {
        let value = try sum()
        guard position == tokens.count else { throw Unresolved() }
        return value
    }

    private mutating func next() -> String? {
        guard position < tokens.count else { return nil }
        defer { position += 1 }
        return tokens[position]
    }

    private var peek: String? { position < tokens.count ? tokens[position] : nil }

    private mutating func sum() throws -> Int {
        var value = try product()
        while let op = peek, ["+", "-", "|", "<<", ">>"].contains(op) {
            position += 1
            let rhs = try product()
            switch op {
            case "+": value = try checked(value.addingReportingOverflow(rhs))
            case "-": value = try checked(value.subtractingReportingOverflow(rhs))
            case "|": value |= rhs
            case "<<": guard (0..<32).contains(rhs) else { throw Unresolved() }; value = try checked(value.multipliedReportingOverflow(by: 1 << rhs))
            default: value >>= rhs
            }
        }
        return value
    }

    private mutating func product() throws -> Int {
        var value = try unary()
        while let op = peek, op == "*" || op == "/" {
            position += 1
            let rhs = try unary()
            if op == "*" {
                value = try checked(value.multipliedReportingOverflow(by: rhs))
            } else {
                guard rhs != 0 else { throw Unresolved() }
                value = try checked(value.dividedReportingOverflow(by: rhs))
            }
        }
        return value
    }

    private mutating func unary() throws -> Int {
        guard let token = next() else { throw Unresolved() }
        switch token {
        case "-": return try checked((0).subtractingReportingOverflow(try unary()))
        case "+": return try unary()
        case "(":
            let value = try sum()
            guard next() == ")" else { throw Unresolved() }
            return value
        default:
            if let number = IntegerExpression.literal(token) { return number }
            // Macros hold values already worked out (earlier #defines resolve in file order).
            guard let value = macros[token] else { throw Unresolved() }
            return value
        }
    }

    private func checked(_ result: (partialValue: Int, overflow: Bool)) throws -> Int {
        guard !result.overflow else { throw Unresolved() }
        return result.partialValue
    }

    /// `0x77`, `119`, `0170` (octal), with any `u`/`l` suffix.
    static func literal(_ token: String) -> Int? {
        var text = Substring(token)
        while let last = text.last, "uUlL".contains(last) { text = text.dropLast() }
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return Int(text.dropFirst(2), radix: 16) }
        if text.count > 1, text.hasPrefix("0") { return Int(text.dropFirst(), radix: 8) }
        return Int(text, radix: 10)
    }
}
