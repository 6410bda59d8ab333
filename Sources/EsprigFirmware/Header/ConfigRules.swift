/// What a firmware's header means beyond C syntax: which name is the reload magic, which values
/// are secret, what each value may hold, and which flags exclude each other.
public struct ConfigRules: Sendable {
    /// The name bumped whenever another value changes (the demo's `CFG_HOLDER`); nil for headers
    /// without one.
    public var holderName: String?
    /// Names whose values never appear in diffs or error messages.
    public var secretNames: Set<String>
    /// The kind of value each known name holds, used when text is parsed for a name the header
    /// does not have yet.
    public var kinds: [String: ConfigValue.Kind]
    /// Groups of flags of which exactly one must stay defined.
    public var exclusiveFlags: [[String]]
    /// Checks run on a value before anything is written.
    public var checks: [String: @Sendable (ConfigValue, _ isSecret: Bool) throws -> Void]

    public init(holderName: String? = nil, secretNames: Set<String> = [], kinds: [String: ConfigValue.Kind] = [:],
                exclusiveFlags: [[String]] = [], checks: [String: @Sendable (ConfigValue, Bool) throws -> Void] = [:]) {
        self.holderName = holderName
        self.secretNames = secretNames
        self.kinds = kinds
        self.exclusiveFlags = exclusiveFlags
        self.checks = checks
    }

    /// Only C syntax: no reload magic, no limits.
    public static let plain = ConfigRules()

    public func isSecret(_ name: String) -> Bool {
        if secretNames.contains(name) { return true }
        let upper = name.uppercased()
        return ["PASS", "SECRET", "TOKEN", "PRIVATE"].contains { upper.contains($0) }
    }

    func check(_ name: String, _ value: ConfigValue) throws {
        try checks[name]?(value, isSecret(name))
    }
}
