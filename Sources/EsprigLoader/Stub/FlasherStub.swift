import Foundation
import EsprigProtocol

/// esptool's flasher stub for one chip, decoded from its JSON file (never compiled in).
public struct FlasherStub: Sendable {
    public var text: [UInt8]
    public var textStart: UInt32
    public var data: [UInt8]
    public var dataStart: UInt32
    public var entry: UInt32
    /// Where its zero-initialised data starts (below `dataStart`), when the JSON says.
    public var bssStart: UInt32?
    /// The file it came from, for messages.
    public var origin: String

    /// Parses esptool's stub JSON: `entry`, `text`/`text_start`, optional `data`/`data_start`.
    public init(json: Data, origin: String) throws(LoaderError) {
        func fail(_ why: String) -> LoaderError {
            LoaderError(.stub, "flasher stub \(origin) is unreadable: \(why)",
                        hint: "reinstall esptool (pip install --force-reinstall esptool) or point ESPRIG_STUB_DIR at a good copy")
        }
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else { throw fail("not a JSON object") }
        func word(_ key: String) -> UInt32? { (object[key] as? NSNumber).map { UInt32(truncating: $0) } }
        func bytes(_ key: String) -> [UInt8]? { (object[key] as? String).flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } }
        guard let entry = word("entry") else { throw fail("no entry point") }
        guard let text = bytes("text"), let textStart = word("text_start") else { throw fail("no text segment") }
        self.entry = entry
        self.text = text
        self.textStart = textStart
        self.data = bytes("data") ?? []
        self.dataStart = word("data_start") ?? 0
        self.bssStart = word("bss_start")
        self.origin = origin
    }

    /// Text, then data: what is uploaded, in order.
    public var segments: [RAMSegment] {
        [RAMSegment(address: textStart, data: text), RAMSegment(address: dataStart, data: data)]
    }

    /// The RAM the running stub occupies (esptool `mem_begin`'s check): bss and data, and text.
    public var residentRanges: [Range<UInt64>] {
        [UInt64(bssStart ?? dataStart)..<UInt64(dataStart) + UInt64(data.count),
         UInt64(textStart)..<UInt64(textStart) + UInt64(text.count)]
    }
}

/// Where stubs come from; the real one reads an installed esptool, tests may hand in others.
public protocol StubSource: Sendable {
    /// nil when no stub is available for the chip (ROM mode then).
    func stub(for chip: Chip) throws(LoaderError) -> FlasherStub?
    /// The stub for one revision of the chip (the ESP32-P4 before v3.0 has its own).
    func stub(for chip: Chip, revision: ChipRevision?) throws(LoaderError) -> FlasherStub?
}

extension StubSource {
    public func stub(for chip: Chip, revision: ChipRevision?) throws(LoaderError) -> FlasherStub? { try stub(for: chip) }
}

/// Finds esptool's stub JSON files at run time: `ESPRIG_STUB_DIR`, else the esptool package
/// that `python3` imports (esptool ≥ 4: `esptool/targets/stub_flasher/{2,1}/<chip>.json`).
public struct EsptoolStubSource: StubSource {
    /// Folders searched in order for `<chip>.json`.
    public var directories: [String]

    public init(directories: [String]) { self.directories = directories }

    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                              currentDirectory: String = FileManager.default.currentDirectoryPath) -> EsptoolStubSource {
        if let dir = environment["ESPRIG_STUB_DIR"], !dir.isEmpty {
            return EsptoolStubSource(directories: [dir, dir + "/2", dir + "/1"])
        }
        var pythons: [String] = []
        // A project-local venv (what the README sets up) first, then the interpreter behind an
        // `esptool` command on PATH (pip, pipx and venv installs all write that shebang), then python3.
        let cwdVenv = currentDirectory + "/.venv/bin/python3"
        if FileManager.default.isExecutableFile(atPath: cwdVenv) { pythons.append(cwdVenv) }
        for dir in (environment["PATH"] ?? "").split(separator: ":") {
            for name in ["esptool", "esptool.py"] {
                if let python = shebangInterpreter(of: "\(dir)/\(name)") { pythons.append(python) }
            }
        }
        pythons.append("python3")
        // A venv's layout says where its packages are, which saves starting python (~0.2 s).
        for python in pythons where python.hasPrefix("/") {
            if let package = esptoolPackageInVenv(python: python) {
                return EsptoolStubSource(directories: [package + "/targets/stub_flasher/2", package + "/targets/stub_flasher/1"])
            }
        }
        for python in pythons {
            if let package = esptoolPackage(python: python, environment: environment) {
                let base = package + "/targets/stub_flasher"
                return EsptoolStubSource(directories: [base + "/2", base + "/1"])
            }
        }
        return EsptoolStubSource(directories: [])
    }

    public func stub(for chip: Chip) throws(LoaderError) -> FlasherStub? { try stub(for: chip, revision: nil) }

    public func stub(for chip: Chip, revision: ChipRevision?) throws(LoaderError) -> FlasherStub? {
        for dir in directories {
            let path = dir + "/" + chip.spec.stubName(revision: revision?.number) + ".json"
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            return try FlasherStub(json: data, origin: path)
        }
        return nil
    }

    /// Every stub these folders hold for the chip (each folder's, every revision's), for a
    /// simulated board to recognise whichever one a tool uploads; unreadable files are skipped.
    public func allStubs(for chip: Chip) -> [FlasherStub] {
        let names = [chip.spec.stubName] + (chip.spec.olderRevisionStub.map { [$0.name] } ?? [])
        return directories.flatMap { dir in
            names.compactMap { name in
                let path = dir + "/" + name + ".json"
                return FileManager.default.contents(atPath: path).flatMap { try? FlasherStub(json: $0, origin: path) }
            }
        }
    }

    /// `<venv>/lib/python3.X/site-packages/esptool` next to a venv's `bin/python3`, if present.
    static func esptoolPackageInVenv(python: String) -> String? {
        let venv = URL(fileURLWithPath: python).deletingLastPathComponent().deletingLastPathComponent().path
        let lib = venv + "/lib"
        guard let versions = try? FileManager.default.contentsOfDirectory(atPath: lib) else { return nil }
        for version in versions.sorted().reversed() where version.hasPrefix("python") {
            let package = "\(lib)/\(version)/site-packages/esptool"
            if FileManager.default.fileExists(atPath: package + "/targets/stub_flasher") { return package }
        }
        return nil
    }

    /// The interpreter named by a script's `#!` line, when it is a python.
    static func shebangInterpreter(of path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let head = String(decoding: handle.readData(ofLength: 256), as: UTF8.self)
        guard head.hasPrefix("#!"), let line = head.dropFirst(2).split(separator: "\n").first else { return nil }
        let interpreter = line.trimmingCharacters(in: .whitespaces)
        return interpreter.contains("python") && !interpreter.contains(" ") ? interpreter : nil
    }

    /// Asks python where esptool is installed; nil when python or esptool is missing.
    static func esptoolPackage(python: String, environment: [String: String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, "-c", "import esptool, os; print(os.path.dirname(esptool.__file__))"]
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return path.isEmpty ? nil : path
    }
}
