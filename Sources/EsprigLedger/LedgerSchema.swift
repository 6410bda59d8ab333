import GRDB

/// The ledger's tables, as migrations so an old file is upgraded in place.
///
/// Identity lives on `board`, one row per (profile, MAC): a rerun of a failed board finds the
/// same row and reuses its client id and counter values, so retries never mint a second
/// identity. UNIQUE(profile, client_id) refuses two boards that would log in as the same
/// client (an id format without the chip id). Attempts and steps only append.
enum LedgerSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE board (
                    id INTEGER PRIMARY KEY,
                    profile TEXT NOT NULL,
                    mac TEXT NOT NULL,
                    chip TEXT NOT NULL,
                    client_id TEXT,
                    created_at DATETIME NOT NULL,
                    UNIQUE (profile, mac),
                    UNIQUE (profile, client_id)
                );
                CREATE TABLE attempt (
                    id INTEGER PRIMARY KEY,
                    board_id INTEGER NOT NULL REFERENCES board(id),
                    profile_hash TEXT NOT NULL,
                    port_path TEXT NOT NULL,
                    port_usb_serial TEXT,
                    port_usb_path TEXT,
                    firmware_hashes TEXT NOT NULL,
                    certificate_serial TEXT,
                    certificate_sha256 TEXT,
                    started_at DATETIME NOT NULL,
                    ended_at DATETIME,
                    result TEXT NOT NULL CHECK (result IN ('running', 'passed', 'failed')),
                    error TEXT
                );
                CREATE INDEX attempt_board ON attempt(board_id);
                -- One board, one attempt in progress.
                CREATE UNIQUE INDEX attempt_running ON attempt(board_id) WHERE result = 'running';
                CREATE TABLE step (
                    id INTEGER PRIMARY KEY,
                    attempt_id INTEGER NOT NULL REFERENCES attempt(id),
                    name TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('started', 'passed', 'failed')),
                    started_at DATETIME NOT NULL,
                    ended_at DATETIME,
                    error TEXT
                );
                CREATE INDEX step_attempt ON step(attempt_id);
                CREATE TABLE counter (
                    profile TEXT NOT NULL,
                    name TEXT NOT NULL,
                    next_number INTEGER NOT NULL,
                    PRIMARY KEY (profile, name)
                );
                CREATE TABLE allocation (
                    profile TEXT NOT NULL,
                    counter TEXT NOT NULL,
                    board_id INTEGER NOT NULL REFERENCES board(id),
                    number INTEGER NOT NULL,
                    value TEXT NOT NULL,
                    UNIQUE (profile, counter, board_id),
                    UNIQUE (profile, counter, value)
                );
                """)
        }
        // Stations: every attempt names the bench that made it ('' before this version).
        migrator.registerMigration("v2-station") { db in
            try db.execute(sql: """
                ALTER TABLE attempt ADD COLUMN station TEXT NOT NULL DEFAULT '';
                CREATE INDEX attempt_station ON attempt(station);
                """)
        }
        return migrator
    }
}
