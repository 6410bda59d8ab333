/// The text of a mosquitto (2.x) listener for mutual-TLS devices and of its ACL file. Values in,
/// text out; writing the files is the caller's job.
public struct MosquittoConfig: Sendable, Hashable {
    public enum Identity: Sendable, Hashable {
        /// The client certificate's CN is the user name (`use_identity_as_username true`).
        case certificate
        /// User name and password from a mosquitto_passwd file, on top of the certificate.
        case password(file: String)
    }

    public var port: Int
    /// Listener address; nil binds every interface.
    public var bind: String?
    public var caFile: String
    public var certFile: String
    public var keyFile: String
    /// `tlsv1.2` or `tlsv1.3`.
    public var tlsVersion: String
    public var identity: Identity
    /// Where the ACL file will be (mosquitto needs the absolute path).
    public var aclFile: String
    /// Topic patterns each device may read and write (`%u` user name, `%c` client id).
    public var aclPatterns: [String]
    /// Said in the header comment: where this came from.
    public var origin: String

    public init(port: Int, bind: String?, caFile: String, certFile: String, keyFile: String, tlsVersion: String,
                identity: Identity, aclFile: String, aclPatterns: [String], origin: String) {
        self.port = port
        self.bind = bind
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.tlsVersion = tlsVersion
        self.identity = identity
        self.aclFile = aclFile
        self.aclPatterns = aclPatterns
        self.origin = origin
    }

    /// A listener block: `mosquitto -c FILE`, or put it in a directory named by `include_dir`.
    public var listenerText: String {
        var lines = [
            "# mosquitto listener for ESP devices with mutual TLS, written by \(origin).",
            "# Use it with `mosquitto -c THIS_FILE`, or copy it into the directory your mosquitto.conf names in include_dir.",
            "",
            "listener \(port)" + (bind.map { " \($0)" } ?? ""),
            "protocol mqtt",
            "cafile \(caFile)",
            "certfile \(certFile)",
            "keyfile \(keyFile)",
            "# Every device must present a certificate signed by cafile.",
            "require_certificate true",
        ]
        switch identity {
        case .certificate:
            lines += ["# The certificate's Common Name is the MQTT user name (%u in the ACL).", "use_identity_as_username true"]
        case .password(let file):
            lines += ["# User names and passwords from mosquitto_passwd; the certificate is checked as well.", "use_identity_as_username false", "password_file \(file)"]
        }
        lines += [
            "# The ESP8266 TLS stack speaks TLS 1.2 at most.",
            "tls_version \(tlsVersion)",
            "allow_anonymous false",
            "acl_file \(aclFile)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Each device may use only topics under its own name.
    public var aclText: String {
        var lines = [
            "# mosquitto ACL written by \(origin): each device reads and writes only its own topics",
            "# (%u is the user name" + (identity == .certificate ? ", i.e. the certificate's Common Name" : "") + "; %c the client id).",
        ]
        lines += aclPatterns.map { "pattern readwrite \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A path mosquitto reads as one token: refuse whitespace and line breaks rather than quote.
    public static func unsafePath(_ path: String) -> Bool {
        path.contains { $0.isWhitespace || $0.isNewline || $0 == "#" }
    }
}
