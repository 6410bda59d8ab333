import EsprigFirmware
import Foundation

/// One entry of an ESP8266 SDK certificate sector: a name and its payload.
public struct CertSectorEntry: Sendable, Hashable {
    public var name: String
    public var payload: [UInt8]
    public init(name: String, payload: [UInt8]) {
        self.name = name
        self.payload = payload
    }
}

/// The SDK's certificate-sector container (`esp_ca_cert.bin`, `esp_cert_private_key.bin`, as
/// `tools/make_cacert.py` and `make_cert.py` write them): entries back to back, each a 32-byte
/// zero-padded name, a little-endian u16 payload length and the payload; nothing else. The
/// device stops reading at a length of 0xFFFF (erased flash), so the rest of the sector stays 0xFF.
public enum CertSectorPacker {
    public static let nameLength = 32
    public static let sectorSize = 0x1000

    public static func pack(_ entries: [CertSectorEntry], limit: Int = sectorSize) throws(FirmwareConfigError) -> [UInt8] {
        var out: [UInt8] = []
        for entry in entries {
            let name = Array(entry.name.utf8)
            guard !name.isEmpty, name.count <= nameLength, name.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
                throw FirmwareConfigError(.invalidValue, "certificate entry name '\(entry.name)' must be 1 to \(nameLength) printable ASCII characters")
            }
            guard !entry.payload.isEmpty, entry.payload.count < 0xFFFF else {
                throw FirmwareConfigError(.invalidValue, "certificate entry '\(entry.name)' has \(entry.payload.count) bytes; it must hold 1 to 65534")
            }
            out += name + [UInt8](repeating: 0, count: nameLength - name.count)
            out += [UInt8(entry.payload.count & 0xFF), UInt8(entry.payload.count >> 8)]
            out += entry.payload
        }
        guard out.count <= limit else {
            throw FirmwareConfigError(.tooLong, "the packed certificate sector is \(out.count) bytes, more than its \(limit)-byte sector",
                                      hint: "use DER instead of PEM, an RSA-2048 key rather than a larger one, or fewer CA certificates")
        }
        return out
    }

    /// Reads entries back until erased flash (length 0xFFFF) or the end.
    public static func unpack(_ bytes: [UInt8]) throws(FirmwareConfigError) -> [CertSectorEntry] {
        var entries: [CertSectorEntry] = []
        var offset = 0
        while offset + nameLength + 2 <= bytes.count {
            let length = Int(bytes[offset + nameLength]) | Int(bytes[offset + nameLength + 1]) << 8
            if length == 0xFFFF { break }
            let start = offset + nameLength + 2
            guard start + length <= bytes.count else {
                throw FirmwareConfigError(.invalidValue, "certificate entry at offset \(offset) claims \(length) bytes but only \(bytes.count - start) follow")
            }
            let nameBytes = bytes[offset..<offset + nameLength].prefix { $0 != 0 }
            entries.append(CertSectorEntry(name: String(decoding: nameBytes, as: UTF8.self), payload: Array(bytes[start..<start + length])))
            offset = start + length
        }
        return entries
    }

    /// The CA sector: one entry per CA certificate, named by its file name like the SDK packer.
    public static func caSector(_ certificates: [(fileName: String, contents: [UInt8])]) throws(FirmwareConfigError) -> [UInt8] {
        var entries: [CertSectorEntry] = []
        for certificate in certificates {
            entries.append(CertSectorEntry(name: certificate.fileName, payload: try der(certificate.contents, what: certificate.fileName)))
        }
        return try pack(entries)
    }

    /// The client sector: `private_key` first, then `certificate` (the order of Espressif's own
    /// sample bins). Payloads are DER, the key PKCS#1, which every SDK TLS stack parses.
    public static func clientSector(certificate: [UInt8], key: [UInt8], certificateName: String, keyName: String) throws(FirmwareConfigError) -> [UInt8] {
        let keyDER = try PKCS1.rsaPrivateKey(fromDER: try der(key, what: keyName), what: keyName)
        return try pack([CertSectorEntry(name: "private_key", payload: keyDER),
                         CertSectorEntry(name: "certificate", payload: try der(certificate, what: certificateName))])
    }

    /// DER bytes from a PEM or DER file (the first PEM block, when there are several).
    public static func der(_ contents: [UInt8], what: String) throws(FirmwareConfigError) -> [UInt8] {
        guard contents.first != 0x30 else { return contents }
        let text = String(decoding: contents, as: UTF8.self)
        guard let begin = text.range(of: "-----BEGIN "), let headerEnd = text[begin.upperBound...].range(of: "-----"),
              let end = text[headerEnd.upperBound...].range(of: "-----END ") else {
            throw FirmwareConfigError(.invalidValue, "\(what) is neither DER nor PEM", hint: "give the certificate or key file itself (PEM or DER)")
        }
        let body = text[headerEnd.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: String(body)), !data.isEmpty else {
            throw FirmwareConfigError(.invalidValue, "\(what) has a PEM block that is not valid base64")
        }
        return [UInt8](data)
    }
}
