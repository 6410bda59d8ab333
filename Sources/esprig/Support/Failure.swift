import ArgumentParser
import Foundation
import EsprigCore
import EsprigProtocol
import EsprigWorkflows

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

    /// Any error as the user sees it: every esprig module's error carries its code, message,
    /// hint and kind; `status` is the exit code for errors whose kind the step decides.
    init(_ error: any Error, status fallback: Int32 = ExitStatus.device) {
        switch error {
        case let e as CLIFailure: self = e
        case let e as any EsprigFailure:
            let status = e.kind.map { $0 == .input ? ExitStatus.usage : ExitStatus.device } ?? fallback
            self.init(code: e.codeName, message: e.displayMessage, hint: e.hint, status: status)
        default:
            self.init(code: "error", message: "\(error)", status: fallback)
        }
    }

    /// Prints the failure (stderr, or a JSON object on stdout) and exits with its status.
    func exit(json: Bool) -> ExitCode {
        if json {
            emitJSON(ErrorReport(error: .init(code: code, message: message, hint: hint)))
        } else {
            var text = "error: \(message)\n"
            if let hint { text += "hint: \(hint)\n" }
            FileHandle.standardError.write(Data(text.utf8))
        }
        return ExitCode(status)
    }
}


/// Every command's `--json` on failure: `{"ok": false, "error": {"code", "message", "hint"}}`.
struct ErrorReport: Encodable {
    struct Detail: Encodable {
        var code: String
        var message: String
        var hint: String?
    }
    var ok = false
    var error: Detail
}
