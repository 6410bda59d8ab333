/// What a bench run reports, from the setup and from every board's thread. The command line
/// turns these into a live table, plain lines or JSON; a test collects them.
public enum BenchEvent: Sendable {
    /// Setup, before any board: the profile, build, plan and doctor steps of `flash --profile`.
    case setup(WorkflowEvent)
    /// A board's run began (again, for a board plugged in after a failure).
    case boardStarted(port: String)
    /// A board's step began: `connect`, `identity`, `write`, `verify`, `monitor`, `close`.
    case boardStep(port: String, step: String)
    /// The board's client id, once its MAC is known (nil when the firmware has none).
    case boardIdentified(port: String, mac: String, clientID: String?)
    /// Something the board's flash workflow reported (connect, progress, write, monitor…).
    case board(port: String, WorkflowEvent)
    /// Watch mode: the port went away.
    case boardUnplugged(port: String)
    case boardFinished(BenchBoardResult)
    /// Watch mode began: boards are provisioned as they appear.
    case watching
}

/// Receives a bench's events, from several threads at once.
public typealias BenchObserver = @Sendable (BenchEvent) -> Void
