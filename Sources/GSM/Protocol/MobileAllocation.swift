/// Mobile allocation (TS 44.018 §10.5.2.21): which channels of the cell allocation (SI1's cell channel
/// description, in ascending ARFCN order, ARFCN 0 last) a hopping channel uses.
public struct MobileAllocation: Sendable, Equatable {
    /// Length of the contents in octets, 0–8.
    public var length: Int
    /// The indices k of the set bits MA C k, 1 = the first ARFCN of the cell allocation.
    public var cellAllocationIndices: [Int]

    /// Reads the length octet and the contents (an LV).
    init(reading c: inout OctetCursor, element: String) throws(RRDecodingError) {
        length = Int(try c.octet("\(element) length"))
        guard length <= 8 else { throw c.malformed(element, "has length \(length), more than the 8 octets of 64 channels") }
        let contents = try c.octets(length, element)
        var indices: [Int] = []
        // Bit 1 of the last octet is MA C1, bit 2 MA C2, …
        for (i, octet) in contents.reversed().enumerated() {
            for bit in 0..<8 where octet >> bit & 1 == 1 { indices.append(i * 8 + bit + 1) }
        }
        cellAllocationIndices = indices
    }
}
