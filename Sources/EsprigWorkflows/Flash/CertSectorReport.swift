import Foundation
import EsprigCerts
import EsprigLoader

/// What firmware that reports its certificate sectors says it read, checked against what was
/// written there. The report is the line format of Firmware/esp8266-demo (src/demo.c):
///
///     cert ca sector=0x77 address=0x00077000
///     cert ca entry=0 name=ca.crt length=733 fnv1a=0x1234abcd
///     cert ca entries=1
///
/// One block per sector; the checksum is 32-bit FNV-1a over each entry's payload. Firmware that
/// prints no such lines makes no claim, and nothing is checked.
struct CertSectorReport {
    struct Entry: Equatable {
        var name: String
        var length: Int
        var fnv1a: UInt32
    }

    /// Entries per sector address, as the board listed them (nil count: the block did not end).
    private(set) var sectors: [Int: [Entry]] = [:]
    private(set) var counts: [Int: Int] = [:]

    init(lines: [String]) {
        var labels: [String: Int] = [:]
        for line in lines {
            let words = line.split(separator: " ").map(String.init)
            guard words.count >= 3, words[0] == "cert" else { continue }
            let label = words[1]
            var fields: [String: String] = [:]
            for word in words.dropFirst(2) {
                guard let equals = word.firstIndex(of: "=") else { continue }
                fields[String(word[..<equals])] = String(word[word.index(after: equals)...])
            }
            if let address = fields["address"].flatMap(Self.number) {
                labels[label] = address
                sectors[address] = []
            } else if let address = labels[label] {
                if let name = fields["name"], let length = fields["length"].flatMap(Self.number), let hash = fields["fnv1a"].flatMap(Self.number) {
                    sectors[address, default: []].append(Entry(name: name, length: length, fnv1a: UInt32(truncatingIfNeeded: hash)))
                } else if fields["entry"] == nil, let count = fields["entries"].flatMap(Self.number) {
                    counts[address] = count
                }
            }
        }
    }

    static func number(_ text: String) -> Int? {
        text.hasPrefix("0x") ? Int(text.dropFirst(2), radix: 16) : Int(text)
    }

    static func fnv1a(_ bytes: [UInt8]) -> UInt32 {
        bytes.reduce(0x811C_9DC5) { ($0 ^ UInt32($1)) &* 0x0100_0193 }
    }

    /// The entries `sector` holds, as the firmware would list them (names as it prints them:
    /// non-printable bytes as '?').
    static func expected(_ sector: [UInt8]) -> [Entry] {
        ((try? CertSectorPacker.unpack(sector)) ?? []).map { entry in
            let printable = String(entry.name.unicodeScalars.map { $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
            return Entry(name: printable, length: entry.payload.count, fnv1a: fnv1a(entry.payload))
        }
    }

    /// The sector addresses the board reported; nil when it reported none of `writes`' sectors
    /// (no claim). Throws when a reported sector differs from what was written there.
    func check(_ writes: [FlashWrite]) throws -> [Int]? {
        let reported = writes.filter { sectors[$0.region.address] != nil }
        guard !reported.isEmpty else { return nil }
        for write in reported {
            let address = write.region.address
            let want = Self.expected(write.data), got = sectors[address] ?? []
            guard want == got, counts[address] == want.count else {
                let describe = { (entries: [Entry]) in
                    entries.isEmpty ? "no entries" : entries.map { "\($0.name) (\($0.length) bytes, FNV-1a 0x\(String(format: "%08x", $0.fnv1a)))" }.joined(separator: ", ")
                }
                throw WorkflowError(.certificatesNotRead, String(format: "the board reads other certificates at 0x%05x than were written there: wrote %@, the board lists %@", address, describe(want), describe(got)),
                                    hint: "the firmware and the plan disagree on this sector, or the write did not hold: check the header's sector macros against [flash], and run esprig verify-flash")
            }
        }
        return reported.map(\.region.address).sorted()
    }
}
