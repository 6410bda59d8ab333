/// `elf2image` as a value function: ELF bytes and options in, named files out, with esptool's
/// file naming (`cmds.py` `elf2image`, `bin_image.py` `default_output_name`/`save`).
public enum Elf2Image {
    public struct Options: Sendable, Equatable {
        public var version: ESP8266Image.Version
        public var flash: ImageFlashSettings
        /// `-o`: for v1 a prefix that the flash offset and `.bin` are appended to; for v2 the file name.
        public var output: String?

        public init(version: ESP8266Image.Version = .v1, flash: ImageFlashSettings = ImageFlashSettings(), output: String? = nil) {
            self.version = version
            self.flash = flash
            self.output = output
        }
    }

    public struct OutputFile: Sendable, Equatable {
        public var path: String
        public var bytes: [UInt8]
        /// Where the file belongs in flash (for v2, the usual user1 slot the name states).
        public var flashOffset: Int
    }

    /// Builds the image for the ELF at `elfPath` (its name only feeds default output names).
    public static func convert(elf bytes: [UInt8], elfPath: String, options: Options) throws(ImageError) -> (image: ESP8266Image, files: [OutputFile]) {
        let image = try ESP8266Image(elf: ELFFile(bytes: bytes), version: options.version, flash: options.flash)
        switch options.version {
        case .v1:
            let prefix = options.output ?? elfPath + "-"
            var files: [OutputFile] = []
            if let irom = image.iromSegment, let offset = image.iromFlashOffset {
                files.append(OutputFile(path: prefix + hexString(offset, digits: 5) + ".bin", bytes: irom.data, flashOffset: offset))
            }
            files.append(OutputFile(path: prefix + hexString(0, digits: 5) + ".bin", bytes: image.v1RAMPart(), flashOffset: 0))
            return (image, files)
        case .v2:
            // The irom offset rounded down to a sector: 0x40201010 gives 0x01000, the user1 slot.
            let offset = (image.iromFlashOffset ?? 0) & ~0xFFF
            let path = options.output ?? removingExtension(elfPath) + "-" + hexString(offset, digits: 5) + ".bin"
            return (image, [OutputFile(path: path, bytes: image.v2Bytes(), flashOffset: offset)])
        }
    }

    /// Python's `os.path.splitext(path)[0]`: drops the last extension of the last path
    /// component, unless the component's only dots are leading ones.
    static func removingExtension(_ path: String) -> String {
        let slash = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        let name = path[slash...]
        guard let dot = name.lastIndex(of: "."), name[name.startIndex..<dot].contains(where: { $0 != "." }) else {
            return path
        }
        return String(path[..<dot])
    }
}
