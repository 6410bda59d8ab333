import Foundation
import NIOCore
import NIOSSL
import NIOPosix

/// What a failure report needs of a certificate.
public struct PeerCertificate: Sendable, Hashable {
    public var subject: String?
    public var issuer: String?
    public var notBefore: Date
    public var notAfter: Date

    public init(subject: String?, issuer: String?, notBefore: Date, notAfter: Date) {
        self.subject = subject
        self.issuer = issuer
        self.notBefore = notBefore
        self.notAfter = notAfter
    }

    init?(der: [UInt8]) {
        guard let certificate = try? NIOSSLCertificate(bytes: der, format: .der) else { return nil }
        self.init(certificate)
    }

    init(_ certificate: NIOSSLCertificate) {
        subject = certificate.subjectName.first { $0.type == .commonName }?.value
        issuer = certificate.issuerName.first { $0.type == .commonName }?.value
        notBefore = Date(timeIntervalSince1970: TimeInterval(certificate.notValidBefore))
        notAfter = Date(timeIntervalSince1970: TimeInterval(certificate.notValidAfter))
    }
}

/// Why the client stopped, with the TLS evidence the diagnosis needs: the alerts the broker sent
/// and the TLS library's error names (`CERTIFICATE_VERIFY_FAILED`, `TLSV1_ALERT_UNKNOWN_CA`, ...).
public struct MQTTClientFailure: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// A certificate, key or CA file could not be read or parsed.
        case material
        /// No TCP connection (refused, unreachable, name not found).
        case connect
        case timeout
        /// The TLS layer failed: handshake, certificate checks, an alert.
        case tls
        /// The broker closed the connection without a TLS reason.
        case closed
        /// The broker sent bytes that are not MQTT 3.1.1.
        case protocolViolation
    }

    public var kind: Kind
    public var message: String
    /// Alerts the broker sent, from the wire or from the TLS library's error names.
    public var alerts: [TLSAlert]
    /// The TLS library's error reason names, e.g. `CERTIFICATE_VERIFY_FAILED`.
    public var tlsReasons: [String]
    /// The broker's certificate chains to the CA but names neither the host nor its IP.
    public var hostnameMismatch: Bool
    /// The certificate the broker presented (seen in TLS 1.2 handshakes), to explain a failed verification.
    public var serverCertificate: PeerCertificate?
    /// Common Names of the CAs the client trusted.
    public var trustedCAs: [String] = []

    public init(kind: Kind, message: String, alerts: [TLSAlert] = [], tlsReasons: [String] = [], hostnameMismatch: Bool = false) {
        self.kind = kind
        self.message = message
        self.alerts = alerts
        self.tlsReasons = tlsReasons
        self.hostnameMismatch = hostnameMismatch
    }

    public var description: String { message }

    /// Classifies an error from the channel; `alerts` are what the wire observer saw.
    static func from(_ error: any Error, alerts wireAlerts: [TLSAlert]) -> MQTTClientFailure {
        if let failure = error as? MQTTClientFailure { return failure }
        if let codec = error as? MQTTCodecError {
            return MQTTClientFailure(kind: .protocolViolation, message: "the broker sent an invalid MQTT packet: \(codec)")
        }
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return MQTTClientFailure(kind: .tls, message: "TLS: \(extra)", alerts: wireAlerts, tlsReasons: ["HOSTNAME_MISMATCH"], hostnameMismatch: true)
        }
        let text = String(describing: error)
        let reasons = Self.reasonNames(in: text)
        var alerts = wireAlerts
        for alert in reasons.compactMap(Self.alert(fromReason:)) where !alerts.contains(alert) { alerts.append(alert) }
        if error is NIOSSLError || error is BoringSSLError || !reasons.isEmpty {
            return MQTTClientFailure(kind: .tls, message: "TLS: \(text)", alerts: alerts, tlsReasons: reasons)
        }
        if let connection = error as? NIOConnectionError {
            return MQTTClientFailure(kind: .connect, message: Self.reason(connection))
        }
        if case ChannelError.connectTimeout = error {
            return MQTTClientFailure(kind: .timeout, message: "the TCP connection was not established in time")
        }
        // Once connected, a reset (no TLS alert) is the broker hanging up, not a TCP failure.
        if let io = error as? IOError {
            return MQTTClientFailure(kind: .closed, message: "the broker " + (io.errnoCode == ECONNRESET ? "reset the connection" : String(cString: strerror(io.errnoCode)).lowercased()), alerts: alerts)
        }
        return MQTTClientFailure(kind: .closed, message: text, alerts: alerts)
    }

    /// "connection refused", "name not found": the first attempt's reason, without NIO's wrapping.
    static func reason(_ error: NIOConnectionError) -> String {
        if let io = error.connectionErrors.first?.error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
        if let first = error.connectionErrors.first { return String(describing: first.error) }
        if error.dnsAError != nil || error.dnsAAAAError != nil { return "the host name does not resolve" }
        return String(describing: error)
    }

    /// The reason part of BoringSSL's `error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED`.
    static func reasonNames(in text: String) -> [String] {
        var names: [String] = []
        for part in text.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }) {
            guard part.contains("OPENSSL_internal:") || part.contains("SSL routines:") else { continue }
            if let last = part.split(separator: ":").last, !names.contains(String(last)) { names.append(String(last)) }
        }
        return names
    }

    /// `SSLV3_ALERT_BAD_CERTIFICATE` / `TLSV1_ALERT_UNKNOWN_CA` / `TLSV13_ALERT_CERTIFICATE_REQUIRED`
    /// are BoringSSL's names for a received alert: the RFC name after `_ALERT_`.
    static func alert(fromReason reason: String) -> TLSAlert? {
        guard let range = reason.range(of: "_ALERT_") else { return nil }
        let name = reason[range.upperBound...].lowercased()
        guard let code = TLSAlert.names.first(where: { $0.value == name })?.key else { return nil }
        return TLSAlert(code: code)
    }
}
