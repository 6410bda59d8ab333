import EsprigSimHost
import EsprigSimulator
import EsprigTestSupport
import Foundation
import Testing

/// `esprig flash --profile demo` end to end against a persistent simulated board, on a copy of
/// Profiles/ and Firmware/esp8266-demo so the real config header is never touched.
@Suite("esprig flash --profile", .serialized)
struct FlashProfileTests {
    let esprig: ToolRunner
    let directory: TempDirectory

    init() throws {
        esprig = try ToolRunner.locateEsprig()
        directory = try TempDirectory(prefix: "esprig-flash-profile")
        try directory.copyDemoProject()
    }

    /// The simulated board, persisted in `state`: it runs what was flashed, or replays `script`
    /// after each reset instead (for monitor outcomes the demo never prints).
    func port(state: String = "board.bin", script: String? = nil) -> String {
        "sim://esp8266?state=\(directory.file(state))" + (script.map { "&boot-script=\($0)" } ?? "")
    }

    func flash(_ extra: [String] = [], profile: String = "demo", port: String? = nil) throws -> (status: Int32, output: String) {
        try esprig.run(["flash", "--profile", profile, "--profiles-dir", directory.file("Profiles"),
                        "--port", port ?? self.port()] + extra, timeout: .seconds(300))
    }

    /// FNV-1a, 32-bit, as the demo prints it: the test's own, from the algorithm's definition.
    static func fnv1a(_ bytes: [UInt8]) -> String {
        let hash = bytes.reduce(UInt32(0x811C_9DC5)) { ($0 ^ UInt32($1)) &* 0x0100_0193 }
        return String(format: "0x%08x", hash)
    }

