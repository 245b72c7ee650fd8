import Synchronization

/// The value of `x-amzn-RequestId`: unique per request, in UUID form (8-4-4-4-12 hex digits), so a
/// client's log line can be matched to the server's.
///
/// A random 64-bit prefix drawn once per process, then a 64-bit counter that starts at a random
/// value: one atomic increment per request instead of sixteen random bytes.
enum RequestID {
    private static let prefix = UInt64.random(in: .min ... .max)
    private static let counter = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    static func make() -> String {
        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return String(unsafeUninitializedCapacity: 36) { out in
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
            put(prefix >> 32, nibbles: 8)
            dash()
            put(prefix >> 16, nibbles: 4)
            dash()
            put(prefix, nibbles: 4)
            dash()
            put(n >> 48, nibbles: 4)
            dash()
            put(n, nibbles: 12)
            return i
        }
    }
}
