import ArgumentParser
import Foundation
import EsprigLedger
import EsprigLedgerPostgres
import EsprigProtocol
import EsprigWorkflows

/// `--ledger PATH|postgres://…`, else ESPRIG_LEDGER, else `esprig-ledger.sqlite` in the project
/// (current) directory. A postgres:// URL is the ledger many stations share.
struct LedgerOptions: ParsableArguments {
    @Option(help: "The ledger: a file, or postgres://user@host/db?sslmode=require shared by stations (env ESPRIG_LEDGER; default ./esprig-ledger.sqlite; the password from PGPASSWORD or PGPASSFILE).")
    var ledger: String?

    static let defaultName = "esprig-ledger.sqlite"

    /// The path or URL as given: it may hold a password, so show `Ledger.location` instead.
    func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let ledger, !ledger.isEmpty { return ledger }
        if let env = environment["ESPRIG_LEDGER"], !env.isEmpty { return env }
        return FileManager.default.currentDirectoryPath + "/" + Self.defaultName
    }

    /// Opens an existing ledger; reading commands never create one.
    func openExisting() throws -> any Ledger {
        let path = path()
        if PostgresLocation.isURL(path) {
            let opened: Result<PostgresLedger, LedgerError> = Result { () throws(LedgerError) in try PostgresLedger(url: path, create: false) }
            switch opened {
            case .success(let ledger):
                return ledger
            case .failure(let error) where error.code == .notFound:
                throw CLIFailure(code: "no-ledger", message: error.message, hint: error.hint, status: ExitStatus.usage)
            case .failure(let error):
                throw error
            }
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIFailure(code: "no-ledger", message: "no ledger at \(path)",
                             hint: "run esprig in the project directory where the bench wrote it, or pass --ledger PATH",
                             status: ExitStatus.usage)
        }
        return try SQLiteLedger(path: path)
    }

    /// Opens the ledger the bench writes, creating it.
    func openForWriting(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any Ledger {
        let path = path(environment: environment)
        if PostgresLocation.isURL(path) { return try PostgresLedger(url: path, environment: environment) }
        return try SQLiteLedger(path: path)
    }
}

/// `AA:BB:CC:DD:EE:FF`, `aa-bb-...` or `aabbccddeeff` → `aa:bb:cc:dd:ee:ff`, the ledger's form.
func normalizedMAC(_ text: String) throws -> String {
    let digits = text.lowercased().filter { $0 != ":" && $0 != "-" }
    guard digits.count == 12, digits.allSatisfy(\.isHexDigit) else {
        throw CLIFailure(code: "invalid-mac", message: "'\(text)' is not a MAC address",
                         hint: "write it as aa:bb:cc:dd:ee:ff", status: ExitStatus.usage)
    }
    var pairs: [String] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        pairs.append(String(digits[index..<next]))
        index = next
    }
    return pairs.joined(separator: ":")
}
