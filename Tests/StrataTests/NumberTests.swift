import Testing
@testable import Strata

@Suite struct NumberTests {
    // MARK: Parsing and normalization

    @Test(arguments: [
        ("01.50", "1.5"), ("1e3", "1000"), ("-0", "0"), ("+0", "0"), ("0.000", "0"), ("0e1000", "0"),
        ("-0e-1000", "0"), ("3", "3"), ("+3", "3"), ("-7.1234", "-7.1234"), ("-17e5", "-1700000"),
        (".123", "0.123"), ("0001.23", "1.23"), ("1e+5", "100000"), ("1.5e3", "1500"), ("1.5E-3", "0.0015"),
        ("1.", "1"), ("100", "100"), ("100.00", "100"), ("0.1", "0.1"), ("-.5", "-0.5"), ("+.5E1", "5"),
        ("123456789012345678901234567890123456780000", "123456789012345678901234567890123456780000"),
        ("1E-3", "0.001"), ("12.345e1", "123.45"), ("12.345e-1", "1.2345"), ("00000", "0"),
        ("1.0000000000000000000000000000000000000000000000", "1"),
        ("3.1415926535897932384626433832795028841", "3.1415926535897932384626433832795028841"),
        ("31415926535897932384626433832795028841e30",
         "31415926535897932384626433832795028841000000000000000000000000000000"),
        ("1.00000000000000007629769841092E+50", "100000000000000007629769841092000000000000000000000"),
        ("-17.4E37", "-174000000000000000000000000000000000000"),
    ])
    func normalizes(input: String, expected: String) throws {
        #expect(try Number(input).description == expected)
        #expect(try Number(input).text == expected)
    }

    @Test func extremesOfTheRange() throws {
        let max = "9.9999999999999999999999999999999999999E+125"
        #expect(try Number(max).description == "99999999999999999999999999999999999999" + String(repeating: "0", count: 88))
        #expect(try Number("-" + max).description.hasPrefix("-999"))
        #expect(try Number("1E-130").description == "0." + String(repeating: "0", count: 129) + "1")
        #expect(try Number("-1E-130").description == "-0." + String(repeating: "0", count: 129) + "1")
        #expect(try Number("1e125").description == "1" + String(repeating: "0", count: 125))
        #expect(try Number("1e100").description == "1" + String(repeating: "0", count: 100))
        // The round trip of the rendered text is the same number.
        for s in [max, "1E-130", "1.5e-130", "-2.5e125"] {
            let n = try Number(s)
            #expect(try Number(n.description) == n)
        }
    }

    @Test(arguments: [
        ("1e126", Number.overflowMessage), ("-1e126", Number.overflowMessage), ("11e125", Number.overflowMessage),
        ("1e999999999999999999", Number.overflowMessage),
        ("1e-131", Number.underflowMessage), ("-1e-131", Number.underflowMessage),
        ("0.9e-130", Number.underflowMessage), ("1e-99999999999999", Number.underflowMessage),
        ("123456789012345678901234567890123456789", Number.precisionMessage),
        ("-1.23456789012345678901234567890123456789", Number.precisionMessage),
        ("3.14159265358979323846264338327950288419", Number.precisionMessage),
        ("314159265358979323846264338327950288419e30", Number.precisionMessage),
        ("1000000000000000000000000000000000000001", Number.precisionMessage),
    ])
    func rejectsOutOfRange(input: String, message: String) {
        #expect(throws: DynamoDBError.validation(message)) { try Number(input) }
    }

