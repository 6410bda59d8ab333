import Testing
import EsprigTestSupport
@testable import EsprigFirmware

/// Random assignments the demo's rules accept, biased towards the bytes that are hard to
/// escape: quotes, backslashes, percent, trigraph question marks, comment markers, octal
/// digits right after an escape, line breaks, controls and non-ASCII.
struct AssignmentGenerator {
    var random: SeededRandom
    static let hardBytes: [UInt8] = Array(#""\%?*/'#07 "#.utf8) + [0x0A, 0x0D, 0x09, 0x01, 0x1B, 0x7F, 0x80, 0xC3, 0xA9, 0xFF]
    static let stringLimits = ["MQTT_HOST": 63, "MQTT_USER": 31, "MQTT_PASS": 31, "STA_SSID": 32, "STA_PASS": 63]

    mutating func string(upTo limit: Int) -> [UInt8] {
        random.bytes(random.int(0...limit), biasedTowards: Self.hardBytes).map { $0 == 0 ? 0x01 : $0 }
    }

    /// A client-id format: literal bytes with `%` doubled, at most one `%08X`, ≤ 31 expanded.
    mutating func clientID() -> [UInt8] {
        let withChipID = random.int(0...1) == 1
        var pieces: [[UInt8]] = string(upTo: withChipID ? 23 : 31).map { $0 == UInt8(ascii: "%") ? Array("%%".utf8) : [$0] }
        if withChipID { pieces.insert(Array("%08X".utf8), at: random.int(0...pieces.count)) }
        return pieces.flatMap { $0 }
    }

    mutating func next() -> [ConfigAssignment] {
        var assignments = Self.stringLimits.sorted { $0.key < $1.key }.map { ConfigAssignment($0.key, .string(string(upTo: $0.value))) }
        assignments.append(ConfigAssignment("MQTT_CLIENT_ID", .string(clientID())))
        assignments.append(ConfigAssignment("MQTT_PORT", .integer(random.int(1...65535))))
        assignments.append(ConfigAssignment("CA_CERT_FLASH_ADDRESS", .integer(random.int(1...0x3FF))))
        let levels = ["NO_TLS", "TLS_WITHOUT_AUTHENTICATION", "ONE_WAY_ANTHENTICATION", "TWO_WAY_ANTHENTICATION"]
        assignments.append(ConfigAssignment("DEFAULT_SECURITY", random.int(0...1) == 0 ? .symbol(levels[random.int(0...3)]) : .integer(random.int(0...3))))
        assignments.append(ConfigAssignment("MQTT_SSL_ENABLE", .flag(random.int(0...1) == 1)))
        // Only a random subset, so unchanged names are covered too.
        assignments = assignments.filter { _ in random.int(0...3) != 0 }
        // The protocol flags go in pairs: exactly one of them must stay defined.
        if random.int(0...1) == 1 {
            let v311 = random.int(0...1) == 1
            assignments.append(ConfigAssignment("PROTOCOL_NAMEv31", .flag(!v311)))
            assignments.append(ConfigAssignment("PROTOCOL_NAMEv311", .flag(v311)))
        }
        return assignments.shuffled(using: &random)
    }
}

@Suite struct ConfigPropertyTests {
    let header = ConfigHeader(bytes: Fixture.demoHeader)

    @Test("patched values read back, patching is idempotent, and only named lines and CFG_HOLDER change (seeded)")
    func readBackIdempotentUntouched() throws {
        var generator = AssignmentGenerator(random: SeededRandom(seed: 0xE5_9216))
        let holderLine = try #require(try header.entry(named: "CFG_HOLDER")).line
        for _ in 0..<300 {
            let assignments = generator.next()
            let patch = try header.patched(assignments)
            let patched = ConfigHeader(bytes: patch.patched)
            for assignment in assignments {
                #expect(try patched.value(of: assignment.name) == assignment.value, "seed \(generator.random.seed) \(assignment.name)")
            }
            #expect(try !patched.patched(assignments).hasChanges, "seed \(generator.random.seed)")
            let named = Set(try assignments.map { try #require(try header.entry(named: $0.name)).line } + [holderLine])
            let before = Fixture.demoHeader.lines
            let after = patch.patched.lines
            #expect(before.count == after.count, "seed \(generator.random.seed)")
            for index in before.indices where !named.contains(index) {
                #expect(before[index] == after[index], "seed \(generator.random.seed) line \(index + 1)")
            }
            #expect(Set(patch.changes.map(\.line)).isSubset(of: named))
            #expect(patch.changes.contains { $0.name == "CFG_HOLDER" } == (patch.changes.count > 0))
        }
    }

    @Test("the host C preprocessor and compiler read exactly the patched values (seeded)")
    func hostCompilerReadsBack() throws {
        let cc = try HostCompiler()
        let baseline = try cc.macros(of: Fixture.demoHeader)
        var generator = AssignmentGenerator(random: SeededRandom(seed: 0xCC_2026))
        for _ in 0..<16 {
            let assignments = generator.next()
            let patch = try header.patched(assignments)
            let macros = try cc.macros(of: patch.patched)
            let flags = Dictionary(uniqueKeysWithValues: assignments.compactMap { a -> (String, Bool)? in
                if case .flag(let on) = a.value { return (a.name, on) } else { return nil }
            })
            // The same names as before, give or take the switched flags: nothing injected.
            var expectedNames = Set(baseline.keys)
            for (name, on) in flags { if on { expectedNames.insert(name) } else { expectedNames.remove(name) } }
            #expect(Set(macros.keys) == expectedNames, "seed \(generator.random.seed)")
            var strings: [String: [UInt8]] = [:]
            for assignment in assignments {
                switch assignment.value {
                case .string(let bytes): strings[assignment.name] = bytes
                case .integer(let number):
                    let text = try #require(macros[assignment.name])
                    let parsed = text.hasPrefix("0x") ? Int(text.dropFirst(2), radix: 16) : Int(text)
                    #expect(parsed == number, "seed \(generator.random.seed) \(assignment.name) = \(text)")
                case .symbol(let name): #expect(macros[assignment.name] == name, "seed \(generator.random.seed)")
                case .flag: break
                }
            }
            if patch.hasChanges { #expect(macros["CFG_HOLDER"] == "0x00FF55A5", "seed \(generator.random.seed)") }
            let read = try cc.stringBytes(strings.keys.sorted(), of: patch.patched)
            #expect(read == strings, "seed \(generator.random.seed)")
        }
    }

    @Test("an injection attempt defines nothing new and compiles to the exact bytes")
    func injectionThroughCompiler() throws {
        let cc = try HostCompiler()
        let evil = Array("x\" */ // \n#define EVIL 1 /* ??/ \\".utf8)
        let patch = try header.patched([ConfigAssignment("MQTT_HOST", .string(evil))])
        let macros = try cc.macros(of: patch.patched)
        #expect(macros["EVIL"] == nil)
        #expect(Set(macros.keys) == Set(try cc.macros(of: Fixture.demoHeader).keys))
        #expect(try cc.stringBytes(["MQTT_HOST"], of: patch.patched) == ["MQTT_HOST": evil])
    }
}
