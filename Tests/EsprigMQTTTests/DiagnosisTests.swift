import Foundation
import Testing
@testable import EsprigMQTT

@Suite("TLS and MQTT failures → cause and fix")
struct DiagnosisTests {
    private let context = DiagnosisContext(host: "mqtt.lab", port: 8883, caFiles: ["/p/ca.crt"], certificateFile: "/p/dev1.crt",
                                           clientID: "dev1", topic: "esprig/dev1/preflight")

    @Test(arguments: [
        (UInt8(48), Diagnosis.Cause.unknownCA, "esprig certs device --id dev1"),
        (42, .badCertificate, "not --legacy"),
        (45, .certificateExpired, "validity period covering today"),
        (116, .certificateRequired, "client_cert and client_key"),
        (70, .protocolVersion, "tls_version"),
        (46, .certificateRejected, "esprig doctor"),
        (40, .handshakeFailure, "read the broker's log"),
    ])
    func alertFromTheBroker(code: UInt8, cause: Diagnosis.Cause, fixMentions: String) {
        let failure = MQTTClientFailure(kind: .tls, message: "x", alerts: [TLSAlert(code: code)])
        let d = Diagnosis.of(failure, context)
        #expect(d.cause == cause)
        #expect(d.alert == TLSAlert(code: code))
        #expect(d.summary.hasPrefix("the broker sent TLS alert \(TLSAlert(code: code))"))
        #expect(d.fix.contains(fixMentions), "\(d.fix)")
    }

    @Test func handshakeFailureWithoutAClientCertificateMeansOneIsRequired() {
        var c = context
        c.certificateFile = nil
        let d = Diagnosis.of(MQTTClientFailure(kind: .tls, message: "x", alerts: [TLSAlert(code: 40)]), c)
        #expect(d.cause == .certificateRequired)
        #expect(d.summary.contains("require_certificate true"))
    }

    @Test func localVerificationFailureAndHostname() {
        let untrusted = Diagnosis.of(MQTTClientFailure(kind: .tls, message: "x", tlsReasons: ["CERTIFICATE_VERIFY_FAILED"]), context)
        #expect(untrusted.cause == .serverNotTrusted)
        #expect(untrusted.summary.contains("/p/ca.crt"))
        let mismatch = Diagnosis.of(MQTTClientFailure(kind: .tls, message: "x", hostnameMismatch: true), context)
        #expect(mismatch.cause == .hostnameMismatch)
        #expect(mismatch.fix.contains("esprig certs server --host mqtt.lab"))
    }

