import EsprigProtocol

/// The chip's own USB port (usb=jtag|otg) and the RTC watchdog that resets the whole system.
extension SimulatedBoard {
    /// How long a re-enumerating device is off the bus before the host sees it again.
    static let usbReenumerationTime = Duration.milliseconds(300)
    /// 2000 slow-clock cycles at ~150 kHz: when an armed RTC watchdog fires.
    static let watchdogDelay = Duration.milliseconds(15)

    /// USB-Serial/JTAG reset logic (ESP32-C3 TRM, USB Serial/JTAG controller): RTS=1, DTR=0
    /// holds the chip in reset; DTR=1, RTS=0 latches a download-boot request that the next
    /// reset consumes. esptool's `usb_reset` passes through both; the classic two-transistor
    /// sequence does not latch the request and boots the app.
    func usbSerialJTAGLines(dtr: Bool, rts: Bool, into out: inout [BoardOutput]) {
        if dtr && !rts { usbDownloadLatched = true }
        if rts && !dtr {
            if state != .heldInReset { enterReset() }
        } else if state == .heldInReset {
            let download = usbDownloadLatched
            usbDownloadLatched = false
            reboot(download: download, cause: .externalPin, banner: download ? options.bootNoise : true, into: &out)
        }
    }

    /// esptool's watchdog reset writes the unlock key, the timeout, then CONFIG0 with the enable
    /// bit: from then the system resets after the timeout, whatever the host does.
    func armWatchdogIfEnabled(_ address: UInt32) {
        guard let watchdog = spec.watchdog, address == watchdog.config0 else { return }
        let unlocked = registers.read(watchdog.writeProtect, baud: baud) == WatchdogRegisters.unlockKey
        let enabled = registers.read(watchdog.config0, baud: baud) & (1 << 31) != 0
        watchdogFiresAt = unlocked && enabled ? now + Self.watchdogDelay : nil
    }

    func fireWatchdogIfDue(into out: inout [BoardOutput]) {
        guard let due = watchdogFiresAt, now >= due else { return }
        reboot(download: false, cause: .watchdog, banner: true, into: &out)
    }

    /// USB-OTG download is the ROM's own USB stack: every reboot takes the device off the bus.
    /// USB-Serial/JTAG survives a core reset from its DTR/RTS logic, not a watchdog system reset.
    func reenumerateUSBIfReset(cause: ResetCause) {
        guard let usb = options.usb, usb == .otg || cause == .watchdog else { return }
        usbEnumeration += 1
        usbReturnsAt = now + Self.usbReenumerationTime
    }

    /// The device is on the bus (a host may open it) at `time`.
    public func usbPresent(at time: Duration) -> Bool { time >= usbReturnsAt }
}
