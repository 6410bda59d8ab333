/// `merge-bin --format raw` as a value function: regions at flash addresses become one image,
/// gaps filled with 0xFF (esptool `cmds.py` `merge_bin`, overlap rule from `cli_util.py`).
public enum FlashMerge {
    public struct Region: Sendable, Equatable {
        public var address: Int
        public var bytes: [UInt8]
        /// Where the bytes came from, for error messages.
        public var name: String

        public init(address: Int, bytes: [UInt8], name: String) {
            self.address = address
            self.bytes = bytes
            self.name = name
        }
    }

    public struct Options: Sendable, Equatable {
        /// The flash address the output's first byte is written to.
        public var targetOffset: Int
        /// Pad the output with 0xFF up to this flash address (esptool `--pad-to-size`).
        public var padToSize: Int?
        /// Header bytes to set in an image at address 0 (the boot image); nil keeps each field.
        public var flashMode: ImageFlashMode?
        public var flashFrequency: ImageFlashFrequency?
        public var flashSize: ImageFlashSize?

        public init(targetOffset: Int = 0, padToSize: Int? = nil, flashMode: ImageFlashMode? = nil,
                    flashFrequency: ImageFlashFrequency? = nil, flashSize: ImageFlashSize? = nil) {
            self.targetOffset = targetOffset
            self.padToSize = padToSize
            self.flashMode = flashMode
            self.flashFrequency = flashFrequency
            self.flashSize = flashSize
        }
    }

    public static let sectorSize = 0x1000

    /// The merged bytes, plus esptool's warnings (an address-0 file that is not an image).
    public static func merge(_ regions: [Region], options: Options = Options()) throws(ImageError) -> (bytes: [UInt8], warnings: [String]) {
        let sorted = regions.sorted { $0.address < $1.address }
        guard let first = sorted.first else {
            throw ImageError(.badRegions, "no input files", hint: "give ADDRESS FILE pairs, e.g. 0x0 boot.bin 0x1000 app.bin")
        }
        // esptool counts whole sectors: two files may not even share a sector.
        var end = 0
        for region in sorted {
            let sectorStart = region.address & ~(sectorSize - 1)
            if sectorStart < end {
                throw ImageError(.badRegions, "detected overlap at address \(hexString(region.address, digits: 1)) for file \(region.name)",
                                 hint: "files are written in whole 4 KB sectors; move it to a free sector")
            }
            end = ((region.address + region.bytes.count + sectorSize - 1) & ~(sectorSize - 1)) - 1
        }
        guard first.address >= options.targetOffset else {
            throw ImageError(.badRegions, "output data target offset is \(hexString(options.targetOffset, digits: 1)); input data offset \(hexString(first.address, digits: 1)) is before it",
                             hint: "lower --target-offset or drop that file")
        }
        var out: [UInt8] = []
        var warnings: [String] = []
        for region in sorted {
            // Never negative: the sector rule above keeps regions apart.
            out += [UInt8](repeating: 0xFF, count: max(0, region.address - options.targetOffset - out.count))
            out += patchedHeader(region, options: options, warnings: &warnings)
        }
        if let padToSize = options.padToSize {
            out += [UInt8](repeating: 0xFF, count: max(0, padToSize - options.targetOffset - out.count))
        }
        return (out, warnings)
    }

    /// esptool `_update_image_flash_params`: only a valid image at the boot offset (0) is changed.
    static func patchedHeader(_ region: Region, options: Options, warnings: inout [String]) -> [UInt8] {
        var bytes = region.bytes
        guard bytes.count >= 8, region.address == 0,
              options.flashMode != nil || options.flashFrequency != nil || options.flashSize != nil else { return bytes }
        guard bytes[0] == ESP8266Image.magic else {
            warnings.append("Image file at 0x0 doesn't look like an image file, so not changing any flash settings.")
            return bytes
        }
        guard (try? ImageInfo(parsing: bytes)) != nil else {
            warnings.append("Image file at 0x0 is not a valid ESP8266 image, so not changing any flash settings.")
            return bytes
        }
        if let mode = options.flashMode { bytes[2] = mode.code }
        let frequency = options.flashFrequency?.code ?? bytes[3] & 0x0F
        let size = options.flashSize?.code ?? bytes[3] & 0xF0
        bytes[3] = size | frequency
        return bytes
    }
}
