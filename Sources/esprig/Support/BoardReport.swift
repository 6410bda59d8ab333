import EsprigLoader

/// What every board command's `--json` says of the board, next to the command's own fields.
struct BoardFields: Encodable {
    var ok = true
    var command: String
    var chip: String
    var mac: String
    var description: String
    var features: [String]
    var crystalMHz: Int
    var revision: String?
    var port: String
    var stub: Bool

    enum CodingKeys: String, CodingKey {
        case ok, command, chip, mac, description, features, revision, port, stub
        case crystalMHz = "crystal_mhz"
    }

    init(command: String, session: FlashSession, port: String) {
        self.command = command
        chip = session.info.chip.rawValue
        mac = session.info.macString
        description = session.info.description
        features = session.info.features
        crystalMHz = session.info.crystalMHz
        revision = session.info.revision?.description
        self.port = port
        stub = session.connection.isStub
    }
}

/// Two reports as one JSON object: the fields of both at the top level.
struct Merged<First: Encodable, Second: Encodable>: Encodable {
    var first: First
    var second: Second

    func encode(to encoder: any Encoder) throws {
        try first.encode(to: encoder)
        try second.encode(to: encoder)
    }
}

/// A command that reports nothing beyond the board.
struct NoFields: Encodable {
    func encode(to encoder: any Encoder) throws {
        _ = encoder.container(keyedBy: CodingKeys.self)
    }

    private enum CodingKeys: CodingKey {}
}

/// `write-flash` and `verify-flash`: one entry per region, in address order.
struct RegionsFields<Region: Encodable>: Encodable {
    var regions: [Region]
}

struct WrittenRegion: Encodable {
    var address: String
    var size: Int
    var file: String
    var result: String
    var reason: String?
}

struct VerifiedRegion: Encodable {
    var address: String
    var file: String
    var match: Bool
}

/// A file read from the board (`read-flash`, `dump-mem`).
struct FileFields: Encodable {
    var address: String
    var size: Int
    var file: String
    var md5: String?
}

/// A region of flash (`erase-region`).
struct AreaFields: Encodable {
    var address: String
    var size: Int
}

/// A memory word (`read-mem`, `write-mem`).
struct WordFields: Encodable {
    var address: String
    var value: String
    var mask: String?
}

struct FlashStatusFields: Encodable {
    var status: Int
    var bytes: Int
}

struct SFDPFields: Encodable {
    var address: Int
    var bytes: [Int]
}
