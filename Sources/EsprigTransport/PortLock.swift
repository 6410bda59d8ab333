import Foundation
import Glibc

/// Exclusive use of a serial device between processes.
///
/// TIOCEXCL alone is not enough: root (and anything with CAP_SYS_ADMIN) bypasses it, and
/// a bench often runs as root. So the device descriptor also takes an advisory
/// `flock(LOCK_EX | LOCK_NB)`, the same lock pyserial takes with `exclusive=True`, which means
/// esprig and esptool/esp_rfc2217_server exclude each other too. The lock belongs to the open
/// file description and is released by close() or by the process dying, so it never goes stale.
/// (UUCP lock files in /run/lock are not used: they go stale after a crash and need a
/// writable lock directory.)
enum PortLock {
    /// Takes the lock on `fd` (opened from `path`) or throws `.busy` naming the holder.
    static func acquire(fd: Int32, path: String) throws(TransportError) {
        do {
            try systemCall("flock") { flock(fd, LOCK_EX | LOCK_NB) }
        } catch {
            if error.errno == EWOULDBLOCK {
                throw busy(path: path, excludingFD: fd)
            }
            throw TransportError(.io, "cannot lock \(path): flock failed: \(error.reason)", errno: error.errno)
        }
    }

    /// The `.busy` error for `path`, naming the processes that have it open when /proc says so.
    static func busy(path: String, excludingFD fd: Int32?) -> TransportError {
        let holders = holders(of: path, excludingOwnFD: fd)
        let who: String
        if holders.isEmpty {
            who = ""
        } else {
            who = ": held by " + holders.prefix(3).map { "process \($0.pid) (\($0.command))" }.joined(separator: ", ")
        }
        return TransportError(.busy, "port \(path) is busy\(who)",
                              hint: "close the program using it (serial monitor, esptool, another esprig) and retry",
                              errno: EBUSY)
    }

    struct Holder: Equatable { var pid: Int32; var command: String }

    /// Processes with `path` open, found by reading the /proc/PID/fd links (best effort: other
    /// users' processes are invisible without privileges, and then the list is just shorter).
    static func holders(of path: String, excludingOwnFD ownFD: Int32?) -> [Holder] {
        let target = resolvedPath(path)
        let ownPID = getpid()
        let fileManager = FileManager.default
        guard let entries = try? fileManager.contentsOfDirectory(atPath: "/proc") else { return [] }
        var found: [Holder] = []
        for entry in entries {
            guard let pid = Int32(entry) else { continue }
            guard let fds = try? fileManager.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { continue }
            let matches = fds.contains { name in
                if pid == ownPID, let ownFD, name == String(ownFD) { return false }
                return readLink("/proc/\(pid)/fd/\(name)") == target
            }
            guard matches else { continue }
            let command = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            found.append(Holder(pid: pid, command: command))
        }
        return found.sorted { $0.pid < $1.pid }
    }

    static func resolvedPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
