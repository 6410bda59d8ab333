import Foundation
import EsprigCodecs

/// Everything a firmware build depends on, reduced to one SHA-256: the sources under the
/// firmware directory, the patched header values, the build command and its environment, and
/// the compiler's version. Equal digests mean the last build's artifacts are still good.
public struct BuildInputs: Sendable, Hashable {
    /// One source file: its path relative to the firmware directory and its contents' digest.
    public struct Source: Sendable, Hashable {
        public var path: String
        public var digest: [UInt8]

        public init(path: String, digest: [UInt8]) {
            self.path = path
            self.digest = digest
        }
    }

    public var sources: [Source]
    public var headerValues: [String: ConfigValue]
    public var command: String
    public var environment: [String: String]
    public var toolchainVersion: String

    public init(sources: [Source], headerValues: [String: ConfigValue], command: String, environment: [String: String], toolchainVersion: String) {
        self.sources = sources
        self.headerValues = headerValues
        self.command = command
        self.environment = environment
        self.toolchainVersion = toolchainVersion
    }

    /// Files that feed a C build: C and assembler sources, headers, linker scripts, makefiles.
    public static func isSource(_ name: String) -> Bool {
        let sourceExtensions: Set<String> = ["c", "h", "S", "s", "ld", "mk"]
        let makefiles: Set<String> = ["Makefile", "makefile", "GNUmakefile"]
        if makefiles.contains(name) { return true }
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
        return sourceExtensions.contains(String(name[name.index(after: dot)...]))
    }

    /// The source files under `directory` (hidden files and folders skipped), sorted by path.
    public static func sources(in directory: String) throws -> [Source] {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey],
                                                          options: [.skipsHiddenFiles]) else {
            throw FirmwareConfigError(.sourcesUnreadable, "cannot list the firmware sources in \(directory)")
        }
        var sources: [Source] = []
        for case let url as URL in walker where isSource(url.lastPathComponent) {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(root.path.count).drop { $0 == "/" })
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw FirmwareConfigError(.sourcesUnreadable, "cannot read \(url.path)")
            }
            sources.append(Source(path: relative, digest: SHA256.digest(Array(data))))
        }
        return sources.sorted { $0.path < $1.path }
    }

    /// Lower-case hex SHA-256 over a length-prefixed encoding of every input, so no two
    /// different input sets share a byte stream.
    public var digest: String {
        var bytes: [UInt8] = []
        func field(_ tag: String, _ value: [UInt8]) {
            bytes += Array(tag.utf8) + [0] + withUnsafeBytes(of: UInt64(value.count).littleEndian, Array.init) + value
        }
        field("esprig-build-inputs", Array("1".utf8))
        field("command", Array(command.utf8))
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) { field("env", Array("\(name)=\(value)".utf8)) }
        field("toolchain", Array(toolchainVersion.utf8))
        for (name, value) in headerValues.sorted(by: { $0.key < $1.key }) {
            field("header", Array("\(name)=\(value.kind.rawValue):\(value)".utf8))
        }
        for source in sources { field("source", Array(source.path.utf8) + [0] + source.digest) }
        return SHA256.digest(bytes).map { String(format: "%02x", $0) }.joined()
    }
}
