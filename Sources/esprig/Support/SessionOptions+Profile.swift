import EsprigLoader
import EsprigProfiles

extension SessionOptions {
    /// The loader session a profile's board gets: the command line's connection options win over
    /// the profile's baud and chip. A bad --reset-sequence fails step `connect` with exit 1.
    init(profile: ResolvedProfile, connection: ConnectionOptions) throws {
        self.init()
        baud = connection.baud ?? profile.baud
        useStub = !connection.noStub
        connect.before = connection.before
        connect.chip = connection.chip.chip ?? profile.chip
        connect.attempts = connection.connectAttempts
        if let sequence = connection.resetSequence {
            connect.resetSequence = try runStep("connect", status: ExitStatus.usage) { try ResetSequence(parsing: sequence) }
        }
    }
}
