import EsprigProtocol

/// The flasher stub esptool uploads: 2 status bytes with the error code first, 0x4000-byte
/// blocks written as they arrive (acknowledged before the flash work, which overlaps the next
/// block's transfer), streaming inflate, raw MD5, erase and streaming read. Modelled on
/// espressif/esp-flasher-stub `src/command_handler.c` (esptool 5.6's default stub).
extension SimulatedBoard {
    func handleStub(_ command: CommandPacket, into out: inout [BoardOutput]) -> Reply? {
        switch Opcode(rawValue: command.opcode) {
        case .sync: return sync(command)
        case .readReg: return readRegister(command)
        case .writeReg: return writeRegister(command)
        case .memBegin: return memBegin(command)
        case .memData: return memData(command)
        case .memEnd: return memEnd(command)
        case .flashBegin: return stubFlashBegin(command, compressed: false)
        case .flashDeflBegin: return stubFlashBegin(command, compressed: true)
        case .flashData, .flashDeflData: return injectResetIfDue(into: &out) ? nil : stubFlashData(command)
        case .flashEnd, .flashDeflEnd: return stubFlashEnd(command, into: &out)
        case .spiFlashMD5: return flashMD5(command)
        case .changeBaudrate: return changeBaudrate(command)
        case .spiAttach: return spiAttach(command)
        case .spiSetParams: return spiSetParams(command)
        case .eraseFlash: return Reply(readyAt: flashReady(after: nor.eraseChip()))
        case .eraseRegion: return eraseRegion(command)
        case .readFlash: return startReadFlash(command)
        case .runUserCode:
            // No reply; the legacy stub returns to the ROM's normal boot, i.e. the app runs.
            state = .app
            return nil
        case .getSecurityInfo: return securityInfo()
        default: return .fail(StubError.invalidCommand)
        }
    }

    /// FLASH_BEGIN / FLASH_DEFL_BEGIN(size, blocks, block_size, offset[, encrypted]): `size` is
    /// the exact (uncompressed) byte count; nothing is erased yet.
    private func stubFlashBegin(_ command: CommandPacket, compressed: Bool) -> Reply {
        let d = command.data
        guard d.count == 16 || d.count == 20, let size = d.u32LE(at: 0), let offset = d.u32LE(at: 12) else {
            return .fail(StubError.badDataLength)
        }
        guard nor.contains(Int(offset), count: Int(size)) else { return .fail(StubError.failedSPIOperation) }
        flashWrite = FlashWriteSession(offset: Int(offset), size: Int(size), compressed: compressed, erasesLazily: true)
        return Reply(readyAt: flashReady())
    }

    /// The ack waits only for the previous block's flash work (double buffering); this block's
    /// erase/program time then runs while the host sends the next one.
    private func stubFlashData(_ command: CommandPacket) -> Reply {
        guard var session = flashWrite else { return .fail(StubError.notInFlashMode) }
        if let pending = session.deferredError { return .fail(pending) }
        let block: DataBlock
        do { block = try dataBlock(command) } catch { return .fail(error.code) }
        let ack = max(now, busyUntil)
        var bytes = block.bytes
        if let inflater = session.inflater {
            do {
                bytes = try inflater.feed(block.bytes)
            } catch {
                session.deferredError = StubError.inflateError
                flashWrite = session
                return Reply(readyAt: ack)
            }
            if bytes.count > session.remaining {
                session.deferredError = StubError.tooMuchData
                bytes.removeLast(bytes.count - session.remaining)
            }
        } else {
            bytes = Array(bytes.prefix(session.remaining))   // the last block arrives padded with 0xFF
        }
        let busy = session.write(bytes, into: &nor)
        flashWrite = session
        busyUntil = ack + busy
        return Reply(readyAt: ack)
    }

    /// FLASH_END / FLASH_DEFL_END(flag): answered once the flash work is done, with any deferred
    /// error. Flag 0 reboots (esptool's `--after no-reset` leaves the stub this way), 1 stays.
    private func stubFlashEnd(_ command: CommandPacket, into out: inout [BoardOutput]) -> Reply {
        guard command.data.count == 4, let flag = command.data.u32LE(at: 0) else { return .fail(StubError.badDataLength) }
        guard let session = flashWrite else { return .fail(StubError.notInFlashMode) }
        flashWrite = nil
        let readyAt = flashReady()
        if let pending = session.deferredError { return Reply(error: pending, readyAt: readyAt) }
        guard session.remaining == 0 else { return Reply(error: StubError.badDataLength, readyAt: readyAt) }
        var reply = Reply(readyAt: readyAt)
        if flag == 0 {
            var after: [BoardOutput] = []
            reboot(download: true, cause: .software, banner: options.bootNoise, into: &after)
            reply.followUp = after
        }
        return reply
    }

    /// ERASE_REGION(offset, size): both must be 4 KiB multiples.
    private func eraseRegion(_ command: CommandPacket) -> Reply {
        guard command.data.count == 8, let offset = command.data.u32LE(at: 0), let size = command.data.u32LE(at: 4) else {
            return .fail(StubError.badDataLength)
        }
        guard offset % UInt32(FlashGeometry.sectorSize) == 0, size % UInt32(FlashGeometry.sectorSize) == 0 else {
            return .fail(StubError.badDataLength)
        }
        guard nor.contains(Int(offset), count: Int(size)) else { return .fail(StubError.failedSPIOperation) }
        return Reply(readyAt: flashReady(after: nor.erase(from: Int(offset), to: Int(offset) + Int(size))))
    }
}
