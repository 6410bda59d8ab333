/// Decides when the ESP8266 ROM's boot output (at 74880 baud) is over, so the monitor can
/// switch to the app's rate: after the image's `csum` line, a halt (`csum err`, `ets_main.c`),
/// a download-mode banner (the ROM then waits silently), or when the line goes quiet.
struct BootBannerTracker {
    let quietTime: Duration
    let limit: Duration
    private let startedAt: Duration
    private var lastByteAt: Duration?
    private(set) var isOver = false

    init(startedAt: Duration, quietTime: Duration, limit: Duration) {
        self.startedAt = startedAt
        self.quietTime = quietTime
        self.limit = limit
    }

    mutating func received(at now: Duration) { lastByteAt = now }

    mutating func line(_ text: String) {
        let trimmed = text.trimmingPrefixSpaces
        if trimmed.hasPrefix("csum ") || trimmed.hasPrefix("ets_main.c") || trimmed.hasPrefix("waiting for host") {
            isOver = true
        } else if let report = ResetReport(line: text), report.isDownloadMode {
            isOver = true
        }
    }

    /// Over by silence or by the overall limit.
    mutating func tick(at now: Duration) {
        if now - startedAt >= limit { isOver = true }
        if let last = lastByteAt, now - last >= quietTime { isOver = true }
    }
}

extension String {
    var trimmingPrefixSpaces: Substring { drop { $0 == " " } }
}
