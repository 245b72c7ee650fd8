import Testing
@testable import StrataStorage

@Suite struct StrataDumpPlaceholderTests {
    @Test func segmentMagicIsStable() throws {
        #expect(SegmentFormat.magic == 0x4745_5354_4152_5453)
    }
}
