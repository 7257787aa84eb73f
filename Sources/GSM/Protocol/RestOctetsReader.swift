/// Reads the CSN.1 bit fields of rest octets (TS 44.018 §10.5.2, TS 24.007 §11.2.3.1), most
/// significant bit of each octet first.
///
/// CSN.1 in rest octets has two kinds of flag: plain bits `0 | 1`, and `L | H`, which are read against
/// the spare padding pattern 0x2B (TS 44.018 §10.5.2.15 note, §8.9): a bit equal to the padding bit in its
/// position is L, one different from it is H. Past the end of the block every `L | H` flag reads L
/// (truncation, TS 44.018 §8.9). Any other field that runs past the end is an error naming it.
struct RestOctetsReader {
    private let block: [UInt8]
    /// Bit index from the first bit of the L2 block.
    private(set) var bitPosition: Int
    private let endBit: Int
    let message: String
    let element: String

    /// The spare padding octet of downlink messages on BCCH/CCCH (TS 44.018 §10.5.2.15 / §3.1).
    static let padding: UInt8 = 0x2B

    init(block: [UInt8], fromOctet index: Int, message: String, element: String) {
        self.block = block
        self.bitPosition = index * 8
        self.endBit = block.count * 8
        self.message = message
        self.element = element
    }

    var bitsRemaining: Int { max(0, endBit - bitPosition) }

    private func rawBit(_ position: Int) -> Int {
        Int(block[position >> 3] >> (7 - UInt8(position & 7))) & 1
    }

    /// An unsigned field of `count` bits (at most 32).
    mutating func bits(_ count: Int, _ field: String) throws(RRDecodingError) -> Int {
        guard count >= 0, count <= 32 else { throw malformed(field, "has an impossible width of \(count) bits") }
        guard bitPosition + count <= endBit else { throw cutOff(field) }
        var v = 0
        for i in 0..<count { v = v << 1 | rawBit(bitPosition + i) }
        bitPosition += count
        return v
    }

    /// A `0 | 1` choice bit.
    mutating func bit(_ field: String) throws(RRDecodingError) -> Bool {
        try bits(1, field) == 1
    }

    /// A `L | H` flag: true for H. Past the end of the block it reads L.
    mutating func isH() -> Bool {
        guard bitPosition < endBit else { return false }
        let pad = Int(Self.padding >> (7 - UInt8(bitPosition & 7))) & 1
        defer { bitPosition += 1 }
        return rawBit(bitPosition) != pad
    }

    /// Skips `count` bits that this decoder reads past (a field whose length is known).
    mutating func skip(_ count: Int, _ field: String) throws(RRDecodingError) {
        guard count >= 0, bitPosition + count <= endBit else { throw cutOff(field) }
        bitPosition += count
    }

    func cutOff(_ field: String) -> RRDecodingError {
        .truncated(message: message, element: "\(element) (\(field))", octet: block.count + 1)
    }

    func malformed(_ field: String, _ reason: String) -> RRDecodingError {
        .malformed(message: message, element: "\(element) (\(field))", reason: reason)
    }
}
