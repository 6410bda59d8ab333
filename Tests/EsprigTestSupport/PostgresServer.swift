import Foundation

/// A real PostgreSQL server for tests, from Debian's `postgresql` package: `initdb` in a fresh
/// directory, then `postgres` listening on 127.0.0.1 at a free port (and a Unix socket in the
/// directory), TLS on with a CA made for it, password (SCRAM) login for the user `esprig`.
///
/// The server refuses to run as root, so as root it runs as the `postgres` user (setpriv). It is
/// this process's child with a parent-death signal, so it cannot outlive the tests; `stop()`
/// (and, for the shared one, process exit) ends it within seconds. `ESPRIG_PG_BIN` names the
/// binaries' directory (default: the newest /usr/lib/postgresql/*/bin).
public final class PostgresServer: @unchecked Sendable {
    public let directory: String
    public let port: Int
    public let user = "esprig"
    public let password: String
    /// The CA that signed the server's certificate (CN and SAN localhost, SAN IP 127.0.0.1).
    public let caCertificate: String
    /// The directory of the server's Unix socket.
    public let socketDirectory: String
    public let binaries: String
    private let lock = NSLock()
    private var process: Process?
    private var databases = 0

    /// The one server the tests of this process share, started on first use.
    public static func shared() throws -> PostgresServer {
        try sharedLock.withLock {
            if let sharedServer { return sharedServer }
            let server = try PostgresServer()
            sharedServer = server
            atexit { PostgresServer.sharedServer?.stop() }
            return server
        }
    }

    private static let sharedLock = NSLock()
    nonisolated(unsafe) private static var sharedServer: PostgresServer?

