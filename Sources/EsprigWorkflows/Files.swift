import Foundation
import EsprigCodecs

/// Reads a local input file; a missing or unreadable one is the user's to fix, naming the path.
public func readInputFile(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        let exists = FileManager.default.fileExists(atPath: path)
        throw WorkflowError(.input, exists ? "cannot read \(path)" : "no such file: \(path)",
                            hint: exists ? "check its permissions" : "check the path")
    }
    return [UInt8](data)
}

/// Writes a file atomically (temp file + rename), so a failed run never leaves half a file.
public func writeOutputFile(_ path: String, _ bytes: [UInt8]) throws {
    do {
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw WorkflowError(.output, "cannot write \(path): \(error.localizedDescription)")
    }
}

/// A path as a person typed it: relative to the working directory when it lies below it.
public func displayPath(_ path: String) -> String {
    let cwd = FileManager.default.currentDirectoryPath + "/"
    return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
}

/// SHA-256 (hex) of the bytes, for the ledger's profile and image hashes.
func sha256Hex(_ bytes: [UInt8]) -> String {
    SHA256.digest(bytes).map { String(format: "%02x", $0) }.joined()
}
