/// Checks a profile's TLS material against itself, the broker and the firmware, before any
/// board is flashed. Every finding names the file, the failure it would cause and the fix.
public func diagnose(_ input: DoctorInput) -> [Finding] {
    var doctor = Doctor(input: input)
    doctor.readMaterial()
    doctor.checkCertificates()
    doctor.checkKeys()
    doctor.checkChains()
    doctor.checkIdentities()
    doctor.checkSecurityLevel()
    doctor.checkSectors()
    return doctor.findings.enumerated().sorted { ($0.element.severity, $0.offset) < ($1.element.severity, $1.offset) }.map(\.element)
}

/// One doctor run: the material as parsed so far and what was found.
struct Doctor {
    struct Parsed {
        var file: DoctorInput.File
        var certificate: CertificateFacts
    }

    struct ParsedKey {
        var file: DoctorInput.File
        var der: [UInt8]
        var facts: PrivateKeyFacts
    }

    let input: DoctorInput
    var findings: [Finding] = []
    var ca: [Parsed] = []
    var client: Parsed?
    var clientKey: ParsedKey?
    var server: Parsed?
    var serverKey: ParsedKey?
    /// Every file that could not be read as what it should be, so later rules skip it quietly.
    var unreadable: Set<String> = []

    init(input: DoctorInput) {
        self.input = input
    }

    mutating func add(_ severity: Finding.Severity, _ code: String, _ message: String, symptom: String, fix: String) {
        findings.append(Finding(severity, code, message, symptom: symptom, fix: fix))
    }

    /// Every certificate with its role, for rules that apply to all of them.
    var allCertificates: [(role: String, parsed: Parsed)] {
        ca.map { ("CA", $0) } + (client.map { [("client", $0)] } ?? []) + (server.map { [("server", $0)] } ?? [])
    }
}
