/// Why an RRC message could not be decoded. Every case names the ASN.1 field being read and the bit
/// position, so a report on a damaged SIB says where it went wrong.
public enum RRCDecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The message ended `needed` bits into `field` at bit `at` (of `available`).
    case truncated(field: String, at: Int, needed: Int, available: Int)
    /// A constrained value outside its range (an ENUMERATED index beyond the root, a SIZE beyond its bound…).
    case invalidValue(field: String, value: Int, allowed: String)
    /// Fragmented length determinants (X.691 §11.9.3.8, 16K and more) never occur in a BCCH message.
    case fragmentedLength(field: String)
    /// An open type whose contents ran past its own length.
    case malformedOpenType(field: String)
    /// A construct this decoder does not read (named), met where skipping it is impossible.
    case unsupported(String)

    public var description: String {
        switch self {
        case .truncated(let f, let at, let n, let a):
            return "message truncated in \(f): \(n) bits needed at bit \(at), only \(a) bits in the message"
        case .invalidValue(let f, let v, let allowed):
            return "\(f) has value \(v), allowed \(allowed)"
        case .fragmentedLength(let f): return "\(f) uses a fragmented length (16K or more), impossible in a broadcast message"
        case .malformedOpenType(let f): return "\(f): extension contents run past their length"
        case .unsupported(let what): return "\(what) is not decoded"
        }
    }
}

/// One named leaf value met while decoding, in encoding order: the ASN.1 field name and its value as
/// an ASN.1 value printer shows it (integers in decimal, enumerations by name, bit strings as 0/1).
public struct RRCTraceLeaf: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable { case integer, enumerated, boolean, bitString(width: Int), octetString }
    public var name: String
    public var value: String
    public var kind: Kind
    /// The value as a number: integers, enumerations (root index), booleans (0/1), bit strings; nil for octet strings.
    public var number: Int?
    public var description: String { "\(name)=\(value)" }
}

/// Collects the leaves of a decode when asked (tests, `--verbose` dumps); decoding without one costs nothing.
public final class RRCTrace {
    public private(set) var leaves: [RRCTraceLeaf] = []
    public init() {}
    func add(_ name: String, _ value: String, _ kind: RRCTraceLeaf.Kind, _ number: Int?) {
        leaves.append(RRCTraceLeaf(name: name, value: value, kind: kind, number: number))
    }
}

/// Unaligned PER reader (ITU-T X.691, the UNALIGNED variant TS 36.331 §8 prescribes): bits MSB first,
/// no padding, constrained whole numbers in the fewest bits that hold the range.
struct UPERReader {
    private let bytes: [UInt8]
    /// Bits that belong to the message (an open type's reader ends at its own length).
    private let end: Int
    private(set) var position: Int
    let trace: RRCTrace?

    init(_ bytes: [UInt8], trace: RRCTrace? = nil) {
        self.bytes = bytes
        self.end = bytes.count * 8
        self.position = 0
        self.trace = trace
    }

    private init(bytes: [UInt8], start: Int, end: Int, trace: RRCTrace?) {
        self.bytes = bytes
        self.position = start
        self.end = end
        self.trace = trace
    }

    var remaining: Int { end - position }

    /// n ≤ 32 bits as an unsigned number.
    mutating func bits(_ n: Int, _ field: String) throws(RRCDecodeError) -> Int {
        guard n >= 0, n <= 32 else { throw .unsupported("\(field): a \(n)-bit field") }
        guard n <= remaining else { throw .truncated(field: field, at: position, needed: n, available: end) }
        var v = 0
        for _ in 0..<n {
            let b = (bytes[position >> 3] >> (7 - UInt8(position & 7))) & 1
            v = (v << 1) | Int(b)
            position += 1
        }
        return v
    }

    mutating func skip(_ n: Int, _ field: String) throws(RRCDecodeError) {
        guard n >= 0, n <= remaining else { throw .truncated(field: field, at: position, needed: n, available: end) }
        position += n
    }

    /// Bits needed for a constrained whole number of `count` values (X.691 §11.5.7.1, unaligned).
    static func width(_ count: Int) -> Int {
        var w = 0
        while (1 << w) < count { w += 1 }
        return w
    }

    // MARK: X.691 building blocks

    mutating func bit(_ field: String) throws(RRCDecodeError) -> Bool { try bits(1, field) == 1 }

    /// Constrained whole number lo...hi (§11.5.7).
    mutating func constrained(_ range: ClosedRange<Int>, _ field: String) throws(RRCDecodeError) -> Int {
        let count = range.upperBound - range.lowerBound + 1
        let w = Self.width(count)
        var v = 0
        if w > 32 {
            // INTEGER (0..4294967295) and wider: read in two pieces.
            let hi = try bits(w - 32, field)
            v = (hi << 32) | (try bits(32, field))
        } else {
            v = try bits(w, field)
        }
        guard v < count else { throw .invalidValue(field: field, value: range.lowerBound + v, allowed: "\(range.lowerBound)...\(range.upperBound)") }
        return range.lowerBound + v
    }

    /// INTEGER (lo..hi), traced under its name.
    mutating func integer(_ range: ClosedRange<Int>, _ field: String) throws(RRCDecodeError) -> Int {
        let v = try constrained(range, field)
        trace?.add(field, String(v), .integer, v)
        return v
    }

