/// What the ESP8266 ROM prints while it loads the v1 image at flash offset 0 (protocol.md §12):
/// per segment `load ADDR, len N, room R`, `tail T`, `chksum 0xCC` (running 0xEF-XOR), `ho 0
/// tail T room R` when the next 8-byte header does not fit in the 16-byte read chunk, then
/// `csum 0xCC` (the image's checksum byte). A bad image ends in `ets_main.c` and a halted chip.
enum ROMFlashBootLog {
    struct Log: Equatable {
        var text: String
        /// The image loaded and its checksum matched: the app starts.
        var boots: Bool
    }

    static func log(flash: [UInt8]) -> Log {
        let halt = "ets_main.c \r\n"
        guard flash.count >= 8, flash[0] == 0xE9 else { return Log(text: halt, boots: false) }
        let count = Int(flash[1])
        var offset = 8
        var checksum: UInt8 = 0xEF
        var text = ""
        for index in 0..<count {
            guard offset + 8 <= flash.count else { return Log(text: text + halt, boots: false) }
            let address = word(flash, offset)
            let length = Int(word(flash, offset + 4))
            let dataStart = offset + 8
            guard length <= flash.count - dataStart else { return Log(text: text + halt, boots: false) }
            let end = dataStart + length
            text += "load 0x\(hex(address, 8)), len \(length), room \(16 - dataStart % 16)\r\n"
            for byte in flash[dataStart..<end] { checksum ^= byte }
            let tail = end % 16
            text += "tail \(tail)\r\nchksum 0x\(hex(UInt32(checksum), 2))\r\n"
            if index < count - 1, 16 - tail < 8 {
                text += "ho 0 tail \(tail) room \(16 - tail)\r\n"
            }
            offset = end
        }
        // The checksum byte is the last byte of the 16-byte block after the segments.
        let checksumOffset = (offset / 16) * 16 + 15
        guard checksumOffset < flash.count else { return Log(text: text + halt, boots: false) }
        let stored = flash[checksumOffset]
        text += "csum 0x\(hex(UInt32(stored), 2))\r\n"
        guard stored == checksum else { return Log(text: text + "csum err\r\n" + halt, boots: false) }
        return Log(text: text, boots: true)
    }

    private static func word(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }

    private static func hex(_ value: UInt32, _ width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
