import Foundation

/// A USB serial adapter's stable name: the /dev/serial/by-id link (made by udev from the
/// adapter's vendor, product and serial number) that points at the device. Reopening through it
/// finds the same board after a replug even when the kernel gives it another ttyUSBn.
public enum DeviceIdentity {
    public static func stablePath(for path: String, byIDDirectory: String = "/dev/serial/by-id") -> String {
        if path.hasPrefix(byIDDirectory + "/") { return path }
        let target = realPath(path)
        guard let links = try? FileManager.default.contentsOfDirectory(atPath: byIDDirectory) else { return path }
        for link in links.sorted() {
            let linkPath = byIDDirectory + "/" + link
            if realPath(linkPath) == target { return linkPath }
        }
        return path
    }

    private static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
