import EsprigFraming
import EsprigProtocol
@testable import EsprigSimulator

/// A minimal host for driving a board in tests: sends command packets and decodes what comes
/// back (response packets, raw frames such as OHAI and READ_FLASH data, and non-SLIP bytes).
final class BoardHarness {
    let board: SimulatedBoard
    var now = Duration.zero

    init(_ chip: Chip, configure: (inout SimulatorOptions) -> Void = { _ in }) throws {
        var options = SimulatorOptions(chip: chip)
        configure(&options)
        board = try SimulatedBoard(options: options)
    }

    /// Frames in the output (SLIP-decoded), skipping bytes outside frames.
    static func frames(_ outputs: [BoardOutput]) -> [[UInt8]] {
        var decoder = SLIPDecoder(maxFrameSize: 1 << 20)
        return (try? decoder.feed(outputs.transmittedBytes)) ?? []
    }

    @discardableResult
    func send(_ opcode: Opcode, _ data: [UInt8] = [], checksum: UInt32 = 0) -> [BoardOutput] {
        now += .milliseconds(1)
        return board.receive(SLIP.encode(CommandPacket(opcode, data: data, checksum: checksum).encoded()), now: now)
    }

    /// Sends a command and returns the single response to it.
    func command(_ opcode: Opcode, _ data: [UInt8] = [], checksum: UInt32 = 0) -> ResponsePacket? {
        Self.frames(send(opcode, data, checksum: checksum)).compactMap(ResponsePacket.init(frame:))
            .first { $0.opcode == opcode.rawValue }
    }

    /// The first two status bytes of a response, given the result length before them.
    func status(_ opcode: Opcode, _ data: [UInt8] = [], checksum: UInt32 = 0, resultLength: Int = 0) -> [UInt8]? {
        command(opcode, data, checksum: checksum).map { Array($0.data[resultLength..<resultLength + 2]) }
    }

    func readReg(_ address: UInt32) -> UInt32? {
        command(.readReg, .le(address))?.value
    }

    func writeReg(_ address: UInt32, _ value: UInt32) {
        _ = command(.writeReg, .le(address, value, 0xFFFF_FFFF, 0))
    }

    func sync() -> [ResponsePacket] {
        Self.frames(send(.sync, [0x07, 0x07, 0x12, 0x20] + [UInt8](repeating: 0x55, count: 32)))
            .compactMap(ResponsePacket.init(frame:))
    }

    /// Uploads a fake stub with MEM_BEGIN/MEM_DATA/MEM_END and returns the raw frames after MEM_END.
    func startStub() -> [[UInt8]] {
        let text = [UInt8](repeating: 0x11, count: 100)
        _ = command(.memBegin, .le(100, 1, 0x1800, 0x4010_C500))
        _ = command(.memData, .le(100, 0, 0, 0) + text, checksum: UInt32(espChecksum(text)))
        return Self.frames(send(.memEnd, .le(0, 0x4010_C504)))
    }

    /// Sends a *_DATA block with a correct checksum.
    func dataBlock(_ opcode: Opcode, seq: UInt32, _ bytes: [UInt8]) -> [UInt8]? {
        status(opcode, .le(UInt32(bytes.count), seq, 0, 0) + bytes, checksum: UInt32(espChecksum(bytes)))
    }
}
