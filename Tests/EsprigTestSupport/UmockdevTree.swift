import Foundation

/// Runs the built `esprig` under Debian's `umockdev-run` on a recorded sysfs tree, so the real
/// libudev enumerates ports that this machine does not have (CI has no USB).
public enum UmockdevTree {
    /// Tests/EsprigPortsTests/Fixtures/bench-hub.umockdev: ttyUSB0 (CP2102), ttyACM0 (ESP
    /// USB-Serial/JTAG), ttyUSB1 (PL2303), ttyS0 (platform UART), tty1 (virtual console).
    public static let benchHub = PackagePaths.root + "/Tests/EsprigPortsTests/Fixtures/bench-hub.umockdev"

    public static func esprig(_ arguments: [String], tree: String = benchHub) throws -> (status: Int32, output: String) {
        let esprig = try ToolRunner.locateEsprig()
        return try ToolRunner(executable: "/usr/bin/umockdev-run")
            .run(["-d", tree, "--", esprig.executable] + arguments, timeout: .seconds(30))
    }
}
