extension ESP8266Image {
    /// What esptool `elf2image --chip esp8266` builds from an ELF: every program section with
    /// an address and a size becomes a segment (padded to 4 bytes, in section-table order, not
    /// sorted), then sections that touch and share a memory type are merged, then the one section
    /// in the flash window becomes the irom part.
    public init(elf: ELFFile, version: Version, flash: ImageFlashSettings = ImageFlashSettings()) throws(ImageError) {
        let candidates = elf.sections.filter { $0.address != 0 && $0.size != 0 && $0.isProgram }
        let segments = Self.mergeAdjacent(candidates.map { section in
            ImageSegment(address: section.address, data: section.data + [UInt8](repeating: 0, count: (4 - section.data.count % 4) % 4))
        })
        let irom = segments.filter(\.isIROM)
        guard irom.count <= 1 else {
            throw ImageError(.badSegments, "found \(irom.count) segments that could be irom0 (\(irom.map { hexString($0.address, digits: 8) }.joined(separator: ", ")))",
                             hint: "the linker script must put all flash code into one .irom0.text output section")
        }
        let ram = segments.filter { !$0.isIROM }
        guard !ram.isEmpty else {
            throw ImageError(.badSegments, "the ELF has no sections to load into RAM (no .text, .data or .rodata with an address)",
                             hint: "check the linker script: the boot loader needs at least the entry code in IRAM")
        }
        guard segments.count <= Self.maxSegments else {
            throw ImageError(.badSegments, "the ELF gives \(segments.count) segments, more than the \(Self.maxSegments) an image can hold",
                             hint: "usually a linker script problem: merge output sections")
        }
        for segment in segments where segment.data.count >= 0x100_0000 {
            throw ImageError(.badSegments, "segment at \(hexString(segment.address, digits: 8)) is \(segment.data.count) bytes, over the 16 MB limit")
        }
        self.init(version: version, flash: flash, entry: elf.entry, iromSegment: irom.first, ramSegments: ram)
    }

    /// esptool `merge_adjacent_segments`: a segment that starts where the previous one ends, in
    /// the same memory type, is appended to it. Gaps are never padded.
    static func mergeAdjacent(_ segments: [ImageSegment]) -> [ImageSegment] {
        var merged: [ImageSegment] = []
        for segment in segments {
            if let last = merged.last,
               UInt64(last.address) + UInt64(last.data.count) == UInt64(segment.address),
               last.memoryTypes == segment.memoryTypes {
                merged[merged.count - 1].data += segment.data
            } else {
                merged.append(segment)
            }
        }
        return merged
    }
}
