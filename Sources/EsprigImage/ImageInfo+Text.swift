extension ImageInfo {
    /// The segments as image-info lists them: for v2 the irom segment first, as stored.
    public var listedSegments: [ImageSegment] {
        (image.iromSegment.map { [$0] } ?? []) + image.ramSegments
    }

    /// Everything esptool would log as a warning (on stderr) for this file: load warnings, then
    /// header fields with no known meaning.
    public var allWarnings: [String] {
        var result = warnings
        let sizeBits = image.sizeFrequencyByte & 0xF0
        if ImageFlashSize(code: sizeBits) == nil { result.append("Invalid flash size (\(hexString(sizeBits, digits: 0)))") }
        let frequencyBits = image.sizeFrequencyByte & 0x0F
        if ImageFlashFrequency(code: frequencyBits) == nil { result.append("Invalid flash frequency (\(hexString(frequencyBits, digits: 0)))") }
        if ImageFlashMode(code: image.flashModeByte) == nil { result.append("Invalid flash mode (\(image.flashModeByte))") }
        return result
    }

    /// esptool 5.6 `image-info` standard output for the same file (`cmds.py` `image_info`,
    /// `_print_image_info`), line for line, without esptool's version banner. Warnings are not
    /// part of it: esptool writes them to stderr (see `allWarnings`).
    public func text() -> String {
        var lines = ["Image size: \(fileSize) bytes", "Detected image type: ESP8266"]
        lines += [""] + titled("ESP8266 Image Header")
        lines.append("Image version: \(image.version.rawValue)")
        if image.entry != 0 {
            let entry = hexString(image.entry, digits: 1)
            lines.append("Entry point: " + String(repeating: " ", count: max(0, 8 - entry.count)) + entry)
        } else {
            lines.append("Entry point not set")
        }
        lines.append("Segments: \(listedSegments.count)")
        if let size = ImageFlashSize(code: image.sizeFrequencyByte & 0xF0) {
            lines.append("Flash size: \(size.rawValue)")
        }
        if let frequency = ImageFlashFrequency(code: image.sizeFrequencyByte & 0x0F) {
            lines.append("Flash freq: \(frequency.rawValue)")
        }
        if let mode = ImageFlashMode(code: image.flashModeByte) {
            lines.append("Flash mode: \(mode.rawValue.uppercased())")
        }
        lines += [""] + titled("Segments Information")
        lines.append("Segment   Length   Load addr   File offs  Memory types")
        lines.append("-------  -------  ----------  ----------  ------------")
        for (index, segment) in listedSegments.enumerated() {
            let number = String(index)
            lines.append(String(repeating: " ", count: max(0, 7 - number.count)) + number
                + "  " + hexString(segment.data.count, digits: 5)
                + "  " + hexString(segment.address, digits: 8)
                + "  " + hexString(segment.fileOffset ?? 0, digits: 8)
                + "  " + segment.memoryTypes.joined(separator: ", "))
        }
        lines += [""] + titled("ESP8266 Image Footer")
        let calculated = image.calculatedChecksum
        let verdict = isChecksumValid ? "valid" : "invalid - calculated " + hexString(calculated, digits: 2)
        lines.append("Checksum: \(hexString(image.checksum, digits: 2)) (\(verdict))")
        return lines.joined(separator: "\n") + "\n"
    }

    private func titled(_ title: String) -> [String] {
        [title, String(repeating: "=", count: title.count)]
    }
}
