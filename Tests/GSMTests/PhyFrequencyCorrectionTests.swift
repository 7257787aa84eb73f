import DSP
import Foundation
import GSM
import Radio
import Testing
import TestSupport

@Suite(.enabled(if: TestSupport.hasTestdata, "../shared/testdata is not present"))
struct PhyFrequencyCorrectionTests {
    /// All samples of a shared recording, through a channel selector centred on the carrier.
    static func selected(_ name: String, carrierOffset: Double = 0) throws -> [ComplexFloat] {
        let device = try FileDevice(path: try #require(TestSupport.recording(name)))
        let selector = try ChannelSelector(inputRate: device.sampleRate, carrierOffset: carrierOffset)
        let block = SampleBlock(capacity: 1 << 16)
        var out: [ComplexFloat] = []
        while try device.read(into: block) {
            block.withSamples { selector.process($0, appendingTo: &out) }
        }
        return out
    }

    @Test func findsEveryFCCHOfTheReferenceCarrierWithItsOffset() throws {
        // First frame FN 1000032 (T3 = 24) at sample 0: FCCH frames T3 = 30, 40, 0, 10, 20 follow every
        // 10 frames (11 across the multiframe boundary), 5000 samples per frame.
        // The impaired one starts at FN 2000013 (T3 = 48) and sits 8.5 kHz high (its meta file says so).
        for (name, offset, fn) in [("gsm/ref_c0_clean.sigmf-meta", 0.0, 1_000_032), ("gsm/ref_c0_impaired.sigmf-meta", 8500.0, 2_000_013)] {
            let x = try Self.selected(name)
            let d = FrequencyCorrectionBurstDetector()
            let found = x.withUnsafeBufferPointer { d.process($0) }
            let selectorDelay = 20  // the channel filter's group delay at 1 S/sample: (40 − 1) / 2
            var expected: [Int] = []
            for frame in 0..<(x.count / 5000 - 1) where (fn + frame) % 51 % 10 == 0 && (fn + frame) % 51 != 50 {
                expected.append(frame * 5000)
            }
            #expect(found.count == expected.count, "\(name): \(found.map(\.start)) vs \(expected)")
            for (f, e) in zip(found, expected) {
                // Within 6 symbols: the SCH search that follows looks ±12.
                #expect(abs(f.start - e - selectorDelay) <= 24, "\(name): \(f.start - e)")
                #expect(abs(f.frequencyOffset - offset) < 300, "\(name): \(f.frequencyOffset) \(f.start - e)")
            }
        }
    }

    @Test func realCaptureHasFCCHsTooAndSameOffsetAsTheScan() throws {
        // gsmsp2007 941 MHz at 4 MS/s: the scan saw the C0 at ARFCN 30 (941.0 MHz) about 8.4 kHz high.
        let x = try Self.selected("gsm/gsmsp2007_941MHz_4Msps.sigmf-meta")
        let d = FrequencyCorrectionBurstDetector()
        let found = x.withUnsafeBufferPointer { d.process($0) }
        #expect(!found.isEmpty)
        for f in found { #expect(abs(f.frequencyOffset - 8400) < 1500, "\(f)") }
    }
}
