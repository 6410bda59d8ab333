import EsprigProtocol

/// A firmware image as esptool's `LoadFirmwareImage(chip, data)` reads it for `load-ram`: the
/// entry point and every segment in file order. ESP8266: v1, or v2 whose irom part is segment 0
/// at address 0 (as esptool keeps it); ESP32 family (esptool `ESP32FirmwareImage`): the 8-byte
/// header, a 16-byte extended header with the chip id, the segments, the checksum, and an
/// optional SHA-256 that nothing here needs.
public struct FirmwareImage: Sendable, Equatable {
    public var entry: UInt32
    public var segments: [ImageSegment]
    /// The extended header's chip id (`IMAGE_CHIP_ID`); nil for ESP8266 images, which have none.
    public var chipID: UInt16?

    public init(entry: UInt32, segments: [ImageSegment], chipID: UInt16?) {
        self.entry = entry
        self.segments = segments
        self.chipID = chipID
    }

    /// Reads `bytes` in the image format of `chip`.
    public init(parsing bytes: [UInt8], for chip: Chip) throws(ImageError) {
        guard chip.spec.imageChipID != nil else {
            let info = try ImageInfo(parsing: bytes)
            self.init(entry: info.image.entry, segments: (info.image.iromSegment.map { [$0] } ?? []) + info.image.ramSegments, chipID: nil)
            return
        }
        guard let magic = bytes.first else {
            throw ImageError(.notImage, "the image is empty", hint: "pass a file made by elf2image for the \(chip.spec.displayName)")
        }
        guard magic == ESP8266Image.magic else {
            throw ImageError(.notImage, "not an \(chip.spec.displayName) image (invalid magic number \(hexString(magic, digits: 2)); expected 0xe9)",
                             hint: "pass a file made by elf2image for the \(chip.spec.displayName)")
        }
        var cursor = ImageInfo.Cursor(bytes: bytes)
        let header = try cursor.header()
        guard bytes.count >= cursor.offset + 16 else {
            throw ImageError(.notImage, "image is truncated: no room for the 16-byte extended header", hint: "the file was cut short")
        }
        let extended = Array(bytes[cursor.offset..<cursor.offset + 16])
        cursor.offset += 16
        // esptool refuses any other value of the "hash appended" byte.
        guard extended[15] <= 1 else {
            throw ImageError(.notImage, "invalid value for the append_digest field (\(hexString(extended[15], digits: 2))); should be 0 or 1",
                             hint: "the file is damaged or not an \(chip.spec.displayName) image")
        }
        var segments: [ImageSegment] = []
        for _ in 0..<Int(header.count) { segments.append(try cursor.segment()) }
        _ = try cursor.checksum()
        guard segments.count <= ESP8266Image.maxSegments else {
            throw ImageError(.notImage, "invalid segment count \(segments.count) (max \(ESP8266Image.maxSegments))",
                             hint: "usually a linker script problem, or not an image")
        }
        self.init(entry: header.entry, segments: segments, chipID: UInt16(extended[4]) | UInt16(extended[5]) << 8)
    }

    /// Why this image cannot be run from `chip`'s RAM, or nil: an image for another chip (its
    /// header's chip id), or a segment that does not lie inside one of the chip's RAM ranges
    /// (flash-mapped code, the ESP8266 v2 irom part). esptool only warns about the first and
    /// sends the second anyway, which leaves the chip running garbage.
    public func ramLoadProblem(on chip: Chip) -> ImageError? {
        let spec = chip.spec
        if let want = spec.imageChipID, let have = chipID, have != want {
            let owner = Chip.allCases.first { $0.spec.imageChipID == have }.map { "the \($0.spec.displayName)" } ?? "chip id \(have)"
            return ImageError(.notImage, "an image for \(owner), not for the \(spec.displayName)",
                              hint: "build it for the \(spec.displayName) (elf2image --chip \(chip.rawValue)), or connect the board it is for")
        }
        if segments.isEmpty {
            return ImageError(.notImage, "the image has no segments to load", hint: "pass an image made by elf2image from a RAM-only ELF")
        }
        for segment in segments {
            let start = segment.address, end = UInt64(segment.address) + UInt64(segment.data.count)
            guard !spec.ramRanges.contains(where: { $0.lowerBound <= start && end <= UInt64($0.upperBound) }) else { continue }
            let ranges = spec.ramRanges.map { String(format: "0x%08x-0x%08x", $0.lowerBound, $0.upperBound) }.joined(separator: ", ")
            return ImageError(.badSegments, String(format: "the segment at 0x%08x-0x%08llx lies outside the %@'s RAM (%@)", start, end, spec.displayName, ranges),
                              hint: "load-ram runs images whose segments all load to RAM; flash the image with write-flash instead")
        }
        return nil
    }
}
