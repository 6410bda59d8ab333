import Foundation

/// What the simulated application prints after each normal boot (`boot-script=FILE`).
///
/// Text format, one step per line (UTF-8):
///
///     # a comment
///     SDK ver: 2.2.1 compiled        a plain line: sent as is, then CR LF, at the app baud
///     \@literal                      a leading backslash is dropped (to start a line with @ or #)
///     @baud 115200                   the app's UART rate from here on (default 115200)
///     @delay 250ms                   wait before the next step (ms or s, e.g. 1.5s)
///     @bytes 48 69 ff fe 0d 0a       raw bytes in hex, nothing added (for non-UTF-8 output)
///     @reset [external|watchdog|software|power-on]
///                                    the chip reboots: ROM banner again, script from the top
///     @halt                          the app stops printing (as at the end of the file)
///
/// The script starts `appStartDelay` after the ROM banner has been sent, the time the ROM
/// takes to load and start the app, so a host can switch from the banner's baud in between.
public struct BootScript: Sendable, Equatable {
    public enum Step: Sendable, Equatable {
        case send([UInt8])
        case delay(Duration)
        case baud(Int)
        case reset(ResetCause)
        case halt
    }

    public var steps: [Step]

    public static let defaultAppBaud = 115_200
    /// Between the end of the ROM banner and the app's first byte.
    public static let appStartDelay = Duration.milliseconds(100)

    public init(steps: [Step]) { self.steps = steps }

    public init(contentsOf path: String) throws(SimulatorError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SimulatorError(.io, "cannot read boot script '\(path)'", hint: "check the boot-script= path")
        }
        try self.init(parsing: String(decoding: data, as: UTF8.self), name: path)
    }

    public init(parsing text: String, name: String = "boot script") throws(SimulatorError) {
        var steps: [Step] = []
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }
        if lines.last == "" { lines.removeLast() }   // the file's final newline ends a line, not starts one
        for (index, line) in lines.enumerated() {
            if line.hasPrefix("#") { continue }
            if line.hasPrefix("\\") {
                steps.append(.send(Array(line.dropFirst().utf8) + [0x0D, 0x0A]))
            } else if line.hasPrefix("@") {
                steps.append(try Self.directive(line, at: "\(name):\(index + 1)"))
            } else {
                steps.append(.send(Array(line.utf8) + [0x0D, 0x0A]))
            }
        }
        self.steps = steps
    }

    private static func directive(_ line: String, at place: String) throws(SimulatorError) -> Step {
        let words = line.dropFirst().split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let argument = words.dropFirst().joined(separator: " ")
        func bad(_ expected: String) -> SimulatorError {
            SimulatorError(.invalidOption, "\(place): '\(line)' is not a valid directive", hint: expected)
        }
        switch words.first ?? "" {
        case "baud":
            guard let rate = Int(argument), rate > 0 else { throw bad("write @baud 115200") }
            return .baud(rate)
        case "delay":
            guard let duration = parseDuration(argument) else { throw bad("write @delay 250ms or @delay 1.5s") }
            return .delay(duration)
        case "bytes":
            let bytes = words.dropFirst().compactMap { UInt8($0, radix: 16) }
            guard !bytes.isEmpty, bytes.count == words.count - 1 else { throw bad("write @bytes 48 69 ff (hex bytes)") }
            return .send(bytes)
        case "reset":
            switch argument {
            case "", "external": return .reset(.externalPin)
            case "watchdog": return .reset(.watchdog)
            case "software": return .reset(.software)
            case "power-on": return .reset(.powerOn)
            default: throw bad("write @reset with external, watchdog, software or power-on")
            }
        case "halt":
            return .halt
        default:
            throw bad("directives: @baud, @delay, @bytes, @reset, @halt (start a text line with \\@ to print an @)")
        }
    }

    static func parseDuration(_ text: String) -> Duration? {
        let (number, scale): (Substring, Double)
        if text.hasSuffix("ms") {
            (number, scale) = (text.dropLast(2), 1e-3)
        } else if text.hasSuffix("s") {
            (number, scale) = (text.dropLast(), 1)
        } else {
            return nil
        }
        guard let value = Double(number.trimmingCharacters(in: .whitespaces)), value >= 0, value.isFinite else { return nil }
        return .milliseconds(Int64((value * scale * 1000).rounded()))
    }
}
