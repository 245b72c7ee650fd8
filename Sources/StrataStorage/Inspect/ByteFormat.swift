// How strata-dump shows bytes (and reads keys given on its command line).

/// How key and value bytes are shown: `printable` keeps printable ASCII and escapes the rest as
/// `\xNN` (and `\` as `\\`), `hex` is lowercase hex, `base64` is RFC 4648 with padding.
/// Every form is lossless.
public enum ByteFormat: String, Sendable, CaseIterable, Codable {
    case printable, hex, base64

    public func render(_ bytes: [UInt8]) -> String {
        switch self {
        case .printable: return Self.printable(bytes)
        case .hex: return Self.hex(bytes)
        case .base64: return Self.base64(bytes)
        }
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    static func printable(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for b in bytes {
            if b == UInt8(ascii: "\\") {
                out.append(b); out.append(b)
            } else if b >= 0x20 && b < 0x7f {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "x"))
                out.append(hexDigits[Int(b >> 4)]); out.append(hexDigits[Int(b & 0xf)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func base64(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            var word = UInt32(bytes[i]) << 16
            if n > 1 { word |= UInt32(bytes[i + 1]) << 8 }
            if n > 2 { word |= UInt32(bytes[i + 2]) }
            for j in 0..<4 {
                if j <= n {
                    out.append(base64Alphabet[Int((word >> (18 - 6 * UInt32(j))) & 0x3f)])
                } else {
                    out.append(UInt8(ascii: "="))
                }
            }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses a key given on the command line in this format; nil if it is malformed.
    public func parse(_ text: String) -> [UInt8]? {
        switch self {
        case .printable:
            var out: [UInt8] = []
            var it = Array(text.utf8)[...]
            while let c = it.popFirst() {
                guard c == UInt8(ascii: "\\") else { out.append(c); continue }
                guard let d = it.popFirst() else { return nil }
                if d == UInt8(ascii: "\\") { out.append(d); continue }
                guard d == UInt8(ascii: "x"), let h = it.popFirst().flatMap(Self.nibble), let l = it.popFirst().flatMap(Self.nibble) else { return nil }
                out.append(h << 4 | l)
            }
            return out
        case .hex:
            let u = Array(text.utf8)
            guard u.count % 2 == 0 else { return nil }
            var out: [UInt8] = []
            var i = 0
            while i < u.count {
                guard let h = Self.nibble(u[i]), let l = Self.nibble(u[i + 1]) else { return nil }
                out.append(h << 4 | l)
                i += 2
            }
            return out
        case .base64:
            var out: [UInt8] = []
            var word: UInt32 = 0
            var bits = 0
            for c in text.utf8 where c != UInt8(ascii: "=") {
                guard let v = Self.base64Alphabet.firstIndex(of: c) else { return nil }
                word = word << 6 | UInt32(v)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    out.append(UInt8(truncatingIfNeeded: word >> UInt32(bits)))
                }
            }
            return out
        }
    }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
