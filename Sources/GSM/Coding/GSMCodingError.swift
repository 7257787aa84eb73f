/// Why a block could not be encoded or decoded (TS 45.003 channel coding).
public enum GSMCodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An input had the wrong number of elements: octets of an L2 block, or (soft) bits of a burst.
    case wrongLength(expected: Int, got: Int)
    /// A block was given in the wrong number of bursts (xCCH blocks take 4).
    case wrongBurstCount(expected: Int, got: Int)
    /// The decoded bits fail the block's parity check (Fire code, TS 45.003 §4.1.2; SCH parity, §4.7):
    /// too many errors for the convolutional code to correct, or not a block of this channel at all.
    case parityFailed
    /// The parity holds but the content cannot be right (an SCH with T2 > 25 or T3' > 4,
    /// TS 44.018 §10.5.2.38), so the block is more likely garbage that passed a 10-bit check.
    case uncorrectable

    public var description: String {
        switch self {
        case let .wrongLength(expected, got):
            "The input has \(got) elements where \(expected) were expected."
        case let .wrongBurstCount(expected, got):
            "The block was given in \(got) bursts where \(expected) were expected."
        case .parityFailed:
            "The decoded block fails its parity check: too many bit errors, or not a block of this channel."
        case .uncorrectable:
            "The decoded block passes its parity check but holds values the specification does not allow."
        }
    }
}
