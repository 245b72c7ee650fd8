@testable import Strata

/// A seeded, reproducible generator (SplitMix64) so randomized tests replay exactly.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A reference decimal for tests: sign, decimal digits (most significant first, no leading
/// zeros, [] for zero) and the power of ten of the last digit. Arbitrary precision and written
/// independently of `Number`, on digit arrays.
struct RefDecimal: Equatable {
    var negative: Bool
    var digits: [UInt8]
    var exponent: Int

    init(negative: Bool, digits: [UInt8], exponent: Int) {
        var d = Array(digits.drop(while: { $0 == 0 }))
        var e = exponent
        while let last = d.last, last == 0 { d.removeLast(); e += 1 }
        self.negative = d.isEmpty ? false : negative
        self.digits = d
        self.exponent = d.isEmpty ? 0 : e
    }

    var isZero: Bool { digits.isEmpty }
    var leadingExponent: Int { exponent + digits.count - 1 }

    /// Plain positional text, the form DynamoDB returns.
    var text: String {
        if digits.isEmpty { return "0" }
        let ds = digits.map { String($0) }.joined()
        let l = leadingExponent
        var out = negative ? "-" : ""
        if exponent >= 0 {
            out += ds + String(repeating: "0", count: exponent)
        } else if l >= 0 {
            let split = ds.index(ds.startIndex, offsetBy: l + 1)
            out += ds[..<split] + "." + ds[split...]
        } else {
            out += "0." + String(repeating: "0", count: -l - 1) + ds
        }
        return out
    }

    /// Digits scaled so the last one sits at 10^e (e <= exponent).
    func scaled(to e: Int) -> [UInt8] {
        digits + Array(repeating: 0, count: exponent - e)
    }

    static func compareMagnitude(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.count != b.count { return a.count < b.count ? -1 : 1 }
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        return 0
    }

    static func compare(_ a: RefDecimal, _ b: RefDecimal) -> Int {
        let sa = a.isZero ? 0 : (a.negative ? -1 : 1)
        let sb = b.isZero ? 0 : (b.negative ? -1 : 1)
        if sa != sb { return sa < sb ? -1 : 1 }
        if sa == 0 { return 0 }
        let e = min(a.exponent, b.exponent)
        let m = compareMagnitude(a.scaled(to: e), b.scaled(to: e))
        return sa > 0 ? m : -m
    }

    static func addMagnitudes(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var carry: UInt8 = 0
        var i = a.count - 1, j = b.count - 1
        while i >= 0 || j >= 0 || carry > 0 {
            let s = (i >= 0 ? a[i] : 0) + (j >= 0 ? b[j] : 0) + carry
            out.append(s % 10)
            carry = s / 10
            i -= 1
            j -= 1
        }
        return out.reversed()
    }

    /// a - b for a >= b.
    static func subtractMagnitudes(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var borrow: Int = 0
        var i = a.count - 1, j = b.count - 1
        while i >= 0 {
            var s = Int(a[i]) - (j >= 0 ? Int(b[j]) : 0) - borrow
            borrow = s < 0 ? 1 : 0
            if s < 0 { s += 10 }
            out.append(UInt8(s))
            i -= 1
            j -= 1
        }
        return out.reversed()
    }

    static func + (a: RefDecimal, b: RefDecimal) -> RefDecimal {
        if a.isZero { return b }
        if b.isZero { return a }
        let e = min(a.exponent, b.exponent)
        let x = a.scaled(to: e), y = b.scaled(to: e)
        if a.negative == b.negative {
            return RefDecimal(negative: a.negative, digits: addMagnitudes(x, y), exponent: e)
        }
        switch compareMagnitude(x, y) {
        case 0: return RefDecimal(negative: false, digits: [], exponent: 0)
        case 1: return RefDecimal(negative: a.negative, digits: subtractMagnitudes(x, y), exponent: e)
        default: return RefDecimal(negative: b.negative, digits: subtractMagnitudes(y, x), exponent: e)
        }
    }

    static prefix func - (a: RefDecimal) -> RefDecimal {
        RefDecimal(negative: !a.negative, digits: a.digits, exponent: a.exponent)
    }

    /// What DynamoDB answers when storing this value: the normalized text or the error message.
    var storeOutcome: Outcome {
        if isZero { return .value("0") }
        if leadingExponent > 125 { return .error(Number.overflowMessage) }
        if leadingExponent < -130 { return .error(Number.underflowMessage) }
        if digits.count > 38 { return .error(Number.precisionMessage) }
        return .value(text)
    }

    /// What DynamoDB answers for the result of + or -: too many digits is an overflow.
    var arithmeticOutcome: Outcome {
        if !isZero && digits.count > 38 { return .error(Number.overflowMessage) }
        return storeOutcome
    }
}

extension RefDecimal {
    /// A random value: `digitCount` significant digits (first and last nonzero), the leading
    /// one at 10^leading.
    static func random(digitCount: Int, leading: Int, using g: inout SeededGenerator) -> RefDecimal {
        var d: [UInt8] = []
        for k in 0..<digitCount {
            let nonzero = k == 0 || k == digitCount - 1
            d.append(nonzero ? UInt8.random(in: 1...9, using: &g) : UInt8.random(in: 0...9, using: &g))
        }
        return RefDecimal(negative: Bool.random(using: &g), digits: d, exponent: leading - digitCount + 1)
    }

    /// A valid DynamoDB number in range.
    static func randomValid(using g: inout SeededGenerator, maxDigits: Int = 38) -> RefDecimal {
        switch Int.random(in: 0..<10, using: &g) {
        case 0: return RefDecimal(negative: false, digits: [], exponent: 0)
        case 1...3:
            // Small integers and short decimals: lots of ties and near-ties.
            return random(digitCount: Int.random(in: 1...3, using: &g),
                          leading: Int.random(in: -2...3, using: &g), using: &g)
        default:
            return random(digitCount: Int.random(in: 1...maxDigits, using: &g),
                          leading: Int.random(in: -130...125, using: &g), using: &g)
        }
    }

    var number: Number { try! Number(text) }
}

/// The answer to storing or computing a number: its normalized text or the error message.
enum Outcome: Equatable, CustomStringConvertible {
    case value(String)
    case error(String)

    init(_ body: () throws(DynamoDBError) -> Number) {
        do { self = .value(try body().description) } catch { self = .error(error.message) }
    }

    var description: String {
        switch self {
        case .value(let s): "value \(s)"
        case .error(let m): "error \(m)"
        }
    }
}
