import Testing
@testable import Strata

/// The byte-level checks behind expressions: reserved words (case-insensitive) and placeholder
/// keys.
@Suite struct ExpressionLexicalTests {
    @Test func everyReservedWordMatchesInAnyCase() {
        for word in ReservedWords.all {
            #expect(ReservedWords.contains(word))
            #expect(ReservedWords.contains(word.lowercased()))
            let mixed = String(word.enumerated().map { $0.offset % 2 == 0 ? Character($0.element.lowercased()) : $0.element })
            #expect(ReservedWords.contains(mixed), "\(mixed)")
        }
    }

    @Test func otherNamesAreNotReserved() {
        #expect(ReservedWords.lengths.lowerBound >= 1)
        for name in ["c", "pk", "statusx", "xstatus", "stat_us", "NAMES_", "pkey", "Ä", "stätus", "",
                     String(repeating: "A", count: ReservedWords.lengths.upperBound + 1)] {
            #expect(!ReservedWords.contains(name), "\(name)")
        }
        // A non-ASCII name of a reserved word's length goes through the Unicode path.
        #expect(!ReservedWords.contains("ñame"))
    }

    @Test func placeholderKeys() {
        for (key, sigil, expected) in [(":v", Character(":"), true), (":a_1", ":", true), ("#Name9", "#", true),
                                       (":", ":", false), ("#", "#", false), (":a-b", ":", false), ("#a b", "#", false),
                                       (":ä", ":", false), ("#v", ":", false), (":v", "#", false), ("v", ":", false)] {
            #expect(ExpressionAttributes.isPlaceholder(key, sigil: sigil) == expected, "\(key)")
        }
    }

    /// Tokens over UTF-8 bytes: a non-ASCII character is one invalid token of one whole scalar,
    /// and byte ranges cover the source exactly.
    @Test func tokensOfMixedText() {
        let source = "a.b[12] <= #n AND é≥😀 :v_1 <>"
        let tokens = Lexer.tokenize(source)
        #expect(tokens.map(\.text) == ["a", ".", "b", "[", "12", "]", "<=", "#n", "AND", "é", "≥", "😀", ":v_1", "<>", "<EOF>"])
        #expect(tokens.map(\.kind) == [.identifier, .symbol, .identifier, .symbol, .integer, .symbol, .symbol, .name, .identifier,
                                       .invalid, .invalid, .invalid, .value, .symbol, .end])
        let utf8 = Array(source.utf8)
        for t in tokens.dropLast() {
            #expect(String(decoding: utf8[t.bytes], as: UTF8.self) == t.text)
        }
        #expect(tokens.last!.bytes == utf8.count..<utf8.count)
    }
}
