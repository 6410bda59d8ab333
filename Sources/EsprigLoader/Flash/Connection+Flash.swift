import EsprigProtocol
import EsprigCodecs

/// Flash commands whose payloads and rules differ between ROM and stub.
extension Connection {
    var spec: ChipSpec {
        get throws(LoaderError) {
            guard let chip else { throw LoaderError(.invalidRequest, "chip not detected yet") }
            return chip
        }
    }

    public func supports(_ feature: LoaderFeature) throws(LoaderError) -> Bool {
        if isStub { return true }
        return try spec.romFeatures.contains(feature)
    }

    /// Block size for FLASH_DATA/FLASH_DEFL_DATA.
    public var flashBlockSize: Int {
        get throws(LoaderError) { isStub ? (try spec).stubFlashBlockSize : (try spec).romFlashBlockSize }
    }

    /// Makes the SPI flash usable (esptool `flash_spi_attach`): the ESP8266 ROM takes a no-op
    /// FLASH_BEGIN; ESP32 ROMs take SPI_ATTACH; a stub needs nothing.
    public func attachFlash() throws(LoaderError) {
        if isStub { return }
        let spec = try spec
        try retryingWithResync(4) { () throws(LoaderError) in
            if spec.romFeatures.contains(.spiAttach) {
                try command(.spiAttach, .le(0, 0))
            } else {
                try command(.flashBegin, beginPayload(0, 0, UInt32(spec.romFlashBlockSize), 0))
            }
        }
    }

    /// SPI_SET_PARAMS with the flash size (skipped where the loader lacks it: ESP8266 ROM).
    public func setFlashSize(_ size: Int) throws(LoaderError) {
        guard try supports(.spiSetParams) else { return }
        try retryingWithResync(4) { () throws(LoaderError) in
            try command(.spiSetParams, .le(0, UInt32(size), 0x10000, 0x1000, 0x100, 0xFFFF))
        }
    }

    /// Runs one SPI flash command through the controller's "user command" registers
    /// (esptool `run_spiflash_command`); returns up to 32 bits read back.
    public func spiFlashCommand(_ command: UInt8, readBits: Int) throws(LoaderError) -> UInt32 {
        try spiFlashCommand(command, data: 0, dataBits: 0, readBits: readBits)
    }

    /// The same with `dataBits` (≤ 32) of `data` sent after the command (MOSI), e.g. WRSR, and
    /// optionally a 24-bit address and 8 dummy cycles first (RDSFDP).
    public func spiFlashCommand(_ command: UInt8, data: UInt32, dataBits: Int, readBits: Int,
                                address: UInt32? = nil) throws(LoaderError) -> UInt32 {
        let regs = (try spec).spi
        let usrCommand: UInt32 = 1 << 31, usrAddr: UInt32 = 1 << 30, usrDummy: UInt32 = 1 << 29
        let usrMISO: UInt32 = 1 << 28, usrMOSI: UInt32 = 1 << 27
        let oldUSR = try readRegister(regs.usrAddress)
        let oldUSR2 = try readRegister(regs.usr2Address)
        // USR1: address length − 1 at bit 26 and dummy cycles − 1 at bit 0 (esptool run_spiflash_command).
        let addressFlags: UInt32 = address == nil ? 0 : (24 - 1) << 26 | (8 - 1)
        if let misoLength = regs.misoDataLength, let mosiLength = regs.mosiDataLength {
            if dataBits > 0 { try writeRegister(regs.base + mosiLength, UInt32(dataBits - 1)) }
            if readBits > 0 { try writeRegister(regs.base + misoLength, UInt32(readBits - 1)) }
            if addressFlags != 0 { try writeRegister(regs.usr1Address, addressFlags) }
        } else {
            try writeRegister(regs.usr1Address, (readBits > 0 ? UInt32(readBits - 1) << 8 : 0) | (dataBits > 0 ? UInt32(dataBits - 1) << 17 : 0) | addressFlags)
        }
        if let address {
            try writeRegister(regs.addrAddress, regs.addressMSBAligned ? address << 8 : address)
        }
        try writeRegister(regs.usrAddress, usrCommand | (readBits > 0 ? usrMISO : 0) | (dataBits > 0 ? usrMOSI : 0)
                          | (address == nil ? 0 : usrAddr | usrDummy))
        try writeRegister(regs.usr2Address, (7 << 28) | UInt32(command))
        try writeRegister(regs.w0Address, dataBits > 0 ? data : 0)
        try writeRegister(regs.cmdAddress, SPIRegisters.userCommandBit)
        var done = false
        for _ in 0..<10 where !done {
            done = (try readRegister(regs.cmdAddress)) & SPIRegisters.userCommandBit == 0
        }
        guard done else { throw LoaderError(.protocolViolation, "SPI flash command 0x\(hex2(command)) did not complete in time") }
        let result = try readRegister(regs.w0Address)
        try writeRegister(regs.usrAddress, oldUSR)
        try writeRegister(regs.usr2Address, oldUSR2)
        return result
    }

    /// The flash status register, `bytes` (1–3) of it: RDSR, RDSR2, RDSR3 (esptool `read_status`).
    public func flashStatus(bytes: Int) throws(LoaderError) -> UInt32 {
        var status: UInt32 = 0
        for (index, opcode) in [UInt8(0x05), 0x35, 0x15].prefix(bytes).enumerated() {
            status |= (try spiFlashCommand(opcode, readBits: 8) & 0xFF) << (8 * UInt32(index))
        }
        return status
    }

