/// The application side: after a normal boot the board plays its `BootScript` in time.
/// Steps are handed out only when due (hosts call `advance(to:)`), so a host that changes its
/// baud after the ROM banner hears the app at the new rate, as a real UART would.
struct AppRun {
    var index: Int
    var dueAt: Duration
}

extension SimulatedBoard {
    /// Keeps only this much of what the host typed into the app (and of what executed code sent).
    static let appReceivedLimit = 64 * 1024

    /// Output that has become due by `now` without any host input: script steps and a boot
    /// whose mode was left undecided.
    public func advance(to now: Duration) -> [BoardOutput] {
        self.now = max(self.now, now)
        var out: [BoardOutput] = []
        resolveUndecidedBoot(into: &out)
        fireWatchdogIfDue(into: &out)
        runApp(into: &out)
        runFirmware(into: &out)
        return out
    }

    /// When `advance(to:)` next has something to do; nil when nothing is scheduled.
    public var nextScheduledEvent: Duration? {
        let undecided = releasedUndecidedAt.map { $0 + Self.bootDecisionWindow + .milliseconds(1) }
        return [undecided, appRun?.dueAt, watchdogFiresAt, firmwareWake].compactMap { $0 }.min()
    }

    /// Starts the app after a normal boot whose banner is `bannerBytes` long: its script, or on
    /// an ESP8266 without one the flashed image on the core.
    func startApp(bannerBytes: Int, cause: ResetCause) {
        let bannerTime = options.uartTiming ? Duration.seconds(10) / BootBanner.baud(for: options.chip) * bannerBytes : .zero
        if executesFirmware {
            startFirmware(.flash, cause: cause, delay: bannerTime + BootScript.appStartDelay)
        } else if bootScript != nil {
            appRun = AppRun(index: 0, dueAt: now + bannerTime + BootScript.appStartDelay)
        }
    }

    func runApp(into out: inout [BoardOutput]) {
        guard let script = bootScript else { return }
        // Lines due together go out as one run: a long script is one transmit, not thousands.
        var pending: [UInt8] = []
        func flush() {
            if !pending.isEmpty { out.append(.bytes(pending, notBefore: nil)); pending = [] }
        }
        defer { flush() }
        while state == .app, let run = appRun, run.dueAt <= now {
            guard run.index < script.steps.count else { appRun = nil; return }
            if run.index == 0, baud != BootScript.defaultAppBaud {
                flush()
                out.append(.baudChange(BootScript.defaultAppBaud))
                baud = BootScript.defaultAppBaud
            }
            appRun?.index += 1
            switch script.steps[run.index] {
            case .send(let bytes):
                pending += bytes
            case .delay(let duration):
                appRun?.dueAt = run.dueAt + duration
            case .baud(let rate):
                flush()
                out.append(.baudChange(rate))
                baud = rate
            case .reset(let cause):
                flush()
                reboot(download: false, cause: cause, banner: true, into: &out)
            case .halt:
                appRun = nil
            }
        }
    }

    func recordAppInput(_ bytes: [UInt8]) {
        appReceived += bytes
        if appReceived.count > Self.appReceivedLimit { appReceived.removeFirst(appReceived.count - Self.appReceivedLimit) }
    }
}
