import EsprigProtocol

/// A 32-bit little-endian ELF executable, read as far as elf2image needs: the entry point,
/// the section table with names and contents, and the program headers.
public struct ELFFile: Sendable {
    /// `e_machine` for Xtensa (EM_XTENSA), the ESP8266's CPU.
    public static let machineXtensa: UInt16 = 0x5E

    public struct Section: Sendable, Equatable {
        public var name: String
        public var type: UInt32
        public var flags: UInt32
        public var address: UInt32
        public var offset: UInt32
        public var size: UInt32
        /// File contents; empty for NOBITS sections (.bss).
        public var data: [UInt8]

        public static let typeProgBits: UInt32 = 1
        public static let typeStringTable: UInt32 = 3
        public static let typeNoBits: UInt32 = 8
        public static let typeInitArray: UInt32 = 0x0E
        public static let typeFiniArray: UInt32 = 0x0F
        public static let typePreinitArray: UInt32 = 0x10

        /// Types whose bytes belong in a firmware image (esptool `ELFFile.PROG_SEC_TYPES`).
        public var isProgram: Bool {
            [Self.typeProgBits, Self.typeInitArray, Self.typeFiniArray, Self.typePreinitArray].contains(type)
        }
    }

    public struct ProgramHeader: Sendable, Equatable {
        public var type: UInt32
        public var offset: UInt32
        public var virtualAddress: UInt32
        public var physicalAddress: UInt32
        public var fileSize: UInt32
        public var memorySize: UInt32
        public var flags: UInt32

        public static let typeLoad: UInt32 = 1
    }

    public var machine: UInt16
    public var entry: UInt32
    public var sections: [Section]
    public var programHeaders: [ProgramHeader]

    static let fileHeaderSize = 0x34
    static let sectionHeaderSize = 0x28
    static let programHeaderSize = 0x20

    /// Parses `bytes`; every offset and size is checked against the file, so a damaged file
    /// gives an `ImageError` naming what is wrong instead of a trap.
    public init(bytes: [UInt8]) throws(ImageError) {
        guard bytes.count >= 4, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46 else {
            throw ImageError(.notELF, "not an ELF file (no \\x7fELF magic)", hint: "pass the linker's .elf output, not a .bin or source file")
        }
        guard bytes.count >= Self.fileHeaderSize else {
            throw ImageError(.truncated, "ELF file is truncated: \(bytes.count) bytes, the header alone needs \(Self.fileHeaderSize)",
                             hint: "rebuild the firmware; the file was cut short")
        }
        guard bytes[4] == 1, bytes[5] == 1 else {
            throw ImageError(.notELF, "ELF file is not 32-bit little-endian (class \(bytes[4]), data \(bytes[5]))",
                             hint: "build with the xtensa-lx106-elf toolchain")
        }
        let reader = Reader(bytes: bytes)
        machine = reader.u16(0x12)
        guard machine == Self.machineXtensa else {
            throw ImageError(.wrongMachine, "ELF file is for machine \(hexString(machine, digits: 4)), not Xtensa (0x005e)",
                             hint: "build with the xtensa-lx106-elf toolchain for the ESP8266")
        }
        entry = reader.u32(0x18)
        let programOffset = Int(reader.u32(0x1C))
        let sectionOffset = Int(reader.u32(0x20))
        let programEntrySize = Int(reader.u16(0x2A))
        let programCount = Int(reader.u16(0x2C))
        let sectionEntrySize = Int(reader.u16(0x2E))
        let sectionCount = Int(reader.u16(0x30))
        let nameTableIndex = Int(reader.u16(0x32))

        guard sectionEntrySize == Self.sectionHeaderSize else {
            throw ImageError(.malformed, "ELF section header entries are \(sectionEntrySize) bytes, expected \(Self.sectionHeaderSize)")
        }
        guard sectionCount > 0 else {
            throw ImageError(.malformed, "ELF file has no section headers", hint: "elf2image needs an unstripped linker output")
        }
        try reader.require(offset: sectionOffset, count: sectionCount * sectionEntrySize, what: "section header table")
        guard nameTableIndex < sectionCount else {
            throw ImageError(.malformed, "ELF section name table index \(nameTableIndex) is outside the \(sectionCount) sections")
        }
        let raw = (0..<sectionCount).map { i in RawSection(reader, at: sectionOffset + i * sectionEntrySize) }
        let names = raw[nameTableIndex]
        try reader.require(offset: Int(names.offset), count: Int(names.size), what: "section name table")
        let nameTable = Array(bytes[Int(names.offset)..<Int(names.offset) + Int(names.size)])

        var sections: [Section] = []
        for section in raw {
            let hasData = section.type != Section.typeNoBits && section.size > 0
            if hasData {
                try reader.require(offset: Int(section.offset), count: Int(section.size), what: "section data")
            }
            sections.append(Section(
                name: Self.string(in: nameTable, at: Int(section.nameOffset)), type: section.type, flags: section.flags,
                address: section.address, offset: section.offset, size: section.size,
                data: hasData ? Array(bytes[Int(section.offset)..<Int(section.offset) + Int(section.size)]) : []))
        }
        self.sections = sections

        var programHeaders: [ProgramHeader] = []
        if programCount > 0 {
            guard programEntrySize == Self.programHeaderSize else {
                throw ImageError(.malformed, "ELF program header entries are \(programEntrySize) bytes, expected \(Self.programHeaderSize)")
            }
            try reader.require(offset: programOffset, count: programCount * programEntrySize, what: "program header table")
            for i in 0..<programCount {
                let at = programOffset + i * programEntrySize
                programHeaders.append(ProgramHeader(
                    type: reader.u32(at), offset: reader.u32(at + 4), virtualAddress: reader.u32(at + 8),
                    physicalAddress: reader.u32(at + 12), fileSize: reader.u32(at + 16),
                    memorySize: reader.u32(at + 20), flags: reader.u32(at + 24)))
            }
        }
        self.programHeaders = programHeaders
    }

    public func section(named name: String) -> Section? {
        sections.first { $0.name == name }
    }

    /// A NUL-terminated name; an unterminated or out-of-range one reads as what is there.
    private static func string(in table: [UInt8], at offset: Int) -> String {
        guard offset >= 0, offset < table.count else { return "" }
        let end = table[offset...].firstIndex(of: 0) ?? table.count
        return String(decoding: table[offset..<end], as: UTF8.self)
    }

    private struct RawSection {
        var nameOffset, type, flags, address, offset, size: UInt32
        init(_ r: Reader, at base: Int) {
            nameOffset = r.u32(base)
            type = r.u32(base + 4)
            flags = r.u32(base + 8)
            address = r.u32(base + 12)
            offset = r.u32(base + 16)
            size = r.u32(base + 20)
        }
    }

    /// Reads fields whose range the caller has already checked with `require`.
    private struct Reader {
        let bytes: [UInt8]
        func u32(_ offset: Int) -> UInt32 { bytes.u32LE(at: offset) ?? 0 }
        func u16(_ offset: Int) -> UInt16 { bytes.u16LE(at: offset) ?? 0 }
        func require(offset: Int, count: Int, what: String) throws(ImageError) {
            guard offset >= 0, count >= 0, offset <= bytes.count, count <= bytes.count - offset else {
                throw ImageError(.truncated, "ELF file is truncated: its \(what) (\(count) bytes at offset \(offset)) runs past the end of the \(bytes.count)-byte file",
                                 hint: "rebuild the firmware; the file was cut short")
            }
        }
    }
}