    @Test func whyTheBrokersCertificateFailedVerification() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func diagnose(_ server: PeerCertificate?, trusted: [String] = ["lab CA"]) -> Diagnosis {
            var failure = MQTTClientFailure(kind: .tls, message: "x", tlsReasons: ["CERTIFICATE_VERIFY_FAILED"])
            failure.serverCertificate = server
            failure.trustedCAs = trusted
            return Diagnosis.of(failure, context, now: now)
        }
        let day: TimeInterval = 86_400
        let expired = diagnose(PeerCertificate(subject: "mqtt.lab", issuer: "lab CA", notBefore: now - 10 * day, notAfter: now - day))
        #expect(expired.cause == .serverCertificateExpired)
        #expect(expired.summary == "the broker's certificate (CN=mqtt.lab) expired on 2027-01-14T08:00:00Z")
        #expect(expired.fix.contains("esprig certs server --host mqtt.lab"))
        let early = diagnose(PeerCertificate(subject: "mqtt.lab", issuer: "lab CA", notBefore: now + day, notAfter: now + 10 * day))
        #expect(early.cause == .serverCertificateExpired)
        #expect(early.summary == "the broker's certificate (CN=mqtt.lab) is not valid before 2027-01-16T08:00:00Z")
        let foreign = diagnose(PeerCertificate(subject: "mqtt.lab", issuer: "other CA", notBefore: now - day, notAfter: now + day))
        #expect(foreign.cause == .serverNotTrusted)
        #expect(foreign.summary == "the broker's certificate (CN=mqtt.lab) is signed by CN=other CA, but the profile trusts CN=lab CA (/p/ca.crt)")
        let unexplained = diagnose(PeerCertificate(subject: "mqtt.lab", issuer: "lab CA", notBefore: now - day, notAfter: now + day))
        #expect(unexplained.cause == .serverNotTrusted)
        #expect(unexplained.fix.contains("esprig doctor"))
        // TLS 1.3 encrypts the certificate: only the verify error is known.
        #expect(diagnose(nil).summary.contains("a different CA signed it, or it is expired or not yet valid"))
    }

    @Test(arguments: [
        (ConnectReturnCode.badUserNameOrPassword, Diagnosis.Cause.badUserNameOrPassword, "return code 4 (bad user name or password)"),
        (.notAuthorized, .notAuthorized, "return code 5 (not authorized)"),
        (.identifierRejected, .connectRefused, "return code 2 (identifier rejected)"),
        (.serverUnavailable, .connectRefused, "return code 3 (server unavailable)"),
        (.unacceptableProtocolVersion, .connectRefused, "return code 1 (unacceptable protocol version)"),
    ])
    func connackCodes(code: ConnectReturnCode, cause: Diagnosis.Cause, summary: String) {
        let d = Diagnosis.of(connack: code, context)
        #expect(d.cause == cause)
        #expect(d.summary == "the broker answered CONNECT with \(summary)")
    }

    @Test func subscriptionAndDelivery() {
        #expect(Diagnosis.subscribeRefused(context).summary == "the broker refused SUBSCRIBE to esprig/dev1/preflight (SUBACK 0x80)")
        let d = Diagnosis.messageNotDelivered(context, waited: .seconds(5))
        #expect(d.cause == .messageNotDelivered)
        #expect(d.fix.contains("read and write access to esprig/dev1/preflight"))
    }

    @Test func boringSSLErrorNamesBecomeAlerts() {
        let text = "handshakeFailed(sslError([Error: 268436502 error:10000416:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_UNKNOWN, Error: 1 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED]))"
        #expect(MQTTClientFailure.reasonNames(in: text) == ["SSLV3_ALERT_CERTIFICATE_UNKNOWN", "CERTIFICATE_VERIFY_FAILED"])
        #expect(MQTTClientFailure.alert(fromReason: "TLSV1_ALERT_UNKNOWN_CA") == TLSAlert(code: 48))
        #expect(MQTTClientFailure.alert(fromReason: "SSLV3_ALERT_BAD_CERTIFICATE") == TLSAlert(code: 42))
        #expect(MQTTClientFailure.alert(fromReason: "SSLV3_ALERT_CERTIFICATE_EXPIRED") == TLSAlert(code: 45))
        #expect(MQTTClientFailure.alert(fromReason: "TLSV13_ALERT_CERTIFICATE_REQUIRED") == TLSAlert(code: 116))
        #expect(MQTTClientFailure.alert(fromReason: "CERTIFICATE_VERIFY_FAILED") == nil)
        #expect(TLSAlert(code: 48).description == "unknown_ca(48)")
        #expect(TLSAlert(code: 200).description == "alert(200)")
    }

    @Test func serverHelloCipherIsReadFromTheRecord() {
        // ServerHello: type 2, length, version 3.3, 32 random bytes, a 2-byte session id, suite 0xC030.
        let hello: [UInt8] = [2, 0, 0, 40, 3, 3] + [UInt8](repeating: 0xAA, count: 32) + [2, 0x11, 0x22, 0xC0, 0x30, 0x00]
        #expect(TLSWireObserver.serverHelloCipher(hello[...]) == 0xC030)
        #expect(TLSWireObserver.serverHelloCipher(hello.prefix(41)) == nil)
        #expect(TLSWireObserver.serverHelloCipher(([1] + hello.dropFirst())[...]) == nil)
        // Certificate: type 11, length, list length, one 3-byte-length certificate.
        let certificate: [UInt8] = [11, 0, 0, 8, 0, 0, 5, 0, 0, 2, 0x30, 0x00]
        #expect(TLSWireObserver.firstCertificate(certificate[...]) == [0x30, 0x00])
        #expect(TLSWireObserver.firstCertificate(certificate.prefix(11)) == nil)
        #expect(MQTTClient.cipherName(0xC030) == "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")
        #expect(MQTTClient.cipherName(0x1234) == "0x1234")
    }
}

@Suite("mosquitto listener and ACL text")
struct MosquittoConfigTests {
    @Test func passwordIdentityAndEveryInterface() {
        let config = MosquittoConfig(port: 8883, bind: nil, caFile: "/c/ca.crt", certFile: "/c/s.crt", keyFile: "/c/s.key", tlsVersion: "tlsv1.2",
                                     identity: .password(file: "/c/passwd"), aclFile: "/out/acl", aclPatterns: ["a/%u/#", "b/%c"], origin: "test")
        let settings = config.listenerText.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(settings == [
            "listener 8883", "protocol mqtt", "cafile /c/ca.crt", "certfile /c/s.crt", "keyfile /c/s.key", "require_certificate true",
            "use_identity_as_username false", "password_file /c/passwd", "tls_version tlsv1.2", "allow_anonymous false", "acl_file /out/acl",
        ])
        #expect(config.aclText.split(separator: "\n").filter { !$0.hasPrefix("#") } == ["pattern readwrite a/%u/#", "pattern readwrite b/%c"])
        #expect(config.listenerText.hasSuffix("\n") && config.aclText.hasSuffix("\n"))
    }

    @Test func pathsMosquittoCannotRead() {
        #expect(MosquittoConfig.unsafePath("/my certs/ca.crt"))
        #expect(MosquittoConfig.unsafePath("/a#b"))
        #expect(!MosquittoConfig.unsafePath("/etc/mosquitto/certs/ca.crt"))
    }
}
