import ArgumentParser
import Foundation
import EsprigLedger
import EsprigLedgerPostgres
import EsprigProtocol
import EsprigWorkflows

extension Esprig.LedgerCommand {
    /// `esprig ledger migrate --from FILE --to postgres://…`: one station's history into the
    /// shared ledger. Each board goes in one transaction; a rerun adds nothing twice.
    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a station's SQLite ledger into the shared PostgreSQL ledger; running it again adds nothing twice.",
            discussion: """
            Boards are matched by profile and MAC, attempts by board, station and start time. Attempts recorded \
            before stations were get --station. A board whose client id or counter values clash with the shared \
            ledger's is refused (and listed) and the others are still copied. Exit codes: 0 every board copied, \
            1 some board refused or bad input, 2 a ledger could not be read or written.
            """)

        @Option(help: "The SQLite ledger file to copy.") var from: String
        @Option(help: "The shared ledger: postgres://user@host/db?sslmode=require (the password from PGPASSWORD or PGPASSFILE).") var to: String
        @Option(help: "The station for attempts recorded before stations were (default: the host name).") var station: String?
        @OptionGroup(title: "Output") var output: OutputOptions

        func validate() throws {
            guard PostgresLocation.isURL(to) else { throw ValidationError("--to must be a postgres:// URL") }
            guard !PostgresLocation.isURL(from) else { throw ValidationError("--from must be an SQLite ledger file") }
        }

        func run() throws {
            do {
                guard FileManager.default.fileExists(atPath: from) else {
                    throw CLIFailure(code: "no-ledger", message: "no ledger at \(from)", hint: "give the station's esprig-ledger.sqlite", status: ExitStatus.usage)
                }
                let station = try BenchRequest.stationName(station)
                let source = try SQLiteLedger(path: from)
                let target = try PostgresLedger(url: to)
                var totals = MergeOutcome()
                var boardsAdded = 0
                var refused: [(BoardRecord, LedgerError)] = []
                let boards = try source.boards(profile: nil)
                for board in boards {
                    switch Result(catching: { () throws(LedgerError) in try target.merge(board, station: station) }) {
                    case .success(let outcome):
                        if outcome.boardAdded { boardsAdded += 1 }
                        totals.attemptsAdded += outcome.attemptsAdded
                        totals.attemptsPresent += outcome.attemptsPresent
                        totals.allocationsAdded += outcome.allocationsAdded
                    case .failure(let error):
                        // A clash is this board's; anything else (the server gone) ends the migration.
                        guard [.identityConflict, .duplicateClientID, .counterCollision].contains(error.code) else { throw error }
                        refused.append((board, error))
                    }
                }
                if output.json {
                    jsonLine([
                        "ok": refused.isEmpty, "command": "ledger migrate", "from": from, "to": target.location,
                        "boards": boards.count, "boardsAdded": boardsAdded, "attemptsAdded": totals.attemptsAdded,
                        "attemptsPresent": totals.attemptsPresent, "allocationsAdded": totals.allocationsAdded,
                        "refused": refused.map { ["mac": $0.0.mac, "profile": $0.0.profile, "code": $0.1.code.rawValue, "error": $0.1.message] },
                    ])
                } else {
                    print("ledger migrate: \(boards.count) board\(boards.count == 1 ? "" : "s") from \(from) to \(target.location): "
                          + "\(boardsAdded) new, \(totals.attemptsAdded) attempt\(totals.attemptsAdded == 1 ? "" : "s") added, "
                          + "\(totals.attemptsPresent) already there, \(totals.allocationsAdded) counter value\(totals.allocationsAdded == 1 ? "" : "s") added")
                    for (board, error) in refused {
                        print("  refused \(board.mac) (profile \(board.profile)): \(error.message)")
                        if let hint = error.hint { print("    hint: \(hint)") }
                    }
                }
                if !refused.isEmpty { throw ExitCode(ExitStatus.usage) }
            } catch let exit as ExitCode {
                throw exit
            } catch {
                throw CLIFailure(error).exit(json: output.json)
            }
        }
    }
}
