import Foundation
import EsprigCerts
import EsprigLoader
import EsprigProfiles

/// `[certs] create = true`: what a demo needs to run TLS end to end, made where the profile says
/// when it is missing, never replacing a file that exists. A production profile names its own
/// material instead and never sets `create`.
enum MadeMaterial {
    /// The CA (certificate and key) and, when the profile names them, the broker's certificate
    /// and key for `mqttHost`. Returns the files made, in order (keys are 0600).
    static func ensureShared(_ profile: ResolvedProfile, mqttHost: String?) throws -> [String] {
        let certs = profile.certs
        guard certs.create, let caPath = certs.ca.first, let caKeyPath = certs.caKey else { return [] }
        let fm = FileManager.default
        var made: [String] = []
        let caExists = fm.fileExists(atPath: caPath), keyExists = fm.fileExists(atPath: caKeyPath)
        if caExists != keyExists {
            throw WorkflowError(.incompleteCA, "\(displayPath(caExists ? caKeyPath : caPath)) is missing while \(displayPath(caExists ? caPath : caKeyPath)) exists",
                                hint: "a CA is its certificate and key together: restore the missing file, or remove both to have a new CA made (every device certificate it signed must then be made again)")
        }
        if !caExists {
            let credential = try CertificateIssuer.issueCA(commonName: "esprig demo CA")
            try MaterialWriter().write(credential, certificatePath: caPath, keyPath: caKeyPath)
            made += [caPath, caKeyPath]
        }
        if let serverPath = certs.serverCertificate, let serverKeyPath = certs.serverKey,
           !fm.fileExists(atPath: serverPath), !fm.fileExists(atPath: serverKeyPath) {
            guard let host = mqttHost else {
                throw WorkflowError(.noHost, "cannot make the broker's certificate: the profile sets no MQTT_HOST or [broker] host",
                                    hint: "set MQTT_HOST in [config.set] to the name or address the devices dial")
            }
            let authority = try CertificateAuthority(certificate: try readInputFile(caPath), privateKey: try readInputFile(caKeyPath),
                                                     certificateName: displayPath(caPath), keyName: displayPath(caKeyPath))
            let credential = try CertificateIssuer.issueServer(hosts: [host], authority: authority)
            try MaterialWriter().write(credential, certificatePath: serverPath, keyPath: serverKeyPath)
            made += [serverPath, serverKeyPath]
        }
        return made
    }
}

/// Each board's own certificate when a `create = true` profile names no fixed client
/// certificate: `CLIENT_ID.crt` and `CLIENT_ID.key` (0600) in the profile's devices directory,
/// made the first time a board is flashed and reused (same CN, same key) after, unless
/// `newIdentity` asks for a new one.
struct DeviceIdentityStore {
    let identity: BenchIdentity
    let directory: String
    let newIdentity: Bool

    struct Chosen {
        var write: FlashWrite
        var commonName: String
        var certificatePath: String
        var reused: Bool
    }

    func identity(for info: ChipInfo) throws -> Chosen {
        let commonName = try identity.clientID(for: info) ?? info.macString
        // A client id is letters, digits, '_' and '-' (ClientIDFormat); a MAC's colons become '-'.
        let stem = commonName.replacingOccurrences(of: ":", with: "-")
        let certificatePath = "\(directory)/\(stem).crt", keyPath = "\(directory)/\(stem).key"
        let fm = FileManager.default
        if !newIdentity, fm.fileExists(atPath: certificatePath), fm.fileExists(atPath: keyPath) {
            let certificate = try readInputFile(certificatePath), key = try readInputFile(keyPath)
            let facts = try CertificateFacts(der: try CertSectorPacker.der(certificate, what: displayPath(certificatePath)), what: displayPath(certificatePath))
            guard facts.subjectCommonName == commonName else {
                throw WorkflowError(.identityMismatch, "\(displayPath(certificatePath)) is for CN \(facts.subjectCommonName ?? "(none)"), but this board's client id is \(commonName)",
                                    hint: "remove the file or flash with --new-identity to make this board a new certificate")
            }
            return Chosen(write: try identity.clientSectorWrite(certificate: certificate, key: key, commonName: commonName),
                          commonName: commonName, certificatePath: certificatePath, reused: true)
        }
        let credential = try CertificateIssuer.issueDevice(clientID: commonName, authority: identity.authority)
        try MaterialWriter(overwrite: newIdentity).write(credential, certificatePath: certificatePath, keyPath: keyPath)
        return Chosen(write: try identity.clientSectorWrite(certificate: credential.certificateDER, key: credential.privateKeyDER, commonName: commonName),
                      commonName: commonName, certificatePath: certificatePath, reused: false)
    }
}
