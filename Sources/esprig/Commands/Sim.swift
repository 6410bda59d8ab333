import ArgumentParser
import Foundation
import EsprigProtocol
import EsprigSimHost
import EsprigSimulator
import EsprigTransport

extension Esprig {
    struct Sim: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sim",
            abstract: "Serve the simulated board to other programs (esptool, a terminal) over a pty or TCP.",
            discussion: """
            Options go in the URL as query items: sim://esp8266?flash=4MB&mac=18:fe:34:01:02:03&timing=uart,flash\
            &seed=1&corrupt=0.001&drop=0.001&noise=1&reset-after=10&image=FILE&log=FILE.
            Runs until interrupted (Ctrl+C or SIGTERM); --save then writes the flash image.
            """)

        @Argument(help: "Board to simulate, e.g. sim://esp8266 or sim://esp32?flash=8MB.")
        var board: String = "sim://esp8266"

        @Flag(help: "Serve on a new pseudo-terminal (prints its path).")
        var pty = false

        @Option(help: "With --pty: also make this symlink to the pty.")
        var link: String?

        @Option(help: "Serve on TCP 127.0.0.1:PORT (0 picks a free port).")
        var tcp: UInt16?

        @Option(help: "Write the flash image here when stopping.")
        var save: String?

        @Flag(help: "Print the address as JSON.")
        var json = false

        func validate() throws {
            if pty == (tcp != nil) { throw ValidationError("choose exactly one of --pty and --tcp PORT") }
        }

        func run() throws {
            do {
                guard case .simulator(let chipName, let query) = try PortAddress(parsing: board),
                      let chip = Chip(rawValue: chipName) else {
                    throw CLIFailure(code: "usage", message: "'\(board)' is not a simulated board", hint: "use sim://esp8266 or sim://esp32", status: ExitStatus.usage)
                }
                let simBoard = try SimulatedBoard(options: SimulatorOptions(chip: chip, query: query))
                let server = try SimulatorServer(board: simBoard, endpoint: pty ? .pty(linkPath: link) : .tcp(port: tcp ?? 0))
                try server.start()
                if json {
                    print("{\"address\":\"\(server.address)\",\"chip\":\"\(chip.rawValue)\"}")
                } else {
                    print("Serving simulated \(chip.spec.displayName) on \(server.address)")
                }
                fflush(nil)
                waitForTerminationSignal()
                server.stop()
                if let save {
                    try simBoard.saveFlash(to: save)
                    if !json { print("Saved flash image to \(save)") }
                }
            } catch {
                throw CLIFailure(error).exit(json: json)
            }
        }
    }
}

/// Blocks until SIGINT or SIGTERM arrives.
private func waitForTerminationSignal() {
    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    let semaphore = DispatchSemaphore(value: 0)
    let sources = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
        let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        source.setEventHandler { semaphore.signal() }
        source.resume()
        return source
    }
    semaphore.wait()
    sources.forEach { $0.cancel() }
}
