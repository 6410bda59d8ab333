import EsprigLedger
import EsprigLedgerPostgres
import EsprigTestSupport
import Foundation

enum Fixtures {
    static func start(_ board: Int, station: String = "station-a", profile: String = "greenhouse", clientID: String? = nil) -> AttemptStart {
        AttemptStart(profile: profile, profileHash: "sha256-of-profile", mac: mac(board), chip: "esp8266",
                     clientID: clientID ?? String(format: "greenhouse_%08X", board),
                     port: PortIdentity(path: "/dev/ttyUSB\(board)", usbSerial: "S\(board)", usbPath: "1-1.\(board)"),
                     firmwareHashes: ["app": "aa", "boot": "bb"], station: station)
    }

    static func mac(_ board: Int) -> String { String(format: "18:fe:34:00:00:%02x", board) }

    /// A ledger on a fresh database of the shared server.
    static func ledger(lease: Duration = Station.defaultLease) throws -> (PostgresLedger, url: String) {
        let url = try PostgresServer.shared().newDatabase()
        return (try PostgresLedger(url: url, environment: [:], lease: lease), url)
    }

    /// Claims, runs three steps (`failing` fails that one), finishes.
    @discardableResult
    static func provision(_ ledger: any Ledger, _ board: Int, station: String = "station-a", failing: String? = nil) throws -> AttemptID {
        guard case .began(let attempt) = try ledger.claim(start(board, station: station), reprovision: false) else {
            throw LedgerError(.boardBusy, "board \(board) was not claimed")
        }
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

/// Values gathered from many threads.
final class Collected<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [T] = []
    func add(_ value: T) { lock.withLock { stored.append(value) } }
    var values: [T] { lock.withLock { stored } }
}
