/// Decodes the synchronization channel (TS 45.003 §4.7) from the 78 soft coded bits of an SCH burst:
/// soft-decision Viterbi for the §4.1.3 convolutional code, the 10-bit parity check, then BSIC and
/// frame number (TS 44.018 §9.1.30, `SynchronizationChannelInformation`).
///
/// `init` allocates every buffer; `decode` allocates nothing. Not thread-safe.
public final class SCHDecoder {
    /// After each `decode`: how many of the 78 coded bits the decoded code word disagrees with (see
    /// `XCCHDecoder.lastCorrectedBitCount`).
    public private(set) var lastCorrectedBitCount = 0

    private let viterbi = ConvolutionalDecoder(maximumStepCount: SCHEncoder.stepCount)
    private let unsafeCoded: UnsafeMutableBufferPointer<SoftBit>
    private let unsafeDecoded: UnsafeMutableBufferPointer<UInt8>

    public init() {
        unsafeCoded = .allocate(capacity: SynchronizationBurst.codedBitCount)
        unsafeCoded.initialize(repeating: 0)
        unsafeDecoded = .allocate(capacity: SCHEncoder.stepCount)
        unsafeDecoded.initialize(repeating: 0)
    }

    deinit {
        unsafeCoded.deallocate()
        unsafeDecoded.deallocate()
    }

    /// BSIC and the frame number of the SCH burst.
    ///
    /// - Parameter softBits: c(0 … 77) in burst order, burst bits 3 ..< 42 then 106 ..< 145
    ///   (`SynchronizationBurst`).
    /// - Throws: `.wrongLength` unless there are 78 soft bits; `.parityFailed` when the parity does
    ///   not hold; `.uncorrectable` when it holds but T2 > 25 or T3' > 4 (garbage that passed the
    ///   10-bit check, which one random input in 1024 does).
    public func decode(_ softBits: [SoftBit]) throws(GSMCodingError) -> (bsic: BSIC, frameNumber: GSMFrameNumber) {
        lastCorrectedBitCount = 0
        guard softBits.count == SynchronizationBurst.codedBitCount else {
            throw .wrongLength(expected: SynchronizationBurst.codedBitCount, got: softBits.count)
        }
        for k in 0..<SynchronizationBurst.codedBitCount { unsafeCoded[k] = softBits[k] }
        lastCorrectedBitCount = viterbi.decode(unsafeCoded, stepCount: SCHEncoder.stepCount, into: unsafeDecoded)
        let codeWordCount = SynchronizationChannelInformation.bitCount + SCHEncoder.parityBitCount
        guard CyclicParityCode.synchronizationChannel.holds(for: unsafeDecoded, count: codeWordCount) else {
            throw .parityFailed
        }
        let f = SynchronizationChannelInformation.fields(unsafeDecoded)
        guard let fn = GSMFrameNumber(t1: f.t1, t2: f.t2, t3Prime: f.t3Prime) else { throw .uncorrectable }
        return (f.bsic, fn)
    }
}
