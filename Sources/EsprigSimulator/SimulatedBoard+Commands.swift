import EsprigCodecs
import EsprigFraming
import EsprigProtocol

/// Commands whose handling the ROM and the stub share, up to status layout and error codes.
extension SimulatedBoard {
    /// A loader error code already chosen for the loader that is running (ROM or stub table).
    struct Failure: Error { let code: UInt8 }

    /// The `len, seq, 0, 0` header plus data of MEM_DATA/FLASH_DATA/FLASH_DEFL_DATA.
    struct DataBlock {
        let seq: UInt32
        let bytes: [UInt8]
    }

    var isStub: Bool { state == .stub }

    func sync(_ command: CommandPacket) -> Reply? {
        let valid = command.data.count == 36 && command.data.prefix(4).elementsEqual([0x07, 0x07, 0x12, 0x20])
            && command.data.dropFirst(4).allSatisfy { $0 == 0x55 }
        guard valid else { return isStub ? .fail(StubError.badDataLength) : nil }
        // Eight replies; the ROM's value is nonzero, the stub's 0 (esptool uses that to spot a stub).
        return Reply(value: isStub ? 0 : 0x2012_0707, count: 8)
    }

    func readRegister(_ command: CommandPacket) -> Reply {
        guard command.data.count == 4, let address = command.data.u32LE(at: 0) else {
            return .fail(isStub ? StubError.badDataLength : ROMError.invalidMessage)
        }
        return Reply(value: registers.read(address, baud: baud))
    }

    /// One or more `addr, value, mask, delay_us` entries (esptool adds a mask-0 entry as a delay).
    func writeRegister(_ command: CommandPacket) -> Reply {
        let d = command.data
        guard !d.isEmpty, d.count % 16 == 0 else {
            return .fail(isStub ? StubError.notEnoughData : ROMError.invalidMessage)
        }
        var delay = Duration.zero
        for entry in stride(from: 0, to: d.count, by: 16) {
            guard let address = d.u32LE(at: entry), let value = d.u32LE(at: entry + 4),
                  let mask = d.u32LE(at: entry + 8), let delayMicros = d.u32LE(at: entry + 12) else { continue }
            delay += .microseconds(Int(delayMicros))
            registers.write(address, value: value, mask: mask, baud: baud)
            armWatchdogIfEnabled(address)
        }
        return Reply(readyAt: now + delay)
    }

    func dataBlock(_ command: CommandPacket) throws(Failure) -> DataBlock {
        let d = command.data
        guard d.count >= 16, let length = d.u32LE(at: 0), let seq = d.u32LE(at: 4) else {
            throw Failure(code: isStub ? StubError.notEnoughData : ROMError.invalidMessage)
        }
        let bytes = Array(d[16...])
        guard Int(length) == bytes.count else {
            throw Failure(code: isStub ? StubError.tooMuchData : ROMError.invalidMessage)
        }
        guard UInt32(espChecksum(bytes)) == command.checksum else {
            throw Failure(code: isStub ? StubError.badChecksum : ROMError.checksum)
        }
        return DataBlock(seq: seq, bytes: bytes)
    }

    func memBegin(_ command: CommandPacket) -> Reply {
        guard command.data.count == 16, let size = command.data.u32LE(at: 0),
              let address = command.data.u32LE(at: 12) else {
            return .fail(isStub ? StubError.badDataLength : ROMError.invalidMessage)
        }
        keepMemDownload()
        memDownload = MemDownload(address: address, size: Int(size))
        return .ok
    }

    func memData(_ command: CommandPacket) -> Reply {
        guard var download = memDownload else { return .fail(isStub ? StubError.notInFlashMode : ROMError.operationFailed) }
        let block: DataBlock
        do { block = try dataBlock(command) } catch { return .fail(error.code) }
        guard download.received.count + block.bytes.count <= download.size else {
            return .fail(isStub ? StubError.tooMuchData : ROMError.invalidMessage)
        }
        download.received += block.bytes
        memDownload = download
        return .ok
    }

    /// MEM_END(flag, entry): flag 0 jumps to `entry` after replying. A download equal to one of
    /// the flasher stubs the simulator knows (`SimulatorOptions.flasherStubs`, the installed
    /// esptool's) makes the ROM become the stub, answered by the simulator itself, which greets
    /// with OHAI; anything else is user code (`load-ram`): the board leaves the loader, records
    /// the download in `ramRuns`, and an ESP8266 executes it on its core (other chips stay
    /// silent). From the stub every jump is user code.
    func memEnd(_ command: CommandPacket) -> Reply {
        guard command.data.count == 8, let flag = command.data.u32LE(at: 0), let entry = command.data.u32LE(at: 4) else {
            return .fail(isStub ? StubError.badDataLength : ROMError.invalidMessage)
        }
        guard memDownload != nil else { return .fail(isStub ? StubError.notInFlashMode : ROMError.operationFailed) }
        keepMemDownload()
        let run = RAMRun(loader: state.logName, entry: entry, segments: ramDownloaded)
        ramDownloaded = []
        guard flag == 0, entry != 0 else { return .ok }
        if !isStub && isFlasherStub(run) {
            state = .stub
            flashWrite = nil
            return Reply(followUp: [.bytes(SLIP.encode(Array("OHAI".utf8)), notBefore: nil)])
        }
        ramRuns.append(run)
        state = .app
        appRun = nil
        if executesFirmware { startFirmware(.ram(run), cause: nil, delay: .zero) }
        return .ok
    }

