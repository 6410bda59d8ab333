import EsprigSystem
import EsprigProtocol
import Foundation

/// Turns code addresses into function and file:line.
public protocol AddressResolver: Sendable {
    /// Resolves what it can; addresses it cannot place are left out.
    func resolve(_ addresses: [UInt32]) throws -> [UInt32: ResolvedAddress]
}

/// `xtensa-lx106-elf-addr2line -pfiaC -e ELF ADDR…` (or the ESP32 one), behind a `ProcessRunner`.
public struct Addr2LineResolver: AddressResolver {
    public let tool: String
    public let elf: String
    let runner: any ProcessRunner

    public init(chip: Chip, elf: String, runner: any ProcessRunner) {
        self.tool = Self.toolName(for: chip)
        self.elf = elf
        self.runner = runner
    }

    public static func toolName(for chip: Chip) -> String {
        chip.spec.addr2line
    }

    public func resolve(_ addresses: [UInt32]) throws -> [UInt32: ResolvedAddress] {
        guard !addresses.isEmpty else { return [:] }
        let output = LineCollector()
        let request = ProcessRequest(executable: tool, arguments: ["-pfiaC", "-e", elf] + addresses.map { "0x" + Hex.word($0) },
                                     timeout: .seconds(10), tailLines: 10_000)
        let result: ProcessResult
        do {
            result = try runner.run(request) { output.append($0) }
        } catch let error as ProcessError where error.code == .toolNotFound {
            let install = tool.contains("lx106") ? "apt-get install binutils-xtensa-lx106"
                : "install ESP-IDF's xtensa-esp32-elf toolchain (idf_tools.py install) and put it on PATH"
            throw MonitorError(.resolverFailed, "\(tool) not found, so addresses stay unresolved", hint: install)
        }
        guard result.succeeded else {
            throw MonitorError(.resolverFailed, "\(tool) failed on \(elf): \(result.tail.suffix(2).joined(separator: " "))",
                               hint: "check that the ELF matches the firmware on the board")
        }
        return Self.parse(output.lines)
    }

    /// `0x40201234: crash_now at /src/demo.c:42` then ` (inlined by) caller at /src/demo.c:50`.
    static func parse(_ lines: [String]) -> [UInt32: ResolvedAddress] {
        var out: [UInt32: ResolvedAddress] = [:]
        var current: UInt32?
        for line in lines {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("(inlined by)"), let current, out[current] != nil {
                out[current]?.inlinedBy.append(String(trimmed.dropFirst("(inlined by)".count)).trimmingCharacters(in: .whitespaces))
                continue
            }
            guard trimmed.hasPrefix("0x"), let colon = trimmed.firstIndex(of: ":"),
                  let address = UInt32(trimmed[trimmed.index(trimmed.startIndex, offsetBy: 2)..<colon], radix: 16) else { continue }
            current = address
            let rest = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard let at = rest.range(of: " at ") else { continue }
            let function = String(rest[..<at.lowerBound])
            let location = String(rest[at.upperBound...])
            guard function != "??" || !location.hasPrefix("??") else { continue }
            out[address] = ResolvedAddress(function: function, location: location)
        }
        return out
    }
}

/// Output lines from a child, appended from its drain thread.
private final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ line: String) { lock.withLock { storage.append(line) } }
    var lines: [String] { lock.withLock { storage } }
}
