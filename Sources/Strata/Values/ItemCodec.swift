/// The compact binary encoding of an item, the engine value of an item. Format:
/// Docs/item_format.md.
///
///     item  = version (1 byte) + varint attribute count + (name + value)*
///     name  = varint length + UTF-8 bytes
///     value = tag (1 byte) + payload
///
/// Map entries and item attributes are written sorted by name (UTF-8 bytes), so equal items
/// encode to equal bytes.
public enum ItemCodec {
    /// Constants of the format. On-disk: never change.
    enum Format {
        static let version1: UInt8 = 1
        /// Decoding refuses deeper nesting than this (valid items have at most 32 levels).
        static let maxDecodeDepth = 64
    }

    /// Value tags. On-disk: never change; a retired tag is never reused.
    enum Tag: UInt8 {
        case s = 0x01
        case n = 0x02
        case b = 0x03
        case boolFalse = 0x04
        case boolTrue = 0x05
        case null = 0x06
        case m = 0x07
        case l = 0x08
        case ss = 0x09
        case ns = 0x0A
        case bs = 0x0B
    }

    public static func encode(_ item: Item) -> [UInt8] {
        encode(item, sizeHint: 64)
    }

    /// `sizeHint` is the item's DynamoDB size when known: the encoding is about that plus a few
    /// bytes per attribute, so one allocation usually holds it.
    static func encode(_ item: Item, sizeHint: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(sizeHint + 4 * item.count + 8)
        encode(item, into: &out)
        return out
    }

    public static func encode(_ item: Item, into out: inout [UInt8]) {
        out.append(Format.version1)
        encodeEntries(item, into: &out)
    }

    public static func decode(_ bytes: [UInt8]) throws(DynamoDBError) -> Item {
        var reader = Reader(bytes: bytes)
        let version = try reader.byte()
        guard version == Format.version1 else {
            throw DynamoDBError(.internalServerError, "Corrupt item: unknown item format version \(version) at byte 0")
        }
        let item = try reader.entries(depth: 1)
        guard reader.at == bytes.count else { throw reader.corrupt("trailing bytes") }
        return item
    }

    /// The DynamoDB size (`Item.itemSize`) of an encoded item, without decoding it: writes that
    /// only need the old item's size for the table's counters skip building it.
    public static func itemSize(ofEncoded bytes: [UInt8]) throws(DynamoDBError) -> Int {
        var reader = Reader(bytes: bytes)
        let version = try reader.byte()
        guard version == Format.version1 else {
            throw DynamoDBError(.internalServerError, "Corrupt item: unknown item format version \(version) at byte 0")
        }
        let size = try reader.entriesSize(depth: 1, perEntry: 0)
        guard reader.at == bytes.count else { throw reader.corrupt("trailing bytes") }
        return size
    }

    // MARK: Writing

    /// Validates an item as `Item.validateItem` does (every value, then the 400 KB limit) while
    /// encoding it: one pass over the attributes instead of two. Returns the encoding and the
    /// item's size.
    static func encodeValidated(_ item: Item) throws(DynamoDBError) -> (bytes: [UInt8], size: Int) {
        var out: [UInt8] = []
        out.reserveCapacity(64 + 24 * item.count)
        out.append(Format.version1)
        var check = Check(validating: true)
        encodeEntries(item, into: &out, check: &check)
        if let failure = check.failure { throw failure }
        let size = check.size
        if size > AttributeValue.maxItemSize { throw AttributeValue.itemSizeError }
        return (out, size)
    }

    /// What `encodeEntries` works out about the top-level entries when asked: their size, and the
    /// first validation error.
    struct Check {
        let validating: Bool
        var size = 0
        var failure: DynamoDBError?

        init(validating: Bool) { self.validating = validating }

        mutating func visit(_ name: String, _ value: AttributeValue) {
            guard validating else { return }
            if failure == nil {
                do throws(DynamoDBError) { try value.validate() } catch { failure = error }
            }
            size += name.utf8.count + value.size
        }
    }

    static func encodeEntries(_ entries: [String: AttributeValue], into out: inout [UInt8]) {
        var check = Check(validating: false)
        encodeEntries(entries, into: &out, check: &check)
    }

    static func encodeEntries(_ entries: [String: AttributeValue], into out: inout [UInt8], check: inout Check) {
        putVarint(UInt64(entries.count), into: &out)
        if entries.count == 1, let (name, value) = entries.first {
            check.visit(name, value)
            putString(name, into: &out)
            encodeValue(value, into: &out)
            return
        }
        // The entries are copied once into a stack buffer and sorted there (insertion sort:
        // attribute counts are small), so an item of up to 32 attributes allocates nothing and
        // reads each entry out of the dictionary once.
        let n = entries.count
        guard n <= 32 else {
            let order = entries.indices.sorted { utf8Less(entries[$0].key, entries[$1].key) }
            for i in order {
                let entry = entries[i]
                check.visit(entry.key, entry.value)
                putEntry(entry, into: &out)
            }
            return
        }
        withUnsafeTemporaryAllocation(of: (key: String, value: AttributeValue).self, capacity: n) { buffer in
            let base = buffer.baseAddress!
            var filled = 0
            for entry in entries {
                var j = filled
                while j > 0 && utf8Less(entry.key, base[j - 1].key) { j -= 1 }
                if j < filled { (base + j + 1).moveInitialize(from: base + j, count: filled - j) }
                (base + j).initialize(to: entry)
                filled += 1
            }
            for k in 0..<filled {
                let entry = (base + k).move()
                check.visit(entry.key, entry.value)
                putString(entry.key, into: &out)
                encodeValue(entry.value, into: &out)
            }
        }
    }

