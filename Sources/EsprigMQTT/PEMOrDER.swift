import Foundation
import NIOSSL

/// Loads certificate and key files the way the profile may hold them: PEM (one or several
/// blocks) or DER, told apart by content rather than by file name.
enum PEMOrDER {
    static func certificates(_ path: String) throws(MQTTClientFailure) -> [NIOSSLCertificate] {
        let bytes = try read(path)
        let certificates = try? (isPEM(bytes) ? NIOSSLCertificate.fromPEMBytes(bytes) : [NIOSSLCertificate(bytes: bytes, format: .der)])
        guard let certificates, !certificates.isEmpty else {
            throw MQTTClientFailure(kind: .material, message: "\(path) is not an X.509 certificate in PEM or DER form")
        }
        return certificates
    }

    static func privateKey(_ path: String) throws(MQTTClientFailure) -> NIOSSLPrivateKey {
        let bytes = try read(path)
        do {
            return try NIOSSLPrivateKey(bytes: bytes, format: isPEM(bytes) ? .pem : .der)
        } catch {
            throw MQTTClientFailure(kind: .material, message: "\(path) is not a private key in PEM or DER form (PKCS#1 or PKCS#8)")
        }
    }

    private static func read(_ path: String) throws(MQTTClientFailure) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw MQTTClientFailure(kind: .material, message: exists ? "cannot read \(path)" : "no such file: \(path)")
        }
        return [UInt8](data)
    }

    static func isPEM(_ bytes: [UInt8]) -> Bool {
        String(decoding: bytes.prefix(4096), as: UTF8.self).contains("-----BEGIN ")
    }
}

/// Facts about a certificate file that commands need before connecting.
public enum CertificateFile {
    /// The subject's Common Name of the first certificate in `path`.
    public static func commonName(_ path: String) throws(MQTTClientFailure) -> String? {
        try PEMOrDER.certificates(path).first?.subjectName.first { $0.type == .commonName }?.value
    }
}
