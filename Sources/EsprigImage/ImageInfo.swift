import EsprigProtocol

/// What `image-info` learns from an ESP8266 image file: the image, esptool's warnings, and the
/// v2 CRC (which esptool does not check; we report it).
public struct ImageInfo: Sendable, Equatable {
    public var image: ESP8266Image
    public var fileSize: Int
    /// esptool's warning texts (header disagreements, suspicious segments), in its order.
    public var warnings: [String]
    /// v2 only: the CRC-32 stored after the checksum, and the one the bytes before it give.
    public var storedCRC: UInt32?
    public var calculatedCRC: UInt32?

    public var isChecksumValid: Bool { image.checksum == image.calculatedChecksum }
    public var isCRCValid: Bool? { storedCRC.map { $0 == calculatedCRC } }

    /// Reads an image as esptool's `LoadFirmwareImage("esp8266", ...)` does: magic 0xE9 is v1,
    /// 0xEA is v2. A v2 file's second header wins where the two disagree (with a warning).
    public init(parsing bytes: [UInt8]) throws(ImageError) {
        guard let magic = bytes.first else {
            throw ImageError(.notImage, "the image is empty", hint: "pass a file made by elf2image or the SDK")
        }
        var cursor = Cursor(bytes: bytes)
        var warnings: [String] = []
        let image: ESP8266Image
        switch magic {
        case ESP8266Image.magic:
            let header = try cursor.header()
            let ram = try cursor.segments(count: header.count, warnings: &warnings)
            image = ESP8266Image(parsedVersion: .v1, header: header, irom: nil, ram: ram, checksum: try cursor.checksum())
        case ESP8266Image.magicV2:
            let first = try cursor.header()
            if first.count != ESP8266Image.v2SegmentMarker {
                warnings.append("V2 header has unexpected \"segment\" count \(first.count) (usually 4)")
            }
            var irom = try cursor.segment()
            // Stored with load address 0; it runs at 0x40200000 + flash address + 8 + ...
            irom.address = 0
            guard cursor.peek() == ESP8266Image.magic else {
                throw ImageError(.notImage, "v2 image has no second (0xE9) header at offset \(cursor.offset)",
                                 hint: "the file is damaged or not an ESP8266 image")
            }
            let second = try cursor.header()
            if first.mode != second.mode {
                warnings.append("Flash mode value in first header (\(hexString(first.mode, digits: 2))) disagrees with second (\(hexString(second.mode, digits: 2))). Using second value.")
            }
            if first.sizeFrequency != second.sizeFrequency {
                warnings.append("Flash size/freq value in first header (\(hexString(first.sizeFrequency, digits: 2))) disagrees with second (\(hexString(second.sizeFrequency, digits: 2))). Using second value.")
            }
            if first.entry != second.entry {
                warnings.append("Entrypoint address in first header (\(hexString(first.entry, digits: 8))) disagrees with second header (\(hexString(second.entry, digits: 8))). Using second value.")
            }
            let ram = try cursor.segments(count: second.count, warnings: &warnings)
            image = ESP8266Image(parsedVersion: .v2, header: second, irom: irom, ram: ram, checksum: try cursor.checksum())
            let crcOffset = cursor.offset
            if let stored = bytes.u32LE(at: crcOffset) {
                storedCRC = stored
                calculatedCRC = ESP8266Image.esp8266CRC32(Array(bytes[..<crcOffset]))
            }
        default:
            throw ImageError(.notImage, "not an ESP8266 image (invalid magic number \(hexString(magic, digits: 2)); expected 0xe9 or 0xea)",
                             hint: "pass a file made by elf2image or the SDK's gen_appbin, e.g. the one flashed at 0x0 or 0x1000")
        }
        let total = image.ramSegments.count + (image.iromSegment == nil ? 0 : 1)
        guard total <= ESP8266Image.maxSegments else {
            throw ImageError(.notImage, "invalid segment count \(total) (max \(ESP8266Image.maxSegments))",
                             hint: "usually a linker script problem, or not an image")
        }
        self.image = image
        self.fileSize = bytes.count
        self.warnings = warnings
    }

    /// Reads headers and segments, failing clearly where the file ends early.
    struct Cursor {
        struct Header { var count: UInt8; var mode: UInt8; var sizeFrequency: UInt8; var entry: UInt32 }
        let bytes: [UInt8]
        var offset = 0

        func peek() -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

        mutating func header() throws(ImageError) -> Header {
            guard let entry = bytes.u32LE(at: offset + 4) else {
                throw ImageError(.notImage, "image is truncated: no room for an 8-byte header at offset \(offset)", hint: "the file was cut short")
            }
            defer { offset += 8 }
            return Header(count: bytes[offset + 1], mode: bytes[offset + 2], sizeFrequency: bytes[offset + 3], entry: entry)
        }

        mutating func segment() throws(ImageError) -> ImageSegment {
            let start = offset
            guard let address = bytes.u32LE(at: offset), let size = bytes.u32LE(at: offset + 4) else {
                throw ImageError(.notImage, "image is truncated: no room for a segment header at offset \(offset)", hint: "the file was cut short")
            }
            let dataStart = offset + 8
            guard Int(size) <= bytes.count - dataStart else {
                throw ImageError(.notImage, "end of file reading segment \(hexString(address, digits: 1)), length \(size) (actual length \(bytes.count - dataStart))",
                                 hint: "the file was cut short, or this is not an image")
            }
            offset = dataStart + Int(size)
            return ImageSegment(address: address, data: Array(bytes[dataStart..<offset]), fileOffset: start)
        }

        mutating func segments(count: UInt8, warnings: inout [String]) throws(ImageError) -> [ImageSegment] {
            var result: [ImageSegment] = []
            for _ in 0..<Int(count) {
                let segment = try segment()
                if segment.isSuspicious {
                    warnings.append("Suspicious segment \(hexString(segment.address, digits: 1)), length \(segment.data.count)")
                }
                result.append(segment)
            }
            return result
        }

        /// The checksum is the last byte of the 16-byte block the segments end in.
        mutating func checksum() throws(ImageError) -> UInt8 {
            offset += 15 - offset % 16
            guard offset < bytes.count else {
                throw ImageError(.notImage, "image is truncated: the checksum byte at offset \(offset) is missing", hint: "the file was cut short")
            }
            defer { offset += 1 }
            return bytes[offset]
        }
    }
}

extension ESP8266Image {
    init(parsedVersion: Version, header: ImageInfo.Cursor.Header, irom: ImageSegment?, ram: [ImageSegment], checksum: UInt8) {
        version = parsedVersion
        flashModeByte = header.mode
        sizeFrequencyByte = header.sizeFrequency
        entry = header.entry
        iromSegment = irom
        ramSegments = ram
        self.checksum = checksum
    }
}