    mutating func boolean(_ field: String) throws(RRCDecodeError) -> Bool {
        let b = try bit(field)
        trace?.add(field, b ? "true" : "false", .boolean, b ? 1 : 0)
        return b
    }

    /// ENUMERATED with the root values `names`; `extensible` for a `...` in the type (§13).
    /// An extension value returns names.count + its index and is traced as `extension-k`.
    @discardableResult
    mutating func enumerated(_ names: [String], _ field: String, extensible: Bool = false) throws(RRCDecodeError) -> Int {
        if extensible, try bit(field) {
            let k = try normallySmall(field)
            trace?.add(field, "extension-\(k)", .enumerated, names.count + k)
            return names.count + k
        }
        let i = try constrained(0...(names.count - 1), field)
        trace?.add(field, names[i], .enumerated, i)
        return i
    }

    /// Normally small non-negative whole number (§11.6).
    mutating func normallySmall(_ field: String) throws(RRCDecodeError) -> Int {
        if try !bit(field) { return try bits(6, field) }
        let n = try lengthDeterminant(field)
        guard n <= 4 else { throw .invalidValue(field: field, value: n, allowed: "at most 4 octets") }
        return try bits(8 * n, field)
    }

    /// Unconstrained length determinant (§11.9.3.6–8, unaligned).
    mutating func lengthDeterminant(_ field: String) throws(RRCDecodeError) -> Int {
        if try !bit(field) { return try bits(7, field) }
        if try !bit(field) { return try bits(14, field) }
        throw .fragmentedLength(field: field)
    }

    /// The size of a SEQUENCE OF / string with SIZE(lo..hi) (§11.9.4.1: no bits when lo == hi).
    mutating func size(_ range: ClosedRange<Int>, _ field: String) throws(RRCDecodeError) -> Int {
        range.lowerBound == range.upperBound ? range.lowerBound : try constrained(range, field + " size")
    }

    /// CHOICE index among `count` root alternatives (§23); nil means an extension alternative was
    /// chosen, whose open-type contents have already been skipped (the index is returned in `extensionIndex`).
    mutating func choice(_ count: Int, _ field: String, extensible: Bool = false) throws(RRCDecodeError) -> Int? {
        if extensible, try bit(field) {
            _ = try normallySmall(field)
            try skipOpenType(field)
            return nil
        }
        return try constrained(0...(count - 1), field)
    }

    /// Presence bitmap of the OPTIONAL/DEFAULT root components of a SEQUENCE, in order (§19.2).
    mutating func optionals(_ n: Int, _ field: String) throws(RRCDecodeError) -> [Bool] {
        var p = [Bool](repeating: false, count: n)
        for i in 0..<n { p[i] = try bit(field) }
        return p
    }

    /// BIT STRING (SIZE(n)), n ≤ 32, traced as 0/1 characters.
    mutating func bitString(_ n: Int, _ field: String) throws(RRCDecodeError) -> Int {
        let v = try bits(n, field)
        trace?.add(field, Self.binary(v, width: n), .bitString(width: n), v)
        return v
    }

    static func binary(_ v: Int, width: Int) -> String {
        String((0..<width).map { (v >> (width - 1 - $0)) & 1 == 1 ? "1" : "0" })
    }

    /// OCTET STRING with the given SIZE, or unconstrained when nil.
    mutating func octetString(_ size: ClosedRange<Int>?, _ field: String) throws(RRCDecodeError) -> [UInt8] {
        let n: Int
        if let size { n = try self.size(size, field) } else { n = try lengthDeterminant(field) }
        guard 8 * n <= remaining else { throw .truncated(field: field, at: position, needed: 8 * n, available: end) }
        var out: [UInt8] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(UInt8(try bits(8, field))) }
        trace?.add(field, out.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined(), .octetString, nil)
        return out
    }

    /// An open type (§10.2): a length in octets, then contents. Skipped without looking inside.
    mutating func skipOpenType(_ field: String) throws(RRCDecodeError) {
        let n = try lengthDeterminant(field)
        try skip(8 * n, field)
    }

    /// An open type (§10.2) to be read: returns a reader confined to its octets and moves past them.
    mutating func openType(_ field: String) throws(RRCDecodeError) -> UPERReader {
        let n = try lengthDeterminant(field)
        guard 8 * n <= remaining else { throw .truncated(field: field, at: position, needed: 8 * n, available: end) }
        let inner = UPERReader(bytes: bytes, start: position, end: position + 8 * n, trace: trace)
        position += 8 * n
        return inner
    }

    /// The extension additions of an extensible SEQUENCE whose extension bit was set (§19.7–19.9):
    /// the bitmap of additions present, then each as an open type. Returns a reader for each
    /// addition present (index in the type's addition list); callers read those they know and
    /// leave the others, which are already passed over.
    @discardableResult
    mutating func extensionAdditions(_ field: String) throws(RRCDecodeError) -> [(index: Int, contents: UPERReader)] {
        let count = try normallySmall(field + " extensions") + 1
        let present = try optionals(count, field + " extensions")
        var out: [(index: Int, contents: UPERReader)] = []
        for (i, p) in present.enumerated() where p {
            out.append((i, try openType(field + " extension \(i)")))
        }
        return out
    }

    /// Records a leaf that is not a single read (a NULL alternative, a composed value).
    func traced(_ name: String, _ value: String) { trace?.add(name, value, .enumerated, nil) }
}
