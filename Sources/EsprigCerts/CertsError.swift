import EsprigCore

/// A failure to issue, read, pack or check certificate material: a stable code, what is wrong and what to do.
public typealias CertsError = EsprigError<CertsErrorDomain>

/// The domain of `CertsError`.
public enum CertsErrorDomain: ErrorDomain {}

extension ErrorCode where Domain == CertsErrorDomain {
    public static let invalidRequest = Self("certs-invalid-request")
    public static let unreadableMaterial = Self("certs-unreadable-material")
    public static let wrongKind = Self("certs-wrong-kind")
    public static let unsupportedKey = Self("certs-unsupported-key")
    public static let signingFailed = Self("certs-signing-failed", kind: .device)
    public static let fileUnwritable = Self("certs-file-unwritable")
    public static let fileExists = Self("certs-file-exists")
    public static let tooLarge = Self("certs-packed-too-large")
}
