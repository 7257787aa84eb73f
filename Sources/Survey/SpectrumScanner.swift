import CellwatchModel
import DSP
import Radio

/// Why a scan could not give an answer.
public enum ScanError: Error, Equatable, Sendable, CustomStringConvertible {
    case radio(RadioError)
    /// The recording's span touches none of the bands asked for.
    case outsideEveryBand(source: String, low: Hertz, high: Hertz, bands: [String])
    case tooShort(source: String, samples: Int64, needed: Int)
    case setup(String)

    public var description: String {
        switch self {
        case .radio(let e): e.description
        case .outsideEveryBand(let source, let low, let high, let bands):
            "\(source): the recording spans \(Self.mhz(low))–\(Self.mhz(high)) MHz, which lies outside every "
                + (bands.isEmpty ? "GSM and LTE downlink band" : "band asked for (\(bands.joined(separator: ", ")))")
                + "; check core:frequency (or --frequency) and --band"
        case .tooShort(let source, let samples, let needed):
            "\(source): only \(samples) samples, fewer than the \(needed) one spectrum needs"
        case .setup(let what): what
        }
    }

    private static func mhz(_ h: Hertz) -> String { String((h.megahertz * 1000).rounded() / 1000) }
}

/// `cellwatch scan`: an averaged spectrum of every capture segment of a stream, with its noise floor,
/// channel powers and carriers. Reads the device once, block by block, in constant memory.
public final class SpectrumScanner {
    public let configuration: ScanConfiguration
    public let sampleRate: Double
    public let fftSize: Int
    private let psd: WelchPSD
    private let ofdm: LaggedAutocorrelator?
    private let ofdmWindow: Int
    private let detector: CarrierDetector

    public init(configuration: ScanConfiguration = .init(), sampleRate: Double) throws(ScanError) {
        self.configuration = configuration
        self.sampleRate = sampleRate
        fftSize = configuration.fftSize(sampleRate: sampleRate)
        do {
            psd = try WelchPSD(size: fftSize, window: configuration.window, overlap: configuration.overlap, peakHold: true)
            // LTE: useful symbol 1/15 kHz, normal cyclic prefix 144/2048 of it, 7 symbols per 0.5 ms slot
            // (TS 36.211 §6.12). Only meaningful where the rate can hold a 1.4 MHz carrier's core.
            if sampleRate >= 0.96e6 {
                ofdm = try LaggedAutocorrelator(lag: Int((sampleRate / 15e3).rounded()), period: sampleRate * 0.5e-3)
            } else {
                ofdm = nil
            }
        } catch {
            throw .setup("cannot set up the spectrum analysis: \(error)")
        }
        ofdmWindow = max(1, Int((sampleRate / 15e3 * 144 / 2048).rounded()))
        detector = CarrierDetector(configuration: configuration, bands: configuration.effectiveBands)
    }

    /// Scans `device` to its end. `progress` is called now and then with samples done and the total
    /// (when known); it runs on the calling thread.
    /// Blocks of 16384 samples (128 KiB) stay in a small CPU's L2 cache between conversion and the
    /// spectrum, which made the PSD measurably cheaper than with 65536 (Benchmarks/RESULTS.md).
    public func scan(_ device: any RadioDevice, source: String, blockSize: Int = 1 << 14,
                     progress: ((Int64, Int64?) -> Void)? = nil) throws(ScanError) -> ScanReport {
        let block = SampleBlock(capacity: blockSize)
        var carriers: [Carrier] = []
        var channels: [ChannelPower] = []
        var spectra: [SegmentSpectrum] = []
        var current: (segment: Int, centre: Hertz?)?
        var done: Int64 = 0
        var lastProgress: Int64 = 0
        // Segments (tuning steps) whose span touches none of the bands are skipped; if every one is, that
        // is an error naming the first.
        var skipping = false
        var firstOutside: ScanError?

        func finishSegment() throws(ScanError) {
            guard let seg = current, !skipping else { return }
            guard let power = psd.spectrum() else {
                throw .tooShort(source: source, samples: done, needed: fftSize)
            }
            let evidence = ofdmEvidence()
            let out = detector.analyse(.init(power: power, peak: psd.peakSpectrum() ?? power, sampleRate: sampleRate, centre: seg.centre,
                                             segment: seg.segment, ofdm: evidence),
                                       segmentsAveraged: psd.segmentCount)
            carriers += out.carriers
            channels += out.channels
            spectra.append(out.spectrum)
            psd.reset()
            ofdm?.reset()
        }

        while true {
            let more: Bool
            do { more = try device.read(into: block) } catch { throw .radio(error) }
            guard more else { break }
            if current == nil || current!.segment != block.segment {
                try finishSegment()
                current = (block.segment, block.centreFrequency)
                skipping = false
                if let c = block.centreFrequency, let outside = outsideBands(centre: c, source: source) {
                    skipping = true
                    firstOutside = firstOutside ?? outside
                }
            }
            done += Int64(block.count)
            if skipping { continue }
            block.withSamples { samples in
                psd.process(samples)
                ofdm?.process(samples)
            }
            if let progress, done - lastProgress >= Int64(sampleRate) {
                lastProgress = done
                progress(done, device.totalSamples)
            }
        }
        if current == nil { throw .tooShort(source: source, samples: 0, needed: fftSize) }
        try finishSegment()
        if spectra.isEmpty, let firstOutside { throw firstOutside }
        progress?(done, device.totalSamples)
        return ScanReport(source: source, sampleRate: sampleRate, samples: done, carriers: carriers,
                          channels: channels, spectra: spectra, bands: configuration.effectiveBands)
    }

    private func outsideBands(centre: Hertz, source: String) -> ScanError? {
        let half = sampleRate / 2
        let low = Hertz(centre.value - half), high = Hertz(centre.value + half)
        let overlaps = configuration.effectiveBands.contains { b in
            let r = b.downlinkRange
            return r.lowerBound < high && r.upperBound > low
        }
        return overlaps ? nil : .outsideEveryBand(source: source, low: low, high: high, bands: configuration.bands.map(\.name))
    }

    private func ofdmEvidence() -> CarrierDetector.OFDMEvidence {
        guard let ofdm, ofdm.productCount > 0 else { return .init(correlation: 0, peakToMedian: 0, noiseLevel: 1) }
        let profile = ofdm.profile(window: ofdmWindow)
        let peak = profile.max() ?? 0
        let sorted = profile.sorted()
        let median = max(sorted[sorted.count / 2], 1e-12)
        // Each window sums about M products; for noise |Σ|/Σe is then about 1/√M.
        let m = Double(ofdm.productCount) / Double(ofdm.bins) * Double(ofdmWindow)
        return .init(correlation: peak, peakToMedian: peak / median, noiseLevel: 1 / max(m, 1).squareRoot())
    }
}
