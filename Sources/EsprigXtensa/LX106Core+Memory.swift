/// One mapped range: memory the core owns (or borrows), or a window onto the `Bus`.
struct Region {
    var base: UInt32
    var size: UInt32
    /// nil for I/O (the bus answers).
    var pointer: UnsafeMutableRawPointer?
    var access: MemoryAccess
    var isEnabled: Bool
    var ownsMemory: Bool

    func contains(_ address: UInt32, count: UInt32) -> Bool {
        let offset = address &- base
        return offset < size && count <= size - offset
    }
}

/// A handle on a mapped memory range, for the host to fill, read and switch on or off.
public struct MemoryRegionID: Hashable, Sendable {
    let index: Int
}

/// Why a memory access did not happen; the interpreter turns these into exception causes.
enum AccessFault {
    case none, alignment, loadStoreError, prohibited
}

extension LX106Core {
    /// Maps `size` bytes of zeroed memory at `base`. Later mappings are looked up first, so a
    /// smaller range can shadow part of a larger one.
    @discardableResult
    public func mapMemory(base: UInt32, size: UInt32, access: MemoryAccess, enabled: Bool = true) -> MemoryRegionID {
        // 4 bytes of padding: instruction fetch reads a whole word even for the last instruction.
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: Int(size) + 4, alignment: 16)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: Int(size) + 4)
        return addRegion(Region(base: base, size: size, pointer: pointer, access: access, isEnabled: enabled, ownsMemory: true))
    }

    /// Loads and stores in [base, base+size) go to the bus.
    @discardableResult
    public func mapIO(base: UInt32, size: UInt32) -> MemoryRegionID {
        addRegion(Region(base: base, size: size, pointer: nil, access: [.read, .write], isEnabled: true, ownsMemory: false))
    }

    private func addRegion(_ region: Region) -> MemoryRegionID {
        precondition(regionCount < Self.maxRegions, "too many mapped regions")
        (regions + regionCount).initialize(to: region)
        regionCount += 1
        return MemoryRegionID(index: regionCount - 1)
    }

    /// A mapping is switched off (the flash cache before `Cache_Read_Enable`): accesses fault.
    public func setEnabled(_ id: MemoryRegionID, _ enabled: Bool) {
        regions[id.index].isEnabled = enabled
    }

    /// Copies `bytes` into region `id` from `offset` (the host loading RAM or refilling a cache window).
    public func fill(_ id: MemoryRegionID, offset: Int = 0, with bytes: some Collection<UInt8>) {
        let region = regions[id.index]
        precondition(offset >= 0 && offset + bytes.count <= Int(region.size))
        guard let pointer = region.pointer else { return }
        var at = offset
        for byte in bytes { pointer.storeBytes(of: byte, toByteOffset: at, as: UInt8.self); at += 1 }
    }

    func region(for address: UInt32, count: UInt32) -> Region? {
        var index = regionCount
        while index > 0 {
            index -= 1
            let region = regions[index]
            if region.isEnabled && region.contains(address, count: count) { return region }
        }
        return nil
    }

    // MARK: Host access (ROM code written in Swift): plain memory only, any width, no exceptions.

    /// `count` bytes at `address`, or nil when any of them is not plain memory.
    public func readBytes(_ address: UInt32, count: Int) -> [UInt8]? {
        guard count > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let at = address &+ UInt32(done)
            guard let region = region(for: at, count: 1), let pointer = region.pointer else { return nil }
            let run = min(count - done, Int(region.size - (at - region.base)))
            out.withUnsafeMutableBytes { out in
                out.baseAddress!.advanced(by: done).copyMemory(from: pointer + Int(at - region.base), byteCount: run)
            }
            done += run
        }
        return out
    }

    /// Writes `bytes` at `address`; false (and nothing written past the gap) when it is not all plain memory.
    @discardableResult
    public func writeBytes(_ bytes: [UInt8], at address: UInt32) -> Bool {
        var done = 0
        while done < bytes.count {
            let at = address &+ UInt32(done)
            guard let region = region(for: at, count: 1), let pointer = region.pointer else { return false }
            let run = min(bytes.count - done, Int(region.size - (at - region.base)))
            bytes.withUnsafeBytes { source in
                (pointer + Int(at - region.base)).copyMemory(from: source.baseAddress!.advanced(by: done), byteCount: run)
            }
            done += run
        }
        return true
    }

    public func readWord(_ address: UInt32) -> UInt32? {
        guard let region = region(for: address, count: 4) else { return nil }
        if let pointer = region.pointer {
            return UInt32(littleEndian: pointer.loadUnaligned(fromByteOffset: Int(address - region.base), as: UInt32.self))
        }
        return bus.load(address, size: 4)
    }

    @discardableResult
    public func writeWord(_ value: UInt32, at address: UInt32) -> Bool {
        guard let region = region(for: address, count: 4) else { return false }
        if let pointer = region.pointer {
            pointer.storeBytes(of: value.littleEndian, toByteOffset: Int(address - region.base), as: UInt32.self)
            return true
        }
        return bus.store(address, value: value, size: 4)
    }

    /// A NUL-terminated string of at most `limit` bytes (without the NUL), or nil if unmapped first.
    public func readCString(_ address: UInt32, limit: Int = 4096) -> [UInt8]? {
        var out: [UInt8] = []
        var at = address
        while out.count < limit {
            guard let region = region(for: at, count: 1), let pointer = region.pointer else { return out.isEmpty ? nil : out }
            let byte = pointer.load(fromByteOffset: Int(at - region.base), as: UInt8.self)
            if byte == 0 { return out }
            out.append(byte)
            at &+= 1
        }
        return out
    }

    // MARK: The interpreter's slow path

    /// A load the fast path could not do: I/O, another region, or a fault.
    func slowLoad(_ address: UInt32, size: UInt32, fault: inout AccessFault) -> UInt32 {
        if size > 1 && address & (size - 1) != 0 { fault = .alignment; return 0 }
        guard let region = region(for: address, count: size), region.access.contains(.read) else { fault = .prohibited; return 0 }
        if size < 4 && region.access.contains(.wordOnly) { fault = .loadStoreError; return 0 }
        guard let pointer = region.pointer else {
            guard let value = bus.load(address, size: Int(size)) else { fault = .prohibited; return 0 }
            return size == 4 ? value : value & ((1 << (size * 8)) - 1)
        }
        let offset = Int(address - region.base)
        switch size {
        case 1: return UInt32(pointer.load(fromByteOffset: offset, as: UInt8.self))
        case 2: return UInt32(UInt16(littleEndian: pointer.load(fromByteOffset: offset, as: UInt16.self)))
        default: return UInt32(littleEndian: pointer.load(fromByteOffset: offset, as: UInt32.self))
        }
    }

    func slowStore(_ address: UInt32, value: UInt32, size: UInt32, fault: inout AccessFault) {
        if size > 1 && address & (size - 1) != 0 { fault = .alignment; return }
        guard let region = region(for: address, count: size) else { fault = .prohibited; return }
        guard region.access.contains(.write) else {
            // Instruction memories that are read-only (ROM, the flash cache) answer with a bus error.
            fault = region.access.contains(.execute) ? .loadStoreError : .prohibited
            return
        }
        if size < 4 && region.access.contains(.wordOnly) { fault = .loadStoreError; return }
        guard let pointer = region.pointer else {
            if !bus.store(address, value: value, size: Int(size)) { fault = .prohibited }
            return
        }
        let offset = Int(address - region.base)
        switch size {
        case 1: pointer.storeBytes(of: UInt8(truncatingIfNeeded: value), toByteOffset: offset, as: UInt8.self)
        case 2: pointer.storeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian, toByteOffset: offset, as: UInt16.self)
        default: pointer.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt32.self)
        }
    }
}
