import EsprigLedger
import EsprigLedgerPostgres
import EsprigTestSupport
import Foundation
import Testing

/// One shared store (an SQLite file, a PostgreSQL database) and a way to open it once per
/// station, each with its own connection, as separate bench processes would.
struct SharedStore: Sendable, CustomTestStringConvertible {
    enum Kind: String, Sendable, CaseIterable { case sqlite, postgres }
    let kind: Kind
    let location: String
    /// Keeps the SQLite file's directory alive.
    let directory: TempDirectory?

    init(_ kind: Kind) throws {
        self.kind = kind
        switch kind {
        case .sqlite:
            let directory = try TempDirectory(prefix: "esprig-stations")
            self.directory = directory
            location = directory.file("ledger.sqlite")
        case .postgres:
            directory = nil
            location = try PostgresServer.shared().newDatabase()
        }
    }

    func open(lease: Duration = Station.defaultLease) throws -> any Ledger {
        switch kind {
        case .sqlite: try SQLiteLedger(path: location, lease: lease)
        case .postgres: try PostgresLedger(url: location, environment: [:], lease: lease)
        }
    }

    var testDescription: String { kind.rawValue }
}

/// Runs `body(i)` on `count` threads released together, so they really race; bounded wait.
func race(_ count: Int, timeout: Double = 60, _ body: @escaping @Sendable (Int) -> Void) {
    let ready = DispatchGroup()
    let done = DispatchGroup()
    let go = DispatchSemaphore(value: 0)
    for index in 0..<count {
        ready.enter()
        done.enter()
        let thread = Thread {
            ready.leave()
            go.wait()
            body(index)
            done.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    ready.wait()
    for _ in 0..<count { go.signal() }
    #expect(done.wait(timeout: .now() + timeout) == .success, "the racing threads did not finish within \(timeout) s")
}

/// What several stations sharing one ledger must agree on, on both backends.
@Suite("Stations sharing a ledger")
struct StationContractTests {
    @Test("a passed board is left alone by every station; a running one is another station's until its lease runs out", arguments: SharedStore.Kind.allCases)
    func claims(kind: SharedStore.Kind) throws {
        let store = try SharedStore(kind)
        let a = try store.open()
        let b = try store.open(lease: .milliseconds(600))
        try Fixtures.provision(a, 1, station: "station-a")
        #expect(try b.claim(Fixtures.start(1, station: "station-b"), reprovision: false) == .passed(clientID: "greenhouse_00000001"))

        // Board 2: station A is on it.
        guard case .began(let attemptA) = try a.claim(Fixtures.start(2, station: "station-a"), reprovision: false) else {
            Issue.record("station A could not claim board 2"); return
        }
        let stepA = try a.stepStarted(attemptA, name: "write")
        #expect(try b.claim(Fixtures.start(2, station: "station-b"), reprovision: false) == .busy(station: "station-a", attempt: attemptA))
        #expect(try b.claim(Fixtures.start(2, station: "station-b"), reprovision: true) == .busy(station: "station-a", attempt: attemptA))
        #expect(throws: LedgerError(.boardBusy, "")) { _ = try b.beginAttempt(Fixtures.start(2, station: "station-b")) }

        // A records nothing for longer than B's lease: B takes the board over, and A can no longer record on it.
        Thread.sleep(forTimeInterval: 0.8)
        guard case .began(let attemptB) = try b.claim(Fixtures.start(2, station: "station-b"), reprovision: false) else {
            Issue.record("station B did not take over board 2 after the lease"); return
        }
        #expect(throws: LedgerError(.invalidTransition, "")) { try a.stepFinished(stepA, error: nil) }
        #expect(throws: LedgerError(.invalidTransition, "")) { try a.finishAttempt(attemptA, error: nil) }
        let board = try #require(try a.boards(mac: Fixtures.mac(2)).first)
        #expect(board.attempts.map(\.station) == ["station-a", "station-b"])
        #expect(board.attempts.map(\.result) == [.failed, .running])
        #expect(board.attempts[0].error?.hasPrefix("interrupted: station station-a recorded nothing for") == true, "\(board.attempts[0].error ?? "nil")")
        #expect(board.attempts[0].steps.map(\.status) == [.failed])
        _ = attemptB
    }

    @Test("a station's own running attempt (its process died) is taken over at once by its rerun", arguments: SharedStore.Kind.allCases)
    func ownCrash(kind: SharedStore.Kind) throws {
        let store = try SharedStore(kind)
        let first = try store.open()
        guard case .began(let crashed) = try first.claim(Fixtures.start(3, station: "station-a"), reprovision: false) else {
            Issue.record("no claim"); return
        }
        _ = try first.stepStarted(crashed, name: "write")
        let rerun = try store.open()
        guard case .began = try rerun.claim(Fixtures.start(3, station: "station-a"), reprovision: false) else {
            Issue.record("the rerun did not take its own board over"); return
        }
        let board = try #require(try rerun.boards(mac: Fixtures.mac(3)).first)
        #expect(board.attempts.map(\.result) == [.failed, .running])
        #expect(board.attempts[0].error == ClaimRule.interrupted)
        // Closing interrupted attempts touches only the named station's.
        guard case .began = try rerun.claim(Fixtures.start(4, station: "station-b"), reprovision: false) else { Issue.record("no claim"); return }
        #expect(try rerun.closeInterruptedAttempts(profile: nil, station: "station-a") == 1)
        #expect(try rerun.boards(mac: Fixtures.mac(4)).first?.result == .running)
    }

    @Test("16 stations claiming one board at once: exactly one gets it", arguments: SharedStore.Kind.allCases)
    func racingClaims(kind: SharedStore.Kind) throws {
        let store = try SharedStore(kind)
        let stations = try (0..<16).map { _ in try store.open() }
        let outcomes = Collected<String>()
        race(16) { index in
            do {
                switch try stations[index].claim(Fixtures.start(7, station: "station-\(index)"), reprovision: false) {
                case .began: outcomes.add("began")
                case .busy: outcomes.add("busy")
                case .passed: outcomes.add("passed")
                }
            } catch {
                outcomes.add("error: \(error)")
            }
        }
        #expect(outcomes.values.filter { $0 == "began" }.count == 1, "\(outcomes.values)")
        #expect(outcomes.values.filter { $0 == "busy" }.count == 15, "\(outcomes.values)")
        #expect(try stations[0].boards(mac: Fixtures.mac(7)).first?.attempts.count == 1)
    }

    @Test("8 boards with the same client id recorded at once: one is recorded, the others are refused", arguments: SharedStore.Kind.allCases)
    func racingClientIDs(kind: SharedStore.Kind) throws {
        let store = try SharedStore(kind)
        let stations = try (0..<8).map { _ in try store.open() }
        let codes = Collected<String>()
        race(8) { index in
            do {
                _ = try stations[index].claim(Fixtures.start(20 + index, station: "station-\(index)", clientID: "same_client"), reprovision: false)
                codes.add("claimed")
            } catch {
                codes.add((error as? LedgerError)?.code.rawValue ?? "\(error)")
            }
        }
        #expect(codes.values.sorted() == ["claimed"] + Array(repeating: "duplicate-client-id", count: 7), "\(codes.values)")
        #expect(try stations[0].boards(profile: nil).count == 1)
    }

    @Test("4 stations × 6 threads provisioning 16 boards, half of them seen by two stations, from one serial counter: each board once, serials 1…16",
          arguments: SharedStore.Kind.allCases)
    func racingStations(kind: SharedStore.Kind) throws {
        let store = try SharedStore(kind)
        let stations = try (0..<4).map { _ in try store.open() }
        // Station s sees its boards 4s…4s+3 and the even ones of station s+1: one thread per board,
        // as the bench runs one per port; a shared board races with its other station's thread.
        @Sendable func sees(_ station: Int) -> [Int] {
            let next = 4 * ((station + 1) % 4)
            return Array((4 * station)..<(4 * station + 4)) + [next, next + 2]
        }
        let passed = Collected<Int>()
        let outcomes = Collected<String>()
        race(24) { index in
            let station = index / 6
            let board = sees(station)[index % 6]
            let ledger = stations[station]
            do {
                let start = Fixtures.start(board, station: "station-\(station)")
                switch try ledger.claim(start, reprovision: false) {
                case .began(let attempt):
                    _ = try ledger.allocate(counter: "serial", profile: "greenhouse", mac: start.mac, start: 1, render: { "SN-\($0)" })
                    for name in ["connect", "identity", "write"] {
                        let step = try ledger.stepStarted(attempt, name: name)
                        try ledger.stepFinished(step, error: nil)
                    }
                    try ledger.finishAttempt(attempt, error: nil)
                    passed.add(board)
                case .busy, .passed:
                    outcomes.add("left")
                }
            } catch {
                outcomes.add("board \(board) station \(station): \(error)")
            }
        }
        #expect(outcomes.values.allSatisfy { $0 == "left" }, "\(outcomes.values)")
        #expect(outcomes.values.count == 8, "each of the 8 shared boards was left alone by one of its stations")
        #expect(passed.values.sorted() == Array(0..<16), "every board provisioned exactly once: \(passed.values.sorted())")
        let records = try stations[0].boards(profile: "greenhouse")
        #expect(records.count == 16)
        #expect(records.allSatisfy { $0.attempts.count == 1 && $0.result == .passed }, "\(records.map { ($0.mac, $0.attempts.count) })")
        let numbers = records.compactMap { $0.numbers["serial"] }.sorted()
        #expect(numbers == Array(1...16).map(Int64.init), "serials unique and without gaps: \(numbers)")
        #expect(Set(records.compactMap { $0.allocated["serial"] }).count == 16)
    }

    @Test("32 allocations from 4 stations at once take the numbers 1…32, each once", arguments: SharedStore.Kind.allCases)
    func racingCounter(kind: SharedStore.Kind) throws {
        let store = try SharedStore(kind)
        let stations = try (0..<4).map { _ in try store.open() }
        for board in 0..<32 { _ = try stations[0].claim(Fixtures.start(board, station: "setup"), reprovision: false) }
        let numbers = Collected<Int64>()
        let failures = Collected<String>()
        race(32) { board in
            do {
                numbers.add(try stations[board % 4].allocate(counter: "serial", profile: "greenhouse", mac: Fixtures.mac(board), start: 1,
                                                             render: { String(format: "GH-%05lld", $0) }).number)
            } catch {
                failures.add("\(error)")
            }
        }
        #expect(failures.values.isEmpty, "\(failures.values)")
        #expect(numbers.values.sorted() == Array(1...32).map(Int64.init))
    }
}
