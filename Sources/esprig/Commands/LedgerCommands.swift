import ArgumentParser
import Foundation
import EsprigLedger
import EsprigProtocol
import EsprigWorkflows

extension Esprig {
    struct LedgerCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ledger",
            abstract: "Read the bench ledger: boards, attempts, steps, identities (never keys).",
            subcommands: [List.self, Show.self, Export.self, Migrate.self]
        )
    }
}

extension Esprig.LedgerCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per board: MAC, client id, result, attempts.")
        @OptionGroup var location: LedgerOptions
        @Option(help: "Only this profile's boards.") var profile: String?
        @Option(help: "Only this station's attempts (and the boards it made one on).") var station: String?
        @Flag(help: "Only boards whose latest attempt did not pass (what a rerun would redo).") var pending = false
        @OptionGroup(title: "Output") var output: OutputOptions

        func run() throws {
            do {
                var boards = try location.openExisting().boards(profile: profile).recorded(by: station)
                if pending { boards = boards.filter { $0.result != .passed } }
                if output.json {
                    try LedgerListing.writeJSON(boards, command: "ledger list")
                    return
                }
                FileHandle.standardOutput.write(Data(LedgerListing.table(boards).utf8))
            } catch {
                throw CLIFailure(error).exit(json: output.json)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every attempt and step recorded for one board.")
        @OptionGroup var location: LedgerOptions
        @Argument(help: "The board's MAC (aa:bb:cc:dd:ee:ff).") var mac: String
        @Option(help: "Only this station's attempts.") var station: String?
        @OptionGroup(title: "Output") var output: OutputOptions

        func run() throws {
            do {
                let ledger = try location.openExisting()
                let boards = try ledger.boards(mac: try normalizedMAC(mac)).recorded(by: station)
                guard !boards.isEmpty else {
                    throw CLIFailure(code: "not-found", message: "no board with MAC \(mac)\(station.map { " recorded by station \($0)" } ?? "") in \(ledger.location)",
                                     hint: "`esprig ledger list` shows the recorded boards", status: ExitStatus.usage)
                }
                if output.json {
                    try LedgerListing.writeJSON(boards, command: "ledger show")
                    return
                }
                FileHandle.standardOutput.write(Data(boards.map(LedgerListing.detail).joined(separator: "\n").utf8))
            } catch {
                throw CLIFailure(error).exit(json: output.json)
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the ledger as CSV (one row per attempt) or JSON.")
        @OptionGroup var location: LedgerOptions
        @Flag(help: "CSV: one row per attempt.") var csv = false
        // `--json` is OutputOptions' flag (the root command declares it too).
        @OptionGroup(title: "Output") var output: OutputOptions
        @Option(help: "Only this profile's boards.") var profile: String?
        @Option(help: "Only this station's attempts (and the boards it made one on).") var station: String?
        @Option(name: [.customShort("o"), .customLong("output")], help: "Write to this file (atomically) instead of stdout.") var file: String?

        func validate() throws {
            guard csv != output.json else { throw ValidationError("give one of --csv or --json") }
        }

        func run() throws {
            do {
                let boards = try location.openExisting().boards(profile: profile).recorded(by: station)
                let bytes = csv ? Data(LedgerExport.csv(boards).utf8) : try LedgerExport.json(boards) + Data("\n".utf8)
                if let file {
                    try writeOutputFile(file, [UInt8](bytes))
                } else {
                    FileHandle.standardOutput.write(bytes)
                }
            } catch {
                throw CLIFailure(error).exit(json: false)
            }
        }
    }
}
