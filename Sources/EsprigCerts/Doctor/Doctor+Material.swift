extension Doctor {
    /// Reads every named file as the thing it should be; what cannot be read becomes a finding.
    mutating func readMaterial() {
        // A CA file may be a PEM bundle: every certificate in it is trusted (mosquitto's cafile).
        for file in input.ca {
            for facts in certificates(file, role: "CA certificate") { ca.append(Parsed(file: file, certificate: facts)) }
        }
        if let file = input.clientCertificate, let facts = certificate(file, role: "client certificate") { client = Parsed(file: file, certificate: facts) }
        if let file = input.serverCertificate, let facts = certificate(file, role: "server certificate") { server = Parsed(file: file, certificate: facts) }
        if let file = input.clientKey { clientKey = key(file, role: "client key") }
        if let file = input.serverKey { serverKey = key(file, role: "server key") }
    }

    private mutating func certificate(_ file: DoctorInput.File, role: String) -> CertificateFacts? {
        certificates(file, role: role).first
    }

    private mutating func certificates(_ file: DoctorInput.File, role: String) -> [CertificateFacts] {
        guard let bytes = readable(file, role: role) else { return [] }
        do throws(CertsError) {
            let facts = try Material.certificates(bytes, what: file.path)
            checkEncoding(file, bytes: bytes, role: role)
            return facts
        } catch {
            report(error, file: file, role: role)
            return []
        }
    }

    private mutating func key(_ file: DoctorInput.File, role: String) -> ParsedKey? {
        guard let bytes = readable(file, role: role) else { return nil }
        do throws(CertsError) {
            let (der, facts) = try Material.privateKey(bytes, what: file.path)
            checkEncoding(file, bytes: bytes, role: role)
            return ParsedKey(file: file, der: der, facts: facts)
        } catch {
            report(error, file: file, role: role)
            return nil
        }
    }

    private mutating func readable(_ file: DoctorInput.File, role: String) -> [UInt8]? {
        guard let bytes = file.bytes else {
            unreadable.insert(file.path)
            add(.error, "material-missing", "the \(role) \(file.path) cannot be read",
                symptom: "esprig cannot pack it, and the board would boot without it",
                fix: "create it (esprig certs init / server / device) or correct the path in the profile's [certs]")
            return nil
        }
        return bytes
    }

    private mutating func report(_ error: CertsError, file: DoctorInput.File, role: String) {
        unreadable.insert(file.path)
        if error.code == .wrongKind {
            add(.error, "material-wrong-kind", "the \(role) \(file.path): \(error.message)",
                symptom: "OpenSSL: 'PEM routines::no start line' or 'unable to load certificates'; the device cannot parse the sector and its TLS handshake never starts",
                fix: error.hint ?? "point the profile's [certs] entry at the right file")
        } else {
            add(.error, "material-unreadable", "the \(role) \(file.path): \(error.message)",
                symptom: "OpenSSL: 'PEM routines::no start line' / 'ASN1 routines::wrong tag'; the device fails to parse the sector (mbedTLS X509 / PK parse error)",
                fix: error.hint ?? "regenerate it with esprig certs, or convert it: openssl x509 -in FILE -outform PEM")
        }
    }

    /// The SDK's packers copy `.cer` files verbatim and expect DER; mosquitto reads PEM only.
    private mutating func checkEncoding(_ file: DoctorInput.File, bytes: [UInt8], role: String) {
        let lower = file.name.lowercased()
        let encoding = Material.encoding(of: bytes)
        if (lower.hasSuffix(".der") || lower.hasSuffix(".cer")), encoding == .pem {
            add(.warning, "pem-where-der-expected", "the \(role) \(file.path) is named like DER but holds PEM text",
                symptom: "the SDK's make_cert.py / make_cacert.py pack the file verbatim, so the sector holds PEM where axTLS expects DER: the device's handshake fails (handshake_failure(40))",
                fix: "let esprig pack it (it converts to DER), or convert the file: openssl x509 -in \(file.name) -outform DER")
        } else if lower.hasSuffix(".pem"), encoding == .der {
            add(.warning, "der-where-pem-expected", "the \(role) \(file.path) is named .pem but holds DER",
                symptom: "mosquitto reads cafile/certfile/keyfile as PEM only: 'PEM routines::no start line', and the listener does not start",
                fix: "convert it: openssl x509 -inform DER -in \(file.name) -out \(file.name)")
        }
    }
}
