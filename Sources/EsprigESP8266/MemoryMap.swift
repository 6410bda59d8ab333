/// Where things are on the ESP8266 (the SDK's ld/eagle.app.v6.ld and eagle.rom.addr.v6.ld, and
/// the technical reference's address map).
public enum MemoryMap {
    /// The mask ROM: its code is written in Swift (`MaskROM`), its vectors are where VECBASE points at reset.
    public static let romBase: UInt32 = 0x4000_0000
    public static let romSize: UInt32 = 0x1_0000
    /// Instruction RAM: 32-bit access only; the image's .text lands here. The upper 32 KiB is
    /// the flash cache's memory once the cache is on, and plain IRAM before (the loader runs
    /// esptool's stubs from there).
    public static let iramBase: UInt32 = 0x4010_0000
    public static let iramSize: UInt32 = 0x1_0000
    /// Data RAM up to the ROM; the ROM's own data sits in its top 16 KiB.
    public static let dramBase: UInt32 = 0x3FFE_8000
    public static let dramSize: UInt32 = 0x1_8000
    /// The flash cache window: one MB of flash, chosen by `Cache_Read_Enable`, 32-bit access only.
    public static let flashWindowBase: UInt32 = 0x4020_0000
    public static let flashWindowSize: UInt32 = 0x10_0000
    /// DPORT (the OTP/eFuse words with the MAC at 0x3FF00050…0x3FF0005C).
    public static let dportBase: UInt32 = 0x3FF0_0000
    public static let dportSize: UInt32 = 0x100
    /// The peripherals: UART0 at +0x000, SPI, GPIO, RTC at +0x700, the watchdog at +0x900.
    public static let peripheralBase: UInt32 = 0x6000_0000
    public static let peripheralSize: UInt32 = 0x1000
    /// Where the ROM leaves the stack pointer when it jumps to the app (top of data RAM, 16-aligned).
    public static let initialStack: UInt32 = 0x3FFF_FFF0

    public static func isRAM(_ address: UInt32, count: UInt32) -> Bool {
        inside(address, count, iramBase, iramSize) || inside(address, count, dramBase, dramSize)
    }

    static func inside(_ address: UInt32, _ count: UInt32, _ base: UInt32, _ size: UInt32) -> Bool {
        let offset = address &- base
        return offset < size && count <= size - offset
    }
}
