/// What a UART receiver decodes when the sender runs at a different baud rate (8N1, idle high).
///
/// The ESP8266 ROM prints its boot banner at 74880 baud (a 26 MHz crystal read as 40 MHz), so a
/// host listening at 115200 receives garbage; this reproduces that garbage from the banner text.
public enum UARTResampler {
    /// Bytes a receiver at `heardAt` baud decodes from `bytes` sent back to back at `sentAt`.
    /// A frame whose stop bit samples low (framing error) is delivered as 0x00, as Linux does
    /// without PARMRK, and the receiver then waits for the line to go idle again.
    public static func resample(_ bytes: [UInt8], sentAt: Int, heardAt: Int) -> [UInt8] {
        guard sentAt != heardAt, sentAt > 0, heardAt > 0, !bytes.isEmpty else { return bytes }
        let totalBits = bytes.count * 10
        // Line level during sender bit k: start bit low, 8 data bits LSB first, stop bit high.
        func level(bit k: Int) -> Bool {
            guard k >= 0, k < totalBits else { return true }
            switch k % 10 {
            case 0: return false
            case 9: return true
            case let i: return (bytes[k / 10] >> UInt8(i - 1)) & 1 == 1
            }
        }
        func level(at seconds: Double) -> Bool { level(bit: Int((seconds * Double(sentAt)).rounded(.down))) }

        let rxBit = 1.0 / Double(heardAt)
        var out: [UInt8] = []
        var waitingForIdle = false
        var k = 0
        // Edges only happen on sender bit boundaries, so walk those; k strictly increases.
        while k < totalBits {
            let high = level(bit: k)
            if waitingForIdle {
                if high { waitingForIdle = false }
                k += 1
                continue
            }
            guard !high, level(bit: k - 1) else { k += 1; continue }
            let edge = Double(k) / Double(sentAt)
            guard !level(at: edge + rxBit / 2) else { k += 1; continue }   // too short for a start bit
            var value: UInt8 = 0
            for i in 0..<8 where level(at: edge + rxBit * (1.5 + Double(i))) { value |= 1 << UInt8(i) }
            let stopSample = edge + rxBit * 9.5
            let stopHigh = level(at: stopSample)
            out.append(stopHigh ? value : 0)
            waitingForIdle = !stopHigh
            k = max(k + 1, Int((stopSample * Double(sentAt)).rounded(.up)))
        }
        return out
    }
}
