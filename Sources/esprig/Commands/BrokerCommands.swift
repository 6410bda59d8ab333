import ArgumentParser
import Foundation
import EsprigMQTT
import EsprigProfiles
import EsprigProtocol
import EsprigWorkflows

extension Esprig {
    struct Broker: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "broker",
            abstract: "The MQTT broker side of a profile: mosquitto configuration.",
            subcommands: [Config.self]
        )
    }
}

extension Esprig.Broker {
    struct Config: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a mosquitto listener (mutual TLS, user name from the certificate) and an ACL limiting each device to its own topics.",
            discussion: """
            Writes OUT/mosquitto.conf and OUT/acl (atomically). The listener uses the profile's [broker] port (else MQTT_PORT, \
            else 8883), bind, tls_version and identity; cafile is [certs] ca, certfile/keyfile [certs] server_cert/server_key. \
            Run it with `mosquitto -c OUT/mosquitto.conf`, or copy it into your mosquitto.conf's include_dir.
            """
        )

        @Option(help: "The profile name (its file name without .toml).")
        var profile: String

        @Option(help: "The directory holding the profiles (default: ./Profiles, or ESPRIG_PROFILES_DIR).")
        var profilesDir: String?

        @Option(help: "Where to write mosquitto.conf and acl (default: ./broker).")
        var out: String = "broker"

        @OptionGroup(title: "Output") var output: OutputOptions

        func run() throws {
            let resolved = try loadProfile(profile, profilesDir: profilesDir, json: output.json)
            let directory = absolutePath(out)
            let broker = resolved.broker
            guard let ca = resolved.certs.ca.first else {
                throw CLIFailure(code: "broker-no-ca", message: "profile \(resolved.name) names no CA: [certs] ca is not set",
                                 hint: "set [certs] ca to the CA that signs the devices' certificates (esprig certs init makes one)", status: ExitStatus.usage).exit(json: output.json)
            }
            guard let cert = resolved.certs.serverCertificate, let key = resolved.certs.serverKey else {
                throw CLIFailure(code: "broker-no-cert", message: "profile \(resolved.name) has no broker certificate: [certs] server_cert and server_key are not set",
                                 hint: "issue one with `esprig certs server --host \(resolved.brokerHost ?? "HOST")` and set [certs] server_cert and server_key to its files",
                                 status: ExitStatus.usage).exit(json: output.json)
            }
            let reporter = Reporter(output: output)
            if resolved.certs.ca.count > 1 {
                reporter.warn("mosquitto's cafile is \(ca), the first of [certs] ca; devices signed by the others will be refused")
            }
            let identity: MosquittoConfig.Identity = switch broker.identity {
            case .certificate: .certificate
            case .password: .password(file: broker.passwordFile ?? "")
            }
            let config = MosquittoConfig(port: resolved.brokerPort, bind: broker.bind, caFile: ca, certFile: cert, keyFile: key,
                                         tlsVersion: broker.tlsVersion, identity: identity, aclFile: directory + "/acl",
                                         aclPatterns: broker.acl, origin: "esprig broker config --profile \(resolved.name)")
            for path in [ca, cert, key, directory] + (broker.passwordFile.map { [$0] } ?? []) where MosquittoConfig.unsafePath(path) {
                throw CLIFailure(code: "broker-path", message: "mosquitto cannot read the path \(path): it holds a space or #",
                                 hint: "move the file to a path without spaces", status: ExitStatus.usage).exit(json: output.json)
            }
            for path in [ca, cert, key] where !FileManager.default.fileExists(atPath: path) {
                reporter.warn("\(path) does not exist yet; mosquitto will not start without it")
            }
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw CLIFailure(code: "output", message: "cannot create \(directory): \(error.localizedDescription)", status: ExitStatus.usage).exit(json: output.json)
            }
            let confPath = directory + "/mosquitto.conf", aclPath = directory + "/acl"
            do {
                // The ACL first: a listener naming an ACL file that is not there would not start.
                try writeOutputFile(aclPath, Array(config.aclText.utf8))
                try writeOutputFile(confPath, Array(config.listenerText.utf8))
            } catch let failure as CLIFailure {
                throw failure.exit(json: output.json)
            }
            reporter.say("Wrote \(confPath): listener \(config.port)\(config.bind.map { " on \($0)" } ?? ""), \(config.tlsVersion), require_certificate true, "
                         + (broker.identity == .certificate ? "use_identity_as_username true" : "password_file \(broker.passwordFile ?? "")"))
            reporter.say("Wrote \(aclPath): " + broker.acl.map { "readwrite \($0)" }.joined(separator: ", "))
            reporter.say("Start it with: mosquitto -c \(confPath)")
            reporter.emitJSON([
                "ok": true, "command": "broker config", "profile": resolved.name,
                "files": ["config": confPath, "acl": aclPath],
                "listener": ["port": config.port, "bind": config.bind as Any, "tls_version": config.tlsVersion],
                "acl": broker.acl,
            ])
        }
    }
}
