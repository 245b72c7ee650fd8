@testable import StrataStorage

/// A deterministic generator (SplitMix64) so that fuzz cases repeat.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// "key007"
func key(_ i: Int) -> String {
    let s = String(i)
    return "key" + String(repeating: "0", count: max(0, 3 - s.count)) + s
}

/// A compressible value of about 100 bytes that names its key.
func value(_ i: Int) -> String {
    "value-\(i)-" + String(repeating: "abcd", count: 24)
}

/// A database in memory: its file system, directory and options.
struct TestDatabase {
    let fs = MemoryFileSystem()
    let dir = "/db"
    var options: StorageOptions

    init(blockBytes: Int = 512) {
        options = StorageOptions()
        options.fileSystem = fs
        options.backgroundWork = false
        options.blockBytes = blockBytes
    }

    func open() throws -> StorageEngine { try StorageEngine.open(at: dir, options: options) }

    func names() throws -> [String] { try fs.listDirectory(dir).sorted() }

    func path(_ name: String) -> String { dir + "/" + name }

    func files(withSuffix suffix: String) throws -> [String] { try names().filter { $0.hasSuffix(suffix) } }

    /// Writes keys 0..<count as puts (sequence i + 1), then deletes every key in `deleted`
    /// (sequence count + 1, ...), flushes, and closes. Returns the segment's name.
    @discardableResult
    func fill(count: Int, deleted: [Int] = [], flush: Bool = true) throws -> String? {
        let db = try open()
        for i in 0..<count { try db.put(bytes(key(i)), bytes(value(i))) }
        for d in deleted { try db.delete(bytes(key(d))) }
        if flush { try db.flush() }
        try db.close()
        return try files(withSuffix: ".seg").last
    }

    func contents(_ name: String) -> [UInt8] { fs.contents(of: path(name)) ?? [] }
    func setContents(_ name: String, _ b: [UInt8]) { fs.setContents(of: path(name), b) }
}

/// Writes a segment straight through `SegmentWriter` (entries given as user key, sequence, kind,
/// value, in the order to write them: a test may give them out of order on purpose).
func writeSegment(_ fs: MemoryFileSystem, _ path: String, _ entries: [(String, UInt64, EntryKind, String)],
                  blockBytes: Int = 256, bloomBitsPerKey: Int = 10) throws {
    var o = StorageOptions()
    o.blockBytes = blockBytes
    o.bloomBitsPerKey = bloomBitsPerKey
    if !fs.fileExists("/seg") { try fs.createDirectory("/seg") }
    let file = try fs.openWritable(path, truncate: true)
    let w = SegmentWriter(file: file, options: o)
    for (k, s, kind, v) in entries { try w.add(InternalKey.make(bytes(k), s, kind), bytes(v)) }
    _ = try w.finish()
    try file.sync()
    try file.close()
}

/// Rewrites the block at `handle` after `change` edits its stored bytes, with a fresh checksum,
/// so that only the structural checks can notice.
func rewriteBlock(_ fs: MemoryFileSystem, _ path: String, offset: Int, size: Int, _ change: (inout [UInt8]) -> Void) {
    var file = fs.contents(of: path)!
    var block = Array(file[offset..<(offset + size)])
    change(&block)
    precondition(block.count == size)
    file.replaceSubrange(offset..<(offset + size), with: block)
    let crc = CRC32C.checksum(Array(file[offset..<(offset + size + 1)]))
    var masked: [UInt8] = []
    putFixed32(CRC32C.mask(crc), into: &masked)
    file.replaceSubrange((offset + size + 1)..<(offset + size + 5), with: masked)
    fs.setContents(of: path, file)
}
