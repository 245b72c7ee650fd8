// Point lookups in a block without allocating an iterator. Format: Docs/segment_format.md.

extension Block {
    /// Reads a varint at `p` (< `limit`), advancing `p`; nil if malformed.
    @inline(__always)
    private func varint(_ base: UnsafeRawPointer, _ p: inout Int, _ limit: Int) -> Int? {
        var result = 0
        var shift = 0
        while p < limit && shift <= 28 {
            let b = base.load(fromByteOffset: p, as: UInt8.self)
            p += 1
            result |= Int(b & 0x7f) << shift
            if b < 0x80 { return result }
            shift += 7
        }
        return nil
    }

    /// Reads an entry header (shared, non-shared and value lengths) at `p`, advancing `p`; nil if
    /// malformed. Most headers are three one-byte varints, read without a loop.
    @inline(__always)
    private func entryHeader(_ base: UnsafeRawPointer, _ p: inout Int, _ limit: Int) -> (shared: Int, nonShared: Int, valueLength: Int)? {
        if p + 3 <= limit {
            let a = base.load(fromByteOffset: p, as: UInt8.self)
            let b = base.load(fromByteOffset: p + 1, as: UInt8.self)
            let c = base.load(fromByteOffset: p + 2, as: UInt8.self)
            if (a | b | c) < 0x80 {
                p += 3
                return (Int(a), Int(b), Int(c))
            }
        }
        guard let s = varint(base, &p, limit), let n = varint(base, &p, limit), let v = varint(base, &p, limit) else { return nil }
        return (s, n, v)
    }

    /// Calls `body` with the key and value of the first entry whose internal key is >= `target`;
    /// nil if there is none. Keys up to 1 KiB are rebuilt in a stack buffer; longer ones fall
    /// back to an iterator. Throws corruption naming the file and block offset.
    func withFirstEntry<T>(atOrAfter target: UnsafeRawBufferPointer, file: String?, offset: Int64,
                           _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> T) throws -> T? {
        let base = UnsafeRawPointer(data.baseAddress!)
        let limit = restartsOffset
        let restarts = base + restartsOffset
        @inline(__always)
        func restart(_ i: Int) -> Int {
            Int(UInt32(littleEndian: restarts.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
        }
        func corrupt(_ at: Int) -> StorageError {
            .corruption("bad entry in block", file: file, offset: offset + Int64(at))
        }
        // Binary search for the last restart point whose key is < target.
        var lo = 0
        var hi = restartCount - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            var p = restart(mid)
            guard p < limit, let h = entryHeader(base, &p, limit), h.shared == 0, h.nonShared >= 8,
                  p + h.nonShared <= limit else { throw corrupt(restart(mid)) }
            if compareInternalKeys(UnsafeRawBufferPointer(start: base + p, count: h.nonShared), target) < 0 {
                lo = mid
            } else {
                hi = mid - 1
            }
        }
        let capacity = 1024
        let outcome: PointSeekOutcome<T> = try withUnsafeTemporaryAllocation(byteCount: capacity, alignment: 8) { buffer in
            let key = buffer.baseAddress!
            var keyLength = 0
            var p = restart(lo)
            guard p <= limit else { throw corrupt(p) }
            while p < limit {
                let entry = p
                guard let h = entryHeader(base, &p, limit) else { throw corrupt(entry) }
                let shared = h.shared, nonShared = h.nonShared, vlen = h.valueLength
                guard shared <= keyLength, shared + nonShared >= 8, p + nonShared + vlen <= limit else { throw corrupt(entry) }
                if shared + nonShared > capacity { return .tooLong }
                (key + shared).copyMemory(from: base + p, byteCount: nonShared)
                keyLength = shared + nonShared
                p += nonShared
                let k = UnsafeRawBufferPointer(start: key, count: keyLength)
                if compareInternalKeys(k, target) >= 0 {
                    return .found(body(k, UnsafeRawBufferPointer(start: base + p, count: vlen)))
                }
                p += vlen
            }
            return .none
        }
        switch outcome {
        case .found(let v): return v
        case .none: return nil
        case .tooLong:
            let it = makeIterator(file: file, offset: offset)
            it.seek(target)
            if let e = it.error { throw e }
            return it.isValid ? body(it.key, it.value) : nil
        }
    }
}

enum PointSeekOutcome<T> {
    case found(T)
    case none
    case tooLong
}
