import ArgumentParser
import Foundation
import EsprigMQTT
import EsprigProfiles
import EsprigProtocol
import EsprigWorkflows

extension Esprig {
    /// `esprig preflight --profile X [--device ID]`: does what the device will do first — TLS with
    /// the exact certificate and key that will be flashed, CONNECT, SUBSCRIBE, PUBLISH, get the own
    /// message back — and on failure names the cause and the fix.
    struct Preflight: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove the profile's certificates and credentials against its MQTT broker before flashing.",
            discussion: """
            Connects to the profile's broker ([broker] host/port, else MQTT_HOST/MQTT_PORT) with TLS, trusting the \
            profile's [certs] ca and presenting [certs] client_cert/client_key (with --device ID and [broker] device_cert/device_key: \
            those, %d = ID, e.g. "certs/%d.crt" as `esprig certs device --id ID` writes them), sends CONNECT with MQTT_USER/MQTT_PASS, subscribes to [broker] topic, publishes and waits for its own \
            message, then disconnects. Reports TLS version, cipher and each step's time. \
            Exit codes: 0 passed, 1 bad profile or input, 2 failed (with the TLS alert or MQTT code, and the fix).
            """
        )

        @Option(help: "The profile name (its file name without .toml).")
        var profile: String

        @Option(help: "The directory holding the profiles (default: ./Profiles, or ESPRIG_PROFILES_DIR).")
        var profilesDir: String?

        @Option(help: "A device's expanded client id: the MQTT client id, and its certificate and key when [broker] device_cert/device_key are set.")
        var device: String?

        @Option(help: "Seconds each step may take (TLS handshake, each answer).")
        var timeout: Double = 10

        @OptionGroup(title: "Output") var output: OutputOptions

        func validate() throws {
            guard timeout > 0, timeout <= 300 else { throw ValidationError("--timeout must be more than 0 and at most 300 seconds") }
            if let device, device.isEmpty || device.contains("/") { throw ValidationError("--device must be a device id (no /)") }
        }

        func run() throws {
            let resolved = try loadProfile(profile, profilesDir: profilesDir, json: output.json)
            let plan: PreflightPlan
            do {
                plan = try PreflightSetup(profile: resolved, device: device, timeout: timeout).plan()
            } catch let failure as CLIFailure {
                throw failure.exit(json: output.json)
            }
            let reporter = Reporter(output: output)
            reporter.say("Preflight \(plan.host):\(plan.port) as \(plan.clientID), topic \(plan.topic)")
            let report = EsprigMQTT.Preflight.run(plan) { step in
                reporter.say("  " + step.name.padding(toLength: 10, withPad: " ", startingAt: 0)
                             + String(format: "%8.1f ms  ", step.milliseconds) + (step.ok ? "ok   " + step.detail : "FAIL"))
            }
            if let diagnosis = report.diagnosis {
                reporter.say("Preflight FAILED: \(diagnosis.cause.rawValue)" + (diagnosis.alert.map { " (TLS alert \($0))" } ?? ""))
                if !output.json {
                    let step = report.steps.last?.name ?? "tls"
                    FileHandle.standardError.write(Data("error: preflight failed at \(step): \(diagnosis.summary)\nhint: \(diagnosis.fix)\n".utf8))
                }
            } else {
                reporter.say("Preflight passed: \(report.tlsVersion ?? "TLS"), \(report.cipherSuite ?? "cipher unknown")")
            }
            var object: [String: Any] = [
                "ok": report.passed, "command": "preflight", "profile": resolved.name,
                "broker": ["host": plan.host, "port": plan.port], "client_id": plan.clientID, "topic": plan.topic,
                "tls_version": report.tlsVersion as Any, "cipher": report.cipherSuite as Any,
                "certificate": plan.tls.certificateFile as Any,
                "steps": report.steps.map { ["name": $0.name, "ok": $0.ok, "ms": ($0.milliseconds * 10).rounded() / 10, "detail": $0.detail] },
            ]
            if let diagnosis = report.diagnosis {
                var d: [String: Any] = ["cause": diagnosis.cause.rawValue, "summary": diagnosis.summary, "fix": diagnosis.fix]
                if let alert = diagnosis.alert { d["alert"] = ["name": alert.name, "code": Int(alert.code)] }
                object["diagnosis"] = d
                // The same shape as every other command's failure, for scripts that read only that.
                object["error"] = ["code": diagnosis.cause.rawValue, "message": diagnosis.summary, "hint": diagnosis.fix]
            }
            reporter.emitJSON(object)
            // Unreadable certificate or key files are bad input (1); everything else failed (2).
            if let diagnosis = report.diagnosis { throw ExitCode(diagnosis.cause == .material ? ExitStatus.usage : ExitStatus.device) }
        }
    }
}

