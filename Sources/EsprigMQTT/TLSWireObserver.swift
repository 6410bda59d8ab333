import NIOCore

/// Reads the broker's TLS records before the TLS handler decrypts them, for facts BoringSSL does
/// not hand out: the cipher suite in the ServerHello, the number of a plaintext alert (the
/// broker's "unknown_ca(48)" is exactly that byte) and, in TLS 1.2, the broker's certificate (to
/// say why it failed verification). It stops at the broker's first ChangeCipherSpec, after which
/// records are encrypted; the bytes pass through unchanged.
final class TLSWireObserver: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let state: ConnectionState
    private var pending: [UInt8] = []
    /// Handshake messages may span records: their bytes, from all handshake records so far.
    private var handshake: [UInt8] = []
    private var done = false

    init(state: ConnectionState) { self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !done {
            let buffer = unwrapInboundIn(data)
            pending += buffer.readableBytesView
            scan()
        }
        context.fireChannelRead(data)
    }

    private func scan() {
        while pending.count >= 5 {
            let type = pending[0]
            let length = Int(pending[3]) << 8 | Int(pending[4])
            guard pending.count >= 5 + length else { return }
            let fragment = pending[5..<(5 + length)]
            switch type {
            case 20:  // change_cipher_spec: everything after it is encrypted
                done = true
            case 21 where fragment.count >= 2:
                state.recordAlert(TLSAlert(level: fragment[fragment.startIndex], code: fragment[fragment.startIndex + 1]))
            case 22:
                handshake += fragment
                readHandshakeMessages()
            default:
                break
            }
            pending.removeFirst(5 + length)
            if done { pending = []; return }
        }
    }

    /// Each complete message: type(1), length(3), body.
    private func readHandshakeMessages() {
        while handshake.count >= 4 {
            let length = Int(handshake[1]) << 16 | Int(handshake[2]) << 8 | Int(handshake[3])
            guard handshake.count >= 4 + length else { return }
            let message = handshake[0..<(4 + length)]
            if let suite = Self.serverHelloCipher(message) { state.recordCipher(suite) }
            if let der = Self.firstCertificate(message) { state.recordServerCertificate(der) }
            handshake.removeFirst(4 + length)
        }
    }

    /// TLS 1.2 Certificate (RFC 5246 §7.4.2): type 11, length(3), list length(3), then each
    /// certificate as length(3) + DER; the first is the broker's own.
    static func firstCertificate(_ message: ArraySlice<UInt8>) -> [UInt8]? {
        let m = Array(message)
        guard m.count >= 10, m[0] == 11 else { return nil }
        let length = Int(m[7]) << 16 | Int(m[8]) << 8 | Int(m[9])
        guard length > 0, m.count >= 10 + length else { return nil }
        return Array(m[10..<(10 + length)])
    }

    /// ServerHello (RFC 5246 §7.4.1.3, RFC 8446 §4.1.3): type 2, length(3), version(2), random(32),
    /// session id (1 + n), then the cipher suite.
    static func serverHelloCipher(_ message: ArraySlice<UInt8>) -> UInt16? {
        let m = Array(message)
        guard m.count >= 39, m[0] == 2 else { return nil }
        let sessionIDLength = Int(m[38])
        let at = 39 + sessionIDLength
        guard m.count >= at + 2 else { return nil }
        return UInt16(m[at]) << 8 | UInt16(m[at + 1])
    }
}

/// A TLS alert as it travels (RFC 8446 §6): level 1 warning / 2 fatal, and its description number.
public struct TLSAlert: Sendable, Hashable, CustomStringConvertible {
    public var level: UInt8
    public var code: UInt8

    public init(level: UInt8 = 2, code: UInt8) {
        self.level = level
        self.code = code
    }

    /// The RFC name, e.g. `unknown_ca`.
    public var name: String { Self.names[code] ?? "alert" }

    /// `unknown_ca(48)`, the way TLS specifications and Wireshark spell it.
    public var description: String { "\(name)(\(code))" }

    static let names: [UInt8: String] = [
        0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 22: "record_overflow",
        40: "handshake_failure", 42: "bad_certificate", 43: "unsupported_certificate",
        44: "certificate_revoked", 45: "certificate_expired", 46: "certificate_unknown",
        47: "illegal_parameter", 48: "unknown_ca", 49: "access_denied", 50: "decode_error",
        51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security", 80: "internal_error",
        86: "inappropriate_fallback", 90: "user_canceled", 109: "missing_extension",
        110: "unsupported_extension", 112: "unrecognized_name", 116: "certificate_required",
        120: "no_application_protocol",
    ]
}
