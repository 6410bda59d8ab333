import Foundation
import Testing
import EsprigProfiles
import EsprigWorkflows
import EsprigTestSupport
@testable import EsprigCerts

@Suite("Doctor input from a profile")
struct DoctorProfileTests {
    func input(_ project: ProfileProject, device: String? = nil) throws -> DoctorInput {
        let profile = try ProfileLibrary(directory: project.profiles).resolve("tls", environment: [:])
        return try DoctorInput(profile: profile, deviceID: device)
    }

    @Test("reads the patched header (nothing written), the espconn_secure_* calls and the files the profile names")
    func facts() throws {
        let project = try ProfileProject()
        try project.writeMaterial()
        let header = project.directory.file("fw/include/mqtt_config.h")
        let before = try Data(contentsOf: URL(fileURLWithPath: header))
        let input = try input(project, device: "esprig_0076815E")
        #expect(try Data(contentsOf: URL(fileURLWithPath: header)) == before)
        #expect(input.mqttHost == "broker.local")
        #expect(input.clientID == "esprig_%08X")
        #expect(input.deviceID == "esprig_0076815E")
        #expect(input.security == .twoWay)
        #expect(input.firmware.caSector == 0x77 && input.firmware.clientSector == 0x78)
        #expect(input.firmware.compiled?.caCertificates?.number == 0x77)
        #expect(input.firmware.compiled?.configLocation?.number == 0x79)
        #expect(input.firmware.tlsBufferSize == 5 * 1024)
        #expect(input.firmware.tlsBufferSource?.contains("user_main.c:3") == true)
        #expect(input.firmware.compiledConflict == nil)
        #expect(input.ca.map(\.name) == ["ca.crt"] && input.ca.first?.bytes != nil)
        #expect(input.clientKey?.bytes != nil && input.serverCertificate?.bytes != nil)
        #expect(diagnose(input).isEmpty)
    }

    @Test("the profile's MQTT_HOST and the firmware's TLS buffer reach the rules")
    func rulesFromProfile() throws {
        let project = try ProfileProject(mqttHost: "10.1.2.3", bufferSize: "2048")
        try project.writeMaterial()
        #expect(diagnose(try input(project)).map(\.code) == ["server-host-not-covered", "tls-buffer-too-small"])
    }

    @Test("a source call that disagrees with the header is a sector-mismatch finding naming the line")
    func sourceConflict() throws {
        let project = try ProfileProject()
        try project.writeMaterial()
        let path = project.directory.file("fw/user/user_main.c")
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "ESPCONN_CLIENT, CA_CERT_FLASH_ADDRESS", with: "ESPCONN_CLIENT, 0x70")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let findings = diagnose(try input(project))
        #expect(findings.map(\.code) == ["sector-mismatch"])
        #expect(findings.first?.message.contains("user_main.c:4") == true)
    }

    @Test("missing files are findings, not crashes")
    func missing() throws {
        let project = try ProfileProject()
        #expect(diagnose(try input(project)).map(\.code) == Array(repeating: "material-missing", count: 5))
    }
}
