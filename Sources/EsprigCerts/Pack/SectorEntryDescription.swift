import EsprigFirmware

/// One entry of a packed cert-sector file, parsed back: where it is and what it holds. Keys
/// are described by kind and size only.
public struct SectorEntryDescription: Sendable {
    public enum Content: Sendable {
        case certificate(CertificateFacts, Material.Encoding)
        case privateKey(PrivateKeyFacts, Material.Encoding)
        /// Neither a certificate nor a key; the reason says why.
        case unknown(String)
    }

    public var name: String
    /// Offset of the entry's 34-byte head in the file.
    public var offset: Int
    public var length: Int
    public var content: Content

    /// Every entry of `bytes` (an `esp_ca_cert.bin` / `esp_cert_private_key.bin` or a read-back
    /// sector), stopping at erased flash like the device.
    public static func describe(_ bytes: [UInt8]) throws(FirmwareConfigError) -> [SectorEntryDescription] {
        var offset = 0
        var result: [SectorEntryDescription] = []
        for entry in try CertSectorPacker.unpack(bytes) {
            result.append(SectorEntryDescription(name: entry.name, offset: offset, length: entry.payload.count, content: content(entry.payload)))
            offset += CertSectorPacker.nameLength + 2 + entry.payload.count
        }
        return result
    }

    static func content(_ payload: [UInt8]) -> Content {
        guard let encoding = Material.encoding(of: payload) else { return .unknown("neither DER nor PEM") }
        if let certificate = try? Material.certificates(payload, what: "entry").first { return .certificate(certificate, encoding) }
        do {
            return .privateKey(try Material.privateKey(payload, what: "entry").facts, encoding)
        } catch {
            return .unknown(error.message)
        }
    }
}
