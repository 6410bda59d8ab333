import ArgumentParser
import Foundation
import EsprigLoader
import EsprigProtocol
import EsprigWorkflows

/// Connection options shared by every board command (esptool v5 names and environment
/// variables ESPRIG_PORT / ESPRIG_BAUD).
struct ConnectionOptions: ParsableArguments {
    @Option(name: [.customShort("p"), .long], help: "Serial port: /dev/ttyUSB0, /dev/serial/by-id/..., auto (the only ESP-like port), usb-serial:SERIAL, usb-path:1-1.4, by-id:NAME, socket://HOST:PORT, rfc2217://HOST:PORT or sim://esp8266 (env ESPRIG_PORT).")
    var port: String?

    @Option(name: [.customShort("b"), .long], help: "Baud rate for the transfer once the stub runs (env ESPRIG_BAUD; default 115200).")
    var baud: Int?

    @Option(name: [.customShort("c"), .long], help: "Target chip: auto or one of the chip table's rows (esp8266, esp32, esp32c3, ...).")
    var chip: ChipChoice = .auto

    @Option(help: "How to enter the loader: default-reset, usb-reset, no-reset, no-reset-no-sync.")
    var before: BeforeAction = .defaultReset

    @Option(name: [.customShort("a"), .long], help: "What to do afterwards: hard-reset, soft-reset, no-reset, no-reset-stub, watchdog-reset.")
    var after: AfterAction = .hardReset

    @Flag(help: "Use only the ROM loader (no flasher stub): slower; the ESP8266 ROM cannot compress or verify.")
    var noStub = false

    @Option(help: "Connect attempts (each a reset and 5 syncs).")
    var connectAttempts: Int = 7

    @Option(help: "Custom reset sequence in esptool's language, e.g. 'D0|R1|W0.1|D1|R0|W0.05|D0'.")
    var resetSequence: String?

    @Flag(name: [.customShort("t"), .long], help: "Print every frame sent and received.")
    var trace = false

    func validate() throws {
        if let baud, baud < 300 || baud > 5_000_000 {
            throw ValidationError("--baud \(baud) is out of range (300 to 5000000)")
        }
        if connectAttempts < 1 || connectAttempts > 100 {
            throw ValidationError("--connect-attempts must be between 1 and 100")
        }
    }
}

/// Output options shared by every command.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print the result as JSON on stdout (progress and notes are not printed).")
    var json = false

    @Flag(name: .customLong("no-progress"), help: "No progress output.")
    var noProgress = false

    @Flag(name: [.customShort("v"), .long], help: "More detail.")
    var verbose = false
}

enum ChipChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, esp8266, esp32, esp32s2, esp32s3, esp32c2, esp32c3, esp32c5, esp32c6, esp32h2, esp32p4
    var chip: Chip? { Chip(rawValue: rawValue) }
}

extension BeforeAction: ExpressibleByArgument {
    public init?(argument: String) {
        // esptool v4 spellings (default_reset) still work, as they do in esptool v5.
        self.init(rawValue: argument.replacingOccurrences(of: "_", with: "-"))
    }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension AfterAction: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(rawValue: argument.replacingOccurrences(of: "_", with: "-"))
    }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension ConnectionOptions {
    /// The flags as the workflows take them; `--trace` prints every frame on stderr.
    var board: BoardConnection {
        var connection = BoardConnection(port: port, baud: baud)
        connection.chip = chip.chip
        connection.before = before
        connection.after = after
        connection.useStub = !noStub
        connection.connectAttempts = connectAttempts
        connection.resetSequence = resetSequence
        if trace {
            connection.trace = { record in
                let hex = record.bytes.map { String(format: "%02x", $0) }.joined(separator: " ")
                FileHandle.standardError.write(Data("TRACE \(record.direction.rawValue) \(record.bytes.count): \(hex)\n".utf8))
            }
        }
        return connection
    }
}
