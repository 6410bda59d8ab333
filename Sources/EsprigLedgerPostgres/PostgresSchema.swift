import PostgresNIO

/// The ledger's tables in the `esprig` schema, as numbered migrations recorded in
/// `esprig.schema_version`, applied in one transaction under an advisory lock so that stations
/// starting together migrate once.
///
/// The same concepts as the SQLite file: a board per (profile, MAC) holding its identity, with
/// UNIQUE (profile, client_id); attempts and steps that only append; one running attempt per
/// board (a partial unique index); counters whose next number moves only together with the
/// allocation that takes it. Times are the server's, so stations' clocks never disagree.
enum PostgresSchema {
    /// Any constant: the advisory lock key that serializes migrations.
    static let migrationLock: Int64 = 0x6573_7072_6967_0001

    static let migrations: [(version: Int, name: String, sql: [String])] = [
        (1, "boards, attempts with their station, steps, counters", [
            """
            CREATE TABLE esprig.board (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                profile TEXT NOT NULL,
                mac TEXT NOT NULL,
                chip TEXT NOT NULL,
                client_id TEXT,
                created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
                CONSTRAINT board_profile_mac UNIQUE (profile, mac),
                CONSTRAINT board_profile_client_id UNIQUE (profile, client_id)
            )
            """,
            """
            CREATE TABLE esprig.attempt (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                board_id BIGINT NOT NULL REFERENCES esprig.board(id),
                station TEXT NOT NULL CHECK (station <> ''),
                profile_hash TEXT NOT NULL,
                port_path TEXT NOT NULL,
                port_usb_serial TEXT,
                port_usb_path TEXT,
                firmware_hashes JSONB NOT NULL,
                certificate_serial TEXT,
                certificate_sha256 TEXT,
                started_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
                ended_at TIMESTAMPTZ,
                result TEXT NOT NULL CHECK (result IN ('running', 'passed', 'failed')),
                error TEXT
            )
            """,
            "CREATE INDEX attempt_board ON esprig.attempt(board_id, started_at)",
            "CREATE INDEX attempt_station ON esprig.attempt(station)",
            // One board, one attempt in progress, whichever station holds it.
            "CREATE UNIQUE INDEX attempt_running ON esprig.attempt(board_id) WHERE result = 'running'",
            """
            CREATE TABLE esprig.step (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                attempt_id BIGINT NOT NULL REFERENCES esprig.attempt(id),
                name TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('started', 'passed', 'failed')),
                started_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
                ended_at TIMESTAMPTZ,
                error TEXT
            )
            """,
            "CREATE INDEX step_attempt ON esprig.step(attempt_id)",
            """
            CREATE TABLE esprig.counter (
                profile TEXT NOT NULL,
                name TEXT NOT NULL,
                next_number BIGINT NOT NULL,
                PRIMARY KEY (profile, name)
            )
            """,
            """
            CREATE TABLE esprig.allocation (
                profile TEXT NOT NULL,
                counter TEXT NOT NULL,
                board_id BIGINT NOT NULL REFERENCES esprig.board(id),
                number BIGINT NOT NULL,
                value TEXT NOT NULL,
                CONSTRAINT allocation_board UNIQUE (profile, counter, board_id),
                CONSTRAINT allocation_value UNIQUE (profile, counter, value),
                CONSTRAINT allocation_number UNIQUE (profile, counter, number)
            )
            """,
        ]),
    ]

    static var latestVersion: Int { migrations.map(\.version).max() ?? 0 }
}
