import CStrataSupport
import Testing
@testable import StrataStorage

@Suite struct CodingTests {
    @Test(arguments: [UInt64(0), 1, 127, 128, 300, 16383, 16384, UInt64(UInt32.max), UInt64.max - 1, UInt64.max])
    func varintRoundTrip(_ v: UInt64) {
        var out: [UInt8] = []
        putVarint(v, into: &out)
        #expect(out.count == varintLength(v))
        out.withUnsafeBytes { p in
            var r = ByteReader(p)
            #expect(r.readVarint() == v)
            #expect(r.isAtEnd)
        }
    }

    @Test func truncatedVarintIsRejected() {
        var out: [UInt8] = []
        putVarint(UInt64(1) << 40, into: &out)
        out.removeLast()
        out.withUnsafeBytes { p in
            var r = ByteReader(p)
            #expect(r.readVarint() == nil)
        }
    }

    /// The fast path (three interleaved chains on x86-64 with SSE4.2) equals the table version for
    /// every length up to three strides and then some, at every alignment, and when extended in
    /// pieces cut anywhere.
    @Test func crc32cFastPathMatchesTables() {
        var rng = SeededRandom(seed: 99)
        let data = (0..<5000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        data.withUnsafeBytes { all in
            for offset in 0..<8 {
                for length in Array(0...2400) + Array(stride(from: 2401, through: 4900, by: 37)) {
                    let p = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + length)])
                    let fast = strata_crc32c_extend(0x1234_5678, p.baseAddress, p.count)
                    let tables = strata_crc32c_portable(0x1234_5678, p.baseAddress, p.count)
                    #expect(fast == tables, "length \(length) at offset \(offset)")
                }
            }
            for _ in 0..<200 {
                let n = Int(rng.next() % 5000)
                let cut = n == 0 ? 0 : Int(rng.next() % UInt64(n))
                let whole = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: all[0..<n]))
                let first = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: all[0..<cut]))
                #expect(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: all[cut..<n]), seed: first) == whole)
                #expect(strata_crc32c_portable(0, all.baseAddress, n) == whole)
            }
        }
    }

    @Test func crc32cKnownValues() {
        // Check values from the CRC-32C definition (RFC 3720, appendix B.4).
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xff, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum(Array(0..<32)) == 0x46DD_794E)
        // Extending equals checksumming the concatenation.
        let a = Array("hello ".utf8), b = Array("world".utf8)
        #expect(CRC32C.checksum(b, seed: CRC32C.checksum(a)) == CRC32C.checksum(a + b))
    }

    @Test func maskRoundTrips() {
        for v: UInt32 in [0, 1, 0xdead_beef, .max] {
            #expect(CRC32C.unmask(CRC32C.mask(v)) == v)
            #expect(CRC32C.mask(v) != v)
        }
    }
}
