/// Everything preflight needs: where the broker is, the exact TLS material the device will hold,
/// and what the device sends in CONNECT.
public struct PreflightPlan: Sendable {
    public var host: String
    public var port: Int
    public var tls: TLSClientOptions
    public var clientID: String
    public var username: String?
    public var password: [UInt8]?
    public var topic: String
    /// Bound for each step (TLS handshake, each request/answer).
    public var stepTimeout: Duration

    public init(host: String, port: Int, tls: TLSClientOptions, clientID: String, username: String? = nil, password: [UInt8]? = nil,
                topic: String, stepTimeout: Duration = .seconds(10)) {
        self.host = host
        self.port = port
        self.tls = tls
        self.clientID = clientID
        self.username = username
        self.password = password
        self.topic = topic
        self.stepTimeout = stepTimeout
    }

    public var context: DiagnosisContext {
        DiagnosisContext(host: host, port: port, caFiles: tls.caFiles, certificateFile: tls.certificateFile, clientID: clientID, topic: topic)
    }
}

public struct PreflightStep: Sendable, Hashable {
    /// `tls`, `connect`, `subscribe`, `publish`, `receive`, `disconnect`.
    public var name: String
    public var ok: Bool
    public var milliseconds: Double
    public var detail: String
}

public struct PreflightReport: Sendable {
    public var steps: [PreflightStep]
    public var tlsVersion: String?
    public var cipherSuite: String?
    /// Nil when every step passed.
    public var diagnosis: Diagnosis?
    public var passed: Bool { diagnosis == nil }
}

/// TLS handshake, CONNECT, SUBSCRIBE, PUBLISH, receive the own message, DISCONNECT: what the
/// device will do first, done from the bench with the same certificate, key and credentials.
public enum Preflight {
    public static func run(_ plan: PreflightPlan, progress: (PreflightStep) -> Void = { _ in }) -> PreflightReport {
        var report = PreflightReport(steps: [])
        let context = plan.context
        var started = ContinuousClock.now

        func finish(_ name: String, ok: Bool, _ detail: String) {
            let elapsed = ContinuousClock.now - started
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            let step = PreflightStep(name: name, ok: ok, milliseconds: ms, detail: detail)
            report.steps.append(step)
            progress(step)
            started = .now
        }
        func fail(_ name: String, _ diagnosis: Diagnosis) -> PreflightReport {
            finish(name, ok: false, diagnosis.summary)
            report.diagnosis = diagnosis
            return report
        }

        let client: MQTTClient
        do {
            client = try MQTTClient.connect(host: plan.host, port: plan.port, tls: plan.tls, timeout: plan.stepTimeout)
        } catch {
            return fail("tls", Diagnosis.of(error, context))
        }
        defer { client.close() }
        report.tlsVersion = client.tlsVersion
        report.cipherSuite = client.cipherSuite
        finish("tls", ok: true, "\(client.tlsVersion ?? "TLS"), \(client.cipherSuite ?? "cipher unknown")")

        var step = "connect"
        do {
            let connect = MQTTPacket.Connect(clientID: plan.clientID, username: plan.username, password: plan.password,
                                             keepAlive: 30, cleanSession: true)
            try client.send(.connect(connect), timeout: plan.stepTimeout)
            guard case .connack(let ack) = try client.receive(timeout: plan.stepTimeout, waitingFor: "CONNACK") else {
                return fail(step, unexpected("CONNACK", context))
            }
            guard ack.returnCode == .accepted else { return fail(step, Diagnosis.of(connack: ack.returnCode, context)) }
            finish(step, ok: true, "accepted as \(plan.clientID)")

            step = "subscribe"
            try client.send(.subscribe(.init(packetID: 1, filters: [.init(topic: plan.topic, qos: 1)])), timeout: plan.stepTimeout)
            guard case .suback(let suback) = try client.receive(timeout: plan.stepTimeout, waitingFor: "SUBACK"), suback.packetID == 1 else {
                return fail(step, unexpected("SUBACK", context))
            }
            guard suback.returnCodes.first != MQTTPacket.SubAck.failure else { return fail(step, Diagnosis.subscribeRefused(context)) }
            finish(step, ok: true, "\(plan.topic), granted QoS \(suback.returnCodes.first ?? 0)")

            step = "publish"
            let payload = Array("esprig preflight \(plan.clientID) \(UInt64.random(in: 0...UInt64.max))".utf8)
            try client.send(.publish(.init(topic: plan.topic, payload: payload, qos: 1, packetID: 2)), timeout: plan.stepTimeout)
            var received = false
            while true {
                let packet = try client.receive(timeout: plan.stepTimeout, waitingFor: "PUBACK")
                if case .puback(2) = packet { break }
                if case .publish(let message) = packet { received = try take(message, payload, client, plan) || received }
            }
            finish(step, ok: true, "\(payload.count) bytes, QoS 1, acknowledged")

            step = "receive"
            let waitForMessage = ContinuousClock.now + plan.stepTimeout
            while !received {
                let left = waitForMessage - .now
                guard left > .zero else { return fail(step, Diagnosis.messageNotDelivered(context, waited: plan.stepTimeout)) }
                let packet: MQTTPacket
                do {
                    packet = try client.receive(timeout: left, waitingFor: "the published message")
                } catch where error.kind == .timeout {
                    return fail(step, Diagnosis.messageNotDelivered(context, waited: plan.stepTimeout))
                }
                if case .publish(let message) = packet { received = try take(message, payload, client, plan) }
            }
            finish(step, ok: true, "own message back on \(plan.topic)")

            step = "disconnect"
            try client.send(.disconnect, timeout: plan.stepTimeout)
            finish(step, ok: true, "clean")
        } catch {
            return fail(step, Diagnosis.of(error, context))
        }
        return report
    }

    /// Acknowledges a QoS 1 delivery; true when it is the message preflight published.
    private static func take(_ message: MQTTPacket.Publish, _ payload: [UInt8], _ client: MQTTClient, _ plan: PreflightPlan) throws(MQTTClientFailure) -> Bool {
        if let id = message.packetID { try client.send(.puback(packetID: id), timeout: plan.stepTimeout) }
        return message.topic == plan.topic && message.payload == payload
    }

    private static func unexpected(_ expected: String, _ c: DiagnosisContext) -> Diagnosis {
        Diagnosis(cause: .protocolViolation, summary: "the broker did not answer with \(expected)",
                  fix: "check that \(c.host):\(c.port) is an MQTT 3.1.1 broker")
    }
}
