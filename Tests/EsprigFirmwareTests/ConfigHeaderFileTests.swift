import Foundation
import Testing
import EsprigTestSupport
@testable import EsprigFirmware

/// A working in-memory file system that can be told to fail, and records writes.
final class InMemoryFileStore: ConfigFileStore {
    var files: [String: [UInt8]] = [:]
    var unreadable: Set<String> = []
    var failWrites = false
    var writes: [String] = []

    func read(_ path: String) throws -> [UInt8]? {
        if unreadable.contains(path) { throw FirmwareConfigError(.fileUnreadable, "cannot read \(path)") }
        return files[path]
    }

    func writeAtomically(_ path: String, _ bytes: [UInt8]) throws {
        if failWrites { throw FirmwareConfigError(.fileUnwritable, "cannot write \(path)") }
        writes.append(path)
        files[path] = bytes
    }

    func remove(_ path: String) throws { files[path] = nil }
}

@Suite struct ConfigHeaderFileTests {
    let path = "include/mqtt_config.h"

    @Test("apply writes the backup once, revert restores the original bytes exactly")
    func applyAndRevert() throws {
        let store = InMemoryFileStore()
        store.files[path] = Fixture.demoHeader
        let file = ConfigHeaderFile(path: path, store: store)
        try file.apply([ConfigAssignment("MQTT_PORT", .integer(8883))])
        try file.apply([ConfigAssignment("STA_SSID", .text("lab"))])
        #expect(store.writes == [file.backupPath, path, path])
        #expect(store.files[file.backupPath] == Fixture.demoHeader)
        #expect(try file.load().value(of: "CFG_HOLDER") == .integer(0x00FF55A6))
        try file.revert()
        #expect(store.files[path] == Fixture.demoHeader)
        #expect(try !file.hasBackup)
        #expect(throws: FirmwareConfigError(.noBackup, "")) { try file.revert() }
    }

    @Test("plan and an unchanged apply write nothing")
    func noWrites() throws {
        let store = InMemoryFileStore()
        store.files[path] = Fixture.demoHeader
        let file = ConfigHeaderFile(path: path, store: store)
        #expect(try file.plan([ConfigAssignment("MQTT_PORT", .integer(8883))]).hasChanges)
        #expect(try !file.apply([ConfigAssignment("MQTT_PORT", .integer(1883))]).hasChanges)
        #expect(store.writes.isEmpty)
    }

    @Test("a refused value writes nothing, not even the backup")
    func refusedWritesNothing() throws {
        let store = InMemoryFileStore()
        store.files[path] = Fixture.demoHeader
        #expect(throws: FirmwareConfigError(.outOfRange, "")) {
            try ConfigHeaderFile(path: path, store: store).apply([ConfigAssignment("MQTT_PORT", .integer(0))])
        }
        #expect(store.writes.isEmpty)
    }

    @Test("missing, unreadable and unwritable files are reported")
    func fileErrors() throws {
        let store = InMemoryFileStore()
        let file = ConfigHeaderFile(path: path, store: store)
        #expect(throws: FirmwareConfigError(.fileUnreadable, "")) { try file.load() }
        store.files[path] = Fixture.demoHeader
        store.unreadable = [path]
        #expect(throws: FirmwareConfigError(.fileUnreadable, "")) { try file.load() }
        store.unreadable = []
        store.failWrites = true
        #expect(throws: FirmwareConfigError(.fileUnwritable, "")) { try file.apply([ConfigAssignment("MQTT_PORT", .integer(2))]) }
        #expect(store.files[path] == Fixture.demoHeader)
    }

    @Test("on disk: apply, idempotent re-apply and revert")
    func localDisk() throws {
        let directory = try TempDirectory(prefix: "esprig-header")
        let headerPath = directory.file("mqtt_config.h")
        try Data(Fixture.demoHeader).write(to: URL(fileURLWithPath: headerPath))
        let file = ConfigHeaderFile(path: headerPath)
        let assignments = [ConfigAssignment("STA_PASS", .text("correct horse"))]
        let first = try file.apply(assignments)
        #expect(try Data(contentsOf: URL(fileURLWithPath: headerPath)) == Data(first.patched))
        #expect(try !file.apply(assignments).hasChanges)
        #expect(try Data(contentsOf: URL(fileURLWithPath: headerPath)) == Data(first.patched))
        try file.revert()
        #expect(try Data(contentsOf: URL(fileURLWithPath: headerPath)) == Data(Fixture.demoHeader))
        #expect(!FileManager.default.fileExists(atPath: file.backupPath))
        #expect(throws: FirmwareConfigError(.fileUnreadable, "")) { try ConfigHeaderFile(path: directory.file("nope.h")).load() }
        #expect(throws: FirmwareConfigError(.fileUnwritable, "")) {
            try LocalFileStore().writeAtomically(directory.file("missing-dir/x.h"), [1])
        }
        #expect(throws: FirmwareConfigError(.fileUnwritable, "")) { try LocalFileStore().remove(directory.file("nope.h")) }
    }
}
