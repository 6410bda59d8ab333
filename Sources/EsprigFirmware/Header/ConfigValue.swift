/// A value for one config-header name, typed by how C will read it.
public enum ConfigValue: Sendable, Hashable, CustomStringConvertible {
    /// A C string literal's bytes (without the terminator). Written with exact escapes.
    case string([UInt8])
    /// A non-negative integer literal. It keeps the line's existing spelling (decimal, or hex
    /// with its digit count and case), so `0x00FF55A4` stays an 8-digit upper-case hex number.
    case integer(Int)
    /// A bare identifier such as an enum constant (`AUTH_WPA2_PSK`, `NO_TLS`).
    case symbol(String)
    /// Whether `#define NAME` is active (true) or commented out (false).
    case flag(Bool)

    /// The UTF-8 bytes of `text` as a string value.
    public static func text(_ text: String) -> ConfigValue { .string(Array(text.utf8)) }

    public enum Kind: String, Sendable, Hashable {
        case string, integer, symbol, flag
    }

    public var kind: Kind {
        switch self {
        case .string: .string
        case .integer: .integer
        case .symbol: .symbol
        case .flag: .flag
        }
    }

    /// Parses command-line or profile text for a name whose header line holds a value of `kind`.
    /// Integers and symbols are both single C tokens, so either may replace the other (the SDK
    /// spells DEFAULT_SECURITY `0` in v2.0 and `NO_TLS` later).
    public init(parsing text: String, as kind: Kind, name: String) throws {
        switch kind {
        case .string:
            self = .text(text)
        case .integer, .symbol:
            if let number = ConfigValue.parseInteger(text) {
                self = .integer(number)
            } else if ConfigValue.isIdentifier(Array(text.utf8)[...]) {
                self = .symbol(text)
            } else {
                throw FirmwareConfigError(.invalidValue, "\(name)=\(text) is neither a non-negative integer nor a C identifier",
                                          hint: "write a decimal or 0x-hex number, or an enum constant such as NO_TLS")
            }
        case .flag:
            switch text.lowercased() {
            case "1", "on", "true", "yes", "defined": self = .flag(true)
            case "0", "off", "false", "no", "undefined": self = .flag(false)
            default:
                throw FirmwareConfigError(.invalidValue, "\(name)=\(text) is not a flag value",
                                          hint: "\(name) is a defined/undefined switch: write on or off")
            }
        }
    }

    public var description: String {
        switch self {
        case .string(let bytes): String(decoding: CStringLiteral.encode(bytes), as: UTF8.self)
        case .integer(let value): String(value)
        case .symbol(let name): name
        case .flag(let isDefined): isDefined ? "defined" : "undefined"
        }
    }

    /// Decimal without a leading zero (C would read that as octal), or `0x` hex.
    static func parseInteger(_ text: String) -> Int? {
        let lower = text.lowercased()
        if lower.hasPrefix("0x") {
            let digits = lower.dropFirst(2)
            guard !digits.isEmpty, digits.allSatisfy(\.isHexDigit) else { return nil }
            return Int(digits, radix: 16)
        }
        guard !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber),
              text == "0" || !text.hasPrefix("0") else { return nil }
        return Int(text)
    }

    static func isIdentifier(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first, isIdentifierHead(first) else { return false }
        return bytes.allSatisfy(isIdentifierBody)
    }

    static func isIdentifierHead(_ c: UInt8) -> Bool {
        (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) || c == UInt8(ascii: "_")
    }

    static func isIdentifierBody(_ c: UInt8) -> Bool { isIdentifierHead(c) || (0x30...0x39).contains(c) }
}

/// How an integer literal is spelled on its line, so a new value is written the same way.
enum IntegerSpelling: Sendable, Hashable {
    case decimal
    case hex(digits: Int, uppercase: Bool)

    init(literal: ArraySlice<UInt8>) {
        guard literal.count > 2, literal[literal.startIndex + 1] | 0x20 == UInt8(ascii: "x") else {
            self = .decimal
            return
        }
        let digits = literal.dropFirst(2)
        self = .hex(digits: digits.count, uppercase: !digits.contains { (0x61...0x66).contains($0) })
    }

    func render(_ value: Int) -> [UInt8] {
        switch self {
        case .decimal:
            return Array(String(value).utf8)
        case .hex(let digits, let uppercase):
            var text = String(value, radix: 16, uppercase: uppercase)
            if text.count < digits { text = String(repeating: "0", count: digits - text.count) + text }
            return Array("0x\(text)".utf8)
        }
    }
}
