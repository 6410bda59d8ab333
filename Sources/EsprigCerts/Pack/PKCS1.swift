import EsprigFirmware

/// Just enough DER to turn a PKCS#8 RSA key (what OpenSSL 3 writes) into the PKCS#1
/// RSAPrivateKey the ESP8266 TLS stacks all accept.
enum PKCS1 {
    /// PKCS#1 DER as it is; PKCS#8 unwrapped (SEQUENCE { INTEGER, SEQUENCE alg, OCTET STRING key }).
    static func rsaPrivateKey(fromDER der: [UInt8], what: String) throws(FirmwareConfigError) -> [UInt8] {
        guard let outer = element(der, at: 0), outer.tag == 0x30 else {
            throw FirmwareConfigError(.invalidValue, "\(what) is not a DER private key")
        }
        guard let version = element(der, at: outer.contentStart), version.tag == 0x02,
              let second = element(der, at: version.end) else {
            throw FirmwareConfigError(.invalidValue, "\(what) is not a DER private key")
        }
        // RSAPrivateKey: the second element is the modulus INTEGER; PKCS#8: the algorithm SEQUENCE.
        if second.tag == 0x02 { return der }
        let rsaOID: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]
        guard second.tag == 0x30, Array(der[second.contentStart..<min(second.end, second.contentStart + rsaOID.count)]) == rsaOID else {
            throw FirmwareConfigError(.invalidValue, "\(what) is not an RSA key", hint: "the ESP8266 TLS stacks need an RSA key (2048 bits recommended)")
        }
        guard let octets = element(der, at: second.end), octets.tag == 0x04 else {
            throw FirmwareConfigError(.invalidValue, "\(what) is a PKCS#8 key without its key octets")
        }
        return Array(der[octets.contentStart..<octets.end])
    }

    struct Element { var tag: UInt8; var contentStart: Int; var end: Int }

    /// The TLV at `offset` (definite lengths only, as DER requires).
    static func element(_ bytes: [UInt8], at offset: Int) -> Element? {
        guard offset + 2 <= bytes.count else { return nil }
        let first = Int(bytes[offset + 1])
        var length = first
        var start = offset + 2
        if first & 0x80 != 0 {
            let count = first & 0x7F
            guard count >= 1, count <= 3, start + count <= bytes.count else { return nil }
            length = bytes[start..<start + count].reduce(0) { $0 << 8 | Int($1) }
            start += count
        }
        guard start + length <= bytes.count else { return nil }
        return Element(tag: bytes[offset], contentStart: start, end: start + length)
    }
}
