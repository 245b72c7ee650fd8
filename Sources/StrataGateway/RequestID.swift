import NIOCore
import Synchronization

/// The value of `x-amzn-RequestId`: unique per request, in UUID form (8-4-4-4-12 hex digits), so a
/// client's log line can be matched to the server's.
///
/// A random 64-bit prefix drawn once per process, then a 64-bit counter that starts at a random
/// value: one atomic increment per request instead of sixteen random bytes. The text is made only
/// where it goes: into the response's bytes, or into a log line.
struct RequestID: Sendable, CustomStringConvertible {
    private static let prefix = UInt64.random(in: .min ... .max)
    private static let counter = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    private let number: UInt64

    /// The next request's id.
    static func make() -> RequestID {
        RequestID(number: counter.wrappingAdd(1, ordering: .relaxed).newValue)
    }

    var description: String {
        String(unsafeUninitializedCapacity: 36) { out in
            format(into: UnsafeMutableRawBufferPointer(out))
        }
    }

    /// Writes the 36 characters of the id into `buffer`.
    func write(into buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 36) { format(into: $0) }
    }

    private func format(into out: UnsafeMutableRawBufferPointer) -> Int {
        let digits: StaticString = "0123456789abcdef"
        var i = 0
        func put(_ value: UInt64, nibbles: Int) {
            var shift = (nibbles - 1) * 4
            while shift >= 0 {
                out[i] = digits.utf8Start[Int(value >> UInt64(shift) & 0xF)]
                i += 1
                shift -= 4
            }
        }
        func dash() {
            out[i] = UInt8(ascii: "-")
            i += 1
        }
        let prefix = Self.prefix
        put(prefix >> 32, nibbles: 8)
        dash()
        put(prefix >> 16, nibbles: 4)
        dash()
        put(prefix, nibbles: 4)
        dash()
        put(number >> 48, nibbles: 4)
        dash()
        put(number, nibbles: 12)
        return i
    }
}