    func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test("flashes the demo: material made once, the board's own certificate, the board reads its sectors; esptool's elf2image output on the board; dry run touches nothing; a rerun skips and reuses the identity")
    func flashDemo() throws {
        let realHeader = try bytes(FirmwareBuild.directory + "/include/mqtt_config.h")

        let first = try flash()
        #expect(first.status == 0, "\(first.output)")
        for line in ["profile: demo", "config:", "build: built", "image:",
                     "certs/demo/ca.crt, ", "certs/demo/ca.key, ", "certs/demo/server.crt, ", "certs/demo/server.key ([certs] create; keys are 0600)", "plan: 3 regions",
                     "doctor: 0 warning(s), no errors", "connect:", "identity: esprig_0076815E, a new certificate and key (", "certs/demo/devices/esprig_0076815E.crt)",
                     "write: 4 written", "verify: 4 written regions verified", "reset: by the monitor", "rst cause:2, boot mode:(3,6)", "load 0x3ffe8000",
                     "esprig-demo: booted", "config MQTT_HOST=localhost MQTT_PORT=8883", "config DEFAULT_SECURITY=3",
                     "cert client entry=1 name=certificate", "esprig-demo: ready", "monitor: matched \"esprig-demo: ready\"",
                     "certificates: board reads what was written at 0x77000 / 0x78000"] {
            #expect(first.output.contains(line), "missing '\(line)' in:\n\(first.output)")
        }
        #expect(!first.output.contains("PRIVATE KEY"), "a key was printed")
        let devices = directory.file("certs/demo/devices")
        for key in ["certs/demo/ca.key", "certs/demo/server.key", "certs/demo/devices/esprig_0076815E.key"] {
            let mode = try FileManager.default.attributesOfItem(atPath: directory.file(key))[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(key): \(String(mode ?? 0, radix: 8))")
        }
        let deviceCertificate = try bytes(devices + "/esprig_0076815E.crt")

        // The expected images, from esptool itself.
        let elf = directory.file("Firmware/esp8266-demo/build/demo.elf")
        let prefix = directory.file("expected-")
        let esptool = try ToolRunner.locateEsptool()
        let converted = try esptool.run(["--chip", "esp8266", "elf2image", "--flash-mode", "qio", "--flash-freq", "40m",
                                         "--flash-size", "4MB", "-o", prefix, elf], timeout: .seconds(120))
        #expect(converted.status == 0, "\(converted.output)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("expected-") && $0.hasSuffix(".bin") }
        #expect(names.count == 2, "\(names)")
        // Read back by esptool from a board started from the saved flash, as from a real one.
        var options = SimulatorOptions(chip: .esp8266)
        options.imagePath = directory.file("board.bin")
        let server = try SimulatorServer(board: try SimulatedBoard(options: options), endpoint: .tcp(port: 0))
        try server.start()
        defer { server.stop() }
        for name in names {
            let offsetText = name.dropFirst("expected-".count).dropLast(".bin".count)
            let offset = try #require(Int(offsetText.hasPrefix("0x") ? String(offsetText.dropFirst(2)) : String(offsetText), radix: 16))
            let expected = try bytes(directory.file(name))
            let readBack = directory.file("read-\(offsetText).bin")
            let read = try esptool.run(["--chip", "esp8266", "--port", server.address, "--after", "no-reset", "read-flash",
                                        "0x" + String(offset, radix: 16), String(expected.count), readBack], timeout: .seconds(120))
            #expect(read.status == 0, "\(read.output)")
            #expect(try bytes(readBack) == expected, "board differs from \(name) at 0x\(String(offset, radix: 16))")
        }

        // --dry-run plans but leaves the board file alone.
        let before = try bytes(directory.file("board.bin"))
        let modified = try FileManager.default.attributesOfItem(atPath: directory.file("board.bin"))[.modificationDate] as? Date
        let dry = try flash(["--dry-run"])
        #expect(dry.status == 0, "\(dry.output)")
        #expect(dry.output.contains("plan: 3 regions"), "\(dry.output)")
        #expect(dry.output.contains("dry run: the board was not touched"), "\(dry.output)")
        #expect(!dry.output.contains("connect:"), "\(dry.output)")
        #expect(try bytes(directory.file("board.bin")) == before)
        #expect(try FileManager.default.attributesOfItem(atPath: directory.file("board.bin"))[.modificationDate] as? Date == modified)

        // A second run finds everything in place.
        let second = try flash(["--json"])
        #expect(second.status == 0, "\(second.output)")
        let object = try JSONSerialization.jsonObject(with: Data(second.output.utf8)) as? [String: Any]
        #expect(object?["ok"] as? Bool == true)
        let regions = object?["regions"] as? [[String: Any]] ?? []
        #expect(regions.count == 4)
        #expect(regions.allSatisfy { $0["result"] as? String == "skipped" }, "\(regions)")
        #expect(object?["build"] as? String == "up-to-date", "\(second.output)")
        let text = try flash()
        #expect(text.output.contains("write: 0 written, 4 skipped"), "\(text.output)")
        #expect(text.output.contains("identity: esprig_0076815E, the board's certificate from before"), "\(text.output)")
        #expect(!text.output.contains("certs: made"), "\(text.output)")
        #expect(try bytes(devices + "/esprig_0076815E.crt") == deviceCertificate)

        // --new-identity: a new key and certificate for the same client id; only the client sector changes.
        let renewed = try flash(["--new-identity"])
        #expect(renewed.status == 0, "\(renewed.output)")
        #expect(renewed.output.contains("identity: esprig_0076815E, a new certificate and key"), "\(renewed.output)")
        #expect(renewed.output.contains("write: 1 written, 3 skipped"), "\(renewed.output)")
        #expect(try bytes(devices + "/esprig_0076815E.crt") != deviceCertificate)

        // A kept certificate for another client id is refused before anything is written.
        try FileManager.default.removeItem(atPath: devices + "/esprig_0076815E.crt")
        try FileManager.default.copyItem(atPath: directory.file("certs/demo/server.crt"), toPath: devices + "/esprig_0076815E.crt")
        let flashBefore = try bytes(directory.file("board.bin"))
        let mismatch = try flash()
        #expect(mismatch.status == 1, "\(mismatch.output)")
        #expect(mismatch.output.contains("is for CN localhost, but this board's client id is esprig_0076815E"), "\(mismatch.output)")
        #expect(try bytes(directory.file("board.bin")) == flashBefore)

        // The project's own header was never modified.
        #expect(try bytes(FirmwareBuild.directory + "/include/mqtt_config.h") == realHeader)
    }

    @Test("a profile that does not exist exits 1 naming the step")
    func missingProfile() throws {
        let result = try esprig.run(["flash", "--profile", "no-such-profile", "--profiles-dir", directory.file("Profiles"),
                                     "--port", "sim://esp8266"], timeout: .seconds(60))
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("profile:"), "\(result.output)")
    }

