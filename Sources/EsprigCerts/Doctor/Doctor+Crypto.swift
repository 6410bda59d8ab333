extension Doctor {
    /// Algorithms and sizes: what the ESP8266's TLS and OpenSSL at security level 2 accept.
    mutating func checkCertificates() {
        for (role, parsed) in allCertificates {
            let facts = parsed.certificate, path = parsed.file.path
            let name = "the \(role) certificate \(path) (CN=\(facts.subjectCommonName ?? "none"))"
            if facts.signatureAlgorithm.isWeak {
                let digest = facts.signatureAlgorithm.digest?.rawValue ?? "weak"
                if facts.isSelfIssued {
                    add(.warning, "weak-signature", "\(name) signs itself with \(facts.signatureAlgorithm)",
                        symptom: "OpenSSL does not check a trusted root's own signature, but stricter stacks and audits reject \(digest)",
                        fix: "make a new CA without --legacy: esprig certs init --force, then reissue the server and device certificates")
                } else {
                    add(.error, "weak-signature", "\(name) is signed with \(facts.signatureAlgorithm)",
                        symptom: "OpenSSL 1.1+/3 at security level 2 (Debian's default): 'ca md too weak' (verify error 68) and the handshake fails with alert bad_certificate(42)",
                        fix: "reissue it with SHA-256 (esprig's default; do not pass --legacy)")
                }
            }
            switch facts.publicKey.kind {
            case .rsa(let bits) where bits < 2048:
                add(.error, "rsa-key-too-small", "\(name) has an RSA-\(bits) key",
                    symptom: role == "CA" ? "OpenSSL at security level 2: 'ca key too small' (verify error 67)" : "OpenSSL at security level 2: 'ee key too small' (SSL_R_EE_KEY_TOO_SMALL) when loading it, or alert handshake_failure(40)",
                    fix: "reissue it with an RSA-2048 key (esprig's default; do not pass --legacy)")
            case .rsa:
                break
            default:
                add(.error, "key-type-unsupported", "\(name) has an \(facts.publicKey.kind) key; the ESP8266 NONOS SDK's TLS stack (axTLS) handles RSA only",
                    symptom: "the device cannot verify or use it: the handshake ends with alert handshake_failure(40) ('no shared cipher' in the broker's log)",
                    fix: "reissue it with an RSA-2048 key: esprig certs \(role == "CA" ? "init" : role == "server" ? "server" : "device") (RSA is the default)")
            }
        }
    }

    /// Each key must be the private half of its certificate.
    mutating func checkKeys() {
        let pairs: [(Parsed?, ParsedKey?, String, String)] = [
            (client, clientKey, "client", "the broker's CertificateVerify check fails: alert decrypt_error(51)"),
            (server, serverKey, "server", "mosquitto refuses to start: 'key values mismatch' (X509_check_private_key)"),
        ]
        for (certificate, key, role, runtime) in pairs {
            guard let certificate, let key, key.facts.matches(certificate.certificate.publicKey) == false else { continue }
            add(.error, "key-mismatch", "the \(role) key \(key.file.path) (\(key.facts.kind)) is not the private key of \(certificate.file.path) (CN=\(certificate.certificate.subjectCommonName ?? "none"))",
                symptom: "OpenSSL: 'key values mismatch'; \(runtime)",
                fix: "use the key made together with that certificate, or reissue both: esprig certs \(role == "client" ? "device" : "server") --force")
        }
    }

    /// Client and server certificates must be signed by a CA the other side trusts.
    mutating func checkChains() {
        guard !ca.isEmpty else { return }
        for parsed in ca where !parsed.certificate.isCA {
            add(.error, "ca-not-a-ca", "the CA certificate \(parsed.file.path) (CN=\(parsed.certificate.subjectCommonName ?? "none")) is not a CA (no basicConstraints CA:true)",
                symptom: "OpenSSL: 'invalid CA certificate' (verify error 24); the peer sends alert unknown_ca(48)",
                fix: "put the CA certificate (esprig certs init) in [certs] ca, not a server or device certificate")
        }
        // The broker trusts every CA certificate (mosquitto's cafile); the device only the first
        // entry of its CA sector, which esprig packs from the first certificate of the first file.
        let leaves: [(Parsed?, String, [Parsed], String)] = [
            (client, "client", ca, "mosquitto: 'certificate verify failed' ('unable to get local issuer certificate'); the device receives alert unknown_ca(48)"),
            (server, "server", Array(ca.prefix(1)), "the device rejects the broker (mbedTLS 'X509 - Certificate verification failed', alert unknown_ca(48)); mosquitto logs 'tlsv1 alert unknown ca'"),
        ]
        for (leaf, role, trusted, symptom) in leaves {
            guard let leaf else { continue }
            let verdicts = trusted.map { leaf.certificate.isSigned(by: $0.certificate.publicKey) }
            guard !verdicts.contains(true), verdicts.contains(false) else { continue }
            let names = trusted.map { "\($0.file.name) (CN=\($0.certificate.subjectCommonName ?? "none"))" }.joined(separator: ", ")
            add(.error, "\(role)-not-signed-by-ca", "the \(role) certificate \(leaf.file.path) was issued by CN=\(leaf.certificate.issuerCommonName ?? "none"), not by the CA the \(role == "client" ? "broker" : "device (the first certificate of the CA sector)") trusts: \(names)",
                symptom: symptom,
                fix: "reissue it with that CA (esprig certs \(role == "client" ? "device" : "server") --profile ...), or put its real CA \(role == "client" ? "in" : "first in") [certs] ca")
        }
    }
}
