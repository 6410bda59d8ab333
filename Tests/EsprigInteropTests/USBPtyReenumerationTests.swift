import EsprigProtocol
import EsprigSimHost
import EsprigSimulator
import EsprigTestSupport
import Foundation
import Testing

/// A board on its own USB-Serial/JTAG served on a pty behind a stable link (as
/// /dev/serial/by-id names a ttyACM): `--after watchdog-reset` re-enumerates it, so the pty goes
/// away and a new one takes the link; the command still ends well, and the same board answers there.
@Suite("USB-Serial/JTAG re-enumeration on a pty")
struct USBPtyReenumerationTests {
    @Test("write, watchdog reset, the port re-enumerates under the same link; the board there holds what was written")
    func watchdogReenumerates() throws {
        let directory = try TempDirectory(prefix: "esprig-usb-pty")
        var options = SimulatorOptions(chip: .esp32c3)
        options.usb = .jtag
        let board = try SimulatedBoard(options: options)
        let link = directory.file("usb-Espressif_USB_JTAG_serial_debug_unit_F4:12:FA:43:6A:10-if00")
        let server = try SimulatorServer(board: board, endpoint: .pty(linkPath: link))
        try server.start()
        defer { server.stop() }
        let data = [UInt8]((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
        let file = directory.file("data.bin")
        try Data(data).write(to: URL(fileURLWithPath: file))
        let esprig = try ToolRunner.locateEsprig()

        let written = try esprig.run(["-p", link, "--before", "no-reset", "--after", "watchdog-reset", "write-flash", "0x20000", file], timeout: .seconds(60))
        #expect(written.status == 0, "\(written.output)")
        #expect(written.output.contains("Hard resetting with a watchdog..."), "\(written.output)")
        // The watchdog fires, the device leaves the bus and returns: bounded wait for both.
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, server.withBoard({ $0.usbEnumeration }) == 0 || !FileManager.default.fileExists(atPath: link) {
            usleep(20_000)
        }
        #expect(server.withBoard { $0.usbEnumeration } == 1)
        #expect(FileManager.default.fileExists(atPath: link), "the link names the re-enumerated pty")

        // The USB-JTAG reset logic (DTR latches download, RTS resets) brings the ROM back.
        server.setLines(dtr: true, rts: false)
        server.setLines(dtr: false, rts: true)
        server.setLines(dtr: false, rts: false)
        let verified = try esprig.run(["-p", link, "--before", "no-reset", "--after", "no-reset", "verify-flash", "0x20000", file], timeout: .seconds(60))
        #expect(verified.status == 0, "\(verified.output)")
        #expect(Array(server.withBoard { $0.flash }[0x20000..<0x20000 + data.count]) == data)
    }
}
