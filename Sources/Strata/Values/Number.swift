/// An exact DynamoDB number: up to 38 significant decimal digits, magnitude 1E-130 through
/// 9.9999999999999999999999999999999999999E+125, or zero.
///
/// The value is `(-1)^negative × coefficient × 10^exponent`, always normalized: the coefficient
/// has no trailing zeros, and zero is `(false, 0, 0)`. So two numbers are `==` exactly when they
/// are numerically equal ("1.0" == "1"), and `hash` agrees with that.
///
/// Text comes back the way DynamoDB returns it: plain positional notation, never an exponent,
/// no leading or trailing zeros, no "+", and "-0" is "0" ("01.50" -> "1.5", "1e3" -> "1000",
/// "1E-3" -> "0.001", "1e125" -> "1" followed by 125 zeros).
public struct Number: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The most significant digits a number may carry.
    public static let maxSignificantDigits = 38
    /// The largest allowed power of ten of the leading digit (9.99...E+125).
    public static let maxLeadingExponent = 125
    /// The smallest allowed power of ten of the leading digit (1E-130).
    public static let minLeadingExponent = -130

    /// True for values below zero; zero is never negative.
    public let isNegative: Bool
    /// The significant digits as an integer without trailing zeros (0 for zero); below 10^38.
    public let coefficient: UInt128
    /// The power of ten of the last significant digit (0 for zero).
    public let exponent: Int

    public static let zero = Number(uncheckedNegative: false, coefficient: 0, exponent: 0)

    /// Builds a number from parts already known to be normalized and in range.
    init(uncheckedNegative negative: Bool, coefficient: UInt128, exponent: Int) {
        self.isNegative = negative && coefficient != 0
        self.coefficient = coefficient
        self.exponent = coefficient == 0 ? 0 : exponent
    }

    /// Builds `(-1)^negative × coefficient × 10^exponent`, normalizing it and checking the range
    /// and the precision; throws ValidationException with DynamoDB's wording.
    public init(negative: Bool, coefficient: UInt128, exponent: Int) throws(DynamoDBError) {
        var c = coefficient
        var e = exponent
        if c == 0 {
            self = .zero
            return
        }
        while c % 10 == 0 {
            c /= 10
            e += 1
        }
        let digits = Number.digitCount(c)
        let leading = e + digits - 1
        if leading > Number.maxLeadingExponent { throw Number.overflowError }
        if leading < Number.minLeadingExponent { throw Number.underflowError }
        if digits > Number.maxSignificantDigits { throw Number.precisionError }
        self.init(uncheckedNegative: negative, coefficient: c, exponent: e)
    }

    /// An exact integer.
    public init(_ value: Int) {
        let magnitude = UInt128(value.magnitude)
        // An Int has at most 19 digits, always in range.
        self = try! Number(negative: value < 0, coefficient: magnitude, exponent: 0)
    }

    /// Parses DynamoDB number text; throws ValidationException as DynamoDB words it.
    ///
    /// Accepted: an optional sign, digits with at most one decimal point (at least one digit),
    /// then optionally `e` or `E`, an optional sign and digits. Leading and trailing zeros are
    /// insignificant. No spaces, no "NaN", no "Infinity", no hexadecimal.
    public init(_ string: String) throws(DynamoDBError) {
        self = try Number.parse(Array(string.utf8), original: string)
    }

    /// The normalized text form DynamoDB returns ("01.50" -> "1.5").
    public var text: String { description }

    public var description: String {
        if coefficient == 0 { return "0" }
        let digits = String(coefficient)
        var out = isNegative ? "-" : ""
        if exponent >= 0 {
            out += digits
            out += String(repeating: "0", count: exponent)
        } else {
            let pointAt = digits.utf8.count + exponent   // digits before the decimal point
            if pointAt > 0 {
                let split = digits.index(digits.startIndex, offsetBy: pointAt)
                out += digits[..<split]
                out += "."
                out += digits[split...]
            } else {
                out += "0."
                out += String(repeating: "0", count: -pointAt)
                out += digits
            }
        }
        return out
    }

    /// The number of significant digits (1 for zero).
    public var significantDigitCount: Int { coefficient == 0 ? 1 : Number.digitCount(coefficient) }

    /// The power of ten of the leading digit: 2 for 123, -3 for 0.00123, 0 for zero.
    public var leadingExponent: Int { exponent + significantDigitCount - 1 }

    /// The significant digits, most significant first ([0] for zero).
    public var significantDigits: [UInt8] { withSignificantDigits { Array($0) } }

    public var isZero: Bool { coefficient == 0 }

    /// Calls `body` with the significant digits, most significant first ([0] for zero), from a
    /// stack buffer: no array is allocated (key and item encoding call this per number).
    func withSignificantDigits<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { buf in
            let base = buf.baseAddress!
            var end = 40, c = coefficient
            if c == 0 {
                end -= 1
                base[end] = 0
            }
            // 128-bit division is slow: peel 19 digits at a time, then finish in 64 bits.
            while c > UInt128(UInt64.max) {
                var chunk = UInt64(c % 10_000_000_000_000_000_000)
                c /= 10_000_000_000_000_000_000
                for _ in 0..<19 {
                    end -= 1
                    base[end] = UInt8(truncatingIfNeeded: chunk % 10)
                    chunk /= 10
                }
            }
            var small = UInt64(c)
            while small != 0 {
                end -= 1
                base[end] = UInt8(truncatingIfNeeded: small % 10)
                small /= 10
            }
            return try body(UnsafeBufferPointer(rebasing: buf[end..<40]))
        }
    }

    public static prefix func - (a: Number) -> Number {
        Number(uncheckedNegative: !a.isNegative, coefficient: a.coefficient, exponent: a.exponent)
    }

    public static func < (a: Number, b: Number) -> Bool { compare(a, b) < 0 }

    /// -1, 0 or 1 as `a` is below, equal to or above `b`, exactly.
    public static func compare(_ a: Number, _ b: Number) -> Int {
        let sa = a.signum, sb = b.signum
        if sa != sb { return sa < sb ? -1 : 1 }
        if sa == 0 { return 0 }
        let magnitude = compareMagnitudes(a, b)
        return sa > 0 ? magnitude : -magnitude
    }

    /// -1, 0 or 1.
    public var signum: Int { coefficient == 0 ? 0 : (isNegative ? -1 : 1) }

    /// Compares |a| and |b|, both nonzero.
    static func compareMagnitudes(_ a: Number, _ b: Number) -> Int {
        let la = a.leadingExponent, lb = b.leadingExponent
        if la != lb { return la < lb ? -1 : 1 }
        // Same leading position: align the coefficients to the same digit count (both stay
        // at most 38 digits, so no overflow).
        let da = digitCount(a.coefficient), db = digitCount(b.coefficient)
        var ca = a.coefficient, cb = b.coefficient
        if da < db { ca *= pow10(db - da) } else if db < da { cb *= pow10(da - db) }
        return ca == cb ? 0 : (ca < cb ? -1 : 1)
    }

    /// Exact addition. A result that needs more than 38 digits is rejected with the message
    /// DynamoDB gives for it ("Number overflow. ..."), as is one above the range; one below the
    /// range gets the underflow message.
    public static func + (a: Number, b: Number) throws(DynamoDBError) -> Number {
        if a.coefficient == 0 { return b }
        if b.coefficient == 0 { return a }
        // Align to the smaller exponent: hi has the larger exponent and is scaled up.
        let (hi, lo) = a.exponent >= b.exponent ? (a, b) : (b, a)
        let shift = hi.exponent - lo.exponent
        guard shift <= 38 else { throw inexactArithmeticError }
        let (scaled, overflow) = hi.coefficient.multipliedReportingOverflow(by: pow10(shift))
        // Scaled past UInt128: the exact result has more than 38 digits either way, since
        // |scaled ± lo| >= 2^128 - 10^38 > 10^38.
        guard !overflow else { throw inexactArithmeticError }
        if hi.isNegative == lo.isNegative {
            let (sum, o) = scaled.addingReportingOverflow(lo.coefficient)
            guard !o else { throw inexactArithmeticError }
            return try arithmeticResult(negative: hi.isNegative, coefficient: sum, exponent: lo.exponent)
        }
        if scaled >= lo.coefficient {
            return try arithmeticResult(negative: hi.isNegative, coefficient: scaled - lo.coefficient,
                                        exponent: lo.exponent)
        }
        return try arithmeticResult(negative: lo.isNegative, coefficient: lo.coefficient - scaled,
                                    exponent: lo.exponent)
    }

    /// Exact subtraction; errors as for `+`.
    public static func - (a: Number, b: Number) throws(DynamoDBError) -> Number {
        try a + (-b)
    }

    private static func arithmeticResult(negative: Bool, coefficient: UInt128,
                                         exponent: Int) throws(DynamoDBError) -> Number {
        do {
            return try Number(negative: negative, coefficient: coefficient, exponent: exponent)
        } catch {
            // DynamoDB reports a result that needs more than 38 digits as an overflow.
            if error.message == precisionError.message { throw inexactArithmeticError }
            throw error
        }
    }
}

