import EsprigProtocol
import EsprigCodecs

/// Reads a flash range so that what it returns is what flash holds, or fails: a noisy reply
/// path (short, malformed, repeated or lost READ_FLASH packets, a garbled digest) costs a
/// re-sync and a re-read of the failed window, with smaller windows after each failure; at the
/// end an SPI_FLASH_MD5 of the whole range must match the bytes read.
final class FlashReader {
    let session: FlashSession
    let events: FlashEventHandler
    /// Windows start this large and halve after each failure, down to `smallestWindow`; a run of
    /// successes doubles them again. On a line that garbles one byte in a thousand only windows
    /// of a few hundred bytes get through, and each costs its own request and digest.
    var initialWindow = 0x10000
    var smallestWindow = 256
    private var failedRecoveries = 0

    init(session: FlashSession, events: @escaping FlashEventHandler) {
        self.session = session
        self.events = events
    }

    func read(address: Int, size: Int) throws(LoaderError) -> [UInt8] {
        var failures = 0
        var lastError: LoaderError?
        var data = try readRange(address: address, size: size, failures: &failures, lastError: &lastError)
        // Each window's stream digest only says the bytes crossed the line intact; a garbled
        // READ_FLASH address would stream the wrong place, consistently. The chip's MD5 over the
        // whole range catches that; halves are then hashed down to sectors to re-read the bad ones.
        for _ in 0..<3 {
            do throws(LoaderError) {
                guard let digest = try session.connection.flashMD5(address: address, size: size) else { return data }
                if digest == MD5.digest(data) { return data }
                lastError = LoaderError(.verifyFailed, "digest mismatch after read-flash: flash has \(digest.map { hex2($0) }.joined())",
                                        hint: "the line corrupted data; lower --baud and retry")
                try repair(&data, address: address, range: 0..<size, failures: &failures, lastError: &lastError)
            } catch {
                if error.isDisconnect { throw error }
                lastError = error
                try resynchronise(&lastError)
            }
        }
        throw LoaderError(.verifyFailed, String(format: "could not read 0x%x bytes at 0x%08x intact", size, address) + " after \(failures) failed windows: \(lastError?.message ?? "unknown error")",
                          hint: "check the cable; lower --baud; nothing was written")
    }

    /// Re-reads the parts of `data` (flash from `address`) whose MD5 differs from the chip's.
    private func repair(_ data: inout [UInt8], address: Int, range: Range<Int>, failures: inout Int, lastError: inout LoaderError?) throws(LoaderError) {
        guard let digest = try session.connection.flashMD5(address: address + range.lowerBound, size: range.count),
              digest != MD5.digest(data[range]) else { return }
        if range.count <= FlashGeometry.sectorSize {
            let fresh = try readRange(address: address + range.lowerBound, size: range.count, failures: &failures, lastError: &lastError)
            data.replaceSubrange(range, with: fresh)
            return
        }
        let middle = range.lowerBound + FlashGeometry.alignUp(range.count / 2)
        try repair(&data, address: address, range: range.lowerBound..<middle, failures: &failures, lastError: &lastError)
        try repair(&data, address: address, range: middle..<range.upperBound, failures: &failures, lastError: &lastError)
    }

    /// The range window by window, each checked by its stream digest (or the ROM's MD5).
    private func readRange(address: Int, size: Int, failures: inout Int, lastError: inout LoaderError?) throws(LoaderError) -> [UInt8] {
        var data: [UInt8] = []
        data.reserveCapacity(size)
        var window = initialWindow
        var successesInARow = 0
        var failuresInARow = 0
        // Bounded by the size: a failure per smallest window, plus a margin.
        let failureBudget = failures + 16 + size / smallestWindow
        let region = FlashRegion(address: address, size: size, source: "read-flash")
        while data.count < size {
            let start = address + data.count
            let count = min(window, size - data.count)
            do throws(LoaderError) {
                data += try readWindow(address: start, size: count, before: data.count, total: size)
                successesInARow += 1
                failuresInARow = 0
                if successesInARow >= 8 { window = min(initialWindow, window * 2); successesInARow = 0 }
                continue
            } catch {
                if error.isDisconnect { throw error }
                lastError = error
                failures += 1
                failuresInARow += 1
                successesInARow = 0
            }
            guard failures < failureBudget, failuresInARow < 12 else {
                throw LoaderError(.verifyFailed, String(format: "could not read 0x%x bytes at 0x%08x intact", size, address) + " after \(failures) failed windows: \(lastError?.message ?? "unknown error")",
                                  hint: "check the cable; lower --baud; nothing was written")
            }
            window = max(smallestWindow, window / 2)
            events(.regionRetry(region, attempt: failures + 1, reason: lastError?.message ?? "read failed"))
            // A garbled packet or digest leaves the stream finished; silence leaves it unknown.
            if lastError?.code == .timeout || lastError?.code == .noData || lastError?.code == .unsupported {
                try resynchronise(&lastError)
            }
        }
        return data
    }

    /// One window: the stub's stream (checked by its digest), or 64-byte ROM reads checked by the
    /// ROM's MD5 where it has one (the ROM's replies carry no checksum of their own).
    private func readWindow(address: Int, size: Int, before: Int, total: Int) throws(LoaderError) -> [UInt8] {
        let connection = session.connection
        try connection.flushInput()
        let events = self.events
        let progress: FlashEventHandler = { event in
            if case .bytesRead(let done, _) = event { events(.bytesRead(done: before + done, total: total)) }
        }
        if connection.isStub {
            return try connection.readFlashStreaming(address: address, size: size, packetSize: min(0x1000, size), events: progress)
        }
        let data = try connection.readFlashSlow(address: address, size: size, events: progress)
        if let digest = try connection.flashMD5(address: address, size: size), digest != MD5.digest(data) {
            throw LoaderError(.verifyFailed, String(format: "READ_FLASH_SLOW data at 0x%08x does not match the ROM's MD5", address))
        }
        return data
    }

    /// A quick re-sync first; the session's full recovery (other rate, reset) only if that fails.
    private func resynchronise(_ lastError: inout LoaderError?) throws(LoaderError) {
        do throws(LoaderError) {
            if try session.connection.resync() == session.connection.isStub { return }
        } catch {
            if error.isDisconnect { throw error }
        }
        // A recovery can fail on a noisy line and work the next time; after a few in a row the
        // board is gone or deaf and further windows would only time out.
        do throws(LoaderError) {
            try session.recover()
            failedRecoveries = 0
        } catch {
            if error.isDisconnect { throw error }
            failedRecoveries += 1
            lastError = error
            if failedRecoveries >= 3 { throw error }
        }
    }
}
