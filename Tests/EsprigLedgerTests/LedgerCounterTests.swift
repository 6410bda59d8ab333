import EsprigLedger
import EsprigTestSupport
import Foundation
import Testing

@Suite("Ledger counters")
struct LedgerCounterTests {
    @Test("values are handed out in order, kept by their board on a rerun, and per profile")
    func sequence() throws {
        let ledger = try SQLiteLedger(inMemory: {Date()})
        for board in 1...3 { _ = try ledger.beginAttempt(LedgerFixtures.start(board)) }
        let render: @Sendable (Int64) -> String = { String(format: "GH-%04lld", $0) }
        let a = try ledger.allocate(counter: "serial", profile: "greenhouse", mac: LedgerFixtures.mac(1), start: 100, render: render)
        let b = try ledger.allocate(counter: "serial", profile: "greenhouse", mac: LedgerFixtures.mac(2), start: 100, render: render)
        let again = try ledger.allocate(counter: "serial", profile: "greenhouse", mac: LedgerFixtures.mac(1), start: 100, render: render)
        #expect([a.value, b.value] == ["GH-0100", "GH-0101"])
        #expect(a.isNew && b.isNew)
        #expect(again.number == 100 && again.value == "GH-0100" && !again.isNew)
        let board = try #require(try ledger.boards(profile: "greenhouse").first)
        #expect(board.allocated == ["serial": "GH-0100"])
        // Raising the start skips ahead; it never goes back below numbers in use.
        let c = try ledger.allocate(counter: "serial", profile: "greenhouse", mac: LedgerFixtures.mac(3), start: 500, render: render)
        #expect(c.number == 500)
    }

    @Test("a template that repeats a value is refused and allocates nothing")
    func collision() throws {
        let ledger = try SQLiteLedger(inMemory: {Date()})
        for board in 1...2 { _ = try ledger.beginAttempt(LedgerFixtures.start(board)) }
        _ = try ledger.allocate(counter: "name", profile: "greenhouse", mac: LedgerFixtures.mac(1), start: 1, render: { _ in "same" })
        let error = #expect(throws: LedgerError.self) {
            _ = try ledger.allocate(counter: "name", profile: "greenhouse", mac: LedgerFixtures.mac(2), start: 1, render: { _ in "same" })
        }
        #expect(error?.code == .counterCollision)
        #expect(try ledger.boards(profile: "greenhouse").last?.allocated == [:])
    }

    @Test("a board not yet in the ledger gets no value")
    func unknownBoard() throws {
        let ledger = try SQLiteLedger(inMemory: {Date()})
        #expect(throws: LedgerError(.notFound, "")) {
            _ = try ledger.allocate(counter: "serial", profile: "greenhouse", mac: LedgerFixtures.mac(9), start: 1, render: { "\($0)" })
        }
    }

    @Test("boards allocating at once from two ledger connections get distinct values")
    func concurrent() throws {
        let directory = try TempDirectory()
        let path = directory.path + "/ledger.sqlite"
        let setup = try SQLiteLedger(path: path)
        for board in 0..<16 { _ = try setup.beginAttempt(LedgerFixtures.start(board)) }
        let ledgers = [setup, try SQLiteLedger(path: path)]
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 16) { board in
            let value = try? ledgers[board % 2].allocate(counter: "serial", profile: "greenhouse", mac: LedgerFixtures.mac(board), start: 1, render: { "\($0)" })
            results.add(value?.number)
        }
        #expect(results.values.sorted() == (1...16).map { Int64($0) })
    }
}

final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Int64] = []
    func add(_ value: Int64?) { lock.lock(); if let value { stored.append(value) }; lock.unlock() }
    var values: [Int64] { lock.lock(); defer { lock.unlock() }; return stored }
}
