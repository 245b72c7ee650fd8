/// Writes DynamoDB JSON for the hot operations' responses straight into bytes, as
/// `JSONEncoder` (default options) writes the same values: no whitespace, `/` escaped as `\/`,
/// the short escapes for `"`, `\`, backspace, form feed, newline, carriage return and tab,
/// `\u00XX` for other control characters, everything else as its UTF-8 bytes.
struct JSONWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { string(utf8: $0) }
    }

    private static let hexDigits: StaticString = "0123456789abcdef"

    mutating func string(utf8 s: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var plainStart = 0
        for i in 0..<s.count {
            let b = s[i]
            let escape: UInt8
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): escape = b
            case 0x08: escape = UInt8(ascii: "b")
            case 0x0C: escape = UInt8(ascii: "f")
            case 0x0A: escape = UInt8(ascii: "n")
            case 0x0D: escape = UInt8(ascii: "r")
            case 0x09: escape = UInt8(ascii: "t")
            case 0x00..<0x20: escape = UInt8(ascii: "u")
            default: continue
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: s[plainStart..<i]))
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(escape)
            if escape == UInt8(ascii: "u") {
                let hex = Self.hexDigits.utf8Start
                bytes.append(contentsOf: [UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            }
            plainStart = i + 1
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: s[plainStart..<s.count]))
        bytes.append(UInt8(ascii: "\""))
    }

    /// `{"name":{<value>},...}` in the dictionary's order, as JSONEncoder walks it.
    mutating func item(_ item: Item) {
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for (name, value) in item {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            string(name)
            bytes.append(UInt8(ascii: ":"))
            attributeValue(value)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func attributeValue(_ value: AttributeValue) {
        switch value {
        case .s(let v):
            raw(#"{"S":"#)
            string(v)
        case .n(let v):
            raw(#"{"N":"#)
            string(v.description)
        case .b(let v):
            raw(#"{"B":"#)
            base64(v)
        case .bool(let v):
            raw(v ? #"{"BOOL":true"# : #"{"BOOL":false"#)
        case .null:
            raw(#"{"NULL":true"#)
        case .m(let v):
            raw(#"{"M":"#)
            item(v)
        case .l(let v):
            raw(#"{"L":["#)
            for (k, element) in v.enumerated() {
                if k > 0 { bytes.append(UInt8(ascii: ",")) }
                attributeValue(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .ss(let v):
            raw(#"{"SS":["#)
            for (k, member) in v.enumerated() {
                if k > 0 { bytes.append(UInt8(ascii: ",")) }
                string(member)
            }
            bytes.append(UInt8(ascii: "]"))
        case .ns(let v):
            raw(#"{"NS":["#)
            for (k, member) in v.enumerated() {
                if k > 0 { bytes.append(UInt8(ascii: ",")) }
                string(member.description)
            }
            bytes.append(UInt8(ascii: "]"))
        case .bs(let v):
            raw(#"{"BS":["#)
            for (k, member) in v.enumerated() {
                if k > 0 { bytes.append(UInt8(ascii: ",")) }
                base64(member)
            }
            bytes.append(UInt8(ascii: "]"))
        }
        bytes.append(UInt8(ascii: "}"))
    }

    private static let base64Alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    /// Standard base64 with padding, as a JSON string (the alphabet's `/` escaped as JSONEncoder does).
    mutating func base64(_ data: [UInt8]) {
        let a = Self.base64Alphabet.utf8Start
        bytes.append(UInt8(ascii: "\""))
        func put(_ digit: UInt32) {
            let c = a[Int(digit & 63)]
            if c == UInt8(ascii: "/") { bytes.append(UInt8(ascii: "\\")) }
            bytes.append(c)
        }
        var i = 0
        while i + 3 <= data.count {
            let v = UInt32(data[i]) << 16 | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2])
            put(v >> 18)
            put(v >> 12)
            put(v >> 6)
            put(v)
            i += 3
        }
        let rest = data.count - i
        if rest > 0 {
            let v = UInt32(data[i]) << 16 | (rest == 2 ? UInt32(data[i + 1]) << 8 : 0)
            put(v >> 18)
            put(v >> 12)
            if rest == 2 { put(v >> 6) } else { bytes.append(UInt8(ascii: "=")) }
            bytes.append(UInt8(ascii: "="))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
