/// The few pieces of C lexing the header patcher needs: spaces, identifiers, and where code
/// ends and a comment begins (never inside a string or character literal).
enum CLexer {
    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0B || c == 0x0C }

    static func skipSpace(_ bytes: [UInt8], from start: Int) -> Int {
        var i = start
        while i < bytes.count, isSpace(bytes[i]) { i += 1 }
        return i
    }

    static func hasPrefix(_ bytes: [UInt8], at start: Int, _ prefix: String) -> Bool {
        let p = Array(prefix.utf8)
        return start + p.count <= bytes.count && Array(bytes[start..<start + p.count]) == p
    }

    /// `word` at `start`, not followed by more identifier characters.
    static func hasWord(_ bytes: [UInt8], at start: Int, _ word: String) -> Bool {
        let end = start + word.utf8.count
        return hasPrefix(bytes, at: start, word) && (end == bytes.count || !ConfigValue.isIdentifierBody(bytes[end]))
    }

    static func identifierEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        guard start < bytes.count, ConfigValue.isIdentifierHead(bytes[start]) else { return nil }
        var i = start + 1
        while i < bytes.count, ConfigValue.isIdentifierBody(bytes[i]) { i += 1 }
        return i
    }

    /// The index where a `//` or `/*` comment starts on this line, or the line's end.
    static func codeEnd(_ bytes: [UInt8], from start: Int) -> Int {
        var i = start
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                i = literalEnd(bytes, from: i)
            case UInt8(ascii: "/") where i + 1 < bytes.count && (bytes[i + 1] == UInt8(ascii: "/") || bytes[i + 1] == UInt8(ascii: "*")):
                return i
            default:
                i += 1
            }
        }
        return bytes.count
    }

    /// Whether a `/* ... */` comment is still open at the end of `bytes`, given whether one was
    /// open at its start.
    static func endsInsideBlockComment(_ bytes: [UInt8], startingInside: Bool) -> Bool {
        var inside = startingInside
        var i = 0
        while i < bytes.count {
            if inside {
                if hasPrefix(bytes, at: i, "*/") { inside = false; i += 2 } else { i += 1 }
                continue
            }
            switch bytes[i] {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                i = literalEnd(bytes, from: i)
            case UInt8(ascii: "/") where hasPrefix(bytes, at: i, "//"):
                return false
            case UInt8(ascii: "/") where hasPrefix(bytes, at: i, "/*"):
                inside = true
                i += 2
            default:
                i += 1
            }
        }
        return inside
    }

    /// Index past the literal opened by the quote at `start` (or the line's end if unterminated).
    private static func literalEnd(_ bytes: [UInt8], from start: Int) -> Int {
        let quote = bytes[start]
        var i = start + 1
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\") { i += 2; continue }
            if bytes[i] == quote { return i + 1 }
            i += 1
        }
        return bytes.count
    }
}