    @Test("a bad config value exits 1 at the config step before building")
    func badConfigValue() throws {
        let result = try esprig.run(["flash", "--profile", "demo", "--profiles-dir", directory.file("Profiles"),
                                     "--port", "sim://esp8266"], timeout: .seconds(60),
                                    environment: ["ESPRIG_DEMO_STA_PASS": String(repeating: "x", count: 80)])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("error: config:") || result.output.contains("error: profile:"), "\(result.output)")
        #expect(!result.output.contains("build: built"), "\(result.output)")
    }

    @Test("flash --profile builds its session as write-flash does: --trace shows the frames, ESPRIG_BAUD sets the transfer baud")
    func sessionOptionsAsWriteFlash() throws {
        let result = try esprig.run(["flash", "--profile", "demo", "--profiles-dir", directory.file("Profiles"), "--port", port(),
                                     "--trace", "--no-monitor"], timeout: .seconds(300), environment: ["ESPRIG_BAUD": "230400"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("TRACE TX "), "no frames traced:\n\(result.output.prefix(2000))")
        #expect(result.output.contains("Baud rate changed to 230400."), "\(result.output.prefix(2000))")
    }
}

extension FlashProfileTests {
    @Test("a profile with certificates gets them packed into the CA and client sectors, as DER with a PKCS#1 key")
    func certificates() throws {
        let openssl = ToolRunner(executable: "/usr/bin/openssl")
        let made = try openssl.run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=esprig_0076815E", "-days", "30",
                                    "-keyout", directory.file("client.key"), "-out", directory.file("client.crt")], timeout: .seconds(60))
        try #require(made.status == 0, "\(made.output)")
        _ = try openssl.run(["x509", "-in", directory.file("client.crt"), "-outform", "DER", "-out", directory.file("client.der")], timeout: .seconds(30))
        _ = try openssl.run(["rsa", "-in", directory.file("client.key"), "-traditional", "-outform", "DER", "-out", directory.file("key.der")], timeout: .seconds(30))
        let profile = """
            extends = "demo-base"

            [certs]
            ca = "client.crt"
            client_cert = "client.crt"
            client_key = "client.key"
            """
        try profile.write(toFile: directory.file("Profiles/withcerts.toml"), atomically: true, encoding: .utf8)
        let state = directory.file("certs-board.bin")
        let result = try esprig.run(["flash", "--profile", "withcerts", "--profiles-dir", directory.file("Profiles"),
                                     "--port", "sim://esp8266?state=\(state)"], timeout: .seconds(300))
        #expect(result.status == 0, "\(result.output)")
        let flash = try bytes(state)
        let certificate = try bytes(directory.file("client.der")), key = try bytes(directory.file("key.der"))
        // The demo firmware on the board found them where its header says, with the lengths and
        // FNV-1a of the bytes openssl made.
        for line in ["cert ca entry=0 name=client.crt length=\(certificate.count) fnv1a=\(Self.fnv1a(certificate))", "cert ca entries=1",
                     "cert client entry=0 name=private_key length=\(key.count) fnv1a=\(Self.fnv1a(key))",
                     "cert client entry=1 name=certificate length=\(certificate.count) fnv1a=\(Self.fnv1a(certificate))", "cert client entries=2"] {
            #expect(result.output.contains(line), "missing '\(line)' in:\n\(result.output)")
        }
        // CA sector 0x77: one entry named after the file.
        var ca = Array("client.crt".utf8) + [UInt8](repeating: 0, count: 22) + [UInt8(certificate.count & 0xFF), UInt8(certificate.count >> 8)] + certificate
        ca += [UInt8](repeating: 0xFF, count: 0x1000 - ca.count)
        #expect(Array(flash[0x77000..<0x78000]) == ca)
        // Client sector 0x78: private_key, then certificate.
        var client = Array("private_key".utf8) + [UInt8](repeating: 0, count: 21) + [UInt8(key.count & 0xFF), UInt8(key.count >> 8)] + key
        client += Array("certificate".utf8) + [UInt8](repeating: 0, count: 21) + [UInt8(certificate.count & 0xFF), UInt8(certificate.count >> 8)] + certificate
        client += [UInt8](repeating: 0xFF, count: 0x1000 - client.count)
        #expect(Array(flash[0x78000..<0x79000]) == client)
    }
}

