/// Where the coded bits sit in a synchronization burst (TS 45.002 §5.2.5) of 148 bits:
///
///     0 ..< 3     tail bits
///     3 ..< 42    39 encrypted bits   e(0 … 38)
///     42 ..< 106  64-bit extended training sequence
///     106 ..< 145 39 encrypted bits   e(39 … 77)
///     145 ..< 148 tail bits
///
/// TS 45.003 §4.7 puts the coded SCH bits c(0 … 77) on e(0 … 77) in order, without interleaving; so
/// the SCH coder's 78 bits are burst bits 3 ..< 42 followed by 106 ..< 145.
public enum SynchronizationBurst {
    public static let bitCount = 148
    public static let codedBitCount = 78
    public static let firstHalf = 3..<42
    public static let extendedTrainingSequence = 42..<106
    public static let secondHalf = 106..<145

    /// The 78 coded bits of a 148-bit burst: bits 3 ..< 42 then 106 ..< 145.
    public static func codedBits<Bit>(of burst: [Bit]) throws(GSMCodingError) -> [Bit] {
        guard burst.count == bitCount else { throw .wrongLength(expected: bitCount, got: burst.count) }
        return Array(burst[firstHalf]) + Array(burst[secondHalf])
    }
}
