import ArgumentParser
import Foundation

import EsprigProfiles
import EsprigProtocol
import EsprigWorkflows

/// `--profiles-dir`, else ESPRIG_PROFILES_DIR, else ./Profiles, made absolute.
func profilesDirectory(_ option: String?) -> String {
    absolutePath(option ?? ProcessInfo.processInfo.environment["ESPRIG_PROFILES_DIR"] ?? "Profiles")
}

func absolutePath(_ path: String) -> String {
    path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
}

/// A profile from --profiles-dir, ESPRIG_PROFILES_DIR or ./Profiles; a bad one is exit 1 naming file:line.
func resolveProfile(_ name: String, profilesDir: String?) throws -> ResolvedProfile {
    do {
        return try ProfileLibrary(directory: profilesDirectory(profilesDir)).resolve(name, environment: ProcessInfo.processInfo.environment)
    } catch {
        let message = error.location.map { "\($0): \(error.message)" } ?? error.message
        throw CLIFailure(code: error.code.rawValue, message: message, hint: error.hint, status: ExitStatus.usage)
    }
}

/// `resolveProfile`, failing the way the command's output mode asks.
func loadProfile(_ name: String, profilesDir: String?, json: Bool) throws -> ResolvedProfile {
    do {
        return try resolveProfile(name, profilesDir: profilesDir)
    } catch let failure as CLIFailure {
        throw failure.exit(json: json)
    }
}

/// Runs profile workflow steps, turning a failure into its exit: the message starts with the
/// step that failed (`plan: ...`).
func runReportingStep<T>(json: Bool, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        throw CLIFailure(error).exit(json: json)
    }
}

