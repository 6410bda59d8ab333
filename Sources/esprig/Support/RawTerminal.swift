import Foundation
#if canImport(Glibc)
import Glibc
import EsprigProtocol
import EsprigWorkflows
#endif

/// Puts a terminal in raw mode (keys arrive one by one, no echo, Ctrl+C is a byte) and puts
/// back exactly the settings it found.
final class RawTerminal {
    private let fd: Int32
    private var saved = termios()
    private var active = false

    init?(fd: Int32 = STDIN_FILENO) {
        guard isatty(fd) == 1, tcgetattr(fd, &saved) == 0 else { return nil }
        self.fd = fd
        var raw = saved
        cfmakeraw(&raw)
        // Keep output post-processing so "\n" still returns the carriage on our own output.
        raw.c_oflag = saved.c_oflag
        guard tcsetattr(fd, TCSANOW, &raw) == 0 else { return nil }
        active = true
    }

    func restore() {
        guard active else { return }
        active = false
        tcsetattr(fd, TCSANOW, &saved)
    }

    deinit { restore() }
}

/// Reads stdin on its own thread and hands the bytes over until stopped (bounded polls).
final class KeyboardReader: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    func start(_ onBytes: @escaping @Sendable ([UInt8]) -> Void) {
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 256)
            while !isStopped {
                var entry = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
                guard poll(&entry, 1, 100) > 0 else { continue }
                let n = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                onBytes(Array(buffer[0..<n]))
            }
            finished.signal()
        }
        thread.name = "esprig-keyboard"
        thread.start()
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    /// Stops the thread and waits for it (at most one poll interval).
    func stop() {
        lock.withLock { stopped = true }
        finished.wait()
    }
}