// MARK: - Errors (DynamoDB's wording)

extension Number {
    public static let overflowMessage =
        "Number overflow. Attempting to store a number with magnitude larger than supported range"
    public static let underflowMessage =
        "Number underflow. Attempting to store a number with magnitude smaller than supported range"
    public static let precisionMessage = "Attempting to store more than 38 significant digits in a Number"
    public static let notNumericMessage = "The parameter cannot be converted to a numeric value"

    static var overflowError: DynamoDBError { .validation(overflowMessage) }
    static var underflowError: DynamoDBError { .validation(underflowMessage) }
    static var precisionError: DynamoDBError { .validation(precisionMessage) }
    /// DynamoDB answers an inexact + or - with the overflow message.
    static var inexactArithmeticError: DynamoDBError { .validation(overflowMessage) }

    /// "The parameter cannot be converted to a numeric value: dog" (no suffix for "").
    static func notNumericError(_ text: String) -> DynamoDBError {
        .validation(text.isEmpty ? notNumericMessage : "\(notNumericMessage): \(text)")
    }
}

// MARK: - Parsing and integer helpers

extension Number {
    static let powersOfTen: [UInt128] = {
        var out: [UInt128] = [1]
        for _ in 1...38 { out.append(out.last! * 10) }
        return out
    }()

