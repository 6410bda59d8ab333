import Foundation

/// Finds crash dumps in a stream of lines (protocol.md §12): the ESP8266 SDK / Arduino
/// `Exception (N):` + `epc1=…` + `>>>stack>>>` … `<<<stack<<<`, and ESP32 panics with a
/// `Backtrace:` line. Fed line by line; returns each dump once it is complete.
struct CrashParser {
    private enum State {
        case idle
        /// Inside an ESP8266 dump; `sawRegisters` once the epc1 line arrived.
        case esp8266(CrashReport, sawRegisters: Bool, inStack: Bool)
        case esp32(CrashReport, linesLeft: Int)
    }

    private var state = State.idle
    let chip: CodeRegions

    init(chip: CodeRegions) { self.chip = chip }

    mutating func feed(_ line: String) -> [CrashReport] {
        switch state {
        case .idle:
            return start(line).map { [$0] } ?? []
        case .esp8266(var report, let sawRegisters, let inStack):
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if inStack {
                if trimmed.hasPrefix("<<<stack<<<") { return finish(report) }
                report.frames += Self.stackWords(trimmed).filter(chip.isCode).map { .init(role: "stack", address: $0) }
                state = .esp8266(report, sawRegisters: true, inStack: true)
                return []
            }
            if let registers = Self.registers(trimmed), !registers.isEmpty, registers["epc1"] != nil {
                report.registers.merge(registers) { $1 }
                for role in ["epc1", "epc2", "epc3", "excvaddr", "depc"] {
                    guard let value = registers[role], value != 0, role == "epc1" || role == "excvaddr" || chip.isCode(value) else { continue }
                    report.frames.append(.init(role: role, address: value))
                }
                state = .esp8266(report, sawRegisters: true, inStack: false)
                return []
            }
            if trimmed.isEmpty || trimmed.hasPrefix("ctx:") || trimmed.hasPrefix("sp:") || trimmed.hasPrefix("---") {
                return []
            }
            if trimmed.hasPrefix(">>>stack>>>") {
                state = .esp8266(report, sawRegisters: sawRegisters, inStack: true)
                return []
            }
            // Anything else ends the dump; the line may begin the next one.
            return finish(report) + (start(line).map { [$0] } ?? [])
        case .esp32(var report, let linesLeft):
            if let pcs = Self.backtrace(line) {
                report.frames += pcs.map { .init(role: "backtrace", address: $0) }
                return finish(report)
            }
            for (key, name) in [("PC", "pc"), ("EXCVADDR", "excvaddr")] {
                if let value = Self.esp32Register(key, in: line) {
                    report.registers[name] = value
                    if name == "pc" { report.frames.append(.init(role: "pc", address: value)) }
                }
            }
            if linesLeft <= 1 || line.hasPrefix("Rebooting") || line.hasPrefix("ELF file SHA256") { return finish(report) }
            state = .esp32(report, linesLeft: linesLeft - 1)
            return []
        }
    }

    /// A dump still open when the stream ends.
    mutating func flush() -> CrashReport? {
        switch state {
        case .idle: return nil
        case .esp8266(let report, _, _), .esp32(let report, _):
            state = .idle
            return report
        }
    }

    private mutating func finish(_ report: CrashReport) -> [CrashReport] {
        state = .idle
        return [report]
    }

    /// Begins a dump, or returns a complete one (a lone ESP32 backtrace line).
    private mutating func start(_ line: String) -> CrashReport? {
        // Cheap test first: this runs on every line of a fast stream.
        guard line.containsBytes("xception (") || line.containsBytes("Guru Meditation") || line.containsBytes("Backtrace:") else { return nil }
        if let code = Self.firstInt(#"(?:Fatal exception|Exception) \((\d+)\):"#, in: line) {
            var report = CrashReport(kind: .esp8266Exception, cause: code, causeName: ExceptionCause.name(code))
            report.registers = [:]
            state = .esp8266(report, sawRegisters: false, inStack: false)
            return nil
        }
        if let name = Self.firstGroup(#"Guru Meditation Error: Core\s+\d+ panic'ed \(([^)]+)\)"#, in: line) {
            state = .esp32(CrashReport(kind: .esp32Panic, cause: nil, causeName: name), linesLeft: 40)
            return nil
        }
        if let pcs = Self.backtrace(line) {
            return CrashReport(kind: .esp32Panic, frames: pcs.map { .init(role: "backtrace", address: $0) })
        }
        return nil
    }

    // MARK: - Line formats

    /// `epc1=0x40201234, epc2=0x00000000 … excvaddr=0x00000000` (commas optional).
    static func registers(_ line: String) -> [String: UInt32]? {
        var out: [String: UInt32] = [:]
        for match in matches(#"([a-z0-9]+)=0x([0-9a-fA-F]{1,8})"#, in: line) where match.count == 3 {
            out[match[1]] = UInt32(match[2], radix: 16)
        }
        return out.isEmpty ? nil : out
    }

    /// `3ffffdc0:  40201234 3fffdad0 00000000 40100a8c` → the four words.
    static func stackWords(_ line: String) -> [UInt32] {
        let parts = line.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, parts[0].count == 8, UInt32(parts[0], radix: 16) != nil else { return [] }
        return parts[1].split(separator: " ").compactMap { $0.count == 8 ? UInt32($0, radix: 16) : nil }
    }

    /// `Backtrace: 0x400d1234:0x3ffb1e50 0x400d5678:0x3ffb1e70 |<-CORRUPTED` → the PCs.
    static func backtrace(_ line: String) -> [UInt32]? {
        guard let range = line.range(of: "Backtrace:") else { return nil }
        let pcs = matches(#"0x([0-9a-fA-F]{8}):0x[0-9a-fA-F]{8}"#, in: String(line[range.upperBound...]))
            .compactMap { UInt32($0[1], radix: 16) }
        return pcs.isEmpty ? nil : pcs
    }

    static func esp32Register(_ name: String, in line: String) -> UInt32? {
        firstGroup(#"(?:^|\s)"# + name + #"\s*:\s*0x([0-9a-fA-F]{8})"#, in: line).flatMap { UInt32($0, radix: 16) }
    }

    private static func firstInt(_ pattern: String, in line: String) -> Int? {
        firstGroup(pattern, in: line).flatMap { Int($0) }
    }

    private static func firstGroup(_ pattern: String, in line: String) -> String? {
        matches(pattern, in: line).first.flatMap { $0.count > 1 ? $0[1] : nil }
    }

    /// Compiled once per pattern: compiling an ICU regex costs far more than matching it.
    private static let cache = RegexCache()

    private static func matches(_ pattern: String, in line: String) -> [[String]] {
        guard let regex = cache.regex(pattern) else { return [] }
        return regex.matches(in: line, range: NSRange(line.startIndex..., in: line)).map { match in
            (0..<match.numberOfRanges).map { i in Range(match.range(at: i), in: line).map { String(line[$0]) } ?? "" }
        }
    }
}

/// The few fixed patterns above, compiled on first use.
private final class RegexCache: @unchecked Sendable {
    private let lock = NSLock()
    private var compiled: [String: NSRegularExpression] = [:]

    func regex(_ pattern: String) -> NSRegularExpression? {
        lock.withLock {
            if let regex = compiled[pattern] { return regex }
            let regex = try? NSRegularExpression(pattern: pattern)
            compiled[pattern] = regex
            return regex
        }
    }
}
