import ArgumentParser
import Foundation
import EsprigLoader
import EsprigProtocol
import EsprigWorkflows

extension Esprig {
    struct ChipID: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "chip-id", abstract: "Print the chip id (ESP8266) or the MAC (chips without an id).")
        @OptionGroup(title: "Connection") var connection: ConnectionOptions
        @OptionGroup(title: "Output") var output: OutputOptions

        func run() throws {
            try BoardCommand.run(connection: connection, output: output, command: "chip-id") { session, reporter in
                if let id = session.info.chipID {
                    reporter.say(String(format: "Chip ID: 0x%08x", id))
                    return ChipIDFields(chipID: String(format: "0x%08x", id))
                }
                reporter.say("\(session.spec.displayName) has no chip ID; its MAC is \(session.info.macString)")
                return ChipIDFields(chipID: nil)
            }
        }
    }

    struct ReadMAC: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "read-mac", abstract: "Print the factory MAC address.")
        @OptionGroup(title: "Connection") var connection: ConnectionOptions
        @OptionGroup(title: "Output") var output: OutputOptions

        func run() throws {
            try BoardCommand.run(connection: connection, output: output, command: "read-mac") { session, reporter in
                reporter.say("MAC: \(session.info.macString)")
                return NoFields()
            }
        }
    }

    struct FlashID: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "flash-id", abstract: "Print the SPI flash JEDEC id and detected size.")
        @OptionGroup(title: "Connection") var connection: ConnectionOptions
        @OptionGroup(title: "Output") var output: OutputOptions

        func run() throws {
            try BoardCommand.run(connection: connection, output: output, command: "flash-id") { session, reporter in
                let id = session.jedecID ?? 0
                let size = session.detectedFlashSize.map(sizeText) ?? "Unknown"
                reporter.say(String(format: "Manufacturer: %02x", id & 0xFF))
                reporter.say(String(format: "Device: %02x%02x", (id >> 8) & 0xFF, (id >> 16) & 0xFF))
                reporter.say("Detected flash size: \(size)")
                return FlashIDFields(jedecID: String(format: "0x%06x", id), manufacturer: Int(id & 0xFF),
                                     device: Int(((id >> 8) & 0xFF) << 8 | ((id >> 16) & 0xFF)), flashSize: size)
            }
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Leave the loader and run the application in flash.")
        @OptionGroup(title: "Connection") var connection: ConnectionOptions
        @OptionGroup(title: "Output") var output: OutputOptions

        func run() throws {
            try BoardCommand.run(connection: connection, output: output, command: "run", doAfter: false) { session, reporter in
                try session.connection.leaveLoader(runUserCode: true)
                reporter.say("Running the application.")
                return NoFields()
            }
        }
    }
}

struct ChipIDFields: Encodable {
    var chipID: String?
    enum CodingKeys: String, CodingKey { case chipID = "chip_id" }
}

struct FlashIDFields: Encodable {
    var jedecID: String
    var manufacturer: Int
    var device: Int
    var flashSize: String
    enum CodingKeys: String, CodingKey {
        case manufacturer, device
        case jedecID = "jedec_id", flashSize = "flash_size"
    }
}
