import EsprigSimHost
import EsprigSimulator
import EsprigTestSupport
import Testing

/// `reset=connect`: the served board restarts in its loader whenever a peer connects, as an
/// auto-reset USB board does when its port is opened; esptool, which cannot reset over TCP, is
/// the peer.
@Suite("esprig sim reset=connect")
struct ResetOnConnectTests {
    func esptoolChipID(_ server: SimulatorServer) throws -> (status: Int32, output: String) {
        try ToolRunner.locateEsptool().run(["--port", server.address, "--before", "no-reset", "--connect-attempts", "1", "--no-stub",
                                            "--after", "no-reset", "chip-id"], timeout: .seconds(60))
    }

    @Test("a board left running its app is in its loader again for each new connection; without the option it is not")
    func eachConnectionFindsTheLoader() throws {
        for resetOnConnect in [true, false] {
            let options = try SimulatorOptions(chip: .esp8266, query: resetOnConnect ? ["reset": "connect"] : [:])
            let server = try SimulatorServer(board: try SimulatedBoard(options: options), endpoint: .tcp(port: 0))
            try server.start()
            defer { server.stop() }
            for connection in 1...2 {
                // The app runs (a normal boot), so only a reset brings the loader back.
                server.pressReset(download: false)
                let result = try esptoolChipID(server)
                if resetOnConnect {
                    #expect(result.status == 0, "connection \(connection): \(result.output)")
                    #expect(result.output.contains("Chip ID: 0x0076815e"), "\(result.output)")
                } else {
                    #expect(result.status != 0, "connection \(connection) found a loader without a reset: \(result.output)")
                }
            }
        }
        #expect(throws: SimulatorError.self) { try SimulatorOptions(chip: .esp8266, query: ["reset": "always"]) }
    }
}
