import EsprigCore

/// A config header, layout, build or process failure. Most codes leave their exit kind to the step (the same build error is the device's in `flash`).
public typealias FirmwareConfigError = EsprigError<FirmwareErrorDomain>

/// The domain of `FirmwareConfigError`.
public enum FirmwareErrorDomain: ErrorDomain {
    public static var defaultKind: FailureKind? { nil }
}

extension ErrorCode where Domain == FirmwareErrorDomain {
    // Reading the header
    public static let unknownName = Self("unknown-config-name")
    public static let ambiguousName = Self("ambiguous-config-name")
    public static let unsupportedLine = Self("unsupported-config-line")
    public static let kindMismatch = Self("config-kind-mismatch")
    public static let invalidValue = Self("invalid-config-value")
    public static let reservedName = Self("reserved-config-name")
    public static let missingHolder = Self("missing-cfg-holder")
    public static let duplicateAssignment = Self("duplicate-config-assignment")
    // The demo's limits
    public static let tooLong = Self("config-value-too-long")
    public static let outOfRange = Self("config-value-out-of-range")
    public static let badFormat = Self("config-printf-format")
    public static let notAllowed = Self("config-value-not-allowed")
    // The header file
    public static let fileUnreadable = Self("config-file-unreadable")
    public static let fileUnwritable = Self("config-file-unwritable", kind: .device)
    public static let noBackup = Self("config-no-backup")
    // The flash layout
    public static let unsupportedSizeMap = Self("unsupported-size-map")
    public static let regionOverlap = Self("flash-region-overlap")
    public static let outsideFlash = Self("flash-region-outside-flash")
    public static let misaligned = Self("flash-region-misaligned")
    public static let wrongAddress = Self("flash-region-wrong-address")
    public static let appTooLarge = Self("app-too-large")
    public static let reservedSector = Self("reserved-sector-overwritten")
    public static let sectorMismatch = Self("cert-sector-mismatch")
    public static let sizeMapMismatch = Self("size-map-mismatch")
}
