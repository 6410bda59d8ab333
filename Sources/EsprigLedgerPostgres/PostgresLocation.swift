import EsprigLedger
import Foundation

/// Where the PostgreSQL ledger is and how to log in, from a `postgres://` URL completed by the
/// libpq environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE,
/// PGSSLROOTCERT, PGPASSFILE, PGCONNECT_TIMEOUT), the URL winning. The password is never part
/// of `redacted` or `description`, the only forms that are ever shown.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public enum SSLMode: String, Sendable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, plain otherwise (libpq's default).
        case prefer
        /// TLS, without checking the server's certificate.
        case require
        /// TLS, the certificate checked against `sslrootcert` (or the system's roots) and the host name.
        case verifyFull = "verify-full"
    }

    /// A host name or address, or a directory holding the server's Unix socket (starts with /).
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode
    public var sslRootCertificate: String?
    public var connectTimeout: Duration

    public var isUnixSocket: Bool { host.hasPrefix("/") }
    /// The socket file libpq would use for `host` and `port`.
    public var socketPath: String { host + "/.s.PGSQL.\(port)" }

    /// True for text that names a PostgreSQL ledger rather than a file.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses `url`; what it leaves out comes from `environment`, then libpq's defaults.
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(LedgerError) {
        guard Self.isURL(url), let components = URLComponents(string: url) else {
            throw LedgerError(.location, "the ledger URL is not a postgres:// URL: \(Self.redact(url))",
                              hint: "write it as postgres://user@host:5432/database?sslmode=require (the password in PGPASSWORD or a PGPASSFILE)")
        }
        func env(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard Self.parameters.contains(item.name) else {
                throw LedgerError(.location, "the ledger URL has an unknown parameter '\(item.name)'",
                                  hint: "known: " + Self.parameters.sorted().joined(separator: ", "))
            }
            query[item.name] = item.value ?? ""
        }

        let hostText = query["host"] ?? (components.percentEncodedHost.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding }) ?? env("PGHOST")
        host = hostText ?? "localhost"
        let portText = query["port"] ?? components.port.map(String.init) ?? env("PGPORT")
        guard let port = Int(portText ?? "5432"), (1...65535).contains(port) else {
            throw LedgerError(.location, "the ledger port '\(portText ?? "")' is not a port number", hint: "give 1-65535, e.g. postgres://host:5432/db")
        }
        self.port = port
        user = query["user"] ?? components.user.flatMap { $0.isEmpty ? nil : $0 } ?? env("PGUSER") ?? Self.systemUser
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = query["dbname"] ?? (path.isEmpty ? nil : path) ?? env("PGDATABASE") ?? user

        let modeText = query["sslmode"] ?? env("PGSSLMODE") ?? SSLMode.prefer.rawValue
        guard let mode = SSLMode(rawValue: modeText) else {
            throw LedgerError(.location, "sslmode '\(modeText)' is not supported",
                              hint: "use sslmode=disable, prefer, require or verify-full (verify-full checks the server's certificate and name)")
        }
        sslMode = mode
        sslRootCertificate = query["sslrootcert"] ?? env("PGSSLROOTCERT")
        let timeoutText = query["connect_timeout"] ?? env("PGCONNECT_TIMEOUT") ?? "10"
        guard let timeout = Int(timeoutText), timeout > 0 else {
            throw LedgerError(.location, "connect_timeout '\(timeoutText)' is not a number of seconds", hint: "e.g. connect_timeout=10")
        }
        connectTimeout = .seconds(timeout)

        if let given = components.password, !given.isEmpty {
            password = given
        } else if let given = query["password"] ?? env("PGPASSWORD") {
            password = given
        } else {
            password = nil
        }
        if password == nil {
            let passFile = env("PGPASSFILE") ?? env("HOME").map { $0 + "/.pgpass" }
            if let passFile, FileManager.default.fileExists(atPath: passFile) {
                password = try PassFile(path: passFile).password(host: host, port: port, database: database, user: user)
            }
        }
    }

    /// The URL as it may be shown: no password, only the parameters that matter to a reader.
    public var redacted: String {
        let hostPart = isUnixSocket ? "" : (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
        var text = "postgres://\(user)@\(hostPart)/\(database)"
        var parameters: [String] = []
        if isUnixSocket { parameters.append("host=\(host)"); parameters.append("port=\(port)") }
        parameters.append("sslmode=\(sslMode.rawValue)")
        text += "?" + parameters.joined(separator: "&")
        return text
    }

    public var description: String { redacted }

    /// Any URL-like text with its password (between `user:` and `@`, or a password= parameter)
    /// replaced, for messages about text that could not even be parsed.
    public static func redact(_ text: String) -> String {
        var result = text
        if let scheme = result.range(of: "://"), let at = result[scheme.upperBound...].lastIndex(of: "@") {
            let userInfo = result[scheme.upperBound..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                result.replaceSubrange(result.index(after: colon)..<at, with: "***")
            }
        }
        if let range = result.range(of: #"password=[^&]*"#, options: .regularExpression) {
            result.replaceSubrange(range, with: "password=***")
        }
        return result
    }

    static let parameters: Set<String> = ["host", "port", "user", "password", "dbname", "sslmode", "sslrootcert", "connect_timeout"]

    static var systemUser: String {
        if let name = getpwuid(geteuid())?.pointee.pw_name { return String(cString: name) }
        return "postgres"
    }
}

/// libpq's password file: `host:port:database:user:password` lines, `*` matching anything,
/// `\:` and `\\` escaping; the first matching line wins. Like libpq, a file others can read is
/// not trusted, but here that is an error rather than silently ignored.
struct PassFile {
    let path: String

    func password(host: String, port: Int, database: String, user: String) throws(LedgerError) -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw LedgerError(.location, "cannot read the password file \(path)", hint: "check PGPASSFILE")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw LedgerError(.location, "the password file \(path) can be read by others, so it is not used",
                              hint: "chmod 0600 \(path)")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw LedgerError(.location, "cannot read the password file \(path)", hint: "check PGPASSFILE and its permissions")
        }
        // A socket connection matches the host name "localhost", as in libpq.
        let hostName = host.hasPrefix("/") ? "localhost" : host
        let wanted = [hostName, String(port), database, user]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = Self.fields(String(line))
            guard fields.count == 5 else { continue }
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    static func fields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" && fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
