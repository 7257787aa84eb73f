import CellwatchModel
import Radio
import Survey
import Testing
import TestSupport

/// `cellwatch scan` on the recordings in ../shared/testdata, whose content independent tools established
/// (see its README). Skipped when the folder is absent.
@Suite(.enabled(if: TestSupport.hasTestdata, "../shared/testdata is not present"))
struct SharedRecordingScanTests {
    func scan(_ relative: String) throws -> ScanReport {
        let path = try #require(TestSupport.recording(relative))
        let device = try FileDevice(path: path)
        return try SpectrumScanner(sampleRate: device.sampleRate).scan(device, source: path)
    }

    @Test func referenceCarrierIsOneGSMCarrierOnARFCN60() throws {
        // Made with libosmocore and GNU Radio: one C0 carrier at 947.0 MHz, nothing else.
        let r = try scan("gsm/ref_c0_clean.sigmf-meta")
        try #require(r.carriers.count == 1)
        let c = r.carriers[0]
        #expect(c.rat == .gsm && c.band == .gsm(.egsm900) && c.channel == 60)
        // The FCCH line puts the centre within a fraction of a 2.1 kHz bin.
        #expect(abs(try #require(c.frequency).value - 947.0e6) < 500)
        #expect(c.evidence.contains("FCCH"))
        #expect(c.snr.value > 30)
        #expect(abs(c.powerDBFS.value) < 1)
    }

    @Test func impairedReferenceShowsItsOffset() throws {
        // Same carrier, +8.5 kHz offset, 10 dB SNR (in the 1.083 MHz recorded band), echo.
        let r = try scan("gsm/ref_c0_impaired.sigmf-meta")
        try #require(r.carriers.count == 1)
        let c = r.carriers[0]
        #expect(c.rat == .gsm && c.channel == 60)
        #expect(abs(c.offset.value - 8.5e3) < 1e3)
        // 10 dB over 1.083 MHz is about 17 dB in the carrier's own 180 kHz.
        #expect(abs(c.snr.value - 17.3) < 2)
    }

    @Test func realCapture953MHz() throws {
        let r = try scan("gsm/gsmsp2007_953.6MHz_1Msps.sigmf-meta")
        #expect(r.carriers.contains { $0.rat == .gsm && $0.channel == 93 && $0.snr.value > 10 })
        #expect(!r.carriers.contains { $0.rat == .lte })
    }

    @Test func realCapture941MHz() throws {
        let r = try scan("gsm/gsmsp2007_941MHz_4Msps.sigmf-meta")
        let gsm = r.carriers.filter { $0.rat == .gsm }
        #expect(gsm.compactMap(\.channel) == [22, 24, 30])
        // One receiver, one crystal: all three sit the same ~9 ppm high (about +8.4 kHz).
        for c in gsm { #expect(c.offset.value.truncatingRemainder(dividingBy: 200e3) + (c.offset.value < 0 ? 200e3 : 0) - 8.4e3 < 1.5e3) }
        #expect(!r.carriers.contains { $0.rat == .lte })
    }

    @Test func realLTEAt739MHzIsOneWidebandLTECarrier() throws {
        let r = try scan("lte/ltecellscanner_739MHz_1.92Msps.sigmf-meta")
        try #require(r.carriers.count == 1)
        let c = r.carriers[0]
        #expect(c.rat == .lte && c.exceedsSpan)
        #expect(c.band == .lte(LTEBand.band(12)!) && c.channel == 5110)
        #expect(c.bandwidth.value > 1.5e6)
    }

    @Test(arguments: ["lte/srsran_1_92M.sigmf-meta", "lte/srsran_1_92M_amar.sigmf-meta"])
    func srsRANVectorsAreLTE(path: String) throws {
        let r = try scan(path)
        try #require(r.carriers.count == 1)
        #expect(r.carriers[0].rat == .lte)
        #expect(r.carriers[0].frequency == nil && r.carriers[0].channel == nil)
    }
}
