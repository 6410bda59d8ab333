import EsprigImage
import EsprigSimulator
import EsprigTestSupport
import Foundation
import Testing

/// The simulated ESP8266 runs what its flash holds: the demo firmware built from
/// Firmware/esp8266-demo, booted by the ROM path after an external reset. Every expectation is
/// worked out from the inputs (the MAC, sector bytes the test writes, the ELF's symbols from
/// binutils' nm), never from an earlier run's output.
@Suite("Simulated ESP8266 executing its flash", .enabled(if: FirmwareBuild.toolchainAvailable, "xtensa-lx106-elf-gcc not found: scripts/setup.sh installs it"))
struct ExecutingBoardTests {
    /// The demo's v1 image over an erased 4 MB chip: RAM part at 0x0, irom at 0x10000.
    static func demoFlash() throws -> [UInt8] {
        let elf = try FirmwareBuild.demo().elf
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: elf)))
        var flash = [UInt8](repeating: 0xFF, count: 0x40_0000)
        for file in try Elf2Image.convert(elf: bytes, elfPath: elf, options: .init()).files {
            flash.replaceSubrange(file.flashOffset..<file.flashOffset + file.bytes.count, with: file.bytes)
        }
        return flash
    }

    /// What the board sends after an external reset into flash boot, until `until` shows up or
    /// `limit` of board time has passed (bounded either way).
    static func boot(_ flash: [UInt8], mac: [UInt8] = [0x84, 0x0D, 0x8E, 0x76, 0x81, 0x5E], until: String? = "esprig-demo: ready",
                     limit: Duration = .seconds(3)) throws -> String {
        let directory = try TempDirectory(prefix: "executing-board")
        try Data(flash).write(to: URL(fileURLWithPath: directory.file("flash.bin")))
        var options = SimulatorOptions(chip: .esp8266)
        options.imagePath = directory.file("flash.bin")
        options.flashSize = flash.count
        options.mac = mac
        let board = try SimulatedBoard(options: options)
        var out = board.setLines(dtr: false, rts: true, now: .zero)
        var now = Duration.milliseconds(10)
        out += board.setLines(dtr: false, rts: false, now: now)
        func text() -> String { String(decoding: out.transmittedBytes, as: UTF8.self) }
        while now < limit {
            if let until, text().contains(until) { break }
            guard let next = board.nextScheduledEvent else { break }
            now = max(next, now + .milliseconds(1))
            out += board.advance(to: now)
        }
        return text()
    }

    /// A v1 image with no segments whose entry is the ROM's idle loop (ets_run): it returns at
    /// once and leaves the watchdog armed. Checksum byte 0xEF at offset 15 (no data).
    static func watchdogArmedImage() -> [UInt8] {
        var flash = [UInt8](repeating: 0xFF, count: 0x10_0000)
        flash.replaceSubrange(0..<16, with: [0xE9, 0, 0, 0, 0x04, 0x0E, 0x00, 0x40] + [UInt8](repeating: 0, count: 7) + [0xEF])
        return flash
    }

    static func fnv1a(_ bytes: [UInt8]) -> String {
        String(format: "0x%08x", bytes.reduce(UInt32(0x811C_9DC5)) { ($0 ^ UInt32($1)) &* 0x0100_0193 })
    }

    /// A cert sector in the SDK's format: 32-byte NUL-padded name, u16 LE length, payload; erased after.
    static func sector(_ entries: [(String, [UInt8])]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (name, payload) in entries {
            bytes += Array(name.utf8) + [UInt8](repeating: 0, count: 32 - name.utf8.count)
            bytes += [UInt8(payload.count & 0xFF), UInt8(payload.count >> 8)] + payload
        }
        return bytes + [UInt8](repeating: 0xFF, count: 4096 - bytes.count)
    }

    @Test("the demo prints the chip id of the board's own MAC: two boards, two ids")
    func chipIDFromMAC() throws {
        let flash = try Self.demoFlash()
        for mac: [UInt8] in [[0x18, 0xFE, 0x34, 0x01, 0x02, 0x03], [0x5C, 0xCF, 0x7F, 0xA0, 0xB1, 0xC2]] {
            let output = try Self.boot(flash, mac: mac)
            // esptool's chip_id() on an ESP8266: the MAC's last three bytes.
            let chipID = String(format: "chip_id=0x00%02x%02x%02x", mac[3], mac[4], mac[5])
            #expect(output.contains(chipID), "\(output)")
            #expect(output.contains("esprig-demo: ready"), "\(output)")
        }
    }

    @Test("sectors at 0x77000/0x78000 are listed with their names, lengths and FNV-1a; the same sector at 0x76000 is not")
    func certificateSectors() throws {
        var random = SeededRandom(seed: 77)
        let ca = (0..<733).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let key = (0..<608).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let certificate = (0..<812).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        var flash = try Self.demoFlash()
        flash.replaceSubrange(0x77000..<0x78000, with: Self.sector([("ca.crt", ca)]))
        flash.replaceSubrange(0x78000..<0x79000, with: Self.sector([("private_key", key), ("certificate", certificate)]))
        let output = try Self.boot(flash)
        for line in ["cert ca entry=0 name=ca.crt length=733 fnv1a=\(Self.fnv1a(ca))", "cert ca entries=1",
                     "cert client entry=0 name=private_key length=608 fnv1a=\(Self.fnv1a(key))",
                     "cert client entry=1 name=certificate length=812 fnv1a=\(Self.fnv1a(certificate))", "cert client entries=2"] {
            #expect(output.contains(line + "\r\n"), "missing '\(line)' in:\n\(output)")
        }

        var moved = try Self.demoFlash()
        moved.replaceSubrange(0x76000..<0x77000, with: Self.sector([("ca.crt", ca)]))
        let elsewhere = try Self.boot(moved)
        #expect(elsewhere.contains("cert ca entries=0"), "\(elsewhere)")
        #expect(!elsewhere.contains("name=ca.crt"), "\(elsewhere)")
    }

    @Test("a corrupted instruction in irom0 code crashes the board with the ROM's exception dump at that address")
    func corruptedCode() throws {
        let elf = try FirmwareBuild.demo().elf
        let nm = try ToolRunner(executable: "/usr/bin/xtensa-lx106-elf-nm").run([elf], timeout: .seconds(30))
        let line = try #require(nm.output.split(separator: "\n").first { $0.hasSuffix(" demo_main") }, "\(nm.output)")
        let address = try #require(UInt32(line.prefix(8), radix: 16))
        var flash = try Self.demoFlash()
        // 0x000000 is ILL: IllegalInstruction, cause 0 (Xtensa ISA).
        let offset = Int(address - 0x4020_0000)
        flash.replaceSubrange(offset..<offset + 3, with: [0, 0, 0])
        let output = try Self.boot(flash, until: "depc=")
        #expect(output.contains("esprig-demo: booted") == false, "\(output)")
        #expect(output.contains("Fatal exception (0): \r\nepc1=0x\(String(address, radix: 16))"), "\(output)")
    }

    @Test("an image whose app never disables the watchdog is reset by it: rst cause:4, and the ROM boots it again")
    func watchdogReset() throws {
        let flash = Self.watchdogArmedImage()
        let output = try Self.boot(flash, until: "rst cause:4", limit: .seconds(4))
        #expect(output.contains("rst cause:2, boot mode:(3,6)"), "\(output)")
        #expect(output.contains("rst cause:4, boot mode:(3,6)"), "\(output)")
    }

    @Test("with no host on the line the core is paused: the watchdog bites only after 1.6 s of connected time")
    func pausedWithoutHost() throws {
        let flash = Self.watchdogArmedImage()
        let directory = try TempDirectory(prefix: "paused-board")
        try Data(flash).write(to: URL(fileURLWithPath: directory.file("flash.bin")))
        var options = SimulatorOptions(chip: .esp8266)
        options.imagePath = directory.file("flash.bin")
        options.flashSize = flash.count
        let board = try SimulatedBoard(options: options)
        var out = board.setLines(dtr: false, rts: true, now: .zero)
        out += board.setLines(dtr: false, rts: false, now: .milliseconds(10))
        out += board.advance(to: .milliseconds(600))
        board.setHostConnected(false, now: .milliseconds(600))
        #expect(board.nextScheduledEvent == nil, "a paused core needs no wake-up")
        out += board.advance(to: .seconds(5))
        #expect(!String(decoding: out.transmittedBytes, as: UTF8.self).contains("rst cause:4"))
        board.setHostConnected(true, now: .seconds(5))
        // Booted at 0.11 s (banner + the ROM's 100 ms), ran 0.49 s before the pause: the rest of
        // the 1.6 s runs out at 5 s + 1.11 s.
        let bite = try #require(board.nextScheduledEvent)
        #expect(bite > .milliseconds(6_100) && bite < .milliseconds(6_120), "\(bite)")
        out += board.advance(to: .seconds(7))
        #expect(String(decoding: out.transmittedBytes, as: UTF8.self).contains("rst cause:4"))
    }
}
