/// One segment of a firmware image: a load address and its bytes.
public struct ImageSegment: Sendable, Equatable {
    public var address: UInt32
    public var data: [UInt8]
    /// Where the segment's 8-byte header sits in the file it was read from (nil when built).
    public var fileOffset: Int?

    public init(address: UInt32, data: [UInt8], fileOffset: Int? = nil) {
        self.address = address
        self.data = data
        self.fileOffset = fileOffset
    }

    /// Memory regions this segment starts in, esptool's `ESP8266ROM.MEMORY_MAP` names
    /// (`targets/esp8266.py`); merging and image-info both use them.
    public var memoryTypes: [String] {
        Self.memoryMap.filter { $0.range.contains(address) }.map(\.name)
    }

    static let memoryMap: [(range: Range<UInt32>, name: String)] = [
        (0x3FF0_0000..<0x3FF0_0010, "DPORT"),
        (0x3FFE_8000..<0x4000_0000, "DRAM"),
        (0x4010_0000..<0x4010_8000, "IRAM"),
        (0x4020_1010..<0x402E_1010, "IROM"),
    ]

    /// The window where flash is mapped; a section here is the image's irom part
    /// (esptool `IROM_MAP_START`/`IROM_MAP_END`).
    public static let iromWindow: Range<UInt32> = 0x4020_0000..<0x4030_0000

    public var isIROM: Bool { Self.iromWindow.contains(address) }

    /// esptool's "Suspicious segment" rule for RAM segments read from a file.
    var isSuspicious: Bool {
        address > 0x4020_0000 || address < 0x3FFE_0000 || data.count > 65536
    }
}
