// Ledger speed on both backends: operations per second and the ledger's cost per provisioned
// board, for one station and for four stations sharing the ledger (half of the boards seen by
// two stations at once, one serial counter). Each board makes the calls a bench board makes:
// claim, seven steps recorded started/finished, a serial from the counter, the certificate, the
// attempt's end: 18 operations.
//
// SQLite: a file in a temporary directory with the ledger's own settings (journal, full sync).
// PostgreSQL: a server started from Debian's binaries in a temporary directory with its
// crash-safe defaults (fsync and synchronous commit on), on 127.0.0.1.
//
// The records are checked before a figure is printed (every board passed exactly once, serials
// 1…N without gaps or repeats), so a fast but wrong ledger prints no figure.
//
// Usage: swift build --product esprig-ledger-bench && .build/debug/esprig-ledger-bench [--boards N]
// Figures only; nothing here asserts a timing.
import Foundation
import EsprigLedger
import EsprigLedgerPostgres
import EsprigTestSupport

let steps = ["connect", "identity", "plan", "write", "reset", "monitor", "close"]
let operationsPerBoard = 1 + 2 * steps.count + 3
let profile = "bench"

struct Failure: Error, CustomStringConvertible {
    let description: String
}

func mac(_ board: Int) -> String {
    String(format: "02:00:00:00:%02x:%02x", board >> 8, board & 0xff)
}

/// One board as a bench station provisions it; the ledger time it took, or nil when the
/// ledger left the board to another station.
func provision(_ board: Int, station: String, ledger: any Ledger) throws -> Duration? {
    let clock = ContinuousClock()
    let began = clock.now
    let start = AttemptStart(profile: profile, profileHash: "hash", mac: mac(board), chip: "ESP8266",
                             clientID: "client-\(board)", port: PortIdentity(path: "/dev/ttyUSB\(board % 8)"),
                             firmwareHashes: ["app": "sha"], station: station)
    guard case .began(let attempt) = try ledger.claim(start, reprovision: false) else { return nil }
    for name in steps {
        let step = try ledger.stepStarted(attempt, name: name)
        if name == "identity" {
            let allocation = try ledger.allocate(counter: "serial", profile: profile, mac: mac(board), start: 1, render: { String(format: "SN%06d", $0) })
            try ledger.recordCertificate(attempt, serial: String(allocation.number, radix: 16), sha256: String(repeating: "ab", count: 32))
        }
        try ledger.stepFinished(step, error: nil)
    }
    try ledger.finishAttempt(attempt, error: nil)
    return clock.now - began
}

struct Run {
    let label: String
    let stations: Int
    let boards: Int
    let perBoard: [Duration]
    let wall: Duration
}

/// `stations` threads, each with its own ledger connection, go through the boards in their own
/// order; with more than one station, every second board is on two stations' lists.
func run(_ label: String, stations: Int, boards: Int, open: () throws -> any Ledger) throws -> Run {
    let ledgers = try (0..<stations).map { _ in try open() }
    var lists = Array(repeating: [Int](), count: stations)
    for board in 0..<boards {
        let owner = board % stations
        lists[owner].append(board)
        if stations > 1 && board % 2 == 0 { lists[(owner + 1) % stations].append(board) }
    }
    let boardLists = lists
    let lock = NSLock()
    nonisolated(unsafe) var times: [Duration] = []
    nonisolated(unsafe) var errors: [String] = []
    let clock = ContinuousClock()
    let began = clock.now
    DispatchQueue.concurrentPerform(iterations: stations) { index in
        var rng = SystemRandomNumberGenerator()
        for board in boardLists[index].shuffled(using: &rng) {
            do {
                if let time = try provision(board, station: "station-\(index)", ledger: ledgers[index]) {
                    lock.withLock { times.append(time) }
                }
            } catch {
                lock.withLock { errors.append("station-\(index), board \(board): \(error)") }
            }
        }
    }
    let wall = clock.now - began
    guard errors.isEmpty else { throw Failure(description: "\(label): \(errors.count) ledger errors, first: \(errors[0])") }
    try check(label, ledger: ledgers[0], boards: boards, provisioned: times.count)
    for ledger in ledgers { (ledger as? PostgresLedger)?.close() }
    return Run(label: label, stations: stations, boards: boards, perBoard: times, wall: wall)
}

func check(_ label: String, ledger: any Ledger, boards: Int, provisioned: Int) throws {
    let records = try ledger.boards(profile: profile)
    let passedOnce = records.filter { $0.attempts.count == 1 && $0.result == .passed }.count
    let serials = records.compactMap { $0.numbers["serial"] }.sorted()
    guard records.count == boards, passedOnce == boards, provisioned == boards, serials == Array(1...Int64(boards)) else {
        throw Failure(description: "\(label): wrong records (\(records.count) boards, \(passedOnce) passed once, \(provisioned) provisioned, serials \(serials.prefix(5))…): no figure")
    }
}

func milliseconds(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15
}

func report(_ r: Run) {
    let sorted = r.perBoard.map(milliseconds).sorted()
    let mean = sorted.reduce(0, +) / Double(sorted.count)
    let p95 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.95))]
    let wall = milliseconds(r.wall) / 1e3
    let ops = Double(r.boards * operationsPerBoard) / wall
    let label = r.label.padding(toLength: 10, withPad: " ", startingAt: 0) + (r.stations == 1 ? " 1 station " : " \(r.stations) stations")
    print(String(format: "%@  %4d boards  %6.2f s  %6.0f ops/s  %5.1f boards/s  ledger per board: mean %6.2f ms, p95 %6.2f ms, max %7.2f ms",
                 label, r.boards, wall, ops, Double(r.boards) / wall, mean, p95, sorted.last ?? 0))
}

func main() throws {
    var boards = 200
    var arguments = CommandLine.arguments.dropFirst()
    while let argument = arguments.popFirst() {
        guard argument == "--boards", let value = arguments.popFirst().flatMap(Int.init), value > 0 else {
            throw Failure(description: "usage: esprig-ledger-bench [--boards N]")
        }
        boards = value
    }
    print("\(operationsPerBoard) ledger operations per board (claim, \(steps.count) steps started+finished, serial, certificate, finish)")
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("esprig-ledger-bench-\(getpid())").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let server = try PostgresServer(durable: true)
    defer { server.stop() }

    var runs: [Run] = []
    for stations in [1, 4] {
        let path = "\(directory)/ledger-\(stations).sqlite"
        runs.append(try run("sqlite", stations: stations, boards: boards) { try SQLiteLedger(path: path) })
        let url = server.url(database: try server.newDatabaseName())
        runs.append(try run("postgresql", stations: stations, boards: boards) { try PostgresLedger(url: url) })
    }
    runs.forEach(report)
}

do {
    try main()
} catch {
    FileHandle.standardError.write(Data("esprig-ledger-bench: \(error)\n".utf8))
    exit(1)
}
