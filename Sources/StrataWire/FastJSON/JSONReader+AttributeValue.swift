/// DynamoDB JSON attribute values (`{"S":"x"}`, `{"M":{...}}`, ...) read by the fast path with the
/// same results as `AttributeValue`'s Decodable conformance; every case that conformance answers
/// with an error (or reads leniently: nulls, extra members) is `Unsupported` here.
extension JSONReader {
    /// `{"name": {<attribute value>}, ...}`: an item, a key, ExpressionAttributeValues, an M value.
    mutating func item(depth: Int = 0) throws(Unsupported) -> Item {
        guard depth < Self.maxDepth else { throw Unsupported() }
        try expect(UInt8(ascii: "{"))
        // Room for a typical item at once: growing one insertion at a time reallocates at 1, 2
        // and 4 members, and resizing rehashes every member.
        var item = Item(minimumCapacity: 8)
        var first = true
        while let name = try nextMember(&first) {
            guard item.updateValue(try attributeValue(depth: depth + 1), forKey: name) == nil else { throw Unsupported() }
        }
        return item
    }

    mutating func attributeValue(depth: Int) throws(Unsupported) -> AttributeValue {
        guard depth < Self.maxDepth else { throw Unsupported() }
        try expect(UInt8(ascii: "{"))
        var first = true
        guard let type = try nextMember(&first) else { throw Unsupported() }
        let value: AttributeValue
        switch type {
        case "S":
            value = .s(try string())
        case "N":
            value = .n(try number(try string()))
        case "B":
            value = .b(try Self.base64(try string()))
        case "BOOL":
            value = .bool(try bool())
        case "NULL":
            guard try bool() else { throw Unsupported() }
            value = .null
        case "M":
            value = .m(try item(depth: depth))
        case "L":
            try expect(UInt8(ascii: "["))
            var list: [AttributeValue] = []
            var firstElement = true
            while try nextElement(&firstElement) { list.append(try attributeValue(depth: depth + 1)) }
            value = .l(list)
        case "SS":
            let members = try stringList()
            guard !members.isEmpty, Set(members).count == members.count else { throw Unsupported() }
            value = .ss(members)
        case "NS":
            let texts = try stringList()
            var numbers: [Number] = []
            numbers.reserveCapacity(texts.count)
            for text in texts { numbers.append(try number(text)) }
            guard !numbers.isEmpty, Set(numbers).count == numbers.count else { throw Unsupported() }
            value = .ns(numbers)
        case "BS":
            let texts = try stringList()
            var blobs: [[UInt8]] = []
            blobs.reserveCapacity(texts.count)
            for text in texts { blobs.append(try Self.base64(text)) }
            guard !blobs.isEmpty, Set(blobs).count == blobs.count else { throw Unsupported() }
            value = .bs(blobs)
        default:
            throw Unsupported()
        }
        // Exactly one member: a second one (another type, a null, an unknown name) is the Codable
        // path's to judge.
        guard try nextMember(&first) == nil else { throw Unsupported() }
        return value
    }

    private func number(_ text: String) throws(Unsupported) -> Number {
        do {
            return try Number(text)
        } catch {
            throw Unsupported()
        }
    }

    /// Strict standard base64 ("+/", "=" padding, zero bits under the padding); anything else is
    /// the Codable path's, which words the SerializationException.
    static func base64(_ text: String) throws(Unsupported) -> [UInt8] {
        var text = text
        let decoded = text.withUTF8 { s -> [UInt8]? in
            guard s.count % 4 == 0 else { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(s.count / 4 * 3)
            var i = 0
            while i < s.count {
                let last = i + 4 == s.count
                let padding = last ? (s[i + 3] == UInt8(ascii: "=") ? (s[i + 2] == UInt8(ascii: "=") ? 2 : 1) : 0) : 0
                var v: UInt32 = 0
                for k in 0..<4 {
                    if k >= 4 - padding {
                        v <<= 6
                        continue
                    }
                    let d = base64Digit(s[i + k])
                    guard d != 0xFF else { return nil }
                    v = v << 6 | UInt32(d)
                }
                out.append(UInt8(v >> 16 & 0xFF))
                if padding < 2 { out.append(UInt8(v >> 8 & 0xFF)) }
                if padding < 1 { out.append(UInt8(v & 0xFF)) }
                if padding == 2 && v & 0xFFFF != 0 { return nil }
                if padding == 1 && v & 0xFF != 0 { return nil }
                i += 4
            }
            return out
        }
        guard let decoded else { throw Unsupported() }
        return decoded
    }

    private static func base64Digit(_ c: UInt8) -> UInt8 {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: 0xFF
        }
    }
}
