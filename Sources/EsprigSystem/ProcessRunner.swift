/// One program to run: what, with which arguments and environment, where, and for how long.
public struct ProcessRequest: Sendable, Hashable {
    /// An absolute path, or a bare name looked up on the PATH the child will see.
    public var executable: String
    public var arguments: [String]
    /// Set on top of the runner's inherited environment (a key mapped to nil is not possible:
    /// builds only ever add or override variables).
    public var environment: [String: String]
    /// nil runs in the runner's current directory.
    public var workingDirectory: String?
    /// The child is killed (SIGKILL) when it runs longer than this.
    public var timeout: Duration
    /// How many of the last output lines `ProcessResult.tail` keeps.
    public var tailLines: Int

    public init(executable: String, arguments: [String] = [], environment: [String: String] = [:],
                workingDirectory: String? = nil, timeout: Duration, tailLines: Int = 50) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.timeout = timeout
        self.tailLines = tailLines
    }

    /// `/bin/sh -c command`: how a profile's build command (variables already substituted) runs.
    public static func shell(_ command: String, environment: [String: String] = [:], workingDirectory: String?,
                             timeout: Duration) -> ProcessRequest {
        ProcessRequest(executable: "/bin/sh", arguments: ["-c", command], environment: environment,
                       workingDirectory: workingDirectory, timeout: timeout)
    }

    /// The command as a user would type it, for messages.
    public var commandLine: String { ([executable] + arguments).joined(separator: " ") }
}

/// How a program ended. A timeout or a missing program is an error, not a result.
public struct ProcessResult: Sendable, Hashable {
    public var status: Int32
    /// The last `tailLines` lines of stdout and stderr, merged in the order they arrived.
    public var tail: [String]

    public init(status: Int32, tail: [String]) {
        self.status = status
        self.tail = tail
    }

    public var succeeded: Bool { status == 0 }
}

/// Runs programs. `SubprocessRunner` starts real processes; tests script the replies.
public protocol ProcessRunner: Sendable {
    /// Runs `request` to completion, calling `onLine` for each output line (stdout and stderr
    /// merged, without line endings) as it arrives, possibly from another thread.
    /// Throws `ProcessError` `.toolNotFound` or `.processTimedOut`.
    func run(_ request: ProcessRequest, onLine: @escaping @Sendable (String) -> Void) throws -> ProcessResult
}
