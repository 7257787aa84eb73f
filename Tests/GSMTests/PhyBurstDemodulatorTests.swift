import DSP
import Foundation
import GSM
import Radio
import Testing
import TestSupport

/// The demodulator on the reference carrier of ../shared/testdata (libosmocore coding, GNU Radio GMSK,
/// 4 samples per symbol, first frame FN 1000032 starting at sample 0).
@Suite(.enabled(if: TestSupport.hasTestdata, "../shared/testdata is not present"))
struct PhyBurstDemodulatorTests {
    static func samples(_ name: String, count: Int) throws -> [ComplexFloat] {
        let device = try FileDevice(path: try #require(TestSupport.recording(name)))
        let block = SampleBlock(capacity: count)
        _ = try device.read(into: block)
        return block.withSamples { Array($0) }
    }

    @Test func syncBurstTrainingAndTailBitsComeOutRight() throws {
        let x = try Self.samples("gsm/ref_c0_clean.sigmf-meta", count: 60_000)
        // FN 1000039 has T3 = 31: an SCH, 7 frames after the first.
        let d = BurstDemodulator()
        let burst = try #require(x.withUnsafeBufferPointer {
            d.demodulate($0, expectedStart: 7 * 5000, searchSymbols: 8, training: BurstFormat.syncTrainingSequence,
                         trainingStart: BurstFormat.syncTrainingStart)
        })
        #expect(abs(burst.start - 35000) <= 8)
        #expect(Array(burst.bits[42..<106]) == BurstFormat.syncTrainingSequence)
        #expect(burst.snr > 30)
        // A normal burst with TSC 0 (BCC 0) in FN 1000034 (T3 = 26, CCCH).
        let normal = try #require(x.withUnsafeBufferPointer {
            d.demodulate($0, expectedStart: 2 * 5000, searchSymbols: 8, training: BurstFormat.trainingSequences[0],
                         trainingStart: BurstFormat.normalTrainingStart)
        })
        #expect(abs(normal.start - 10000) <= 8)
        #expect(normal.snr > 30)
        #expect(normal.softBits[60] > 0 && normal.softBits[87] > 0)  // stealing flags of a control block are 1
    }
}
