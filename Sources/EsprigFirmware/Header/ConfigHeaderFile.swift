import Foundation

/// The only file access the patcher needs, so tests can reach every branch without a disk.
public protocol ConfigFileStore {
    /// The file's bytes, or nil when there is no such file.
    func read(_ path: String) throws -> [UInt8]?
    /// Replaces the file in one step, so a crash leaves either the old or the new bytes.
    func writeAtomically(_ path: String, _ bytes: [UInt8]) throws
    func remove(_ path: String) throws
}

/// The real file system: atomic writes through a temporary file and rename.
public struct LocalFileStore: ConfigFileStore {
    public init() {}

    public func read(_ path: String) throws -> [UInt8]? {
        if let data = FileManager.default.contents(atPath: path) { return [UInt8](data) }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw FirmwareConfigError(.fileUnreadable, "cannot read \(path)", hint: "check its permissions")
        }
        return nil
    }

    public func writeAtomically(_ path: String, _ bytes: [UInt8]) throws {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw FirmwareConfigError(.fileUnwritable, "cannot write \(path): \(error.localizedDescription)",
                                      hint: "check that the directory exists and is writable")
        }
    }

    public func remove(_ path: String) throws {
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw FirmwareConfigError(.fileUnwritable, "cannot remove \(path): \(error.localizedDescription)")
        }
    }
}

/// A header on disk with a pristine copy beside it (`<path>.esprig-orig`), made at the first
/// write, so `revert` can always bring back the bytes esprig found.
public struct ConfigHeaderFile {
    public let path: String
    private let store: any ConfigFileStore

    public init(path: String, store: any ConfigFileStore = LocalFileStore()) {
        self.path = path
        self.store = store
    }

    public var backupPath: String { path + ".esprig-orig" }

    public func load() throws -> ConfigHeader {
        guard let bytes = try store.read(path) else {
            throw FirmwareConfigError(.fileUnreadable, "no such file: \(path)", hint: "check the header path")
        }
        return ConfigHeader(bytes: bytes)
    }

    /// The change `assignments` would make, without writing anything.
    public func plan(_ assignments: [ConfigAssignment], rules: ConfigRules = .mqttDemo) throws -> ConfigPatch {
        try load().patched(assignments, rules: rules)
    }

    /// Applies `assignments`. Nothing is written when nothing changes; every check runs before
    /// the first byte is written; the backup is kept from the first write on.
    @discardableResult
    public func apply(_ assignments: [ConfigAssignment], rules: ConfigRules = .mqttDemo) throws -> ConfigPatch {
        let patch = try plan(assignments, rules: rules)
        guard patch.hasChanges else { return patch }
        if try store.read(backupPath) == nil {
            try store.writeAtomically(backupPath, patch.original)
        }
        try store.writeAtomically(path, patch.patched)
        return patch
    }

    public var hasBackup: Bool {
        get throws { try store.read(backupPath) != nil }
    }

    /// Puts the original bytes back and drops the backup.
    public func revert() throws {
        guard let original = try store.read(backupPath) else {
            throw FirmwareConfigError(.noBackup, "\(path) has no esprig backup (\(backupPath))",
                                      hint: "esprig has not changed this header, or it was already reverted")
        }
        try store.writeAtomically(path, original)
        try store.remove(backupPath)
    }
}
