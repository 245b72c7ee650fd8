/// The order-preserving byte encoding of an item's primary key, the engine key of the item.
/// Format: Docs/key_encoding.md.
///
///     key = table id (4 bytes, big-endian) + partition component [+ sort component]
///     component = type tag (1 byte) + encoded value
///
/// Byte order of encoded keys is the order DynamoDB gives sort keys: strings by UTF-8 bytes,
/// binaries by unsigned bytes, numbers numerically. Every encoded value is prefix-free, so the
/// items of one partition are contiguous and a Query is one range read.
public enum KeyEncoding {
    /// Constants of the format. On-disk: never change.
    enum Format {
        static let tableIDSize = 4
        /// Type tags of a key component.
        static let tagString: UInt8 = 0x01
        static let tagNumber: UInt8 = 0x02
        static let tagBinary: UInt8 = 0x03
        /// Strings and binaries: 0x00 is written 0x00 0xFF; the value ends with 0x00 0x01.
        static let escape: UInt8 = 0x00
        static let escapedZero: UInt8 = 0xFF
        static let terminator: UInt8 = 0x01
        /// Numbers: the first byte orders negative < zero < positive.
        static let numberNegative: UInt8 = 0x01
        static let numberZero: UInt8 = 0x02
        static let numberPositive: UInt8 = 0x03
        /// The leading exponent (-130...125) is stored as exponent + 130 (0...255).
        static let exponentBias = 130
    }

    // MARK: Keys

    /// The engine key of an item.
    public static func encodeKey(tableID: UInt32, partitionKey: AttributeValue,
                                 sortKey: AttributeValue? = nil) -> [UInt8] {
        var out = partitionPrefix(tableID: tableID, partitionKey: partitionKey,
                                  extraCapacity: sortKey.map(componentSizeEstimate) ?? 0)
        if let sortKey { encodeComponent(sortKey, into: &out) }
        return out
    }

    /// Room for a component's encoding: exact for numbers (at most 22 bytes) and for strings and
    /// binaries without 0x00 bytes.
    static func componentSizeEstimate(_ value: AttributeValue) -> Int {
        switch value {
        case .s(let s): 3 + s.utf8.count
        case .b(let b): 3 + b.count
        default: 24
        }
    }

