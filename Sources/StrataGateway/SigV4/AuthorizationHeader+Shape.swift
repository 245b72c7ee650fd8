extension AuthorizationHeader {
    /// True when `init(parsing:)` would accept `value`, decided over its UTF-8 bytes without
    /// building any String: the check accept-all mode makes on every request. False does not mean
    /// malformed: the caller parses the header then, to throw AWS's wording for the defect (or
    /// accept it). Only printable ASCII is judged here, where a byte is a Character; anything else
    /// answers false.
    static func isWellFormed(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { isWellFormed(bytes: $0) }
    }

    private static let algorithmBytes: StaticString = "AWS4-HMAC-SHA256"

    static func isWellFormed(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let space = UInt8(ascii: " "), comma = UInt8(ascii: ","), equals = UInt8(ascii: "=")
        for b in bytes where b < 0x20 || b > 0x7E { return false }
        var i = 0
        while i < bytes.count, bytes[i] == space { i += 1 }
        // The algorithm, up to the first space.
        let algorithm = algorithmBytes.utf8Start
        let algorithmCount = algorithmBytes.utf8CodeUnitCount
        guard bytes.count - i > algorithmCount, bytes[i + algorithmCount] == space else { return false }
        for k in 0..<algorithmCount where bytes[i + k] != algorithm[k] { return false }
        i += algorithmCount
        // Comma-separated key=value components (empty ones skipped, each trimmed of spaces); the
        // last of each name wins, as in the parser's dictionary.
        var credential: Range<Int>? = nil
        var haveSignature = false, haveSignedHeaders = false
        while i < bytes.count {
            var end = i
            while end < bytes.count, bytes[end] != comma { end += 1 }
            if end > i {
                var lo = i, hi = end
                while lo < hi, bytes[lo] == space { lo += 1 }
                while hi > lo, bytes[hi - 1] == space { hi -= 1 }
                var eq = lo
                while eq < hi, bytes[eq] != equals { eq += 1 }
                if eq == hi { return false }
                let key = UnsafeBufferPointer(rebasing: bytes[lo..<eq])
                if equal(key, "Credential") {
                    credential = (eq + 1)..<hi
                } else if equal(key, "Signature") {
                    haveSignature = true
                } else if equal(key, "SignedHeaders") {
                    haveSignedHeaders = true
                }
            }
            i = end + 1
        }
        guard let credential, haveSignature, haveSignedHeaders else { return false }
        // keyid/date/region/service/term: exactly five elements, the key id not empty.
        var slashes = 0
        for k in credential where bytes[k] == UInt8(ascii: "/") { slashes += 1 }
        return slashes == 4 && !credential.isEmpty && bytes[credential.lowerBound] != UInt8(ascii: "/")
    }

    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount else { return false }
        let t = text.utf8Start
        for k in 0..<bytes.count where bytes[k] != t[k] { return false }
        return true
    }
}
