import EsprigCerts

/// What `flash --profile` did, as `--json` shows it and a library caller decodes it.
public struct FlashReport: Sendable, Codable {
    /// The config header step: which values the profile changed, and whether the file was written.
    public struct Config: Sendable, Codable {
        public var header: String
        public var changed: [String]
        public var written: Bool
    }

    /// The monitor step: `matched`, `failed`, `timedOut`, `disconnected` or `skipped`, and what the board printed.
    public struct Monitor: Sendable, Codable {
        public var result: String
        public var why: String?
        public var seconds: Double?
        public var lines: [String]?
        public var line: String?
    }

    public var command = "flash"
    public var profile: String
    public var dryRun: Bool
    public var ok = false
    public var config: Config?
    /// `built`, `up-to-date` or `skipped`.
    public var build: String?
    public var plan: ProfilePlan.Report?
    public var doctor: [FindingReport]?
    public var port: String?
    public var board: BoardReport?
    public var monitor: Monitor?

    /// An empty report for `profile`; the workflow fills it in step by step.
    public init(profile: String, dryRun: Bool) {
        self.profile = profile
        self.dryRun = dryRun
    }

    enum CodingKeys: String, CodingKey {
        case command, profile, dryRun, ok, config, build, plan, doctor, port, monitor
    }

    // The board's fields sit at the top level, as `write-flash --json` shows them.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(command, forKey: .command)
        try container.encode(profile, forKey: .profile)
        try container.encode(dryRun, forKey: .dryRun)
        try container.encode(ok, forKey: .ok)
        try container.encodeIfPresent(config, forKey: .config)
        try container.encodeIfPresent(build, forKey: .build)
        try container.encodeIfPresent(plan, forKey: .plan)
        try container.encodeIfPresent(doctor, forKey: .doctor)
        try container.encodeIfPresent(port, forKey: .port)
        try container.encodeIfPresent(monitor, forKey: .monitor)
        try board?.encode(to: encoder)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        command = try container.decode(String.self, forKey: .command)
        profile = try container.decode(String.self, forKey: .profile)
        dryRun = try container.decode(Bool.self, forKey: .dryRun)
        ok = try container.decode(Bool.self, forKey: .ok)
        config = try container.decodeIfPresent(Config.self, forKey: .config)
        build = try container.decodeIfPresent(String.self, forKey: .build)
        plan = try container.decodeIfPresent(ProfilePlan.Report.self, forKey: .plan)
        doctor = try container.decodeIfPresent([FindingReport].self, forKey: .doctor)
        port = try container.decodeIfPresent(String.self, forKey: .port)
        monitor = try container.decodeIfPresent(Monitor.self, forKey: .monitor)
        board = port == nil ? nil : try BoardReport(from: decoder)
    }
}

/// What one board's write did: the chip, its MAC, and each region's result.
public struct BoardReport: Sendable, Codable {
    /// One region written (or skipped because the flash already held it).
    public struct Region: Sendable, Codable {
        public var address: Int
        public var size: Int
        public var source: String
        /// `verified`, `skipped`, `unverified` or `unknown`.
        public var result: String
    }
    public var chip: String
    public var mac: String
    public var stub: Bool
    public var regions: [Region]
}

/// A doctor finding as a script reads it.
public struct FindingReport: Sendable, Codable {
    public var severity: String
    public var code: String
    public var message: String
    public var symptom: String
    public var fix: String

    /// The finding as plain fields.
    public init(_ finding: Finding) {
        severity = finding.severity.rawValue
        code = finding.code
        message = finding.message
        symptom = finding.symptom
        fix = finding.fix
    }
}
