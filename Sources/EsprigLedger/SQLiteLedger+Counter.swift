import GRDB

extension SQLiteLedger {
    public func allocate(counter: String, profile: String, mac: String, start: Int64,
                         render: @Sendable (Int64) -> String) throws(LedgerError) -> CounterAllocation {
        try write { db in
            guard let boardID = try Int64.fetchOne(db, sql: "SELECT id FROM board WHERE profile = ? AND mac = ?", arguments: [profile, mac]) else {
                throw LedgerError.unknownBoard(mac: mac, profile: profile)
            }
            if let held = try Row.fetchOne(db, sql: "SELECT number, value FROM allocation WHERE profile = ? AND counter = ? AND board_id = ?",
                                           arguments: [profile, counter, boardID]) {
                return CounterAllocation(number: held["number"], value: held["value"], isNew: false)
            }
            let next = try Int64.fetchOne(db, sql: "SELECT next_number FROM counter WHERE profile = ? AND name = ?", arguments: [profile, counter]) ?? start
            let number = max(next, start)
            let value = render(number)
            if let holder = try String.fetchOne(db, sql: """
                SELECT board.mac FROM allocation JOIN board ON board.id = allocation.board_id
                WHERE allocation.profile = ? AND allocation.counter = ? AND allocation.value = ?
                """, arguments: [profile, counter, value]) {
                throw LedgerError.counterCollision(counter: counter, value: value, number: number, holder: holder, profile: profile)
            }
            try db.execute(sql: "INSERT INTO allocation (profile, counter, board_id, number, value) VALUES (?, ?, ?, ?, ?)",
                           arguments: [profile, counter, boardID, number, value])
            try db.execute(sql: """
                INSERT INTO counter (profile, name, next_number) VALUES (?, ?, ?)
                ON CONFLICT (profile, name) DO UPDATE SET next_number = excluded.next_number
                """, arguments: [profile, counter, number + 1])
            return CounterAllocation(number: number, value: value, isNew: true)
        }
    }
}
