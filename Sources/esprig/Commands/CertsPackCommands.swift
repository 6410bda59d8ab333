import ArgumentParser
import Foundation
import EsprigCerts
import EsprigFirmware
import EsprigProtocol
import EsprigWorkflows

extension Esprig.Certs {
    /// `esprig certs pack`: the SDK's esp_ca_cert.bin and esp_cert_private_key.bin from PEM or DER.
    struct Pack: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pack certificates into the ESP8266 SDK cert-sector files esp_ca_cert.bin and esp_cert_private_key.bin.",
            discussion: """
            Entries are a 32-byte zero-padded name, a little-endian 16-bit length and the DER payload, as the SDK's \
            make_cacert.py / make_cert.py write them: one entry per CA named by its file name; private_key (PKCS#1) then \
            certificate. Inputs may be PEM or DER, keys PKCS#1 or PKCS#8. A file larger than its 4096-byte sector, or than \
            the firmware's TLS buffer (espconn_secure_set_size, from --profile's sources or --tls-buffer), is refused.
            """
        )

        @Option(help: "A CA certificate (repeatable; default: the profile's ca).")
        var ca: [String] = []

        @Option(help: "The client certificate (default: the profile's client_cert).")
        var cert: String?

        @Option(help: "The client's private key (default: the profile's client_key).")
        var key: String?

        @Option(help: "Where to write the .bin files (default: certs/ in the profile's root, or ./certs).")
        var outDir: String?

        @Option(help: "The firmware's TLS buffer in bytes (espconn_secure_set_size), when --profile cannot find it.")
        var tlsBuffer: Int?

        @OptionGroup var profile: ProfileOptions
        @OptionGroup(title: "Output") var output: OutputOptions

        func validate() throws {
            if (cert == nil) != (key == nil) { throw ValidationError("--cert and --key go together (the client sector holds both)") }
            if let tlsBuffer, !(2048...8192).contains(tlsBuffer) { throw ValidationError("--tls-buffer must be 2048...8192 (what the SDK accepts)") }
        }

        func run() throws {
            try runCertsCommand(json: output.json) {
                let reporter = Reporter(output: output)
                let resolved = try profile.resolve()
                let caFiles = ca.isEmpty ? resolved?.certs.ca ?? [] : ca
                let certFile = cert ?? resolved?.certs.clientCertificate
                let keyFile = key ?? resolved?.certs.clientKey
                var buffer = tlsBuffer.map { ($0, "--tls-buffer") }
                if buffer == nil, let resolved {
                    let firmware = try DoctorInput(profile: resolved).firmware
                    if let size = firmware.tlsBufferSize { buffer = (size, firmware.tlsBufferSource ?? "espconn_secure_set_size") }
                }
                guard !caFiles.isEmpty || certFile != nil else {
                    throw CLIFailure(code: "nothing-to-pack", message: "nothing to pack", hint: "pass --ca FILE and/or --cert FILE --key FILE, or --profile NAME", status: ExitStatus.usage)
                }
                let name = { (path: String) in (path as NSString).lastPathComponent }
                var outputs: [(String, [UInt8])] = []
                if !caFiles.isEmpty {
                    outputs.append(("esp_ca_cert.bin", try CertSectorPacker.caSector(try caFiles.map { (name($0), try readInputFile($0)) })))
                }
                if let certFile, let keyFile {
                    let keyBytes = try readInputFile(keyFile)
                    // Refuse what the device's TLS stack cannot use (an EC key) before packing, with the reason.
                    let keyFacts = try Material.privateKey(keyBytes, what: keyFile).facts
                    guard keyFacts.kind.isRSA else {
                        throw CertsError(.unsupportedKey, "\(keyFile) is an \(keyFacts.kind) key; the ESP8266 SDK's TLS stack handles RSA only",
                                         hint: "issue an RSA key: esprig certs device --id ID")
                    }
                    outputs.append(("esp_cert_private_key.bin", try CertSectorPacker.clientSector(certificate: try readInputFile(certFile), key: keyBytes,
                                                                                                  certificateName: name(certFile), keyName: name(keyFile))))
                }
                if let (size, source) = buffer {
                    for (file, bytes) in outputs where bytes.count > size {
                        throw CertsError(.tooLarge, "\(file) would be \(bytes.count) bytes, more than the firmware's \(size)-byte TLS buffer (\(source))",
                                         hint: "raise it with espconn_secure_set_size(ESPCONN_CLIENT, \(min(8192, (bytes.count + 1023) / 1024 * 1024 + 1024))) (at most 8192), or use smaller keys")
                    }
                }
                var written: [[String: Any]] = []
                for (file, bytes) in outputs {
                    let directory = outDir ?? resolved.map { ($0.root as NSString).appendingPathComponent("certs") } ?? "certs"
                    let path = (directory as NSString).appendingPathComponent(file)
                    try MaterialWriter(overwrite: true).writeCertificate(bytes, to: path)
                    let entries = try SectorEntryDescription.describe(bytes)
                    reporter.say("\(path): \(bytes.count) of \(CertSectorPacker.sectorSize) bytes, " + entries.map { "\($0.name) (\($0.length))" }.joined(separator: ", "))
                    written.append(["file": path, "size": bytes.count, "entries": entries.map { ["name": $0.name, "length": $0.length] }])
                }
                reporter.emitJSON(["ok": true, "command": "certs pack", "files": written])
            }
        }
    }

    /// `esprig certs unpack FILE`: what a cert-sector file holds, without printing key material.
    struct Unpack: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the entries of an SDK cert-sector file (or a sector read back from flash) and what each parses as.")

        @Argument(help: "esp_ca_cert.bin, esp_cert_private_key.bin or a 4096-byte sector dump.")
        var file: String

        @OptionGroup(title: "Output") var output: OutputOptions

        func run() throws {
            try runCertsCommand(json: output.json) {
                let bytes = try readInputFile(file)
                let entries = try SectorEntryDescription.describe(bytes)
                guard !entries.isEmpty else {
                    throw CLIFailure(code: "no-entries", message: "\(file) holds no entries (\(bytes.first == 0xFF ? "erased flash" : "no 34-byte entry head"))",
                                     hint: "pack one with esprig certs pack", status: ExitStatus.usage)
                }
                if output.json {
                    jsonLine(["ok": true, "command": "certs unpack", "file": file, "size": bytes.count, "entries": entries.map(CertsRendering.json)])
                } else {
                    print("\(file): \(entries.count) entr\(entries.count == 1 ? "y" : "ies"), \(bytes.count) bytes")
                    for entry in entries { print(CertsRendering.line(entry)) }
                }
            }
        }
    }
}
