import ArgumentParser
import Foundation
import EsprigProtocol
import EsprigWorkflows

@main
struct Esprig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "esprig",
        abstract: "Flash, provision and monitor Espressif boards (ESP8266, ESP32) over their serial loader.",
        discussion: """
        Commands and flags follow esptool v5, so `esprig -p /dev/ttyUSB0 write-flash 0x0 app.bin` does what \
        esptool does. Use --port sim://esp8266 to run against the built-in simulated board.
        Exit codes: 0 success, 1 bad usage or input, 2 device or protocol failure.
        """,
        version: "0.1.0",
        subcommands: [
            ChipID.self, ReadMAC.self, FlashID.self, WriteFlash.self, ReadFlash.self, VerifyFlash.self,
            EraseFlash.self, EraseRegion.self, Run.self, SecurityInfoCommand.self, ReadMem.self, WriteMem.self, DumpMem.self, LoadRam.self,
            ReadFlashStatus.self, WriteFlashStatus.self, ReadFlashSFDP.self, Elf2Image.self, ImageInfo.self, MergeBin.self,
            Config.self, Build.self, Profile.self, Plan.self, Flash.self, Sim.self, Ports.self, LedgerCommand.self,
            Certs.self, Doctor.self, Broker.self, Preflight.self, Monitor.self, Bench.self,
        ]
    )

    // esptool puts connection options before the command (`esptool -p PORT write-flash ...`);
    // declaring them here too makes both orders work.
    @OptionGroup(title: "Connection") var connection: ConnectionOptions
    @OptionGroup(title: "Output") var output: OutputOptions

    /// Usage errors exit with 1 (ArgumentParser's default is 64), device failures with 2.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            exit(withError: code)
        } catch {
            let status = exitCode(for: error)
            if status == .success { exit(withError: error) }  // --help, --version
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(status == .validationFailure ? ExitStatus.usage : status.rawValue)
        }
    }
}
