/// Why an ELF or image could not be read or built. Equality compares only the code, so tests
/// match the kind of failure without pinning the wording.
public struct ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Not an ELF at all (magic), or not 32-bit little-endian.
        public static let notELF = Code(rawValue: "not-elf")
        /// The file ends before a header, table or section it declares.
        public static let truncated = Code(rawValue: "truncated")
        /// An ELF for another CPU than the ESP8266's Xtensa.
        public static let wrongMachine = Code(rawValue: "wrong-machine")
        /// Structurally broken: bad table entry sizes, missing string table, offsets out of range.
        public static let malformed = Code(rawValue: "malformed")
        /// Nothing loadable, too many segments, or two irom segments.
        public static let badSegments = Code(rawValue: "bad-segments")
        /// Not an ESP8266 image: bad magic or a header that does not add up.
        public static let notImage = Code(rawValue: "not-image")
        /// A flash mode, frequency or size this chip does not know.
        public static let badFlashParameter = Code(rawValue: "bad-flash-parameter")
        /// merge-bin regions that overlap or sit before the target offset.
        public static let badRegions = Code(rawValue: "bad-regions")
    }

    public var code: Code
    public var message: String
    public var hint: String?

    public init(_ code: Code, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    public var description: String { message + (hint.map { " (\($0))" } ?? "") }

    public static func == (lhs: ImageError, rhs: ImageError) -> Bool { lhs.code == rhs.code }
}
