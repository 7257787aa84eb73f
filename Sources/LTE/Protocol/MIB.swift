/// MasterInformationBlock, TS 36.331 §6.2.2 (24 bits, unaligned PER of a fixed-size SEQUENCE).
public struct MasterInformationBlock: Sendable, Equatable {
    public enum PHICHDuration: String, Sendable { case normal, extended }
    public enum PHICHResource: String, Sendable { case oneSixth, half, one, two }

    /// dl-Bandwidth ENUMERATED {n6, n15, n25, n50, n75, n100}; nil for the two spare code points.
    public var downlinkPRB: Int?
    public var phichDuration: PHICHDuration
    public var phichResource: PHICHResource
    /// The 8 most significant bits of the system frame number.
    public var sfnHigh: Int
    /// The 24 payload bits as sent.
    public var bits: [UInt8]

    public static let bandwidths = [6, 15, 25, 50, 75, 100]

    public init?(bits: [UInt8]) {
        guard bits.count == 24 else { return nil }
        func field(_ from: Int, _ n: Int) -> Int { bits[from..<(from + n)].reduce(0) { ($0 << 1) | Int($1 & 1) } }
        let bw = field(0, 3)
        downlinkPRB = bw < 6 ? Self.bandwidths[bw] : nil
        phichDuration = bits[3] == 0 ? .normal : .extended
        phichResource = [.oneSixth, .half, .one, .two][field(4, 2)]
        sfnHigh = field(6, 8)
        self.bits = bits
    }

    public var bitString: String { bits.map { $0 == 0 ? "0" : "1" }.joined() }
}
