/// A config-header or flash-layout refusal: which name, value, line or address, and what to do.
/// Equality compares only the code, so tests match refusals without pinning the wording.
public struct FirmwareConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        // Reading the header
        public static let unknownName = Code("unknown-config-name")
        public static let ambiguousName = Code("ambiguous-config-name")
        public static let unsupportedLine = Code("unsupported-config-line")
        public static let kindMismatch = Code("config-kind-mismatch")
        public static let invalidValue = Code("invalid-config-value")
        public static let reservedName = Code("reserved-config-name")
        public static let missingHolder = Code("missing-cfg-holder")
        public static let duplicateAssignment = Code("duplicate-config-assignment")
        // The demo's limits
        public static let tooLong = Code("config-value-too-long")
        public static let outOfRange = Code("config-value-out-of-range")
        public static let badFormat = Code("config-printf-format")
        public static let notAllowed = Code("config-value-not-allowed")
        // The header file
        public static let fileUnreadable = Code("config-file-unreadable")
        public static let fileUnwritable = Code("config-file-unwritable")
        public static let noBackup = Code("config-no-backup")
        // The flash layout
        public static let unsupportedSizeMap = Code("unsupported-size-map")
        public static let regionOverlap = Code("flash-region-overlap")
        public static let outsideFlash = Code("flash-region-outside-flash")
        public static let misaligned = Code("flash-region-misaligned")
        public static let wrongAddress = Code("flash-region-wrong-address")
        public static let appTooLarge = Code("app-too-large")
        public static let reservedSector = Code("reserved-sector-overwritten")
        public static let sectorMismatch = Code("cert-sector-mismatch")
        public static let sizeMapMismatch = Code("size-map-mismatch")
    }

    public var code: Code
    public var message: String
    public var hint: String?

    public init(_ code: Code, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    public var description: String { hint.map { "\(message) (\($0))" } ?? message }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
}
