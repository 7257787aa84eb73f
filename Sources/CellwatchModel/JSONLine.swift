/// One JSON object written as a single line, keys in the order they were added (so `"type"` leads,
/// as the command-line contract shows). Values are the JSON scalars, nested objects and arrays.
public struct JSONLine: Sendable {
    public indirect enum Value: Sendable {
        case string(String)
        case number(Double)
        case integer(Int64)
        case bool(Bool)
        case null
        case object(JSONLine)
        case array([Value])
    }

    private var fields: [(String, Value)] = []
    public init() {}

    public mutating func add(_ key: String, _ value: Value) { fields.append((key, value)) }
    public mutating func add(_ key: String, _ s: String?) { add(key, s.map(Value.string) ?? .null) }
    public mutating func add(_ key: String, _ n: Double?, digits: Int? = nil) {
        guard let n else { add(key, .null); return }
        if let digits {
            var s = 1.0
            for _ in 0..<digits { s *= 10 }
            add(key, .number((n * s).rounded() / s))
        } else {
            add(key, .number(n))
        }
    }
    public mutating func add(_ key: String, _ i: Int?) { add(key, i.map { Value.integer(Int64($0)) } ?? .null) }
    public mutating func add(_ key: String, _ i: Int64) { add(key, .integer(i)) }
    public mutating func add(_ key: String, _ b: Bool) { add(key, .bool(b)) }

    public var text: String {
        var out = "{"
        for (i, (k, v)) in fields.enumerated() {
            if i > 0 { out += "," }
            Self.write(string: k, to: &out)
            out += ":"
            Self.write(v, to: &out)
        }
        return out + "}"
    }

    private static func write(_ v: Value, to out: inout String) {
        switch v {
        case .string(let s): write(string: s, to: &out)
        case .number(let d):
            // JSON has no NaN or infinity: a measurement that does not exist is null.
            if !d.isFinite { out += "null" }
            else if d == d.rounded(), abs(d) < 1e15 { out += String(Int64(d)) }
            else { out += "\(d)" }
        case .integer(let i): out += String(i)
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .object(let o): out += o.text
        case .array(let a):
            out += "["
            for (i, e) in a.enumerated() {
                if i > 0 { out += "," }
                write(e, to: &out)
            }
            out += "]"
        }
    }

    private static func write(string s: String, to out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}
