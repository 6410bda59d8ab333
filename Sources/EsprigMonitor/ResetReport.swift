import Foundation

/// The ESP8266 ROM's `rst cause:N, boot mode:(x,y)` line, explained (protocol.md §12).
public struct ResetReport: Sendable, Equatable {
    public var cause: Int
    public var bootMode: (strap: Int, detail: Int)

    public static func == (a: ResetReport, b: ResetReport) -> Bool {
        a.cause == b.cause && a.bootMode == b.bootMode
    }

    /// Parses ` ets Jan  8 2013,rst cause:2, boot mode:(3,6)`; nil for any other line.
    public init?(line: String) {
        guard line.containsBytes("rst cause:"),
              let match = Self.pattern.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)),
              let cause = Int(Self.group(1, match, line)), let strap = Int(Self.group(2, match, line)),
              let detail = Int(Self.group(3, match, line)) else { return nil }
        self.cause = cause
        self.bootMode = (strap, detail)
    }

    private static let pattern = try! NSRegularExpression(pattern: #"rst cause:(\d+), boot mode:\((\d+),(\d+)\)"#)

    private static func group(_ n: Int, _ match: NSTextCheckingResult, _ line: String) -> String {
        Range(match.range(at: n), in: line).map { String(line[$0]) } ?? ""
    }

    public var causeMeaning: String {
        switch cause {
        case 1: return "power on"
        case 2: return "external reset (EN/RST pin, or the reboot after a crash)"
        case 3: return "software reset"
        case 4: return "hardware watchdog"
        case 5: return "wake from deep sleep"
        default: return "unknown reset cause"
        }
    }

    /// The strapping value is (GPIO15, GPIO0, GPIO2) as bits 2…0.
    public var bootModeMeaning: String {
        switch bootMode.strap {
        case 1: return "UART download mode: GPIO0 was held low (release it and reset to run the app)"
        case 3: return "boot from flash (GPIO0 high)"
        case 4...7: return "SDIO mode: GPIO15 was high (it needs a pull-down)"
        default: return "GPIO2 was low at reset (it needs to be high); the chip will not boot"
        }
    }

    public var isDownloadMode: Bool { bootMode.strap == 1 }

    public var summary: String {
        "rst cause \(cause): \(causeMeaning); boot mode (\(bootMode.strap),\(bootMode.detail)): \(bootModeMeaning)"
    }
}
