import EsprigLedger
import EsprigLedgerPostgres
import EsprigTestSupport
import Foundation
import Testing

/// The network between a station and the ledger breaking, through a relay the test controls.
@Suite("PostgresLedger over a breaking connection")
struct ConnectionTests {
    let server: PostgresServer
    let database: String
    let proxy: TCPProxy
    let ledger: PostgresLedger

    init() throws {
        server = try PostgresServer.shared()
        database = try server.newDatabaseName()
        proxy = try TCPProxy(upstreamPort: server.port)
        ledger = try PostgresLedger(url: "postgres://\(server.user):\(server.password)@127.0.0.1:\(proxy.port)/\(database)?sslmode=disable",
                                    environment: [:])
    }

    /// The same database, not through the relay.
    func direct() throws -> PostgresLedger {
        try PostgresLedger(url: server.url(database: database), environment: [:])
    }

    @Test("connections cut between calls: the next call reconnects and records")
    func reconnects() throws {
        try Fixtures.provision(ledger, 1)
        proxy.severAll()
        try Fixtures.provision(ledger, 2)
        let boards = try direct().boards(profile: nil)
        #expect(boards.map(\.result) == [.passed, .passed])
        #expect(boards.allSatisfy { $0.attempts.count == 1 })
    }

    @Test("a connection cut inside a transaction: the server rolled it back, so it is run again and recorded once")
    func cutMidTransaction() throws {
        guard case .began(let attempt) = try ledger.claim(Fixtures.start(3), reprovision: false) else { Issue.record("no claim"); return }
        proxy.cut(whenClientSends: "INSERT INTO esprig.step")
        let step = try ledger.stepStarted(attempt, name: "write")
        #expect(proxy.triggered == 1, "the relay cut the connection")
        try ledger.stepFinished(step, error: nil)
        let steps = try #require(try direct().boards(mac: Fixtures.mac(3)).first?.attempts.first?.steps)
        #expect(steps.map(\.name) == ["write"])
        #expect(steps.map(\.status) == [.passed])
    }

    @Test("the server away: the call fails within the bounded backoff, names the ledger without its password, records nothing; back, it records")
    func serverAway() throws {
        guard case .began(let attempt) = try ledger.claim(Fixtures.start(4), reprovision: false) else { Issue.record("no claim"); return }
        proxy.setRefusing(true)
        let started = ContinuousClock.now
        let error = #expect(throws: LedgerError.self) { _ = try ledger.stepStarted(attempt, name: "write") }
        let waited = ContinuousClock.now - started
        #expect(error?.code == .connection)
        #expect(waited < .seconds(15), "bounded: \(waited)")
        #expect(waited > .seconds(3), "it waited through the backoff first: \(waited)")
        let text = error.map { "\($0.message) \($0.hint ?? "")" } ?? ""
        #expect(text.contains("postgres://\(server.user)@127.0.0.1:\(proxy.port)/\(database)"), "\(text)")
        #expect(!text.contains(server.password))
        #expect(try direct().boards(mac: Fixtures.mac(4)).first?.attempts.first?.steps.isEmpty == true)

        proxy.setRefusing(false)
        let step = try ledger.stepStarted(attempt, name: "write")
        try ledger.stepFinished(step, error: nil)
        #expect(try direct().boards(mac: Fixtures.mac(4)).first?.attempts.first?.steps.map(\.status) == [.passed])
    }

    @Test("a connection cut while committing: reported as unknown, never as done; the server kept nothing of it")
    func cutDuringCommit() throws {
        guard case .began(let attempt) = try ledger.claim(Fixtures.start(5), reprovision: false) else { Issue.record("no claim"); return }
        let step = try ledger.stepStarted(attempt, name: "write")
        try ledger.stepFinished(step, error: nil)
        // The statement's text ends in NUL in the protocol; "COMMITTED" of BEGIN does not match.
        proxy.cut(whenClientSends: "COMMIT\u{0}")
        let error = #expect(throws: LedgerError.self) { try ledger.finishAttempt(attempt, error: nil) }
        #expect(error?.code == .connection)
        #expect(error?.message.contains("unknown") == true, "\(error?.message ?? "")")
        #expect(proxy.triggered == 1)
        let board = try #require(try direct().boards(mac: Fixtures.mac(5)).first)
        #expect(board.result == .running, "the COMMIT never reached the server: the attempt is not passed")
    }
}

