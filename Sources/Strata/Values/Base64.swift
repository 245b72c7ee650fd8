/// Standard base64 (RFC 4648, "+/", "=" padding), as DynamoDB JSON carries B and BS values.
/// Decoding is strict and reports failures in DynamoDB's SerializationException wording.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(alphabet[Int(v >> 6 & 63)])
            out.append(alphabet[Int(v & 63)])
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            let v = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(rest == 2 ? alphabet[Int(v >> 6 & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) throws(DynamoDBError) -> [UInt8] {
        let s = Array(text.utf8)
        if s.count % 4 != 0 {
            throw DynamoDBError(.serialization,
                                "Base64 encoded length is expected a multiple of 4 bytes but found: \(s.count)")
        }
        let invalid = DynamoDBError(.serialization, "Invalid last non-pad Base64 character dectected")
        var padding = 0
        if s.count >= 1 && s[s.count - 1] == UInt8(ascii: "=") { padding += 1 }
        if s.count >= 2 && s[s.count - 2] == UInt8(ascii: "=") { padding += 1 }
        var out: [UInt8] = []
        out.reserveCapacity(s.count / 4 * 3)
        var i = 0
        while i < s.count {
            let last = i + 4 == s.count
            var v: UInt32 = 0
            for k in 0..<4 {
                let c = s[i + k]
                if last && k >= 4 - padding {
                    v <<= 6
                    continue
                }
                let d = reverse[Int(c)]
                if d == 0xFF { throw invalid }
                v = v << 6 | UInt32(d)
            }
            out.append(UInt8(v >> 16 & 0xFF))
            if !(last && padding == 2) { out.append(UInt8(v >> 8 & 0xFF)) }
            if !(last && padding >= 1) { out.append(UInt8(v & 0xFF)) }
            // Non-canonical: bits under the padding must be zero.
            if last && padding == 2 && v & 0xFFFF != 0 { throw invalid }
            if last && padding == 1 && v & 0xFF != 0 { throw invalid }
            i += 4
        }
        return out
    }
}
