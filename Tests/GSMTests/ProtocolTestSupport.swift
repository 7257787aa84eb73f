import GSM

/// Helpers for the Protocol tests: hex literals, a CSN.1 bit writer that knows the 0x2B padding, and
/// the encoder of TS 44.018 Annex J (J.4 ENCODE_SUBTREE), written from the spec to build frequency
/// lists the decoder has not seen.
enum ProtocolTestSupport {
    /// "49 06 1b …" → octets.
    static func octets(_ hex: String) -> [UInt8] {
        hex.split(separator: " ").map { UInt8($0, radix: 16)! }
    }

    static func hex(_ octets: [UInt8]) -> String {
        octets.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined(separator: " ")
    }

    /// Annex J.4: W(1)… of `values` (distinct, in 0 ..< range, range = 2^n − 1) as a tree; W(k) = 0
    /// where the tree has no node.
    static func rangeEncode(_ values: [Int], originalRange: Int, words: Int = 64) -> [Int]? {
        var w = [Int](repeating: 0, count: words + 1)
        func gp2(_ k: Int) -> Int { var p = 1; while p * 2 <= k { p *= 2 }; return p }
        func encode(_ index: Int, _ set: [Int], _ range: Int) -> Bool {
            guard !set.isEmpty else { return true }
            guard index <= words else { return false }
            if set.count == 1 { w[index] = set[0] + 1; return true }
            let half = (range - 1) / 2
            // The pivot: the value with exactly (count − 1) / 2 values in the half range after it.
            guard let pivot = set.first(where: { p in
                set.filter { v in let d = ((v - p) % range + range) % range; return d >= 1 && d <= half }.count == (set.count - 1) / 2
            }) else { return false }
            w[index] = pivot + 1
            var left: [Int] = [], right: [Int] = []
            for v in set where v != pivot {
                let d = ((v - pivot) % range + range) % range
                if d <= half { right.append(d - 1) } else { left.append(d - half - 1) }
            }
            return encode(index + gp2(index), left, half) && encode(index + 2 * gp2(index), right, half)
        }
        guard encode(1, values, originalRange) else { return nil }
        return Array(w.dropFirst())
    }

    /// The 16 octets of a cell channel description / neighbour cell description in `format` for `arfcns`,
    /// or nil when they do not fit. Bits 6 and 5 of the first octet are `bits65`. For the formats with
    /// an ORIG-ARFCN, the first ARFCN given is the origin.
    static func frequencyListOctets(_ arfcns: [Int], format: FrequencyListFormat, bits65: Int = 0) -> [UInt8]? {
        var b = BitWriter()
        let set = Set(arfcns)
        switch format {
        case .bitMap0:
            guard set.allSatisfy({ (1...124).contains($0) }) else { return nil }
            b.put(0, 2); b.put(bits65, 2)
            for a in stride(from: 124, through: 1, by: -1) { b.put(set.contains(a) ? 1 : 0, 1) }
        case .range1024:
            let rest = set.subtracting([0]).map { $0 - 1 }.sorted()
            guard let w = rangeEncode(rest, originalRange: 1023) else { return nil }
            b.put(0b10, 2); b.put(bits65, 2); b.put(0, 1); b.put(set.contains(0) ? 1 : 0, 1)
            guard b.putWords(w, rangeBits: 10, totalBits: 128) else { return nil }
        case .range512, .range256, .range128:
            let (code, bits) = format == .range512 ? (0b100, 9) : format == .range256 ? (0b101, 8) : (0b110, 7)
            let origin = arfcns[0]
            let range = (1 << bits) - 1
            let rest = set.subtracting([origin]).map { ($0 - origin + 1024) % 1024 - 1 }.sorted()
            guard rest.allSatisfy({ $0 < range }), let w = rangeEncode(rest, originalRange: range) else { return nil }
            b.put(0b10, 2); b.put(bits65, 2); b.put(code, 3); b.put(origin, 10)
            guard b.putWords(w, rangeBits: bits, totalBits: 128) else { return nil }
        case .variableBitMap:
            let origin = arfcns[0]
            b.put(0b10, 2); b.put(bits65, 2); b.put(0b111, 3); b.put(origin, 10)
            for k in 1...111 { b.put(set.contains((origin + k) % 1024) ? 1 : 0, 1) }
            guard set.allSatisfy({ ($0 - origin + 1024) % 1024 <= 111 }) else { return nil }
        }
        return b.octets(count: 16, padding: 0x00)
    }
}

/// Writes CSN.1 fields MSB first; `lh` writes an L or H bit against the 0x2B padding of its position.
struct BitWriter {
    private(set) var bits: [Int] = []
    /// Bit offset of the first written bit within its octet (0 when rest octets start on an octet).
    var startOffset = 0

    mutating func put(_ value: Int, _ count: Int) {
        for i in stride(from: count - 1, through: 0, by: -1) { bits.append(value >> i & 1) }
    }

    mutating func lh(_ h: Bool) {
        let pos = (startOffset + bits.count) % 8
        let pad = Int(0x2B >> (7 - pos)) & 1
        bits.append(h ? 1 - pad : pad)
    }

    /// W(1)… with the widths of a 2^rangeBits range while they fit in `totalBits`; false when a
    /// non-zero word does not fit.
    mutating func putWords(_ w: [Int], rangeBits: Int, totalBits: Int) -> Bool {
        var k = 1
        while k <= w.count {
            var width = rangeBits
            var p = 1
            while p * 2 <= k { p *= 2; width -= 1 }
            if bits.count + width > totalBits { return w[(k - 1)...].allSatisfy { $0 == 0 } }
            put(w[k - 1], width)
            k += 1
        }
        return true
    }

    /// The bits as `count` octets, the unwritten rest filled with `padding`'s bits of each position.
    func octets(count: Int, padding: UInt8) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        for i in 0..<count * 8 {
            let pos = startOffset + i
            guard pos < count * 8 + startOffset else { break }
            let bit = i < bits.count ? bits[i] : Int(padding >> (7 - UInt8(pos % 8))) & 1
            if bit == 1, pos / 8 < count { out[pos / 8] |= 0x80 >> UInt8(pos % 8) }
        }
        return out
    }
}
