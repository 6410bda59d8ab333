import EsprigCore

/// A monitor setup or I/O failure: a bad pattern, a log file that cannot be opened, a tool
/// missing for crash decoding, a port that cannot be reopened.
public typealias MonitorError = EsprigError<MonitorErrorDomain>

/// The domain of `MonitorError`.
public enum MonitorErrorDomain: ErrorDomain {}

extension ErrorCode where Domain == MonitorErrorDomain {
    /// `--until`, `--fail-on` or a profile's pattern is not a regular expression.
    public static let badPattern = Self("monitor-bad-pattern")
    /// The log file cannot be opened for appending.
    public static let logUnwritable = Self("monitor-log-unwritable")
    /// addr2line is missing or failed, so crash addresses stay unresolved.
    public static let resolverFailed = Self("monitor-resolver-failed", kind: .device)
    /// The port went away and there is no way to open it again.
    public static let cannotReopen = Self("monitor-cannot-reopen", kind: .device)
}
