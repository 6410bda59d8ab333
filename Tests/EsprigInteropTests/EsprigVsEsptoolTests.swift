import EsprigCodecs
import EsprigProtocol
import EsprigSimHost
import EsprigSimulator
import EsprigTestSupport
import Foundation
import Testing

/// How esprig reaches a simulated board in these tests.
enum EsprigTransport: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// `sim://` inside the esprig process (with its default reset over the simulated DTR/RTS).
    case inProcess
    case pty, tcp
    /// esptool's `esp_rfc2217_server` bridging a pty that the simulator serves.
    case rfc2217
    var testDescription: String { rawValue }
}

/// One operation, run by esptool and by esprig from the same starting flash; the flash images
/// they leave must be byte-identical.
struct Scenario: Sendable, CustomTestStringConvertible {
    var name: String
    /// Arguments after the global options, with FILE0/FILE1 replaced by the test's files.
    var command: [String]
    var global: [String] = []
    var testDescription: String { name }

    static let all: [Scenario] = [
        Scenario(name: "write compressed", command: ["write-flash", "0x0", "FILE0", "0x10000", "FILE1"], global: ["-b", "460800"]),
        Scenario(name: "write --no-compress", command: ["write-flash", "--no-compress", "0x1000", "FILE0", "0x30000", "FILE1"]),
        Scenario(name: "write --no-stub", command: ["write-flash", "0x2000", "FILE0", "0x40000", "FILE1"], global: ["--no-stub"]),
        // An image at the bootloader offset gets new flash parameters (and, on ESP32, a new digest).
        Scenario(name: "write image with flash parameters", command: ["write-flash", "--flash-mode", "dout", "--flash-size", "1MB", "BOOT", "IMAGE"]),
        Scenario(name: "erase-region", command: ["erase-region", "0x20000", "0x3000"]),
        Scenario(name: "erase-flash", command: ["erase-flash"]),
    ]
}

@Suite("esprig and esptool leave identical flash", .serialized)
struct EsprigVsEsptoolTests {
    static let flashSize = SimulatorOptions.defaultFlashSize

    /// Inputs shared by both tools: a random starting flash (so every erase shows) and two files,
    /// one firmware-like (compresses), one random (does not).
    struct Inputs {
        let directory: TempDirectory
        let initialImage: String
        let files: [String]
        let image: String
        let bootloaderOffset: String

        init(chip: Chip) throws {
            directory = try TempDirectory(prefix: "esprig-vs-esptool-\(chip.rawValue)")
            var rng = SeededRandom(seed: chip == .esp8266 ? 8266 : 32)
            initialImage = directory.file("initial.bin")
            try Data(rng.bytes(EsprigVsEsptoolTests.flashSize)).write(to: URL(fileURLWithPath: initialImage))
            var firmware = (0..<50_001).map { UInt8(truncatingIfNeeded: ($0 * 31) ^ ($0 >> 7)) }
            firmware[0] = 0x55  // not an image header: neither tool patches it
            let random = rng.bytes(30_000)
            files = [directory.file("a.bin"), directory.file("b.bin")]
            try Data(firmware).write(to: URL(fileURLWithPath: files[0]))
            try Data(random).write(to: URL(fileURLWithPath: files[1]))
            image = directory.file("image.bin")
            try Data(Self.minimalImage(chip)).write(to: URL(fileURLWithPath: image))
            bootloaderOffset = chip == .esp8266 ? "0x0" : "0x1000"
        }

        /// A smallest valid image: one 16-byte segment, checksum, and on ESP32 the extended
        /// header with an appended SHA-256 (so patching must recompute it).
        static func minimalImage(_ chip: Chip) -> [UInt8] {
            let segment = (0..<16).map { UInt8($0 * 3) }
            var image: [UInt8] = [0xE9, 1, 0x02, 0x20, 0x04, 0x00, 0x10, 0x40]
            if chip == .esp32 {
                image += [0xEE, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0, 1]
                image += [0x00, 0x00, 0xFB, 0x3F, 16, 0, 0, 0]
            } else {
                image += [0x00, 0x00, 0x10, 0x40, 16, 0, 0, 0]
            }
            image += segment
            while image.count % 16 != 15 { image.append(0) }
            image.append(espChecksum(segment))
            if chip == .esp32 { image += SHA256.digest(image) }
            return image
        }

        func arguments(_ scenario: Scenario) -> [String] {
            scenario.command.map { token in
                switch token {
                case "FILE0": return files[0]
                case "FILE1": return files[1]
                case "IMAGE": return image
                case "BOOT": return bootloaderOffset
                default: return token
                }
            }
        }

        func board(_ chip: Chip) throws -> SimulatedBoard {
            var options = SimulatorOptions(chip: chip)
            options.imagePath = initialImage
            return try SimulatedBoard(options: options)
        }
    }

    /// esptool's result for a scenario, on a TCP-served board.
    static func esptoolFlash(_ chip: Chip, _ scenario: Scenario, _ inputs: Inputs) throws -> [UInt8] {
        let server = try SimulatorServer(board: try inputs.board(chip), endpoint: .tcp(port: 0))
        try server.start()
        defer { server.stop() }
        let result = try ToolRunner.locateEsptool().run(
            ["--chip", chip.rawValue, "-p", server.address, "--before", "no-reset", "--after", "no-reset"] + scenario.global + inputs.arguments(scenario),
            timeout: .seconds(120))
        try #require(result.status == 0, "esptool \(scenario.name) failed:\n\(result.output)")
        return server.withBoard { $0.flash }
    }

