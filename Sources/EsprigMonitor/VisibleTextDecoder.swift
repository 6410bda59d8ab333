/// Turns a byte stream into text without losing anything: valid UTF-8 is decoded (also when a
/// character is split across reads), every other byte and C0 control other than tab, CR, LF
/// and ESC (ANSI colour codes from the device) is shown as `\xNN`.
public struct VisibleTextDecoder: Sendable {
    /// The start of a UTF-8 sequence whose remaining bytes have not arrived yet.
    private var pending: [UInt8] = []

    public init() {}

    public mutating func decode(_ bytes: [UInt8]) -> String {
        var input = pending + bytes
        pending = []
        // Hold back an incomplete sequence at the very end; the next read may complete it.
        if let start = input.indices.suffix(3).last(where: { input[$0] & 0xC0 != 0x80 }),
           let length = Self.sequenceLength(input[start]), length > input.count - start,
           input[(start + 1)...].allSatisfy({ $0 & 0xC0 == 0x80 }) {
            pending = Array(input[start...])
            input.removeSubrange(start...)
        }
        return Self.render(input)
    }

    /// Whatever is held back, rendered (at the end of the stream).
    public mutating func flush() -> String {
        defer { pending = [] }
        return Self.render(pending)
    }

    static func sequenceLength(_ lead: UInt8) -> Int? {
        switch lead {
        case 0xC2...0xDF: return 2
        case 0xE0...0xEF: return 3
        case 0xF0...0xF4: return 4
        default: return nil
        }
    }

    static func render(_ bytes: [UInt8]) -> String {
        // Fast path for the common case, plain printable ASCII lines.
        if bytes.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        var out = ""
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte < 0x80 {
                if byte >= 0x20 && byte != 0x7F || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x1B {
                    out.unicodeScalars.append(Unicode.Scalar(byte))
                } else {
                    out += escape(byte)
                }
                i += 1
                continue
            }
            if let length = sequenceLength(byte), i + length <= bytes.count,
               let scalar = decodeScalar(bytes[i..<i + length]) {
                out.unicodeScalars.append(scalar)
                i += length
            } else {
                out += escape(byte)
                i += 1
            }
        }
        return out
    }

    private static func decodeScalar(_ bytes: ArraySlice<UInt8>) -> Unicode.Scalar? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) { return scalar }
        return nil
    }

    private static func escape(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return "\\x" + (digits.count == 1 ? "0" + digits : digits)
    }
}