    /// Writes the status register as esptool `write_status` does: a 16-bit WRSR when 2 bytes,
    /// then WRSR/WRSR2/WRSR3 one byte each, each after WREN (non-volatile) or the volatile-write
    /// enable 0x50, then WRDI.
    public func setFlashStatus(_ value: UInt32, bytes: Int, nonVolatile: Bool) throws(LoaderError) {
        let enable: UInt8 = nonVolatile ? 0x06 : 0x50
        if bytes == 2 {
            _ = try spiFlashCommand(enable, readBits: 0)
            _ = try spiFlashCommand(0x01, data: value & 0xFFFF, dataBits: 16, readBits: 0)
        }
        var rest = value
        for opcode in [UInt8(0x01), 0x31, 0x11].prefix(bytes) {
            _ = try spiFlashCommand(enable, readBits: 0)
            _ = try spiFlashCommand(opcode, data: rest & 0xFF, dataBits: 8, readBits: 0)
            rest >>= 8
        }
        _ = try spiFlashCommand(0x04, readBits: 0)
    }

    /// `bits` (≤ 32) of the flash's SFDP table from `address` (RDSFDP 0x5A, esptool `read_spiflash_sfdp`).
    public func flashSFDP(address: UInt32, bits: Int) throws(LoaderError) -> UInt32 {
        try spiFlashCommand(0x5A, data: 0, dataBits: 0, readBits: bits, address: address)
    }

    /// JEDEC id (RDID, 0x9F): manufacturer | type << 8 | capacity << 16.
    public func flashID() throws(LoaderError) -> UInt32 {
        try spiFlashCommand(0x9F, readBits: 24) & 0xFF_FFFF
    }

    /// MD5 of a flash range as 16 bytes; nil when the loader cannot compute it (ESP8266 ROM).
    public func flashMD5(address: Int, size: Int) throws(LoaderError) -> [UInt8]? {
        guard try supports(.md5) else { return nil }
        let timeout = timeouts.perMiB(timeouts.md5PerMiB, bytes: size)
        let length = isStub ? 16 : 32
        var reply = ParsedResponse(ResponsePacket(opcode: 0, data: []), expectedResultLength: 0)
        try retrying(3) { () throws(LoaderError) in
            reply = try command(.spiFlashMD5, .le(UInt32(address), UInt32(size), 0, 0), timeout: timeout, resultLength: length)
        }
        if isStub { return reply.result }
        // The ROM answers in lowercase ASCII hex.
        var out: [UInt8] = []
        var i = 0
        while i + 1 < reply.result.count {
            guard let byte = UInt8(String(decoding: reply.result[i...i + 1], as: UTF8.self), radix: 16) else {
                throw LoaderError(.protocolViolation, "the ROM's MD5 reply is not hex")
            }
            out.append(byte)
            i += 2
        }
        return out
    }

    public func eraseFlash() throws(LoaderError) {
        guard try supports(.eraseAndStreamRead) else {
            throw LoaderError(.notInROM, "\((try spec).displayName) ROM does not support erasing the whole flash",
                              hint: "drop --no-stub so the flasher stub can do it")
        }
        try command(.eraseFlash, timeout: timeouts.chipErase)
    }

    public func eraseRegion(address: Int, size: Int) throws(LoaderError) {
        guard address % FlashGeometry.sectorSize == 0, size % FlashGeometry.sectorSize == 0, size > 0 else {
            throw LoaderError(.invalidRequest, String(format: "erase-region needs an address and size that are multiples of 0x1000 (got 0x%x, 0x%x)", address, size),
                              hint: "round to 4 KiB sectors")
        }
        if try supports(.eraseAndStreamRead) {
            try command(.eraseRegion, .le(UInt32(address), UInt32(size)), timeout: timeouts.perMiB(timeouts.eraseRegionPerMiB, bytes: size))
            return
        }
        let spec = try spec
        if spec.hasROMEraseSizeBug {
            throw LoaderError(.notInROM, "\(spec.displayName) ROM does not support erase-region",
                              hint: "drop --no-stub so the flasher stub can do it")
        }
        // ESP32-family ROMs erase during FLASH_BEGIN; no data follows.
        let blocks = (size + spec.romFlashBlockSize - 1) / spec.romFlashBlockSize
        try command(.flashBegin, beginPayload(UInt32(size), UInt32(blocks), UInt32(spec.romFlashBlockSize), UInt32(address)),
                    timeout: timeouts.perMiB(timeouts.eraseRegionPerMiB, bytes: size))
    }

    /// Leaves the loader: FLASH_BEGIN(0,0) + FLASH_END(flag) on a ROM; RUN_USER_CODE on the ESP8266 stub.
    public func leaveLoader(runUserCode: Bool) throws(LoaderError) {
        let spec = try spec
        if isStub && runUserCode && spec.stubRunsUserCode {
            try sendFrame(CommandPacket(.runUserCode, data: []).encoded())
            return
        }
        let block = UInt32(isStub ? spec.stubFlashBlockSize : spec.romFlashBlockSize)
        try command(.flashBegin, beginPayload(0, 0, block, 0))
        try command(.flashEnd, .le(runUserCode ? 1 : 0))
    }
}
