import EsprigProtocol

/// GET_SECURITY_INFO as the ESP32-S2-and-later ROMs answer it: flags, SPI_BOOT_CRYPT_CNT, seven
/// key purposes, then (not on the S2) the chip id and the ROM API version.
extension SimulatedBoard {
    func securityInfo() -> Reply {
        guard let length = spec.securityInfoLength else {
            return .fail(isStub ? StubError.notImplemented : ROMError.invalidMessage)
        }
        var data = [UInt8].le(options.securityFlags)
        data.append(options.flashCryptCount)
        data += [UInt8](repeating: 0, count: 7)
        if length == 20 {
            data.appendLE(spec.securityInfoChipID ?? 0)
            data.appendLE(UInt32(1))   // API version
        }
        return Reply(data: data)
    }
}
