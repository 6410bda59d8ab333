import Foundation

/// Writes certificates and keys atomically: a temp file in the same directory, created with its
/// final mode (0600 for keys, so the secret is never readable by others, not even briefly),
/// synced, then renamed over the target.
public struct MaterialWriter: Sendable {
    /// Replace files that exist (otherwise an existing file is an error).
    public var overwrite: Bool

    public init(overwrite: Bool = false) {
        self.overwrite = overwrite
    }

    public func writeCertificate(_ bytes: [UInt8], to path: String) throws(CertsError) {
        try write(bytes, to: path, mode: 0o644)
    }

    public func writePrivateKey(_ bytes: [UInt8], to path: String) throws(CertsError) {
        try write(bytes, to: path, mode: 0o600)
    }

    /// The credential as `certificatePath` (PEM) and `keyPath` (PEM, 0600). Neither is written
    /// when either already exists and `overwrite` is off.
    public func write(_ credential: IssuedCredential, certificatePath: String, keyPath: String) throws(CertsError) {
        if !overwrite {
            for path in [certificatePath, keyPath] where FileManager.default.fileExists(atPath: path) {
                throw CertsError(.fileExists, "\(path) already exists", hint: "pass --force to replace it, or choose another --dir")
            }
        }
        try writePrivateKey(Array(credential.privateKeyPEM.utf8), to: keyPath)
        try writeCertificate(Array(credential.certificatePEM.utf8), to: certificatePath)
    }

    func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws(CertsError) {
        let directory = (path as NSString).deletingLastPathComponent
        let folder = directory.isEmpty ? "." : directory
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw CertsError(.fileUnwritable, "cannot create \(folder): \(error.localizedDescription)")
        }
        if !overwrite, FileManager.default.fileExists(atPath: path) {
            throw CertsError(.fileExists, "\(path) already exists", hint: "pass --force to replace it")
        }
        let temporary = "\(folder)/.\((path as NSString).lastPathComponent).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw CertsError(.fileUnwritable, "cannot write \(path): \(String(cString: strerror(errno)))", hint: "check the directory's permissions")
        }
        var failure: String?
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += written
            }
        }
        if failure == nil, fchmod(fd, mode) != 0 || fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw CertsError(.fileUnwritable, "cannot write \(path): \(failure)")
        }
    }
}
