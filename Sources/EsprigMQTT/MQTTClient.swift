import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// The TLS side of a connection: what to trust, what to present, how strict to be.
public struct TLSClientOptions: Sendable {
    /// The CA certificates the broker's certificate must chain to (PEM, several per file allowed, or DER).
    public var caFiles: [String]
    /// The client certificate and key to present (PEM or DER; PKCS#1 or PKCS#8 keys).
    public var certificateFile: String?
    public var keyFile: String?
    public var minimumVersion: TLSVersion
    /// The highest version to offer: TLS 1.2 to behave like an ESP8266, nil for the library's best.
    public var maximumVersion: TLSVersion?

    public init(caFiles: [String], certificateFile: String? = nil, keyFile: String? = nil, minimumVersion: TLSVersion = .tlsv12, maximumVersion: TLSVersion? = nil) {
        self.caFiles = caFiles
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.minimumVersion = minimumVersion
        self.maximumVersion = maximumVersion
    }
}

/// A small blocking MQTT 3.1.1 client over TLS. swift-nio runs the socket on its own event loop
/// thread; every call here waits for it with a deadline, because the rest of esprig is synchronous.
public final class MQTTClient {
    public let host: String
    public let port: Int
    /// `TLSv1.2` / `TLSv1.3`, once connected.
    public private(set) var tlsVersion: String?
    /// The negotiated cipher suite's IANA name (or its number when unnamed).
    public private(set) var cipherSuite: String?

    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    private let state: ConnectionState

    private init(host: String, port: Int, group: MultiThreadedEventLoopGroup, channel: Channel, state: ConnectionState) {
        self.host = host
        self.port = port
        self.group = group
        self.channel = channel
        self.state = state
    }

    deinit { close() }

    /// TCP connect and TLS handshake with hostname verification against `host` (a DNS name goes in
    /// SNI; an IP address is checked against the certificate's IP SANs).
    public static func connect(host: String, port: Int, tls: TLSClientOptions, timeout: Duration) throws(MQTTClientFailure) -> MQTTClient {
        let deadline = ContinuousClock.now + timeout
        let (context, trusted) = try makeContext(tls)
        let isIP = (try? SocketAddress(ipAddress: host, port: port)) != nil
        let state = ConnectionState()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(max(1, timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let tlsHandler = try NIOSSLClientHandler(context: context, serverHostname: isIP ? nil : host)
                    try channel.pipeline.syncOperations.addHandlers([
                        TLSWireObserver(state: state), tlsHandler, MQTTInboundHandler(state: state),
                    ])
                }
            }
        let channel: Channel
        do {
            channel = try wait(for: bootstrap.connect(host: host, port: port), until: deadline, step: "TCP connect to \(host):\(port)")
        } catch {
            try? group.syncShutdownGracefully()
            throw error.kind == .timeout ? error : MQTTClientFailure(kind: .connect, message: error.message)
        }
        let client = MQTTClient(host: host, port: port, group: group, channel: channel, state: state)
        switch state.next(until: deadline) {
        case .handshakeCompleted:
            client.tlsVersion = (try? wait(for: channel.nioSSL_tlsVersion(), until: deadline, step: "TLS version")).flatMap { $0 }.map(Self.name)
            client.cipherSuite = state.cipher.map(cipherName)
            return client
        case .failed(let error):
            client.close()
            var failure = MQTTClientFailure.from(error, alerts: state.alerts)
            failure.serverCertificate = state.serverCertificate.flatMap(PeerCertificate.init(der:))
            failure.trustedCAs = trusted.compactMap(\.subject)
            throw failure
        case .closed, .packet:
            client.close()
            throw client.closedFailure(during: "the TLS handshake")
        case nil:
            client.close()
            throw MQTTClientFailure(kind: .timeout, message: "no TLS handshake with \(host):\(port) within \(timeout)", alerts: state.alerts)
        }
    }

    public func send(_ packet: MQTTPacket, timeout: Duration) throws(MQTTClientFailure) {
        let deadline = ContinuousClock.now + timeout
        var buffer = channel.allocator.buffer(capacity: 64)
        buffer.writeBytes(packet.encode())
        do {
            try Self.wait(for: channel.writeAndFlush(buffer), until: deadline, step: "sending \(packet.kindName)")
        } catch {
            // A write fails once the channel died; the reason (a TLS alert) arrives as an event.
            if case .failed(let cause)? = state.next(until: min(deadline, .now + .milliseconds(200))) {
                throw MQTTClientFailure.from(cause, alerts: state.alerts)
            }
            throw error
        }
    }

