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
    /// The bench that makes the attempt (`--station`, default the host name).
    public var station: String

    public init(profile: String, profileHash: String, mac: String, chip: String, clientID: String?,
                port: PortIdentity, firmwareHashes: [String: String] = [:], station: String = Station.hostName) {
        self.profile = profile
        self.profileHash = profileHash
        self.mac = mac
        self.chip = chip
        self.clientID = clientID
        self.port = port
        self.firmwareHashes = firmwareHashes
        self.station = station
    }
}

/// Names the bench that records an attempt.
public enum Station {
    /// This machine's host name: the station name when none is given.
    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }

    /// How long another station's running attempt may go without a record before a claim
    /// treats that station as gone (longer than any one step takes).
    public static let defaultLease: Duration = .seconds(15 * 60)
}

/// What a claim decided for a board.
public enum AttemptClaim: Sendable, Hashable {
    /// A new attempt is open, for the claiming station.
    case began(AttemptID)
    /// The board's latest attempt passed: leave it alone.
    case passed(clientID: String?)
    /// Another station's attempt is running on this board.
    case busy(station: String, attempt: AttemptID)
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

    public init(id: StepID, name: String, status: StepStatus, startedAt: Date, endedAt: Date?, error: String?) {
        self.id = id
        self.name = name
        self.status = status
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.error = error
    }
}

public struct AttemptRecord: Sendable, Hashable, Codable {
    public var id: AttemptID
    /// The station that made it ("" for attempts recorded before stations were).
    public var station: String
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

    public init(id: AttemptID, station: String, profileHash: String, port: PortIdentity, firmwareHashes: [String: String],
                certificateSerial: String?, certificateSHA256: String?, startedAt: Date, endedAt: Date?,
                result: AttemptResult, error: String?, steps: [StepRecord]) {
        self.id = id
        self.station = station
        self.profileHash = profileHash
        self.port = port
        self.firmwareHashes = firmwareHashes
        self.certificateSerial = certificateSerial
        self.certificateSHA256 = certificateSHA256
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.result = result
        self.error = error
        self.steps = steps
    }
}

/// One board of one profile, with its identity and every attempt at it, oldest first.
public struct BoardRecord: Sendable, Hashable, Codable {
    public var profile: String
    public var mac: String
    public var chip: String
    public var clientID: String?
    /// Values allocated from the profile's counters: counter name → rendered value.
    public var allocated: [String: String]
    /// Counter name → the number each value in `allocated` was rendered from.
    public var numbers: [String: Int64]
    public var attempts: [AttemptRecord]

    /// The latest attempt's result; a board is done only when it is `passed`.
    public var result: AttemptResult? { attempts.last?.result }

    public init(profile: String, mac: String, chip: String, clientID: String?, allocated: [String: String],
                numbers: [String: Int64], attempts: [AttemptRecord]) {
        self.profile = profile
        self.mac = mac
        self.chip = chip
        self.clientID = clientID
        self.allocated = allocated
        self.numbers = numbers
        self.attempts = attempts
    }
}

extension Array where Element == BoardRecord {
    /// Only `station`'s attempts, and only the boards it made one on (`--station` of the
    /// ledger commands, the same on every backend).
    public func recorded(by station: String?) -> [BoardRecord] {
        guard let station else { return self }
        return compactMap { board in
            var board = board
            board.attempts = board.attempts.filter { $0.station == station }
            return board.attempts.isEmpty ? nil : board
        }
    }
}

/// A value handed to one board from a per-profile counter.
public struct CounterAllocation: Sendable, Hashable {
    public var number: Int64
    public var value: String
    /// False when the board already held it from an earlier attempt.
    public var isNew: Bool

    public init(number: Int64, value: String, isNew: Bool) {
        self.number = number
        self.value = value
        self.isNew = isNew
    }
}