extension FlashProfileTests {
    @Test("a cert sector that disagrees with the firmware, or a region over its saved-config sectors, is refused before the board is touched")
    func sectorMismatch() throws {
        try "extends = \"demo\"\n\n[flash]\nca_sector = 0x76\n".write(toFile: directory.file("Profiles/wrongsector.toml"), atomically: true, encoding: .utf8)
        try Data([UInt8](repeating: 0x42, count: 100)).write(to: URL(fileURLWithPath: directory.file("extra.bin")))
        try "extends = \"demo\"\n\n[[flash.extra]]\naddress = 0x79000\nfile = \"extra.bin\"\n".write(toFile: directory.file("Profiles/overconfig.toml"), atomically: true, encoding: .utf8)
        let state = directory.file("untouched.bin")
        for (profile, message) in [("wrongsector", "firmware reads sector 0x77"), ("overconfig", "where the firmware keeps its settings")] {
            let result = try esprig.run(["flash", "--profile", profile, "--profiles-dir", directory.file("Profiles"),
                                         "--port", "sim://esp8266?state=\(state)"], timeout: .seconds(300))
            #expect(result.status == 1, "\(result.output)")
            #expect(result.output.contains(message), "\(result.output)")
            #expect(result.output.contains("mqtt_config.h:"), "names the header line: \(result.output)")
            #expect(!FileManager.default.fileExists(atPath: state), "the board must not have been touched")
        }
    }
}

extension FlashProfileTests {
    @Test("the monitor step fails the flash (exit 2) on a timeout or a fail-pattern line, naming the profile line; --no-monitor skips it")
    func monitorOutcomes() throws {
        let silent = directory.file("silent.txt"), crashing = directory.file("crash.txt")
        try "@baud 74880\nesprig-demo: booted\n@halt\n".write(toFile: silent, atomically: true, encoding: .utf8)
        try "@baud 74880\nesprig-demo: booted\nFatal exception 28(LoadProhibitedCause):\n@halt\n".write(toFile: crashing, atomically: true, encoding: .utf8)
        try "extends = \"demo\"\n\n[monitor]\ntimeout = 1.5\nfail = \"Fatal exception\"\n".write(toFile: directory.file("Profiles/watched.toml"), atomically: true, encoding: .utf8)

        let timedOut = try flash(["--json"], profile: "watched", port: port(state: "m.bin", script: silent))
        #expect(timedOut.status == 2, "\(timedOut.output)")
        let error = (try JSONSerialization.jsonObject(with: Data(timedOut.output.utf8)) as? [String: Any])?["error"] as? [String: Any]
        #expect(error?["code"] as? String == "monitor-timeout", "\(timedOut.output)")
        let message = error?["message"] as? String ?? ""
        #expect(message.hasPrefix("monitor: no line matched"), "\(message)")
        #expect(message.contains("watched.toml:4") && message.contains("esprig-demo: booted"), "\(message)")

        let failed = try flash([], profile: "watched", port: port(state: "m.bin", script: crashing))
        #expect(failed.status == 2, "\(failed.output)")
        #expect(failed.output.contains("Fatal exception 28(LoadProhibitedCause):"), "the board's line is shown: \(failed.output)")
        #expect(failed.output.contains("matches [monitor] fail /Fatal exception/"), "\(failed.output)")
        #expect(failed.output.contains("write: 0 written, 4 skipped"), "the board was flashed before: \(failed.output)")

        let skipped = try flash(["--no-monitor"], profile: "watched", port: port(state: "m.bin", script: crashing))
        #expect(skipped.status == 0, "\(skipped.output)")
        #expect(skipped.output.contains("monitor: skipped (--no-monitor)"), "\(skipped.output)")
        #expect(!skipped.output.contains("Fatal exception"), "\(skipped.output)")
    }

