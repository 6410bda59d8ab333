import ArgumentParser
import Foundation
import EsprigLedger
import EsprigLoader
import EsprigPorts
import EsprigTransport
import EsprigSimulator

/// Exit codes: 0 success, 1 bad usage or input, 2 device or protocol failure.
enum ExitStatus {
    static let usage: Int32 = 1
    static let device: Int32 = 2
}

/// A user-facing failure: what happened, what to do, which exit code.
struct CLIFailure: Error {
    var code: String
    var message: String
    var hint: String?
    var status: Int32

    init(code: String, message: String, hint: String? = nil, status: Int32) {
        self.code = code
        self.message = message
        self.hint = hint
        self.status = status
    }

    init(_ error: any Error) {
        switch error {
        case let e as CLIFailure: self = e
        case let e as LoaderError:
            let input = e.code == .invalidRequest || e.code == .wrongChip
            self.init(code: e.transportCode?.rawValue ?? e.code.rawValue, message: e.message, hint: e.hint, status: input ? ExitStatus.usage : ExitStatus.device)
        case let e as TransportError:
            let input = e.code == .invalidAddress
            self.init(code: e.code.rawValue, message: e.message, hint: e.hint, status: input ? ExitStatus.usage : ExitStatus.device)
        case let e as PortsError:
            // A selection that matched no port or several is the user's to settle: exit 1.
            let selection = e.code == .noMatch || e.code == .ambiguous
            self.init(code: e.code.rawValue, message: e.message, hint: e.hint, status: selection ? ExitStatus.usage : ExitStatus.device)
        case let e as LedgerError:
            let input = e.code == .duplicateClientID || e.code == .identityConflict || e.code == .counterCollision
            self.init(code: e.code.rawValue, message: e.message, hint: e.hint, status: input ? ExitStatus.usage : ExitStatus.device)
        case let e as SimulatorError:
            self.init(code: "invalid-simulator-option", message: e.description, status: ExitStatus.usage)
        default:
            self.init(code: "error", message: "\(error)", status: ExitStatus.device)
        }
    }

    /// Prints the failure (stderr, or a JSON object on stdout) and exits with its status.
    func exit(json: Bool) -> ExitCode {
        if json {
            var err: [String: Any] = ["code": code, "message": message]
            if let hint { err["hint"] = hint }
            let data = (try? JSONSerialization.data(withJSONObject: ["ok": false, "error": err], options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } else {
            var text = "error: \(message)\n"
            if let hint { text += "hint: \(hint)\n" }
            FileHandle.standardError.write(Data(text.utf8))
        }
        return ExitCode(status)
    }
}

/// Reads a local input file, failing with exit code 1 and the path named.
func readInputFile(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        let exists = FileManager.default.fileExists(atPath: path)
        throw CLIFailure(code: "input", message: exists ? "cannot read \(path)" : "no such file: \(path)",
                         hint: exists ? "check its permissions" : "check the path", status: ExitStatus.usage)
    }
    return [UInt8](data)
}

/// Writes a file atomically (temp file + rename) so a failed run never leaves half a file.
func writeOutputFile(_ path: String, _ bytes: [UInt8]) throws {
    do {
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw CLIFailure(code: "output", message: "cannot write \(path): \(error.localizedDescription)", status: ExitStatus.usage)
    }
}
