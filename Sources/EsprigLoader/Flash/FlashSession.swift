import Foundation
import EsprigProtocol
import EsprigCodecs
import EsprigTransport

/// What a session should set up after connecting.
public struct SessionOptions: Sendable {
    public var connect = ConnectOptions()
    /// The rate to switch to once the stub runs (`--baud`).
    public var baud = 115_200
    /// The ROM's own rate; the port opens at min(romBaud, baud).
    public var romBaud = 115_200
    public var useStub = true

    public init() {}
}

/// One board, connected, with the flasher stub running where possible: the operations of
/// esptool's basic commands. Owns its connection; create one per board.
public final class FlashSession {
    public private(set) var connection: Connection
    public private(set) var info: ChipInfo
    public let options: SessionOptions
    let stubSource: (any StubSource)?
    let events: FlashEventHandler
    /// Set when the stub could not be had: operations say so instead of failing silently.
    public private(set) var stubUnavailableReason: String?
    public private(set) var detectedFlashSize: Int?
    public private(set) var jedecID: UInt32?
    /// The size used for range checks and SPI_SET_PARAMS.
    public var flashSize: Int?

    public var spec: ChipSpec { info.chip.spec }
    /// GET_SECURITY_INFO as read at connect (ESP32-S2 and later).
    public private(set) var security: SecurityInfo?

    /// Refuses to change the flash of a chip with flash encryption or secure boot enabled unless
    /// forced: plaintext written there may leave it unbootable (esptool's safety check).
    public func checkWritable(force: Bool) throws(LoaderError) {
        guard !force, let security else { return }
        var settings: [String] = []
        if security.flashEncryptionEnabled { settings.append("flash encryption (SPI_BOOT_CRYPT_CNT=0x\(String(security.flashCryptCount, radix: 16)))") }
        if security.secureBootEnabled { settings.append("secure boot") }
        guard !settings.isEmpty else { return }
        throw LoaderError(.securedChip, "the \(spec.displayName) has \(settings.joined(separator: " and ")) enabled; nothing was written",
                          hint: "plaintext may leave it unbootable; pass --force to write anyway, with care")
    }

    /// Connects, starts the stub, raises the baud rate and attaches the flash.
    /// `reopen` follows the board's port when its USB device re-enumerates during the reset.
    public init(port: any SerialPort, options: SessionOptions, stubSource: (any StubSource)?,
                events: @escaping FlashEventHandler, reopen: PortReopener? = nil) throws(LoaderError) {
        self.options = options
        self.stubSource = stubSource
        self.events = events
        let initial = options.connect.before == .noResetNoSync ? options.baud : min(options.romBaud, options.baud)
        do { try port.setBaud(initial) } catch { throw LoaderError(error) }
        let board = try Connector.connect(port: port, baud: initial, options: options.connect, events: events, reopen: reopen)
        connection = board.connection
        info = board.info
        // Asked of the ROM, before the stub, as esptool does; nil where the ROM has no such command.
        if board.spec.securityInfoLength != nil { security = try? connection.securityInfo() }
        try prepare()
    }

    /// Stub, baud, flash attach: everything between "synced" and "ready to flash".
    private func prepare() throws(LoaderError) {
        // A ROM that can change its rate (ESP32) switches before the stub upload, so the stub
        // travels at the fast rate too; the stub then starts at the rate the ROM was using.
        let romCanChangeBaud = try connection.supports(.changeBaudrate)
        if options.useStub && !connection.isStub && options.baud != connection.baud && romCanChangeBaud {
            try connection.changeBaud(to: options.baud)
            events(.baudChanged(options.baud))
        }
        if options.useStub && !connection.isStub {
            if let stub = try stubSource?.stub(for: info.chip, revision: info.revision) {
                try connection.runStub(stub)
                events(.stubStarted(alreadyRunning: false))
            } else {
                stubUnavailableReason = "no esptool flasher stub found for \(spec.displayName) (install esptool with pip, or set ESPRIG_STUB_DIR)"
                events(.warning("\(stubUnavailableReason!); using the ROM loader, which is slower" + (spec.romFeatures.contains(.md5) ? "" : " and cannot compress or verify")))
            }
        } else if !options.useStub {
            stubUnavailableReason = "--no-stub given"
        }
        if options.baud != connection.baud {
            if try connection.supports(.changeBaudrate) {
                try connection.changeBaud(to: options.baud)
                events(.baudChanged(options.baud))
            } else {
                events(.warning("the \(spec.displayName) ROM cannot change the baud rate; staying at \(connection.baud)"))
            }
        }
        try connection.attachFlash()
        let id = try connection.flashID()
        jedecID = id
        detectedFlashSize = FlashGeometry.detectedSize(jedecID: id)
        events(.flashDetected(jedecID: id, size: detectedFlashSize))
        if flashSize == nil { flashSize = detectedFlashSize }
        if let size = flashSize { try connection.setFlashSize(size) }
    }