    @Test("the board prints what was flashed: values from a derived profile and the environment, the MAC's chip id, secrets masked; --erase-all says so")
    func boardPrintsWhatWasFlashed() throws {
        let host = "broker.lab.example", port = 8884, password = "correct horse battery"
        try "extends = \"demo\"\n\n[config.set]\nMQTT_HOST = \"\(host)\"\nMQTT_PORT = \(port)\n"
            .write(toFile: directory.file("Profiles/moved.toml"), atomically: true, encoding: .utf8)
        let mac: [UInt8] = [0x18, 0xFE, 0x34, 0x5A, 0x6B, 0x7C]
        let macText = mac.map { String(format: "%02x", $0) }.joined(separator: ":")
        let result = try esprig.run(["flash", "--profile", "moved", "--profiles-dir", directory.file("Profiles"),
                                     "--port", "sim://esp8266?mac=\(macText)&state=\(directory.file("moved.bin"))", "--erase-all"],
                                    timeout: .seconds(300), environment: ["ESPRIG_DEMO_STA_PASS": password])
        #expect(result.status == 0, "\(result.output)")
        // esptool's chip_id() on an ESP8266 is the MAC's last three bytes.
        let chipID = String(format: "0x00%02x%02x%02x", mac[3], mac[4], mac[5])
        for line in ["config MQTT_HOST=\(host) MQTT_PORT=\(port)", "chip_id=\(chipID)",
                     "STA_PASS=<masked, \(password.count) chars>", "esprig-demo: ready",
                     "erase: the whole flash (4MB) erased before writing (--erase-all)"] {
            #expect(result.output.contains(line), "missing '\(line)' in:\n\(result.output)")
        }
        #expect(!result.output.contains(password), "the password was printed: \(result.output)")
    }
}

extension FlashProfileTests {
    @Test("flash runs doctor first: a client key too small for the broker stops it (exit 2) before the board is touched")
    func doctorBeforeFlash() throws {
        let openssl = ToolRunner(executable: "/usr/bin/openssl")
        let made = try openssl.run(["req", "-x509", "-newkey", "rsa:1024", "-nodes", "-subj", "/CN=esprig_0076815E", "-days", "30",
                                    "-keyout", directory.file("weak.key"), "-out", directory.file("weak.crt")], timeout: .seconds(60))
        try #require(made.status == 0, "\(made.output)")
        try "extends = \"demo-base\"\n\n[certs]\nca = \"weak.crt\"\nclient_cert = \"weak.crt\"\nclient_key = \"weak.key\"\n"
            .write(toFile: directory.file("Profiles/weak.toml"), atomically: true, encoding: .utf8)
        let state = directory.file("doctor-board.bin")
        let result = try flash(["--json"], profile: "weak", port: port(state: "doctor-board.bin"))
        #expect(result.status == 2, "\(result.output)")
        // Findings go to stderr as warnings; the JSON result is the line that starts with "{".
        let json = try #require(result.output.split(separator: "\n").last { $0.hasPrefix("{") })
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let error = object?["error"] as? [String: Any]
        #expect(error?["code"] as? String == "doctor", "\(result.output)")
        #expect(result.output.contains("[rsa-key-too-small]"), "the finding is shown: \(result.output)")
        #expect((error?["message"] as? String ?? "").contains("rsa-key-too-small"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: state), "the board must not have been touched")
        #expect(!result.output.contains("PRIVATE KEY"), "no key material in the output")
    }
}
