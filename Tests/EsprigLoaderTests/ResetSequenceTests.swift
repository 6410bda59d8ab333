import Testing
import EsprigLoader

@Suite("Reset sequences")
struct ResetSequenceTests {
    @Test("esptool's custom sequence language parses into steps")
    func parse() throws {
        let seq = try ResetSequence(parsing: "D0|R1|W0.1|D1|R0|W0.05|D0")
        #expect(seq.steps == [.dtr(false), .rts(true), .wait(.milliseconds(100)), .dtr(true), .rts(false), .wait(.milliseconds(50)), .dtr(false)])
        #expect(try ResetSequence(parsing: "U0,1|W0.2").steps == [.both(dtr: false, rts: true), .wait(.milliseconds(200))])
    }

    @Test("bad steps are refused with the grammar in the hint", arguments: ["", "X1", "D2", "U1", "W-1", "Wabc", "U1,2"])
    func refuse(text: String) {
        #expect(throws: LoaderError.self) { try ResetSequence(parsing: text) }
    }

    @Test("the classic sequence puts EN low, then GPIO0 low as EN rises")
    func classic() {
        let steps = ResetSequence.classic(delay: .milliseconds(50)).steps
        #expect(steps.first == .dtr(false))
        #expect(steps[1] == .rts(true))
        #expect(steps[3] == .dtr(true) && steps[4] == .rts(false))
    }
}
