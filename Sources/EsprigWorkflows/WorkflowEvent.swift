import EsprigCerts
import EsprigLoader
import EsprigMonitor
import EsprigProfiles
import EsprigProtocol

/// What a workflow reports while it runs, in order. The command line renders these as lines,
/// bars, tables or JSON; a test or another program collects them. Nothing in a workflow prints.
public enum WorkflowEvent: Sendable {
    // Preparing: nothing here touches a board.
    case profileResolved(name: String, source: String, chip: Chip)
    case warning(String)
    case configNone
    case configUnchanged(header: String, count: Int)
    case configChanged(header: String, names: [String], dryRun: Bool)
    case buildNone
    case buildSkipped
    /// One line of the build's output, as it arrives; `failed` lines are the tail of a failed build.
    case buildOutput(String, failed: Bool)
    case built(directory: String, toolchain: String)
    case buildUpToDate(directory: String)
    case imageReady([FlashRegion])
    case planned(ProfilePlan)
    case doctor([Finding])
    case dryRunFinished
    // On the board.
    case loader(FlashEvent)
    case boardConnected(chip: Chip, port: String, mac: String, stub: Bool)
    /// `[certs] create`: material that was missing and has been made (paths; keys are 0600).
    case certificatesMade([String])
    /// This board's own certificate (`create`): made now, or the one it was given before.
    case deviceIdentity(commonName: String, certificate: String, reused: Bool)
    /// The board's own report of its certificate sectors matches what was written there.
    case certificatesRead(addresses: [Int])
    /// `--erase-all`: the whole chip was erased before writing (`bytes`: the flash size, when known).
    case erasedChip(bytes: Int?)
    case written(written: Int, skipped: Int)
    case verified(verified: Int, unchanged: Int)
    /// Some regions could not be checked: which, and why.
    case unverified(String)
    case reset(AfterAction)
    case monitorStarted(timeout: Double, pattern: String, baud: Int)
    /// The board's serial output, as the monitor sees it.
    case monitor(MonitorEvent)
    case monitorMatched(line: String, seconds: Double)
    case monitorSkipped(why: String)
}

/// Receives a workflow's events, possibly from several board threads at once (bench).
public typealias WorkflowObserver = @Sendable (WorkflowEvent) -> Void
