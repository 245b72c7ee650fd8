import Testing
@testable import StrataGateway

@Suite struct CRC32Tests {
    @Test(arguments: [
        ("", UInt32(0)),
        ("123456789", UInt32(0xCBF4_3926)),  // the CRC-32/ISO-HDLC check value
        ("{}", UInt32(2_745_614_147)),  // python3 -c "import zlib; print(zlib.crc32(b'{}'))"
        (#"{"TableNames":[]}"#, UInt32(1_315_925_753)),
    ])
    func matchesZlib(text: String, expected: UInt32) {
        #expect(CRC32.checksum(Array(text.utf8)) == expected)
    }

    @Test func agreesWithABitwiseComputationOnEveryByteValue() {
        let bytes = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        #expect(CRC32.checksum(bytes) == Wire.bitwiseCRC32(bytes))
    }

    /// Every length and start up to a few 8-byte steps, so that each tail and each unaligned
    /// start is taken.
    @Test func agreesWithABitwiseComputationAtEveryLengthAndOffset() {
        let bytes = (0..<80).map { UInt8(truncatingIfNeeded: $0 &* 167 &+ 13) }
        for start in 0..<9 {
            for end in start...bytes.count {
                let crc = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
                #expect(crc == Wire.bitwiseCRC32(bytes[start..<end]), "bytes \(start)..<\(end)")
            }
        }
    }
}

@Suite struct AmzDateTests {
    @Test(arguments: [
        ("19700101T000000Z", Int64(0)),
        ("20250102T030405Z", Int64(1_735_787_045)),
        ("20000229T235959Z", Int64(951_868_799)),
        ("21060207T062816Z", Int64(4_294_967_296)),
    ])
    func parsesAndPrints(text: String, seconds: Int64) {
        #expect(AmzDate(text)?.secondsSinceEpoch == seconds)
        #expect(AmzDate(secondsSinceEpoch: seconds).description == text)
    }

    @Test(arguments: ["", "20250102T030405", "2025-01-02T03:04:05Z", "20251302T030405Z", "20250102T250405Z", "2025010XT030405Z"])
    func rejects(text: String) {
        #expect(AmzDate(text) == nil)
    }

    @Test func dayIsTheCredentialScopeDate() {
        #expect(AmzDate("20250102T030405Z")?.day == "20250102")
    }
}
