import Foundation

/// What went wrong between a client and the broker, and what to change: in words for a bench
/// operator, with a stable `cause` for scripts.
public struct Diagnosis: Sendable, Hashable {
    public enum Cause: String, Sendable, Hashable {
        case unknownCA = "unknown_ca"
        case badCertificate = "bad_certificate"
        case certificateExpired = "certificate_expired"
        case certificateRequired = "certificate_required"
        case certificateRejected = "certificate_rejected"
        case handshakeFailure = "handshake_failure"
        case protocolVersion = "protocol_version"
        case serverNotTrusted = "server_not_trusted"
        case serverCertificateExpired = "server_certificate_expired"
        case hostnameMismatch = "hostname_mismatch"
        case badUserNameOrPassword = "bad_username_or_password"
        case notAuthorized = "not_authorized"
        case connectRefused = "connect_refused"
        case subscribeRefused = "subscribe_refused"
        case messageNotDelivered = "message_not_delivered"
        case brokerUnreachable = "broker_unreachable"
        case connectionClosed = "connection_closed"
        case timeout
        case material
        case protocolViolation = "protocol_violation"
    }

    public var cause: Cause
    /// The TLS alert behind it, when one was received (`unknown_ca(48)`).
    public var alert: TLSAlert?
    /// What happened.
    public var summary: String
    /// What to change.
    public var fix: String

    public init(cause: Cause, alert: TLSAlert? = nil, summary: String, fix: String) {
        self.cause = cause
        self.alert = alert
        self.summary = summary
        self.fix = fix
    }
}

/// The facts a fix can point at.
public struct DiagnosisContext: Sendable {
    public var host: String
    public var port: Int
    public var caFiles: [String]
    public var certificateFile: String?
    public var clientID: String
    public var topic: String

    public init(host: String, port: Int, caFiles: [String], certificateFile: String?, clientID: String, topic: String) {
        self.host = host
        self.port = port
        self.caFiles = caFiles
        self.certificateFile = certificateFile
        self.clientID = clientID
        self.topic = topic
    }
}

extension Diagnosis {
    /// A transport or TLS failure; `now` judges the broker certificate's validity.
    public static func of(_ failure: MQTTClientFailure, _ c: DiagnosisContext, now: Date = Date()) -> Diagnosis {
        let cert = c.certificateFile ?? "the client certificate"
        switch failure.kind {
        case .material:
            return Diagnosis(cause: .material, summary: failure.message,
                             fix: "point the profile's [certs] ca / client_cert / client_key at readable PEM or DER files (esprig certs makes them)")
        case .connect:
            return Diagnosis(cause: .brokerUnreachable, summary: "no TCP connection to \(c.host):\(c.port): \(failure.message)",
                             fix: "check that mosquitto runs with a listener on port \(c.port) (esprig broker config writes one), that MQTT_HOST/MQTT_PORT are right, and that no firewall blocks the port")
        case .timeout:
            return Diagnosis(cause: .timeout, alert: failure.alerts.first, summary: failure.message,
                             fix: "check that \(c.host):\(c.port) is an MQTT over TLS listener (not plain MQTT on 1883) and that the broker is not overloaded")
        case .protocolViolation:
            return Diagnosis(cause: .protocolViolation, summary: failure.message,
                             fix: "check that \(c.host):\(c.port) is an MQTT 3.1.1 broker")
        case .tls, .closed:
            break
        }
        if failure.hostnameMismatch {
            return Diagnosis(cause: .hostnameMismatch, summary: "the broker's certificate does not name \(c.host) (neither its Common Name nor a subjectAltName matches)",
                             fix: "reissue the broker's certificate with \(c.host) in its subjectAltName (esprig certs server --host \(c.host); an IP address needs an IP SAN), or set MQTT_HOST to a name the certificate carries")
        }
        if let alert = failure.alerts.first(where: { $0.level == 2 }) ?? failure.alerts.first {
            return ofAlert(alert, c, cert: cert, failure: failure)
        }
        if failure.tlsReasons.contains("CERTIFICATE_VERIFY_FAILED") {
            return serverNotVerified(failure, c, now: now)
        }
        if failure.kind == .closed {
            return Diagnosis(cause: .connectionClosed, summary: "\(failure.message) without a TLS alert",
                             fix: "check that port \(c.port) is the broker's TLS listener (a plain MQTT listener, like 1883, hangs up on a TLS handshake), then read the broker's log (mosquitto -v, or journalctl -u mosquitto)")
        }
        return Diagnosis(cause: .handshakeFailure, summary: failure.message,
                         fix: "check that the broker's tls_version and ciphers allow TLS 1.2 with RSA certificates, and read the broker's log")
    }

