@testable import EsprigESP8266

/// A flash chip in an array, for machines driven without a simulated board.
final class ArrayFlash: FlashMemory {
    var bytes: [UInt8]
    init(size: Int = 0x10_0000) { bytes = [UInt8](repeating: 0xFF, count: size) }

    var size: Int { bytes.count }

    func read(_ offset: Int, count: Int) -> [UInt8]? {
        guard offset >= 0, count >= 0, offset + count <= bytes.count else { return nil }
        return Array(bytes[offset..<offset + count])
    }

    func program(_ data: [UInt8], at offset: Int) -> Bool {
        guard offset >= 0, offset + data.count <= bytes.count else { return false }
        for (i, byte) in data.enumerated() { bytes[offset + i] &= byte }
        return true
    }

    func erase(sector: Int) -> Bool {
        guard sector >= 0, (sector + 1) * 4096 <= bytes.count else { return false }
        bytes.replaceSubrange(sector * 4096..<(sector + 1) * 4096, with: repeatElement(0xFF, count: 4096))
        return true
    }
}

extension ESP8266Machine {
    /// A machine on an erased 1 MB flash whose OTP reads answer nothing.
    static func bare(flash: ArrayFlash = ArrayFlash()) -> ESP8266Machine {
        ESP8266Machine(flash: flash, deviceRegister: { _ in nil })
    }

    /// Everything it sent, in order, with its events.
    func runAll(for duration: Duration, maxCycles: Int = 50_000_000) -> (text: String, events: [Event]) {
        let events = run(until: duration, maxCycles: maxCycles)
        var bytes: [UInt8] = []
        for event in events {
            switch event {
            case .output(let b, _): bytes += b
            case .stopped(let message, _): bytes += Array(message.utf8)
            default: break
            }
        }
        return (String(decoding: bytes, as: UTF8.self), events)
    }
}

/// Xtensa encodings for the few instructions the tests place by hand (ISA reference, RRI8 and
/// CALLX formats; little-endian, three bytes each).
enum Encode {
    /// s32i at, as, offset×4
    static func s32i(t: UInt8, s: UInt8, wordOffset: UInt8 = 0) -> [UInt8] { [t << 4 | 0x2, 0x60 | s, wordOffset] }
    /// ret (jx a0)
    static let ret: [UInt8] = [0x80, 0x00, 0x00]
    /// j . (CALL format, op0 6, n 0, offset −4 from pc + 4)
    static let jumpToSelf: [UInt8] = [0x06, 0xFF, 0xFF]
    /// rsil at, level (RRR: op0 0, op1 0, op2 0, r 6, s level)
    static func rsil(t: UInt8, level: UInt8) -> [UInt8] { [t << 4, 0x60 | level, 0x00] }
}
