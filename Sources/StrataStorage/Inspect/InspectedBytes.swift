// Byte strings and keys as the inspection API reports them (strata-dump renders them).

extension CodingUserInfoKey {
    /// The `ByteFormat` that `InspectedBytes` uses when encoded (default: printable).
    public static let strataByteFormat = CodingUserInfoKey(rawValue: "strata.byteFormat")!
}

/// Bytes from a file (a user key, a value): encoded as a string in the encoder's `ByteFormat`.
public struct InspectedBytes: Sendable, Equatable, Encodable, CustomStringConvertible {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init<S: Sequence<UInt8>>(_ bytes: S) { self.bytes = Array(bytes) }

    public var description: String { ByteFormat.printable.render(bytes) }

    public func encode(to encoder: any Encoder) throws {
        let format = encoder.userInfo[.strataByteFormat] as? ByteFormat ?? .printable
        var c = encoder.singleValueContainer()
        try c.encode(format.render(bytes))
    }
}

/// An internal key split into its parts: user key, sequence number, kind.
public struct InspectedKey: Sendable, Equatable, Encodable {
    public var userKey: InspectedBytes
    public var sequence: UInt64
    /// "value", "deletion", or "unknown(N)" for a kind byte this build does not know.
    public var kind: String

    /// Nil when `ikey` is shorter than the 8-byte trailer.
    init?(internal ikey: [UInt8]) {
        guard ikey.count >= FormatConstants.trailerSize else { return nil }
        let t = InternalKey.trailer(ikey)
        userKey = InspectedBytes(ikey[0..<(ikey.count - FormatConstants.trailerSize)])
        sequence = t >> 8
        kind = Self.kindName(UInt8(t & 0xff))
    }

    init(internal p: UnsafeRawBufferPointer) {
        let t = InternalKey.trailer(p)
        userKey = InspectedBytes(UnsafeRawBufferPointer(rebasing: p[0..<(p.count - FormatConstants.trailerSize)]))
        sequence = t >> 8
        kind = Self.kindName(UInt8(t & 0xff))
    }

    static func kindName(_ b: UInt8) -> String {
        switch EntryKind(rawValue: b) {
        case .value: return "value"
        case .deletion: return "deletion"
        case nil: return "unknown(\(b))"
        }
    }

    public func render(_ format: ByteFormat) -> String {
        "\(format.render(userKey.bytes)) @\(sequence) \(kind)"
    }
}
