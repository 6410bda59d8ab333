import EsprigLedger
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// A few connections to the ledger's server, used from the bench's board threads.
///
/// The `Ledger` protocol is synchronous and its callers are plain threads, so the bridge is
/// postgres-nio's EventLoopFuture API: the work runs on this pool's own NIO event loop and the
/// calling thread waits on the future. Swift's cooperative pool is never involved, so it can
/// never be starved by a blocked caller; an event-loop thread must never call in (NIO's
/// `wait()` traps there instead of deadlocking).
final class PostgresPool: @unchecked Sendable {
    let location: PostgresLocation
    private let configuration: PostgresConnection.Configuration
    private let group: MultiThreadedEventLoopGroup
    private let logger = Logger(label: "esprig.ledger.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var nextID = 0
    private var closed = false
    let maximum: Int
    /// Waits between connection attempts; their count bounds how long a call waits for a
    /// server that is away before failing.
    let backoff: [Duration]

    init(location: PostgresLocation, maximumConnections: Int = 4,
         backoff: [Duration] = [.milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2)]) throws(LedgerError) {
        self.location = location
        maximum = maximumConnections
        self.backoff = backoff
        var configuration: PostgresConnection.Configuration
        let tls = try Self.tls(for: location)
        if location.isUnixSocket {
            configuration = .init(unixSocketPath: location.socketPath, username: location.user, password: location.password, database: location.database)
        } else {
            configuration = .init(host: location.host, port: location.port, username: location.user, password: location.password,
                                  database: location.database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(Int64(location.connectTimeout.components.seconds))
        configuration.options.additionalStartupParameters = [("application_name", "esprig")]
        self.configuration = configuration
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    deinit {
        // Each connection stays referenced until it is closed (postgres-nio requires it); the
        // event loop is shut down after, from a queue, as the last reference may go on any thread.
        let group = group
        let closing = idle.map(Self.close)
        EventLoopFuture.andAllComplete(closing, on: group.next()).whenComplete { _ in
            // The non-blocking shutdown: a blocked dispatch thread would hold up Swift's pool.
            DispatchQueue.global().async { group.shutdownGracefully { _ in } }
        }
    }

    /// Closes `connection`, keeping it referenced until that is done.
    private static func close(_ connection: PostgresConnection) -> EventLoopFuture<Void> {
        (connection.close() as EventLoopFuture<Void>).always { _ in withExtendedLifetime(connection) {} }
    }

    static func tls(for location: PostgresLocation) throws(LedgerError) -> PostgresConnection.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch location.sslMode {
        case .disable:
            return .disable
        case .prefer, .require:
            tls.certificateVerification = .none
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            let root = location.sslRootCertificate ?? ProcessInfo.processInfo.environment["HOME"].map { $0 + "/.postgresql/root.crt" }
            if let root, FileManager.default.fileExists(atPath: root) {
                do {
                    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(root))
                } catch {
                    throw LedgerError(.location, "cannot read sslrootcert \(root): \(error)", hint: "give a PEM file of the CA that signed the server's certificate")
                }
            } else if let given = location.sslRootCertificate {
                throw LedgerError(.location, "sslrootcert \(given) does not exist", hint: "give a PEM file of the CA that signed the server's certificate")
            }
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            throw LedgerError(.location, "cannot set up TLS for the ledger: \(error)")
        }
        return location.sslMode == .prefer ? .prefer(context) : .require(context)
    }

    /// Runs `body` on a connection of its own; a connection that broke is dropped, not reused.
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try checkout()
        do {
            let value = try body(connection)
            checkin(connection)
            return value
        } catch {
            checkin(connection)
            throw error
        }
    }

    private func checkout() throws(LedgerError) -> PostgresConnection {
        condition.lock()
        while true {
            if closed {
                condition.unlock()
                throw LedgerError(.connection, "the ledger at \(location) is closed")
            }
            if let connection = idle.popLast() {
                guard !connection.isClosed else { open -= 1; continue }
                condition.unlock()
                return connection
            }
            if open < maximum { break }
            condition.wait()
        }
        open += 1
        nextID += 1
        let id = nextID
        condition.unlock()
        do {
            return try connect(id: id)
        } catch {
            condition.lock()
            open -= 1
            condition.signal()
            condition.unlock()
            throw error
        }
    }

