import EsprigProtocol
import Foundation

/// How a session reads the board.
public struct MonitorSettings: Sendable {
    public var chip: Chip
    /// The app's UART rate.
    public var appBaud: Int
    /// The ROM's rate right after a reset (74880 on an ESP8266); nil reads everything at `appBaud`.
    public var bootBaud: Int?
    /// Where addresses in crash dumps are looked up; nil shows them unresolved.
    public var resolver: (any AddressResolver)?
    /// Why there is no resolver (no ELF given), shown once under the first crash.
    public var resolverMissingNote: String?
    /// Reopen the port after it disappears (`reopen` given to the session).
    public var reconnect: Bool
    public var reconnectDelay: Duration
    /// After a reset, the banner is over when the line is quiet this long…
    public var bannerQuietTime: Duration
    /// …or at the latest this long after the reset.
    public var bannerLimit: Duration
    /// After an ESP8266 crash dump the chip reboots: listen for the banner at `bootBaud`.
    public var expectBootAfterCrash: Bool
    /// Lines kept for `MonitorOutcome.lines`.
    public var keptLines: Int

    public init(chip: Chip = .esp8266, appBaud: Int = 115_200) {
        self.chip = chip
        self.appBaud = appBaud
        self.bootBaud = chip.spec.bootBannerBaud
        self.resolver = nil
        self.resolverMissingNote = nil
        self.reconnect = true
        self.reconnectDelay = .milliseconds(500)
        self.bannerQuietTime = .milliseconds(300)
        self.bannerLimit = .seconds(2)
        self.expectBootAfterCrash = chip.spec.rebootsAfterCrashDump
        self.keptLines = 10_000
    }
}

/// A line pattern (`--until`, `--fail-on`): an ICU regular expression searched in each line.
public struct LinePattern: Sendable {
    public let source: String
    private let regex: NSRegularExpression

    public init(_ source: String) throws {
        do {
            regex = try NSRegularExpression(pattern: source)
        } catch {
            throw MonitorError(.badPattern, "'\(source)' is not a valid regular expression", hint: "escape special characters such as ( [ . with a backslash")
        }
        self.source = source
    }

    public func matches(_ line: String) -> Bool {
        regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil
    }
}

/// How `MonitorSession.run` ended.
public struct MonitorOutcome: Sendable {
    public enum Reason: String, Sendable, Equatable {
        /// A line matched `until` (exit 0).
        case matched
        /// A line matched `failOn` (exit 3).
        case failed
        /// `timeout` passed first (exit 4).
        case timedOut = "timed-out"
        /// The port went away and could not be (or was not to be) reopened (exit 2).
        case disconnected
        /// `stop()` was called (the user quit; exit 0).
        case stopped
    }

    public var reason: Reason
    /// The line that matched `until` or `failOn`.
    public var matchedLine: String?
    /// The last `MonitorSettings.keptLines` lines seen.
    public var lines: [String]

    public var exitCode: Int32 {
        switch reason {
        case .matched, .stopped: return 0
        case .failed: return 3
        case .timedOut: return 4
        case .disconnected: return 2
        }
    }
}