    static func putEntry(_ entry: (key: String, value: AttributeValue), into out: inout [UInt8]) {
        putString(entry.key, into: &out)
        encodeValue(entry.value, into: &out)
    }

    /// Whether `a` sorts before `b` by UTF-8 bytes (DynamoDB's order for names and strings).
    static func utf8Less(_ a: String, _ b: String) -> Bool {
        // Native strings (every string built here) lend their bytes without a copy.
        if let less = a.utf8.withContiguousStorageIfAvailable({ ua in
            b.utf8.withContiguousStorageIfAvailable { ub in bytesLess(ua, ub) }
        }), let less {
            return less
        }
        var a = a, b = b
        return a.withUTF8 { ua in b.withUTF8 { ub in bytesLess(ua, ub) } }
    }

    @inline(__always)
    static func bytesLess(_ ua: UnsafeBufferPointer<UInt8>, _ ub: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = min(ua.count, ub.count)
        var i = 0
        while i < n {
            let x = ua[i], y = ub[i]
            if x != y { return x < y }
            i += 1
        }
        return ua.count < ub.count
    }

    static func encodeValue(_ value: AttributeValue, into out: inout [UInt8]) {
        switch value {
        case .s(let s):
            out.append(Tag.s.rawValue)
            putString(s, into: &out)
        case .n(let n):
            out.append(Tag.n.rawValue)
            KeyEncoding.encodeNumber(n, into: &out)
        case .b(let b):
            out.append(Tag.b.rawValue)
            putVarint(UInt64(b.count), into: &out)
            out.append(contentsOf: b)
        case .bool(let v):
            out.append(v ? Tag.boolTrue.rawValue : Tag.boolFalse.rawValue)
        case .null:
            out.append(Tag.null.rawValue)
        case .m(let entries):
            out.append(Tag.m.rawValue)
            encodeEntries(entries, into: &out)
        case .l(let elements):
            out.append(Tag.l.rawValue)
            putVarint(UInt64(elements.count), into: &out)
            for e in elements { encodeValue(e, into: &out) }
        case .ss(let members):
            out.append(Tag.ss.rawValue)
            putVarint(UInt64(members.count), into: &out)
            for s in members { putString(s, into: &out) }
        case .ns(let members):
            out.append(Tag.ns.rawValue)
            putVarint(UInt64(members.count), into: &out)
            for n in members { KeyEncoding.encodeNumber(n, into: &out) }
        case .bs(let members):
            out.append(Tag.bs.rawValue)
            putVarint(UInt64(members.count), into: &out)
            for b in members {
                putVarint(UInt64(b.count), into: &out)
                out.append(contentsOf: b)
            }
        }
    }

    static func putString(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { utf8 in
            putVarint(UInt64(utf8.count), into: &out)
            out.append(contentsOf: utf8)
        }
    }

    /// LEB128: 7 bits a byte, low bits first, high bit set on all but the last byte.
    static func putVarint(_ v: UInt64, into out: inout [UInt8]) {
        var v = v
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    // MARK: Reading

    struct Reader {
        let bytes: [UInt8]
        var at = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func corrupt(_ what: String) -> DynamoDBError {
            DynamoDBError(.internalServerError, "Corrupt item: \(what) at byte \(at)")
        }

        mutating func byte() throws(DynamoDBError) -> UInt8 {
            guard at < bytes.count else { throw corrupt("unexpected end") }
            defer { at += 1 }
            return bytes[at]
        }

        mutating func varint() throws(DynamoDBError) -> Int {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let b = try byte()
                guard shift < 63 || (shift == 63 && b <= 1) else { throw corrupt("varint overflow") }
                result |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { break }
                shift += 7
            }
            guard result <= UInt64(bytes.count) else { throw corrupt("length beyond the value") }
            return Int(result)
        }

        mutating func raw(_ count: Int) throws(DynamoDBError) -> [UInt8] {
            guard count <= bytes.count - at else { throw corrupt("length beyond the value") }
            defer { at += count }
            return Array(bytes[at..<at + count])
        }

        mutating func string() throws(DynamoDBError) -> String {
            let count = try varint()
            guard count <= bytes.count - at else { throw corrupt("length beyond the value") }
            let start = at
            let text = bytes.withUnsafeBufferPointer { Self.makeString(UnsafeBufferPointer(rebasing: $0[start..<start + count])) }
            guard let text else { throw corrupt("invalid UTF-8") }
            at += count
            return text
        }

        /// A String from UTF-8 bytes, nil when they are not valid UTF-8. ASCII (most attribute
        /// names and many values) takes a word-at-a-time check and the non-validating
        /// initializer; `String(validating:as:)` is generic and costs a metadata lookup per call.
        static func makeString(_ utf8: UnsafeBufferPointer<UInt8>) -> String? {
            if isASCII(utf8) { return String(decoding: utf8, as: UTF8.self) }
            return String(validating: utf8, as: UTF8.self)
        }

        static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            guard let base = bytes.baseAddress else { return true }
            let raw = UnsafeRawPointer(base)
            let n = bytes.count
            var i = 0
            var acc: UInt64 = 0
            while i + 8 <= n {
                acc |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                i += 8
            }
            while i < n {
                acc |= UInt64(base[i])
                i += 1
            }
            return acc & 0x8080_8080_8080_8080 == 0
        }

