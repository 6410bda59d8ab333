import Foundation
import Testing
import EsprigCerts
import EsprigFirmware
import EsprigTestSupport

/// Seeded generated and mutated certificate sectors and PEM/DER files (fixed seed;
/// ESPRIG_FUZZ_SCALE runs longer).
@Suite("Cert sectors and PEM/DER reading, fuzzed")
struct CertSectorFuzzTests {
    @Test("round trip: packed entries unpack to themselves, whatever follows in erased flash")
    func roundTrip() throws {
        var rng = SeededRandom(seed: 0xCE57)
        for index in 0..<FuzzBudget.iterations(2000) {
            let entries = (0..<rng.int(1...3)).map { i in
                CertSectorEntry(name: "entry_\(i)_\(rng.int(0...999))", payload: rng.bytes(rng.int(1...900)))
            }
            let sector = try CertSectorPacker.pack(entries)
            #expect(sector.count <= CertSectorPacker.sectorSize, "input \(index)")
            let padded = sector + [UInt8](repeating: 0xFF, count: CertSectorPacker.sectorSize - sector.count)
            #expect(try CertSectorPacker.unpack(padded) == entries, "input \(index)")
        }
    }

    @Test("mutated sectors: entries inside the bytes, or FirmwareConfigError")
    func mutatedSectors() {
        var rng = SeededRandom(seed: 0xCE58)
        var errors = 0
        for index in 0..<FuzzBudget.iterations(3000) {
            let entries = [CertSectorEntry(name: "certificate", payload: rng.bytes(rng.int(1...300)))]
            let sector = rng.mutate((try? CertSectorPacker.pack(entries)) ?? [], special: [0x00, 0xFF])
            do throws(FirmwareConfigError) {
                let found = try CertSectorPacker.unpack(sector)
                #expect(found.reduce(0) { $0 + 34 + $1.payload.count } <= sector.count, "input \(index)")
            } catch {
                errors += 1
                #expect(error.message.contains("claims"), "input \(index): \(error.message)")
            }
        }
        #expect(errors > 0)
    }

    @Test("PEM/DER: DER passes through, a PEM body decodes to its DER, mutated text gives DER or FirmwareConfigError")
    func pemOrDER() {
        var rng = SeededRandom(seed: 0xCE59)
        var errors = 0
        for index in 0..<FuzzBudget.iterations(2000) {
            let der = [0x30] + rng.bytes(rng.int(1...200))
            #expect((try? CertSectorPacker.der(der, what: "x")) == der, "input \(index)")
            let base64 = Data(der).base64EncodedString(options: .lineLength64Characters)
            let pem = Array("-----BEGIN CERTIFICATE-----\n\(base64)\n-----END CERTIFICATE-----\n".utf8)
            #expect((try? CertSectorPacker.der(pem, what: "x")) == der, "input \(index)")
            let mutated = rng.mutate(pem, special: Array("-\n=+/".utf8))
            do throws(FirmwareConfigError) {
                let out = try CertSectorPacker.der(mutated, what: "x")
                #expect(!out.isEmpty, "input \(index)")
            } catch {
                errors += 1
                #expect(error.message.contains("x "), "input \(index): \(error.message)")
            }
        }
        #expect(errors > 0)
    }
}
