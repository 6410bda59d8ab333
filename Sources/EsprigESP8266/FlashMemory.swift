/// The SPI flash chip as the ESP8266 sees it, through its cache and the ROM's SPI functions.
/// The simulated board owns the bytes (the loader writes the same chip); the machine borrows them.
public protocol FlashMemory: AnyObject {
    var size: Int { get }
    /// `count` bytes from `offset`; nil when the range is not inside the chip.
    func read(_ offset: Int, count: Int) -> [UInt8]?
    /// NOR programming: bits only go from 1 to 0. False when the range is not inside the chip.
    func program(_ bytes: [UInt8], at offset: Int) -> Bool
    /// Sets the 4 KiB sector to 0xFF. False when it is not inside the chip.
    func erase(sector: Int) -> Bool
}
