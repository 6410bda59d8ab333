/// The format subset of the ROM's `ets_printf` (no floating point): `%d %i %u %x %X %o %c %s
/// %p %%`, the flags `-` and `0`, a decimal width, and `l`/`h` length letters, which change
/// nothing on a 32-bit core. Anything else is printed as written.
enum ROMPrintf {
    /// `argument(n)` is the n-th 32-bit argument after the format; `string(address)` reads a C string.
    static func format(_ format: [UInt8], argument: (Int) -> UInt32, string: (UInt32) -> [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var next = 0
        var i = 0
        func take() -> UInt32 { defer { next += 1 }; return argument(next) }
        while i < format.count {
            let byte = format[i]
            i += 1
            guard byte == UInt8(ascii: "%") else { out.append(byte); continue }
            let start = i - 1
            var leftAlign = false
            var zeroPad = false
            while i < format.count, format[i] == UInt8(ascii: "-") || format[i] == UInt8(ascii: "0") {
                if format[i] == UInt8(ascii: "-") { leftAlign = true } else { zeroPad = true }
                i += 1
            }
            var width = 0
            while i < format.count, format[i] >= UInt8(ascii: "0"), format[i] <= UInt8(ascii: "9"), width < 100 {
                width = width * 10 + Int(format[i] - UInt8(ascii: "0"))
                i += 1
            }
            while i < format.count, format[i] == UInt8(ascii: "l") || format[i] == UInt8(ascii: "h") { i += 1 }
            guard i < format.count else { out += format[start...]; break }
            let conversion = format[i]
            i += 1
            var field: [UInt8]
            var numeric = true
            switch conversion {
            case UInt8(ascii: "d"), UInt8(ascii: "i"): field = Array(String(Int32(bitPattern: take())).utf8)
            case UInt8(ascii: "u"): field = Array(String(take()).utf8)
            case UInt8(ascii: "x"): field = Array(String(take(), radix: 16).utf8)
            case UInt8(ascii: "X"): field = Array(String(take(), radix: 16, uppercase: true).utf8)
            case UInt8(ascii: "o"): field = Array(String(take(), radix: 8).utf8)
            case UInt8(ascii: "p"): field = Array(("0x" + String(take(), radix: 16)).utf8)
            case UInt8(ascii: "c"): field = [UInt8(truncatingIfNeeded: take())]; numeric = false
            case UInt8(ascii: "s"): field = string(take()); numeric = false
            case UInt8(ascii: "%"): out.append(UInt8(ascii: "%")); continue
            default: out += format[start..<i]; continue
            }
            let padding = max(0, width - field.count)
            if leftAlign {
                out += field + [UInt8](repeating: UInt8(ascii: " "), count: padding)
            } else if zeroPad && numeric {
                // The sign goes before the zeros.
                if field.first == UInt8(ascii: "-") {
                    out.append(UInt8(ascii: "-"))
                    field.removeFirst()
                }
                out += [UInt8](repeating: UInt8(ascii: "0"), count: padding) + field
            } else {
                out += [UInt8](repeating: UInt8(ascii: " "), count: padding) + field
            }
        }
        return out
    }
}
