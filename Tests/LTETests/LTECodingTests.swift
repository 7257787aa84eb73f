import LTE
import Testing
import TestSupport

@Suite struct LTECodingTests {
    /// srsRAN's pbch_file_test expectation for its PCI 150 vector (bch_payload_file).
    static let srsranMIB: [UInt8] = [0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]

    @Test func crcDetectsEverySingleBitError() {
        let crc = LTECRC16.parity(Self.srsranMIB)
        for i in 0..<24 {
            var b = Self.srsranMIB
            b[i] ^= 1
            #expect(LTECRC16.parity(b) != crc)
        }
        // The message "1" is a(D) = 1: parity = D^16 mod g(D) = D^12 + D^5 + 1 = 0x1021; "10" gives D^17 mod g.
        #expect(LTECRC16.parity([1]) == 0x1021)
        #expect(LTECRC16.parity([1, 0]) == 0x2042)
    }

    @Test func crcMasksTellThePortCount() {
        let c: UInt16 = 0xBEEF
        #expect(PBCHCRCMask.ports(computed: c, received: c) == 1)
        #expect(PBCHCRCMask.ports(computed: c, received: ~c) == 2)
        #expect(PBCHCRCMask.ports(computed: c, received: c ^ 0x5555) == 4)
        #expect(PBCHCRCMask.ports(computed: c, received: c ^ 0x0001) == nil)
    }

    /// Encode → rate match to 1920 bits → noisy BPSK LLRs → recover → Viterbi gives the bits back,
    /// including with a quarter of the buffer only (one PBCH frame out of four).
    @Test(arguments: [1920, 480])
    func viterbiAndRateMatchingRoundTrip(received: Int) {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<20 {
            let info = (0..<40).map { _ in UInt8.random(in: 0...1, using: &rng) }
            let streams = TailBitingConvolutionalCode.encode(info)
            let matcher = ConvolutionalRateMatcher(streamLength: 40)
            let e = matcher.match(streams, outputLength: 1920)
            #expect(e.count == 1920)
            let llr = e.prefix(received).map { Float($0 == 0 ? 1 : -1) + Float(rng.gaussian() * 0.8) }
            let decoded = TailBitingConvolutionalCode.decode(matcher.recover(Array(llr)))
            #expect(decoded == info)
        }
    }

    @Test func rateMatcherDegenerateLengths() {
        #expect(ConvolutionalRateMatcher(streamLength: 0).match([[], [], []], outputLength: 10).isEmpty)
        #expect(ConvolutionalRateMatcher(streamLength: -3).recover([1, 2, 3]).allSatisfy { $0.isEmpty })
    }

    @Test func viterbiRejectsMalformedInput() {
        #expect(TailBitingConvolutionalCode.decode([]).isEmpty)
        #expect(TailBitingConvolutionalCode.decode([[1, 2], [3]]).isEmpty)
    }

    @Test func mibFields() throws {
        let m = try #require(MasterInformationBlock(bits: Self.srsranMIB))
        #expect(m.downlinkPRB == 50 && m.phichDuration == .normal && m.phichResource == .one && m.sfnHigh == 7)
        #expect(MasterInformationBlock(bits: [0, 1]) == nil)
        // Spare bandwidth code points are not invented into a bandwidth.
        #expect(MasterInformationBlock(bits: [1, 1, 1] + [UInt8](repeating: 0, count: 21))?.downlinkPRB == nil)
    }

    /// TS 36.211 Table 6.11.2.1-1 rows.
    @Test func sssIndices() {
        #expect(SynchronizationSignals.sssIndices(nid1: 0) == (0, 1))
        #expect(SynchronizationSignals.sssIndices(nid1: 29) == (29, 30))
        #expect(SynchronizationSignals.sssIndices(nid1: 30) == (0, 2))
        #expect(SynchronizationSignals.sssIndices(nid1: 58) == (28, 30))
        #expect(SynchronizationSignals.sssIndices(nid1: 59) == (0, 3))
        // All 168 × 2 SSS sequences are distinct.
        var seen = Set<[Float]>()
        for n1 in 0..<168 { for sf5 in [false, true] { seen.insert(SynchronizationSignals.sss(nid1: n1, nid2: 0, subframe5: sf5)) } }
        #expect(seen.count == 336)
    }

    @Test func goldSequenceIsBalancedAndSeedDependent() {
        let a = GoldSequence.bits(cInit: 150, length: 1920), b = GoldSequence.bits(cInit: 151, length: 1920)
        #expect(a != b)
        let ones = a.reduce(0) { $0 + Int($1) }
        #expect(ones > 860 && ones < 1060)
    }
}
