import Foundation
import EsprigTestSupport
@testable import EsprigCerts

/// A throwaway project: Profiles/tls.toml (two-way TLS, sectors 0x77/0x78), a copy of the demo's
/// mqtt_config.h, a C file calling espconn_secure_*, and issued material under certs/.
struct ProfileProject {
    let directory: TempDirectory
    var profiles: String { directory.file("Profiles") }

    init(mqttHost: String = "broker.local", bufferSize: String = "5*1024", extraCerts: String = "") throws {
        directory = try TempDirectory(prefix: "esprig-doctor-profile")
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory.file("Profiles"), withIntermediateDirectories: true)
        try fm.createDirectory(atPath: directory.file("fw/include"), withIntermediateDirectories: true)
        try fm.createDirectory(atPath: directory.file("fw/user"), withIntermediateDirectories: true)
        try fm.copyItem(atPath: PackagePaths.root + "/Firmware/esp8266-demo/include/mqtt_config.h", toPath: directory.file("fw/include/mqtt_config.h"))
        let source = """
            #include "mqtt_config.h"
            void tls_setup(void) {
                espconn_secure_set_size(ESPCONN_CLIENT, \(bufferSize));
                espconn_secure_ca_enable(ESPCONN_CLIENT, CA_CERT_FLASH_ADDRESS);
                espconn_secure_cert_req_enable(ESPCONN_CLIENT, CLIENT_CERT_FLASH_ADDRESS);
            }
            """
        try source.write(toFile: directory.file("fw/user/user_main.c"), atomically: true, encoding: .utf8)
        let profile = """
            chip = "esp8266"

            [firmware]
            dir = "fw"

            [config]
            header = "fw/include/mqtt_config.h"

            [config.set]
            MQTT_HOST = "\(mqttHost)"
            MQTT_PORT = 8883
            MQTT_CLIENT_ID = "esprig_%08X"
            DEFAULT_SECURITY = "TWO_WAY_ANTHENTICATION"

            [certs]
            ca = "certs/ca.crt"
            ca_key = "certs/ca.key"
            client_cert = "certs/client.crt"
            client_key = "certs/client.key"
            server_cert = "certs/server.crt"
            server_key = "certs/server.key"
            \(extraCerts)

            [flash]
            size = "4MB"
            ca_sector = 0x77
            client_sector = 0x78
            """
        try profile.write(toFile: directory.file("Profiles/tls.toml"), atomically: true, encoding: .utf8)
    }

    /// Writes the shared issued CA, server and device under certs/.
    func writeMaterial(device: IssuedCredential = Issued.device) throws {
        let writer = MaterialWriter(overwrite: true)
        try writer.write(Issued.ca, certificatePath: directory.file("certs/ca.crt"), keyPath: directory.file("certs/ca.key"))
        try writer.write(Issued.server, certificatePath: directory.file("certs/server.crt"), keyPath: directory.file("certs/server.key"))
        try writer.write(device, certificatePath: directory.file("certs/client.crt"), keyPath: directory.file("certs/client.key"))
    }
}