    private func checkin(_ connection: PostgresConnection) {
        condition.lock()
        if connection.isClosed || closed {
            open -= 1
            if !connection.isClosed { _ = Self.close(connection) }
        } else {
            idle.append(connection)
        }
        condition.signal()
        condition.unlock()
    }

    /// Connects, trying again after each of `backoff`'s waits while the server cannot be
    /// reached; a refusal that waiting cannot fix (wrong password, no such database, TLS) fails at once.
    private func connect(id: Int) throws(LedgerError) -> PostgresConnection {
        var waits = backoff[...]
        while true {
            do {
                return try PostgresConnection.connect(on: group.next(), configuration: configuration, id: id, logger: logger).wait()
            } catch {
                let failure = PostgresFailure(error)
                guard failure.isConnectionLoss, let wait = waits.popFirst() else {
                    throw failure.ledgerError(connecting: location, attempts: backoff.count - waits.count + 1)
                }
                Thread.sleep(forTimeInterval: Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18)
            }
        }
    }

    /// Closes every connection; later calls fail.
    func close() {
        condition.lock()
        closed = true
        let connections = idle
        idle.removeAll()
        open -= connections.count
        condition.broadcast()
        condition.unlock()
        for connection in connections { try? Self.close(connection).wait() }
    }
}

/// What went wrong talking to the server, classified for retrying and for the message.
struct PostgresFailure {
    let error: any Error
    let sqlState: String?
    let serverMessage: String?

    init(_ error: any Error) {
        self.error = error
        if let error = error as? PSQLError {
            sqlState = error.serverInfo?[.sqlState]
            serverMessage = error.serverInfo?[.message]
        } else {
            sqlState = nil
            serverMessage = nil
        }
    }

    /// The connection broke or could not be made (the server may be back soon): nothing sent
    /// on it that was not committed survives, so the call can be made again on a new one.
    var isConnectionLoss: Bool {
        if let error = error as? PSQLError {
            switch error.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
                return true
            case .server:
                // admin_shutdown, crash_shutdown, cannot_connect_now (starting up or shutting down).
                return ["57P01", "57P02", "57P03"].contains(sqlState ?? "")
            default:
                return false
            }
        }
        return error is IOError || error is ChannelError || error is NIOConnectionError
    }

    /// Two transactions collided (serialization failure, deadlock, a unique key inserted at the
    /// same moment): running it again sees the other's result.
    var isConflict: Bool { ["40001", "40P01", "23505"].contains(sqlState ?? "") }

    /// A message without the password or the SQL's bound values.
    var reason: String {
        if let error = error as? PSQLError {
            if let serverMessage { return "\(serverMessage) (SQLSTATE \(sqlState ?? "?"))" }
            if let underlying = error.underlying { return "\(error.code): \(Self.describe(underlying))" }
            return "\(error.code)"
        }
        return Self.describe(error)
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? NIOSSLError { return "TLS: \(error)" }
        if let error = error as? NIOSSLExtraError { return "TLS: \(error)" }
        if let error = error as? BoringSSLError { return "TLS: \(error)" }
        return "\(error)"
    }

    func ledgerError(connecting location: PostgresLocation, attempts: Int) -> LedgerError {
        if isConnectionLoss {
            return LedgerError(.connection, "cannot reach the ledger at \(location) after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(reason)",
                               hint: "check that the server runs and accepts connections from this station (host, port, pg_hba.conf)")
        }
        switch sqlState {
        case "28P01", "28000":
            return LedgerError(.connection, "the ledger at \(location) refused the login: \(reason)",
                               hint: "check the user and the password (in the URL, PGPASSWORD or the PGPASSFILE)")
        case "3D000":
            return LedgerError(.connection, "the ledger at \(location) has no such database: \(reason)", hint: "create it (createdb) or name another in the URL")
        default:
            if let error = error as? PSQLError, error.code == .sslUnsupported {
                return LedgerError(.connection, "the ledger at \(location) does not offer TLS, which sslmode=\(location.sslMode.rawValue) requires",
                                   hint: "enable ssl on the server, or use sslmode=disable on a trusted network")
            }
            return LedgerError(.connection, "cannot connect to the ledger at \(location): \(reason)",
                               hint: location.sslMode == .verifyFull ? "sslmode=verify-full needs the server's certificate to be signed by sslrootcert and name the host" : nil)
        }
    }
}
