import EsprigProtocol

/// Typed wrappers for the loader commands: payload layouts live here, once.
extension Connection {
    /// The SYNC payload: 07 07 12 20 and 32 × 0x55 (the 0x55 run lets the ROM detect the baud).
    static let syncPayload: [UInt8] = [0x07, 0x07, 0x12, 0x20] + [UInt8](repeating: 0x55, count: 32)

    /// One SYNC exchange. Returns true when the replies came from a flasher stub (value 0).
    public func sync() throws(LoaderError) -> Bool {
        try sendFrame(CommandPacket(.sync, data: Self.syncPayload).encoded())
        let first = try awaitReply(.sync, timeout: timeouts.sync + wireTime(bytes: 46, baud: baud), allowFailure: true)
        // A refusal (a garbled SYNC) carries value 0 too; it must not pass for a stub's answer.
        guard first.status.isSuccess else {
            throw LoaderError(.syncFailed, "SYNC was refused (\(first.status))", opcode: .sync, status: first.status)
        }
        // The stub answers with value 0, the ROM with its magic. Replies are counted, not the
        // first or any one trusted: a garbled value byte must not turn a stub into a ROM (esprig
        // would then upload the stub to the running stub, which runs it as an app).
        var zeros = first.value == 0 ? 1 : 0, others = first.value == 0 ? 0 : 1
        // The loader answers 8 times; collect the rest so they cannot be mistaken for later replies.
        for _ in 0..<7 {
            guard let frame = try readFrame(timeout: .milliseconds(100)) else { break }
            guard let r = ResponsePacket(frame: frame), r.opcode == Opcode.sync.rawValue else { continue }
            if r.value == 0 { zeros += 1 } else { others += 1 }
        }
        return zeros > others
    }

    /// Register access is idempotent, so a garbled exchange is simply tried again; every loader
    /// has READ_REG and WRITE_REG, so an "unsupported" answer is a garbled frame too.
    public func readRegister(_ address: UInt32) throws(LoaderError) -> UInt32 {
        var value: UInt32 = 0
        try retryingWithResync(3) { () throws(LoaderError) in value = try command(.readReg, .le(address)).value }
        return value
    }

    public func writeRegister(_ address: UInt32, _ value: UInt32, mask: UInt32 = 0xFFFF_FFFF, delayMicroseconds: UInt32 = 0) throws(LoaderError) {
        try retryingWithResync(3) { () throws(LoaderError) in try command(.writeReg, .le(address, value, mask, delayMicroseconds)) }
    }

    /// *_BEGIN payloads: the 5th "encrypted" word goes only to stubs and to ROMs that take it.
    func beginPayload(_ words: UInt32...) -> [UInt8] {
        var out = [UInt8].le(words[0], words[1], words[2], words[3])
        if isStub || chip?.romBeginTakesEncryptedFlag == true { out.appendLE(UInt32(0)) }
        return out
    }

    /// A `*_DATA` block: `len, seq, 0, 0` + data, checksummed over the data.
    func dataBlock(_ opcode: Opcode, seq: Int, _ block: [UInt8], timeout: Duration) throws(LoaderError) {
        var payload = [UInt8].le(UInt32(block.count), UInt32(seq), 0, 0)
        payload.append(contentsOf: block)
        try command(opcode, payload, checksum: UInt32(espChecksum(block)), timeout: timeout)
    }

    /// Runs `body` up to `attempts` times, flushing input between tries. A reply that says the
    /// frame was garbled is worth many tries; silence (a timeout) means the loader may be gone, so
    /// it is tried only twice before the caller escalates. A disconnect ends it at once.
    func retrying(_ attempts: Int, _ body: () throws(LoaderError) -> Void) throws(LoaderError) {
        var last: LoaderError?
        var silences = 0
        for _ in 0..<max(1, attempts) {
            do throws(LoaderError) {
                try body()
                return
            } catch {
                if error.isDisconnect || error.code == .unsupported { throw error }
                last = error
                if error.code == .timeout || error.code == .noData {
                    silences += 1
                    if silences >= 2 { break }
                }
                try flushInput()
            }
        }
        if let last { throw last }
    }

