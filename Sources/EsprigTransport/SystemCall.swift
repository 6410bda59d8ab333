#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call: which call and the errno it left.
struct SystemCallFailure: Error {
    var call: String
    var errno: Int32

    var reason: String { String(cString: strerror(errno)) }
}

/// Runs `body` and retries it while it fails with EINTR; any other failure (-1) is thrown
/// with the call's name and errno. One helper for every call, so no call site forgets EINTR
/// (the pattern of swift-nio's SystemCallHelpers). Not for close(2), which must not be retried.
@discardableResult
func systemCall<Result: FixedWidthInteger>(_ call: String, _ body: () -> Result) throws(SystemCallFailure) -> Result {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = errno
        if code == EINTR { continue }
        throw SystemCallFailure(call: call, errno: code)
    }
}

/// Polls one descriptor for `events` until `deadline`, retrying EINTR with the time left.
/// Returns the revents, or 0 when the deadline passed first.
func pollDescriptor(_ fd: Int32, events: Int16, until deadline: ContinuousClock.Instant) throws(SystemCallFailure) -> Int16 {
    while true {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        let remaining = deadline - ContinuousClock.now
        let milliseconds: Int32
        if remaining <= .zero {
            milliseconds = 0
        } else {
            let (seconds, attoseconds) = remaining.components
            // Round up so a 0.4 ms remainder still waits instead of spinning.
            let total = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
            milliseconds = Int32(clamping: total)
        }
        let ready = poll(&entry, 1, milliseconds)
        if ready == -1 {
            let code = errno
            if code == EINTR { continue }
            throw SystemCallFailure(call: "poll", errno: code)
        }
        if ready > 0 { return entry.revents }
        if milliseconds == 0 { return 0 }
        // poll timed out; loop once more to re-check the clock (poll may wake slightly early).
        if ContinuousClock.now >= deadline { return 0 }
    }
}

/// errno values that mean the device or connection is gone rather than misused.
func isDisconnect(_ code: Int32) -> Bool {
    code == EIO || code == ENXIO || code == ENODEV || code == EPIPE || code == ECONNRESET
        || code == ENOTCONN || code == ESHUTDOWN || code == ECONNABORTED
}
