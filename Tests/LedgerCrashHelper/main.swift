import EsprigLedger
import Foundation
import GRDB

// Provisions fake boards into a ledger the way the bench will (begin, steps, finish), so that
// EsprigLedgerTests can SIGKILL it at any point. Usage:
//   esprig-ledger-crash-helper LEDGER BOARDS [PAUSE_BOARD]
// prints "board N STEP started" after each step is recorded, and with PAUSE_BOARD stops for
// good in that board's "flash" step after printing "paused".
//   esprig-ledger-crash-helper LEDGER in-transaction
// records one board's steps, then opens a write transaction that marks its attempt passed
// and stops inside it (printing "in transaction"): the kill lands mid-transaction.

let arguments = CommandLine.arguments
if arguments.count == 3, arguments[2] == "in-transaction" {
    do {
        let ledger = try SQLiteLedger(path: arguments[1])
        let attempt = try ledger.beginAttempt(AttemptStart(profile: "crash", profileHash: "h", mac: "18:fe:34:00:00:01", chip: "esp8266",
                                                           clientID: "crash_00000001", port: PortIdentity(path: "/dev/ttyUSB0")))
        try ledger.stepFinished(try ledger.stepStarted(attempt, name: "flash"), error: nil)
        _ = try ledger.stepStarted(attempt, name: "verify")
        try DatabaseQueue(path: arguments[1]).write { db in
            try db.execute(sql: "UPDATE step SET status = 'passed' WHERE attempt_id = ?", arguments: [attempt.rawValue])
            try db.execute(sql: "UPDATE attempt SET result = 'passed' WHERE id = ?", arguments: [attempt.rawValue])
            FileHandle.standardOutput.write(Data("in transaction\n".utf8))
            while true { sleep(60) }
        }
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        exit(2)
    }
}
guard arguments.count >= 3, let boards = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: esprig-ledger-crash-helper LEDGER BOARDS [PAUSE_BOARD]\n".utf8))
    exit(1)
}
let pauseBoard = arguments.count > 3 ? Int(arguments[3]) : nil

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

do {
    let ledger = try SQLiteLedger(path: arguments[1])
    for board in 0..<boards {
        let mac = String(format: "18:fe:34:00:%02x:%02x", board >> 8, board & 0xFF)
        let attempt = try ledger.beginAttempt(AttemptStart(
            profile: "crash", profileHash: "h", mac: mac, chip: "esp8266",
            clientID: String(format: "crash_%08X", board), port: PortIdentity(path: "/dev/ttyUSB\(board)")))
        for name in ["connect", "flash", "verify"] {
            let step = try ledger.stepStarted(attempt, name: name)
            say("board \(board) \(name) started")
            if board == pauseBoard, name == "flash" {
                say("paused")
                while true { sleep(60) }
            }
            try ledger.stepFinished(step, error: nil)
        }
        try ledger.finishAttempt(attempt, error: nil)
        say("board \(board) passed")
    }
    say("done")
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(2)
}
