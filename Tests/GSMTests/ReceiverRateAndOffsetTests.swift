import CellwatchModel
import DSP
import Foundation
import GSM
import Radio
import Survey
import Testing
import TestSupport

/// The reference carrier (libosmocore + GNU Radio) resampled to the rates real SDRs use and moved off
/// its channel, as a receiver with a crystal error would see it: it must still decode, and the offset
/// must be measured.
@Suite(.enabled(if: TestSupport.hasTestdata, "../shared/testdata is not present"), .serialized)
struct ReceiverRateAndOffsetTests {
    /// The first `seconds` of ref_c0_clean at `rate`, shifted by `shift` Hz (plus `carrierOffset` from
    /// the centre), written as a cf32 SigMF at centre frequency 947 MHz − carrierOffset.
    static func variant(rate: Double, shift: Double, carrierOffset: Double = 0, seconds: Double = 0.4,
                        in dir: URL) throws -> String {
        let input = try Self.read(try #require(TestSupport.recording("gsm/ref_c0_clean.sigmf-meta")),
                                  count: Int(seconds * 1_083_333.33))
        let sourceRate = 1_625_000.0 / 6 * 4
        let (l, m) = RationalResampler.fraction(approximating: rate / sourceRate)
        let resampler = try RationalResampler(interpolation: l, decimation: m, tapsPerPhase: 24, passband: 0.9)
        var output = [ComplexFloat](repeating: .zero, count: resampler.maximumOutputCount(forInput: input.count))
        let n = input.withUnsafeBufferPointer { i in output.withUnsafeMutableBufferPointer { resampler.process(i, into: $0) } }
        output.removeLast(output.count - n)
        let mixer = Mixer(frequency: shift + carrierOffset, sampleRate: rate)
        output.withUnsafeMutableBufferPointer { mixer.process($0) }
        let centre = 947e6 - carrierOffset
        let meta = #"{"global":{"core:datatype":"cf32_le","core:sample_rate":\#(rate),"core:version":"1.2.5"},"captures":[{"core:sample_start":0,"core:frequency":\#(centre)}]}"#
        return TestSupport.writeSigMF(in: dir, name: "ref_\(Int(rate))_\(Int(shift))", meta: meta,
                                      data: TestSupport.cf32Bytes(output.map { ($0.real, $0.imag) }))
    }

    /// The first `count` samples of a recording (all of it when shorter).
    static func read(_ path: String, count: Int) throws -> [ComplexFloat] {
        let device = try FileDevice(path: path)
        let block = SampleBlock(capacity: 1 << 16)
        var out: [ComplexFloat] = []
        while out.count < count, try device.read(into: block) { block.withSamples { out += $0 } }
        return Array(out.prefix(count))
    }

    static func sent() throws -> [UInt32: [UInt8]] {
        let meta = try #require(TestSupport.recording("gsm/ref_c0_clean.sigmf-meta"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: meta))) as! [String: Any]
        let blocks = ((json["global"] as! [String: Any])["cellwatch:reference"] as! [String: Any])["blocks"] as! [[String: Any]]
        var out: [UInt32: [UInt8]] = [:]
        for b in blocks {
            let hex = Array(b["l2"] as! String)
            out[(b["fn"] as! NSNumber).uint32Value] = stride(from: 0, to: hex.count, by: 2).map { UInt8(String(hex[$0...$0 + 1]), radix: 16)! }
        }
        return out
    }

    // 0.4 s each keeps this under a minute in a debug build.
    @Test(arguments: [(1e6, 0.0), (2e6, 25e3), (2.4e6, -25e3), (4e6, 12e3), (8e6, -7e3)])
    func decodesAtAnyRateAndOffset(rate: Double, shift: Double) throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try Self.variant(rate: rate, shift: shift, in: dir)
        let carriers = try GSMRecordingDecoder().decode(try FileDevice(path: path), source: path)
        let c = try #require(carriers.first { $0.arfcn == 60 }, "\(carriers.map(\.arfcn))")
        let sent = try Self.sent()
        let good = c.blocks.compactMap { b in b.block.l2.map { (b.block.frameNumber.value, $0) } }
        for (fn, l2) in good { #expect(sent[fn] == l2, "FN \(fn)") }
        // 0.4 s hold 15 whole blocks (the first starts before the recording).
        #expect(good.count >= 14, "\(rate) S/s, \(shift) Hz: \(good.count) blocks")
        #expect(c.summary.bsic == BSIC(value: 48))
        #expect(abs((c.frequencyOffset ?? .nan) - shift) < 100, "\(String(describing: c.frequencyOffset))")
    }

    @Test func twoCarriersOfOneWidebandRecording() throws {
        // The reference placed twice in one 8 MS/s recording: at ARFCN 60 (947.0 MHz) and, 1.4 MHz lower
        // and 20 dB weaker, at ARFCN 53 (945.6 MHz); centre 946.2 MHz.
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try Self.read(try Self.variant(rate: 8e6, shift: 0, carrierOffset: 800e3, in: dir), count: .max)
        let b = try Self.read(try Self.variant(rate: 8e6, shift: 0, carrierOffset: -600e3, in: dir), count: .max)
        let n = min(a.count, b.count)
        // Plus receiver noise at −60 dBFS over the 8 MHz (−76 dBFS per 200 kHz): real recordings have
        // it, and it hides the −90 dB resampling images a noiseless signal would show as carriers.
        var rng = SeededGenerator(seed: 77)
        let sigma = (1e-6 / 2.0).squareRoot()
        var mix = [(Float, Float)]()
        mix.reserveCapacity(n)
        for i in 0..<n {
            let x = a[i], y = b[i]
            mix.append((x.real + 0.1 * y.real + Float(rng.gaussian() * sigma), x.imag + 0.1 * y.imag + Float(rng.gaussian() * sigma)))
        }
        let meta = #"{"global":{"core:datatype":"cf32_le","core:sample_rate":8000000,"core:version":"1.2.5"},"captures":[{"core:sample_start":0,"core:frequency":946200000}]}"#
        let path = TestSupport.writeSigMF(in: dir, name: "two", meta: meta, data: TestSupport.cf32Bytes(mix))
        let carriers = try GSMRecordingDecoder().decode(try FileDevice(path: path), source: path)
        #expect(Set(carriers.compactMap(\.arfcn)) == [53, 60])
        for c in carriers { #expect(c.summary.blocksDecoded >= 14, "ARFCN \(String(describing: c.arfcn))") }
    }
}
