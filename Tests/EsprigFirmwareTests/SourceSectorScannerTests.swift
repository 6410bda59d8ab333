import Foundation
import Testing
@testable import EsprigFirmware

@Suite struct SourceSectorScannerTests {
    typealias Call = SourceSectorScanner.Call
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/sectors").path

    let header = ConfigHeader(bytes: Fixture.demoHeader)
    var scanner: SourceSectorScanner { SourceSectorScanner(header: header) }

    func fixture(_ name: String) throws -> [Call] {
        let path = Self.fixtures + "/" + name
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try scanner.scan(text, file: name)
    }

    @Test func `literal calls are found with their lines; comments, strings and prototypes are not`() throws {
        let calls = try fixture("mqtt_literal.c")
        #expect(calls.map(\.function) == [.caEnable, .clientCertificateEnable, .caEnable, .clientCertificateEnable])
        #expect(calls.map(\.value) == [0x77, 0x78, 0x77, 0x78])
        #expect(calls.map(\.location) == ["mqtt_literal.c:10", "mqtt_literal.c:11", "mqtt_literal.c:22", "mqtt_literal.c:23"])
        #expect(calls[2].argument == "0x77")
    }

    @Test func `macro arguments resolve through the header and the file's own defines`() throws {
        let calls = try fixture("mqtt_macro.c")
        #expect(calls.map(\.function) == [.caEnable, .clientCertificateEnable, .setSize, .caEnable, .setSize])
        #expect(calls.map(\.value) == [0x77, 0x78, 5 * 1024, 119, 6 * 1024])
        // The split call is reported at the line of its name.
        #expect(calls.map(\.line) == [9, 12, 15, 20, 21])
        #expect(calls[0].argument == "CA_CERT_FLASH_ADDRESS")
    }

    @Test func `a patched header value changes what the macro call resolves to`() throws {
        let patched = SourceSectorScanner(macros: ["CA_CERT_FLASH_ADDRESS": 0x60, "CLIENT_CERT_FLASH_ADDRESS": 0x61])
        let calls = try patched.scan("void f(void) { espconn_secure_ca_enable(ESPCONN_CLIENT, CA_CERT_FLASH_ADDRESS); }", file: "a.c")
        #expect(calls.map(\.value) == [0x60])
    }

    @Test(arguments: [
        ("espconn_secure_ca_enable(0x01,0x77);", 0x77),
        ("espconn_secure_ca_enable(1, 119);", 119),
        ("espconn_secure_ca_enable (\t0x01 ,\n  0X77u );", 0x77),
        ("espconn_secure_ca_enable(0x01, (0x70 + 7));", 0x77),
        ("espconn_secure_ca_enable(0x01, 0167);", 0x77),
    ])
    func `numbers are read in every C spelling`(source: String, expected: Int) throws {
        let calls = try scanner.scan("void f(void) {\n" + source + "\n}\n", file: "x.c")
        #expect(calls.map(\.value) == [expected])
    }

    @Test func `a block comment spanning lines hides calls and keeps line numbers`() throws {
        let text = "/*\nespconn_secure_ca_enable(1, 0x10);\n*/\nvoid f(void) { espconn_secure_ca_enable(1, 0x77); }\n"
        let calls = try scanner.scan(text, file: "x.c")
        #expect(calls.map(\.location) == ["x.c:4"])
    }

