import ArgumentParser
import EsprigFirmware
import EsprigMonitor
import EsprigProfiles
import EsprigProtocol
import EsprigTransport
import Foundation
import EsprigWorkflows

extension Esprig {
    /// `esprig monitor`: the board's serial output, readable from the ROM banner on, with crash
    /// decoding, patterns that end the run (exit 0 / 3 / 4), a log file and reconnects.
    struct Monitor: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a board's serial output: boot banner and app readable, crashes decoded, reconnects.",
            discussion: """
            Resets the board first (unless --no-reset) and reads the ESP8266 ROM banner at 74880 baud, then the \
            app at --baud. Bytes that are not UTF-8 are shown as \\xNN. On a terminal keys go to the device \
            (Enter as CR LF); Ctrl+] exits; Ctrl+T then R reset, B reset into the bootloader, T timestamps, \
            L log file on/off, H help. With stdin not a terminal it only reads. --json prints one event per line: \
            line, crash, reset, note, disconnect, reconnect, end.
            Exit codes: 0 --until matched (or you quit), 1 bad usage, 2 port lost (with --no-reconnect), \
            3 --fail-on matched, 4 --timeout passed.
            """)

        // -p/--port, -b/--baud (the app's rate; default: the profile's monitor baud, else 115200),
        // -c/--chip (default: the profile's, else esp8266), shared with the root command.
        @OptionGroup(title: "Connection") var connection: ConnectionOptions
        @OptionGroup(title: "Output") var output: OutputOptions

        @Option(help: "Take port, baud, chip and ELF from this profile (Profiles/NAME.toml).")
        var profile: String?

        @Option(help: "The directory holding the profiles (default: ./Profiles, or ESPRIG_PROFILES_DIR).")
        var profilesDir: String?

        @Option(help: "The firmware ELF used to resolve crash addresses (default: the profile's).")
        var elf: String?

        @Flag(help: "Do not reset the board on start.")
        var noReset = false

        @Flag(help: "Exit (2) when the port disappears instead of waiting for it to come back.")
        var noReconnect = false

        @Option(help: "Exit 0 when a line matches this regular expression.")
        var until: String?

        @Option(help: "Exit 3 when a line matches this regular expression.")
        var failOn: String?

        @Option(help: "Exit 4 after this many seconds.")
        var timeout: Double?

        @Flag(help: "Prefix lines with the wall-clock time.")
        var timestamps = false

        @Flag(help: "Prefix lines with the seconds since start.")
        var relativeTimestamps = false

        @Option(help: "Append every line, with its time, to this file.")
        var log: String?

        func validate() throws {
            if let timeout, !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds") }
        }

        func run() throws {
            let setup: MonitorSetup
            do {
                setup = try MonitorSetup(command: self, environment: ProcessInfo.processInfo.environment)
            } catch {
                throw CLIFailure(error).exit(json: output.json)
            }
            let outcome = try setup.run()
            if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
        }
    }
}
