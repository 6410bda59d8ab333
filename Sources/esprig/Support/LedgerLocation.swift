import ArgumentParser
import Foundation
import EsprigLedger

/// `--ledger PATH`, else ESPRIG_LEDGER, else `esprig-ledger.sqlite` in the project (current)
/// directory.
struct LedgerOptions: ParsableArguments {
    @Option(help: "The ledger file (env ESPRIG_LEDGER; default ./esprig-ledger.sqlite).")
    var ledger: String?

    static let defaultName = "esprig-ledger.sqlite"

    func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let ledger, !ledger.isEmpty { return ledger }
        if let env = environment["ESPRIG_LEDGER"], !env.isEmpty { return env }
        return FileManager.default.currentDirectoryPath + "/" + Self.defaultName
    }

    /// Opens an existing ledger; reading commands never create one.
    func openExisting() throws -> SQLiteLedger {
        let path = path()
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIFailure(code: "no-ledger", message: "no ledger at \(path)",
                             hint: "run esprig in the project directory where the bench wrote it, or pass --ledger PATH",
                             status: ExitStatus.usage)
        }
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