    /// Runs esprig against a fresh board on `transport`; returns its exit status, output and flash.
    static func esprigRun(_ chip: Chip, _ transport: EsprigTransport, _ arguments: [String], global: [String],
                          inputs: Inputs, board: SimulatedBoard? = nil) throws -> (status: Int32, output: String, flash: [UInt8]) {
        let esprig = try ToolRunner.locateEsprig()
        let common = ["--after", "no-reset"] + global
        switch transport {
        case .inProcess:
            let state = inputs.directory.file("state-\(UUID().uuidString).bin")
            try FileManager.default.copyItem(atPath: inputs.initialImage, toPath: state)
            let result = try esprig.run(["-p", "sim://\(chip.rawValue)?state=\(state)"] + common + arguments, timeout: .seconds(120))
            return (result.status, result.output, [UInt8](try Data(contentsOf: URL(fileURLWithPath: state))))
        case .pty, .tcp, .rfc2217:
            let board = try board ?? inputs.board(chip)
            let server = try SimulatorServer(board: board, endpoint: transport == .tcp ? .tcp(port: 0) : .pty(linkPath: nil))
            try server.start()
            defer { server.stop() }
            var bridge: RFC2217ServerProcess?
            defer { bridge?.stop() }
            var port = server.address
            if transport == .rfc2217 {
                bridge = try RFC2217ServerProcess(serving: server.address)
                port = "rfc2217://127.0.0.1:\(bridge!.port)"
            }
            let result = try esprig.run(["-p", port, "--before", "no-reset"] + common + arguments, timeout: .seconds(120))
            return (result.status, result.output, server.withBoard { $0.flash })
        }
    }

    @Test("same operation, same flash, on every transport", arguments: [Chip.esp8266, .esp32], Scenario.all)
    func identicalFlash(chip: Chip, scenario: Scenario) throws {
        let inputs = try Inputs(chip: chip)
        let reference = try Self.esptoolFlash(chip, scenario, inputs)
        let initial = [UInt8](try Data(contentsOf: URL(fileURLWithPath: inputs.initialImage)))
        #expect(reference != initial, "the scenario must change the flash")
        for transport in EsprigTransport.allCases {
            let run = try Self.esprigRun(chip, transport, inputs.arguments(scenario), global: scenario.global, inputs: inputs)
            #expect(run.status == 0, "esprig \(scenario.name) over \(transport) failed:\n\(run.output)")
            if let index = run.flash.indices.first(where: { $0 < reference.count && run.flash[$0] != reference[$0] }) {
                Issue.record("esprig \(scenario.name) over \(transport): flash differs from esptool's first at 0x\(String(index, radix: 16))")
            }
            #expect(run.flash.count == reference.count)
        }
    }

    @Test("read-flash gives the same bytes as esptool's", arguments: [Chip.esp8266, .esp32])
    func readFlash(chip: Chip) throws {
        let inputs = try Inputs(chip: chip)
        let server = try SimulatorServer(board: try inputs.board(chip), endpoint: .tcp(port: 0))
        try server.start()
        defer { server.stop() }
        let theirs = inputs.directory.file("theirs.bin"), ours = inputs.directory.file("ours.bin")
        let esptool = try ToolRunner.locateEsptool().run(["-p", server.address, "--before", "no-reset", "--after", "no-reset-stub",
                                                          "read-flash", "0x3000", "0x5123", theirs], timeout: .seconds(60))
        try #require(esptool.status == 0, "\(esptool.output)")
        let esprig = try ToolRunner.locateEsprig().run(["-p", server.address, "--before", "no-reset", "--after", "no-reset-stub",
                                                        "read-flash", "0x3000", "0x5123", ours], timeout: .seconds(60))
        try #require(esprig.status == 0, "\(esprig.output)")
        let a = try Data(contentsOf: URL(fileURLWithPath: theirs)), b = try Data(contentsOf: URL(fileURLWithPath: ours))
        #expect(a.count == 0x5123)
        #expect(a == b)
    }

    @Test("esprig writes, esptool verifies; esptool writes, esprig verifies", arguments: [Chip.esp8266, .esp32])
    func crossVerify(chip: Chip) throws {
        let inputs = try Inputs(chip: chip)
        let esptool = try ToolRunner.locateEsptool(), esprig = try ToolRunner.locateEsprig()
        let pairs = ["0x10000", inputs.files[0], "0x80000", inputs.files[1]]
        let server = try SimulatorServer(board: try inputs.board(chip), endpoint: .tcp(port: 0))
        try server.start()
        defer { server.stop() }
        let common = ["-p", server.address, "--before", "no-reset", "--after", "no-reset-stub"]

        let wrote = try esprig.run(common + ["write-flash"] + pairs, timeout: .seconds(60))
        try #require(wrote.status == 0, "\(wrote.output)")
        let checked = try esptool.run(common + ["verify-flash"] + pairs, timeout: .seconds(60))
        #expect(checked.status == 0, "esptool verify-flash after esprig's write:\n\(checked.output)")

        let swapped = ["0x10000", inputs.files[1], "0x80000", inputs.files[0]]
        let theirWrite = try esptool.run(common + ["write-flash"] + swapped, timeout: .seconds(60))
        try #require(theirWrite.status == 0, "\(theirWrite.output)")
        let ourCheck = try esprig.run(common + ["verify-flash"] + swapped, timeout: .seconds(60))
        #expect(ourCheck.status == 0, "esprig verify-flash after esptool's write:\n\(ourCheck.output)")
        // And a mismatch is a failure with exit code 2, not a pass.
        let wrongCheck = try esprig.run(common + ["verify-flash"] + pairs, timeout: .seconds(60))
        #expect(wrongCheck.status == 2)
        #expect(wrongCheck.output.contains("MISMATCH"))
    }
}
