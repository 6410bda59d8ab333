import EsprigProtocol
import EsprigSimulator
import EsprigTestSupport
import Foundation
import Testing

/// esptool's memory and flash-status commands, run by both tools on the same simulated board:
/// the same lines, the same dumped bytes, the same status register afterwards.
@Suite("read-mem, write-mem, dump-mem and flash status against esptool")
struct MemoryCommandTests {
    /// One chip per SPI/eFuse layout family.
    static let chips: [Chip] = [.esp8266, .esp32, .esp32c3, .esp32s3]

    static func line(_ prefix: String, in output: String) -> String? {
        output.split(separator: "\n").map(String.init).first { $0.hasPrefix(prefix) || $0.contains(prefix) }
    }

    @Test("both tools print and store the same", arguments: chips)
    func sameAsEsptool(chip: Chip) throws {
        let bench = try EsptoolBench(chip: chip, transport: .tcp, seed: 31)
        let esprig = try ToolRunner.locateEsprig()
        func ours(_ args: [String]) throws -> String {
            bench.resetIntoLoader()
            let r = try esprig.run(["-p", bench.server.address, "--before", "no-reset", "--after", "no-reset"] + args, timeout: .seconds(60))
            #expect(r.status == 0, "esprig \(args.joined(separator: " ")):\n\(r.output)")
            return r.output
        }
        func theirs(_ args: [String]) throws -> String {
            bench.resetIntoLoader()
            return try bench.esptool(args, chipArgument: nil)
        }
        // A word that identifies the chip: its MAC eFuse word (ESP8266: OTP MAC1), else the magic.
        let address: UInt32
        switch chip.spec.identity {
        case .eFuse(let layout): address = layout.macWord
        case .esp8266OTP: address = 0x3FF0_0054
        case .esp32EFuse: address = 0x3FF5_A004
        }
        let hex = String(format: "0x%08x", address)
        let ourWord = try ours(["read-mem", hex]), theirWord = try theirs(["read-mem", hex])
        #expect(Self.line("\(hex) = ", in: ourWord) != nil)
        #expect(Self.line("\(hex) = ", in: ourWord) == Self.line("\(hex) = ", in: theirWord))

        let ourDump = bench.directory.file("ours.bin"), theirDump = bench.directory.file("theirs.bin")
        _ = try ours(["dump-mem", hex, "32", ourDump])
        _ = try theirs(["dump-mem", hex, "32", theirDump])
        let dumped = try Data(contentsOf: URL(fileURLWithPath: ourDump)), reference = try Data(contentsOf: URL(fileURLWithPath: theirDump))
        #expect(dumped.count == 32 && dumped == reference)

        // SFDP from a non-zero address (the address path of the SPI user command).
        let ourSFDP = try ours(["read-flash-sfdp", "4", "4"]), theirSFDP = try theirs(["read-flash-sfdp", "4", "4"])
        #expect(Self.line("Flash memory SFDP[4..7]:", in: ourSFDP) != nil)
        #expect(Self.line("Flash memory SFDP[4..7]:", in: ourSFDP) == Self.line("Flash memory SFDP[4..7]:", in: theirSFDP))

        // A RAM-ish word both tools write, each then read back by the other.
        let scratch = String(format: "0x%08x", chip.spec.spi.w0Address + 0x20)
        let wrote = try ours(["write-mem", scratch, "0x1234abcd", "0x0000ffff"])
        #expect(Self.line("Wrote", in: wrote) == "Wrote 0x1234abcd with mask 0x0000ffff to \(scratch).")
        let readBack = try theirs(["read-mem", scratch])
        #expect(Self.line("\(scratch) = ", in: readBack) == "\(scratch) = 0x0000abcd")

        // The flash status register: esprig writes (non-volatile), esptool reads, and back.
        let written = try ours(["write-flash-status", "--bytes", "2", "--non-volatile", "0x0202"])
        #expect(Self.line("After flash memory status:", in: written) == "After flash memory status:   0x0202", "\(written)")
        let theirStatus = try theirs(["read-flash-status", "--bytes", "2"])
        #expect(Self.line("Flash memory status:", in: theirStatus) == "Flash memory status: 0x0202")
        _ = try theirs(["write-flash-status", "--bytes", "1", "--non-volatile", "0x00"])
        let ourStatus = try ours(["read-flash-status", "--bytes", "2"])
        #expect(Self.line("Flash memory status:", in: ourStatus) == "Flash memory status: 0x0200")
    }
}
