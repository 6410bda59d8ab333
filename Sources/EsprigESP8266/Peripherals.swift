import EsprigXtensa

/// The device registers firmware touches, on the core's bus: DPORT's OTP words (the board's MAC,
/// answered by the board's own register model so that firmware and esptool read the same
/// values), UART0 and the hardware watchdog. Other peripheral registers read as 0 and ignore
/// writes, which is what firmware that only configures them expects.
final class Peripherals: Bus {
    /// UART0 (technical reference, UART registers): FIFO at +0x00, status at +0x1C, clock divider at +0x14.
    static let uartFIFO: UInt32 = 0x6000_0000
    static let uartClockDivider: UInt32 = 0x6000_0014
    static let uartStatus: UInt32 = 0x6000_001C
    /// The hardware watchdog: bit 0 of WDT_CTL enables it; writing 0x73 to WDT_RST feeds it.
    static let watchdogControl: UInt32 = 0x6000_0900
    static let watchdogFeed: UInt32 = 0x6000_0914
    static let watchdogFeedValue: UInt32 = 0x73

    let deviceRegister: (UInt32) -> UInt32?
    /// Bytes the firmware wrote to the FIFO register since the machine last collected them.
    var fifoWrites: [UInt8] = []
    var clockDivider: UInt32
    var watchdogEnabled = true
    var watchdogFed = false

    init(clockDivider: UInt32, deviceRegister: @escaping (UInt32) -> UInt32?) {
        self.clockDivider = clockDivider
        self.deviceRegister = deviceRegister
    }

    func load(_ address: UInt32, size: Int) -> UInt32? {
        switch address {
        case Self.uartClockDivider: return clockDivider
        // TX FIFO count (bits 16–23) stays 0: the machine paces the line itself.
        case Self.uartStatus: return 0
        case Self.watchdogControl: return watchdogEnabled ? 1 : 0
        default:
            if address >= MemoryMap.dportBase && address < MemoryMap.dportBase + MemoryMap.dportSize {
                return deviceRegister(address & ~3) ?? 0
            }
            return 0
        }
    }

    func store(_ address: UInt32, value: UInt32, size: Int) -> Bool {
        switch address {
        case Self.uartFIFO: fifoWrites.append(UInt8(truncatingIfNeeded: value))
        case Self.uartClockDivider: clockDivider = value & 0xF_FFFF
        case Self.watchdogControl: watchdogEnabled = value & 1 != 0
        case Self.watchdogFeed where value == Self.watchdogFeedValue: watchdogFed = true
        default: break
        }
        return true
    }
}
