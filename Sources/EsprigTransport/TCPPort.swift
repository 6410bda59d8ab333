import Glibc

/// `socket://HOST:PORT`: a raw TCP byte pipe to a serial server (ser2net in raw mode,
/// esp-link, a simulator served over TCP).
///
/// Bytes only: the baud rate is the server's business, so `setBaud` does nothing, and there
/// are no modem lines, so `setLines` throws `.unsupported` exactly like a pty does (one code
/// path for callers: warn and carry on). esptool forces `--before no-reset` for socket://,
/// and the loader checks `capabilities` for the same reason.
public final class TCPPort: SerialPort {
    public let name: String
    public let host: String
    public let port: UInt16
    public let capabilities = PortCapabilities(modemLines: false, isNetwork: true)
    public var writeStallTimeout: Duration = .seconds(10)

    let descriptor: Descriptor

    /// Connects with TCP_NODELAY (request/response traffic is latency bound), giving up after
    /// `connectTimeout`.
    public init(host: String, port: UInt16, connectTimeout: Duration = .seconds(5), scheme: String = "socket") throws(TransportError) {
        self.host = host
        self.port = port
        let label = "\(scheme)://\(Self.hostLabel(host)):\(port)"
        self.name = label
        let fd = try Self.connect(host: host, port: port, timeout: connectTimeout, label: label)
        descriptor = Descriptor(fd: fd, kind: .socket) { operation, code in
            Self.describe(label: label, operation: operation, errno: code)
        }
    }

    deinit { descriptor.close() }

    public func write(_ bytes: [UInt8]) throws(TransportError) {
        try descriptor.write(bytes, stallTimeout: writeStallTimeout)
    }

    public func read(maxCount: Int, timeout: Duration) throws(TransportError) -> [UInt8] {
        try descriptor.read(maxCount: maxCount, until: .now + timeout)
    }

    /// Does nothing: over a raw socket the line speed is set on the server.
    public func setBaud(_ baud: Int) throws(TransportError) {
        _ = try descriptor.checkOpen("set baud on")
    }

    /// Always throws `.unsupported`: a raw socket has no DTR/RTS.
    public func setLines(dtr: Bool?, rts: Bool?) throws(TransportError) {
        if dtr == nil && rts == nil { return }
        throw TransportError(.unsupported, "\(name) carries bytes only; DTR/RTS cannot be set",
                             hint: "put the board in download mode by hand and use --before no-reset, or use rfc2217:// if the server speaks RFC 2217")
    }

    /// Discards what has already arrived on the socket (there is no remote buffer to purge).
    public func flushInput() throws(TransportError) {
        try descriptor.drain()
    }

    public func close() { descriptor.close() }

    // MARK: - Connecting

    static func hostLabel(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }

    private static func connect(host: String, port: UInt16, timeout: Duration, label: String) throws(TransportError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let reason = String(cString: gai_strerror(status))
            throw TransportError(.notFound, "cannot resolve host '\(host)' for \(label): \(reason)",
                                 hint: "check the host name, or give an IP address")
        }
        defer { freeaddrinfo(list) }

        let deadline = ContinuousClock.now + timeout
        var lastError = TransportError(.notFound, "no address for \(label)")
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            do {
                return try connectOne(info.pointee, until: deadline, label: label)
            } catch {
                lastError = error
                if error.code == .timedOut { break }
            }
        }
        throw lastError
    }

    private static func connectOne(_ info: addrinfo, until deadline: ContinuousClock.Instant, label: String) throws(TransportError) -> Int32 {
        let fd: Int32
        do {
            fd = try systemCall("socket") {
                socket(info.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), info.ai_protocol)
            }
        } catch {
            throw TransportError(.io, "cannot create a socket for \(label): \(error.reason)", errno: error.errno)
        }
        do throws(TransportError) {
            if Glibc.connect(fd, info.ai_addr, info.ai_addrlen) != 0 {
                let code = errno
                guard code == EINPROGRESS || code == EINTR else { throw connectError(label: label, errno: code) }
                let revents: Int16
                do { revents = try pollDescriptor(fd, events: Int16(POLLOUT), until: deadline) }
                catch { throw connectError(label: label, errno: error.errno) }
                if revents == 0 {
                    throw TransportError(.timedOut, "connecting to \(label) timed out",
                                         hint: "check that the host is up and the port is reachable (firewall?)", errno: ETIMEDOUT)
                }
                var soError: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length) == 0 else {
                    throw connectError(label: label, errno: errno)
                }
                if soError != 0 { throw connectError(label: label, errno: soError) }
            }
            var one: Int32 = 1
            guard setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
                throw connectError(label: label, errno: errno)
            }
            return fd
        } catch {
            _ = Glibc.close(fd)
            throw error
        }
    }

    private static func connectError(label: String, errno code: Int32) -> TransportError {
        let reason = String(cString: strerror(code))
        switch code {
        case ECONNREFUSED:
            return TransportError(.connectionRefused, "\(label) refused the connection",
                                  hint: "is the serial server (esp_rfc2217_server, ser2net) running on that port?", errno: code)
        case ETIMEDOUT:
            return TransportError(.timedOut, "connecting to \(label) timed out",
                                  hint: "check that the host is up and the port is reachable (firewall?)", errno: code)
        case ENETUNREACH, EHOSTUNREACH:
            return TransportError(.notFound, "cannot reach \(label): \(reason)", hint: "check the host address and the network", errno: code)
        default:
            return TransportError(.io, "cannot connect to \(label): \(reason)", errno: code)
        }
    }

    static func describe(label: String, operation: String, errno code: Int32?) -> TransportError {
        guard let code else {
            return TransportError(.disconnected, "connection closed by \(label)",
                                  hint: "the server went away or dropped us (it serves one client at a time); restart it and retry")
        }
        if isDisconnect(code) {
            return TransportError(.disconnected, "connection to \(label) lost: \(String(cString: strerror(code)))",
                                  hint: "the server went away or dropped us; restart it and retry", errno: code)
        }
        if code == EBADF {
            return TransportError(.io, "port \(label) is closed", hint: "open the port again", errno: code)
        }
        if code == ETIMEDOUT {
            return TransportError(.timedOut, "writing to \(label) made no progress for 10 s",
                                  hint: "the server is not reading; check it is still running", errno: code)
        }
        return TransportError(.io, "cannot \(operation) \(label): \(String(cString: strerror(code)))", errno: code)
    }
}