    /// 10^n for n in 0...38.
    static func pow10(_ n: Int) -> UInt128 { powersOfTen[n] }

    /// Decimal digits of a nonzero value below 10^39.
    static func digitCount(_ v: UInt128) -> Int {
        if v == 0 { return 1 }
        var lo = 1, hi = 39
        // Smallest n with v < 10^n.
        while lo < hi {
            let mid = (lo + hi) / 2
            if mid <= 38 && v >= powersOfTen[mid] { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private static func parse(_ s: [UInt8], original: String) throws(DynamoDBError) -> Number {
        let n = s.count
        var i = 0
        var negative = false
        if i < n && (s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-")) {
            negative = s[i] == UInt8(ascii: "-")
            i += 1
        }
        // Mantissa: digits D[0..<m) with the decimal point after `pointAt` of them. Only the
        // byte offsets of the first and last nonzero digit matter.
        var m = 0
        var pointAt = -1
        var first = -1, last = -1            // mantissa digit indexes of the nonzero digits
        var firstOffset = 0, lastOffset = 0  // their byte offsets
        while i < n {
            let c = s[i]
            if c == UInt8(ascii: ".") {
                if pointAt >= 0 { throw notNumericError(original) }
                pointAt = m
            } else if isDigit(c) {
                if c != UInt8(ascii: "0") {
                    if first < 0 { first = m; firstOffset = i }
                    last = m
                    lastOffset = i
                }
                m += 1
            } else {
                break
            }
            i += 1
        }
        if m == 0 { throw notNumericError(original) }
        if pointAt < 0 { pointAt = m }
        // Exponent.
        var exp = 0
        if i < n {
            guard s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E") else { throw notNumericError(original) }
            i += 1
            var expNegative = false
            if i < n && (s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-")) {
                expNegative = s[i] == UInt8(ascii: "-")
                i += 1
            }
            let expStart = i
            while i < n, isDigit(s[i]) {
                // Saturate: past a billion no mantissa can bring it back in range.
                if exp < 1_000_000_000 { exp = exp * 10 + Int(s[i] - UInt8(ascii: "0")) }
                i += 1
            }
            if i == expStart || i != n { throw notNumericError(original) }
            if expNegative { exp = -exp }
        }
        if first < 0 { return .zero }   // "0e1000", "-0.000": zero whatever the exponent
        let leading = pointAt - 1 - first + exp
        let trailing = pointAt - 1 - last + exp
        if leading > maxLeadingExponent { throw overflowError }
        if leading < minLeadingExponent { throw underflowError }
        if last - first + 1 > maxSignificantDigits { throw precisionError }
        var coefficient: UInt128 = 0
        for j in firstOffset...lastOffset where s[j] != UInt8(ascii: ".") {
            coefficient = coefficient * 10 + UInt128(s[j] - UInt8(ascii: "0"))
        }
        return Number(uncheckedNegative: negative, coefficient: coefficient, exponent: trailing)
    }
}
