import CEsprigShims
import EsprigMonitor
import Foundation
import Testing

@Suite("Colour policy")
struct ColorPolicyTests {
    @Test("colour only on a terminal, and never with NO_COLOR set")
    func policy() throws {
        var leader: Int32 = -1, follower: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        try #require(esprig_open_pty(&leader, &follower, &name, name.count) == 0)
        defer { close(leader); close(follower) }
        var pipeFDs: [Int32] = [0, 0]
        try #require(pipe(&pipeFDs) == 0)
        defer { close(pipeFDs[0]); close(pipeFDs[1]) }
        #expect(TextRenderer.wantsColor(fd: follower, environment: [:]))
        #expect(!TextRenderer.wantsColor(fd: follower, environment: ["NO_COLOR": "1"]))
        #expect(TextRenderer.wantsColor(fd: follower, environment: ["NO_COLOR": ""]))
        #expect(!TextRenderer.wantsColor(fd: pipeFDs[1], environment: [:]))
    }
}
