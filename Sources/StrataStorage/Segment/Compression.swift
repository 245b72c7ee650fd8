import CLZ4

/// Block compression. On-disk: never change the raw values.
enum CompressionType: UInt8, Sendable {
    case none = 0
    case lz4 = 1
}

/// LZ4 block compression through the system liblz4. A compressed block stores its raw length
/// as a varint ahead of the LZ4 data, so decompression knows its output size.
enum LZ4Codec {
    /// Compresses `raw` into `scratch` as varint(raw length) + LZ4 data; returns true only if
    /// that saves more than 1/8 of the size (otherwise the block is stored uncompressed).
    static func compress(_ raw: [UInt8], scratch: inout [UInt8]) -> Bool {
        let bound = Int(LZ4_compressBound(Int32(raw.count)))
        scratch.removeAll(keepingCapacity: true)
        putVarint(raw.count, into: &scratch)
        let header = scratch.count
        scratch.append(contentsOf: repeatElement(0, count: bound))
        let n = raw.withUnsafeBytes { src in
            scratch.withUnsafeMutableBytes { dst in
                LZ4_compress_default(src.baseAddress?.assumingMemoryBound(to: CChar.self),
                                     (dst.baseAddress! + header).assumingMemoryBound(to: CChar.self),
                                     Int32(raw.count), Int32(bound))
            }
        }
        guard n > 0 else { return false }
        scratch.removeSubrange((header + Int(n))...)
        return scratch.count < raw.count - raw.count / 8
    }

    /// Decompresses into newly allocated memory the caller owns; nil if the data is malformed.
    static func decompress(_ stored: UnsafeRawBufferPointer) -> UnsafeMutableRawBufferPointer? {
        var r = ByteReader(stored)
        guard let rawLength = r.readVarintInt(), rawLength <= 1 << 30 else { return nil }
        let out = UnsafeMutableRawBufferPointer.allocate(byteCount: max(rawLength, 1), alignment: 8)
        let src = UnsafeRawBufferPointer(rebasing: stored[r.position...])
        let n = LZ4_decompress_safe(src.baseAddress?.assumingMemoryBound(to: CChar.self),
                                    out.baseAddress!.assumingMemoryBound(to: CChar.self),
                                    Int32(src.count), Int32(rawLength))
        guard n == rawLength else {
            out.deallocate()
            return nil
        }
        return UnsafeMutableRawBufferPointer(rebasing: out[0..<rawLength])
    }
}
