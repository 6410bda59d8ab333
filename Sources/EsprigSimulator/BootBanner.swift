import EsprigProtocol

/// Why the chip last reset, as the ROM banner reports it.
public enum ResetCause: Sendable, Equatable {
    case powerOn, externalPin, software, watchdog

    /// The number the ESP8266 ROM prints as `rst cause` (and `rtc_get_reset_reason` returns).
    var romCode: UInt32 {
        switch self {
        case .powerOn: 1
        case .externalPin: 2
        case .software: 3
        case .watchdog: 4
        }
    }
}

/// The ROM's first words after a reset (protocol.md §12). The ESP8266 prints them at 74880 baud
/// (115200 × 26/40: the ROM assumes a 40 MHz crystal on a 26 MHz part), the ESP32 at 115200.
enum BootBanner {
    static func baud(for chip: Chip) -> Int { chip.spec.bootBannerBaud ?? 115_200 }

    static func text(chip: Chip, download: Bool, cause: ResetCause) -> [UInt8] {
        switch chip {
        case .esp8266:
            let code = cause.romCode
            let mode = download ? "(1,7)\r\n" : "(3,6)\r\n\r\n"
            return Array("\r\n ets Jan  8 2013,rst cause:\(code), boot mode:\(mode)".utf8)
        default:
            let reset: String
            switch cause {
            case .powerOn, .externalPin: reset = "rst:0x1 (POWERON_RESET)"
            case .software: reset = "rst:0xc (SW_CPU_RESET)"
            case .watchdog: reset = "rst:0x10 (RTCWDT_RTC_RESET)"
            }
            let boot = download
                ? "boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\nwaiting for download\r\n"
                : "boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n"
            return Array("ets Jun  8 2016 00:22:57\r\n\r\n\(reset),\(boot)".utf8)
        }
    }
}
