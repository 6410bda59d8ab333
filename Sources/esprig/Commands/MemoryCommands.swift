import ArgumentParser
import Foundation
import EsprigLoader
import EsprigProtocol
import EsprigWorkflows

/// esptool's memory and flash-status commands, with its names, arguments and wording.
extension Esprig {
    struct ReadMem: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "read-mem", abstract: "Read a 32-bit word of memory (a register).")
        @OptionGroup(title: "Connection") var connection: ConnectionOptions
        @OptionGroup(title: "Output") var output: OutputOptions
        @Argument(help: "Address, word-aligned.") var address: String

        func run() throws {
            let at = try word(address, "address", json: output.json)
            try BoardCommand.run(connection: connection, output: output, command: "read-mem") { session, reporter in
                let value = try session.connection.readRegister(at)
                reporter.say(String(format: "0x%08x = 0x%08x", at, value))
                return WordFields(address: String(format: "0x%08x", at), value: String(format: "0x%08x", value))
            }
        }
    }

    struct WriteMem: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "write-mem", abstract: "Write a 32-bit word of memory (a register), under a mask.")
        @OptionGroup(title: "Connection") var connection: ConnectionOptions
        @OptionGroup(title: "Output") var output: OutputOptions
        @Argument(help: "Address, word-aligned.") var address: String
        @Argument(help: "Value.") var value: String
        @Argument(help: "Bits to change (default all).") var mask: String = "0xFFFFFFFF"

        func run() throws {
            let json = output.json
            let at = try word(address, "address", json: json), v = try word(value, "value", json: json), m = try word(mask, "mask", json: json)
            try BoardCommand.run(connection: connection, output: output, command: "write-mem") { session, reporter in
                try session.connection.writeRegister(at, v, mask: m)
                reporter.say(String(format: "Wrote 0x%08x with mask 0x%08x to 0x%08x.", v, m, at))
                return WordFields(address: String(format: "0x%08x", at), value: String(format: "0x%08x", v), mask: String(format: "0x%08x", m))
            }
        }
    }

    struct DumpMem: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "dump-mem", abstract: "Dump memory to a file, one word at a time.")
        @OptionGroup(title: "Connection") var connection: ConnectionOptions
        @OptionGroup(title: "Output") var output: OutputOptions
        @Argument(help: "Start address, word-aligned.") var address: String
        @Argument(help: "Bytes to dump (a multiple of 4).") var size: String
        @Argument(help: "Output file.") var file: String

        func run() throws {
            let json = output.json
            let start = try word(address, "address", json: json), count = try word(size, "size", json: json)
            guard count > 0, count % 4 == 0 else {
                throw CLIFailure(code: "usage", message: "size \(size) must be a positive multiple of 4", status: ExitStatus.usage).exit(json: json)
            }
            try BoardCommand.run(connection: connection, output: output, command: "dump-mem") { session, reporter in
                reporter.say(String(format: "Dumping %d bytes from 0x%08x to file '%@'...", count, start, file))
                let clock = ContinuousClock(), began = clock.now
                var data: [UInt8] = []
                data.reserveCapacity(Int(count))
                for offset in stride(from: UInt32(0), to: count, by: 4) {
                    data.appendLE(try session.connection.readRegister(start + offset))
                }
                let seconds = Double((clock.now - began).components.attoseconds) / 1e18 + Double((clock.now - began).components.seconds)
                try writeOutputFile(file, data)
                let speed = seconds > 0 ? String(format: " (%.1f kbit/s)", Double(data.count) / seconds * 8 / 1000) : ""
                reporter.say(String(format: "Dumped %d bytes from 0x%08x in %.1f seconds%@ to '%@'.", data.count, start, seconds, speed, file))
                return FileFields(address: String(format: "0x%08x", start), size: data.count, file: file)
            }
        }
    }

    struct ReadFlashStatus: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "read-flash-status", abstract: "Read the SPI flash status register.")
        @OptionGroup(title: "Connection") var connection: ConnectionOptions
        @OptionGroup(title: "Output") var output: OutputOptions
        @Option(help: "Status bytes to read: 1, 2 or 3.") var bytes: Int = 2

        func validate() throws { if !(1...3).contains(bytes) { throw ValidationError("--bytes must be 1, 2 or 3") } }

        func run() throws {
            try BoardCommand.run(connection: connection, output: output, command: "read-flash-status") { session, reporter in
                let status = try session.connection.flashStatus(bytes: bytes)
                reporter.say(String(format: "Flash memory status: 0x%04x", status))
                return FlashStatusFields(status: Int(status), bytes: bytes)
            }
        }
    }

    struct WriteFlashStatus: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "write-flash-status", abstract: "Write the SPI flash status register (volatile unless --non-volatile).")
        @OptionGroup(title: "Connection") var connection: ConnectionOptions
        @OptionGroup(title: "Output") var output: OutputOptions
        @Option(help: "Status bytes to write: 1, 2 or 3.") var bytes: Int = 2
        @Flag(name: .customLong("non-volatile"), help: "Write the non-volatile bits too (WREN instead of the volatile-write enable).")
        var nonVolatile = false
        @Argument(help: "New status value.") var value: String

        func validate() throws { if !(1...3).contains(bytes) { throw ValidationError("--bytes must be 1, 2 or 3") } }

        func run() throws {
            let v = try word(value, "value", json: output.json)
            guard v < 1 << (8 * UInt32(bytes)) else {
                throw CLIFailure(code: "usage", message: "status \(value) does not fit in \(bytes) byte(s)", status: ExitStatus.usage).exit(json: output.json)
            }
            try BoardCommand.run(connection: connection, output: output, command: "write-flash-status") { session, reporter in
                let format = "0x%0\(bytes * 2)x"
                reporter.say("Initial flash memory status: " + String(format: format, try session.connection.flashStatus(bytes: bytes)))
                reporter.say("Setting flash memory status: " + String(format: format, v))
                try session.connection.setFlashStatus(v, bytes: bytes, nonVolatile: nonVolatile)
                let after = try session.connection.flashStatus(bytes: bytes)
                reporter.say("After flash memory status:   " + String(format: format, after))
                return FlashStatusFields(status: Int(after), bytes: bytes)
            }
        }
    }
}

