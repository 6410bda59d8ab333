import Foundation
import X509

extension Doctor {
    /// Names, usages and dates: who each certificate says it is, for what, and when.
    mutating func checkIdentities() {
        checkValidity()
        checkUsages()
        checkCACommonName()
        checkServerHost()
        checkClientName()
    }

    private mutating func checkValidity() {
        let stamp = ISO8601DateFormatter()
        for (role, parsed) in allCertificates {
            let facts = parsed.certificate
            let name = "the \(role) certificate \(parsed.file.path) (CN=\(facts.subjectCommonName ?? "none"))"
            let sntp = "The board checks dates against its own clock: it needs SNTP time (sntp_setservername + sntp_init, and wait for sntp_get_current_timestamp() > 0) before it connects."
            if facts.notAfter < input.now {
                add(.error, "certificate-expired", "\(name) expired on \(stamp.string(from: facts.notAfter))",
                    symptom: "OpenSSL: 'certificate has expired' (verify error 10); alert certificate_expired(45)",
                    fix: "reissue it (esprig certs \(role == "CA" ? "init" : role == "client" ? "device" : "server") --force). \(sntp)")
            } else if facts.notBefore > input.now {
                add(.error, "certificate-not-yet-valid", "\(name) is not valid until \(stamp.string(from: facts.notBefore))",
                    symptom: "OpenSSL: 'certificate is not yet valid' (verify error 9); alert certificate_expired(45) or bad_certificate(42)",
                    fix: "reissue it with a start date in the past, or fix the clock of the machine that made it. \(sntp)")
            }
        }
    }

    private mutating func checkUsages() {
        let leaves: [(Parsed?, String, ExtendedKeyUsage.Usage, String)] = [
            (client, "client", .clientAuth, "clientAuth"),
            (server, "server", .serverAuth, "serverAuth"),
        ]
        for (leaf, role, usage, usageName) in leaves {
            guard let leaf, let usages = leaf.certificate.extendedKeyUsage, !usages.contains(usage), !usages.contains(.any) else { continue }
            add(.error, "\(role)-missing-\(usageName.lowercased())", "the \(role) certificate \(leaf.file.path) (CN=\(leaf.certificate.subjectCommonName ?? "none")) has extendedKeyUsage without \(usageName)",
                symptom: "OpenSSL: 'unsupported certificate purpose' (verify error 26); the peer sends alert unsupported_certificate(43) or bad_certificate(42)",
                fix: "reissue it with esprig certs \(role == "client" ? "device" : "server"), which sets \(usageName)")
        }
    }

    private mutating func checkCACommonName() {
        guard let server, let serverName = server.certificate.subjectCommonName else { return }
        for authority in ca where authority.certificate.der != server.certificate.der && authority.certificate.subjectCommonName == serverName {
            add(.error, "ca-server-same-cn", "the CA \(authority.file.path) and the server certificate \(server.file.path) have the same Common Name '\(serverName)'",
                symptom: "OpenSSL takes the server certificate for self-signed: 'self-signed certificate' (verify error 18); the client sends alert unknown_ca(48), mosquitto logs 'tlsv1 alert unknown ca'",
                fix: "give the CA its own name: esprig certs init --cn 'esprig CA' --force, then reissue the server and device certificates")
        }
    }

    private mutating func checkServerHost() {
        guard let server, let hostText = input.mqttHost, let host = try? HostName(parsing: hostText) else { return }
        let facts = server.certificate
        var dnsNames: [String] = []
        var addresses: [[UInt8]] = []
        for name in facts.subjectAlternativeNames {
            switch name {
            case .dnsName(let dns): dnsNames.append(dns.lowercased())
            case .ipAddress(let octets): addresses.append(Array(octets.bytes))
            default: break
            }
        }
        let commonName = facts.subjectCommonName?.lowercased()
        let covered: Bool
        switch host {
        case .ip(let bytes):
            covered = addresses.contains(bytes)
            if !covered, dnsNames.contains(host.description) || commonName == host.description {
                add(.error, "server-ip-as-name", "MQTT_HOST is the address \(host), which the server certificate \(server.file.path) lists only as a name (CN or DNS entry), not as an IP address",
                    symptom: "OpenSSL matches an IP only against subjectAltName iPAddress entries: 'IP address mismatch' (verify error 64); the client aborts with alert bad_certificate(42)",
                    fix: "reissue the server certificate with the address: esprig certs server --host \(host) --force (esprig writes IPs as iPAddress)")
                return
            }
        case .dns(let name):
            // RFC 6125 / OpenSSL: the CN counts only when there is no DNS subjectAltName.
            covered = dnsNames.isEmpty ? commonName.map { Doctor.matches(pattern: $0, name) } ?? false : dnsNames.contains { Doctor.matches(pattern: $0, name) }
        }
        guard !covered else { return }
        let listed = (dnsNames + addresses.map { HostName.ip($0).description }).joined(separator: ", ")
        add(.error, "server-host-not-covered", "the server certificate \(server.file.path) does not cover MQTT_HOST \(host) (CN=\(facts.subjectCommonName ?? "none"); subjectAltName: \(listed.isEmpty ? "none" : listed))",
            symptom: "OpenSSL: '\(host.isIP ? "IP address" : "Hostname") mismatch' (verify error \(host.isIP ? 64 : 62)); mbedTLS: 'CN mismatch'; the client aborts with alert bad_certificate(42)",
            fix: "reissue it for every name the devices dial: esprig certs server --host \(host) [--host ...] --force")
    }

    /// `*.example.com` covers one label; everything else must be equal (case-insensitive).
    static func matches(pattern: String, _ name: String) -> Bool {
        let pattern = pattern.lowercased(), name = name.lowercased()
        guard pattern.hasPrefix("*.") else { return pattern == name }
        guard let dot = name.firstIndex(of: "."), !name[..<dot].isEmpty else { return false }
        return name[dot...] == pattern.dropFirst()
    }

    private mutating func checkClientName() {
        guard let client, let commonName = client.certificate.subjectCommonName else { return }
        let expected: String
        let ok: Bool
        if let device = input.deviceID {
            expected = device
            ok = commonName == device
        } else if let clientID = input.clientID {
            expected = clientID
            ok = ClientIDPattern(clientID).matches(commonName)
        } else {
            return
        }
        guard !ok else { return }
        let perDevice = input.deviceID == nil && ClientIDPattern(expected).isPerDevice
        add(.error, "client-cn-mismatch", "the client certificate \(client.file.path) has CN=\(commonName), but the device connects as client id \(expected)\(perDevice ? " (a per-device pattern: %08X is the chip id)" : "")",
            symptom: "mosquitto with use_identity_as_username takes the CN as the user name, so the ACL for the client id does not apply: CONNACK 5 (not authorised) or 'Denied PUBLISH' / 'Denied SUBSCRIBE' in its log",
            fix: perDevice ? "issue one certificate per board with its chip id: esprig certs device --id \(ClientIDPattern(expected).example) (`esprig chip-id` prints the chip id: 0x0076815e fills %08X as 0076815E)"
                           : "reissue it with the client id: esprig certs device --id \(expected) --force, or set MQTT_CLIENT_ID to \(commonName)")
    }
}
