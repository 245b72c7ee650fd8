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
    var range: Range<String.Index>

    func isSymbol(_ s: String) -> Bool { kind == .symbol && text == s }
    /// Keywords (AND, OR, NOT, BETWEEN, IN, SET, REMOVE, ADD, DELETE) match case-insensitively.
    /// `k` is upper-case ASCII; identifiers are ASCII letters, digits and underscores, so an
    /// ASCII case fold is exact (and allocates nothing, unlike `uppercased()`).
    func isKeyword(_ k: String) -> Bool {
        guard kind == .identifier, text.utf8.count == k.utf8.count else { return false }
        for (a, b) in zip(text.utf8, k.utf8) where (a >= 0x61 && a <= 0x7A ? a - 0x20 : a) != b { return false }
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
        var tokens: [Token] = []
        tokens.reserveCapacity(8)
        let utf8 = source.utf8
        let endIndex = utf8.endIndex
        var i = utf8.startIndex

        func word(from start: String.Index) -> String.Index {
            var j = start
            while j < endIndex, isWordByte(utf8[j]) { j = utf8.index(after: j) }
            return j
        }

        while i < endIndex {
            let c = utf8[i]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                i = utf8.index(after: i)
                continue
            }
            let start = i
            var kind: Token.Kind
            var end: String.Index
            switch c {
            case UInt8(ascii: "#"), UInt8(ascii: ":"):
                let next = utf8.index(after: i)
                end = word(from: next)
                kind = end == next ? .invalid : (c == UInt8(ascii: "#") ? .name : .value)
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                end = i
                while end < endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(utf8[end]) { end = utf8.index(after: end) }
                kind = .integer
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                end = word(from: i)
                kind = .identifier
            case UInt8(ascii: "<"):
                end = utf8.index(after: i)
                if end < endIndex, utf8[end] == UInt8(ascii: "=") || utf8[end] == UInt8(ascii: ">") { end = utf8.index(after: end) }
                kind = .symbol
            case UInt8(ascii: ">"):
                end = utf8.index(after: i)
                if end < endIndex, utf8[end] == UInt8(ascii: "=") { end = utf8.index(after: end) }
                kind = .symbol
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: ","),
                 UInt8(ascii: "."), UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"):
                end = utf8.index(after: i)
                kind = .symbol
            default:
                end = source.unicodeScalars.index(after: i)
                kind = .invalid
            }
            tokens.append(Token(kind: kind, text: String(source.unicodeScalars[start..<end]), range: start..<end))
            i = end
        }
        tokens.append(Token(kind: .end, text: "<EOF>", range: source.endIndex..<source.endIndex))
        return tokens
    }
}
