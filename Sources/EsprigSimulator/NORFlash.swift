import EsprigProtocol

/// A NOR flash chip: erase sets whole 4 KiB sectors to 0xFF, programming can only clear bits
/// (the new byte is ANDed into the old one). Each operation returns how long the chip is busy.
struct NORFlash {
    private(set) var bytes: [UInt8]
    let timing: FlashTiming

    init(size: Int, contents: [UInt8] = []) {
        var bytes = [UInt8](repeating: 0xFF, count: size)
        bytes.replaceSubrange(0..<min(size, contents.count), with: contents.prefix(size))
        self.bytes = bytes
        self.timing = FlashTiming()
    }

    var size: Int { bytes.count }

    func contains(_ offset: Int, count: Int) -> Bool {
        offset >= 0 && count >= 0 && offset + count <= bytes.count
    }

    func read(_ offset: Int, count: Int) -> [UInt8] {
        guard count > 0 else { return [] }
        return (0..<count).map { i in offset + i < bytes.count ? bytes[offset + i] : 0xFF }
    }

    func isBlank(sector: Int) -> Bool {
        let start = sector * FlashGeometry.sectorSize
        return bytes[start..<start + FlashGeometry.sectorSize].allSatisfy { $0 == 0xFF }
    }

    /// Erases every sector overlapping [start, end); uses 64 KiB block erases where a whole
    /// aligned block is covered, as the ROM and stub erase routines do.
    @discardableResult
    mutating func erase(from start: Int, to end: Int) -> Duration {
        var addr = FlashGeometry.alignDown(max(0, start))
        let stop = min(bytes.count, FlashGeometry.alignUp(end))
        var busy = Duration.zero
        while addr < stop {
            let blockFits = addr % FlashGeometry.blockSize64K == 0 && addr + FlashGeometry.blockSize64K <= stop
            let length = blockFits ? FlashGeometry.blockSize64K : FlashGeometry.sectorSize
            bytes.replaceSubrange(addr..<addr + length, with: repeatElement(0xFF, count: length))
            busy += blockFits ? timing.blockErase : timing.sectorErase
            addr += length
        }
        return busy
    }

    mutating func eraseChip() -> Duration {
        bytes = [UInt8](repeating: 0xFF, count: bytes.count)
        return timing.chipErase
    }

    /// Programs `data` at `offset` (bits only go 1 → 0); the time counts each 256-byte page touched.
    @discardableResult
    mutating func program(_ data: some Collection<UInt8>, at offset: Int) -> Duration {
        guard !data.isEmpty else { return .zero }
        var i = offset
        for b in data where i < bytes.count {
            bytes[i] &= b
            i += 1
        }
        let firstPage = offset / FlashTiming.pageSize
        let lastPage = (offset + data.count - 1) / FlashTiming.pageSize
        return timing.pageProgram * (lastPage - firstPage + 1)
    }
}

/// Typical busy times of a Winbond W25Q32FV (datasheet, "AC Electrical Characteristics", typ column):
/// page program tPP 0.7 ms, sector erase (4 KB) tSE 45 ms, block erase (64 KB) tBE2 150 ms,
/// chip erase tCE 10 s. The ESP8266/ESP32 modules this simulates commonly carry this part family.
struct FlashTiming {
    static let pageSize = 256
    var pageProgram = Duration.microseconds(700)
    var sectorErase = Duration.milliseconds(45)
    var blockErase = Duration.milliseconds(150)
    var chipErase = Duration.seconds(10)
}
