import EsprigLoader
import EsprigProtocol
import EsprigSimulator

extension SimulatorOptions {
    /// Lets the board recognise the flasher stubs of the installed esptool (the ones esprig and
    /// that esptool upload), so that any other download it is told to run counts as user code.
    /// Where no stub is found the board keeps taking every download for the stub.
    public mutating func recogniseStubs(from source: EsptoolStubSource = .locate()) {
        let stubs = source.allStubs(for: chip)
        guard !stubs.isEmpty else { return }
        flasherStubs = stubs.map { stub in
            SimulatedProgram(entry: stub.entry, segments: Dictionary(stub.segments.filter { !$0.data.isEmpty }.map { ($0.address, $0.data) }) { $1 })
        }
    }
}