    /// The next packet from the broker, or a failure naming the TLS reason when it hung up instead.
    public func receive(timeout: Duration, waitingFor what: String) throws(MQTTClientFailure) -> MQTTPacket {
        switch state.next(until: .now + timeout) {
        case .packet(let packet): return packet
        case .handshakeCompleted: return try receive(timeout: timeout, waitingFor: what)
        case .failed(let error): throw MQTTClientFailure.from(error, alerts: state.alerts)
        case .closed: throw closedFailure(during: "waiting for \(what)")
        case nil: throw MQTTClientFailure(kind: .timeout, message: "no \(what) from \(host):\(port) within \(timeout)", alerts: state.alerts)
        }
    }

    private var closed = false

    /// Closes the socket and stops the event loop thread; safe to call more than once.
    public func close() {
        guard !closed else { return }
        closed = true
        channel.close(promise: nil)
        try? group.syncShutdownGracefully()
    }

    private func closedFailure(during step: String) -> MQTTClientFailure {
        let alerts = state.alerts
        if alerts.isEmpty {
            return MQTTClientFailure(kind: .closed, message: "\(host):\(port) closed the connection during \(step)")
        }
        return MQTTClientFailure(kind: .tls, message: "\(host):\(port) sent TLS alert \(alerts.map(\.description).joined(separator: ", ")) during \(step)", alerts: alerts)
    }

    /// The TLS context, and the trusted CAs (for failure reports).
    private static func makeContext(_ options: TLSClientOptions) throws(MQTTClientFailure) -> (NIOSSLContext, [PeerCertificate]) {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = options.minimumVersion
        configuration.maximumTLSVersion = options.maximumVersion
        configuration.certificateVerification = .fullVerification
        var roots: [NIOSSLCertificate] = []
        for file in options.caFiles { roots += try PEMOrDER.certificates(file) }
        configuration.trustRoots = .certificates(roots)
        if let certificateFile = options.certificateFile {
            configuration.certificateChain = try PEMOrDER.certificates(certificateFile).map { .certificate($0) }
        }
        if let keyFile = options.keyFile {
            configuration.privateKey = .privateKey(try PEMOrDER.privateKey(keyFile))
        }
        do {
            return (try NIOSSLContext(configuration: configuration), roots.map(PeerCertificate.init))
        } catch {
            throw MQTTClientFailure(kind: .material, message: "the TLS library refused the certificates or key: \(error)")
        }
    }

    /// Blocks until `future` completes or `deadline` passes.
    static func wait<T: Sendable>(for future: EventLoopFuture<T>, until deadline: ContinuousClock.Instant, step: String) throws(MQTTClientFailure) -> T {
        let outcome = FutureOutcome<T>()
        future.whenComplete { outcome.set($0) }
        switch outcome.get(until: deadline) {
        case .success(let value)?: return value
        case .failure(let error)?: throw MQTTClientFailure.from(error, alerts: [])
        case nil: throw MQTTClientFailure(kind: .timeout, message: "\(step) did not finish in time")
        }
    }

    static func name(_ version: TLSVersion) -> String {
        switch version {
        case .tlsv1: "TLSv1"
        case .tlsv11: "TLSv1.1"
        case .tlsv12: "TLSv1.2"
        case .tlsv13: "TLSv1.3"
        }
    }

    static func cipherName(_ suite: UInt16) -> String {
        cipherNames[suite] ?? String(format: "0x%04X", suite)
    }

    private static let cipherNames: [UInt16: String] = [
        0x002F: "TLS_RSA_WITH_AES_128_CBC_SHA", 0x0035: "TLS_RSA_WITH_AES_256_CBC_SHA",
        0x009C: "TLS_RSA_WITH_AES_128_GCM_SHA256", 0x009D: "TLS_RSA_WITH_AES_256_GCM_SHA384",
        0x1301: "TLS_AES_128_GCM_SHA256", 0x1302: "TLS_AES_256_GCM_SHA384", 0x1303: "TLS_CHACHA20_POLY1305_SHA256",
        0xC009: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 0xC00A: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        0xC013: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 0xC014: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        0xC02B: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xC02C: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        0xC02F: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xC030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        0xCCA8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCA9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    ]
}

/// A future's result, handed from the event loop thread to the waiting one.
private final class FutureOutcome<T: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<T, any Error>?

    func set(_ value: Result<T, any Error>) {
        condition.lock()
        result = value
        condition.broadcast()
        condition.unlock()
    }

    func get(until deadline: ContinuousClock.Instant) -> Result<T, any Error>? {
        condition.lock()
        defer { condition.unlock() }
        while result == nil {
            let left = deadline - .now
            guard left > .zero else { return nil }
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18))
        }
        return result
    }
}

extension MQTTPacket {
    /// The packet type's name, for messages.
    public var kindName: String {
        switch self {
        case .connect: "CONNECT"
        case .connack: "CONNACK"
        case .publish: "PUBLISH"
        case .puback: "PUBACK"
        case .subscribe: "SUBSCRIBE"
        case .suback: "SUBACK"
        case .pingreq: "PINGREQ"
        case .pingresp: "PINGRESP"
        case .disconnect: "DISCONNECT"
        }
    }
}
