/// Where the coded bits sit in a normal burst (TS 45.002 §5.2.3) of 148 bits:
///
///     0 ..< 3     tail bits
///     3 ..< 60    57 data bits        e(0 … 56)
///     60          stealing flag hl    e(57)
///     61 ..< 87   26 training sequence bits
///     87          stealing flag hu    e(58)
///     88 ..< 145  57 data bits        e(59 … 115)
///     145 ..< 148 tail bits
///
/// TS 45.003 §4.1.5 maps the interleaved bits i(B, 0 … 113) on e(B, 0 … 56) and e(B, 59 … 115); so the
/// "114 data bits" used by the xCCH coder are burst bits 3 ..< 60 followed by 88 ..< 145, i(B, j) at
/// index j. The stealing flags are not part of them; for xCCH both are 1 (§4.1.5: hl(B) = hu(B) = 1).
public enum NormalBurst {
    public static let bitCount = 148
    /// Interleaved data bits per burst (the two 57-bit halves).
    public static let dataBitCount = 114
    public static let firstHalf = 3..<60
    public static let secondHalf = 88..<145
    /// e(B, 57) = hl(B) at burst bit 60, e(B, 58) = hu(B) at burst bit 87 (TS 45.003 §4.1.5).
    public static let lowerStealingFlagPosition = 60
    public static let upperStealingFlagPosition = 87
    public static let trainingSequence = 61..<87

    /// The 114 data bits of a 148-bit burst: bits 3 ..< 60 then 88 ..< 145.
    public static func dataBits<Bit>(of burst: [Bit]) throws(GSMCodingError) -> [Bit] {
        guard burst.count == bitCount else { throw .wrongLength(expected: bitCount, got: burst.count) }
        return Array(burst[firstHalf]) + Array(burst[secondHalf])
    }
}
