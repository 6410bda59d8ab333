import Foundation
import EsprigTestSupport

/// The openssl CLI as an independent checker of what esprig issues (tests only).
struct OpenSSL {
    let tool = ToolRunner(executable: "/usr/bin/openssl")

    func run(_ args: [String]) throws -> (status: Int32, output: String) {
        try tool.run(args, timeout: .seconds(60))
    }

    /// `openssl x509 -text -noout` of a PEM or DER file.
    func text(_ path: String) throws -> String {
        let form = (try? Data(contentsOf: URL(fileURLWithPath: path)))?.first == 0x30 ? "DER" : "PEM"
        let result = try run(["x509", "-in", path, "-inform", form, "-noout", "-text"])
        guard result.status == 0 else { throw Failed(output: result.output) }
        return result.output
    }

    /// `openssl verify -CAfile ca leaf` (with extra flags): the exit status and output.
    func verify(ca: String, _ leaf: String, _ flags: [String] = []) throws -> (status: Int32, output: String) {
        try run(["verify"] + flags + ["-CAfile", ca, leaf])
    }

    struct Failed: Error { let output: String }
}
