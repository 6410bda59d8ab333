import ArgumentParser
import Foundation
import EsprigPorts
import EsprigProtocol
import EsprigWorkflows

extension Esprig {
    struct Ports: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ports",
            abstract: "List serial ports: by-id link, USB VID:PID, bridge, serial number, hub path, driver; ESP-like first.",
            discussion: """
            A port can then be chosen by what stays the same across replugs: --port usb-serial:SERIAL, \
            --port usb-path:1-1.4 (the hub socket), --port by-id:NAME, or --port auto (the only ESP-like port).
            """
        )

        @Flag(help: "Also list serial ports that are not on USB (mainboard UARTs).")
        var all = false

        @OptionGroup(title: "Output") var output: OutputOptions

        func run() throws {
            let found: [SerialPortInfo]
            do {
                found = try PortScanner().ports()
            } catch {
                throw CLIFailure(error).exit(json: output.json)
            }
            let shown = all ? found : found.filter { $0.usb != nil }
            if output.json {
                emitJSON(PortListing.Report(ports: shown.map(PortListing.Entry.init)))
                return
            }
            var text = shown.isEmpty ? "no USB serial ports found\n" : PortListing.table(shown)
            let hidden = found.count - shown.count
            if hidden > 0 {
                text += "\(hidden) more serial port\(hidden == 1 ? "" : "s") not on USB (--all lists \(hidden == 1 ? "it" : "them"))\n"
            }
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
