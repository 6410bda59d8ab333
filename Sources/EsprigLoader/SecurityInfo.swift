import EsprigProtocol

/// GET_SECURITY_INFO's answer (esptool `get_security_info`): flags, SPI_BOOT_CRYPT_CNT, the
/// key purposes and, from the ESP32-S3/C3 on, the chip id and ROM API version.
public struct SecurityInfo: Sendable, Hashable {
    public var flags: UInt32
    public var flashCryptCount: UInt8
    public var keyPurposes: [UInt8]
    public var chipID: UInt32?
    public var apiVersion: UInt32?

    /// The ROM's flag bits, named as esptool names them.
    public static let flagNames: [(name: String, bit: UInt32)] = [
        ("SECURE_BOOT_EN", 1 << 0), ("SECURE_BOOT_AGGRESSIVE_REVOKE", 1 << 1), ("SECURE_DOWNLOAD_ENABLE", 1 << 2),
        ("SECURE_BOOT_KEY_REVOKE0", 1 << 3), ("SECURE_BOOT_KEY_REVOKE1", 1 << 4), ("SECURE_BOOT_KEY_REVOKE2", 1 << 5),
        ("SOFT_DIS_JTAG", 1 << 6), ("HARD_DIS_JTAG", 1 << 7), ("DIS_USB", 1 << 8),
        ("DIS_DOWNLOAD_DCACHE", 1 << 9), ("DIS_DOWNLOAD_ICACHE", 1 << 10),
    ]

    public init(flags: UInt32, flashCryptCount: UInt8, keyPurposes: [UInt8], chipID: UInt32?, apiVersion: UInt32?) {
        self.flags = flags
        self.flashCryptCount = flashCryptCount
        self.keyPurposes = keyPurposes
        self.chipID = chipID
        self.apiVersion = apiVersion
    }

    /// Parses the 20-byte (or the ESP32-S2's 12-byte) payload.
    public init?(payload d: [UInt8]) {
        guard d.count == 20 || d.count == 12, let flags = d.u32LE(at: 0) else { return nil }
        self.init(flags: flags, flashCryptCount: d[4], keyPurposes: Array(d[5..<12]),
                  chipID: d.count == 20 ? d.u32LE(at: 12) : nil, apiVersion: d.count == 20 ? d.u32LE(at: 16) : nil)
    }

    public var secureBootEnabled: Bool { flags & 1 != 0 }
    public var secureDownloadMode: Bool { flags & (1 << 2) != 0 }
    /// An odd number of SPI_BOOT_CRYPT_CNT bits set means flash encryption is on (esptool).
    public var flashEncryptionEnabled: Bool { flashCryptCount.nonzeroBitCount % 2 == 1 }
}

extension Connection {
    /// GET_SECURITY_INFO, 20 bytes first, then the ESP32-S2's 12, as esptool asks.
    public func securityInfo() throws(LoaderError) -> SecurityInfo {
        for length in [20, 12] {
            let reply = try command(.getSecurityInfo, resultLength: length, allowFailure: true)
            if reply.status.isSuccess, reply.result.count == length, let info = SecurityInfo(payload: reply.result) { return info }
            if !reply.status.isSuccess && length == 12 {
                throw LoaderError(.commandFailed, "GET_SECURITY_INFO failed (\(reply.status))", opcode: .getSecurityInfo, status: reply.status)
            }
        }
        throw LoaderError(.protocolViolation, "GET_SECURITY_INFO returned neither 20 nor 12 bytes", opcode: .getSecurityInfo)
    }
}
