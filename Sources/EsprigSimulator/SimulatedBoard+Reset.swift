/// The classic auto-reset circuit (protocol.md §5): RTS drives EN, DTR drives GPIO0 through two
/// cross-coupled transistors, so only RTS∧¬DTR holds the chip in reset and only DTR∧¬RTS pulls
/// GPIO0 low. GPIO0 low when EN rises selects the ROM download loader; high runs the app.
extension SimulatedBoard {
    /// How long a release through DTR=RTS=asserted stays undecided: the classic sequence sets
    /// DTR then clears RTS, and EN's RC delay makes GPIO0's state a moment later count.
    static let bootDecisionWindow = Duration.milliseconds(20)

    /// DTR/RTS change from the host (true = asserted, as pyserial sets them).
    public func setLines(dtr: Bool, rts: Bool, now: Duration) -> [BoardOutput] {
        self.now = now
        var out: [BoardOutput] = []
        guard !isUnplugged else { return out }
        resolveUndecidedBoot(into: &out)
        if options.usb == .jtag {
            usbSerialJTAGLines(dtr: dtr, rts: rts, into: &out)
            return out
        }
        let enableLow = rts && !dtr
        let gpio0Low = dtr && !rts
        if enableLow {
            if state != .heldInReset { enterReset() }
            releasedUndecidedAt = nil
        } else if state == .heldInReset && releasedUndecidedAt == nil {
            if gpio0Low {
                reboot(download: true, cause: .externalPin, banner: options.bootNoise, into: &out)
            } else if dtr && rts {
                releasedUndecidedAt = now
            } else {
                reboot(download: false, cause: .externalPin, banner: true, into: &out)
            }
        } else if releasedUndecidedAt != nil, gpio0Low {
            releasedUndecidedAt = nil
            reboot(download: true, cause: .externalPin, banner: options.bootNoise, into: &out)
        }
        return out
    }

    /// Boots the app if a release through DTR=RTS=asserted was not followed by GPIO0 low in time.
    func resolveUndecidedBoot(into out: inout [BoardOutput]) {
        guard let released = releasedUndecidedAt, now - released > Self.bootDecisionWindow else { return }
        releasedUndecidedAt = nil
        reboot(download: false, cause: .externalPin, banner: true, into: &out)
    }

    func enterReset() {
        state = .heldInReset
        clearSessions()
    }

    private func clearSessions() {
        memDownload = nil
        ramDownloaded = []
        flashWrite = nil
        readStream = nil
        decoder.reset()
        busyUntil = min(busyUntil, now)
        appRun = nil
        firmware = nil
    }

    /// Restarts the chip: the stub and all sessions are gone and the UART is back at the ROM's
    /// rate; `banner` sends the ROM's boot text (at 74880 baud on an ESP8266) first. A normal
    /// boot of an ESP8266 also logs the loading of the image in flash, and the app's boot
    /// script (or the image itself, on an ESP8266 without one) starts if that image is good.
    func reboot(download: Bool, cause: ResetCause, banner: Bool, into out: inout [BoardOutput]) {
        clearSessions()
        watchdogFiresAt = nil
        reenumerateUSBIfReset(cause: cause)
        resetCount += 1
        state = download ? .rom : .app
        var bannerOut: [BoardOutput] = []
        var boots = true
        if banner { bannerOut = bannerOutputs(download: download, cause: cause) }
        if !download && options.chip == .esp8266 {
            let log = ROMFlashBootLog.log(flash: nor.bytes)
            if banner { bannerOut.append(.bytes(Array(log.text.utf8), notBefore: nil)) }
            boots = log.boots
        }
        out += bannerOut
        returnToROMBaud(into: &out)
        if !download && boots { startApp(bannerBytes: bannerOut.transmittedBytes.count, cause: cause) }
    }

    func returnToROMBaud(into out: inout [BoardOutput]) {
        guard baud != Self.romBaud else { return }
        out.append(.baudChange(Self.romBaud))
        baud = Self.romBaud
    }

    /// The ROM's boot text at the ROM's banner rate; the UART is left at that rate.
    func bannerOutputs(download: Bool, cause: ResetCause) -> [BoardOutput] {
        var out: [BoardOutput] = []
        let bannerBaud = BootBanner.baud(for: options.chip)
        if bannerBaud != baud {
            out.append(.baudChange(bannerBaud))
            baud = bannerBaud
        }
        out.append(.bytes(BootBanner.text(chip: options.chip, download: download, cause: cause), notBefore: nil))
        return out
    }
}
