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
}
