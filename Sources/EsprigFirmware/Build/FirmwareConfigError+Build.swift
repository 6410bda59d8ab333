import EsprigCore
extension ErrorCode where Domain == FirmwareErrorDomain {
    // The toolchain build
    public static let toolchainMissing = Self("toolchain-missing")
    public static let buildFailed = Self("build-failed")
    public static let missingArtifact = Self("missing-artifact")
    public static let sourcesUnreadable = Self("firmware-sources-unreadable")
    // Sector numbers compiled into the sources
    public static let unresolvedArgument = Self("unresolved-call-argument")
    public static let secureSizeOutOfRange = Self("secure-size-out-of-range")
}
