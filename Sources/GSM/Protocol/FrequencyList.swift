import CellwatchModel

/// The coding of a set of ARFCNs in the 16-octet frequency list IEs: Cell Channel Description
/// (TS 44.018 §10.5.2.1b), Neighbour Cell Description (§10.5.2.22) and Neighbour Cell Description 2
/// (§10.5.2.22a), with the formats of §10.5.2.13.
public enum FrequencyListFormat: String, Sendable, Equatable, CaseIterable {
    case bitMap0 = "bit map 0"
    case range1024 = "1024 range"
    case range512 = "512 range"
    case range256 = "256 range"
    case range128 = "128 range"
    case variableBitMap = "variable bit map"
}

/// A decoded frequency list: its format and the ARFCNs it lists, in ascending order.
public struct FrequencyList: Sendable, Equatable {
    public var format: FrequencyListFormat
    public var arfcns: [ARFCN]

    public init(format: FrequencyListFormat, arfcns: [ARFCN]) {
        self.format = format
        self.arfcns = arfcns
    }

    /// Why 16 octets are no frequency list.
    enum Problem: Error, Equatable {
        case reservedFormat(UInt8)
        case wordsAfterEnd(FrequencyListFormat)
    }

    /// Decodes the 16 octets of a §10.5.2.1b / §10.5.2.22 / §10.5.2.22a value part (octets 2 to 17 of
    /// the IE). The FORMAT-ID is bits 8 and 7 of the first octet with bits 4 to 2; bits 6 and 5 carry
    /// other fields (EXT-IND, BA-IND) and are not read here. In Neighbour Cell Description 2 bit 7 is
    /// MULTIBAND_REPORTING, so `bit7IsFormat` is false there and bit 7 counts as 0.
    init(octets: [UInt8], bit7IsFormat: Bool = true) throws(Problem) {
        precondition(octets.count == 16)
        let first = octets[0]
        let b8 = first >> 7 & 1
        let b7 = bit7IsFormat ? first >> 6 & 1 : 0
        let b432 = first >> 1 & 7
        // TS 44.018 table 10.5.2.13.1 (FORMAT-ID)
        switch (b8, b7) {
        case (0, 0):
            format = .bitMap0
            arfcns = Self.bitMap0(octets)
        case (1, 0) where b432 & 0b100 == 0:
            format = .range1024
            // §10.5.2.13.3: bit 3 is F0 (ARFCN 0 in the set), W(1) starts at bit 2.
            let f0 = first >> 2 & 1 == 1
            var reader = BitReader(octets: octets, bitPosition: 6)
            let w = reader.words(rangeBits: 10)
            guard let n = FrequencyRangeDecoding.decode(w: w, originalRange: 1023) else { throw .wordsAfterEnd(format) }
            arfcns = Self.sorted((f0 ? [0] : []) + n.map { $0 + 1 })
        case (1, 0) where b432 == 0b111:
            format = .variableBitMap
            var reader = BitReader(octets: octets, bitPosition: 7)
            let origin = reader.read(10)
            var list = [origin]
            // §10.5.2.13.7: RRFCN k set means ARFCN (ORIG-ARFCN + k) mod 1024 is in the set.
            var k = 1
            while reader.bitsRemaining > 0 {
                if reader.read(1) == 1 { list.append((origin + k) % 1024) }
                k += 1
            }
            arfcns = Self.sorted(list)
        case (1, 0):
            // §10.5.2.13.4–6: ORIG-ARFCN on 10 bits, then W(1)… of range 512, 256 or 128.
            let (f, rangeBits): (FrequencyListFormat, Int) = switch b432 {
            case 0b100: (.range512, 9)
            case 0b101: (.range256, 8)
            default: (.range128, 7)
            }
            format = f
            var reader = BitReader(octets: octets, bitPosition: 7)
            let origin = reader.read(10)
            let w = reader.words(rangeBits: rangeBits)
            guard let n = FrequencyRangeDecoding.decode(w: w, originalRange: (1 << rangeBits) - 1) else {
                throw .wordsAfterEnd(f)
            }
            arfcns = Self.sorted([origin] + n.map { (origin + $0 + 1) % 1024 })
        default:
            throw .reservedFormat(b8 << 4 | b7 << 3 | b432)
        }
    }

    /// §10.5.2.1b.2: octet 2 bits 4–1 are ARFCN 124–121, octets 3–17 ARFCN 120 down to 1.
    private static func bitMap0(_ octets: [UInt8]) -> [ARFCN] {
        var list: [Int] = []
        for i in 0..<16 {
            for bit in 0..<8 {
                guard octets[i] >> bit & 1 == 1 else { continue }
                let arfcn = (15 - i) * 8 + bit + 1
                if i > 0 || bit < 4 { list.append(arfcn) }
            }
        }
        return sorted(list)
    }

    private static func sorted(_ values: [Int]) -> [ARFCN] {
        Array(Set(values)).sorted().map(ARFCN.init)
    }
}

/// Plain most-significant-bit-first reading of a fixed octet string (no padding semantics).
struct BitReader {
    let octets: [UInt8]
    var bitPosition: Int

    var bitsRemaining: Int { octets.count * 8 - bitPosition }

    /// `count` bits as an unsigned value; the caller checks `bitsRemaining` first.
    mutating func read(_ count: Int) -> Int {
        var v = 0
        for _ in 0..<count {
            v = v << 1 | Int(octets[bitPosition >> 3] >> (7 - UInt8(bitPosition & 7)) & 1)
            bitPosition += 1
        }
        return v
    }

    /// W(1), W(2), … of a range-coded list while whole words fit; bits left over are spare.
    mutating func words(rangeBits: Int) -> [Int] {
        var w: [Int] = []
        while true {
            let width = FrequencyRangeDecoding.wordWidth(index: w.count + 1, rangeBits: rangeBits)
            guard width > 0, width <= bitsRemaining else { return w }
            w.append(read(width))
        }
    }
}
