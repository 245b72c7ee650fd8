/// CRC-32 as zlib computes it (IEEE 802.3: reflected polynomial 0xEDB88320, initial value and final
/// XOR 0xFFFFFFFF). DynamoDB sends it in decimal in `x-amz-crc32`; botocore recomputes it over the
/// response body bytes as they arrived on the wire and retries when the two differ.
///
/// This is not the CRC-32C (Castagnoli) of the storage engine's records.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1
        }
        return value
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { table in
            for byte in bytes {
                crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
            }
        }
        return crc ^ 0xFFFF_FFFF
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}
