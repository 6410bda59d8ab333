import ArgumentParser
import Foundation

/// `--profiles-dir`, else ESPRIG_PROFILES_DIR, else ./Profiles, made absolute.
func profilesDirectory(_ option: String?) -> String {
    let directory = option ?? ProcessInfo.processInfo.environment["ESPRIG_PROFILES_DIR"] ?? "Profiles"
    return directory.hasPrefix("/") ? directory : FileManager.default.currentDirectoryPath + "/" + directory
}

/// Runs profile workflow steps, turning a failure into its exit: the message starts with the
/// step that failed (`plan: ...`).
func runReportingStep<T>(json: Bool, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let failure as FlashStepFailure {
        var cli = failure.failure
        cli.message = "\(failure.step): \(cli.message)"
        throw cli.exit(json: json)
    } catch let error as ExitCode {
        throw error
    } catch {
        throw CLIFailure(error).exit(json: json)
    }
}

/// A path as a person typed it: relative to the working directory when it lies below it.
func displayPath(_ path: String) -> String {
    let cwd = FileManager.default.currentDirectoryPath + "/"
    return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
}
