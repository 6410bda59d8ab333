import EsprigCore

/// A program that could not be run to its end: missing, refused to start, or killed at its
/// timeout. A program that ran and failed is a `ProcessResult`, not an error.
public typealias ProcessError = EsprigError<ProcessErrorDomain>

/// The domain of `ProcessError`: the kind is the step's (a missing compiler in `build` is the
/// machine's, a missing addr2line in `monitor` only leaves addresses unresolved).
public enum ProcessErrorDomain: ErrorDomain {
    public static var defaultKind: FailureKind? { nil }
}

extension ErrorCode where Domain == ProcessErrorDomain {
    public static let toolNotFound = Self("tool-not-found")
    public static let processTimedOut = Self("process-timed-out")
    public static let processFailedToStart = Self("process-failed-to-start")
}