extension Esprig {
    struct ReadFlashSFDP: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "read-flash-sfdp", abstract: "Read 1–4 bytes of the flash's SFDP table.")
        @OptionGroup(title: "Connection") var connection: ConnectionOptions
        @OptionGroup(title: "Output") var output: OutputOptions
        @Argument(help: "Address in the SFDP table.") var address: String
        @Argument(help: "Bytes to read (1–4).") var bytes: Int

        func validate() throws { if !(1...4).contains(bytes) { throw ValidationError("bytes must be 1 to 4") } }

        func run() throws {
            let at = try word(address, "address", json: output.json)
            try BoardCommand.run(connection: connection, output: output, command: "read-flash-sfdp") { session, reporter in
                var value = try session.connection.flashSFDP(address: at, bits: bytes * 8)
                var text = "Flash memory SFDP[\(at)..\(Int(at) + bytes - 1)]: "
                var read: [Int] = []
                for _ in 0..<bytes {
                    text += String(format: "0x%02x ", value & 0xFF)
                    read.append(Int(value & 0xFF))
                    value >>= 8
                }
                reporter.say(text)
                return SFDPFields(address: Int(at), bytes: read)
            }
        }
    }
}

/// A 32-bit argument (decimal or 0x hex: memory addresses go past flash's 256 MiB limit), or a usage error.
private func word(_ text: String, _ what: String, json: Bool) throws -> UInt32 {
    let t = text.lowercased()
    guard let value = t.hasPrefix("0x") ? UInt32(t.dropFirst(2), radix: 16) : UInt32(t) else {
        throw CLIFailure(code: "usage", message: "\(what) '\(text)' is not a 32-bit number", hint: "write 0x3ff5a004 or 1073741824",
                         status: ExitStatus.usage).exit(json: json)
    }
    return value
}