/// Turns a profile (and an optional device id) into what preflight connects with, refusing
/// what is missing with the key to set.
struct PreflightSetup {
    var profile: ResolvedProfile
    var device: String?
    var timeout: Double

    func plan() throws -> PreflightPlan {
        guard let host = profile.brokerHost, !host.isEmpty else {
            throw usage("broker-no-host", "profile \(profile.name) names no broker host", "set [broker] host, or MQTT_HOST in [config.set]")
        }
        guard !profile.certs.ca.isEmpty else {
            throw usage("preflight-no-ca", "profile \(profile.name) has no CA for the device to trust", "set [certs] ca to the CA that signed the broker's certificate")
        }
        var certificate = profile.certs.clientCertificate, key = profile.certs.clientKey
        // With per-device templates, --device picks that device's files; without, it is only the
        // client id (as for doctor --device) and the profile's client certificate is used.
        if let device, let certTemplate = profile.broker.deviceCertificate, let keyTemplate = profile.broker.deviceKey {
            certificate = certTemplate.replacingOccurrences(of: "%d", with: device)
            key = keyTemplate.replacingOccurrences(of: "%d", with: device)
        }
        var commonName: String?
        if let certificate {
            do {
                commonName = try CertificateFile.commonName(certificate)
            } catch {
                throw usage("preflight-certificate", error.message, "check [certs] client_cert (or [broker] device_cert)")
            }
        }
        let configuredID: String? = if case .string(let id)? = profile.configValue("MQTT_CLIENT_ID"), !id.contains("%") { id } else { nil }
        guard let clientID = device ?? configuredID ?? commonName else {
            throw usage("preflight-no-client-id", "no MQTT client id: MQTT_CLIENT_ID is a runtime pattern or unset, and there is no client certificate CN to use",
                        "pass --device ID")
        }
        var username: String?, pass: String?
        if case .string(let user)? = profile.configValue("MQTT_USER") { username = user }
        if case .string(let text)? = profile.configValue("MQTT_PASS") { pass = text }
        // %u is the name the broker's ACL sees: the certificate's CN, or the MQTT user name.
        let brokerUser = profile.broker.identity == .certificate ? commonName ?? clientID : username ?? clientID
        let topic = profile.broker.topic.replacingOccurrences(of: "%u", with: brokerUser).replacingOccurrences(of: "%c", with: clientID)
        for (name, value) in [("the client id", clientID), ("MQTT_USER", username ?? ""), ("MQTT_PASS", pass ?? ""), ("the topic", topic)] where value.utf8.count > 0xFFFF {
            throw usage("preflight-too-long", "\(name) is longer than MQTT's 65535-byte limit", "shorten it in the profile")
        }
        // An ESP8266 offers TLS 1.2 at most; offering 1.3 could pass where the device fails.
        let tls = TLSClientOptions(caFiles: profile.certs.ca, certificateFile: certificate, keyFile: key,
                                   minimumVersion: .tlsv12, maximumVersion: profile.chip.spec.firmwareTLS12Only ? .tlsv12 : nil)
        return PreflightPlan(host: host, port: profile.brokerPort, tls: tls, clientID: clientID, username: username, password: pass.map { Array($0.utf8) },
                             topic: topic, stepTimeout: .milliseconds(Int(timeout * 1000)))
    }

    private func usage(_ code: String, _ message: String, _ hint: String) -> CLIFailure {
        CLIFailure(code: code, message: message, hint: hint, status: ExitStatus.usage)
    }
}
