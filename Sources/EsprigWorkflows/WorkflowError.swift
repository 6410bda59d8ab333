import EsprigCore
import EsprigLoader

/// A workflow's own refusals and failures: a profile that names no app, a board that printed
/// its fail pattern, a bench with nowhere to write certificates.
public typealias WorkflowError = EsprigError<WorkflowErrorDomain>

/// The domain of `WorkflowError`.
public enum WorkflowErrorDomain: ErrorDomain {}

extension ErrorCode where Domain == WorkflowErrorDomain {
    // Inputs
    public static let usage = Self("usage")
    public static let input = Self("input")
    public static let output = Self("output", kind: .input)
    public static let noPort = Self("no-port")
    public static let invalidAddress = Self("invalid-address")
    public static let noApp = Self("no-app")
    public static let noAppAddress = Self("no-app-address")
    public static let missingArtifact = Self("missing-artifact", kind: nil)
    public static let noFlashSize = Self("no-flash-size")
    public static let noCASector = Self("no-ca-sector")
    public static let noClientSector = Self("no-client-sector")
    public static let incompleteClientCertificate = Self("incomplete-client-certificate")
    public static let sectorMismatch = Self("sector-mismatch")
    public static let configSectorOverwritten = Self("config-sector-overwritten")
    public static let noCA = Self("no-ca")
    /// `[certs] create`: a CA certificate without its key, or the other way round.
    public static let incompleteCA = Self("incomplete-ca")
    public static let noHost = Self("no-host")
    /// A kept device certificate is for another client id.
    public static let identityMismatch = Self("identity-mismatch")
    /// The board reports other certificate sectors than were written.
    public static let certificatesNotRead = Self("certificates-not-read", kind: .device)
    public static let invalidSerialTemplate = Self("invalid-serial-template")
    public static let noPorts = Self("no-ports")
    public static let invalidPorts = Self("invalid-ports")
    public static let duplicatePort = Self("duplicate-port")
    public static let noStub = Self("no-stub")
    public static let invalidStation = Self("invalid-station")
    // The board
    public static let doctor = Self("doctor", kind: .device)
    public static let unverified = Self("unverified", kind: .device)
    public static let monitorFailed = Self("monitor-failed", kind: .device)
    public static let monitorTimeout = Self("monitor-timeout", kind: .device)
    public static let monitorDisconnected = Self("monitor-disconnected", kind: .device)
    /// The board's USB device left the bus and did not come back.
    public static let portGone = Self("port-gone", kind: .device)
    public static let ledger = Self("ledger", kind: .device)
}

/// A failure of one named step of a workflow (`plan`, `write`, `monitor`): the step, the error,
/// and the kind the step gives errors that leave it open (a build failure in `build` is the
/// device's, a bad value in `config` the input's).
public struct StepFailure: EsprigFailure {
    public var step: String
    public var error: any EsprigFailure
    public var stepKind: FailureKind

    /// `stepKind` is the kind when `error` leaves it open.
    public init(step: String, error: any EsprigFailure, stepKind: FailureKind) {
        self.step = step
        self.error = error
        self.stepKind = stepKind
    }

    public var codeName: String { error.codeName }
    public var message: String { error.message }
    /// `plan: the profile names no app`.
    public var displayMessage: String { "\(step): \(error.displayMessage)" }
    public var hint: String? { error.hint }
    public var kind: FailureKind? { error.kind ?? stepKind }
    public var cause: (any Error & Sendable)? { error }
    /// Without the step: the ledger records a failed step as `step: message` itself.
    public var description: String { error.displayMessage }
}

/// An error that is none of esprig's (a Foundation or system error), given a code.
struct ForeignFailure: EsprigFailure {
    var underlying: any Error & Sendable
    var codeName: String { "error" }
    var message: String { "\(underlying)" }
    var displayMessage: String { message }
    var hint: String? { nil }
    var kind: FailureKind? { nil }
    var cause: (any Error & Sendable)? { underlying }
    var description: String { message }
}

/// Runs `body` as step `name`: any error becomes a `StepFailure` naming the step; errors whose
/// kind is open get `kind`.
func runStep<T>(_ name: String, kind: FailureKind = .device, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let failure as StepFailure {
        throw failure
    } catch let error as any EsprigFailure {
        throw StepFailure(step: name, error: error, stepKind: kind)
    } catch {
        throw StepFailure(step: name, error: ForeignFailure(underlying: error), stepKind: kind)
    }
}