    /// Why the client refused the broker's certificate, as far as the certificate it sent tells.
    private static func serverNotVerified(_ failure: MQTTClientFailure, _ c: DiagnosisContext, now: Date) -> Diagnosis {
        let ca = c.caFiles.joined(separator: ", ")
        let reissue = "reissue the broker's certificate (esprig certs server --host \(c.host)), point mosquitto's certfile at it and restart mosquitto"
        guard let server = failure.serverCertificate else {
            return Diagnosis(cause: .serverNotTrusted, summary: "the broker's certificate does not verify against the profile's CA \(ca) (a different CA signed it, or it is expired or not yet valid)",
                             fix: "set [certs] ca to the CA that signed the broker's certificate, or reissue the broker's certificate from \(ca) and point mosquitto's certfile at it")
        }
        let name = "the broker's certificate (CN=\(server.subject ?? "?"))"
        if server.notAfter < now {
            return Diagnosis(cause: .serverCertificateExpired, summary: "\(name) expired on \(dateText(server.notAfter))",
                             fix: "\(reissue); a board without SNTP time fails on this too")
        }
        if server.notBefore > now {
            return Diagnosis(cause: .serverCertificateExpired, summary: "\(name) is not valid before \(dateText(server.notBefore))",
                             fix: "check the clock of the machine that issued it (and of this one), or \(reissue)")
        }
        if let issuer = server.issuer, !failure.trustedCAs.contains(issuer) {
            let trusted = failure.trustedCAs.map { "CN=\($0)" }.joined(separator: ", ")
            return Diagnosis(cause: .serverNotTrusted, summary: "\(name) is signed by CN=\(issuer), but the profile trusts \(trusted.isEmpty ? ca : trusted) (\(ca))",
                             fix: "set [certs] ca to the CA that signed the broker's certificate (CN=\(issuer)), or \(reissue) from the profile's CA")
        }
        return Diagnosis(cause: .serverNotTrusted, summary: "\(name) does not verify against the profile's CA \(ca)",
                         fix: "run esprig doctor on the profile: the chain, key usage (serverAuth) and signature of the broker's certificate")
    }

