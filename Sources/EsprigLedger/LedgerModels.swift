import Foundation

/// Row ids, typed so an attempt id is never passed where a step id is expected.
public struct AttemptID: RowID { public let rawValue: Int64; public init(_ v: Int64) { rawValue = v } }
public struct StepID: RowID { public let rawValue: Int64; public init(_ v: Int64) { rawValue = v } }

/// A row id that encodes as a bare number.
public protocol RowID: Hashable, Sendable, Codable {
    var rawValue: Int64 { get }
    init(_ rawValue: Int64)
}

extension RowID {
    public init(from decoder: any Decoder) throws { self.init(try decoder.singleValueContainer().decode(Int64.self)) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Which port a board was on, as stable as the machine allows.
public struct PortIdentity: Sendable, Hashable, Codable {
    public var path: String
    public var usbSerial: String?
    public var usbPath: String?

    public init(path: String, usbSerial: String? = nil, usbPath: String? = nil) {
        self.path = path
        self.usbSerial = usbSerial
        self.usbPath = usbPath
    }
}

/// What is known when an attempt starts: the board (its MAC was read over the bootloader), the
/// identity it will get, and what will be written.
public struct AttemptStart: Sendable, Hashable {
    public var profile: String
    /// SHA-256 of the resolved profile, so a record says which settings it was made with.
    public var profileHash: String
    /// `aa:bb:cc:dd:ee:ff`, lower case.
    public var mac: String
    public var chip: String
    /// The MQTT client id the firmware will use; nil when the profile has none.
    public var clientID: String?
    public var port: PortIdentity
    /// Image name → SHA-256 of the bytes flashed.
    public var firmwareHashes: [String: String]

    public init(profile: String, profileHash: String, mac: String, chip: String, clientID: String?,
                port: PortIdentity, firmwareHashes: [String: String] = [:]) {
        self.profile = profile
        self.profileHash = profileHash
        self.mac = mac
        self.chip = chip
        self.clientID = clientID
        self.port = port
        self.firmwareHashes = firmwareHashes
    }
}

public enum StepStatus: String, Sendable, Hashable, Codable {
    case started, passed, failed
}

/// How an attempt stands. `running` after a crash means the process died during it.
public enum AttemptResult: String, Sendable, Hashable, Codable {
    case running, passed, failed
}

public struct StepRecord: Sendable, Hashable, Codable {
    public var id: StepID
    public var name: String
    public var status: StepStatus
    public var startedAt: Date
    public var endedAt: Date?
    public var error: String?
}

public struct AttemptRecord: Sendable, Hashable, Codable {
    public var id: AttemptID
    public var profileHash: String
    public var port: PortIdentity
    public var firmwareHashes: [String: String]
    public var certificateSerial: String?
    public var certificateSHA256: String?
    public var startedAt: Date
    public var endedAt: Date?
    public var result: AttemptResult
    public var error: String?
    public var steps: [StepRecord]
}

/// One board of one profile, with its identity and every attempt at it, oldest first.
public struct BoardRecord: Sendable, Hashable, Codable {
    public var profile: String
    public var mac: String
    public var chip: String
    public var clientID: String?
    /// Values allocated from the profile's counters: counter name → rendered value.
    public var allocated: [String: String]
    public var attempts: [AttemptRecord]

    /// The latest attempt's result; a board is done only when it is `passed`.
    public var result: AttemptResult? { attempts.last?.result }
}

/// A value handed to one board from a per-profile counter.
public struct CounterAllocation: Sendable, Hashable {
    public var number: Int64
    public var value: String
    /// False when the board already held it from an earlier attempt.
    public var isNew: Bool
}
