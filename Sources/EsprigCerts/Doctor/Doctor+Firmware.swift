import EsprigFirmware

extension Doctor {
    /// `DEFAULT_SECURITY` decides which sectors the firmware reads; the material must match.
    mutating func checkSecurityLevel() {
        guard let level = input.security else { return }
        noteMissingServerCertificate()
        let hasCA = !input.ca.isEmpty
        let hasClient = input.clientCertificate != nil && input.clientKey != nil
        switch level {
        case .twoWay:
            if !hasClient {
                add(.error, "security-needs-client-cert", "DEFAULT_SECURITY is \(level.symbol), but the profile names no client certificate and key",
                    symptom: "the broker (require_certificate true) ends the handshake: 'peer did not return a certificate', alert handshake_failure(40) / certificate_required(116)",
                    fix: "issue one (esprig certs device --id CLIENT_ID) and set client_cert and client_key in [certs]")
            }
            if !hasCA { needsCA(level) }
        case .oneWay:
            if !hasCA { needsCA(level) }
            if hasClient {
                add(.warning, "security-client-cert-unused", "DEFAULT_SECURITY is \(level.symbol): the firmware never sends the client certificate the profile names",
                    symptom: "a broker with require_certificate true ends the handshake: 'peer did not return a certificate', alert handshake_failure(40)",
                    fix: "set DEFAULT_SECURITY = \"TWO_WAY_ANTHENTICATION\" in [config.set], or drop client_cert/client_key")
            }
        case .noTLS, .tlsWithoutAuthentication:
            if hasCA || hasClient {
                add(.warning, "security-ignores-material", "DEFAULT_SECURITY is \(level.symbol): the firmware ignores the certificates the profile names",
                    symptom: level == .noTLS ? "the board speaks plain MQTT: a TLS listener logs 'wrong version number' and drops it" : "the board does not check the broker: anyone on the network can pose as it",
                    fix: "set DEFAULT_SECURITY = \"TWO_WAY_ANTHENTICATION\" (or ONE_WAY_ANTHENTICATION) in [config.set]")
            }
        }
    }

    /// Without the broker's certificate, the host and chain checks cannot run: say so.
    mutating func noteMissingServerCertificate() {
        guard input.serverCertificate == nil, let level = input.security, level == .oneWay || level == .twoWay else { return }
        add(.info, "server-cert-unchecked", "the profile names no server_cert, so doctor cannot check that the broker's certificate covers MQTT_HOST\(input.mqttHost.map { " (\($0))" } ?? "") and chains to the CA",
            symptom: "a wrong broker certificate shows only at run time: 'Hostname mismatch' or alert unknown_ca(48)",
            fix: "set server_cert (and server_key) in [certs] to the broker's files (esprig certs server --host ...)")
    }

    private mutating func needsCA(_ level: DoctorInput.SecurityLevel) {
        add(.error, "security-needs-ca", "DEFAULT_SECURITY is \(level.symbol), but the profile names no CA certificate",
            symptom: "the device reads an erased CA sector and cannot verify the broker: its handshake fails (alert unknown_ca(48))",
            fix: "set ca in [certs] to the CA that signed the broker's certificate (esprig certs init)")
    }

