import EsprigLoader
import EsprigPorts
import EsprigProtocol
import EsprigSimHost
import EsprigTestSupport
import EsprigTransport
import EsprigWorkflows
import Foundation
import Testing

/// A chip's own USB port leaves the bus and comes back across resets: USB-OTG download with
/// every reboot, USB-Serial/JTAG after a watchdog (system) reset. The loader waits for it and
/// reopens it; a device path is followed by its USB identity, whatever its tty name is now.
@Suite("USB re-enumeration: waited for, reopened, followed by identity")
struct USBReenumerationTests {
    static func notes(_ events: [FlashEvent]) -> [String] {
        events.compactMap { if case .note(let text) = $0 { text } else { nil } }
    }

    @Test("USB-OTG: the reset into the loader re-enumerates the port; connect follows it (and fails without the follow)")
    func otgHandover() throws {
        for chip in [Chip.esp32s2, .esp32s3, .esp32p4] {
            let opened = try BoardOpener().open("sim://\(chip.rawValue)?usb=otg", baud: 115_200)
            defer { try? opened.close() }
            #expect(opened.usb == .otg)
            let options = SessionOptions().adapted(to: opened)
            let events = Collected<FlashEvent>()
            let session = try FlashSession(port: opened.port, options: options, stubSource: nil, events: events.add, reopen: opened.reopen)
            #expect(session.info.chip == chip)
            let notes = Self.notes(events.all)
            #expect(notes.contains { $0.contains("went away after the reset") }, "\(chip): \(notes)")
            #expect(notes.contains { $0.contains("reopened the board") }, "\(chip): \(notes)")
            let board = try #require(session.connection.port as? SimulatorPort).board
            #expect(board.usbEnumeration >= 1)

            // Without a way to reopen, the vanished port is the failure it would be.
            let bare = try BoardOpener().open("sim://\(chip.rawValue)?usb=otg", baud: 115_200)
            defer { try? bare.close() }
            #expect {
                _ = try FlashSession(port: bare.port, options: options, stubSource: nil, events: { _ in })
            } throws: { ($0 as? LoaderError)?.isDisconnect == true }
        }
    }

    @Test("USB-Serial/JTAG: the USB reset latches download mode without leaving the bus; a watchdog reset re-enumerates, the app boots")
    func serialJTAGWatchdog() throws {
        let opened = try BoardOpener().open("sim://esp32c3?usb=jtag", baud: 115_200)
        defer { try? opened.close() }
        let options = SessionOptions().adapted(to: opened)
        #expect(options.connect.before == .usbReset)
        let events = Collected<FlashEvent>()
        let session = try FlashSession(port: opened.port, options: options, stubSource: nil, events: events.add, reopen: opened.reopen)
        let port = try #require(session.connection.port as? SimulatorPort)
        #expect(port.board.usbEnumeration == 0, "the USB-JTAG reset keeps the device on the bus")

        try session.finish(.watchdogReset)
        #expect(Self.notes(events.all).last == "Hard resetting with a watchdog...")
        // The watchdog fires a moment later: the port then fails as an unplugged one does.
        let deadline = Date().addingTimeInterval(2)
        var gone: TransportError?
        while gone == nil, Date() < deadline {
            do { _ = try port.read(maxCount: 4096, timeout: .milliseconds(20)) } catch { gone = error }
        }
        #expect(gone?.code == .disconnected)
        let again = try #require(try opened.reopen?() as? SimulatorPort)
        #expect(again.board === port.board)
        #expect(!again.board.isStubRunning && again.board.usbEnumeration == 1)
    }

    @Test("a device path is followed by its USB serial number to its new tty; a device that stays away is a clear error")
    func followByIdentity() throws {
        let directory = try TempDirectory(prefix: "esprig-follow")
        let devices = BenchDeviceDirectory(directory: directory.path)
        @Sendable func plug(_ name: String, _ line: String) throws { try line.write(toFile: directory.file(name + ".port"), atomically: true, encoding: .utf8) }
        try plug("board", "/dev/ttyACM0 303a:1001 F4:12:FA:43:6A:10")
        try plug("other", "/dev/ttyACM3 303a:1001 F4:12:FA:00:00:01")
        let scanner = PortScanner(source: devices)
        let before = try #require(try scanner.ports().first { $0.path == "/dev/ttyACM0" })
        let identity = try #require(PortFollower.Identity(before))

        // The node goes away and the device returns as ttyACM1 (and, as USB-OTG does, another PID).
        try FileManager.default.removeItem(atPath: directory.file("board.port"))
        let replug = Thread { usleep(200_000); try? plug("board", "/dev/ttyACM1 303a:0009 F4:12:FA:43:6A:10") }
        replug.start()
        let follower = PortFollower(scanner: scanner, timeout: .seconds(5), pollInterval: .milliseconds(20))
        let found = try follower.follow(identity) { $0.path }
        #expect(found == "/dev/ttyACM1")

        let away = PortFollower(scanner: scanner, timeout: .milliseconds(200), pollInterval: .milliseconds(20))
        let gone = try #require(PortFollower.Identity(SerialPortInfo(path: "/dev/ttyACM9", sysPath: "/sys/x",
                                                                     usb: USBInfo(vendorID: 0x303A, productID: 0x1001, serial: "AA:BB"))))
        #expect {
            _ = try away.follow(gone) { $0.path }
        } throws: { error in
            let text = "\(error)"
            return text.contains("USB serial AA:BB") && text.contains("did not come back")
        }
    }
}