        mutating func number() throws(DynamoDBError) -> Number {
            do {
                return try KeyEncoding.decodeNumber(bytes, at: &at)
            } catch {
                throw corrupt("malformed number")
            }
        }

        mutating func entries(depth: Int) throws(DynamoDBError) -> [String: AttributeValue] {
            let count = try varint()
            // Every entry takes at least two bytes: a damaged count must not reserve gigabytes.
            var out = [String: AttributeValue](minimumCapacity: min(count, (bytes.count - at) / 2))
            for _ in 0..<count {
                let name = try string()
                let value = try self.value(depth: depth)
                guard out.updateValue(value, forKey: name) == nil else { throw corrupt("duplicate name") }
            }
            return out
        }

        /// The size of `count` entries (names and values) as `AttributeValue.size` counts
        /// them, plus `perEntry` for each (1 inside a map, 0 at the top level).
        mutating func entriesSize(depth: Int, perEntry: Int) throws(DynamoDBError) -> Int {
            let count = try varint()
            var size = 0
            for _ in 0..<count {
                let n = try varint()
                guard n <= bytes.count - at else { throw corrupt("length beyond the value") }
                at += n
                size += perEntry + n + (try valueSize(depth: depth))
            }
            return size
        }

        /// The size of the next value as `AttributeValue.size` counts it, skipping over it.
        mutating func valueSize(depth: Int) throws(DynamoDBError) -> Int {
            guard depth <= Format.maxDecodeDepth else { throw corrupt("nesting too deep") }
            let tagByte = try byte()
            guard let tag = Tag(rawValue: tagByte) else { throw corrupt("unknown value tag \(tagByte)") }
            switch tag {
            case .s, .b: return try skipBytes()
            case .n: return try numberSize()
            case .boolFalse, .boolTrue, .null: return 1
            case .m: return 3 + (try entriesSize(depth: depth + 1, perEntry: 1))
            case .l:
                let count = try varint()
                var size = 3
                for _ in 0..<count { size += 1 + (try valueSize(depth: depth + 1)) }
                return size
            case .ss, .bs:
                let count = try varint()
                var size = 0
                for _ in 0..<count { size += try skipBytes() }
                return size
            case .ns:
                let count = try varint()
                var size = 0
                for _ in 0..<count { size += try numberSize() }
                return size
            }
        }

        mutating func skipBytes() throws(DynamoDBError) -> Int {
            let n = try varint()
            guard n <= bytes.count - at else { throw corrupt("length beyond the value") }
            at += n
            return n
        }

        /// A number's size: (significant digits + 1) / 2 + 1, zero counting as one digit.
        mutating func numberSize() throws(DynamoDBError) -> Int {
            AttributeValue.numberSize(try number())
        }

        mutating func value(depth: Int) throws(DynamoDBError) -> AttributeValue {
            guard depth <= Format.maxDecodeDepth else { throw corrupt("nesting too deep") }
            let tagByte = try byte()
            guard let tag = Tag(rawValue: tagByte) else { throw corrupt("unknown value tag \(tagByte)") }
            switch tag {
            case .s: return .s(try string())
            case .n: return .n(try number())
            case .b: return .b(try raw(try varint()))
            case .boolFalse: return .bool(false)
            case .boolTrue: return .bool(true)
            case .null: return .null
            case .m: return .m(try entries(depth: depth + 1))
            case .l:
                let count = try varint()
                var out: [AttributeValue] = []
                out.reserveCapacity(count)
                for _ in 0..<count { out.append(try value(depth: depth + 1)) }
                return .l(out)
            case .ss:
                let count = try varint()
                var out: [String] = []
                out.reserveCapacity(count)
                for _ in 0..<count { out.append(try string()) }
                return .ss(out)
            case .ns:
                let count = try varint()
                var out: [Number] = []
                out.reserveCapacity(count)
                for _ in 0..<count { out.append(try number()) }
                return .ns(out)
            case .bs:
                let count = try varint()
                var out: [[UInt8]] = []
                out.reserveCapacity(count)
                for _ in 0..<count { out.append(try raw(try varint())) }
                return .bs(out)
            }
        }
    }
}
