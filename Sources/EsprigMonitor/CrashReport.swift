/// A crash dump found in the device's output, with addresses resolved where an ELF allows.
public struct CrashReport: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// ESP8266 `Exception (N):` / `Fatal exception (N):` with `epc1=…` and maybe a stack dump.
        case esp8266Exception = "esp8266-exception"
        /// ESP32 `Guru Meditation Error` and/or a `Backtrace:` line.
        case esp32Panic = "esp32-panic"
    }

    /// One address worth showing: where it came from and what it resolves to.
    public struct Frame: Sendable, Equatable {
        /// `epc1`, `excvaddr`, `stack`, `pc`, `backtrace`.
        public var role: String
        public var address: UInt32
        public var symbol: ResolvedAddress?
    }

    public var kind: Kind
    public var cause: Int?
    public var causeName: String?
    public var registers: [String: UInt32] = [:]
    public var frames: [Frame] = []
    /// Why addresses could not be resolved (no ELF, addr2line missing), for the user.
    public var decodeNote: String?

    public var causeMeaning: String? { cause.flatMap(ExceptionCause.meaning) }

    /// Human-readable lines shown under the dump.
    public var summaryLines: [String] {
        var lines: [String] = []
        var head = "crash decoded:"
        if let cause { head += " exception \(cause)" }
        if let causeName { head += " \(causeName)" }
        if let causeMeaning { head += " — \(causeMeaning)" }
        lines.append(head)
        for frame in frames {
            var text = "  \(frame.role) 0x\(Hex.word(frame.address))"
            if let symbol = frame.symbol {
                text += ": \(symbol.function) at \(symbol.location)"
                for inlined in symbol.inlinedBy { text += " (inlined by \(inlined))" }
            }
            lines.append(text)
        }
        if let decodeNote { lines.append("  \(decodeNote)") }
        return lines
    }
}

/// What addr2line says about one address.
public struct ResolvedAddress: Sendable, Equatable {
    public var function: String
    /// `file:line`.
    public var location: String
    public var inlinedBy: [String] = []

    public init(function: String, location: String, inlinedBy: [String] = []) {
        self.function = function
        self.location = location
        self.inlinedBy = inlinedBy
    }
}

enum Hex {
    static func word(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
