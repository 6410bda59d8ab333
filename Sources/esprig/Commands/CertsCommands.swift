import ArgumentParser
import Foundation
import EsprigCerts
import EsprigFirmware
import EsprigProfiles
import EsprigProtocol
import EsprigWorkflows

extension Esprig {
    /// `esprig certs ...`: make, pack and read back the mutual-auth TLS material.
    struct Certs: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "certs",
            abstract: "Issue, pack and inspect the TLS certificates for MQTT with mutual authentication.",
            discussion: """
            Files go where --profile's [certs] section says, else into --dir (default ./certs): ca.crt/ca.key, \
            server.crt/server.key, ID.crt/ID.key. Certificates and keys are PEM; keys are written 0600 and never printed. \
            Defaults: RSA-2048, SHA-256.
            """,
            subcommands: [Init.self, Server.self, Device.self, Pack.self, Unpack.self]
        )
    }
}

/// Options every issuing command shares.
struct IssueArguments: ParsableArguments {
    @Option(help: "Days the certificate is valid.")
    var days: Int?

    @Flag(help: "RSA-1024 + SHA-1 for old firmware. OpenSSL 1.1+/3 peers reject it.")
    var legacy = false

    @Option(help: "Directory for files the profile does not name.")
    var dir: String = "certs"

    @Flag(help: "Replace existing files.")
    var force = false

    @Flag(help: "Also write DER copies (NAME.der, NAME-key.der with a PKCS#1 key) for SDK tools that take DER.")
    var der = false

    func validate() throws {
        if let days, days < 1 || days > 36_500 { throw ValidationError("--days must be between 1 and 36500") }
    }

    func options(defaultDays: Int, reporter: Reporter) -> IssueOptions {
        let days = days ?? defaultDays
        if legacy { reporter.warn(IssueOptions.legacyWarning) }
        return legacy ? .legacy(days: days) : .modern(days: days)
    }
}

extension Esprig.Certs {
    /// Writes a credential and reports it without any key material.
    static func finish(_ credential: IssuedCredential, certificate: String, key: String, issue: IssueArguments, reporter: Reporter, command: String) throws {
        let writer = MaterialWriter(overwrite: issue.force)
        let derCertificate = sibling(certificate, extension: "der")
        let derKey = ((key as NSString).deletingPathExtension) + "-key.der"
        if issue.der && !issue.force {
            for path in [derCertificate, derKey] where FileManager.default.fileExists(atPath: path) {
                throw CertsError(.fileExists, "\(path) already exists", hint: "pass --force to replace it")
            }
        }
        try writer.write(credential, certificatePath: certificate, keyPath: key)
        if issue.der {
            try writer.writePrivateKey(credential.privateKeyDER, to: derKey)
            try writer.writeCertificate(credential.certificateDER, to: derCertificate)
        }
        let facts = try CertificateFacts(der: credential.certificateDER)
        reporter.say("\(credential.role.rawValue): CN=\(facts.subjectCommonName ?? "") (\(facts.publicKey.kind), \(facts.signatureAlgorithm)), valid until \(ISO8601DateFormatter().string(from: facts.notAfter))")
        reporter.say("  certificate \(certificate)")
        reporter.say("  key         \(key) (0600)")
        if issue.der { reporter.say("  DER         \(derCertificate), \(derKey) (0600)") }
        reporter.emitJSON(["ok": true, "command": command, "role": credential.role.rawValue, "certificate": certificate, "key": key,
                           "commonName": facts.subjectCommonName ?? "", "notAfter": ISO8601DateFormatter().string(from: facts.notAfter),
                           "sha256": facts.sha256Fingerprint, "keyType": "\(facts.publicKey.kind)"])
    }

    /// The CA that signs: --ca-cert/--ca-key, else the profile's ca/ca_key, else DIR/ca.crt + DIR/ca.key.
    static func authority(certificate: String?, key: String?, profile: ResolvedProfile?, dir: String) throws -> CertificateAuthority {
        let certificatePath = certificate ?? profile?.certs.ca.first ?? "\(dir)/ca.crt"
        let keyPath = key ?? profile?.certs.caKey ?? sibling(certificatePath, extension: "key")
        for path in [certificatePath, keyPath] where !FileManager.default.fileExists(atPath: path) {
            throw CLIFailure(code: "no-ca", message: "no CA to sign with: \(path) does not exist",
                             hint: "make one with `esprig certs init`\(profile == nil ? "" : " --profile \(profile!.name)"), or pass --ca-cert and --ca-key", status: ExitStatus.usage)
        }
        return try CertificateAuthority(certificate: try readInputFile(certificatePath), privateKey: try readInputFile(keyPath),
                                        certificateName: certificatePath, keyName: keyPath)
    }

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a CA: RSA-2048, SHA-256, CA:true, keyCertSign + cRLSign (10 years).")

        @Option(help: "The CA's Common Name; it must differ from the server's.")
        var cn: String = "esprig CA"

