import EsprigLedger
@testable import EsprigLedgerPostgres
import EsprigTestSupport
import Foundation
import Testing

@Suite("PostgresLocation")
struct PostgresLocationTests {
    @Test("the URL gives host, port, user, password, database and sslmode; the environment fills what it leaves out")
    func parses() throws {
        let full = try PostgresLocation(url: "postgres://line%40a:s%3Acret@db.example:6543/ledger?sslmode=verify-full&sslrootcert=/etc/ca.pem", environment: [:])
        #expect(full.host == "db.example")
        #expect(full.port == 6543)
        #expect(full.user == "line@a")
        #expect(full.password == "s:cret")
        #expect(full.database == "ledger")
        #expect(full.sslMode == .verifyFull)
        #expect(full.sslRootCertificate == "/etc/ca.pem")

        let environment = ["PGHOST": "envhost", "PGPORT": "7000", "PGUSER": "envuser", "PGPASSWORD": "envpass", "PGDATABASE": "envdb", "PGSSLMODE": "require"]
        let bare = try PostgresLocation(url: "postgres://", environment: environment)
        #expect([bare.host, String(bare.port), bare.user, bare.password, bare.database] == ["envhost", "7000", "envuser", "envpass", "envdb"])
        #expect(bare.sslMode == .require)
        // What the URL says wins over the environment.
        let mixed = try PostgresLocation(url: "postgres://urluser@urlhost/urldb?sslmode=disable", environment: environment)
        #expect([mixed.host, String(mixed.port), mixed.user, mixed.password, mixed.database] == ["urlhost", "7000", "urluser", "envpass", "urldb"])
        #expect(mixed.sslMode == .disable)
        // A socket directory as host.
        let socket = try PostgresLocation(url: "postgresql:///ledger?host=/run/postgresql&port=5433", environment: ["PGUSER": "u"])
        #expect(socket.isUnixSocket && socket.socketPath == "/run/postgresql/.s.PGSQL.5433")
    }

    @Test("bad URLs are refused with what to write instead, never echoing a password")
    func refuses() {
        for (url, code) in [("postgres://u:hunter2@h/db?sslmode=verify-ca", "sslmode 'verify-ca'"), ("postgres://u:hunter2@h/db?colour=blue", "'colour'"),
                            ("postgres://u:hunter2@h:99999/db", "port")] {
            let error = #expect(throws: LedgerError.self) { _ = try PostgresLocation(url: url, environment: [:]) }
            #expect(error?.code == .location)
            #expect(error?.message.contains(code) == true, "\(error?.message ?? "")")
            #expect(error.map { "\($0.message) \($0.hint ?? "")" }?.contains("hunter2") == false)
        }
        #expect(PostgresLocation.redact("postgres://u:hunter2@h/db?password=hunter3") == "postgres://u:***@h/db?password=***")
    }

    @Test("the redacted form never holds the password, whichever way it came")
    func redacted() throws {
        let fromURL = try PostgresLocation(url: "postgres://u:hunter2@h:5432/db?sslmode=require", environment: [:])
        #expect(fromURL.redacted == "postgres://u@h:5432/db?sslmode=require")
        #expect("\(fromURL)" == fromURL.redacted)
        let fromEnvironment = try PostgresLocation(url: "postgres://u@h/db", environment: ["PGPASSWORD": "hunter2"])
        #expect(fromEnvironment.password == "hunter2" && !fromEnvironment.redacted.contains("hunter2"))
    }

    @Test("a password file: first matching line, * wildcards, \\: escapes, socket connections as localhost; one others can read is refused")
    func passFile() throws {
        let directory = try TempDirectory()
        let path = directory.file("pgpass")
        try """
            # comment
            other:5432:db:u:wrong
            h:5432:db:u:pa\\:ss
            *:*:*:u:fallback
            localhost:5432:*:sock:viasocket
            """.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)
        let environment = ["PGPASSFILE": path]
        #expect(try PostgresLocation(url: "postgres://u@h/db", environment: environment).password == "pa:ss")
        #expect(try PostgresLocation(url: "postgres://u@elsewhere:7/x", environment: environment).password == "fallback")
        #expect(try PostgresLocation(url: "postgres:///db?host=/tmp&user=sock", environment: environment).password == "viasocket")
        #expect(try PostgresLocation(url: "postgres://nobody@h/db", environment: environment).password == nil)
        // The URL's own password wins over the file.
        #expect(try PostgresLocation(url: "postgres://u:given@h/db", environment: environment).password == "given")
        chmod(path, 0o644)
        let error = #expect(throws: LedgerError.self) { _ = try PostgresLocation(url: "postgres://u@h/db", environment: environment) }
        #expect(error?.message.contains("can be read by others") == true)
    }
}