    private static func dateText(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    private static func ofAlert(_ alert: TLSAlert, _ c: DiagnosisContext, cert: String, failure: MQTTClientFailure) -> Diagnosis {
        let heard = "the broker sent TLS alert \(alert)"
        switch alert.code {
        case 48:
            return Diagnosis(cause: .unknownCA, alert: alert, summary: "\(heard): it does not trust the CA that signed \(cert)",
                             fix: "issue the device certificate from the CA in the broker's cafile (esprig certs device --id \(c.clientID)), or add this device's CA to mosquitto's cafile and restart mosquitto")
        case 45:
            return Diagnosis(cause: .certificateExpired, alert: alert, summary: "\(heard): \(cert) is expired or not yet valid",
                             fix: "reissue the device certificate (esprig certs device --id \(c.clientID)) with a validity period covering today, and check the clock of the machine that issued it")
        case 116:
            return Diagnosis(cause: .certificateRequired, alert: alert, summary: "\(heard): the broker requires a client certificate and none was sent",
                             fix: "set [certs] client_cert and client_key in the profile (and DEFAULT_SECURITY to two-way authentication) so the device presents its certificate")
        case 40 where c.certificateFile == nil:
            return Diagnosis(cause: .certificateRequired, alert: alert, summary: "\(heard): the broker requires a client certificate (require_certificate true) and none was sent",
                             fix: "set [certs] client_cert and client_key in the profile (and DEFAULT_SECURITY to two-way authentication) so the device presents its certificate")
        case 42:
            return Diagnosis(cause: .badCertificate, alert: alert, summary: "\(heard): it refused \(cert); OpenSSL 1.1+/3 brokers do so for SHA-1/MD5 signatures and RSA keys under 2048 bits, or a certificate not made for client authentication",
                             fix: "reissue the CA and device certificate with the defaults (RSA 2048, SHA-256, clientAuth): esprig certs init, esprig certs device --id \(c.clientID) (not --legacy)")
        case 43, 46, 71:
            return Diagnosis(cause: .certificateRejected, alert: alert, summary: "\(heard): it refused \(cert) (weak signature or key, or wrong key usage)",
                             fix: "run esprig doctor on the profile, then reissue the certificate with the defaults (RSA 2048, SHA-256, clientAuth)")
        case 70:
            return Diagnosis(cause: .protocolVersion, alert: alert, summary: "\(heard): no TLS version both sides accept",
                             fix: "set the broker's tls_version to tlsv1.2 (the ESP8266 TLS stack stops at TLS 1.2)")
        default:
            return Diagnosis(cause: .handshakeFailure, alert: alert, summary: "\(heard)",
                             fix: "check that the broker's tls_version and ciphers allow TLS 1.2 with RSA certificates, and read the broker's log for the reason")
        }
    }

    /// The broker refused CONNECT.
    public static func of(connack code: ConnectReturnCode, _ c: DiagnosisContext) -> Diagnosis {
        let heard = "the broker answered CONNECT with return code \(code.rawValue) (\(code.name))"
        switch code {
        case .badUserNameOrPassword:
            return Diagnosis(cause: .badUserNameOrPassword, summary: heard,
                             fix: "make MQTT_USER / MQTT_PASS in the profile match the broker's password_file entry (mosquitto_passwd), or let the broker take the user name from the certificate (use_identity_as_username true)")
        case .notAuthorized:
            return Diagnosis(cause: .notAuthorized, summary: heard,
                             fix: "the broker knows no such user: check MQTT_USER / MQTT_PASS against its password_file, or with use_identity_as_username the certificate CN (\(c.clientID)) must be a user its ACL names")
        default:
            return Diagnosis(cause: .connectRefused, summary: heard,
                             fix: "check the client id \(c.clientID) (unique, at most 23 characters for strict brokers) and the broker's log")
        }
    }

    /// The broker refused the subscription (SUBACK 0x80).
    public static func subscribeRefused(_ c: DiagnosisContext) -> Diagnosis {
        Diagnosis(cause: .subscribeRefused, summary: "the broker refused SUBSCRIBE to \(c.topic) (SUBACK 0x80)",
                  fix: "allow read access to \(c.topic) for user \(c.clientID) in the broker's acl_file (esprig broker config writes one limiting each device to its own topics), or use a topic inside it")
    }

    /// The broker took the PUBLISH but never delivered it back: MQTT 3.1.1 has no error for a
    /// publish or a delivery the ACL denies, and mosquitto 2 even grants a denied subscription.
    public static func messageNotDelivered(_ c: DiagnosisContext, waited: Duration) -> Diagnosis {
        Diagnosis(cause: .messageNotDelivered, summary: "the broker accepted the subscription and the message but did not deliver it back on \(c.topic) within \(waited)",
                  fix: "allow read and write access to \(c.topic) for this device in the broker's acl_file (esprig broker config writes one giving each device its own topics; mosquitto drops denied messages silently), or set [broker] topic inside it")
    }
}
