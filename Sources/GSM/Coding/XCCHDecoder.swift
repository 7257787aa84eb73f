/// Decodes one xCCH block (BCCH, PCH, AGCH, SDCCH, SACCH; TS 45.003 §4.1) from the soft data bits of
/// its four normal bursts: reverses the §4.1.4 interleaving, runs a soft-decision Viterbi decoder for
/// the §4.1.3 convolutional code, and checks the §4.1.2 Fire code.
///
/// `init` allocates every buffer; `decode` allocates only the 23 octets it returns. Not thread-safe:
/// one decoder per receiving thread.
public final class XCCHDecoder {
    /// After each `decode`: how many of the 456 coded bits the decoded code word disagrees with, i.e.
    /// the channel bit errors corrected (hard decisions; soft bits equal to 0 count as erasures, not
    /// errors). Also set when the parity check fails (then it measures how far off the input was);
    /// 0 after a length error.
    public private(set) var lastCorrectedBitCount = 0

    private let interleaving = XCCHInterleaving()
    private let viterbi = ConvolutionalDecoder(maximumStepCount: XCCHEncoder.stepCount)
    /// c(0 … 455), de-interleaved soft bits.
    private let unsafeCoded: UnsafeMutableBufferPointer<SoftBit>
    /// u(0 … 227), the decoded bits.
    private let unsafeDecoded: UnsafeMutableBufferPointer<UInt8>

    public init() {
        unsafeCoded = .allocate(capacity: XCCHInterleaving.codedBitCount)
        unsafeCoded.initialize(repeating: 0)
        unsafeDecoded = .allocate(capacity: XCCHEncoder.stepCount)
        unsafeDecoded.initialize(repeating: 0)
    }

    deinit {
        unsafeCoded.deallocate()
        unsafeDecoded.deallocate()
    }

    /// The 23 L2 octets of the block.
    ///
    /// - Parameter bursts: the four bursts in the order received, each 114 soft bits in the layout of
    ///   `NormalBurst` (burst bits 3 ..< 60 then 88 ..< 145; stealing flags excluded).
    /// - Throws: `.wrongBurstCount` unless there are 4 bursts, `.wrongLength` unless each has 114 bits,
    ///   `.parityFailed` when the decoded bits are not a Fire code word.
    public func decode(_ bursts: [[SoftBit]]) throws(GSMCodingError) -> [UInt8] {
        lastCorrectedBitCount = 0
        guard bursts.count == XCCHInterleaving.burstCount else {
            throw .wrongBurstCount(expected: XCCHInterleaving.burstCount, got: bursts.count)
        }
        for burst in bursts where burst.count != NormalBurst.dataBitCount {
            throw .wrongLength(expected: NormalBurst.dataBitCount, got: burst.count)
        }
        // §4.1.4
        for k in 0..<XCCHInterleaving.codedBitCount {
            let p = interleaving.positions[k]
            unsafeCoded[k] = bursts[p.burst][p.bit]
        }
        // §4.1.3
        lastCorrectedBitCount = viterbi.decode(unsafeCoded, stepCount: XCCHEncoder.stepCount, into: unsafeDecoded)
        // §4.1.2: d(0 … 183) and p(0 … 39) must leave the remainder 1 + D + … + D^39.
        let codeWordCount = XCCHEncoder.informationBitCount + XCCHEncoder.parityBitCount
        guard CyclicParityCode.fire.holds(for: unsafeDecoded, count: codeWordCount) else { throw .parityFailed }
        return OctetBitOrder.pack(unsafeDecoded, octetCount: XCCHEncoder.octetCount)
    }
}