    /// Sector numbers against the firmware, and the packed sizes against the sector and TLS buffer.
    mutating func checkSectors() {
        let firmware = input.firmware
        if let conflict = firmware.compiledConflict {
            add(.error, "sector-mismatch", conflict,
                symptom: "the firmware reads its certificates from a sector esprig does not write: the TLS handshake fails on an erased sector",
                fix: "make the config header and the espconn_secure_* calls name the same sectors")
        }
        let planned: [(Int?, FirmwareSectors.Sector?, String, String)] = [
            (firmware.caSector, firmware.compiled?.caCertificates, "ca_sector", "CA"),
            (firmware.clientSector, firmware.compiled?.clientCertificate, "client_sector", "client certificate"),
        ]
        for (sector, compiled, key, what) in planned {
            guard let sector, let compiled, sector != compiled.number else { continue }
            add(.error, "sector-mismatch", "the profile writes the \(what) sector at 0x\(hex(sector)) (flash.\(key)), but the firmware reads 0x\(hex(compiled.number)) (\(compiled.source))",
                symptom: "the firmware finds erased flash where it expects certificates: the handshake fails",
                fix: "make flash.\(key) and the firmware agree (set the header macro in [config.set] too)")
        }
        if let ca = firmware.caSector, ca == firmware.clientSector {
            add(.error, "sector-overlap", "the CA and client certificate sectors are both 0x\(hex(ca))",
                symptom: "one file overwrites the other: the device loses its CA or its client certificate",
                fix: "put them in different sectors (the SDK demo uses 0x77 and 0x78)")
        }
        for sector in firmware.compiled?.configSectors ?? [] {
            for (number, key) in [(firmware.caSector, "ca_sector"), (firmware.clientSector, "client_sector")] where number == sector.number {
                add(.error, "sector-overlap", "flash.\(key) 0x\(hex(sector.number)) is a sector where the firmware saves its settings (\(sector.source))",
                    symptom: "the firmware overwrites the certificates with its settings on first boot",
                    fix: "move flash.\(key) out of the saved-config sectors")
            }
        }
        if let area = firmware.systemArea {
            for (number, key) in [(firmware.caSector, "ca_sector"), (firmware.clientSector, "client_sector")] {
                guard let number, area.contains(number * CertSectorPacker.sectorSize) else { continue }
                add(.error, "sector-overlap", "flash.\(key) 0x\(hex(number)) is in the SDK's RF calibration / PHY init / system parameter sectors (0x\(hex(area.lowerBound / 0x1000))–0x\(hex(area.upperBound / 0x1000 - 1)))",
                    symptom: "the SDK overwrites it (or it overwrites the RF calibration): certificates vanish or the radio misbehaves",
                    fix: "move flash.\(key) to a free sector below 0x\(hex(area.lowerBound / 0x1000)) (the SDK demo uses 0x77 and 0x78)")
            }
        }
        checkPackedSize("esp_ca_cert.bin", caSectorBytes())
        checkPackedSize("esp_cert_private_key.bin", clientSectorBytes())
    }

    /// The sectors exactly as `certs pack` and `flash` make them (no size limit here: the size is
    /// what is being checked); nil when the material cannot be packed at all.
    private func caSectorBytes() -> [UInt8]? {
        guard !input.ca.isEmpty, input.ca.allSatisfy({ !unreadable.contains($0.path) }) else { return nil }
        let entries = input.ca.compactMap { file in
            file.bytes.flatMap { try? CertSectorEntry(name: file.name, payload: CertSectorPacker.der($0, what: file.path)) }
        }
        return try? CertSectorPacker.pack(entries, limit: .max)
    }

    private func clientSectorBytes() -> [UInt8]? {
        guard let client, let clientKey, let pkcs1 = try? PKCS1.rsaPrivateKey(fromDER: clientKey.der, what: clientKey.file.path) else { return nil }
        return try? CertSectorPacker.pack([CertSectorEntry(name: "private_key", payload: pkcs1),
                                           CertSectorEntry(name: "certificate", payload: client.certificate.der)], limit: .max)
    }

    private mutating func checkPackedSize(_ name: String, _ packed: [UInt8]?) {
        guard let packed else { return }
        if packed.count > CertSectorPacker.sectorSize {
            add(.error, "sector-too-large", "\(name) packs to \(packed.count) bytes, more than its \(CertSectorPacker.sectorSize)-byte sector",
                symptom: "it spills into the next sector (the other certificate file or the saved settings) and one of them is corrupted",
                fix: "use fewer CA certificates and RSA-2048 keys (not 4096); esprig packs DER, the smallest form")
        } else if let buffer = input.firmware.tlsBufferSize, packed.count > buffer {
            add(.error, "tls-buffer-too-small", "\(name) packs to \(packed.count) bytes, more than the firmware's \(buffer)-byte TLS buffer (\(input.firmware.tlsBufferSource ?? "espconn_secure_set_size"))",
                symptom: "the SDK cannot load the certificate into its TLS buffer: the handshake fails before it starts",
                fix: "raise the buffer: espconn_secure_set_size(ESPCONN_CLIENT, \(min(8192, (packed.count + 1023) / 1024 * 1024 + 1024))) before espconn_secure_connect (at most 8192)")
        }
    }

    private func hex(_ number: Int) -> String { String(number, radix: 16, uppercase: true) }
}
