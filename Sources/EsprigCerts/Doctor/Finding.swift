/// One thing doctor found wrong (or worth knowing) about a profile's TLS material.
public struct Finding: Sendable, Hashable {
    public enum Severity: String, Sendable, Hashable, Comparable, CaseIterable {
        case error, warning, info

        private var rank: Int { self == .error ? 0 : self == .warning ? 1 : 2 }
        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
    }

    public var severity: Severity
    /// Stable, for scripts and tests: `server-host-not-covered`, `key-mismatch`, ...
    public var code: String
    /// What is wrong, naming the file.
    public var message: String
    /// What the failure looks like at run time: the TLS alert or the OpenSSL / mbedTLS message.
    public var symptom: String
    /// What to do about it.
    public var fix: String

    public init(_ severity: Severity, _ code: String, _ message: String, symptom: String, fix: String) {
        self.severity = severity
        self.code = code
        self.message = message
        self.symptom = symptom
        self.fix = fix
    }
}

extension Array where Element == Finding {
    public var hasErrors: Bool { contains { $0.severity == .error } }
}
