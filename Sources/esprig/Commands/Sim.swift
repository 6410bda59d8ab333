import ArgumentParser
import Foundation
import EsprigProtocol
import EsprigSimHost
import EsprigSimulator
import EsprigTransport
import EsprigWorkflows

extension Esprig {
    struct Sim: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sim",
            abstract: "Serve the simulated board to other programs (esptool, a terminal) over a pty or TCP.",
            discussion: """
            Options go in the URL as query items: sim://esp8266?flash=4MB&mac=18:fe:34:01:02:03&timing=uart,flash\
            &seed=1&corrupt=0.001&drop=0.001&noise=1&reset-after=10&image=FILE&log=FILE&boot-script=FILE&reset=connect.
            reset=connect resets the board into its loader whenever a peer connects (opens the pty or
            connects over TCP), as an auto-reset USB board does when a port is opened.
            A boot script (see --boot-script) is what the app prints after each normal boot: a pty or
            TCP peer cannot drive DTR/RTS, so SIGUSR1 presses the reset button (normal boot) and
            SIGUSR2 resets into the download loader.
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

        @Option(name: .customLong("boot-script"),
                help: "What the app prints after a normal boot: text lines plus @baud N, @delay 250ms, @bytes 48 ff, @reset [cause], @halt.")
        var bootScript: String?

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
                var options = try SimulatorOptions(chip: chip, query: query)
                if let bootScript { options.bootScriptPath = bootScript }
                options.recogniseStubs()
                let simBoard = try SimulatedBoard(options: options)
                let server = try SimulatorServer(board: simBoard, endpoint: pty ? .pty(linkPath: link) : .tcp(port: tcp ?? 0))
                try server.start()
                if json {
                    print("{\"address\":\"\(server.address)\",\"chip\":\"\(chip.rawValue)\"}")
                } else {
                    print("Serving simulated \(chip.spec.displayName) on \(server.address)")
                }
                fflush(nil)
                waitForTerminationSignal(reset: { download in server.pressReset(download: download) })
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

/// Blocks until SIGINT or SIGTERM arrives; SIGUSR1/SIGUSR2 call `reset` (download: false/true).
private func waitForTerminationSignal(reset: @escaping @Sendable (Bool) -> Void) {
    let semaphore = DispatchSemaphore(value: 0)
    let actions: [(Int32, @Sendable () -> Void)] = [
        (SIGINT, { semaphore.signal() }), (SIGTERM, { semaphore.signal() }),
        (SIGUSR1, { reset(false) }), (SIGUSR2, { reset(true) }),
    ]
    let sources = actions.map { sig, action -> DispatchSourceSignal in
        signal(sig, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        source.setEventHandler(handler: action)
        source.resume()
        return source
    }
    semaphore.wait()
    sources.forEach { $0.cancel() }
}
