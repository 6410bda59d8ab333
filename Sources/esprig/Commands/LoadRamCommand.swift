import ArgumentParser
import Foundation
import EsprigLoader
import EsprigWorkflows

extension Esprig {
    /// esptool's `load-ram`: runs an image from RAM without touching flash. Like esptool it does
    /// not reset afterwards (the board runs the loaded code); unlike esptool it refuses an image
    /// for another chip or with segments outside RAM, before any of it is sent.
    struct LoadRam: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "load-ram", abstract: "Download an image to RAM and execute it (flash is not touched).")
        @OptionGroup(title: "Connection") var connection: ConnectionOptions
        @OptionGroup(title: "Output") var output: OutputOptions
        @Argument(help: "Firmware image made by elf2image for the chip, with RAM-only segments.") var file: String

        func run() throws {
            let json = output.json
            let bytes: [UInt8]
            do {
                bytes = try readInputFile(file)
                try RAMLoadPlan.checkIsImage(bytes, source: file)
                // With --chip the whole image is checked before connecting.
                if let chip = connection.chip.chip { _ = try RAMLoadPlan(image: bytes, source: file, chip: chip) }
            } catch {
                throw CLIFailure(error, status: ExitStatus.usage).exit(json: json)
            }
            try BoardCommand.run(connection: connection, output: output, command: "load-ram", doAfter: false) { session, reporter in
                let plan: RAMLoadPlan
                do { plan = try RAMLoadPlan(image: bytes, source: file, chip: session.info.chip) } catch {
                    throw CLIFailure(error, status: ExitStatus.usage)
                }
                reporter.say("Loading '\(file)' to RAM...")
                try session.loadRAM(plan.segments, entry: plan.entry) { segment in
                    reporter.say(String(format: "Downloading %d bytes at 0x%08x", segment.data.count, segment.address))
                }
                reporter.say(String(format: "Loaded %d segments from '%@' to RAM, executing at 0x%08x.", plan.segments.count, file, plan.entry))
                reporter.say("Exiting immediately.")
                return LoadRamFields(file: file, entry: String(format: "0x%08x", plan.entry),
                                     segments: plan.segments.map { .init(address: String(format: "0x%08x", $0.address), size: $0.data.count) })
            }
        }
    }
}

struct LoadRamFields: Encodable {
    struct Segment: Encodable {
        var address: String
        var size: Int
    }
    var file: String
    var entry: String
    var segments: [Segment]
}