    @Test(arguments: ["NaN", "Infinity", "-Infinity", "-NaN", "dog", "-dog", " 1", "1 ", ".", "e5", "1e",
                      "1e+", "--1", "+-1", "1..2", "1.2.3", "0x10", "1_000", "1,5", "١", "1e5.5", "+", "-", "E"])
    func rejectsText(input: String) {
        #expect(throws: DynamoDBError.validation("The parameter cannot be converted to a numeric value: \(input)")) {
            try Number(input)
        }
    }

    @Test func rejectsEmptyText() {
        #expect(throws: DynamoDBError.validation("The parameter cannot be converted to a numeric value")) {
            try Number("")
        }
    }

    @Test func equalityIsNumeric() throws {
        #expect(try Number("1.0") == Number("1"))
        #expect(try Number("100") == Number("1e2"))
        #expect(try Number("-0") == Number("0"))
        #expect(try Number("1.0").hashValue == Number("1").hashValue)
        #expect(try Set([Number("1"), Number("1.00"), Number("10e-1")]).count == 1)
        #expect(Number(-42).description == "-42")
        #expect(Number(Int.min).description == "-9223372036854775808")
        #expect(Number(0) == .zero)
    }

    /// Randomized: every spelling of a value (leading zeros, signs, exponent forms, trailing
    /// zeros) parses to DynamoDB's normalized text, or to the error DynamoDB gives.
    @Test func randomizedNormalization() throws {
        var g = SeededGenerator(seed: 0x5EED_0001)
        for _ in 0..<20_000 {
            let digitCount = Int.random(in: 1...41, using: &g)
            let leading = Int.random(in: -136...131, using: &g)
            let ref = RefDecimal.random(digitCount: digitCount, leading: leading, using: &g)
            let text = Self.spell(ref, using: &g)
            let got = Outcome { () throws(DynamoDBError) in try Number(text) }
            #expect(got == ref.storeOutcome, "\(text)")
        }
    }

    /// Writes `ref` as DynamoDB would accept it, in a random style.
    static func spell(_ ref: RefDecimal, using g: inout SeededGenerator) -> String {
        let ds = ref.digits.map { String($0) }.joined()
        // Split the power of ten between the mantissa and an explicit exponent.
        let explicit = Bool.random(using: &g) ? Int.random(in: -140...140, using: &g) : 0
        let mantissaLeading = ref.leadingExponent - explicit
        // Keep the mantissa text short: move the excess into the exponent.
        let ml = max(-45, min(45, mantissaLeading))
        let e = explicit + (mantissaLeading - ml)
        var mantissa: String
        if ml >= ds.count - 1 {
            mantissa = ds + String(repeating: "0", count: ml - ds.count + 1)
            if Bool.random(using: &g) { mantissa += "." + String(repeating: "0", count: Int.random(in: 0...3, using: &g)) }
        } else if ml >= 0 {
            let split = ds.index(ds.startIndex, offsetBy: ml + 1)
            mantissa = ds[..<split] + "." + ds[split...]
            mantissa += String(repeating: "0", count: Int.random(in: 0...3, using: &g))
        } else {
            mantissa = (Bool.random(using: &g) ? "0." : ".") + String(repeating: "0", count: -ml - 1) + ds
            mantissa += String(repeating: "0", count: Int.random(in: 0...3, using: &g))
        }
        mantissa = String(repeating: "0", count: Int.random(in: 0...2, using: &g)) + mantissa
        let sign = ref.negative ? "-" : (Bool.random(using: &g) ? "+" : "")
        var out = sign + mantissa
        if e != 0 || Int.random(in: 0..<4, using: &g) == 0 {
            out += Bool.random(using: &g) ? "e" : "E"
            if e >= 0 && Bool.random(using: &g) { out += "+" }
            out += String(e)
        }
        return out
    }

    // MARK: Comparison

    @Test func comparesExactly() throws {
        let ordered = ["-1e125", "-100", "-1.5", "-1.0000000000000000000000000000000000001", "-1", "-1e-130", "0",
                       "1e-130", "0.1", "0.12", "0.2", "1", "1.0000000000000000000000000000000000001", "1.5",
                       "2", "10", "99.99999999999999999999999999999999999", "100", "1e125",
                       "9.9999999999999999999999999999999999999E+125"]
        let numbers = try ordered.map { try Number($0) }
        for i in numbers.indices {
            for j in numbers.indices {
                #expect((numbers[i] < numbers[j]) == (i < j), "\(ordered[i]) vs \(ordered[j])")
                #expect((numbers[i] == numbers[j]) == (i == j))
            }
        }
    }

    @Test func randomizedComparison() {
        var g = SeededGenerator(seed: 0x5EED_0002)
        for _ in 0..<20_000 {
            let a = RefDecimal.randomValid(using: &g)
            // Half the time a close neighbour: same leading exponent, shared prefix.
            var b = RefDecimal.randomValid(using: &g)
            if Bool.random(using: &g), !a.isZero {
                var d = a.digits
                let k = Int.random(in: 0..<d.count, using: &g)
                d[k] = UInt8.random(in: 0...9, using: &g)
                if Bool.random(using: &g), d.count < 38 { d.append(UInt8.random(in: 1...9, using: &g)) }
                b = RefDecimal(negative: Bool.random(using: &g) ? a.negative : !a.negative, digits: d,
                               exponent: a.exponent - (d.count - a.digits.count))
            }
            let expected = RefDecimal.compare(a, b)
            let x = a.number, y = b.number
            #expect(Number.compare(x, y) == expected, "\(a.text) vs \(b.text)")
            #expect((x < y) == (expected < 0))
            #expect((x == y) == (expected == 0))
        }
    }

    // MARK: Arithmetic

    @Test func addsExactly() throws {
        #expect(try (Number("1") + Number("10000000000000000000000")).description == "10000000000000000000001")
        #expect(try (Number("10000000000000000000000") - Number("1")).description == "9999999999999999999999")
        #expect(try (Number("0.1") + Number("0.2")).description == "0.3")
        #expect(try (Number("1.5") - Number("1.5")).description == "0")
        #expect(try (Number("-1.5") + Number("1.25")).description == "-0.25")
        #expect(try (Number("5") - Number("7")).description == "-2")
        #expect(try (Number("0") - Number("7")).description == "-7")
        #expect(try (Number("1e125") - Number("1e125")).description == "0")
        let big = try Number("99999999999999999999999999999999999999")   // 38 nines
        #expect(try (big - Number("1")).description == "99999999999999999999999999999999999998")
        #expect(try (big + Number("1")).description == "1" + String(repeating: "0", count: 38))
    }

    @Test(arguments: [
        ("9e125", "9e125", Number.overflowMessage),
        ("-9e125", "-9e125", Number.overflowMessage),
        ("1e50", "1", Number.overflowMessage),          // 1e50 + 1 needs 51 digits
        ("1e-130", "1", Number.overflowMessage),
        ("2e-130", "-1.5e-130", Number.underflowMessage),
    ])
    func rejectsInexactOrOutOfRange(a: String, b: String, message: String) throws {
        let x = try Number(a), y = try Number(b)
        #expect(throws: DynamoDBError.validation(message)) { try x + y }
        #expect(throws: DynamoDBError.validation(message)) { try x - (-y) }
    }

    @Test func randomizedArithmetic() {
        var g = SeededGenerator(seed: 0x5EED_0003)
        for _ in 0..<20_000 {
            let a = RefDecimal.randomValid(using: &g)
            var b = RefDecimal.randomValid(using: &g)
            if Bool.random(using: &g), !a.isZero {
                // Nearby magnitude, so most sums are representable.
                let count = Int.random(in: 1...38, using: &g)
                b = RefDecimal.random(digitCount: count,
                                      leading: max(-130, min(125, a.leadingExponent + Int.random(in: -40...2, using: &g))),
                                      using: &g)
            }
            let x = a.number, y = b.number
            let sum = Outcome { () throws(DynamoDBError) in try x + y }
            let difference = Outcome { () throws(DynamoDBError) in try x - y }
            #expect(sum == (a + b).arithmeticOutcome, "\(a.text) + \(b.text)")
            #expect(difference == (a + -b).arithmeticOutcome, "\(a.text) - \(b.text)")
        }
    }
}