    /// Gets the board answering again after a failed exchange: the stub may still run (maybe at
    /// the raised rate), or the board may have reset to its ROM at its ROM rate.
    public func recover() throws(LoaderError) {
        events(.reconnecting(reason: "resynchronising with the board"))
        let port = connection.port
        var candidates = [connection.baud]
        if options.romBaud != connection.baud { candidates.append(options.romBaud) }
        for baud in candidates {
            do throws(LoaderError) {
                try connection.setBaud(baud)
                var quick = options.connect
                quick.before = .noReset
                quick.attempts = 2
                let stubAnswered = try Connector.synchronise(connection, options: quick, events: { _ in })
                connection.mode = stubAnswered ? .stub : .rom
                if stubAnswered && baud == options.baud { return }
                try prepare()
                return
            } catch {
                if error.isDisconnect { throw error }
            }
        }
        // Last resort: a full reconnect with the user's reset strategy; its error says why it failed.
        let romBaud = min(options.romBaud, options.baud)
        do { try port.setBaud(romBaud) } catch { throw LoaderError(error) }
        let board = try Connector.connect(port: port, baud: romBaud, options: options.connect, events: events)
        connection = board.connection
        try prepare()
    }

    // MARK: - Operations

    /// Writes several regions (sorted, checked before any byte is sent) and verifies each.
    public func writeFlash(_ writes: [FlashWrite], options flashOptions: FlashOptions) throws(LoaderError) -> [FlashRegion: RegionResult] {
        try checkWritable(force: flashOptions.force)
        var writes = writes
        if case .fixed(let name) = flashOptions.parameters.size {
            flashSize = FlashGeometry.sizesByName[name]
            if let size = flashSize { try connection.setFlashSize(size) }
        }
        // Patch the flash parameters of an image at the bootloader offset (esptool behaviour).
        for i in writes.indices where writes[i].region.address == Int(spec.bootloaderOffset) {
            if let patched = try WritePlanning.patchedHeader(writes[i].data, parameters: flashOptions.parameters, spec: spec, detectedSize: detectedFlashSize) {
                writes[i].data = patched
                events(.note(String(format: "flash parameters set to 0x%02x%02x", patched[2], patched[3])))
            }
        }
        let planned = try WritePlanning.plan(writes, flashSize: flashSize)
        if flashOptions.eraseAll { try connection.eraseFlash() }
        let guardSpans = flashOptions.checkOutsideRegions ? outsideSpans(planned) : []
        let digestsBefore = try guardSpans.map { span throws(LoaderError) in try agreedMD5(span) }
        var results: [FlashRegion: RegionResult] = [:]
        let writer = RegionWriter(session: self, options: flashOptions, events: events)
        for write in planned { results[write.region] = try writer.write(write) }
        var changed: [Range<Int>] = []
        for (span, before) in zip(guardSpans, digestsBefore) where try agreedMD5(span) != before { changed.append(span) }
        if !changed.isEmpty {
            let list = changed.map { String(format: "0x%08x..0x%08x", $0.lowerBound, $0.upperBound) }.joined(separator: ", ")
            throw LoaderError(.writeFailed, "flash outside the written regions changed (\(list)): a garbled command header sent an erase or data there",
                              hint: "check the cable, lower --baud, and rewrite what lives in those ranges")
        }
        return results
    }

    /// The flash between and around the planned regions, in whole sectors.
    private func outsideSpans(_ writes: [FlashWrite]) -> [Range<Int>] {
        guard let flashSize, (try? connection.supports(.md5)) == true else { return [] }
        var spans: [Range<Int>] = []
        var start = 0
        for write in writes {
            let begin = FlashGeometry.alignDown(write.region.address)
            if begin > start { spans.append(start..<begin) }
            start = max(start, FlashGeometry.alignUp(write.region.end))
        }
        if start < flashSize { spans.append(start..<flashSize) }
        return spans
    }

    /// An MD5 the chip gave twice in a row, so one garbled answer cannot raise or hide an alarm.
    private func agreedMD5(_ span: Range<Int>) throws(LoaderError) -> [UInt8]? {
        var previous: [UInt8]?
        for _ in 0..<6 {
            let digest = try connection.flashMD5(address: span.lowerBound, size: span.count)
            if let previous, digest == previous { return digest }
            previous = digest
        }
        throw LoaderError(.verifyFailed, String(format: "the chip's MD5 of 0x%08x..0x%08x kept changing", span.lowerBound, span.upperBound),
                          hint: "check the cable and lower --baud")
    }

    /// Compares flash with local data by MD5 (esptool `verify-flash`).
    public func verify(_ write: FlashWrite) throws(LoaderError) -> Bool {
        guard let digest = try connection.flashMD5(address: write.region.address, size: write.region.size) else {
            throw LoaderError(.notInROM, "the \(spec.displayName) ROM loader cannot compute MD5, so flash cannot be verified",
                              hint: "drop --no-stub (the flasher stub computes MD5)")
        }
        return digest == MD5.digest(write.data)
    }

