import EsprigCodecs
import EsprigProtocol

/// One FLASH_BEGIN/FLASH_DEFL_BEGIN … END operation: where the data goes, how much is expected,
/// and (for the stub) which sectors have been erased so far.
struct FlashWriteSession {
    let offset: Int
    /// Bytes the loader will write: exact for the stub; the ROM writes whole blocks and ignores it.
    let size: Int
    /// Non-nil for FLASH_DEFL_*: blocks are zlib stream pieces.
    let inflater: Inflater?
    /// The stub erases a sector only when data first reaches it; the ROM erased everything in BEGIN.
    let erasesLazily: Bool
    private(set) var written = 0
    private var erasedUpTo: Int
    /// Stub: an inflate or overflow error in a block is reported on the next command, because
    /// the stub acknowledges a block before processing it (esp-flasher-stub double buffering).
    var deferredError: UInt8?

    init(offset: Int, size: Int, compressed: Bool, erasesLazily: Bool) {
        self.offset = offset
        self.size = size
        self.inflater = compressed ? Inflater() : nil
        self.erasesLazily = erasesLazily
        self.erasedUpTo = FlashGeometry.alignDown(offset)
    }

    var remaining: Int { max(0, size - written) }

    /// Programs `data` at the next position (erasing first where lazy); returns the flash busy time.
    mutating func write(_ data: [UInt8], into nor: inout NORFlash) -> Duration {
        let start = offset + written
        let end = start + data.count
        var busy = Duration.zero
        if erasesLazily, end > erasedUpTo {
            let eraseEnd = FlashGeometry.alignUp(end)
            // The new stub skips sectors that already read back blank; only the time differs.
            var sector = erasedUpTo / FlashGeometry.sectorSize
            while sector * FlashGeometry.sectorSize < eraseEnd, sector * FlashGeometry.sectorSize < nor.size {
                if !nor.isBlank(sector: sector) {
                    busy += nor.erase(from: sector * FlashGeometry.sectorSize, to: (sector + 1) * FlashGeometry.sectorSize)
                }
                sector += 1
            }
            erasedUpTo = eraseEnd
        }
        busy += nor.program(data, at: start)
        written += data.count
        return busy
    }
}
