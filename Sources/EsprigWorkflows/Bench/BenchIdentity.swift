import Foundation
import EsprigCerts
import EsprigCodecs
import EsprigFirmware
import EsprigLedger
import EsprigLoader
import EsprigProfiles

/// What makes each board of a bench its own: the client id its chip implies, a device
/// certificate with that CN signed by the profile's CA, packed for the client-cert sector.
/// Built once per bench; `issue` runs once per board.
struct BenchIdentity: Sendable {
    /// The firmware's MQTT_CLIENT_ID format; nil when the profile patches no header with one.
    let format: ClientIDFormat?
    let authority: CertificateAuthority
    /// The client-cert sector's flash address.
    let address: Int
    /// A per-board value from the ledger's counter (`--serial`), when asked for.
    let serial: SerialTemplate?

    /// `--serial TEMPLATE --serial-start N`: one `%d` (`%05d`: zero-padded to 5) becomes the board's
    /// number from the ledger's `serial` counter; `%%` is a literal percent.
    struct SerialTemplate: Sendable {
        let prefix: String
        let suffix: String
        let width: Int
        let zeroPadded: Bool
        let start: Int64
        static let counter = "serial"

        init(_ template: String, start: Int64) throws {
            let invalid = WorkflowError(.invalidSerialTemplate, "--serial '\(template)' must hold exactly one %d (e.g. GH-%05d) and no other conversion",
                                        hint: "each board gets the next number of the ledger's counter; write a literal percent as %%")
            var before = "", after = "", width = "", zero = false, seen = false
            var chars = Array(template)[...]
            while let c = chars.popFirst() {
                guard c == "%" else { if seen { after.append(c) } else { before.append(c) }; continue }
                if chars.first == "%" {
                    chars.removeFirst()
                    if seen { after.append("%") } else { before.append("%") }
                    continue
                }
                guard !seen else { throw invalid }
                if chars.first == "0" { zero = true; chars.removeFirst() }
                while let d = chars.first, d.isASCII, d.isNumber { width.append(d); chars.removeFirst() }
                guard chars.popFirst() == "d" else { throw invalid }
                seen = true
            }
            guard seen, width.count <= 2 else { throw invalid }
            guard start >= 0 else {
                throw WorkflowError(.invalidSerialTemplate, "--serial-start must be 0 or more")
            }
            prefix = before
            suffix = after
            self.width = Int(width) ?? 0
            zeroPadded = zero
            self.start = start
        }

        func render(_ number: Int64) -> String {
            let digits = String(number)
            let pad = String(repeating: zeroPadded ? "0" : " ", count: max(0, width - digits.count))
            return prefix + pad + digits + suffix
        }
    }

    /// Refuses, before any board is touched, a profile the bench cannot give identities with.
    /// `clientSector`: where the firmware reads its client certificate (header or `[flash]`).
    init(profile: ResolvedProfile, clientIDFormat: String?, clientSector: Int?, serial: SerialTemplate?) throws {
        func fail(_ code: WorkflowError.Code, _ message: String, _ hint: String) -> WorkflowError {
            WorkflowError(code, message, hint: hint)
        }
        guard let sector = clientSector else {
            throw fail(.noClientSector, "profile \(profile.name) names no client-certificate sector: the bench has nowhere to write each board's certificate",
                       "set CLIENT_CERT_FLASH_ADDRESS in [config.set] (e.g. 0x78), or client_sector in [flash], the sector the firmware reads its client certificate from")
        }
        guard let keyPath = profile.certs.caKey, !profile.certs.ca.isEmpty else {
            throw fail(.noCA, "profile \(profile.name) needs [certs] ca and ca_key: each board's certificate is signed by that CA",
                       "make one with `esprig certs init --profile \(profile.name)`")
        }
        let key = try readInputFile(keyPath)
        var found: CertificateAuthority?
        var lastError: CertsError?
        for path in profile.certs.ca {
            do {
                found = try CertificateAuthority(certificate: try readInputFile(path), privateKey: key,
                                                 certificateName: displayPath(path), keyName: displayPath(keyPath))
                break
            } catch let error as CertsError {
                lastError = error
            }
        }
        guard let found else { throw lastError ?? CertsError(.unreadableMaterial, "no CA certificate") }
        authority = found
        address = sector * CertSectorPacker.sectorSize
        format = try clientIDFormat.map { try ClientIDFormat($0) }
        self.serial = serial
    }

    /// The client id this board's firmware will use.
    func clientID(for info: ChipInfo) throws -> String? {
        guard let format else { return nil }
        return try format.clientID(chip: info.chip, chipID: info.chipID, mac: info.mac)
    }

    /// The client sector holding `certificate` and `key` (PEM or DER), at the firmware's address.
    func clientSectorWrite(certificate: [UInt8], key: [UInt8], commonName: String) throws -> FlashWrite {
        let sector = try CertSectorPacker.clientSector(certificate: certificate, key: key, certificateName: "device certificate", keyName: "device key")
        return FlashWrite(address: address, data: sector, source: "client cert \(commonName)")
    }

    struct Issued {
        var write: FlashWrite
        var serialHex: String
        var sha256: String
        var commonName: String
    }

    /// A fresh key and certificate for `clientID` (the MAC when the firmware has no client id),
    /// packed as the SDK's client sector. The key lives only in the sector written to the board.
    func issue(commonName: String) throws -> Issued {
        let credential = try CertificateIssuer.issueDevice(clientID: commonName, authority: authority)
        let facts = try CertificateFacts(der: credential.certificateDER, what: "the device certificate")
        return Issued(write: try clientSectorWrite(certificate: credential.certificateDER, key: credential.privateKeyDER, commonName: commonName),
                      serialHex: facts.serialNumber.map { String(format: "%02x", $0) }.joined(),
                      sha256: SHA256.digest(credential.certificateDER).map { String(format: "%02x", $0) }.joined(),
                      commonName: commonName)
    }
}
