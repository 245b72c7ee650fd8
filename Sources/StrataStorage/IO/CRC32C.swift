import CStrataSupport

/// CRC-32C (Castagnoli). Stored checksums are masked (see `mask`) so that a checksum
/// computed over bytes that themselves contain checksums stays well distributed.
enum CRC32C {
    @inline(__always)
    static func checksum(_ p: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        strata_crc32c_extend(seed, p.baseAddress, p.count)
    }

    static func checksum(_ a: [UInt8], seed: UInt32 = 0) -> UInt32 {
        a.withUnsafeBytes { checksum($0, seed: seed) }
    }

    static let maskDelta: UInt32 = 0xa282_ead8

    @inline(__always)
    static func mask(_ crc: UInt32) -> UInt32 { ((crc >> 15) | (crc << 17)) &+ maskDelta }

    @inline(__always)
    static func unmask(_ masked: UInt32) -> UInt32 {
        let rot = masked &- maskDelta
        return (rot >> 17) | (rot << 15)
    }
}