    /// The bytes every key of one partition starts with.
    public static func partitionPrefix(tableID: UInt32, partitionKey: AttributeValue, extraCapacity: Int = 0) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Format.tableIDSize + componentSizeEstimate(partitionKey) + extraCapacity)
        out.append(UInt8(truncatingIfNeeded: tableID >> 24))
        out.append(UInt8(truncatingIfNeeded: tableID >> 16))
        out.append(UInt8(truncatingIfNeeded: tableID >> 8))
        out.append(UInt8(truncatingIfNeeded: tableID))
        encodeComponent(partitionKey, into: &out)
        return out
    }

    /// A decoded engine key.
    public struct DecodedKey: Sendable, Hashable {
        public var tableID: UInt32
        public var partitionKey: AttributeValue
        public var sortKey: AttributeValue?
    }

    /// Decodes an engine key; throws InternalServerError naming the offset for malformed bytes.
    public static func decodeKey(_ bytes: [UInt8]) throws(DynamoDBError) -> DecodedKey {
        guard bytes.count >= Format.tableIDSize else { throw corrupt(bytes.count) }
        let tableID = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
        var at = Format.tableIDSize
        let partitionKey = try decodeComponent(bytes, at: &at)
        var sortKey: AttributeValue?
        if at < bytes.count { sortKey = try decodeComponent(bytes, at: &at) }
        guard at == bytes.count else { throw corrupt(at) }
        return DecodedKey(tableID: tableID, partitionKey: partitionKey, sortKey: sortKey)
    }

    // MARK: Components

    /// Appends a type tag and the order-preserving encoding of an S, N or B value.
    public static func encodeComponent(_ value: AttributeValue, into out: inout [UInt8]) {
        switch value {
        case .s(let s):
            out.append(Format.tagString)
            encodeBytes(s.utf8, into: &out)
        case .n(let n):
            out.append(Format.tagNumber)
            encodeNumber(n, into: &out)
        case .b(let b):
            out.append(Format.tagBinary)
            encodeBytes(b, into: &out)
        default:
            preconditionFailure("a key attribute is S, N or B, not \(value.typeDescriptor)")
        }
    }

    /// Reads one component written by `encodeComponent`.
    public static func decodeComponent(_ bytes: [UInt8], at: inout Int) throws(DynamoDBError) -> AttributeValue {
        guard at < bytes.count else { throw corrupt(at) }
        let tag = bytes[at]
        at += 1
        switch tag {
        case Format.tagString:
            let raw = try decodeBytes(bytes, at: &at)
            guard let s = raw.withUnsafeBufferPointer(ItemCodec.Reader.makeString) else { throw corrupt(at) }
            return .s(s)
        case Format.tagNumber:
            return .n(try decodeNumber(bytes, at: &at))
        case Format.tagBinary:
            return .b(try decodeBytes(bytes, at: &at))
        default:
            throw corrupt(at - 1)
        }
    }

    // MARK: Strings and binaries

    /// Each 0x00 becomes 0x00 0xFF, then 0x00 0x01 ends the value: byte order is preserved and
    /// no encoding is a prefix of another.
    public static func encodeBytes(_ bytes: some Sequence<UInt8>, into out: inout [UInt8]) {
        appendEscaped(bytes, into: &out)
        out.append(Format.escape)
        out.append(Format.terminator)
    }

    /// The escaped bytes without the terminator: every encoding of a value that starts with
    /// `bytes` starts with this (used for begins_with).
    static func appendEscaped(_ bytes: some Sequence<UInt8>, into out: inout [UInt8]) {
        // Contiguous bytes without a 0x00 (nearly every string key) are copied in one append.
        let copied = bytes.withContiguousStorageIfAvailable { buffer -> Bool in
            guard !buffer.contains(Format.escape) else { return false }
            out.append(contentsOf: buffer)
            return true
        }
        if copied == true { return }
        for b in bytes {
            out.append(b)
            if b == Format.escape { out.append(Format.escapedZero) }
        }
    }

    public static func decodeBytes(_ bytes: [UInt8], at: inout Int) throws(DynamoDBError) -> [UInt8] {
        var out: [UInt8] = []
        while at < bytes.count {
            let b = bytes[at]
            at += 1
            if b != Format.escape {
                out.append(b)
                continue
            }
            guard at < bytes.count else { throw corrupt(at) }
            let next = bytes[at]
            at += 1
            if next == Format.terminator { return out }
            guard next == Format.escapedZero else { throw corrupt(at - 1) }
            out.append(0)
        }
        throw corrupt(at)
    }

    // MARK: Numbers

    /// sign byte (negative 0x01, zero 0x02, positive 0x03); then, for nonzero values, the
    /// leading exponent + 130 in one byte and the significant digits as nibbles (digit + 1),
    /// ended by a 0 nibble and padded with a 0 nibble to a whole byte. For a negative value
    /// every byte after the sign byte is complemented, which reverses its order.
    public static func encodeNumber(_ n: Number, into out: inout [UInt8]) {
        if n.isZero {
            out.append(Format.numberZero)
            return
        }
        let negative = n.isNegative
        let flip: UInt8 = negative ? 0xFF : 0x00
        out.append(negative ? Format.numberNegative : Format.numberPositive)
        n.withSignificantDigits { digits in
            out.append(UInt8(n.exponent + digits.count - 1 + Format.exponentBias) ^ flip)
            var i = 0
            while i < digits.count {
                let hi = digits[i] + 1
                let lo = i + 1 < digits.count ? digits[i + 1] + 1 : 0
                out.append((hi << 4 | lo) ^ flip)
                i += 2
            }
            if digits.count % 2 == 0 { out.append(0x00 ^ flip) }
        }
    }

    public static func decodeNumber(_ bytes: [UInt8], at: inout Int) throws(DynamoDBError) -> Number {
        guard at < bytes.count else { throw corrupt(at) }
        let sign = bytes[at]
        at += 1
        if sign == Format.numberZero { return .zero }
        guard sign == Format.numberNegative || sign == Format.numberPositive else { throw corrupt(at - 1) }
        let negative = sign == Format.numberNegative
        let flip: UInt8 = negative ? 0xFF : 0x00
        guard at < bytes.count else { throw corrupt(at) }
        let leading = Int(bytes[at] ^ flip) - Format.exponentBias
        at += 1
        guard leading <= Number.maxLeadingExponent else { throw corrupt(at - 1) }
        var coefficient: UInt128 = 0
        var count = 0
        while true {
            guard at < bytes.count else { throw corrupt(at) }
            let byte = bytes[at] ^ flip
            at += 1
            let hi = byte >> 4, lo = byte & 0x0F
            if hi == 0 {
                guard lo == 0 else { throw corrupt(at - 1) }
                break
            }
            guard hi <= 10, count < Number.maxSignificantDigits else { throw corrupt(at - 1) }
            coefficient = coefficient * 10 + UInt128(hi - 1)
            count += 1
            if lo == 0 { break }
            guard lo <= 10, count < Number.maxSignificantDigits else { throw corrupt(at - 1) }
            coefficient = coefficient * 10 + UInt128(lo - 1)
            count += 1
        }
        guard count > 0 else { throw corrupt(at - 1) }
        do {
            return try Number(negative: negative, coefficient: coefficient, exponent: leading - count + 1)
        } catch {
            throw corrupt(at - 1)
        }
    }

    static func corrupt(_ offset: Int) -> DynamoDBError {
        DynamoDBError(.internalServerError, "Corrupt item key: malformed key encoding at byte \(offset)")
    }
}
