/// C string literals as the bytes they stand for, in both directions.
///
/// Encoding is total and injection-proof: every byte that could end the literal, start an escape,
/// form a trigraph, break the line or be read differently by another compiler's charset is
/// escaped, so any value comes out as exactly one literal on one line.
public enum CStringLiteral {
    /// The quoted literal for `bytes`. NUL is the caller's to refuse (C strings end there).
    public static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        var previous: UInt8 = 0
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): out += Array(#"\""#.utf8)
            case UInt8(ascii: "\\"): out += Array(#"\\"#.utf8)
            case UInt8(ascii: "\n"): out += Array(#"\n"#.utf8)
            case UInt8(ascii: "\r"): out += Array(#"\r"#.utf8)
            case UInt8(ascii: "\t"): out += Array(#"\t"#.utf8)
            // `??x` is a trigraph under -std=c99/c11; `\?` is the same byte without that risk.
            case UInt8(ascii: "?") where previous == UInt8(ascii: "?"): out += Array(#"\?"#.utf8)
            case 0x20...0x7E: out.append(byte)
            default:
                // Always three octal digits: an octal escape stops after three, so a digit that
                // follows can never be swallowed into it (a hex escape has no such limit).
                out += [UInt8(ascii: "\\"), 0x30 + (byte >> 6), 0x30 + ((byte >> 3) & 7), 0x30 + (byte & 7)]
            }
            previous = byte
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    /// Decodes the literal starting at `start` (which must be `"`): its bytes and the index just
    /// past the closing quote, or nil when it is not a plain literal this decoder understands
    /// (unterminated, or an escape C does not define).
    public static func decode(_ line: ArraySlice<UInt8>, at start: Int) -> (bytes: [UInt8], end: Int)? {
        guard start < line.endIndex, line[start] == UInt8(ascii: "\"") else { return nil }
        var bytes: [UInt8] = []
        var i = start + 1
        while i < line.endIndex {
            let c = line[i]
            if c == UInt8(ascii: "\"") { return (bytes, i + 1) }
            if c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") { return nil }
            guard c == UInt8(ascii: "\\") else { bytes.append(c); i += 1; continue }
            i += 1
            guard i < line.endIndex else { return nil }
            let e = line[i]
            if let simple = simpleEscapes[e] {
                bytes.append(simple)
                i += 1
            } else if (0x30...0x37).contains(e) {
                var value = 0
                var digits = 0
                while digits < 3, i < line.endIndex, (0x30...0x37).contains(line[i]) {
                    value = value * 8 + Int(line[i] - 0x30)
                    i += 1
                    digits += 1
                }
                guard value <= 0xFF else { return nil }
                bytes.append(UInt8(value))
            } else if e == UInt8(ascii: "x") {
                i += 1
                var value = 0
                var digits = 0
                while i < line.endIndex, let digit = hexDigit(line[i]) {
                    value = value * 16 + digit
                    guard value <= 0xFF else { return nil }
                    i += 1
                    digits += 1
                }
                guard digits > 0 else { return nil }
                bytes.append(UInt8(value))
            } else {
                return nil
            }
        }
        return nil
    }

    private static let simpleEscapes: [UInt8: UInt8] = [
        UInt8(ascii: "\""): 0x22, UInt8(ascii: "'"): 0x27, UInt8(ascii: "?"): 0x3F, UInt8(ascii: "\\"): 0x5C,
        UInt8(ascii: "a"): 0x07, UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A,
        UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09, UInt8(ascii: "v"): 0x0B,
    ]

    private static func hexDigit(_ c: UInt8) -> Int? {
        switch c {
        case 0x30...0x39: Int(c - 0x30)
        case 0x41...0x46: Int(c - 0x41 + 10)
        case 0x61...0x66: Int(c - 0x61 + 10)
        default: nil
        }
    }
}
