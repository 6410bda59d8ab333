import Foundation
import EsprigTestSupport

/// The host C compiler as the judge of what a patched header means: `cc -E -dM` for macro
/// values, and a compiled program that prints string macros' bytes, both bounded in time and
/// run in a temporary directory that is removed afterwards.
struct HostCompiler {
    let runner: ToolRunner

    init() throws {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { "\($0)/cc" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { throw MissingTool(message: "no host C compiler (cc) on PATH") }
        runner = ToolRunner(executable: path)
    }

    struct Failed: Error, CustomStringConvertible { let description: String }

    /// Every macro the header defines (name → replacement text as the preprocessor sees it),
    /// predefined ones removed. `-std=c11` turns trigraphs on, the strictest reading.
    func macros(of header: [UInt8]) throws -> [String: String] {
        let directory = try TempDirectory(prefix: "esprig-cc")
        try Data(header).write(to: URL(fileURLWithPath: directory.file("mqtt_config.h")))
        try Data("#include \"mqtt_config.h\"\n".utf8).write(to: URL(fileURLWithPath: directory.file("with.c")))
        try Data().write(to: URL(fileURLWithPath: directory.file("without.c")))
        let with = try defines(directory.file("with.c"))
        let without = try defines(directory.file("without.c"))
        return with.filter { without[$0.key] == nil }
    }

    private func defines(_ source: String) throws -> [String: String] {
        let result = try runner.run(["-std=c11", "-E", "-dM", source], timeout: .seconds(30))
        guard result.status == 0 else { throw Failed(description: "cc -E -dM failed:\n\(result.output)") }
        var table: [String: String] = [:]
        for line in result.output.split(separator: "\n") where line.hasPrefix("#define ") {
            let rest = line.dropFirst(8)
            let name = rest.prefix { $0 != " " && $0 != "(" }
            table[String(name)] = String(rest.dropFirst(name.count).drop { $0 == " " })
        }
        return table
    }

    /// The bytes of each string macro in `names`, as a compiled C program sees them.
    func stringBytes(_ names: [String], of header: [UInt8]) throws -> [String: [UInt8]] {
        let directory = try TempDirectory(prefix: "esprig-cc")
        try Data(header).write(to: URL(fileURLWithPath: directory.file("mqtt_config.h")))
        let dumps = names.map { "    dump(\"\($0)\", \($0), sizeof(\($0)));" }.joined(separator: "\n")
        let program = """
            #include <stdio.h>
            #include "mqtt_config.h"
            static void dump(const char *name, const char *s, unsigned long size) {
                printf("%s ", name);
                for (unsigned long i = 0; i + 1 < size; i++) printf("%02x", (unsigned char)s[i]);
                printf("\\n");
            }
            int main(void) {
            \(dumps)
                return 0;
            }

            """
        try Data(program.utf8).write(to: URL(fileURLWithPath: directory.file("dump.c")))
        let binary = directory.file("dump")
        let compiled = try runner.run(["-std=c11", "-Wall", "-Werror", "-o", binary, directory.file("dump.c")], timeout: .seconds(60))
        guard compiled.status == 0 else { throw Failed(description: "cc failed:\n\(compiled.output)") }
        let ran = try ToolRunner(executable: binary).run([], timeout: .seconds(10))
        guard ran.status == 0 else { throw Failed(description: "dump exited \(ran.status):\n\(ran.output)") }
        var table: [String: [UInt8]] = [:]
        for line in ran.output.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
            let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            let hex = parts.count > 1 ? Array(parts[1].utf8) : []
            table[String(parts[0])] = stride(from: 0, to: hex.count, by: 2).map { UInt8(String(decoding: hex[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
        }
        return table
    }
}

/// The hand-written demo header under Fixtures/.
enum Fixture {
    static let demoHeader: [UInt8] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/mqtt_config.h")
        return [UInt8](FileManager.default.contents(atPath: url.path) ?? Data())
    }()
}

extension Array where Element == UInt8 {
    var text: String { String(decoding: self, as: UTF8.self) }
    /// The lines, endings dropped (a final newline does not make an extra empty line).
    var lines: [String] {
        var parts = text.components(separatedBy: "\n")
        if parts.last == "" { parts.removeLast() }
        return parts
    }
}