@Suite("PostgresLedger credentials and TLS")
struct CredentialTests {
    let server: PostgresServer
    let database: String

    init() throws {
        server = try PostgresServer.shared()
        database = try server.newDatabaseName()
    }

    /// The backends of `database` and whether each uses TLS, as the server sees them.
    func tlsOfConnections() throws -> [String] {
        try server.sql("SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.datname = '\(database)' AND a.application_name = 'esprig'",
                       database: "postgres").split(separator: "\n").map(String.init)
    }

    @Test("the password from the URL, PGPASSWORD or a PGPASSFILE logs in")
    func passwords() throws {
        let directory = try TempDirectory()
        let passFile = directory.file("pgpass")
        try "127.0.0.1:\(server.port):\(database):\(server.user):\(server.password)\n".write(toFile: passFile, atomically: true, encoding: .utf8)
        chmod(passFile, 0o600)
        let bare = server.url(database: database, withPassword: false)
        for environment in [["PGPASSWORD": server.password], ["PGPASSFILE": passFile]] {
            let ledger = try PostgresLedger(url: bare, environment: environment)
            #expect(try ledger.boards(profile: nil).isEmpty)
        }
        #expect(try PostgresLedger(url: server.url(database: database), environment: [:]).location == "postgres://\(server.user)@127.0.0.1:\(server.port)/\(database)?sslmode=disable")
    }

    @Test("a wrong password is refused at once, and neither password appears in the error")
    func wrongPassword() throws {
        let started = ContinuousClock.now
        let error = #expect(throws: LedgerError.self) {
            _ = try PostgresLedger(url: "postgres://\(server.user):not-\(server.password)@127.0.0.1:\(server.port)/\(database)?sslmode=disable", environment: [:])
        }
        #expect(ContinuousClock.now - started < .seconds(3), "a refused login is not retried")
        let text = error.map { "\($0.message) \($0.hint ?? "")" } ?? ""
        #expect(text.contains("refused the login"), "\(text)")
        #expect(!text.contains(server.password))
    }

    @Test("sslmode=require and verify-full (the test CA, by address or name) encrypt; disable does not")
    func tls() throws {
        var require: PostgresLedger? = try PostgresLedger(url: server.url(database: database, sslmode: "require"), environment: [:])
        #expect(try tlsOfConnections() == ["t"])
        require = nil
        for host in ["127.0.0.1", "localhost"] {
            let url = "postgres://\(server.user):\(server.password)@\(host):\(server.port)/\(database)?sslmode=verify-full&sslrootcert=\(server.caCertificate)"
            let verified = try PostgresLedger(url: url, environment: [:])
            #expect(try verified.boards(profile: nil).isEmpty)
            verified.close()
        }
        let plain = try PostgresLedger(url: server.url(database: database, sslmode: "disable"), environment: [:])
        let seen = try tlsOfConnections()
        #expect(seen.contains("f") && !seen.contains("t"), "\(seen)")
        plain.close()
        _ = require
    }

    @Test("verify-full refuses a server whose certificate no trusted CA signed")
    func untrustedServer() throws {
        let directory = try TempDirectory()
        // Another CA: the server's certificate does not chain to it.
        let other = directory.file("other-ca.crt")
        let made = try PostgresServer.run(["/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                           "-keyout", directory.file("other.key"), "-out", other, "-days", "1", "-subj", "/CN=other"], timeout: 30)
        #expect(made.status == 0)
        let url = "postgres://\(server.user):\(server.password)@127.0.0.1:\(server.port)/\(database)?sslmode=verify-full&sslrootcert=\(other)"
        let error = #expect(throws: LedgerError.self) { _ = try PostgresLedger(url: url, environment: [:]) }
        #expect(error?.code == .connection)
        #expect(error?.message.contains("TLS") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(server.password) == false)
    }
}
