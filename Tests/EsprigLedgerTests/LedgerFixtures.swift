import EsprigLedger
import Foundation

enum LedgerFixtures {
    static func start(_ board: Int, profile: String = "greenhouse", clientID: String? = nil) -> AttemptStart {
        AttemptStart(profile: profile, profileHash: "sha256-of-profile", mac: mac(board), chip: "esp8266",
                     clientID: clientID ?? String(format: "greenhouse_%08X", board),
                     port: PortIdentity(path: "/dev/ttyUSB\(board)", usbSerial: "S\(board)", usbPath: "1-1.\(board)"),
                     firmwareHashes: ["app": "aa", "boot": "bb"], station: "bench-1")
    }

    static func mac(_ board: Int) -> String { String(format: "18:fe:34:00:00:%02x", board) }

    /// Runs the three steps of an attempt; `failing` makes that step fail.
    @discardableResult
    static func provision(_ ledger: any Ledger, _ board: Int, failing: String? = nil) throws -> AttemptID {
        let attempt = try ledger.beginAttempt(start(board))
        for name in ["connect", "flash", "verify"] {
            let step = try ledger.stepStarted(attempt, name: name)
            if name == failing {
                try ledger.stepFinished(step, error: "\(name) failed: timeout")
                try ledger.finishAttempt(attempt, error: "\(name) failed: timeout")
                return attempt
            }
            try ledger.stepFinished(step, error: nil)
        }
        try ledger.finishAttempt(attempt, error: nil)
        return attempt
    }
}
