import CLZ4

/// Block compression. On-disk: never change the raw values.
enum CompressionType: UInt8, Sendable {
    case none = 0
    case lz4 = 1
}

/// LZ4 block compression through the system liblz4. A compressed block stores its raw length
/// as a varint ahead of the LZ4 data, so decompression knows its output size.
enum LZ4Codec {
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

/// Compresses blocks one after another with one LZ4 state, as a segment writer needs: a fresh
/// state per block (what `LZ4_compress_default` does) clears a 16 KiB hash table every time,
/// which cost a quarter of the compression of a 4 KiB block. Each block starts a new stream
/// (`LZ4_resetStream_fast`), so it references no earlier block and decodes on its own, exactly
/// like before: the stored format does not change.
final class LZ4Compressor {
    private let stream: UnsafeMutablePointer<LZ4_stream_t>
    private var output: UnsafeMutableRawPointer
    private var capacity: Int

    init() {
        stream = LZ4_createStream()
        capacity = 0
        output = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 8)
    }

    deinit {
        LZ4_freeStream(stream)
        output.deallocate()
    }

    /// `raw` as varint(raw length) + LZ4 data, when that saves more than 1/8 of its size;
    /// otherwise nil (the block is stored uncompressed). The bytes stay valid until the next call.
    func compress(_ raw: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard raw.count > 0, raw.count <= Int(LZ4_MAX_INPUT_SIZE) else { return nil }
        let bound = Int(LZ4_compressBound(Int32(raw.count)))
        let needed = 10 + bound
        if needed > capacity {
            output.deallocate()
            capacity = Swift.max(needed, 2 * capacity)
            output = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        }
        var header = 0
        var v = UInt64(raw.count)
        while v >= 0x80 {
            output.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, toByteOffset: header, as: UInt8.self)
            v >>= 7
            header += 1
        }
        output.storeBytes(of: UInt8(v), toByteOffset: header, as: UInt8.self)
        header += 1
        LZ4_resetStream_fast(stream)
        let n = LZ4_compress_fast_continue(stream, raw.baseAddress!.assumingMemoryBound(to: CChar.self),
                                           (output + header).assumingMemoryBound(to: CChar.self),
                                           Int32(raw.count), Int32(bound), 1)
        guard n > 0 else { return nil }
        let stored = header + Int(n)
        return stored < raw.count - raw.count / 8 ? UnsafeRawBufferPointer(start: output, count: stored) : nil
    }
}
