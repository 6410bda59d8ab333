import ArgumentParser
import Foundation
import EsprigImage
import EsprigProtocol
import EsprigWorkflows

extension Esprig {
    struct Elf2Image: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "elf2image",
            abstract: "Make an ESP8266 flash image from an ELF file, byte for byte as esptool does.",
            discussion: """
            --version 1 (default) writes PREFIX0x00000.bin (RAM part, flash at 0x0) and PREFIX0xNNNNN.bin \
            (irom part, flash at NNNNN); PREFIX defaults to 'ELF-'. --version 2 writes one file for \
            boot_v1.x, named ELF-without-extension-0x01000.bin unless -o is given.
            """)
        @OptionGroup(title: "Output") var output: OutputOptions

        @Argument(help: "The linked firmware (.elf).")
        var elf: String
        @Option(name: [.customShort("o"), .customLong("output")], help: "Output file name (v2) or file name prefix (v1).")
        var outputPath: String?
        @Option(name: [.customLong("version"), .customShort("e")], help: "Image version: 1 (ROM-loaded) or 2 (\"new\" OTA format).")
        var imageVersion: Int = 1
        @Option(name: [.customLong("flash-mode"), .customLong("fm", withSingleDash: true), .customLong("flash_mode")], help: "qio, qout, dio or dout (default qio).")
        var flashMode: String?
        @Option(name: [.customLong("flash-freq"), .customLong("ff", withSingleDash: true), .customLong("flash_freq")], help: "80m, 40m, 26m or 20m (default 40m).")
        var flashFreq: String?
        @Option(name: [.customLong("flash-size"), .customLong("fs", withSingleDash: true), .customLong("flash_size")], help: "256KB, 512KB, 1MB, 2MB, 2MB-c1, 4MB, 4MB-c1, 8MB or 16MB (default 1MB).")
        var flashSize: String?

        func run() throws {
            try ImageCommand.run(json: output.json) {
                guard let version = ESP8266Image.Version(rawValue: imageVersion) else {
                    throw CLIFailure(code: "usage", message: "--version \(imageVersion) is not supported",
                                     hint: "use 1 (ROM-loaded image) or 2 (OTA image for boot_v1.x)", status: ExitStatus.usage)
                }
                let flash = try ImageFlashSettings(mode: flashMode, frequency: flashFreq, size: flashSize)
                let options = EsprigImage.Elf2Image.Options(version: version, flash: flash, output: outputPath)
                let result = try EsprigImage.Elf2Image.convert(elf: try readInputFile(elf), elfPath: elf, options: options)
                for file in result.files { try writeOutputFile(file.path, file.bytes) }
                if !output.json {
                    print("Creating ESP8266 image...")
                    for file in result.files {
                        print("Wrote \(file.path) (\(file.bytes.count) bytes, flash at \(hexAddress(file.flashOffset)))")
                    }
                    print("Successfully created ESP8266 image.")
                }
                return Elf2ImageReport(version: version.rawValue, entry: hexAddress(Int(result.image.entry)),
                                       files: result.files.map { .init(path: $0.path, size: $0.bytes.count, flashOffset: hexAddress($0.flashOffset)) })
            }
        }
    }

    struct ImageInfo: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "image-info",
            abstract: "Print the header, segments and checksum of an ESP8266 image (v1, v2 or the SDK's).")
        @OptionGroup(title: "Output") var output: OutputOptions

        @Argument(help: "The image file.")
        var file: String

        func run() throws {
            try ImageCommand.run(json: output.json) {
                let info = try EsprigImage.ImageInfo(parsing: try readInputFile(file))
                for warning in info.allWarnings {
                    FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
                }
                if !output.json { print(info.text(), terminator: "") }
                let crc = info.storedCRC.flatMap { stored in info.isCRCValid.map { (hexAddress(Int(stored)), $0) } }
                return ImageInfoReport(
                    size: info.fileSize, version: info.image.version.rawValue, entry: hexAddress(Int(info.image.entry)),
                    flashMode: OrNull(ImageFlashMode(code: info.image.flashModeByte)?.rawValue),
                    flashFreq: OrNull(ImageFlashFrequency(code: info.image.sizeFrequencyByte & 0x0F)?.rawValue),
                    flashSize: OrNull(ImageFlashSize(code: info.image.sizeFrequencyByte & 0xF0)?.rawValue),
                    segments: info.listedSegments.map { .init(address: hexAddress(Int($0.address)), length: $0.data.count,
                                                              fileOffset: $0.fileOffset ?? 0, memoryTypes: $0.memoryTypes) },
                    checksum: Int(info.image.checksum), checksumValid: info.isChecksumValid, warnings: info.allWarnings,
                    crc32: crc?.0, crc32Valid: crc?.1)
            }
        }
    }

    struct MergeBin: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge-bin",
            abstract: "Merge files at flash addresses into one 0xFF-filled image for factory programmers (esptool's raw format).")
        @OptionGroup(title: "Output") var output: OutputOptions

        @Argument(help: ArgumentHelp("ADDRESS FILE pairs, e.g. 0x0 boot.bin 0x1000 app.bin.", valueName: "address file"))
        var pairs: [String]
        @Option(name: [.customShort("o"), .customLong("output")], help: "Output file (required).")
        var outputPath: String
        @Option(name: [.customShort("f"), .long], help: "Output format; only raw is supported.")
        var format: String = "raw"
        @Option(name: [.customShort("t"), .customLong("target-offset")], help: "Flash address of the output's first byte (default 0).")
        var targetOffset: String = "0"
        @Option(name: .customLong("pad-to-size"), help: "Pad with 0xFF up to this flash size, e.g. 4MB.")
        var padToSize: String?
        @Option(name: [.customLong("flash-mode"), .customLong("fm", withSingleDash: true)], help: "keep, qio, qout, dio, dout: set in the image at 0x0.")
        var flashMode: String = "keep"
        @Option(name: [.customLong("flash-freq"), .customLong("ff", withSingleDash: true)], help: "keep, 80m, 40m, 26m, 20m: set in the image at 0x0.")
        var flashFreq: String = "keep"
        @Option(name: [.customLong("flash-size"), .customLong("fs", withSingleDash: true)], help: "keep or a size such as 4MB: set in the image at 0x0.")
        var flashSize: String = "keep"

        func validate() throws {
            _ = try parseAddressFilePairs(pairs)
            guard format == "raw" else { throw ValidationError("--format \(format) is not supported; esprig writes raw images only") }
        }

        func run() throws {
            try ImageCommand.run(json: output.json) {
                let settings = try ImageFlashSettings(mode: flashMode == "keep" ? nil : flashMode,
                                                      frequency: flashFreq == "keep" ? nil : flashFreq,
                                                      size: flashSize == "keep" ? nil : flashSize)
                var options = FlashMerge.Options(targetOffset: try parseNumber(targetOffset, what: "target offset"))
                options.padToSize = try padToSize.map { text in
                    try ImageFlashSize(rawValue: text).map(Self.bytes) ?? parseNumber(text, what: "pad size")
                }
                if flashMode != "keep" { options.flashMode = settings.mode }
                if flashFreq != "keep" { options.flashFrequency = settings.frequency }
                if flashSize != "keep" { options.flashSize = settings.size }
                let regions = try parseAddressFilePairs(pairs).map { address, path in
                    FlashMerge.Region(address: address, bytes: try readInputFile(path), name: path)
                }
                let merged = try FlashMerge.merge(regions, options: options)
                for warning in merged.warnings {
                    FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
                }
                try writeOutputFile(outputPath, merged.bytes)
                if !output.json {
                    print("Wrote \(String(format: "0x%x", merged.bytes.count)) bytes to file '\(outputPath)', ready to flash to offset \(hexAddress(options.targetOffset)).")
                }
                return MergeBinReport(output: outputPath, size: merged.bytes.count, targetOffset: hexAddress(options.targetOffset))
            }
        }

        private static func bytes(_ size: ImageFlashSize) -> Int {
            switch size {
            case .kb256: 0x40000
            case .kb512: 0x80000
            case .mb1: 0x100000
            case .mb2, .mb2c1: 0x200000
            case .mb4, .mb4c1: 0x400000
            case .mb8: 0x800000
            case .mb16: 0x1000000
            }
        }
    }
}

