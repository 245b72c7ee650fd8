#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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
        // No early exit and no branch per byte, so that the compiler checks many bytes per step.
        var unprintable: UInt8 = 0
        for b in bytes {
            let low: UInt8 = b < 0x20 ? 1 : 0
            let high: UInt8 = b > 0x7E ? 1 : 0
            unprintable |= low | high
        }
        guard unprintable == 0 else { return false }
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
            // memchr: the components (the signature's 64 digits among them) are skipped over, not
            // stepped through byte by byte.
            let end = find(comma, in: bytes, from: i)
            if end > i {
                var lo = i, hi = end
                while lo < hi, bytes[lo] == space { lo += 1 }
                while hi > lo, bytes[hi - 1] == space { hi -= 1 }
                let eq = find(equals, in: bytes, from: lo, to: hi)
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

    /// The offset of the first `byte` in `bytes[start..<end]`, or `end`.
    private static func find(_ byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int? = nil) -> Int {
        let end = end ?? bytes.count
        guard start < end, let base = bytes.baseAddress else { return end }
        guard let found = memchr(base + start, Int32(byte), end - start) else { return end }
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
    }

    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount else { return false }
        let t = text.utf8Start
        for k in 0..<bytes.count where bytes[k] != t[k] { return false }
        return true
    }
}
