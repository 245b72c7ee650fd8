// Point lookups in a block without allocating an iterator. Format: Docs/segment_format.md.

extension Block {
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
            guard p < limit, let h = readBlockEntryHeader(base, &p, limit), h.shared == 0, h.nonShared >= 8,
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
                guard let h = readBlockEntryHeader(base, &p, limit) else { throw corrupt(entry) }
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
