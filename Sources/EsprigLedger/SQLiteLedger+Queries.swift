import Foundation
import GRDB

extension SQLiteLedger {
    public func boards(profile: String?) throws(LedgerError) -> [BoardRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM board WHERE ? IS NULL OR profile = ? ORDER BY id", arguments: [profile, profile])
                .map { try Self.board($0, db) }
        }
    }

    /// Every board with this MAC, in every profile.
    public func boards(mac: String) throws(LedgerError) -> [BoardRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM board WHERE mac = ? ORDER BY id", arguments: [mac.lowercased()])
                .map { try Self.board($0, db) }
        }
    }

    private static func board(_ row: Row, _ db: Database) throws -> BoardRecord {
        let boardID: Int64 = row["id"]
        let attempts = try Row.fetchAll(db, sql: "SELECT * FROM attempt WHERE board_id = ? ORDER BY started_at, id", arguments: [boardID])
            .map { try attempt($0, db) }
        var allocated: [String: String] = [:]
        var numbers: [String: Int64] = [:]
        for allocation in try Row.fetchAll(db, sql: "SELECT counter, number, value FROM allocation WHERE board_id = ?", arguments: [boardID]) {
            allocated[allocation["counter"]] = allocation["value"]
            numbers[allocation["counter"]] = allocation["number"]
        }
        return BoardRecord(profile: row["profile"], mac: row["mac"], chip: row["chip"], clientID: row["client_id"],
                           allocated: allocated, numbers: numbers, attempts: attempts)
    }

    private static func attempt(_ row: Row, _ db: Database) throws -> AttemptRecord {
        let attemptID: Int64 = row["id"]
        let steps = try Row.fetchAll(db, sql: "SELECT * FROM step WHERE attempt_id = ? ORDER BY id", arguments: [attemptID]).map { step in
            StepRecord(id: StepID(step["id"]), name: step["name"], status: StepStatus(rawValue: step["status"]) ?? .failed,
                       startedAt: step["started_at"], endedAt: step["ended_at"], error: step["error"])
        }
        let hashes = try JSONDecoder().decode([String: String].self, from: Data((row["firmware_hashes"] as String).utf8))
        return AttemptRecord(
            id: AttemptID(attemptID), station: row["station"], profileHash: row["profile_hash"],
            port: PortIdentity(path: row["port_path"], usbSerial: row["port_usb_serial"], usbPath: row["port_usb_path"]),
            firmwareHashes: hashes, certificateSerial: row["certificate_serial"], certificateSHA256: row["certificate_sha256"],
            startedAt: row["started_at"], endedAt: row["ended_at"],
            result: AttemptResult(rawValue: row["result"]) ?? .failed, error: row["error"], steps: steps)
    }
}