    /// `durable` keeps PostgreSQL's crash-safe defaults (fsync, synchronous commit) for
    /// benchmarks; tests turn them off, as nothing they write must survive a power cut.
    public init(durable: Bool = false) throws {
        binaries = try Self.locateBinaries()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("esprig-pg-\(getpid())-\(UUID().uuidString.prefix(8))").path
        socketDirectory = directory + "/sock"
        password = UUID().uuidString
        caCertificate = directory + "/ca.crt"
        try FileManager.default.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
        let owner = try Self.serverUser()
        try password.write(toFile: directory + "/pwfile", atomically: true, encoding: .utf8)
        try Self.makeCertificates(in: directory)
        if let owner { try Self.chown(directory, to: owner) }

        let initdb = try Self.run(Self.asServerUser(owner) + [binaries + "/initdb", "-D", directory + "/data", "-U", user, "--pwfile", directory + "/pwfile",
                                                               "--auth", "scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"], timeout: 120)
        guard initdb.status == 0 else { throw Failure("initdb failed:\n\(initdb.output)") }
        try """
            listen_addresses = '127.0.0.1'
            unix_socket_directories = '\(socketDirectory)'
            max_connections = 200
            shared_buffers = 32MB
            \(durable ? "" : "fsync = off\nsynchronous_commit = off\nfull_page_writes = off")
            ssl = on
            ssl_cert_file = '\(directory)/server.crt'
            ssl_key_file = '\(directory)/server.key'
            log_min_messages = warning
            """.write(toFile: directory + "/data/postgresql.auto.conf", atomically: true, encoding: .utf8)
        if let owner { try Self.chown(directory + "/data/postgresql.auto.conf", to: owner) }

        // A free port: the kernel picks one for a socket that is closed again right away.
        var lastError = ""
        for _ in 0..<5 {
            let candidate = try Self.freePort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            // The parent-death signal (SIGINT: fast shutdown) ends the server if the tests die.
            process.arguments = Self.setprivArguments(owner) + ["--pdeathsig", "INT", "--", binaries + "/postgres", "-D", directory + "/data", "-p", String(candidate)]
            let log = directory + "/server-\(candidate).log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            try Self.spawnFromLongLivedThread(process)
            if try Self.waitReady(binaries: binaries, port: candidate, process: process) {
                self.process = process
                port = candidate
                return
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            lastError = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        }
        throw Failure("postgres did not start:\n\(lastError)")
    }

    /// A URL for a new, empty database of its own.
    public func newDatabase(sslmode: String = "disable") throws -> String {
        url(database: try newDatabaseName(), sslmode: sslmode)
    }

    /// A new, empty database; its name.
    public func newDatabaseName() throws -> String {
        let name: String = lock.withLock {
            databases += 1
            return "ledger_\(databases)"
        }
        let created = try Self.run([binaries + "/createdb", "-h", "127.0.0.1", "-p", String(port), "-U", user, name], timeout: 60,
                                   environment: ["PGPASSWORD": password])
        guard created.status == 0 else { throw Failure("createdb \(name) failed: \(created.output)") }
        return name
    }

    public func url(database: String, sslmode: String = "disable", withPassword: Bool = true) -> String {
        let credentials = withPassword ? "\(user):\(password)" : user
        return "postgres://\(credentials)@127.0.0.1:\(port)/\(database)?sslmode=\(sslmode)"
    }

    /// Runs SQL with psql as the server's superuser; returns its unaligned output.
    @discardableResult
    public func sql(_ statement: String, database: String) throws -> String {
        let result = try Self.run([binaries + "/psql", "-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", database,
                                   "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", statement], timeout: 60, environment: ["PGPASSWORD": password])
        guard result.status == 0 else { throw Failure("psql failed: \(result.output)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Fast shutdown, bounded: SIGINT, then SIGKILL after 10 s.
    public func stop() {
        guard let process = lock.withLock({ self.process }) else { return }
        lock.withLock { self.process = nil }
        if process.isRunning { kill(process.processIdentifier, SIGINT) }
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { stop() }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: Helpers

    static func locateBinaries() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["ESPRIG_PG_BIN"], !explicit.isEmpty { return explicit }
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap(Int.init).sorted()
        guard let newest = versions.last, FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\(newest)/bin/postgres") else {
            throw MissingTool(message: "PostgreSQL's server binaries were not found in /usr/lib/postgresql/*/bin: apt-get install postgresql (scripts/setup.sh does), or set ESPRIG_PG_BIN")
        }
        return "/usr/lib/postgresql/\(newest)/bin"
    }

    /// The account the server runs as when this process is root: `postgres` (the package makes it).
    static func serverUser() throws -> (uid: uid_t, gid: gid_t)? {
        guard geteuid() == 0 else { return nil }
        guard let entry = getpwnam("postgres") else {
            throw MissingTool(message: "running as root, but there is no postgres user to run the test server as (apt-get install postgresql makes it)")
        }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    static func setprivArguments(_ owner: (uid: uid_t, gid: gid_t)?) -> [String] {
        guard let owner else { return [] }
        return ["--reuid=\(owner.uid)", "--regid=\(owner.gid)", "--clear-groups"]
    }

    static func asServerUser(_ owner: (uid: uid_t, gid: gid_t)?) -> [String] {
        owner == nil ? [] : ["/usr/bin/setpriv"] + setprivArguments(owner) + ["--"]
    }

    static func chown(_ path: String, to owner: (uid: uid_t, gid: gid_t)) throws {
        let result = try run(["/bin/chown", "-R", "\(owner.uid):\(owner.gid)", path], timeout: 30)
        guard result.status == 0 else { throw Failure("chown \(path) failed: \(result.output)") }
    }

    /// A CA and a server certificate for localhost / 127.0.0.1 (EC keys: quick to make).
    static func makeCertificates(in directory: String) throws {
        let ext = directory + "/server.ext"
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(toFile: ext, atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
             "-days", "2", "-subj", "/CN=esprig test CA"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "server.key", "-out", "server.csr",
             "-subj", "/CN=localhost"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt",
             "-days", "2", "-extfile", ext],
        ]
        for step in steps {
            let result = try run(["/usr/bin/openssl"] + step, timeout: 30, directory: directory)
            guard result.status == 0 else { throw Failure("openssl \(step[0]) failed: \(result.output)") }
        }
        chmod(directory + "/server.key", 0o600)
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Failure("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A parent-death signal fires when the spawning *thread* exits; a pool thread may be
    /// retired while idle, so the server is spawned from a thread that never ends.
    static func spawnFromLongLivedThread(_ process: Process) throws {
        let done = DispatchSemaphore(value: 0)
        let outcome = SpawnOutcome()
        let thread = Thread {
            do { try process.run() } catch { outcome.error = error }
            done.signal()
            while true { sleep(3600) }
        }
        thread.start()
        done.wait()
        if let error = outcome.error { throw error }
    }

    private final class SpawnOutcome: @unchecked Sendable { var error: (any Error)? }

    /// pg_isready until it answers (true), the server exits (false), or 30 s pass (false).
    static func waitReady(binaries: String, port: Int, process: Process) throws -> Bool {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            guard process.isRunning else { return false }
            let ready = try run([binaries + "/pg_isready", "-q", "-h", "127.0.0.1", "-p", String(port)], timeout: 10)
            if ready.status == 0 { return true }
            usleep(100_000)
        }
        return false
    }

    /// Runs a short command to completion (killed after `timeout` seconds).
    public static func run(_ arguments: [String], timeout: Double, environment extra: [String: String] = [:], directory: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        var environment = ProcessInfo.processInfo.environment
        environment.merge(extra) { _, new in new }
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("esprig-pg-run-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw Failure("\(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        return (process.terminationStatus, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }
}
