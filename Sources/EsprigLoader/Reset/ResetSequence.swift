import Foundation

/// One step of a reset sequence. Values are "asserted" booleans as pyserial uses them:
/// asserted DTR pulls GPIO0 low, asserted RTS pulls EN low in the usual auto-reset circuit.
public enum ResetStep: Sendable, Hashable {
    case dtr(Bool)
    case rts(Bool)
    /// Both lines in one operation (TIOCMSET).
    case both(dtr: Bool, rts: Bool)
    case wait(Duration)
}

/// A reset strategy as data, so built-in sequences and esptool's custom `D0|R1|W0.1` strings
/// share one interpreter (esptool `reset.py`, `CustomReset`).
public struct ResetSequence: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var steps: [ResetStep]

    public init(name: String, steps: [ResetStep]) {
        self.name = name
        self.steps = steps
    }

    /// Both lines set atomically; what esptool uses first on POSIX (UnixTightReset).
    public static func unixTight(delay: Duration) -> ResetSequence {
        ResetSequence(name: "unix-tight", steps: [
            .both(dtr: false, rts: false), .both(dtr: true, rts: true), .both(dtr: false, rts: true),
            .wait(.milliseconds(100)), .both(dtr: true, rts: false), .wait(delay),
            .both(dtr: false, rts: false), .dtr(false),
        ])
    }

    /// Portable two-call reset (ClassicReset).
    public static func classic(delay: Duration) -> ResetSequence {
        ResetSequence(name: "classic", steps: [
            .dtr(false), .rts(true), .wait(.milliseconds(100)), .dtr(true), .rts(false), .wait(delay), .dtr(false),
        ])
    }

    /// USB-Serial-JTAG reset of the chips with native USB (USBJTAGSerialReset).
    public static let usbJTAG = ResetSequence(name: "usb-jtag", steps: [
        .rts(false), .dtr(false), .wait(.milliseconds(100)), .dtr(true), .rts(false), .wait(.milliseconds(100)),
        .rts(true), .dtr(false), .rts(true), .wait(.milliseconds(100)), .dtr(false), .rts(false),
    ])

    /// Pulse EN to run the application (HardReset).
    public static let hardReset = ResetSequence(name: "hard-reset", steps: [
        .rts(true), .wait(.milliseconds(100)), .rts(false),
    ])

    /// What the connect loop cycles through on a POSIX tty (esptool `_construct_reset_strategy_sequence`).
    public static let defaultCycle: [ResetSequence] = [
        .unixTight(delay: .milliseconds(50)), .unixTight(delay: .milliseconds(550)),
        .classic(delay: .milliseconds(50)), .classic(delay: .milliseconds(550)),
    ]

    /// Parses esptool's custom sequence language: `D0|R1|W0.1|D1|R0|W0.05|D0`, `U0,1`.
    public init(parsing text: String, name: String = "custom") throws(LoaderError) {
        var steps: [ResetStep] = []
        for token in text.split(separator: "|").map({ $0.trimmingCharacters(in: .whitespaces) }) where !token.isEmpty {
            let arg = String(token.dropFirst())
            switch token.first {
            case "D" where arg == "0" || arg == "1": steps.append(.dtr(arg == "1"))
            case "R" where arg == "0" || arg == "1": steps.append(.rts(arg == "1"))
            case "U" where Self.isLinePair(arg):
                let parts = arg.split(separator: ",")
                steps.append(.both(dtr: parts[0] == "1", rts: parts[1] == "1"))
            case "W" where Double(arg).map({ $0 >= 0 && $0 <= 10 }) == true:
                steps.append(.wait(.milliseconds(Int64(Double(arg)! * 1000))))
            default:
                throw LoaderError(.invalidRequest, "invalid reset-sequence step '\(token)'",
                                  hint: "steps are D0/D1 (DTR), R0/R1 (RTS), U0,1 (both at once), W0.1 (wait seconds), joined by |")
            }
        }
        guard !steps.isEmpty else {
            throw LoaderError(.invalidRequest, "empty reset sequence", hint: "for example D0|R1|W0.1|D1|R0|W0.05|D0")
        }
        self.init(name: name, steps: steps)
    }

    private static func isLinePair(_ text: String) -> Bool {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { $0 == "0" || $0 == "1" }
    }

    public var description: String {
        steps.map { step in
            switch step {
            case .dtr(let on): return "D\(on ? 1 : 0)"
            case .rts(let on): return "R\(on ? 1 : 0)"
            case .both(let d, let r): return "U\(d ? 1 : 0),\(r ? 1 : 0)"
            case .wait(let d): return "W\(Double(d.components.attoseconds) / 1e18 + Double(d.components.seconds))"
            }
        }.joined(separator: "|")
    }
}

/// `--before`: how to get the chip into its loader (esptool names).
public enum BeforeAction: String, Sendable, CaseIterable {
    case defaultReset = "default-reset"
    case usbReset = "usb-reset"
    case noReset = "no-reset"
    case noResetNoSync = "no-reset-no-sync"
}

/// `--after`: what to do when the work is done.
public enum AfterAction: String, Sendable, CaseIterable {
    case hardReset = "hard-reset"
    case softReset = "soft-reset"
    case noReset = "no-reset"
    case noResetStub = "no-reset-stub"
    /// The chip's RTC watchdog resets it (esptool's `watchdog-reset`): a system reset, also on
    /// ports whose RTS does not reach the chip's reset (USB-Serial/JTAG, USB-OTG).
    case watchdogReset = "watchdog-reset"
}
