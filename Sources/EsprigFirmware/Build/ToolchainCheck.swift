import EsprigSystem

/// Finds the xtensa-lx106 cross compiler (Debian's `gcc-xtensa-lx106`) and reads its version,
/// which is part of every build stamp: a new compiler means a rebuild.
public struct ToolchainCheck: Sendable {
    /// The cross prefix, as the SDK's and the demo's Makefiles spell it (`CROSS ?= …`).
    public var prefix: String
    public var timeout: Duration

    public static let installHint = "install it with: sudo apt-get install gcc-xtensa-lx106 binutils-xtensa-lx106"

    public init(prefix: String = "xtensa-lx106-elf-", timeout: Duration = .seconds(20)) {
        self.prefix = prefix
        self.timeout = timeout
    }

    public var compiler: String { prefix + "gcc" }

    /// The first line of `<prefix>gcc --version`, looked up on the PATH in `environment` (added
    /// to the runner's own). Throws `.toolchainMissing` with the install command when the
    /// compiler is not there or does not answer.
    public func version(using runner: any ProcessRunner, environment: [String: String] = [:]) throws -> String {
        let request = ProcessRequest(executable: compiler, arguments: ["--version"], environment: environment, timeout: timeout, tailLines: 5)
        let result: ProcessResult
        do {
            result = try runner.run(request) { _ in }
        } catch let error as ProcessError where error.code == .toolNotFound {
            throw FirmwareConfigError(.toolchainMissing, "\(compiler) was not found: \(error.message)", hint: ToolchainCheck.installHint)
        }
        guard result.succeeded, let first = result.tail.first(where: { !$0.isEmpty }) else {
            throw FirmwareConfigError(.toolchainMissing, "\(compiler) --version failed with status \(result.status): \(result.tail.joined(separator: " | "))",
                                      hint: ToolchainCheck.installHint)
        }
        return first
    }
}
