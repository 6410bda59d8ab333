import EsprigLoader
import EsprigProtocol
import EsprigTestSupport
import Foundation
import Testing

/// esprig's eFuse decoding against esptool's own `get_chip_description`, `get_chip_features` and
/// `read_mac`, run on the same random eFuse words (esptool's methods with `read_reg` answered
/// from a table, no board needed).
@Suite("chip identity from eFuses agrees with esptool")
struct ChipIdentityVsEsptoolTests {
    static let chips: [Chip] = Chip.allCases.filter { if case .eFuse = $0.spec.identity { true } else { false } }

    @Test("description, revision, features and MAC for random eFuse words", arguments: chips)
    func randomWords(chip: Chip) throws {
        guard case .eFuse(let layout) = chip.spec.identity else { return }
        var addresses = Set([layout.macWord, layout.macWord + 4])
        for fields in [layout.nameKey, layout.major, layout.minor] + layout.featureFields.map(\.field) {
            addresses.formUnion(fields.map(\.address))
        }
        var rng = SeededRandom(seed: UInt64(chip.spec.securityInfoChipID ?? 2) * 7919)
        let samples: [[UInt32: UInt32]] = (0..<40).map { _ in
            Dictionary(uniqueKeysWithValues: addresses.map { address in
                // Mostly sparse words, so zero (common) package and feature values show up too.
                let bytes = rng.bytes(8)
                let word = bytes[0..<4].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
                let mask = bytes[4..<8].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
                return (address, word & mask & (bytes[4] & 1 == 0 ? mask >> 3 : .max))
            })
        }
        let theirs = try Self.esptool(chip, samples)
        for (sample, expected) in zip(samples, theirs) {
            let ours = ChipInfo.decode(layout, chip: chip) { sample[$0] ?? 0 }
            let words = sample.sorted { $0.key < $1.key }.map { String(format: "%08x=%08x", $0.key, $0.value) }.joined(separator: " ")
            #expect(ours.description == expected["description"] as? String, "\(chip) words \(words)")
            #expect(ours.features == expected["features"] as? [String], "\(chip) words \(words)")
            #expect(ours.macString == expected["mac"] as? String, "\(chip) words \(words)")
        }
    }

    static func esptool(_ chip: Chip, _ samples: [[UInt32: UInt32]]) throws -> [[String: Any]] {
        let script = #"""
        import json, sys
        from esptool.targets import CHIP_DEFS
        cls = CHIP_DEFS[sys.argv[1]]
        out = []
        for words in json.loads(sys.stdin.read()):
            table = {int(k): v for k, v in words.items()}
            chip = cls.__new__(cls)
            chip.read_reg = lambda addr, *a, **k: table.get(addr, 0)
            chip.cache = {}
            out.append({"description": chip.get_chip_description(), "features": chip.get_chip_features(),
                        "mac": ":".join("%02x" % b for b in chip.read_mac())})
        print(json.dumps(out))
        """#
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PackagePaths.venv + "/bin/python3")
        process.arguments = ["-c", script, chip.rawValue]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let payload = samples.map { Dictionary(uniqueKeysWithValues: $0.map { (String($0.key), $0.value) }) }
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: payload))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "esptool's decoding failed for \(chip)")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    }
}
