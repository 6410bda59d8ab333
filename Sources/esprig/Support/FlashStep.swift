import Foundation
import EsprigFirmware
import EsprigImage
import EsprigProfiles

/// A failure of one step of a profile workflow (`flash`, `bench`): which step, and the
/// user-facing failure.
struct FlashStepFailure: Error {
    var step: String
    var failure: CLIFailure
}

/// Runs `body` as step `name`: any error becomes a `FlashStepFailure` naming the step.
/// `status` is the exit code for errors that do not carry their own (build and image failures: 2).
func runStep<T>(_ name: String, status: Int32 = ExitStatus.device, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let failure as FlashStepFailure {
        throw failure
    } catch {
        throw FlashStepFailure(step: name, failure: CLIFailure(error, status: status))
    }
}
