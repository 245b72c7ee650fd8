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
    func isKeyword(_ k: String) -> Bool { kind == .identifier && text.uppercased() == k }
}

/// Splits expression text into tokens.
enum Lexer {
    static func isWordScalar(_ u: Unicode.Scalar) -> Bool {
        (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || (u >= "0" && u <= "9") || u == "_"
    }

    static func tokenize(_ source: String) -> [Token] {
        var tokens: [Token] = []
        let scalars = source.unicodeScalars
        var i = scalars.startIndex

        func word(from start: String.UnicodeScalarView.Index) -> String.UnicodeScalarView.Index {
            var j = start
            while j < scalars.endIndex, isWordScalar(scalars[j]) { j = scalars.index(after: j) }
            return j
        }

        while i < scalars.endIndex {
            let c = scalars[i]
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                i = scalars.index(after: i)
                continue
            }
            let start = i
            var kind: Token.Kind
            var end: String.UnicodeScalarView.Index
            switch c {
            case "#", ":":
                end = word(from: scalars.index(after: i))
                kind = end == scalars.index(after: i) ? .invalid : (c == "#" ? .name : .value)
            case "0"..."9":
                end = i
                while end < scalars.endIndex, ("0"..."9").contains(scalars[end]) { end = scalars.index(after: end) }
                kind = .integer
            case "a"..."z", "A"..."Z":
                end = word(from: i)
                kind = .identifier
            case "<":
                end = scalars.index(after: i)
                if end < scalars.endIndex, scalars[end] == "=" || scalars[end] == ">" { end = scalars.index(after: end) }
                kind = .symbol
            case ">":
                end = scalars.index(after: i)
                if end < scalars.endIndex, scalars[end] == "=" { end = scalars.index(after: end) }
                kind = .symbol
            case "(", ")", "[", "]", ",", ".", "=", "+", "-":
                end = scalars.index(after: i)
                kind = .symbol
            default:
                end = scalars.index(after: i)
                kind = .invalid
            }
            tokens.append(Token(kind: kind, text: String(scalars[start..<end]), range: start..<end))
            i = end
        }
        tokens.append(Token(kind: .end, text: "<EOF>", range: source.endIndex..<source.endIndex))
        return tokens
    }
}
