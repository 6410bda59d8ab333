/// The SPI size map a firmware is compiled for. The NONOS SDK's Makefile takes `SPI_SIZE_MAP=N`
/// from the make command line (which wins) or the environment and compiles it in as
/// `SPI_FLASH_SIZE_MAP`; the SDK then reads its system sectors at that map's addresses, so the
/// image header's flash size and every planned address must agree with it.
public struct CompiledSizeMap: Sendable, Hashable {
    public var layout: FlashLayout
    /// Where the number was found, e.g. `the build command (Profiles/x.toml:12)`.
    public var source: String

    public init(layout: FlashLayout, source: String) {
        self.layout = layout
        self.source = source
    }

    /// Finds `SPI_SIZE_MAP=N` in a build command line, else in the build environment.
    public static func find(command: String?, commandSource: String,
                            environment: [(name: String, value: String, source: String)]) throws -> CompiledSizeMap? {
        let assignments = (command ?? "").split(whereSeparator: \.isWhitespace)
            .compactMap { token -> Substring? in
                let text = token.drop { $0 == "'" || $0 == "\"" }
                guard text.hasPrefix("SPI_SIZE_MAP=") else { return nil }
                return text.dropFirst("SPI_SIZE_MAP=".count).prefix { $0.isNumber }
            }
        if let number = assignments.last {
            return try make(String(number), source: commandSource)
        }
        if let variable = environment.last(where: { $0.name == "SPI_SIZE_MAP" }) {
            return try make(variable.value, source: variable.source)
        }
        return nil
    }

    private static func make(_ text: String, source: String) throws -> CompiledSizeMap {
        guard let number = Int(text) else {
            throw FirmwareConfigError(.invalidValue, "SPI_SIZE_MAP=\(text) in \(source) is not a number", hint: "use 2, 3, 4, 5 or 6")
        }
        do {
            return CompiledSizeMap(layout: try FlashLayout(sizeMapNumber: number), source: source)
        } catch let error as FirmwareConfigError {
            throw FirmwareConfigError(error.code, "\(error.message) (\(source))", hint: error.hint)
        }
    }
}
