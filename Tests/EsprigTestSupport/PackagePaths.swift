import Foundation
import EsprigLoader

/// Where things are for tests: the package root (from this file's path) and the project's
/// venv that `scripts/setup.sh` creates.
public enum PackagePaths {
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/EsprigTestSupport/PackagePaths.swift
        return url.path
    }()

    public static var venv: String {
        ProcessInfo.processInfo.environment["ESPRIG_VENV"] ?? root + "/.venv"
    }

    /// esptool's stub folders: ESPRIG_STUB_DIR, else the venv's esptool package.
    public static func esptoolStubs() throws -> EsptoolStubSource {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["ESPRIG_STUB_DIR"], !dir.isEmpty {
            return EsptoolStubSource(directories: [dir + "/2", dir + "/1", dir])
        }
        let lib = venv + "/lib"
        let pythons = (try? FileManager.default.contentsOfDirectory(atPath: lib)) ?? []
        for python in pythons.sorted() {
            let base = "\(lib)/\(python)/site-packages/esptool/targets/stub_flasher"
            if FileManager.default.fileExists(atPath: base + "/2") {
                return EsptoolStubSource(directories: [base + "/2", base + "/1"])
            }
        }
        throw MissingTool(message: "esptool's flasher stubs were not found in \(venv): run scripts/setup.sh (CI does)")
    }
}

public struct MissingTool: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