    /// Files the finished MEM_BEGIN download; a segment sent again (a restarted upload) replaces
    /// the earlier copy at its address.
    private func keepMemDownload() {
        guard let download = memDownload else { return }
        memDownload = nil
        let segment = RAMRun.Segment(address: download.address, bytes: download.received)
        if let i = ramDownloaded.firstIndex(where: { $0.address == segment.address }) {
            ramDownloaded[i] = segment
        } else {
            ramDownloaded.append(segment)
        }
    }

    /// Without a list of stubs the board cannot tell programs apart and keeps the assumption of
    /// hand-made test stubs: whatever the ROM is asked to run is the stub.
    private func isFlasherStub(_ run: RAMRun) -> Bool {
        guard let stubs = options.flasherStubs else { return true }
        let loaded = Dictionary(run.segments.map { ($0.address, $0.bytes) }) { $1 }
        return stubs.contains { $0.entry == run.entry && $0.segments.filter { !$0.value.isEmpty } == loaded }
    }

    /// CHANGE_BAUDRATE(new, old): the reply goes out at the old rate, then the UART switches.
    func changeBaudrate(_ command: CommandPacket) -> Reply {
        guard command.data.count == 8, let newBaud = command.data.u32LE(at: 0), newBaud > 0 else {
            return .fail(isStub ? StubError.badDataLength : ROMError.invalidMessage)
        }
        baud = Int(newBaud)
        return Reply(followUp: [.baudChange(Int(newBaud))])
    }

    /// SPI_SET_PARAMS(id, total_size, block, sector, page, status_mask): the loader's idea of
    /// the flash geometry; the simulated chip's real size is what bounds accesses.
    func spiSetParams(_ command: CommandPacket) -> Reply {
        guard command.data.count == 24 else { return .fail(isStub ? StubError.badDataLength : ROMError.invalidMessage) }
        return .ok
    }

    /// SPI_ATTACH: ROM payload is 8 bytes (config + "is legacy"), stub payload 4 (or 8).
    func spiAttach(_ command: CommandPacket) -> Reply {
        let valid = isStub ? (command.data.count == 4 || command.data.count == 8) : command.data.count == 8
        return valid ? .ok : .fail(isStub ? StubError.badDataLength : ROMError.invalidMessage)
    }

    /// SPI_FLASH_MD5(addr, size, 0, 0): ROM answers 32 lowercase hex characters, the stub 16 raw bytes.
    func flashMD5(_ command: CommandPacket) -> Reply {
        guard command.data.count == 16, let address = command.data.u32LE(at: 0), let size = command.data.u32LE(at: 4) else {
            return .fail(isStub ? StubError.badDataLength : ROMError.invalidMessage)
        }
        guard nor.contains(Int(address), count: Int(size)) else {
            return .fail(isStub ? StubError.failedSPIOperation : ROMError.flashRead)
        }
        var digest = MD5.digest(nor.bytes[Int(address)..<Int(address) + Int(size)])
        md5RepliesSent += 1
        if md5RepliesSent == options.replyFaults.alterMD5At { digest[5] ^= 0x20 }
        let data = isStub ? digest : Array(digest.map { String(format: "%02x", $0) }.joined().utf8)
        return Reply(data: data, readyAt: flashReady())
    }

    /// Counts *_DATA blocks; past `resetAfterBlocks` the board resets once, mid-write, and the
    /// block is lost. Returns true when that happened.
    func injectResetIfDue(into out: inout [BoardOutput]) -> Bool {
        dataBlocksReceived += 1
        guard let limit = options.resetAfterBlocks, !injectedResetDone, dataBlocksReceived > limit else { return false }
        injectedResetDone = true
        reboot(download: true, cause: .watchdog, banner: true, into: &out)
        return true
    }
}

/// One MEM_BEGIN and its MEM_DATA blocks. The bytes are kept, never executed.
struct MemDownload {
    let address: UInt32
    let size: Int
    var received: [UInt8] = []
}

/// Code the board was told to run from RAM (MEM_END with a jump) that is not a known stub.
public struct RAMRun: Sendable, Equatable {
    public struct Segment: Sendable, Equatable {
        public var address: UInt32
        public var bytes: [UInt8]

        public init(address: UInt32, bytes: [UInt8]) {
            self.address = address
            self.bytes = bytes
        }
    }
    /// "rom" or "stub": the loader that jumped.
    public var loader: String
    public var entry: UInt32
    /// In the order they were first downloaded.
    public var segments: [Segment]

    public init(loader: String, entry: UInt32, segments: [Segment]) {
        self.loader = loader
        self.entry = entry
        self.segments = segments
    }
}

/// A flasher stub the board can stand in for: its entry point and the bytes at each address.
public struct SimulatedProgram: Sendable, Equatable {
    public var entry: UInt32
    public var segments: [UInt32: [UInt8]]

    public init(entry: UInt32, segments: [UInt32: [UInt8]]) {
        self.entry = entry
        self.segments = segments
    }
}
