import Testing
import EsprigTransport
import EsprigProtocol
import EsprigTestSupport
@testable import EsprigProfiles

private func load(_ files: [String: String], _ name: String = "p", env: [String: String] = [:]) throws -> ResolvedProfile {
    try ProfileLibrary.inMemory(files).resolve(name, environment: env)
}

private func failure(_ files: [String: String], _ name: String = "p", env: [String: String] = [:]) -> ProfileError? {
    do {
        _ = try ProfileLibrary.inMemory(files).resolve(name, environment: env)
        return nil
    } catch {
        return error
    }
}

@Suite struct ProfileSchemaTests {
    @Test func unknownKeyNamesFileLineAndSuggestion() throws {
        let error = try #require(failure(["p": """
            chip = "esp8266"

            [flash]
            size = "4MB"
            ca_sectr = 0x77
            """]))
        #expect(error.code == .unknownKey)
        #expect(error.location == SourceLocation(file: "/profiles/p.toml", line: 5))
        #expect(error.message.contains("flash.ca_sectr"))
        #expect(error.hint?.contains("did you mean `flash.ca_sector`") == true)
    }

    @Test func unknownTopLevelTable() throws {
        let error = try #require(failure(["p": "chip = \"esp8266\"\n[monitr]\nbaud = 74880\n"]))
        #expect(error.code == .unknownKey)
        #expect(error.location?.line == 2)
        #expect(error.hint?.contains("monitor") == true)
    }

    @Test func wrongTypeIsRefusedWithItsLine() throws {
        let error = try #require(failure(["p": "chip = \"esp8266\"\nbaud = \"115200\"\n"]))
        #expect(error.code == .wrongType)
        #expect(error.location?.line == 2)
        #expect(error.message.contains("must be an integer"))
    }

    @Test func syntaxErrorCarriesTheParserLine() throws {
        let error = try #require(failure(["p": "chip = \"esp8266\"\n\nbaud = = 3\n"]))
        #expect(error.code == .syntax)
        #expect(error.location?.line == 3)
    }

    @Test func configValuesMustBeScalars() throws {
        let error = try #require(failure(["p": "chip = \"esp8266\"\n[config]\nheader = \"h.h\"\n[config.set]\nMQTT_PORT = [1]\n"]))
        #expect(error.code == .wrongType)
        #expect(error.location?.line == 5)
    }

    @Test func configNamesMustBeCIdentifiers() throws {
        let error = try #require(failure(["p": "chip = \"esp8266\"\n[config]\nheader = \"h.h\"\n[config.set]\n\"1BAD\" = 1\n"]))
        #expect(error.code == .invalidValue)
    }

    @Test func arrayOfTablesLinesAreTracked() throws {
        let error = try #require(failure(["p": """
            chip = "esp8266"
            [[flash.extra]]
            address = 0x100000
            file = "a.bin"
            [[flash.extra]]
            address = 0x200000
            fil = "b.bin"
            """]))
        #expect(error.code == .unknownKey)
        #expect(error.location?.line == 7)
        #expect(error.message.contains("flash.extra[1].fil"))
    }
}

@Suite struct ProfileRuleTests {
    @Test(arguments: [299, 5_000_001, 0])
    func baudOutOfRange(_ baud: Int) throws {
        let error = try #require(failure(["p": "chip = \"esp8266\"\nbaud = \(baud)\n"]))
        #expect(error.code == .invalidValue)
        #expect(error.location?.line == 2)
        #expect(error.hint?.contains("300 to 5000000") == true)
    }

    @Test func chipMustBeKnown() throws {
        let error = try #require(failure(["p": "chip = \"esp8285x\"\n"]))
        #expect(error.code == .invalidValue)
        #expect(error.hint?.contains("esp8266, esp32") == true)
        #expect(try #require(failure(["p": "baud = 115200\n"])).code == .missingKey)
    }

    @Test func portForms() throws {
        func port(_ text: String) throws -> PortAddress { try load(["p": "chip = \"esp8266\"\nport = \"\(text)\"\n"]).port }
        #expect(try port("auto") == .selected(.auto))
        #expect(try port("/dev/serial/by-id/usb-Silicon_Labs-if00") == .device(path: "/dev/serial/by-id/usb-Silicon_Labs-if00"))
        #expect(try port("sim://esp8266") == .simulator(chip: "esp8266", options: [:]))
        #expect(try port("rfc2217://lab:4000") == .rfc2217(host: "lab", port: 4000))
        #expect(try load(["p": "chip = \"esp8266\""]).port == .selected(.auto))
        #expect(try #require(failure(["p": "chip = \"esp8266\"\nport = \"ttyUSB0\"\n"])).code == .invalidValue)
        #expect(try #require(failure(["p": "chip = \"esp8266\"\nport = \"./ttyUSB0\"\n"])).code == .invalidValue)
        #expect(try #require(failure(["p": "chip = \"esp8266\"\nport = \"http://x\"\n"])).code == .invalidValue)
        // The same grammar as --port: a socket:// without a port number is refused here too.
        #expect(try #require(failure(["p": "chip = \"esp8266\"\nport = \"socket://lab\"\n"])).code == .invalidValue)
        #expect(try port("usb-serial:A50285BI") == .selected(.usbSerial("A50285BI")))
        #expect(try port("usb-path:1-1.4") == .selected(.usbPath("1-1.4")))
        #expect(try port("by-id:usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0") == .selected(.byID("usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0")))
        // What the profile names is what a command opens: the text parses back to the same address.
        let sim = try port("sim://esp8266?state=/tmp/a%26b.bin&mac=18:fe:34:00:00:01")
        #expect(try PortAddress(parsing: sim.description) == sim)
        #expect(try #require(failure(["p": "chip = \"esp8266\"\nport = \"usb-path:\"\n"])).code == .invalidValue)
    }

    @Test(arguments: [(2, 0x100000), (3, 0x200000), (4, 0x400000), (5, 0x200000), (6, 0x400000)])
    func sizeMaps(_ map: Int, _ bytes: Int) throws {
        let p = try load(["p": "chip = \"esp8266\"\n[flash]\nsize_map = \(map)\n"])
        #expect(p.flash.sizeMap == map)
        #expect(p.flash.sizeBytes == bytes)
    }

    @Test(arguments: [0, 1, 7, 8, 9])
    func unsupportedSizeMaps(_ map: Int) throws {
        let error = try #require(failure(["p": "chip = \"esp8266\"\n[flash]\nsize_map = \(map)\n"]))
        #expect(error.code == .invalidValue)
        #expect(error.location?.line == 3)
    }

    @Test func sizeMapIsESP8266Only() throws {
        #expect(try #require(failure(["p": "chip = \"esp32\"\n[flash]\nsize_map = 5\n"])).code == .invalidValue)
    }

    @Test func sizeAndMapMustAgree() throws {
        #expect(try #require(failure(["p": "chip = \"esp8266\"\n[flash]\nsize = \"4MB\"\nsize_map = 5\n"])).code == .invalidValue)
        // Same byte count, different header value: boot reads 2MB as 512+512 and map 5 is 1024+1024.
        let c1 = try #require(failure(["p": "chip = \"esp8266\"\n[flash]\nsize = \"2MB\"\nsize_map = 5\n"]))
        #expect(c1.code == .invalidValue)
        #expect(c1.hint?.contains("2MB-c1") == true, "\(c1)")
        #expect(try load(["p": "chip = \"esp8266\"\n[flash]\nsize = \"2MB-c1\"\nsize_map = 5\n"]).flash.sizeName == "2MB-c1")
        #expect(try #require(failure(["p": "chip = \"esp8266\"\n[flash]\nsize = \"3MB\"\n"])).code == .invalidValue)
    }

    @Test func sectors() throws {
        let p = try load(["p": "chip = \"esp8266\"\n[flash]\nsize = \"1MB\"\nca_sector = 0x77\nclient_sector = 0x78\n"])
        #expect(p.flash.caSector == 0x77 && p.flash.clientSector == 0x78)
        let beyond = try #require(failure(["p": "chip = \"esp8266\"\n[flash]\nsize = \"512KB\"\nca_sector = 0x80\n"]))
        #expect(beyond.code == .invalidValue && beyond.location?.line == 4)
        #expect(try #require(failure(["p": "chip = \"esp8266\"\n[flash]\nca_sector = 0\n"])).code == .invalidValue)
        #expect(try #require(failure(["p": "chip = \"esp8266\"\n[flash]\nca_sector = 0x77\nclient_sector = 0x77\n"])).code == .invalidValue)
        #expect(try #require(failure(["p": "chip = \"esp8266\"\n[flash]\nca_sector = \"0x77\"\n"])).code == .wrongType)
    }

    @Test func extraFilesAreAlignedAndInside() throws {
        let ok = try load(["p": "root = \"/r\"\nchip = \"esp8266\"\n[flash]\nsize = \"4MB\"\n[[flash.extra]]\naddress = 0x300000\nfile = \"data/fs.bin\"\n"])
        #expect(ok.flash.extra.map(\.address) == [0x300000])
        #expect(ok.flash.extra.map(\.file) == ["/r/data/fs.bin"])
        #expect(ok.flash.extra.first?.location.line == 6)
        let unaligned = try #require(failure(["p": "chip = \"esp8266\"\n[[flash.extra]]\naddress = 0x300010\nfile = \"x\"\n"]))
        #expect(unaligned.code == .invalidValue && unaligned.location?.line == 3)
        #expect(try #require(failure(["p": "chip = \"esp8266\"\n[[flash.extra]]\nfile = \"x\"\n"])).code == .missingKey)
    }

    @Test func monitor() throws {
        let p = try load(["p": "chip = \"esp8266\"\nbaud = 460800\n[monitor]\nsuccess = \"ready$\"\ntimeout = 2.5\n"])
        #expect(p.monitor.baud == 460800)
        #expect(p.monitor.timeout == 2.5)
        #expect(p.monitor.success == "ready$")
        #expect(try #require(failure(["p": "chip = \"esp8266\"\n[monitor]\nsuccess = \"(unclosed\"\n"])).code == .invalidValue)
        #expect(try #require(failure(["p": "chip = \"esp8266\"\n[monitor]\ntimeout = 0\n"])).code == .invalidValue)
    }

    @Test func clientCertNeedsItsKey() throws {
        let error = try #require(failure(["p": "chip = \"esp8266\"\n[certs]\nclient_cert = \"c.crt\"\n"]))
        #expect(error.code == .invalidValue && error.location?.line == 3)
    }

    @Test func configSettingsKeepOrderAndKinds() throws {
        let p = try load(["p": """
            chip = "esp8266"
            [config]
            header = "include/mqtt_config.h"
            [config.set]
            MQTT_PORT = 8883
            MQTT_HOST = "broker.local"
            MQTT_SSL_ENABLE = false
            [config.add]
            MQTT_SSL_SIZE = 5120
            """])
        let config = try #require(p.config)
        #expect(config.settings.map(\.name) == ["MQTT_PORT", "MQTT_HOST", "MQTT_SSL_ENABLE", "MQTT_SSL_SIZE"])
        #expect(config.settings.map(\.value) == [.integer(8883), .string("broker.local"), .flag(false), .integer(5120)])
        #expect(config.settings.map(\.addIfMissing) == [false, false, false, true])
        #expect(config.settings[0].location.line == 5)
        #expect(config.rules == .demo)
    }
}

@Suite struct ProfileResolutionTests {
    @Test func inheritanceMergesKeyByKey() throws {
        let p = try load([
            "base": """
                chip = "esp8266"
                baud = 115200
                [flash]
                size = "4MB"
                ca_sector = 0x77
                [monitor]
                baud = 74880
                timeout = 30
                """,
            "mid": """
                extends = "base"
                [flash]
                client_sector = 0x78
                """,
            "p": """
                extends = "mid"
                baud = 921600
                [monitor]
                timeout = 5
                """,
        ])
        #expect(p.baud == 921600)
        #expect(p.flash.sizeName == "4MB" && p.flash.caSector == 0x77 && p.flash.clientSector == 0x78)
        #expect(p.monitor.baud == 74880 && p.monitor.timeout == 5)
        #expect(p.files == ["/profiles/p.toml", "/profiles/mid.toml", "/profiles/base.toml"])
        #expect(p.location(of: "flash.ca_sector") == SourceLocation(file: "/profiles/base.toml", line: 5))
        #expect(p.location(of: "monitor.timeout") == SourceLocation(file: "/profiles/p.toml", line: 4))
    }

    @Test func errorsInABaseNameTheBaseFile() throws {
        let error = try #require(failure(["base": "chip = \"esp8266\"\nbuad = 1\n", "p": "extends = \"base\"\n"]))
        #expect(error.code == .unknownKey)
        #expect(error.location == SourceLocation(file: "/profiles/base.toml", line: 2))
    }

    @Test func extendsCycleNamesTheChain() throws {
        let error = try #require(failure([
            "p": "extends = \"a\"\nchip = \"esp8266\"\n",
            "a": "extends = \"b\"\n",
            "b": "extends = \"a\"\n",
        ]))
        #expect(error.code == .extendsCycle)
        #expect(error.message.contains("a → b → a"))
        #expect(error.location == SourceLocation(file: "/profiles/b.toml", line: 1))
        #expect(try #require(failure(["p": "extends = \"p\"\n"])).code == .extendsCycle)
    }

    @Test func missingBaseIsNotFoundAtTheExtendsLine() throws {
        let error = try #require(failure(["p": "chip = \"esp8266\"\nextends = \"nope\"\n"]))
        #expect(error.code == .notFound)
        #expect(error.location?.line == 2)
    }

    @Test func environmentSecrets() throws {
        let text = """
            chip = "esp8266"
            [config]
            header = "h.h"
            [config.set]
            STA_SSID = "lab"
            STA_PASS = "${env:WIFI_PASS}"
            MQTT_HOST = "${env:BROKER:-localhost}"
            """
        let p = try load(["p": text], env: ["WIFI_PASS": "hunter2"])
        let settings = try #require(p.config).settings
        #expect(settings.map(\.value) == [.string("lab"), .string("hunter2"), .string("localhost")])
        #expect(settings.map(\.isSecret) == [false, true, true])
        #expect(p.warnings.isEmpty)

        let error = try #require(failure(["p": text]))
        #expect(error.code == .missingEnvironment)
        #expect(error.message.contains("WIFI_PASS"))
        #expect(error.location == SourceLocation(file: "/profiles/p.toml", line: 6))
    }

    @Test func literalSecretIsAWarning() throws {
        let p = try load(["p": "chip = \"esp8266\"\n[config]\nheader = \"h.h\"\n[config.set]\nMQTT_PASS = \"s3cret\"\nSTA_PASS = \"\"\n"])
        #expect(p.warnings.count == 1)
        #expect(p.warnings.first?.code == .literalSecret)
        #expect(p.warnings.first?.location == SourceLocation(file: "/profiles/p.toml", line: 5))
        #expect(p.warnings.first?.message.contains("s3cret") == false)
    }

    @Test func profileReferences() throws {
        let p = try load(["p": """
            root = "/work/proj"
            chip = "esp8266"
            [firmware]
            dir = "fw"
            build = "make -C ${profile.firmware.dir} SPI_SIZE_MAP=${profile.flash.size_map} NAME=${profile.name} $${literal}"
            [firmware.artifacts]
            elf = "build/fw.elf"
            [flash]
            size_map = 5
            app = "${profile.firmware.artifacts.elf}"
            """])
        let firmware = try #require(p.firmware)
        #expect(firmware.directory == "/work/proj/fw")
        #expect(firmware.command == "make -C /work/proj/fw SPI_SIZE_MAP=5 NAME=p ${literal}")
        #expect(firmware.artifact(named: "elf") == "/work/proj/fw/build/fw.elf")
        #expect(p.flash.app == "/work/proj/fw/build/fw.elf")
    }

    @Test func unknownReferenceSuggests() throws {
        let error = try #require(failure(["p": "chip = \"esp8266\"\n[firmware]\ndir = \"fw\"\nbuild = \"make -C ${profile.firmware.dri}\"\n"]))
        #expect(error.code == .unknownReference)
        #expect(error.location?.line == 4)
        #expect(error.hint?.contains("${profile.firmware.dir}") == true)
        #expect(try #require(failure(["p": "chip = \"${nope}\"\n"])).code == .unknownReference)
        #expect(try #require(failure(["p": "chip = \"${profile.flash}\"\n[flash]\nsize = \"4MB\"\n"])).code == .unknownReference)
    }

    @Test func referenceCycle() throws {
        let error = try #require(failure(["p": "chip = \"esp8266\"\ndescription = \"${profile.port}\"\nport = \"${profile.description}\"\n"]))
        #expect(error.code == .referenceCycle)
    }

    @Test func pathsResolveAgainstTheRoot() throws {
        // default root: the directory above the profiles directory
        let p = try ProfileLibrary.inMemory(["p": "chip = \"esp8266\"\n[config]\nheader = \"fw/include/c.h\"\n[certs]\nca = [\"certs/a.crt\", \"/abs/b.crt\"]\n"],
                                            directory: "/repo/Profiles").resolve("p", environment: [:])
        #expect(p.root == "/repo")
        #expect(p.config?.header == "/repo/fw/include/c.h")
        #expect(p.certs.ca == ["/repo/certs/a.crt", "/abs/b.crt"])
        // `root` is relative to the file that sets it
        let q = try ProfileLibrary.inMemory(["p": "root = \"./sub/..\"\nchip = \"esp8266\"\n[certs]\nca = \"../ca.crt\"\n"],
                                            directory: "/repo/Profiles").resolve("p", environment: [:])
        #expect(q.root == "/repo/Profiles")
        #expect(q.certs.ca == ["/repo/ca.crt"])
        #expect(try #require(failure(["p": "chip = \"esp8266\"\n[flash]\nboot = \"\"\n"])).code == .invalidValue)
    }
}

@Suite struct ShippedProfileTests {
    let library = ProfileLibrary(directory: PackagePaths.root + "/Profiles")

    @Test func demoLoadsWithoutEnvironment() throws {
        let p = try library.resolve("demo", environment: [:])
        #expect(p.chip == .esp8266)
        #expect(p.port == .simulator(chip: "esp8266", options: [:]))
        #expect(p.firmware?.directory == PackagePaths.root + "/Firmware/esp8266-demo")
        #expect(p.firmware?.command == "make -C \(PackagePaths.root)/Firmware/esp8266-demo")
        #expect(p.firmware?.artifact(named: "elf") == PackagePaths.root + "/Firmware/esp8266-demo/build/demo.elf")
        #expect(p.config?.header == PackagePaths.root + "/Firmware/esp8266-demo/include/mqtt_config.h")
        // The cert sectors come from the header only ([flash] would merely override them).
        #expect(p.flash.caSector == nil && p.flash.clientSector == nil)
        #expect(p.config?.settings.first { $0.name == "CA_CERT_FLASH_ADDRESS" }?.value == .integer(0x77))
        #expect(p.config?.settings.first { $0.name == "CLIENT_CERT_FLASH_ADDRESS" }?.value == .integer(0x78))
        #expect(p.flash.imageVersion == 1)
        #expect(p.monitor.baud == 74880)
        #expect(p.warnings.isEmpty)
    }

    @Test func nonosNeedsSDKPath() throws {
        #expect(throws: ProfileError(.missingEnvironment, "")) { try library.resolve("nonos-mqtt-tls", environment: [:]) }
        let p = try library.resolve("nonos-mqtt-tls", environment: ["SDK_PATH": "/opt/ESP8266_NONOS_SDK", "ESPRIG_STA_PASS": "wifi-secret"])
        #expect(p.firmware?.directory == "/opt/ESP8266_NONOS_SDK/esp_mqtt_proj")
        #expect(p.firmware?.command == "make -C /opt/ESP8266_NONOS_SDK/esp_mqtt_proj COMPILE=gcc BOOT=new APP=1 SPI_SPEED=40 SPI_MODE=QIO SPI_SIZE_MAP=5 .subdirs .output/eagle/debug/image/eagle.app.v6.out")
        #expect(p.firmware?.artifact(named: "elf") == "/opt/ESP8266_NONOS_SDK/esp_mqtt_proj/.output/eagle/debug/image/eagle.app.v6.out")
        #expect(p.flash.sizeMap == 5 && p.flash.sizeBytes == 0x200000 && p.flash.mode == .qio && p.flash.frequency == "40m")
        #expect(p.flash.boot == "/opt/ESP8266_NONOS_SDK/bin/boot_v1.7.bin")
        #expect(p.flash.app == "/opt/ESP8266_NONOS_SDK/esp_mqtt_proj/.output/eagle/debug/image/eagle.app.v6.out")
        #expect(p.flash.imageVersion == 2 && p.flash.appAddress == 0x1000)
        #expect(p.flash.caSector == nil && p.config?.settings.first { $0.name == "CA_CERT_FLASH_ADDRESS" }?.value == .integer(0x77))
        #expect(p.config?.header == "/opt/ESP8266_NONOS_SDK/esp_mqtt_proj/include/mqtt_config.h")
        #expect(p.config?.settings.first { $0.name == "STA_PASS" }?.value == .string("wifi-secret"))
        #expect(p.certs.clientKey == PackagePaths.root + "/certs/client.key")
        // The SDK demo prints at 115200 after the ROM's 74880 banner, and uses shared topics.
        #expect(p.monitor.baud == 115_200)
        #expect(p.broker.acl == ["/mqtt/topic/#", "/lwt"])
    }

    @Test func showMasksSecrets() throws {
        let p = try library.resolve("nonos-mqtt-tls", environment: [
            "SDK_PATH": "/sdk", "ESPRIG_STA_PASS": "wifi-secret-1", "ESPRIG_MQTT_PASS": "mqtt-secret-2",
        ])
        let entries = p.displayEntries()
        let text = entries.map { "\($0.key) = \($0.value)" }.joined(separator: "\n")
        #expect(!text.contains("wifi-secret-1"))
        #expect(!text.contains("mqtt-secret-2"))
        #expect(entries.first { $0.key == "config.set.STA_PASS" }?.value == ResolvedProfile.mask)
        #expect(entries.first { $0.key == "config.set.MQTT_PASS" }?.isSecret == true)
        #expect(entries.first { $0.key == "config.set.CA_CERT_FLASH_ADDRESS" }?.value == "119")
        #expect(entries.first { $0.key == "config.set.MQTT_PORT" }?.value == "8883")
    }

    @Test func secretsReferencedElsewhereStayMasked() throws {
        let p = try load(["p": """
            chip = "esp8266"
            [config]
            header = "h.h"
            [config.set]
            MQTT_PASS = "${env:PW}"
            [firmware]
            dir = "fw"
            build = "make PW=${profile.config.set.MQTT_PASS}"
            """], env: ["PW": "topsecret"])
        #expect(p.firmware?.command?.contains("topsecret") == true)
        let text = p.displayEntries().map(\.value).joined(separator: "\n")
        #expect(!text.contains("topsecret"))
    }
}
