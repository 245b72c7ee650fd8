import Foundation
import Testing
@testable import StrataStorage

@Suite struct ByteFormatTests {
    @Test(arguments: [
        ("", "", "", ""),
        ("f", "f", "66", "Zg=="),
        ("fo", "fo", "666f", "Zm8="),
        ("foo", "foo", "666f6f", "Zm9v"),
        ("foobar", "foobar", "666f6f626172", "Zm9vYmFy"),
        ("a b\\\n\u{7f}", "a b\\\\\\x0a\\x7f", "6120625c0a7f", "YSBiXAp/"),
    ])
    func rendersEachForm(input: String, printable: String, hex: String, base64: String) {
        let b = Array(input.utf8)
        #expect(ByteFormat.printable.render(b) == printable)
        #expect(ByteFormat.hex.render(b) == hex)
        #expect(ByteFormat.base64.render(b) == base64)
        #expect(ByteFormat.base64.render(b) == Data(b).base64EncodedString())
    }

    @Test func everyFormRoundTrips() {
        var rng = SeededRandom(seed: 9)
        for _ in 0..<500 {
            let b = (0..<Int.random(in: 0..<40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            for f in ByteFormat.allCases { #expect(f.parse(f.render(b)) == b, "\(f)") }
        }
    }

    @Test(arguments: [(ByteFormat.hex, "abc"), (.hex, "zz"), (.printable, "\\x4"), (.printable, "\\q"), (.base64, "a$")])
    func malformedKeysAreRejected(format: ByteFormat, text: String) {
        #expect(format.parse(text) == nil)
    }

    @Test func jsonUsesTheChosenFormatAndStableKeys() throws {
        let db = TestDatabase()
        let seg = try #require(try db.fill(count: 3))
        let summary = try SegmentInspector(path: db.path(seg), fileSystem: db.fs).summary
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.userInfo[.strataByteFormat] = ByteFormat.hex
        let json = try #require(try JSONSerialization.jsonObject(with: encoder.encode(summary)) as? [String: Any])
        #expect(json["entries"] as? Int == 3)
        #expect(json["formatVersion"] as? Int == 1)
        let smallest = try #require(json["smallestKey"] as? [String: Any])
        #expect(smallest["userKey"] as? String == "6b6579303030")  // "key000"
        #expect(smallest["sequence"] as? Int == 1)
        #expect(smallest["kind"] as? String == "value")
        #expect(Set(json.keys) == ["file", "fileSize", "formatVersion", "entries", "deletions", "dataBlocks", "compressedBlocks",
                                   "smallestKey", "largestKey", "smallestSequence", "largestSequence", "rawKeyBytes", "rawValueBytes",
                                   "rawDataBytes", "storedDataBytes", "compressionRatio", "bloomBitsPerKey", "bloomProbes", "bloomKind",
                                   "filterBytes", "indexBytes", "propertiesBytes"])
    }
}
