import EsprigSimulator

/// The device's transmit side: board outputs become byte runs that go out one after another at
/// the device's baud. With UART timing each byte becomes available 10 bit times after the one
/// before; without, a run is available at once (at its `notBefore` if the flash model set one).
/// When the host listens at another rate the run is delivered as the host's UART decodes it.
struct TransmitQueue {
    let uartTiming: Bool
    private var deviceBaud: Int
    private var lineFreeAt: Duration = .zero
    private var runs: [Run] = []

    private struct Run {
        var bytes: [UInt8]
        let start: Duration
        let perByte: Duration
        var taken = 0
        func available(at now: Duration) -> Int {
            guard now >= start else { return 0 }
            guard perByte > .zero else { return bytes.count }
            return min(bytes.count, Int(((now - start) / perByte).rounded(.down)))
        }
        func time(ofByte index: Int) -> Duration { start + perByte * (index + 1) }
    }

    init(uartTiming: Bool, deviceBaud: Int) {
        self.uartTiming = uartTiming
        self.deviceBaud = deviceBaud
    }

    static func byteTime(baud: Int) -> Duration { .seconds(10) / max(1, baud) }

    /// Queues `outputs` produced at `now` by a board that was talking at `startingBaud` (so a
    /// reset done behind the queue's back cannot leave it at a stale rate). `hostBaud` nil means
    /// the host's rate is unknown (TCP): bytes are delivered as sent.
    mutating func enqueue(_ outputs: [BoardOutput], at now: Duration, startingBaud: Int, hostBaud: Int?) {
        deviceBaud = startingBaud
        for output in outputs {
            switch output {
            case .baudChange(let rate):
                deviceBaud = rate
            case .bytes(let sent, let notBefore):
                guard !sent.isEmpty else { continue }
                let start = max(lineFreeAt, notBefore ?? now, now)
                let duration = uartTiming ? Self.byteTime(baud: deviceBaud) * sent.count : .zero
                lineFreeAt = start + duration
                var heard = sent
                if let hostBaud, hostBaud != deviceBaud {
                    heard = UARTResampler.resample(sent, sentAt: deviceBaud, heardAt: hostBaud)
                }
                guard !heard.isEmpty else { continue }
                runs.append(Run(bytes: heard, start: start, perByte: duration / heard.count))
            }
        }
    }

    /// Bytes that have arrived by `now` (at most `maxCount`), removed from the queue.
    mutating func take(at now: Duration, maxCount: Int) -> [UInt8] {
        var out: [UInt8] = []
        while let first = runs.first, out.count < maxCount {
            let ready = first.available(at: now)
            let count = min(ready - first.taken, maxCount - out.count)
            guard count > 0 else { break }
            out += first.bytes[first.taken..<first.taken + count]
            runs[0].taken += count
            if runs[0].taken == runs[0].bytes.count { runs.removeFirst() } else { break }
        }
        return out
    }

    /// When the next byte arrives; nil when nothing is queued.
    var nextArrival: Duration? {
        runs.first.map { $0.time(ofByte: $0.taken) }
    }

    var isEmpty: Bool { runs.isEmpty }

    mutating func removeAll() {
        runs.removeAll()
    }
}
