import EsprigCore

/// A failure to read an ELF or an image, or to build or merge one. The exit kind is the step's: a bad file on the command line is input, a bad build artifact is the build's.
public typealias ImageError = EsprigError<ImageErrorDomain>

/// The domain of `ImageError`.
public enum ImageErrorDomain: ErrorDomain {
    public static var defaultKind: FailureKind? { nil }
}

extension ErrorCode where Domain == ImageErrorDomain {
    /// Not an ELF at all (magic), or not 32-bit little-endian.
    public static let notELF = Self("not-elf")
    /// The file ends before a header, table or section it declares.
    public static let truncated = Self("truncated")
    /// An ELF for another CPU than the ESP8266's Xtensa.
    public static let wrongMachine = Self("wrong-machine")
    /// Structurally broken: bad table entry sizes, missing string table, offsets out of range.
    public static let malformed = Self("malformed")
    /// Nothing loadable, too many segments, or two irom segments.
    public static let badSegments = Self("bad-segments")
    /// Not an ESP8266 image: bad magic or a header that does not add up.
    public static let notImage = Self("not-image")
    /// A flash mode, frequency or size this chip does not know.
    public static let badFlashParameter = Self("bad-flash-parameter")
    /// merge-bin regions that overlap or sit before the target offset.
    public static let badRegions = Self("bad-regions")
}