    @Test func `an unknown macro argument is an error naming file and line`() {
        #expect(throws: FirmwareConfigError(.unresolvedArgument, "")) {
            try scanner.scan("void f(void) {\n  espconn_secure_ca_enable(1, NOT_DEFINED);\n}\n", file: "user/x.c")
        }
        do {
            _ = try scanner.scan("void f(void) {\n  espconn_secure_ca_enable(1, NOT_DEFINED);\n}\n", file: "user/x.c")
        } catch let error as FirmwareConfigError {
            #expect(error.message.contains("user/x.c:2"))
        } catch { Issue.record(error) }
    }

    @Test func `a whole directory is scanned in path order`() throws {
        let calls = try scanner.scan(directory: Self.fixtures)
        #expect(calls.count == 9)
        #expect(calls.first?.file == Self.fixtures + "/mqtt_literal.c")
        #expect(calls.last?.file == Self.fixtures + "/mqtt_macro.c")
    }

    @Test func `the demo firmware has no espconn calls`() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Firmware/esp8266-demo").path
        #expect(try scanner.scan(directory: directory).isEmpty)
    }

    // MARK: Checks

    var headerSectors: FirmwareSectors { get throws { try FirmwareSectors(header: header, path: "include/mqtt_config.h") } }

    @Test func `calls that agree with the header name their call site`() throws {
        let sectors = try SourceSectorScanner.sectors(try fixture("mqtt_literal.c"), header: try headerSectors)
        #expect(sectors.caCertificates?.number == 0x77)
        #expect(sectors.caCertificates?.source.hasPrefix("mqtt_literal.c:10") == true)
        #expect(sectors.clientCertificate?.number == 0x78)
        #expect(sectors.configLocation?.number == 0x79)
    }

    @Test func `a call that disagrees with the header is an error naming both places and sectors`() throws {
        let calls = try scanner.scan("void f(void) {\n\n  espconn_secure_cert_req_enable(0x01, 0x7B);\n}\n", file: "mqtt/mqtt.c")
        do {
            _ = try SourceSectorScanner.sectors(calls, header: try headerSectors)
            Issue.record("expected a mismatch")
        } catch let error as FirmwareConfigError {
            #expect(error.code == .sectorMismatch)
            #expect(error.message.contains("mqtt/mqtt.c:3"))
            #expect(error.message.contains("0x7B"))
            #expect(error.message.contains("include/mqtt_config.h:28"))
            #expect(error.message.contains("0x78"))
        }
    }

    @Test func `two call sites that disagree are an error`() throws {
        let calls = try scanner.scan("void f(void) { espconn_secure_ca_enable(1, 0x77); }\nvoid g(void) { espconn_secure_ca_enable(1, 0x76); }\n", file: "a.c")
        #expect(throws: FirmwareConfigError(.sectorMismatch, "")) {
            try SourceSectorScanner.sectors(calls, header: FirmwareSectors())
        }
    }

    @Test(arguments: [2047, 8193])
    func `a TLS buffer size the SDK ignores is refused`(size: Int) throws {
        let calls = try scanner.scan("void f(void) { espconn_secure_set_size(1, \(size)); }", file: "a.c")
        #expect(throws: FirmwareConfigError(.secureSizeOutOfRange, "")) {
            try SourceSectorScanner.sectors(calls, header: FirmwareSectors())
        }
    }

    @Test func `a plan that writes the CA elsewhere is an error naming the call and both addresses`() throws {
        let plan = try FlashLayoutPlan(layout: FlashLayout(.map4), items: [
            .init(.caCertificates, file: "esp_ca_cert.bin", address: 0x78000, size: 1200),
        ])
        let calls = try fixture("mqtt_literal.c").filter { $0.function == .caEnable }
        do {
            try SourceSectorScanner.check(calls, against: plan)
            Issue.record("expected a mismatch")
        } catch let error as FirmwareConfigError {
            #expect(error.code == .sectorMismatch)
            #expect(error.message.contains("mqtt_literal.c:10"))
            #expect(error.message.contains("0x00077000"))
            #expect(error.message.contains("0x00078000"))
        }
    }

    @Test func `a plan that matches every call passes, and the merged sectors feed the planner`() throws {
        let calls = try fixture("mqtt_literal.c")
        let items: [FlashLayoutPlan.Item] = [
            .init(.caCertificates, file: "esp_ca_cert.bin", address: 0x77000, size: 1200),
            .init(.clientCertificate, file: "esp_cert_private_key.bin", address: 0x78000, size: 2000),
        ]
        let plan = try FlashLayoutPlan(layout: FlashLayout(.map4), items: items,
                                       firmware: try SourceSectorScanner.sectors(calls, header: try headerSectors))
        try SourceSectorScanner.check(calls, against: plan)
    }

    @Test func `the planner's own mismatch error names the call site when fed the merged sectors`() throws {
        let calls = try scanner.scan("void f(void) {\n  espconn_secure_ca_enable(1, 0x70);\n}\n", file: "user/tls.c")
        let sectors = try SourceSectorScanner.sectors(calls, header: FirmwareSectors())
        do {
            _ = try FlashLayoutPlan(layout: FlashLayout(.map4), items: [.init(.caCertificates, file: "ca.bin", address: 0x77000, size: 100)],
                                    firmware: sectors)
            Issue.record("expected a mismatch")
        } catch let error as FirmwareConfigError {
            #expect(error.code == .sectorMismatch)
            #expect(error.message.contains("user/tls.c:2"))
        }
    }
}