    /// Reads flash: the stub's streaming READ_FLASH, or 64-byte READ_FLASH_SLOW on ESP32 ROMs,
    /// re-reading what the line garbled; returns only bytes the chip's MD5 confirms.
    public func readFlash(address: Int, size: Int) throws(LoaderError) -> [UInt8] {
        if let flashSize, address + size > flashSize {
            throw LoaderError(.invalidRequest, String(format: "reading 0x%x bytes at 0x%08x goes past the end of the %d-byte flash", size, address, flashSize),
                              hint: "check the address and size")
        }
        guard connection.isStub || spec.romFeatures.contains(.readFlashSlow) else {
            throw LoaderError(.notInROM, "the \(spec.displayName) ROM loader cannot read flash", hint: "drop --no-stub")
        }
        return try FlashReader(session: self, events: events).read(address: address, size: size)
    }

    public func eraseFlash(force: Bool = false) throws(LoaderError) {
        try checkWritable(force: force)
        try connection.eraseFlash()
    }
    public func eraseRegion(address: Int, size: Int, force: Bool = false) throws(LoaderError) {
        try checkWritable(force: force)
        try connection.eraseRegion(address: address, size: size)
    }

    /// esptool `load-ram`: downloads the segments to RAM and jumps to `entry`; the board then
    /// runs that code, so nothing may follow on this session. With the stub running, a segment
    /// over the stub's own RAM is refused before anything is sent (esptool checks each segment
    /// as it goes; checking all first leaves the chip untouched).
    public func loadRAM(_ segments: [RAMSegment], entry: UInt32, willSend: (RAMSegment) -> Void = { _ in }) throws(LoaderError) {
        if connection.isStub, let stub = try stubSource?.stub(for: info.chip, revision: info.revision) {
            for segment in segments {
                guard let resident = stub.residentRanges.first(where: { $0.overlaps(segment.range) }) else { continue }
                throw LoaderError(.invalidRequest, String(format: "the flasher stub is resident at 0x%08llx-0x%08llx; cannot load the segment at 0x%08llx-0x%08llx over it",
                                                          resident.lowerBound, resident.upperBound, segment.range.lowerBound, segment.range.upperBound),
                                  hint: "change the image's load addresses, or pass --no-stub")
            }
        }
        try connection.loadRAM(segments, entry: entry, willSend: willSend)
    }

    /// The `--after` action.
    public func finish(_ after: AfterAction) throws(LoaderError) {
        switch after {
        case .watchdogReset:
            try watchdogReset()
        case .hardReset:
            // Over the chip's own USB-OTG, RTS resets only the USB stack, not the chip (esptool
            // `hard_reset` of the S2/S3/P4): the watchdog does it.
            if options.connect.usb == .otg, spec.watchdog != nil {
                try watchdogReset()
            } else if connection.port.capabilities.modemLines {
                events(.note("Hard resetting via RTS pin..."))
                do { try Connector.run(.hardReset, on: connection.port) } catch {
                    if error.code == .unsupported {
                        events(.warning("could not hard-reset: \(connection.port.name) has no RTS line; reset the board by hand"))
                    } else { throw LoaderError(error) }
                }
            } else {
                events(.warning("could not hard-reset: \(connection.port.name) has no RTS line; reset the board by hand"))
            }
        case .softReset:
            if connection.isStub && !spec.stubRunsUserCode {
                throw LoaderError(.invalidRequest, "soft reset is only supported on ESP8266 with the stub", hint: "use --after hard-reset")
            }
            try connection.leaveLoader(runUserCode: true)
        case .noReset:
            if connection.isStub { try connection.leaveLoader(runUserCode: false) }
        case .noResetStub:
            break
        }
    }

    /// Arms the chip's RTC watchdog with esptool's values (unlock, timeout, enable, lock); the
    /// system resets a moment later, re-enumerating a USB port. Chips without one get the RTS reset.
    private func watchdogReset() throws(LoaderError) {
        guard let watchdog = spec.watchdog else {
            events(.note("Watchdog hard reset is not supported on \(spec.displayName), attempting classic hard reset instead."))
            try finish(.hardReset)
            return
        }
        events(.note("Hard resetting with a watchdog..."))
        try connection.writeRegister(watchdog.writeProtect, WatchdogRegisters.unlockKey)
        try connection.writeRegister(watchdog.config1, WatchdogRegisters.timeout)
        try connection.writeRegister(watchdog.config0, WatchdogRegisters.enable)
        try connection.writeRegister(watchdog.writeProtect, 0)
    }
}

public enum RegionResult: Sendable, Equatable {
    case verified, skipped, unverified(String)
}