/// The shared shape of the image commands: run the body, print its JSON result with --json,
/// and turn failures into messages and exit codes (1 for bad input, 2 for anything else).
enum ImageCommand {
    static func run<Report: Encodable>(json: Bool, _ body: () throws -> Report) throws {
        do {
            let result = try body()
            if json { emitJSON(Merged(first: Success(), second: result)) }
        } catch let error as ImageError {
            throw CLIFailure(error, status: ExitStatus.usage).exit(json: json)
        } catch let error as ValidationError {
            throw CLIFailure(code: "usage", message: error.message, status: ExitStatus.usage).exit(json: json)
        } catch let error as ExitCode {
            throw error
        } catch {
            throw CLIFailure(error).exit(json: json)
        }
    }
}

/// `"ok": true`, next to a command's own fields.
struct Success: Encodable {
    var ok = true
}

/// A value that is `null` in JSON when absent (rather than left out).
struct OrNull<Value: Encodable>: Encodable {
    var value: Value?
    init(_ value: Value?) { self.value = value }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value { try container.encode(value) } else { try container.encodeNil() }
    }
}

struct Elf2ImageReport: Encodable {
    struct File: Encodable {
        var path: String
        var size: Int
        var flashOffset: String
        enum CodingKeys: String, CodingKey { case path, size, flashOffset = "flash_offset" }
    }
    var command = "elf2image"
    var version: Int
    var entry: String
    var files: [File]
}

struct ImageInfoReport: Encodable {
    struct Segment: Encodable {
        var address: String
        var length: Int
        var fileOffset: Int
        var memoryTypes: [String]
        enum CodingKeys: String, CodingKey { case address, length, fileOffset = "file_offset", memoryTypes = "memory_types" }
    }
    var command = "image-info"
    var size: Int
    var version: Int
    var entry: String
    var flashMode: OrNull<String>
    var flashFreq: OrNull<String>
    var flashSize: OrNull<String>
    var segments: [Segment]
    var checksum: Int
    var checksumValid: Bool
    var warnings: [String]
    var crc32: String?
    var crc32Valid: Bool?
    enum CodingKeys: String, CodingKey {
        case command, size, version, entry, segments, checksum, warnings
        case flashMode = "flash_mode", flashFreq = "flash_freq", flashSize = "flash_size"
        case checksumValid = "checksum_valid", crc32, crc32Valid = "crc32_valid"
    }
}

struct MergeBinReport: Encodable {
    var command = "merge-bin"
    var output: String
    var size: Int
    var targetOffset: String
    enum CodingKeys: String, CodingKey { case command, output, size, targetOffset = "target_offset" }
}
