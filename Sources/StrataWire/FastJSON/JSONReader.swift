/// A strict JSON reader over UTF-8 bytes for the shapes of the hot operations' requests: objects,
/// arrays, strings and booleans, read straight into DynamoDB values without Foundation.
///
/// It is a fast path, not a second definition of DynamoDB JSON. It throws `JSONReader.Unsupported`
/// on anything outside the plain, valid case — malformed JSON, `null`, JSON numbers, duplicate
/// members, unknown members, invalid values, escapes of lone surrogates, invalid UTF-8 — and the
/// caller then decodes the same bytes with the Codable path, which gives DynamoDB's error (or its
/// lenient answer). So whatever this reader accepts, it reads exactly as `JSONDecoder` would.
struct JSONReader {
    /// Not a case this reader handles: decode with the Codable path instead.
    struct Unsupported: Error {}

    /// Deeper nesting than this goes to the Codable path (DynamoDB allows 32 levels in an item).
    static let maxDepth = 40

    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    // MARK: Structure

    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func expect(_ byte: UInt8) throws(Unsupported) {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { throw Unsupported() }
        index += 1
    }

    /// Only whitespace is left.
    mutating func expectEnd() throws(Unsupported) {
        skipSpace()
        guard index == bytes.count else { throw Unsupported() }
    }

    /// The next member name of an object whose `{` was read, or nil at its `}`.
    /// `first` is true before the first member.
    mutating func nextMember(_ first: inout Bool) throws(Unsupported) -> String? {
        skipSpace()
        guard index < bytes.count else { throw Unsupported() }
        if bytes[index] == UInt8(ascii: "}") {
            index += 1
            return nil
        }
        if first {
            first = false
        } else {
            try expect(UInt8(ascii: ","))
        }
        let name = try string()
        try expect(UInt8(ascii: ":"))
        return name
    }

    /// True when another element follows in an array whose `[` was read; false at its `]`.
    mutating func nextElement(_ first: inout Bool) throws(Unsupported) -> Bool {
        skipSpace()
        guard index < bytes.count else { throw Unsupported() }
        if bytes[index] == UInt8(ascii: "]") {
            index += 1
            return false
        }
        if first {
            first = false
        } else {
            try expect(UInt8(ascii: ","))
        }
        return true
    }

    // MARK: Scalars

    mutating func bool() throws(Unsupported) -> Bool {
        skipSpace()
        if matches("true") {
            index += 4
            return true
        }
        if matches("false") {
            index += 5
            return false
        }
        throw Unsupported()
    }

    private func matches(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard bytes.count - index >= n else { return false }
        let w = word.utf8Start
        for k in 0..<n where bytes[index + k] != w[k] { return false }
        return true
    }

    mutating func string() throws(Unsupported) -> String {
        try expect(UInt8(ascii: "\""))
        let start = index
        var ascii = true
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                if ascii { return String(decoding: raw, as: UTF8.self) }
                guard let s = String(validating: raw, as: UTF8.self) else { throw Unsupported() }
                return s
            }
            if b == UInt8(ascii: "\\") { return try escapedString(from: start) }
            if b < 0x20 { throw Unsupported() }
            if b >= 0x80 { ascii = false }
            index += 1
        }
        throw Unsupported()
    }

    /// The rest of a string that has escapes, from its first byte after the quote.
    private mutating func escapedString(from start: Int) throws(Unsupported) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(index - start + 16)
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let b = bytes[index]
            index += 1
            switch b {
            case UInt8(ascii: "\""):
                guard let s = String(validating: out, as: UTF8.self) else { throw Unsupported() }
                return s
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { throw Unsupported() }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if scalar >= 0xD800 && scalar < 0xDC00 {
                        // A high surrogate must be followed by an escaped low one.
                        guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"),
                              bytes[index + 1] == UInt8(ascii: "u") else { throw Unsupported() }
                        index += 2
                        let low = try hex4()
                        guard low >= 0xDC00 && low < 0xE000 else { throw Unsupported() }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if scalar >= 0xDC00 && scalar < 0xE000 {
                        throw Unsupported()
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw Unsupported() }
                    out.append(contentsOf: UTF8.encode(u)!)
                default:
                    throw Unsupported()
                }
            default:
                if b < 0x20 { throw Unsupported() }
                out.append(b)
            }
        }
        throw Unsupported()
    }

    private mutating func hex4() throws(Unsupported) -> UInt32 {
        guard bytes.count - index >= 4 else { throw Unsupported() }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            index += 1
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw Unsupported()
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    // MARK: Collections of plain values

    mutating func stringList() throws(Unsupported) -> [String] {
        try expect(UInt8(ascii: "["))
        var list: [String] = []
        var first = true
        while try nextElement(&first) { list.append(try string()) }
        return list
    }

    /// `{"name": "text", ...}`: ExpressionAttributeNames.
    mutating func stringMap() throws(Unsupported) -> [String: String] {
        try expect(UInt8(ascii: "{"))
        var map: [String: String] = [:]
        var first = true
        while let name = try nextMember(&first) {
            guard map.updateValue(try string(), forKey: name) == nil else { throw Unsupported() }
        }
        return map
    }
}
