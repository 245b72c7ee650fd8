/// One token of an expression, with where it sits in the source (for "near:" in syntax errors).
struct Token: Sendable {
    enum Kind: Equatable, Sendable {
        case identifier      // a letter then letters, digits and underscores: a name, keyword or function
        case name            // #placeholder
        case value           // :placeholder
        case integer         // digits (list indexes)
        case symbol          // ( ) [ ] , . = <> < <= > >= + -
        case invalid         // a character no token starts with, or a lone # or :
        case end
    }

    var kind: Kind
    var text: String
    /// Where the token sits, in UTF-8 bytes of the source.
    var bytes: Range<Int>

    func isSymbol(_ s: String) -> Bool { kind == .symbol && text == s }
    /// Keywords (AND, OR, NOT, BETWEEN, IN, SET, REMOVE, ADD, DELETE) match case-insensitively.
    /// `k` is upper-case ASCII; identifiers are ASCII letters, digits and underscores, so an
    /// ASCII case fold is exact (and allocates nothing, unlike `uppercased()`).
    func isKeyword(_ k: String) -> Bool {
        guard kind == .identifier, text.utf8.count == k.utf8.count else { return false }
        var other = k.utf8.makeIterator()
        for a in text.utf8 where (a >= 0x61 && a <= 0x7A ? a - 0x20 : a) != other.next() { return false }
        return true
    }
}

/// Splits expression text into tokens.
enum Lexer {
    static func isWordScalar(_ u: Unicode.Scalar) -> Bool {
        (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || (u >= "0" && u <= "9") || u == "_"
    }

    static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F
    }

    /// Works over UTF-8 bytes: every token but `invalid` is ASCII, and an invalid token is one
    /// whole Unicode scalar, so token boundaries are the same as over scalars.
    static func tokenize(_ source: String) -> [Token] {
        var source = source
        return source.withUTF8 { tokenize(bytes: $0) }
    }

    static func tokenize(bytes utf8: UnsafeBufferPointer<UInt8>) -> [Token] {
        var tokens: [Token] = []
        tokens.reserveCapacity(8)
        let endIndex = utf8.count
        var i = 0

        func word(from start: Int) -> Int {
            var j = start
            while j < endIndex, isWordByte(utf8[j]) { j += 1 }
            return j
        }

        while i < endIndex {
            let c = utf8[i]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                i += 1
                continue
            }
            let start = i
            var kind: Token.Kind
            var end: Int
            switch c {
            case UInt8(ascii: "#"), UInt8(ascii: ":"):
                let next = i + 1
                end = word(from: next)
                kind = end == next ? .invalid : (c == UInt8(ascii: "#") ? .name : .value)
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                end = i
                while end < endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(utf8[end]) { end += 1 }
                kind = .integer
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                end = word(from: i)
                kind = .identifier
            case UInt8(ascii: "<"):
                end = i + 1
                if end < endIndex, utf8[end] == UInt8(ascii: "=") || utf8[end] == UInt8(ascii: ">") { end += 1 }
                kind = .symbol
            case UInt8(ascii: ">"):
                end = i + 1
                if end < endIndex, utf8[end] == UInt8(ascii: "=") { end += 1 }
                kind = .symbol
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: ","),
                 UInt8(ascii: "."), UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"):
                end = i + 1
                kind = .symbol
            default:
                // One whole scalar: its length follows from its lead byte (the text is valid UTF-8).
                end = min(endIndex, i + (c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4))
                kind = .invalid
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: utf8[start..<end]), as: UTF8.self)
            tokens.append(Token(kind: kind, text: text, bytes: start..<end))
            i = end
        }
        tokens.append(Token(kind: .end, text: "<EOF>", bytes: endIndex..<endIndex))
        return tokens
    }
}