    /// Drops pending input and syncs until the loader answers (a few tries): after a garbled
    /// exchange this says whether anyone is listening, and who. True when the stub answered.
    public func resync(attempts: Int = 3) throws(LoaderError) -> Bool {
        var last = LoaderError(.syncFailed, "no sync reply from \(port.name)")
        for _ in 0..<max(1, attempts) {
            try flushInput()
            do throws(LoaderError) { return try sync() } catch {
                if error.isDisconnect { throw error }
                last = error
            }
        }
        throw last
    }

    /// For idempotent setup commands (SPI_ATTACH, SPI_SET_PARAMS): a failed exchange, whatever
    /// the reply said, re-syncs and sends the command again, up to `attempts` times. esprig
    /// sends these only where the chip row says the loader has them, so an "unsupported" reply
    /// is a garbled opcode.
    func retryingWithResync(_ attempts: Int, _ body: () throws(LoaderError) -> Void) throws(LoaderError) {
        var last: LoaderError?
        for attempt in 0..<max(1, attempts) {
            do throws(LoaderError) {
                try body()
                return
            } catch {
                if error.isDisconnect { throw error }
                last = error
            }
            guard attempt + 1 < attempts else { break }
            do throws(LoaderError) { _ = try resync() } catch {
                if error.isDisconnect { throw error }
            }
        }
        if let last { throw last }
    }

    /// CHANGE_BAUDRATE, then a sync at the new rate to prove both sides switched. When the
    /// exchange or the proof fails, the loader may have switched or not (its reply or the
    /// command was garbled, or the rate word itself was): a sync at each rate finds where it
    /// listens, and from the old rate the change is tried again, `attempts` times in all.
    public func changeBaud(to newBaud: Int, attempts: Int = 4) throws(LoaderError) {
        let requested = !isStub && chip?.romBaudNeedsClockCompensation == true ? try compensatedROMBaud(newBaud) : UInt32(newBaud)
        let oldBaud = baud
        var last: LoaderError?
        for _ in 0..<max(1, attempts) {
            do throws(LoaderError) {
                // The stub takes (new, current); a ROM takes (new, 0).
                try command(.changeBaudrate, .le(requested, isStub ? UInt32(oldBaud) : 0))
            } catch {
                if error.isDisconnect { throw error }
                last = error
            }
            try setBaud(newBaud)
            // Junk may arrive while both sides switch (esptool #921); wait it out, then drop it.
            _ = try? port.read(maxCount: 4096, timeout: .milliseconds(50))
            if try answersSync() { return }
            try setBaud(oldBaud)
            if try !answersSync() {
                throw LoaderError(.syncFailed, "the loader answers neither at \(oldBaud) nor at \(newBaud) baud after CHANGE_BAUDRATE\(last.map { ": \($0.message)" } ?? "")",
                                  hint: "check the cable; try a lower --baud")
            }
        }
        throw LoaderError(.commandFailed, "could not change the baud rate to \(newBaud) after \(max(1, attempts)) attempts\(last.map { ": \($0.message)" } ?? "")",
                          hint: "check the cable; try a lower --baud", opcode: .changeBaudrate)
    }

    /// A quiet resync: true when the loader answers at the current rate.
    private func answersSync() throws(LoaderError) -> Bool {
        do throws(LoaderError) {
            _ = try resync()
            return true
        } catch {
            if error.isDisconnect { throw error }
            return false
        }
    }

    /// The rate to ask an ESP32 ROM for: it computed its clock from the RTC calibration and the
    /// CK8M eFuse, so the request is scaled by that estimate over the real crystal (esptool
    /// `get_rom_cal_crystal_freq`, `change_baud`).
    func compensatedROMBaud(_ baud: Int) throws(LoaderError) -> UInt32 {
        let calibration = (try readRegister(0x3FF5_F06C) >> 7) & 0x1FF_FFFF   // RTCCALICFG1
        let ck8m = try readRegister(0x3FF5_A000 + 4 * 4) & 0xFF                // eFuse word 4
        let romClock = Double(calibration) * 15625 * Double(ck8m) / 40
        guard romClock > 0 else { return UInt32(baud) }
        let crystal: Double = romClock > 33_000_000 ? 40_000_000 : 26_000_000
        return UInt32((Double(baud) * romClock / crystal).rounded(.down))
    }
}
