import EsprigMonitor
import EsprigTestSupport
import Foundation
import Testing

@Suite("Device identity for reconnects")
struct DeviceIdentityTests {
    @Test("a device with a by-id link is reopened through the link; others by their own path")
    func byID() throws {
        let dir = try TempDirectory()
        let byID = dir.file("by-id")
        try FileManager.default.createDirectory(atPath: byID, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dir.file("ttyUSB0"), contents: nil)
        FileManager.default.createFile(atPath: dir.file("ttyUSB1"), contents: nil)
        try FileManager.default.createSymbolicLink(atPath: byID + "/usb-Silicon_Labs_CP2102_0001-if00-port0", withDestinationPath: "../ttyUSB0")
        #expect(DeviceIdentity.stablePath(for: dir.file("ttyUSB0"), byIDDirectory: byID) == byID + "/usb-Silicon_Labs_CP2102_0001-if00-port0")
        #expect(DeviceIdentity.stablePath(for: dir.file("ttyUSB1"), byIDDirectory: byID) == dir.file("ttyUSB1"))
        #expect(DeviceIdentity.stablePath(for: byID + "/x", byIDDirectory: byID) == byID + "/x")
        #expect(DeviceIdentity.stablePath(for: dir.file("ttyUSB0"), byIDDirectory: dir.file("missing")) == dir.file("ttyUSB0"))
    }
}
