// `strata-dump segment --check`: every checksum, key order, index and bloom consistency.

/// The outcome of checking one segment: what was checked, and the first problem, if any.
public struct SegmentCheck: Sendable, Equatable, Encodable {
    public var file: String
    public var dataBlocks: Int
    public var entries: UInt64
    /// Distinct user keys, each probed against the bloom filter.
    public var userKeys: UInt64
    public var problem: InspectionProblem?
    public var ok: Bool { problem == nil }
}

extension SegmentInspector {
    /// Opens and checks the segment at `path`; a file that does not open is reported as its problem.
    public static func check(path: String, fileSystem: any FileSystem = PosixFileSystem()) -> SegmentCheck {
        do {
            return try SegmentInspector(path: path, fileSystem: fileSystem).check()
        } catch let e as StorageError {
            return SegmentCheck(file: path, dataBlocks: 0, entries: 0, userKeys: 0, problem: InspectionProblem(e, file: path))
        } catch {
            return SegmentCheck(file: path, dataBlocks: 0, entries: 0, userKeys: 0,
                                problem: InspectionProblem(file: path, offset: nil, code: "io", message: "\(error)"))
        }
    }

    /// Verifies every block checksum, that the blocks tile the file, that keys increase within and
    /// across blocks, that each index key is >= the last key of its block and < the first key of
    /// the next, that every user key passes the bloom filter, and that the properties block agrees
    /// with the entries. Stops at the first problem.
    public func check() -> SegmentCheck {
        var result = SegmentCheck(file: path, dataBlocks: 0, entries: 0, userKeys: 0, problem: nil)
        func problem(_ message: String, at offset: UInt64?) -> SegmentCheck {
            result.problem = InspectionProblem(file: path, offset: offset.map { Int64($0) }, message: message)
            return result
        }
        let handles: [(handle: BlockHandle, indexKey: [UInt8])]
        do {
            handles = try dataHandles()
        } catch let e as StorageError {
            result.problem = InspectionProblem(e, file: path)
            return result
        } catch {
            return problem("index block: \(error)", at: footer.index.offset)
        }

        // Tiling: data blocks from offset 0, then filter, index, properties, footer, no gaps.
        let trailer = UInt64(SegmentFormat.blockTrailerSize)
        var expected: UInt64 = 0
        let named = handles.enumerated().map { ("data block \($0.offset)", $0.element.handle) }
            + [("filter block", footer.filter), ("index block", footer.index), ("properties block", footer.properties)]
        for (name, h) in named {
            if h.offset != expected {
                return problem("\(name): starts at offset \(h.offset), but the previous block ends at \(expected)", at: h.offset)
            }
            expected = h.offset + h.size + trailer  // fits() bounded these by the file size
        }
        if expected != footerOffset {
            return problem("footer: the properties block ends at \(expected), but the footer starts at \(footerOffset)", at: footerOffset)
        }

        // Filter shape.
        let p = properties
        let hasFilter = !filter.isEmpty
        if p.bloomBitsPerKey > 0 && p.entryCount > 0 {
            guard BloomFilter.kind(filter) != nil else {
                return problem("filter block: malformed bloom filter (\(filter.count) bytes) although bloom bits/key is \(p.bloomBitsPerKey)", at: footer.filter.offset)
            }
        }

        // Entries.
        var prevKey: [UInt8]? = nil
        var prevIndexKey: [UInt8]? = nil
        var prevUserKey: [UInt8]? = nil
        var deletions: UInt64 = 0, rawKeys: UInt64 = 0, rawValues: UInt64 = 0
        var rawData: UInt64 = 0, storedData: UInt64 = 0, compressed: UInt64 = 0
        var smallestSeq = UInt64.max, largestSeq: UInt64 = 0
        var firstKey: [UInt8]? = nil
        for (i, d) in handles.enumerated() {
            let name = "data block \(i)"
            let at = d.handle.offset
            if let prevIndexKey, compareInternalKeys(prevIndexKey, d.indexKey) >= 0 {
                return problem("index block: the key of \(name) does not follow the key of data block \(i - 1)", at: footer.index.offset)
            }
            prevIndexKey = d.indexKey
            let block: Block
            do {
                let raw = try Self.readRaw(file, d.handle)
                if raw.typeByte == CompressionType.lz4.rawValue { compressed += 1 }
                block = try Self.decode(raw)
            } catch let e as StorageError {
                return problem("\(name): \(e.message)", at: e.offset.map { UInt64($0) } ?? at)
            } catch {
                return problem("\(name): \(error)", at: at)
            }
            rawData += UInt64(block.size)
            storedData += d.handle.size
            let it = block.makeIterator(file: path, offset: Int64(at))
            it.seekToFirst()
            var n = 0
            var last: [UInt8]? = nil
            while it.isValid {
                let key = Array(it.key)
                if let prevKey, compareInternalKeys(prevKey, key) >= 0 {
                    let where_ = n == 0 ? "its first key does not follow the last key of data block \(i - 1)" : "entry \(n) is out of order"
                    return problem("\(name): \(where_) (\(InspectedKey(internal: key)!.render(.printable)) after \(InspectedKey(internal: prevKey)!.render(.printable)))", at: at)
                }
                if n == 0, i > 0, compareInternalKeys(handles[i - 1].indexKey, key) >= 0 {
                    return problem("index block: the key of data block \(i - 1) is not below the first key of \(name)", at: footer.index.offset)
                }
                if firstKey == nil { firstKey = key }
                let trailerWord = InternalKey.trailer(key)
                let seq = trailerWord >> 8
                let kind = UInt8(trailerWord & 0xff)
                guard EntryKind(rawValue: kind) != nil else {
                    return problem("\(name): entry \(n) has unknown kind \(kind)", at: at)
                }
                if kind == EntryKind.deletion.rawValue { deletions += 1 }
                smallestSeq = min(smallestSeq, seq)
                largestSeq = max(largestSeq, seq)
                rawKeys += UInt64(key.count)
                rawValues += UInt64(it.value.count)
                let userKey = Array(key[0..<(key.count - 8)])
                if userKey != prevUserKey {
                    result.userKeys += 1
                    if hasFilter {
                        let h = userKey.withUnsafeBytes { bloomHash($0) }
                        let pass = filter.withUnsafeBytes { BloomFilter.mayContain($0, hash: h) }
                        if !pass {
                            return problem("filter block: user key \(ByteFormat.printable.render(userKey)) of \(name) does not pass the bloom filter", at: footer.filter.offset)
                        }
                    }
                    prevUserKey = userKey
                }
                prevKey = key
                last = key
                n += 1
                result.entries += 1
                it.next()
            }
            if let e = it.error { return problem("\(name): \(e.message)", at: e.offset.map { UInt64($0) } ?? at) }
            guard let last else { return problem("\(name): the block holds no entries", at: at) }
            if compareInternalKeys(d.indexKey, last) < 0 {
                return problem("index block: the key of \(name) is below the block's last key", at: footer.index.offset)
            }
            result.dataBlocks += 1
        }

        // Properties against what was read.
        let props = footer.properties.offset
        let counts: [(String, UInt64, UInt64)] = [
            ("entry count", p.entryCount, result.entries), ("deletion count", p.deletionCount, deletions),
            ("data block count", p.dataBlockCount, UInt64(handles.count)),
            ("compressed block count", p.compressedBlockCount, compressed),
            ("raw key bytes", p.rawKeyBytes, rawKeys), ("raw value bytes", p.rawValueBytes, rawValues),
            ("raw data bytes", p.rawDataBytes, rawData), ("stored data bytes", p.storedDataBytes, storedData),
        ]
        for (name, stored, actual) in counts where stored != actual {
            return problem("properties block: \(name) is \(stored), but the data blocks hold \(actual)", at: props)
        }
        if result.entries > 0 {
            if p.smallestSequence != smallestSeq || p.largestSequence != largestSeq {
                return problem("properties block: sequence range \(p.smallestSequence)...\(p.largestSequence) differs from the entries' \(smallestSeq)...\(largestSeq)", at: props)
            }
            if p.smallestKey != firstKey || p.largestKey != prevKey {
                return problem("properties block: key range differs from the first and last entries", at: props)
            }
        }
        return result
    }
}
