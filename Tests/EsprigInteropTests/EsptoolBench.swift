import EsprigProtocol
import EsprigSimHost
import EsprigSimulator
import EsprigTestSupport
import Foundation
import Testing

/// How esptool reaches the simulated board.
enum EsptoolTransport: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case tcp, pty
    var testDescription: String { rawValue }
}

/// One simulated board served to esptool, plus the flash contents the test expects: computed from
/// the inputs alone (erase the sectors a write covers, then place the 4-byte-padded data).
final class EsptoolBench {
    let chip: Chip
    let runner: ToolRunner
    let server: SimulatorServer
    let directory: TempDirectory
    private(set) var expected: [UInt8]
    private var random: SeededRandom

    /// The board starts with random flash contents, so every erase shows in the result.
    init(chip: Chip, transport: EsptoolTransport, seed: UInt64, configure: (inout SimulatorOptions) -> Void = { _ in }) throws {
        self.chip = chip
        runner = try ToolRunner.locateEsptool()
        directory = try TempDirectory(prefix: "esptool-\(chip.rawValue)-\(transport.rawValue)")
        random = SeededRandom(seed: seed)
        expected = random.bytes(SimulatorOptions.defaultFlashSize)
        let image = directory.file("initial.bin")
        try Data(expected).write(to: URL(fileURLWithPath: image))
        var options = SimulatorOptions(chip: chip)
        options.imagePath = image
        options.logPath = directory.file("commands.jsonl")
        configure(&options)
        let board = try SimulatedBoard(options: options)
        switch transport {
        case .tcp: server = try SimulatorServer(board: board, endpoint: .tcp(port: 0))
        case .pty: server = try SimulatorServer(board: board, endpoint: .pty(linkPath: nil))
        }
        try server.start()
    }

    deinit { server.stop() }

    var flash: [UInt8] { server.withBoard { $0.flash } }

    /// EN pulsed with GPIO0 held low, as the auto-reset circuit does: the board restarts in the
    /// ROM loader at 115200 (needed after a ROM baud change, which outlives esptool's exit).
    func resetIntoLoader() {
        server.setLines(dtr: false, rts: true)
        server.setLines(dtr: true, rts: false)
        server.setLines(dtr: false, rts: false)
    }

    /// Runs esptool against the board: `global` options (--no-stub, --baud, --after) go before
    /// the command. `chipArgument` nil means auto-detection. A nonzero exit fails the test unless
    /// `expectFailure`.
    @discardableResult
    func esptool(_ command: [String], global: [String] = [], chipArgument: String? = "", expectFailure: Bool = false,
                 sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        var args: [String] = []
        if let chipArgument { args += ["--chip", chipArgument.isEmpty ? chip.rawValue : chipArgument] }
        args += ["--port", server.address, "--before", "no-reset"]
        if !global.contains("--after") { args += ["--after", "no-reset"] }
        args += global + command
        let (status, output) = try runner.run(args, timeout: .seconds(90))
        if expectFailure {
            #expect(status != 0, "esptool \(args.joined(separator: " ")) should have failed:\n\(output)", sourceLocation: sourceLocation)
        } else {
            #expect(status == 0, "esptool \(args.joined(separator: " ")) exited \(status):\n\(output)", sourceLocation: sourceLocation)
        }
        return output
    }

    func randomBytes(_ count: Int, compressible: Bool = false) -> [UInt8] {
        var bytes = random.bytes(count)
        if compressible { for i in stride(from: 0, to: count, by: 2) { bytes[i] = 0x42 } }
        // Never 0xE9 first: esptool would then parse and patch it as a firmware image header.
        if bytes.first == 0xE9 { bytes[0] = 0x00 }
        return bytes
    }

    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = directory.file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// What write-flash leaves: the sectors covering the 4-byte-padded data erased, then the data.
    func expectWrite(_ data: [UInt8], at address: Int) {
        let padded = data + [UInt8](repeating: 0xFF, count: (4 - data.count % 4) % 4)
        expectErase(from: address, count: padded.count)
        expected.replaceSubrange(address..<address + padded.count, with: padded)
    }

    func expectErase(from address: Int, count: Int) {
        let start = address / 4096 * 4096
        let end = (address + count + 4095) / 4096 * 4096
        expected.replaceSubrange(start..<end, with: repeatElement(0xFF, count: end - start))
    }

    func expectChipErase() {
        expected = [UInt8](repeating: 0xFF, count: expected.count)
    }

    /// Compares the board with the expectation, reporting the first differing address.
    func checkFlash(_ step: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let actual = flash
        #expect(actual.count == expected.count, "after \(step): the board has \(actual.count) bytes of flash, expected \(expected.count)",
                sourceLocation: sourceLocation)
        let mismatch = zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(mismatch == nil,
                "after \(step): flash differs at 0x\(String(mismatch ?? 0, radix: 16)) (log: \(directory.file("commands.jsonl")))",
                sourceLocation: sourceLocation)
    }
}