        @OptionGroup var issue: IssueArguments
        @OptionGroup var profile: ProfileOptions
        @OptionGroup(title: "Output") var output: OutputOptions

        func run() throws {
            try runCertsCommand(json: output.json) {
                let reporter = Reporter(output: output)
                let resolved = try profile.resolve()
                let certificate = resolved?.certs.ca.first ?? "\(issue.dir)/ca.crt"
                let key = resolved?.certs.caKey ?? sibling(certificate, extension: "key")
                let credential = try CertificateIssuer.issueCA(commonName: cn, options: issue.options(defaultDays: 3650, reporter: reporter))
                try Esprig.Certs.finish(credential, certificate: certificate, key: key, issue: issue, reporter: reporter, command: "certs init")
            }
        }
    }

    struct Server: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue the broker's certificate: CN = the first --host, subjectAltName = every --host, serverAuth.")

        @Option(help: "A DNS name or IP address the devices dial (repeatable; default: the profile's MQTT_HOST).")
        var host: [String] = []

        @OptionGroup var signer: SignerOptions
        @OptionGroup var issue: IssueArguments
        @OptionGroup var profile: ProfileOptions
        @OptionGroup(title: "Output") var output: OutputOptions

        func run() throws {
            try runCertsCommand(json: output.json) {
                let reporter = Reporter(output: output)
                let resolved = try profile.resolve()
                var hosts = host
                let mqttHost = try resolved.flatMap { try DoctorInput(profile: $0).mqttHost }
                if hosts.isEmpty, let mqttHost { hosts = [mqttHost] }
                if let mqttHost, !hosts.contains(where: { $0.lowercased() == mqttHost.lowercased() }) {
                    reporter.warn("the profile's MQTT_HOST \(mqttHost) is not among --host: devices dialling it will reject this certificate (add --host \(mqttHost))")
                }
                guard !hosts.isEmpty else {
                    throw CLIFailure(code: "no-host", message: "no host to issue the server certificate for",
                                     hint: "pass --host with each name or address the devices dial (MQTT_HOST)", status: ExitStatus.usage)
                }
                let authority = try Esprig.Certs.authority(certificate: signer.caCert, key: signer.caKey, profile: resolved, dir: issue.dir)
                let certificate = resolved?.certs.serverCertificate ?? "\(issue.dir)/server.crt"
                let key = resolved?.certs.serverKey ?? sibling(certificate, extension: "key")
                let credential = try CertificateIssuer.issueServer(hosts: hosts, authority: authority, options: issue.options(defaultDays: 825, reporter: reporter))
                try Esprig.Certs.finish(credential, certificate: certificate, key: key, issue: issue, reporter: reporter, command: "certs server")
            }
        }
    }

    struct Device: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a device's client certificate: CN = its MQTT client id, clientAuth.")

        @Option(help: "The device's MQTT client id, expanded (e.g. esprig_0076815E); default: the profile's MQTT_CLIENT_ID when it has no %-format.")
        var id: String?

        @OptionGroup var signer: SignerOptions
        @OptionGroup var issue: IssueArguments
        @OptionGroup var profile: ProfileOptions
        @OptionGroup(title: "Output") var output: OutputOptions

        func run() throws {
            try runCertsCommand(json: output.json) {
                let reporter = Reporter(output: output)
                let resolved = try profile.resolve()
                let pattern = try resolved.flatMap { try DoctorInput(profile: $0).clientID }
                guard let clientID = id ?? pattern.flatMap({ $0.contains("%") ? nil : $0 }) else {
                    throw CLIFailure(code: "no-client-id", message: pattern.map { "MQTT_CLIENT_ID is the per-device format \($0), so the id must be given" } ?? "no client id given",
                                     hint: "pass --id with the device's expanded client id (the chip id fills %08X)", status: ExitStatus.usage)
                }
                let authority = try Esprig.Certs.authority(certificate: signer.caCert, key: signer.caKey, profile: resolved, dir: issue.dir)
                let certificate = resolved?.certs.clientCertificate ?? "\(issue.dir)/\(clientID.replacingOccurrences(of: "/", with: "_")).crt"
                let key = resolved?.certs.clientKey ?? sibling(certificate, extension: "key")
                let credential = try CertificateIssuer.issueDevice(clientID: clientID, authority: authority, options: issue.options(defaultDays: 3650, reporter: reporter))
                try Esprig.Certs.finish(credential, certificate: certificate, key: key, issue: issue, reporter: reporter, command: "certs device")
            }
        }
    }
}

/// The CA that signs a server or device certificate, when not the profile's.
struct SignerOptions: ParsableArguments {
    @Option(help: "The CA certificate that signs (default: the profile's ca, else DIR/ca.crt).")
    var caCert: String?

    @Option(help: "The CA's private key (default: the profile's ca_key, else beside the CA certificate).")
    var caKey: String?
}
