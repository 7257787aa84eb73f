/// TS 45.003 §4.1: channel coding of one BCCH, PCH, AGCH, SDCCH or SACCH ("xCCH") block.
///
/// One 23-octet L2 block → 184 information bits d(k) (`OctetBitOrder`: bit k mod 8 of octet k div 8,
/// least significant first) → 40 Fire-code parity bits (§4.1.2) and 4 tail bits → 456 coded bits
/// (§4.1.3) → interleaved over 4 bursts (§4.1.4) → 4 × 114 data bits (§4.1.5).
public struct XCCHEncoder: Sendable {
    public static let octetCount = 23
    static let informationBitCount = 184
    static let parityBitCount = 40
    /// u(0 … 227): d, p, 4 tail bits.
    static let stepCount = informationBitCount + parityBitCount + ConvolutionalEncoder.tailBitCount

    /// Stealing flags of an xCCH burst, hl at burst bit 60 and hu at 87 (TS 45.003 §4.1.5).
    public static let stealingFlags: (hl: UInt8, hu: UInt8) = (1, 1)

    private let interleaving = XCCHInterleaving()

    public init() {}

    /// Four bursts of 114 data bits (0 or 1) each, in the order they are sent, in the layout of
    /// `NormalBurst`: element j of burst B is i(B, j), burst bits 3 ..< 60 then 88 ..< 145. The
    /// stealing flags (both 1, `stealingFlags`) are not included.
    public func encode(_ l2: [UInt8]) throws(GSMCodingError) -> [[UInt8]] {
        guard l2.count == Self.octetCount else { throw .wrongLength(expected: Self.octetCount, got: l2.count) }
        var bursts = [[UInt8]](
            repeating: [UInt8](repeating: 0, count: NormalBurst.dataBitCount), count: XCCHInterleaving.burstCount)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.stepCount) { u in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: XCCHInterleaving.codedBitCount) { c in
                // §4.1.2: d(0 … 183), p(0 … 39); §4.1.3: u(224 … 227) = 0.
                OctetBitOrder.unpack(l2, into: u)
                CyclicParityCode.fire.appendParity(to: u, informationCount: Self.informationBitCount)
                for k in (Self.informationBitCount + Self.parityBitCount)..<Self.stepCount { u[k] = 0 }
                ConvolutionalEncoder.encode(u, count: Self.stepCount, into: c)
                // §4.1.4
                for k in 0..<XCCHInterleaving.codedBitCount {
                    let p = interleaving.positions[k]
                    bursts[p.burst][p.bit] = c[k]
                }
            }
        }
        return bursts
    }
}
