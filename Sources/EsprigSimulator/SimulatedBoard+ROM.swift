import EsprigProtocol

/// The ROM download loader: ESP8266 (2 status bytes, no compression, MD5 or baud change) or
/// ESP32 (4 status bytes, plus DEFL, MD5 as hex, CHANGE_BAUDRATE, SPI_ATTACH, READ_FLASH_SLOW).
extension SimulatedBoard {
    func handleROM(_ command: CommandPacket, into out: inout [BoardOutput]) -> Reply? {
        let features = spec.romFeatures
        switch Opcode(rawValue: command.opcode) {
        case .sync: return sync(command)
        case .readReg: return readRegister(command)
        case .writeReg: return writeRegister(command)
        case .memBegin: return memBegin(command)
        case .memData: return memData(command)
        case .memEnd: return memEnd(command)
        case .flashBegin: return romFlashBegin(command, compressed: false)
        case .flashData: return injectResetIfDue(into: &out) ? nil : romFlashData(command)
        case .flashEnd: return romFlashEnd(command, into: &out)
        case .flashDeflBegin where features.contains(.compressedWrite): return romFlashBegin(command, compressed: true)
        case .flashDeflData where features.contains(.compressedWrite):
            return injectResetIfDue(into: &out) ? nil : romFlashData(command)
        case .flashDeflEnd where features.contains(.compressedWrite): return romFlashEnd(command, into: &out)
        case .spiFlashMD5 where features.contains(.md5): return flashMD5(command)
        case .changeBaudrate where features.contains(.changeBaudrate): return changeBaudrate(command)
        case .spiAttach where features.contains(.spiAttach): return spiAttach(command)
        case .spiSetParams where features.contains(.spiSetParams): return spiSetParams(command)
        case .readFlashSlow where features.contains(.readFlashSlow): return readFlashSlow(command)
        case .getSecurityInfo where features.contains(.securityInfo): return securityInfo()
        default:
            // Unsupported here (GET_SECURITY_INFO on ESP8266/ESP32, stub-only commands):
            // "received message is invalid", which esptool maps to UnsupportedCommandError.
            return .fail(ROMError.invalidMessage)
        }
    }

    /// FLASH_BEGIN / FLASH_DEFL_BEGIN(size, blocks, block_size, offset): the ROM erases up front.
    private func romFlashBegin(_ command: CommandPacket, compressed: Bool) -> Reply {
        let d = command.data
        guard d.count == 16 || d.count == 20, let size = d.u32LE(at: 0), let offset = d.u32LE(at: 12) else {
            return .fail(ROMError.invalidMessage)
        }
        let eraseTime: Duration
        if spec.hasROMEraseSizeBug {
            eraseTime = nor.erase(from: Int(offset), to: Int(offset) + Self.esp8266ROMErasedBytes(eraseSize: Int(size), offset: Int(offset)))
        } else {
            eraseTime = nor.erase(from: Int(offset), to: Int(offset) + Int(size))
        }
        flashWrite = FlashWriteSession(offset: Int(offset), size: Int(size), compressed: compressed, erasesLazily: false)
        return Reply(readyAt: flashReady(after: eraseTime))
    }

    /// What the ESP8266 ROM's SPIEraseArea really erases for an `eraseSize` request (espressif/esptool
    /// #33): with `head` sectors left in the 64 KiB block, E ≤ head erases 2·E sectors, otherwise
    /// E + head. esptool's `get_erase_size` inverts this, so its requests erase what it needs.
    static func esp8266ROMErasedBytes(eraseSize: Int, offset: Int) -> Int {
        let sectors = (eraseSize + FlashGeometry.sectorSize - 1) / FlashGeometry.sectorSize
        let head = 16 - (offset / FlashGeometry.sectorSize) % 16
        let erased = sectors <= head ? 2 * sectors : sectors + head
        return erased * FlashGeometry.sectorSize
    }

    /// FLASH_DATA / FLASH_DEFL_DATA: checked and written before the reply (the ROM is synchronous).
    private func romFlashData(_ command: CommandPacket) -> Reply {
        guard var session = flashWrite else { return .fail(ROMError.operationFailed) }
        let block: DataBlock
        do { block = try dataBlock(command) } catch { return .fail(error.code) }
        var bytes = block.bytes
        if let inflater = session.inflater {
            do { bytes = try inflater.feed(block.bytes) } catch { return .fail(ROMError.deflate) }
        }
        guard nor.contains(session.offset + session.written, count: bytes.count) else { return .fail(ROMError.flashWrite) }
        let busy = session.write(bytes, into: &nor)
        flashWrite = session
        return Reply(readyAt: flashReady(after: busy))
    }

    /// FLASH_END(flag): 1 leaves the loader and runs the app; 0 reboots (back into the loader,
    /// since GPIO0 is unchanged). The ROM replies first.
    private func romFlashEnd(_ command: CommandPacket, into out: inout [BoardOutput]) -> Reply {
        guard command.data.count == 4, let flag = command.data.u32LE(at: 0) else { return .fail(ROMError.invalidMessage) }
        flashWrite = nil
        var reply = Reply(readyAt: flashReady())
        if flag != 0 {
            state = .app
        } else {
            var after: [BoardOutput] = []
            reboot(download: true, cause: .software, banner: options.bootNoise, into: &after)
            reply.followUp = after
        }
        return reply
    }

    /// READ_FLASH_SLOW(offset, length ≤ 64): the reply data is always 64 bytes.
    private func readFlashSlow(_ command: CommandPacket) -> Reply {
        guard command.data.count == 8, let offset = command.data.u32LE(at: 0), let length = command.data.u32LE(at: 4),
              length <= 64 else { return .fail(ROMError.invalidMessage) }
        guard nor.contains(Int(offset), count: Int(length)) else { return .fail(ROMError.flashRead) }
        return Reply(data: nor.read(Int(offset), count: 64), readyAt: flashReady())
    }
}
