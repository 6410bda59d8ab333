import ArgumentParser
import Foundation
import EsprigLoader
import EsprigProtocol
import EsprigTransport
import EsprigWorkflows

/// The shared life of a board command: open the port, connect, run the operation, do the
/// `--after` action, report. Every failure becomes a message with a fix and an exit code.
enum BoardCommand {
    static func run<Fields: Encodable>(connection: ConnectionOptions, output: OutputOptions, command: String,
                                       doAfter: Bool = true,
                                       _ body: (FlashSession, Reporter) throws -> Fields) throws {
        let reporter = Reporter(output: output)
        do {
            let environment = ProcessInfo.processInfo.environment
            let board = connection.board
            let portName = try board.portName(environment: environment)
            let requested = try board.sessionOptions(environment: environment)
            let opened = try BoardOpener().open(portName, baud: min(requested.baud, requested.romBaud))
            let options = requested.adapted(to: opened)
            let result: Merged<BoardFields, Fields>
            do {
                let stubs = connection.noStub ? nil : EsptoolStubSource.locate()
                let session = try FlashSession(port: opened.port, options: options, stubSource: stubs, events: reporter.handle, reopen: opened.reopen)
                let fields = try body(session, reporter)
                if doAfter {
                    try session.finish(connection.after)
                }
                result = Merged(first: BoardFields(command: command, session: session, port: portName), second: fields)
            } catch {
                try? opened.close()
                throw error
            }
            try opened.close()
            if output.json { emitJSON(result) }
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw CLIFailure(code: "usage", message: error.message, status: ExitStatus.usage).exit(json: output.json)
        } catch {
            throw CLIFailure(error).exit(json: output.json)
        }
    }
}

/// `ADDR FILE [ADDR FILE ...]` pairs.
func parseAddressFilePairs(_ items: [String]) throws -> [(Int, String)] {
    guard !items.isEmpty, items.count % 2 == 0 else {
        throw ValidationError("expected pairs of ADDRESS FILE (got \(items.count) argument\(items.count == 1 ? "" : "s"))")
    }
    return try stride(from: 0, to: items.count, by: 2).map { i in
        (try parseNumber(items[i], what: "address"), items[i + 1])
    }
}
