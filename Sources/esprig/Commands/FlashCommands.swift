import ArgumentParser
import Foundation
import EsprigCodecs
import EsprigLoader
import EsprigProtocol
import EsprigWorkflows

extension FlashMode: ExpressibleByArgument {}

extension Esprig {
    struct WriteFlash: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "write-flash",
            abstract: "Write files to flash at the given addresses, then verify each by MD5.",
            discussion: "Regions whose flash already holds the same bytes are skipped (use --no-skip to rewrite them).")
        @OptionGroup(title: "Connection") var connection: ConnectionOptions
        @OptionGroup(title: "Output") var output: OutputOptions

        @Argument(help: ArgumentHelp("ADDRESS FILE pairs, e.g. 0x0 boot.bin 0x1000 app.bin.", valueName: "address file"))
        var pairs: [String]

        @Option(name: [.customLong("flash-mode"), .customLong("fm", withSingleDash: true), .customLong("flash_mode")], help: "keep, qio, qout, dio, dout.")
        var flashMode: String = "keep"
        @Option(name: [.customLong("flash-freq"), .customLong("ff", withSingleDash: true), .customLong("flash_freq")], help: "keep, 80m, 40m, 26m, 20m.")
        var flashFreq: String = "keep"
        @Option(name: [.customLong("flash-size"), .customLong("fs", withSingleDash: true), .customLong("flash_size")], help: "keep, detect, or a size such as 4MB.")
        var flashSize: String = "keep"
        @Flag(name: [.customLong("erase-all"), .customShort("e")], help: "Erase the whole flash first.")
        var eraseAll = false
        @Flag(name: [.customLong("compress"), .customShort("z")], help: "Always send compressed data.")
        var compress = false
        @Flag(name: [.customLong("no-compress"), .customShort("u")], help: "Send data uncompressed.")
        var noCompress = false
        @Flag(help: "Rewrite regions even when the flash already holds the same bytes.")
        var noSkip = false
        @Flag(help: "Change the flash even when flash encryption or secure boot is enabled.")
        var force = false

        func validate() throws {
            _ = try parseAddressFilePairs(pairs)
            if compress && noCompress { throw ValidationError("--compress and --no-compress contradict each other") }
            if flashMode != "keep" && FlashMode(rawValue: flashMode) == nil {
                throw ValidationError("--flash-mode must be keep, qio, qout, dio or dout")
            }
            if !["keep", "detect"].contains(flashSize) && FlashGeometry.sizesByName[flashSize] == nil {
                throw ValidationError("--flash-size must be keep, detect or one of " + FlashGeometry.sizesByName.keys.sorted().joined(separator: ", "))
            }
        }

        func run() throws {
            var options = FlashOptions()
            options.compression = compress ? .always : noCompress ? .never : .auto
            options.skipUnchanged = !noSkip
            options.eraseAll = eraseAll
            options.force = force
            options.parameters = FlashParameters(
                mode: FlashMode(rawValue: flashMode), frequency: flashFreq == "keep" ? nil : flashFreq,
                size: flashSize == "keep" ? .keep : flashSize == "detect" ? .detect : .fixed(flashSize))
            let json = output.json
            let writes: [FlashWrite]
            do {
                writes = try parseAddressFilePairs(pairs).map { address, path in
                    FlashWrite(address: address, data: try readInputFile(path), source: path)
                }
                // Check alignment and overlaps before touching the board.
                _ = try WritePlanning.plan(writes, flashSize: nil)
            } catch {
                throw CLIFailure(error).exit(json: json)
            }
            try BoardCommand.run(connection: connection, output: output, command: "write-flash") { session, reporter in
                let results = try session.writeFlash(writes, options: options)
                return RegionsFields(regions: results.keys.sorted { $0.address < $1.address }.map { region in
                    var entry = WrittenRegion(address: hexAddress(region.address), size: region.size, file: region.source, result: "verified")
                    switch results[region]! {
                    case .verified: break
                    case .skipped: entry.result = "skipped"
                    case .unverified(let why): entry.result = "unverified"; entry.reason = why
                    }
                    return entry
                })
            }
        }
    }

    struct ReadFlash: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "read-flash", abstract: "Read flash into a file.")
        @OptionGroup(title: "Connection") var connection: ConnectionOptions
        @OptionGroup(title: "Output") var output: OutputOptions
        @Argument(help: "Start address.") var address: String
        @Argument(help: "Number of bytes, or 'all'.") var size: String
        @Argument(help: "Output file (written only when the whole read succeeded).") var file: String

        func run() throws {
            let start: Int
            var length: Int?
            do {
                start = try parseNumber(address, what: "address")
                length = size == "all" ? nil : try parseNumber(size, what: "size")
                if length == 0 { throw ValidationError("size must be more than 0") }
            } catch { throw CLIFailure(code: "usage", message: "\(error)", status: ExitStatus.usage).exit(json: output.json) }
            try BoardCommand.run(connection: connection, output: output, command: "read-flash") { session, reporter in
                let count = try length ?? {
                    guard let total = session.flashSize else {
                        throw CLIFailure(code: "input", message: "flash size unknown, so 'all' cannot be read", hint: "give a size", status: ExitStatus.usage)
                    }
                    return total - start
                }()
                let data = try session.readFlash(address: start, size: count)
                try writeOutputFile(file, data)
                reporter.say("Read \(data.count) bytes at \(hexAddress(start)) into \(file).")
                return FileFields(address: hexAddress(start), size: data.count, file: file, md5: MD5.hex(data))
            }
        }
    }

    struct VerifyFlash: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "verify-flash", abstract: "Check that flash holds the given files (by MD5).")
        @OptionGroup(title: "Connection") var connection: ConnectionOptions
        @OptionGroup(title: "Output") var output: OutputOptions
        @Argument(help: ArgumentHelp("ADDRESS FILE pairs.", valueName: "address file")) var pairs: [String]

        func validate() throws { _ = try parseAddressFilePairs(pairs) }

        func run() throws {
            let json = output.json
            let writes: [FlashWrite]
            do {
                writes = try parseAddressFilePairs(pairs).map { address, path in
                    FlashWrite(address: address, data: try readInputFile(path), source: path)
                }
            } catch { throw CLIFailure(error).exit(json: json) }
            try BoardCommand.run(connection: connection, output: output, command: "verify-flash") { session, reporter in
                var mismatched: [String] = []
                var entries: [VerifiedRegion] = []
                for write in writes {
                    let ok = try session.verify(write)
                    reporter.say("Verifying \(write.region.size) bytes at \(hexAddress(write.region.address)) (\(write.region.source)): \(ok ? "OK" : "MISMATCH")")
                    if !ok { mismatched.append(write.region.source) }
                    entries.append(VerifiedRegion(address: hexAddress(write.region.address), file: write.region.source, match: ok))
                }
                if !mismatched.isEmpty {
                    throw CLIFailure(code: "verify-failed", message: "flash does not match " + mismatched.joined(separator: ", "),
                                     hint: "write it with write-flash", status: ExitStatus.device)
                }
                reporter.say("Verification successful.")
                return RegionsFields(regions: entries)
            }
        }
    }

    struct EraseFlash: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "erase-flash", abstract: "Erase the whole flash.")
        @OptionGroup(title: "Connection") var connection: ConnectionOptions
        @OptionGroup(title: "Output") var output: OutputOptions
        @Flag(help: "Change the flash even when flash encryption or secure boot is enabled.")
        var force = false

        func run() throws {
            try BoardCommand.run(connection: connection, output: output, command: "erase-flash") { session, reporter in
                try session.checkWritable(force: force)
                reporter.say("Erasing flash (this may take a while)...")
                try session.eraseFlash(force: force)
                reporter.say("Chip erase completed successfully.")
                return NoFields()
            }
        }
    }

    struct EraseRegion: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "erase-region", abstract: "Erase a sector-aligned region.")
        @OptionGroup(title: "Connection") var connection: ConnectionOptions
        @OptionGroup(title: "Output") var output: OutputOptions
        @Argument(help: "Start address (multiple of 0x1000).") var address: String
        @Argument(help: "Size in bytes (multiple of 0x1000).") var size: String
        @Flag(help: "Change the flash even when flash encryption or secure boot is enabled.")
        var force = false

        func validate() throws {
            let a = try parseNumber(address, what: "address"), s = try parseNumber(size, what: "size")
            if a % 0x1000 != 0 || s % 0x1000 != 0 || s == 0 {
                throw ValidationError("address and size must be non-zero multiples of 0x1000 (4 KiB sectors)")
            }
        }

        func run() throws {
            let start = try parseNumber(address, what: "address"), length = try parseNumber(size, what: "size")
            try BoardCommand.run(connection: connection, output: output, command: "erase-region") { session, reporter in
                if let total = session.flashSize, start + length > total {
                    throw CLIFailure(code: "input", message: "region \(hexAddress(start))+\(length) goes past the end of the \(sizeText(total)) flash", status: ExitStatus.usage)
                }
                try session.eraseRegion(address: start, size: length, force: force)
                reporter.say("Erased \(length) bytes at \(hexAddress(start)).")
                return AreaFields(address: hexAddress(start), size: length)
            }
        }
    }
}
