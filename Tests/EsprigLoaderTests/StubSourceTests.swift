import Foundation
import Testing
import EsprigLoader
import EsprigProtocol
import EsprigTestSupport

@Suite("Finding esptool's flasher stubs")
struct StubSourceTests {
    /// A fake install: `bin/esptool` whose shebang names the venv's python, and the package's
    /// stub folder with one stub in esptool's JSON format.
    func fakeVenv() throws -> TempDirectory {
        let venv = try TempDirectory(prefix: "esprig-fake-venv")
        let fm = FileManager.default
        try fm.createDirectory(atPath: venv.file("bin"), withIntermediateDirectories: true)
        try "#!\(venv.file("bin/python3"))\nimport esptool\n".write(toFile: venv.file("bin/esptool"), atomically: true, encoding: .utf8)
        let stubs = venv.file("lib/python3.11/site-packages/esptool/targets/stub_flasher/2")
        try fm.createDirectory(atPath: stubs, withIntermediateDirectories: true)
        let json = #"{"entry": 1074843652, "text": "AAECAw==", "text_start": 1074843648, "data": "BAU=", "data_start": 1073720940}"#
        try json.write(toFile: stubs + "/esp8266.json", atomically: true, encoding: .utf8)
        return venv
    }

    @Test("the esptool command on PATH leads to its venv's stubs without running python")
    func throughPath() throws {
        let venv = try fakeVenv()
        let elsewhere = try TempDirectory(prefix: "esprig-cwd")
        let source = EsptoolStubSource.locate(environment: ["PATH": venv.file("bin")], currentDirectory: elsewhere.url.path)
        let stub = try #require(try source.stub(for: .esp8266))
        #expect(stub.text == [0, 1, 2, 3])
        #expect(stub.data == [4, 5])
        #expect(stub.entry == 0x4010_D004)
        #expect(stub.textStart == 0x4010_D000)
        #expect(try source.stub(for: .esp32) == nil)
    }

    @Test("ESPRIG_STUB_DIR wins; a broken stub file is an error that says what to do")
    func explicitDirectory() throws {
        let dir = try TempDirectory(prefix: "esprig-stubdir")
        try #"{"entry": 1}"#.write(toFile: dir.file("esp8266.json"), atomically: true, encoding: .utf8)
        let source = EsptoolStubSource.locate(environment: ["ESPRIG_STUB_DIR": dir.url.path])
        do {
            _ = try source.stub(for: .esp8266)
            Issue.record("a stub without text must be refused")
        } catch {
            #expect(error.code == .stub)
            #expect(error.hint?.contains("ESPRIG_STUB_DIR") == true)
        }
    }

    @Test("no esptool anywhere: no stub, so the session falls back to the ROM and says so")
    func nothingFound() throws {
        let elsewhere = try TempDirectory(prefix: "esprig-cwd")
        let source = EsptoolStubSource.locate(environment: ["PATH": elsewhere.url.path], currentDirectory: elsewhere.url.path)
        #expect(source.directories.isEmpty)
        #expect(try source.stub(for: .esp8266) == nil)
    }
}
