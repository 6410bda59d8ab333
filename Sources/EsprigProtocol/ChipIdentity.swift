/// A bit field of one eFuse word: `(word >> shift) & (2^bits − 1)`.
public struct EFuseField: Sendable, Hashable {
    public var address: UInt32
    public var shift: UInt32
    public var bits: UInt32

    public init(_ address: UInt32, shift: UInt32, bits: UInt32) {
        self.address = address
        self.shift = shift
        self.bits = bits
    }

    public var mask: UInt32 { bits >= 32 ? .max : (1 << bits) - 1 }
}

extension Array where Element == EFuseField {
    /// The fields read as one number, the first field the most significant (esptool's
    /// `(hi << 3) + low` revision formulas).
    public func value<E: Error>(_ read: (UInt32) throws(E) -> UInt32) throws(E) -> UInt32 {
        var out: UInt32 = 0
        for field in self {
            out = out << field.bits | (try read(field.address) >> field.shift) & field.mask
        }
        return out
    }

    /// The inverse of `value`: which bits each word holds for `value` (the simulator's eFuses).
    public func words(for value: UInt32) -> [UInt32: UInt32] {
        var out: [UInt32: UInt32] = [:]
        var rest = value
        for field in reversed() {
            out[field.address, default: 0] |= (rest & field.mask) << field.shift
            rest >>= field.bits
        }
        return out
    }

    public var totalBits: UInt32 { reduce(0) { $0 + $1.bits } }
}

/// A feature named by an eFuse value (embedded flash, PSRAM…). A value missing from `names`
/// reads as `unknown`; an empty name adds nothing.
public struct EFuseFeature: Sendable, Hashable {
    public var field: [EFuseField]
    public var names: [UInt32: String]
    public var unknown: String
    /// " (vendor)" appended (esptool `get_flash_vendor`/`get_psram_vendor`; an unknown vendor
    /// reads as "()"), for the values in `vendorFor`, or whenever a label is shown when nil.
    public var vendor: [EFuseField]
    public var vendors: [UInt32: String]
    public var vendorFor: Set<UInt32>?

    public init(_ field: [EFuseField], _ names: [UInt32: String], unknown: String,
                vendor: [EFuseField] = [], vendors: [UInt32: String] = [:], vendorFor: Set<UInt32>? = nil) {
        self.field = field
        self.names = names
        self.unknown = unknown
        self.vendor = vendor
        self.vendors = vendors
        self.vendorFor = vendorFor
    }
}

/// One piece of a composed chip name (ESP32-C5 "N"/"H", "F4", "R8"…): skipped while every
/// `requires` field is zero; a value not in `names` gives `unknown` and makes the name "Unknown …".
public struct NamePart: Sendable, Hashable {
    public var field: [EFuseField]
    public var names: [UInt32: String]
    public var unknown: String
    public var requires: [EFuseField]

    public init(_ field: [EFuseField], _ names: [UInt32: String], unknown: String = "?", requires: [EFuseField] = []) {
        self.field = field
        self.names = names
        self.unknown = unknown
        self.requires = requires
    }
}

/// A suffix for revisions from `minRevision` on while `requires` is non-zero (ESP32-H2 "S").
public struct RevisionSuffix: Sendable, Hashable {
    public var minRevision: Int
    public var suffix: String
    public var requires: [EFuseField]
}

/// Identity words of an ESP32-S2-or-later chip (esptool `get_chip_description`, `read_mac`,
/// `get_major/minor_chip_version`, `get_chip_features`).
public struct EFuseIdentity: Sendable, Hashable {
    /// MAC_EFUSE_REG: the MAC is `pack(">II", word[+4], word[+0])[2:]`.
    public var macWord: UInt32
    /// The fields that choose the package name, read as one number.
    public var nameKey: [EFuseField]
    public var names: [UInt32: String]
    public var unknownName: String
    public var major: [EFuseField]
    public var minor: [EFuseField]
    public var features: [String]
    public var featureFields: [EFuseFeature]
    /// When non-empty, the name is the display name plus these parts (`names` is then unused).
    public var nameParts: [NamePart] = []
    public var revisionSuffix: RevisionSuffix? = nil
    /// The MAC word's high half holds the EUI-64 extension (ff:fe on the C5/C6/H2), esptool's `MAC_EXT`.
    public var hasEUI64Extension: Bool = false
}

/// How a row's identity is read from the chip.
public enum IdentityLayout: Sendable, Hashable {
    /// ESP8266 OTP words 0x3FF00050…5C (OUI rules, ESP8285 bits, SDK chip id).
    case esp8266OTP
    /// ESP32 eFuse block 0 at 0x3FF5A000.
    case esp32EFuse
    case eFuse(EFuseIdentity)
}

/// Where the crystal frequency comes from (esptool `get_crystal_freq`).
public enum CrystalRule: Sendable, Hashable {
    case fixed(Int)
    /// baud × UART_CLKDIV / divider, rounded to the nearest candidate.
    case measured([Int])
}

/// esptool `stub_json_name`: a chip revision below `revision` uses the stub file `name`.
public struct RevisionStub: Sendable, Hashable {
    public var revision: Int
    public var name: String
}

/// A chip revision, `v<major>.<minor>`.
public struct ChipRevision: Sendable, Hashable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public init(major: Int, minor: Int) { self.major = major; self.minor = minor }
    /// esptool's `get_chip_revision`: major × 100 + minor.
    public var number: Int { major * 100 + minor }
    public var description: String { "v\(major).\(minor)" }

    /// Parses "0.4" or "v0.4".
    public init?(_ text: String) {
        let body = text.hasPrefix("v") ? text.dropFirst() : Substring(text)
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]), major >= 0, minor >= 0 else { return nil }
        self.init(major: major, minor: minor)
    }
}
