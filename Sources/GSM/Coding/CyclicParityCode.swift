/// A systematic cyclic block code used for error detection, with inverted parity bits: the
/// information bits d(0 ..< K) are followed by parity bits p(0 ..< degree) chosen so that
/// d(0)·D^(K+degree−1) + … + d(K−1)·D^degree + p(0)·D^(degree−1) + … + p(degree−1), divided by g(D),
/// leaves the remainder 1 + D + … + D^(degree−1). d(0) is the highest power: it is fed first.
struct CyclicParityCode: Sendable {
    /// g(D) with bit i the coefficient of D^i (bit `degree` set).
    let generator: UInt64
    let degree: Int

    /// TS 45.003 §4.1.2, the Fire code of xCCH blocks: g(D) = (D^23 + 1)(D^17 + D^3 + 1), 40 parity bits.
    /// Expanded: D^40 + D^26 + D^23 + D^17 + D^3 + 1.
    static let fire = CyclicParityCode(
        generator: 1 << 40 | 1 << 26 | 1 << 23 | 1 << 17 | 1 << 3 | 1, degree: 40)

    /// TS 45.003 §4.7, the SCH parity: g(D) = D^10 + D^8 + D^6 + D^5 + D^4 + D^2 + 1, 10 parity bits.
    static let synchronizationChannel = CyclicParityCode(
        generator: 1 << 10 | 1 << 8 | 1 << 6 | 1 << 5 | 1 << 4 | 1 << 2 | 1, degree: 10)

    /// 1 + D + … + D^(degree−1): the remainder of every valid code word (the inverted parity).
    var validRemainder: UInt64 { (1 << UInt64(degree)) - 1 }

    /// The remainder of the polynomial whose coefficients are `bits` (bits[0] the highest power)
    /// divided by g(D).
    func remainder(of bits: UnsafeMutableBufferPointer<UInt8>, count: Int) -> UInt64 {
        let top: UInt64 = 1 << UInt64(degree)
        var r: UInt64 = 0
        for k in 0..<count {
            r = r << 1 | UInt64(bits[k] & 1)
            if r & top != 0 { r ^= generator }
        }
        return r
    }

    /// Writes p(0 ..< degree) into bits[informationCount ..< informationCount + degree], after the
    /// information bits d(0 ..< informationCount) already in `bits`.
    func appendParity(to bits: UnsafeMutableBufferPointer<UInt8>, informationCount: Int) {
        for i in 0..<degree { bits[informationCount + i] = 0 }
        // Remainder of d(D)·D^degree; the parity is its inverse, p(0) the coefficient of D^(degree−1).
        let parity = remainder(of: bits, count: informationCount + degree) ^ validRemainder
        for i in 0..<degree {
            bits[informationCount + i] = UInt8(truncatingIfNeeded: parity >> UInt64(degree - 1 - i)) & 1
        }
    }

    /// Whether d(0 ..< count − degree) followed by p(0 ..< degree) in bits[0 ..< count] is a code word.
    func holds(for bits: UnsafeMutableBufferPointer<UInt8>, count: Int) -> Bool {
        remainder(of: bits, count: count) == validRemainder
    }
}
